"""Lead conversion: funnel, channels and consultants with intervals, intent-level calibration, lost
reasons, a calibrated conversion model and the follow-up list of open leads."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import modeling
from .config import Parameters
from .errors import DataError
from .data.schema import INTENT_LEVELS as LEVELS
from .message import Listing, Message, Number, Percent, Term, Terms

STAGES = ("collected", "contacted", "intent", "deal")
#: columns known only once the outcome is known: never model inputs
AFTER_OUTCOME = ["status", "stage", "deal_date", "lost_reason", "customer_id", "converted", "days_to_deal"]


def wilson(successes, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion (NaN where n is 0)."""
    successes, n = np.asarray(successes, float), np.asarray(n, float)
    z = stats.norm.ppf((1 + confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def need(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Raise DataError (with a message for the page) when the register lacks a column this section needs."""
    missing = [c for c in columns if c not in frame]
    if missing:
        raise DataError(f"leads: {what} needs the column(s) {', '.join(missing)} of the lead register, which it "
                        "lacks; the section is left out. Map the headers in data.sources.leads.columns to add them.",
                        reason=Message.of("page.missing_columns", table=Term("table", "leads"),
                                          columns=Terms("column", missing)))


def window_days(leads: pd.DataFrame, params: Parameters) -> pd.Series:
    """Days after the visit within which each lead is judged: the end of its intent level's promise
    (leads.intent_days; an open-ended one ends after leads.open_window_days), or leads.conversion_days
    for a lead without a level."""
    default = pd.Series(float(params.leads.conversion_days), index=leads.index)
    if "intent_level" not in leads:
        return default
    ends = {level: float(high if high is not None else params.leads.open_window_days)
            for level, (_, high) in params.leads.intent_days.items()}
    return leads["intent_level"].map(ends).astype(float).fillna(default)


def outcomes(leads: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Leads with their outcome as the model and the conversion figures count it.

    Each lead is judged within its own window (:func:`window_days`): ``converted`` is a deal no later
    than the window's end (on time or early); ``labelled`` is true once the window has closed by the
    end of the report month (an undecided lead is neither won nor lost). Invalid leads are never
    labelled. Without visit dates a lead is labelled once it is won or lost.
    """
    out = leads.copy()
    end = pd.Timestamp(params.period_end)
    won = out["status"].eq("won") if "status" in out else out.get("deal_date", pd.Series(index=out.index)).notna()
    deal = out["deal_date"] if "deal_date" in out else pd.Series(pd.NaT, index=out.index)
    out["days_to_deal"] = (deal - out["created_date"]).dt.days if "created_date" in out else np.nan
    out["window_days"] = window_days(out, params)
    if "created_date" in out:
        out["labelled"] = (out["created_date"] + pd.to_timedelta(out["window_days"], unit="D") <= end).fillna(False)
        in_time = out["days_to_deal"] <= out["window_days"]
        out["converted"] = (won & (in_time | out["days_to_deal"].isna())).astype(int)  # no deal date: won counts
    else:
        out["labelled"] = out["status"].isin(["won", "lost"]) if "status" in out else False
        out["converted"] = won.astype(int)
    if "status" in out:
        out.loc[out["status"] == "invalid", "labelled"] = False
    return out


def promise_outcome(frame: pd.DataFrame, params: Parameters) -> pd.Series:
    """Each lead against its level's promise: inside (ordered within [min, max] days), early, late,
    never (its window closed without an order) or undecided (its window is still open); invalid leads
    are left out (NaN)."""
    end = pd.Timestamp(params.period_end)
    low = frame["intent_level"].map({k: v[0] for k, v in params.leads.intent_days.items()}).astype(float)
    high = frame["window_days"]
    days = frame["days_to_deal"]
    won = frame["status"].eq("won") if "status" in frame else frame["days_to_deal"].notna()
    closed = frame["created_date"] + pd.to_timedelta(high, unit="D") <= end
    result = np.select([won & (days < low), won & (days <= high), won, closed], ["early", "inside", "late", "never"],
                       "undecided")
    out = pd.Series(result, index=frame.index, dtype=object)
    if "status" in frame:
        out[frame["status"] == "invalid"] = np.nan
    return out


def funnel(leads: pd.DataFrame, events: pd.DataFrame | None) -> pd.DataFrame:
    """Leads reaching each development stage: collected, contacted (a follow-up or a later stage), intent, deal."""
    order = {s: i for i, s in enumerate(("collected", "contacted", "intent", "deal", "loyal"))}
    stage = leads["stage"].map(order) if "stage" in leads else pd.Series(0, index=leads.index)
    won = leads["status"].eq("won") if "status" in leads else pd.Series(False, index=leads.index)
    contacted = stage.fillna(0) >= 1
    if events is not None and len(events):
        contacted |= leads["lead_id"].isin(events["lead_id"])
    intent = (stage.fillna(0) >= 2) | won
    counts = [len(leads), int((contacted | intent | won).sum()), int(intent.sum()), int(won.sum())]
    out = pd.DataFrame({"stage": STAGES, "leads": counts})
    out["share_of_leads"] = out["leads"] / max(len(leads), 1)
    out["step_rate"] = out["leads"] / out["leads"].shift(1)
    return out


def conversion_by(labelled: pd.DataFrame, column: str, min_leads: int = 1) -> pd.DataFrame:
    """Leads, conversions and conversion rate with a Wilson 95 % interval per value of ``column``."""
    grouped = labelled.groupby(labelled[column].astype(object).fillna("(missing)"), sort=True)["converted"]
    out = pd.DataFrame({"leads": grouped.size(), "converted": grouped.sum()})
    out["conversion_rate"] = out["converted"] / out["leads"]
    out["rate_low"], out["rate_high"] = wilson(out["converted"], out["leads"])
    out = out[out["leads"] >= min_leads]
    out.index.name = column
    return out.reset_index().sort_values(["conversion_rate", column], ascending=[False, True],
                                         kind="stable").reset_index(drop=True)


def channel_costs(labelled: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Per channel: leads and deals of the labelled window, against the channel's cost over that window
    (leads.channel_costs); cost per lead and per deal."""
    need(labelled, ("channel",), "conversion by channel")
    table = conversion_by(labelled, "channel")
    costs = params.leads.channel_costs
    if not costs:
        return table
    table["cost"] = table["channel"].map(costs)
    table["cost_per_lead"] = table["cost"] / table["leads"]
    table["cost_per_deal"] = table["cost"] / table["converted"].replace(0, np.nan)
    return table


def intent_calibration(frame: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Every intent level against its own promise, over all its leads: the share that ordered inside the
    promised days, early, late, never (window closed) or is still undecided; the conversion of the decided
    ones (within the window) with a Wilson interval, and the median days to the deal of those that ordered.

    ``frame`` is the register with :func:`outcomes` (all leads, not only the labelled ones).
    """
    need(frame, ("intent_level", "created_date"), "the intent-level check")
    judged = frame.assign(promise=promise_outcome(frame, params)).dropna(subset=["promise"])
    rows = []
    for level in LEVELS:
        group = judged[judged["intent_level"] == level]
        if group.empty:
            continue
        low, high = params.leads.intent_days[level]
        shares = group["promise"].value_counts(normalize=True)
        decided = group[group["labelled"]]
        converted = int(decided["converted"].sum())
        lo_ci, hi_ci = wilson(converted, len(decided))
        buyers = group[group["promise"].isin(["inside", "early", "late"])]
        rows.append({"intent_level": level, "leads": len(group),
                     "promised": f"{low}-{high if high is not None else '∞'}",
                     "inside": shares.get("inside", 0.0), "early": shares.get("early", 0.0),
                     "late": shares.get("late", 0.0), "never": shares.get("never", 0.0),
                     "undecided": shares.get("undecided", 0.0), "decided": len(decided),
                     "conversion_rate": converted / len(decided) if len(decided) else np.nan,
                     "rate_low": float(lo_ci), "rate_high": float(hi_ci),
                     "median_days": buyers["days_to_deal"].median() if len(buyers) else np.nan})
    return pd.DataFrame(rows)


def consultant_reliability(labelled: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Whether each consultant's O/H levels can be trusted: the conversion of their O/H leads against
    everyone else's O/H leads (two-proportion z-test); untrusted when clearly lower."""
    need(labelled, ("intent_level", "consultant"), "the check of each consultant's levels")
    hot = labelled[labelled["intent_level"].isin(["O", "H"])]
    rows = []
    for consultant, group in hot.groupby("consultant", sort=True):
        others = hot[hot["consultant"] != consultant]
        k1, n1, k2, n2 = group["converted"].sum(), len(group), others["converted"].sum(), len(others)
        pooled = (k1 + k2) / (n1 + n2) if n1 + n2 else np.nan
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) if n1 and n2 else np.nan
        z = (k1 / n1 - k2 / n2) / se if se and se > 0 else np.nan
        p = float(2 * stats.norm.sf(abs(z))) if not np.isnan(z) else np.nan
        all_rate = labelled.loc[labelled["consultant"] == consultant, "converted"].mean()
        rows.append({"consultant": consultant, "hot_leads": n1, "hot_rate": k1 / n1, "others_hot_rate": k2 / n2 if n2 else np.nan,
                     "overall_rate": all_rate, "z": z, "p": p,
                     "trusted": not (z < 0 and p < params.leads.alpha)})
    return pd.DataFrame(rows)


def lost_reasons(leads: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Lost leads per reason (Pareto order), or reason x ``by`` (channel, consultant)."""
    lost = leads[leads["status"] == "lost"] if "status" in leads else leads.iloc[0:0]
    if by is not None:
        need(leads, (by,), f"lost reasons by {by}")
    reasons = lost["lost_reason"].fillna("—") if "lost_reason" in lost else pd.Series(dtype=object)
    if by is None:
        counts = reasons.value_counts()
        out = pd.DataFrame({"lost_reason": counts.index, "count": counts.to_numpy()})
        out = out.sort_values(["count", "lost_reason"], ascending=[False, True], kind="stable").reset_index(drop=True)
        out["cumulative"] = out["count"].cumsum() / max(out["count"].sum(), 1)
        return out
    return pd.crosstab(reasons.rename("lost_reason"), lost[by])


def feature_spec(leads: pd.DataFrame, params: Parameters) -> modeling.FeatureSpec:
    """Lead model inputs: the register's columns known at the visit, plus the declared extra columns."""
    categorical = [c for c in ("channel", "consultant", "visit_type", "intent_level", "product") if c in leads]
    numeric = [c for c in ("budget",) if c in leads]
    if "test_drive" in leads:
        numeric.append("test_drive")
    categorical += [c for c in params.leads.features.categorical if c not in categorical]
    numeric += [c for c in params.leads.features.numeric if c not in numeric]
    return modeling.FeatureSpec(categorical, numeric, after_outcome=AFTER_OUTCOME + list(params.leads.after_outcome))


def fit_lead_model(leads: pd.DataFrame, params: Parameters) -> tuple[modeling.ModelResult, pd.DataFrame]:
    """Fit on labelled leads and validate on those decided in the latest leads.validation_months.

    A lead is decided when its window closes (visit + :func:`window_days`): training uses the leads
    decided before the validation months, so every intent level is on both sides (splitting by visit
    date would leave only the short-window levels O, H and A among the recent labelled leads).
    Without visit dates the split is stratified and random.
    """
    frame = outcomes(leads, params)
    if "test_drive" in frame:
        frame["test_drive"] = frame["test_drive"].astype(float)
    labelled = frame[frame["labelled"]]
    if labelled.empty:
        raise DataError(f"leads: none of the {len(frame)} leads has a closed window by {params.period_end}; the model "
                        "needs leads whose outcome is known. Add earlier months of the register.",
                        reason=Message.of("lead.none_decided", n=len(frame)))
    spec = feature_spec(frame, params)
    missing = [c for c in spec.columns if c not in frame]
    if missing:
        raise DataError(f"leads: the feature column(s) {', '.join(missing)} declared in leads.features are not in "
                        "the lead register. Declare them in data.sources.leads.extra or remove them.",
                        reason=Message.of("lead.feature_missing", columns=Listing(missing)))
    # above max_training_rows the leads are subsampled (stratified) and the boosting stops early: 1M leads < 60 s
    limits = {"max_train_rows": params.leads.max_training_rows,
              "max_calibration_error": params.leads.max_calibration_error}
    if "created_date" in labelled and labelled["created_date"].notna().all():
        frame["decided_at"] = frame["created_date"] + pd.to_timedelta(frame["window_days"], unit="D")
        labelled = frame[frame["labelled"]]
        cutoff = (pd.Period(params.month, "M") - params.leads.validation_months + 1).start_time
        last = labelled["decided_at"].max()
        cutoff = min(cutoff, (last.to_period("M") - params.leads.validation_months + 1).start_time)
        result = modeling.fit_and_compare(labelled, "converted", spec, params.leads.seed, time_column="decided_at",
                                          valid_from=cutoff, min_positives=params.leads.min_positives,
                                          parameter="leads.min_positives", **limits)
    else:
        result = modeling.fit_and_compare(labelled, "converted", spec, params.leads.seed,
                                          min_positives=params.leads.min_positives, parameter="leads.min_positives",
                                          **limits)
    return result, frame


def score_open_leads(result: modeling.ModelResult, frame: pd.DataFrame, params: Parameters,
                     events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Open leads with the conversion probability, model grade and top factors, and their follow-up state.

    last_contact: the latest follow-up (or the visit) on or before the period end; planned: the
    consultant's own next date (下次跟进日期), carried out when a contact came on or after it; days_overdue:
    days a planned date not carried out is past, at the
    period end; next_followup: the planned date while it is ahead, else the last contact plus the
    model grade's gap (leads.followup_days), and the day after the period end when that is already
    past; past_planned and stale (an A/B/C intent level without a contact for leads.stale_days) flag
    the leads to call first.
    """
    open_leads = frame[frame["status"].eq("open")] if "status" in frame else frame[~frame["labelled"]]
    open_leads = open_leads.copy()
    columns = ["conversion_probability", "model_grade", "factors", "last_contact", "planned", "days_overdue",
               "next_followup", "past_planned", "stale"]
    if open_leads.empty:
        return open_leads.assign(**{c: [] for c in columns})
    open_leads["conversion_probability"] = result.predict(open_leads)
    cuts = params.leads.grade_thresholds
    open_leads["model_grade"] = np.select([open_leads["conversion_probability"] >= cuts["A"],
                                           open_leads["conversion_probability"] >= cuts["B"]], ["A", "B"], "C")
    open_leads["factors"] = modeling.reasons(result, open_leads, top=3)
    end = pd.Timestamp(params.period_end)
    tomorrow = end + pd.Timedelta(days=1)
    visit = open_leads["created_date"] if "created_date" in open_leads else pd.Series(pd.NaT, index=open_leads.index)
    last = visit
    if events is not None and len(events):
        done = events[events["event_date"] <= end].groupby("lead_id")["event_date"].max()
        last = pd.concat([visit, open_leads["lead_id"].map(done)], axis=1).max(axis=1)
    open_leads["last_contact"] = last
    planned = open_leads["next_followup_date"] if "next_followup_date" in open_leads else pd.Series(pd.NaT, index=open_leads.index)
    open_leads["planned"] = planned
    # a contact on or after the planned date carried the plan out (late perhaps): it is no longer overdue, and
    # the next date comes from the lead's own history
    planned = planned.where(~(planned.notna() & last.notna() & (last >= planned)))
    open_leads["days_overdue"] = (end - planned).dt.days.where(planned < tomorrow).astype("Int64")
    gap = pd.to_timedelta(open_leads["model_grade"].map(params.leads.followup_days), unit="D")
    own = (last + gap).where(last.notna(), tomorrow)
    open_leads["next_followup"] = planned.where(planned >= tomorrow, own.where(own >= tomorrow, tomorrow))
    open_leads["past_planned"] = planned.notna() & (planned < tomorrow)
    quiet = (end - last).dt.days
    level = open_leads["intent_level"] if "intent_level" in open_leads else pd.Series(None, index=open_leads.index)
    open_leads["stale"] = level.isin(["A", "B", "C"]) & (quiet >= params.leads.stale_days)
    keys = [c for c in ("consultant", "conversion_probability", "lead_id") if c in open_leads]
    return open_leads.sort_values(keys, ascending=[c != "conversion_probability" for c in keys],
                                  kind="stable").reset_index(drop=True)


def level_vs_model(scored: pd.DataFrame) -> pd.DataFrame:
    """Open leads by the consultant's intent level (rows) and the model grade (columns)."""
    need(scored, ("intent_level",), "the comparison of levels and model grades")
    return pd.crosstab(scored["intent_level"], scored["model_grade"]).reindex(
        index=[level for level in LEVELS if level in set(scored["intent_level"])], fill_value=0)


# ----------------------------------------------------------------------------- sentences of the page

def intro_message(register: pd.DataFrame, frame: pd.DataFrame, params: Parameters) -> Message:
    """The page's opening: leads, the conversion window, leads with a known outcome and their conversion."""
    labelled = frame[frame["labelled"]]
    return Message.of("lead.intro", n=len(register), open_days=params.leads.open_window_days, labelled=len(labelled),
                      rate=Percent(labelled["converted"].mean() if len(labelled) else np.nan))


def channel_finding(channels: pd.DataFrame) -> Message:
    """Alt text of the channel chart: the best and the worst channel."""
    ranked = channels.sort_values(["conversion_rate", "channel"], ascending=[False, True])
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    return Message.of("lead.alt.channels", best=Term("channel", best["channel"]), best_rate=Percent(best["conversion_rate"]),
                      worst=Term("channel", worst["channel"]), worst_rate=Percent(worst["conversion_rate"]))


def lost_finding(reasons: pd.DataFrame) -> Message:
    """Alt text of the lost-reason chart: the most frequent reason."""
    top = reasons.iloc[0]
    return Message.of("lead.alt.lost", top=str(top["lost_reason"]), count=int(top["count"]),
                      share=Percent(top["count"] / reasons["count"].sum()))


def reliability_message(reliability: pd.DataFrame) -> Message:
    """Which consultants' O/H levels are clearly over-graded."""
    untrusted = reliability.loc[~reliability["trusted"].astype(bool), "consultant"].tolist() if len(reliability) else []
    return Message.of("lead.untrusted", names=Listing(untrusted)) if untrusted else Message("lead.all_trusted")


def model_message(result: modeling.ModelResult, frame: pd.DataFrame) -> Message:
    """How the conversion model was validated and how well it ranks."""
    metrics = result.validation[result.chosen]
    valid = result.valid_predictions
    lift = modeling.lift_by_decile(valid["y"], valid["p"])
    if result.validation_scheme == "time":
        scheme = Message.of("lead.scheme.time", cutoff=frame.loc[valid.index, "decided_at"].min())
    else:
        scheme = Message("lead.scheme.stratified")
    return Message.of("lead.model", scheme=scheme, chosen=Term("model_kind", result.chosen),
                      auc=modeling.auc_message(result), ap=Number(metrics["average_precision"], 2),
                      base=Number(metrics["average_precision_baseline"], 2), lift=Number(lift["lift"].iloc[0], 1))


def calibration_finding(result: modeling.ModelResult, key: str = "lead.alt.calibration") -> Message:
    """Alt text of a calibration chart: the mean gap between predicted and observed rates."""
    valid = result.valid_predictions
    return Message.of(key, error=Percent(modeling.expected_calibration_error(valid["y"], valid["p"])))


def open_message(scored: pd.DataFrame) -> Message:
    """Open leads and how many the model grades A and B."""
    grades = scored["model_grade"].value_counts() if len(scored) else pd.Series(dtype=int)
    return Message.of("lead.open", n=len(scored), a=int(grades.get("A", 0)), b=int(grades.get("B", 0)))


def follow_up_list(scored: pd.DataFrame) -> pd.DataFrame:
    """The follow-up list of open leads, calls first: owner, branch, visit, level, product, the model's
    probability, grade and why, last contact, the planned date and days overdue, the suggested next date."""
    columns = ["lead_id", "consultant", "branch", "created_date", "channel", "intent_level", "product",
               "conversion_probability", "model_grade", "factors", "last_contact", "planned", "days_overdue",
               "next_followup", "past_planned", "stale"]
    out = scored[[c for c in columns if c in scored]]
    keys = [c for c in ("past_planned", "stale", "conversion_probability") if c in out]
    return out.sort_values(keys + ["lead_id"], ascending=[False] * len(keys) + [True], kind="stable").reset_index(drop=True)


def follow_up_message(scored: pd.DataFrame, params: Parameters) -> Message:
    """How many open leads are past their planned follow-up, and how many A/B/C leads went quiet."""
    return Message.of("lead.followup_state", n=len(scored), past=int(scored["past_planned"].sum()) if len(scored) else 0,
                      stale=int(scored["stale"].sum()) if len(scored) else 0, days=params.leads.stale_days)


def with_branch(leads: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """The register with a ``branch`` column: its own, or the consultant's branch from leads.consultant_branches."""
    if "branch" in leads or not params.leads.consultant_branches or "consultant" not in leads:
        return leads
    return leads.assign(branch=leads["consultant"].map(params.leads.consultant_branches))


def lists_by_consultant(follow_up: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One sheet per consultant (by name), or one sheet when the register names none."""
    if "consultant" not in follow_up or follow_up["consultant"].isna().all():
        return {"excel.sheet.followup": follow_up}
    return {str(name): group for name, group in follow_up.groupby(follow_up["consultant"].fillna("—"), sort=True)}


def headlines(frame: pd.DataFrame, scored: pd.DataFrame, result: modeling.ModelResult) -> list[dict]:
    """The page's headline figures: conversion of leads with a known outcome, open grade-A leads, model AUC."""
    labelled = frame[frame["labelled"]]
    grades = scored["model_grade"].value_counts() if len(scored) else pd.Series(dtype=int)
    return [{"key": "lead.headline.rate", "value": Percent(labelled["converted"].mean() if len(labelled) else np.nan),
             "better": "up"},
            {"key": "lead.headline.open_a", "value": Number(int(grades.get("A", 0)))},
            {"key": "lead.headline.auc", "value": Number(result.validation[result.chosen]["roc_auc"], 3), "better": "up"}]


def breakdowns(labelled: pd.DataFrame) -> list[str]:
    """The register columns conversion is broken down by, where present: consultant, first/repeat visit."""
    return [c for c in ("consultant", "visit_type") if c in labelled and labelled[c].notna().any()]
