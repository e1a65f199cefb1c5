"""Lead conversion: funnel, channels and consultants with intervals, intent-level calibration, lost
reasons, a calibrated conversion model and the follow-up list of open leads."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import modeling
from .config import Parameters
from .errors import DataError
from .message import Listing, Message, Number, Percent, Term

STAGES = ("collected", "contacted", "intent", "deal")
LEVELS = ("O", "H", "A", "B", "C")
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


def outcomes(leads: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Leads with ``converted`` (a deal within leads.conversion_days of the visit) where the window has
    passed by the end of the report month, ``days_to_deal``, and ``labelled``."""
    out = leads.copy()
    end = pd.Timestamp(params.period_end)
    won = out["status"].eq("won") if "status" in out else out.get("deal_date", pd.Series(index=out.index)).notna()
    deal = out["deal_date"] if "deal_date" in out else pd.Series(pd.NaT, index=out.index)
    out["days_to_deal"] = (deal - out["created_date"]).dt.days if "created_date" in out else np.nan
    window = pd.Timedelta(days=params.leads.conversion_days)
    if "created_date" in out:
        out["labelled"] = out["created_date"] + window <= end
        out["converted"] = (won & (out["days_to_deal"] <= params.leads.conversion_days)).astype(int)
    else:
        out["labelled"] = out["status"].isin(["won", "lost"]) if "status" in out else False
        out["converted"] = won.astype(int)
    if "status" in out:
        out.loc[out["status"] == "invalid", "labelled"] = False
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
    table = conversion_by(labelled, "channel")
    costs = params.leads.channel_costs
    if not costs:
        return table
    table["cost"] = table["channel"].map(costs)
    table["cost_per_lead"] = table["cost"] / table["leads"]
    table["cost_per_deal"] = table["cost"] / table["converted"].replace(0, np.nan)
    return table


def intent_calibration(labelled: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """For each intent level: conversion rate and days to the deal against what the level promises."""
    promise = params.leads.intent_days
    rows = []
    for level in LEVELS:
        group = labelled[labelled["intent_level"] == level]
        if group.empty:
            continue
        won = group[group["converted"] == 1]
        low, high = promise[level]
        within = won["days_to_deal"].between(low, high if high is not None else np.inf)
        lo_ci, hi_ci = wilson(won.shape[0], len(group))
        rows.append({"intent_level": level, "leads": len(group), "conversion_rate": len(won) / len(group),
                     "rate_low": float(lo_ci), "rate_high": float(hi_ci), "median_days": won["days_to_deal"].median() if len(won) else np.nan,
                     "promised": f"{low}-{high if high is not None else '∞'}",
                     "within_promise": within.mean() if len(won) else np.nan})
    return pd.DataFrame(rows)


def consultant_reliability(labelled: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Whether each consultant's O/H levels can be trusted: the conversion of their O/H leads against
    everyone else's O/H leads (two-proportion z-test); untrusted when clearly lower."""
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
    reasons = lost["lost_reason"].fillna("(未填写)") if "lost_reason" in lost else pd.Series(dtype=object)
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
    """Fit on labelled leads; validate on the latest leads.validation_months of them (time-ordered), or
    a stratified split when the register has no visit date."""
    frame = outcomes(leads, params)
    if "test_drive" in frame:
        frame["test_drive"] = frame["test_drive"].astype(float)
    labelled = frame[frame["labelled"]]
    spec = feature_spec(frame, params)
    missing = [c for c in spec.columns if c not in frame]
    if missing:
        raise DataError(f"leads: the feature column(s) {', '.join(missing)} declared in leads.features are not in "
                        "the lead register. Declare them in data.sources.leads.extra or remove them.")
    if "created_date" in labelled and labelled["created_date"].notna().all():
        cutoff = (pd.Period(params.month, "M") - params.leads.validation_months + 1).start_time
        last_labelled = labelled["created_date"].max()
        cutoff = min(cutoff, (last_labelled.to_period("M") - params.leads.validation_months + 1).start_time)
        result = modeling.fit_and_compare(labelled, "converted", spec, params.leads.seed, time_column="created_date",
                                          valid_from=cutoff, min_positives=params.leads.min_positives,
                                          parameter="leads.min_positives")
    else:
        result = modeling.fit_and_compare(labelled, "converted", spec, params.leads.seed,
                                          min_positives=params.leads.min_positives, parameter="leads.min_positives")
    return result, frame


def score_open_leads(result: modeling.ModelResult, frame: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Open leads with probability, model grade, top factors and the recommended next follow-up date."""
    open_leads = frame[frame["status"].eq("open")] if "status" in frame else frame[~frame["labelled"]]
    open_leads = open_leads.copy()
    if open_leads.empty:
        return open_leads.assign(conversion_probability=[], model_grade=[], factors=[], next_followup=[])
    open_leads["conversion_probability"] = result.predict(open_leads)
    cuts = params.leads.grade_thresholds
    open_leads["model_grade"] = np.select([open_leads["conversion_probability"] >= cuts["A"],
                                           open_leads["conversion_probability"] >= cuts["B"]], ["A", "B"], "C")
    open_leads["factors"] = modeling.reasons(result, open_leads, top=3)
    today = pd.Timestamp(params.period_end) + pd.Timedelta(days=1)
    gap = open_leads["model_grade"].map(params.leads.followup_days)
    planned = open_leads["next_followup_date"] if "next_followup_date" in open_leads else pd.Series(pd.NaT, index=open_leads.index)
    due = today + pd.to_timedelta(gap, unit="D")
    open_leads["next_followup"] = planned.where(planned.notna() & (planned <= due) & (planned >= today), due)
    return open_leads.sort_values(["consultant", "conversion_probability", "lead_id"], ascending=[True, False, True],
                                  kind="stable").reset_index(drop=True)


def level_vs_model(scored: pd.DataFrame) -> pd.DataFrame:
    """Open leads by the consultant's intent level (rows) and the model grade (columns)."""
    return pd.crosstab(scored["intent_level"], scored["model_grade"]).reindex(
        index=[level for level in LEVELS if level in set(scored["intent_level"])], fill_value=0)


# ----------------------------------------------------------------------------- sentences of the page

def intro_message(register: pd.DataFrame, frame: pd.DataFrame, params: Parameters) -> Message:
    """The page's opening: leads, the conversion window, leads with a known outcome and their conversion."""
    labelled = frame[frame["labelled"]]
    return Message.of("lead.intro", n=len(register), days=params.leads.conversion_days, labelled=len(labelled),
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
        scheme = Message.of("lead.scheme.time", cutoff=frame.loc[valid.index, "created_date"].min())
    else:
        scheme = Message("lead.scheme.stratified")
    return Message.of("lead.model", scheme=scheme, chosen=Term("model_kind", result.chosen),
                      auc=Number(metrics["roc_auc"], 3), ap=Number(metrics["average_precision"], 2),
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
    """The follow-up list of open leads: who, where from, the level, the model's probability and grade, why, when."""
    columns = ["lead_id", "consultant", "created_date", "channel", "intent_level", "conversion_probability",
               "model_grade", "factors", "next_followup"]
    return scored[[c for c in columns if c in scored]]


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
