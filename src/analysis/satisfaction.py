"""Satisfaction surveys in the company's report structure: response, results, CAPA items, grades, trends, drivers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .config import Parameters
from .errors import DataError
from .message import Listing, Message, Number, Percent, Term, Terms


@dataclass
class ResponseStatus:
    """Response (回收) against the target, by segment, and who to phone."""

    sent: int
    answered: int
    rate: float
    target: float
    by_segment: pd.DataFrame
    pending: pd.DataFrame

    @property
    def met(self) -> bool:
        return self.rate >= self.target


# ----------------------------------------------------------------------------- period and items

def survey_period(params: Parameters, offset: int = 0) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the survey period ending with the report month (``offset`` periods back)."""
    end = pd.Period(params.month, "M") - offset * params.survey.period_months
    start = end - params.survey.period_months + 1
    return start.start_time.normalize(), end.end_time.normalize()


def surveys_in_period(surveys: pd.DataFrame, params: Parameters, offset: int = 0) -> pd.DataFrame:
    """Survey forms sent within the period."""
    start, end = survey_period(params, offset)
    return surveys[(surveys["sent_date"] >= start) & (surveys["sent_date"] <= end)]


def answered(surveys: pd.DataFrame, params: Parameters, offset: int = 0, required: bool = True) -> pd.DataFrame:
    """Forms of the period that came back with at least one scored item.

    Raises DataError when none did (and ``required``): no analysis can be made of an empty period.
    """
    dims = dimensions(surveys, params)
    sent = surveys_in_period(surveys, params, offset)
    _, end = survey_period(params, offset)
    done = sent[sent["answered_date"].notna() & (sent["answered_date"] <= end) & sent[dims].notna().any(axis=1)]
    if required and done.empty:
        start, end = survey_period(params, offset)
        raise DataError(f"surveys: no survey form sent between {start.date()} and {end.date()} has answers "
                        f"({len(sent)} sent; survey.period_months={params.survey.period_months}). Check the "
                        "answered dates (回收日期) and scores in the survey file, or choose another month.")
    return done


def dimensions(surveys: pd.DataFrame, params: Parameters) -> list[str]:
    """The configured dimensions, in report order (the loader guarantees each has a column)."""
    missing = [d for d in params.survey.dimensions if d not in surveys.columns]
    if missing:
        raise DataError(f"surveys: dimension(s) {', '.join(missing)} of survey.dimensions have no column. Map "
                        "their headers in data.sources.surveys.columns or remove them from survey.dimensions.")
    return list(params.survey.dimensions)


def item_scores(forms: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """One row per answered item: survey_id, customer_id, dimension, score (not-applicable items left out)."""
    dims = dimensions(forms, params)
    long = forms.melt(id_vars=["survey_id", "customer_id"], value_vars=dims, var_name="dimension", value_name="score")
    return long.dropna(subset=["score"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- response status

def response_status(surveys: pd.DataFrame, customers: pd.DataFrame, params: Parameters) -> ResponseStatus:
    """Forms sent vs answered in the period, the rate against the target, by segment; the phone list.

    The phone follow-up list holds forms unanswered more than ``survey.followup_days`` after
    they were sent, counted to the end of the report month.
    """
    sent = surveys_in_period(surveys, params)
    done_ids = set(answered(surveys, params, required=False)["survey_id"])
    flags = sent.assign(answered=sent["survey_id"].isin(done_ids))
    rate = float(flags["answered"].mean()) if len(flags) else 0.0
    segments = [s for s in params.survey.segments if s in customers.columns]
    frame = flags.merge(customers[["customer_id", *segments]], on="customer_id", how="left")
    rows = []
    for segment in segments:
        grouped = frame.groupby(frame[segment].fillna("—"), sort=True)["answered"].agg(["size", "sum"])
        for value, (n, k) in grouped.iterrows():
            rows.append({"breakdown": segment, "value": value, "sent": int(n), "answered": int(k),
                         "rate": k / n if n >= params.survey.min_answers else np.nan,
                         "suppressed": bool(n < params.survey.min_answers)})
    by_segment = pd.DataFrame(rows, columns=["breakdown", "value", "sent", "answered", "rate", "suppressed"])
    _, end = survey_period(params)
    waiting = frame[~frame["answered"]].assign(days_waiting=lambda f: (end - f["sent_date"]).dt.days)
    extra = [c for c in ("sales_rep", "region", "branch") if c in customers.columns and c not in waiting.columns]
    if extra:
        waiting = waiting.merge(customers[["customer_id", *extra]], on="customer_id", how="left")
    pending = (waiting[waiting["days_waiting"] > params.survey.followup_days]
               .sort_values(["days_waiting", "survey_id"], ascending=[False, True])
               [["survey_id", "customer_id", "sent_date", "days_waiting",
                 *[c for c in ("region", "branch", "sales_rep") if c in waiting.columns]]]
               .reset_index(drop=True))
    return ResponseStatus(len(flags), int(flags["answered"].sum()), rate, params.survey.response_target,
                          by_segment, pending)


# ----------------------------------------------------------------------------- results

def dimension_results(forms: pd.DataFrame, params: Parameters, confidence: float = 0.95) -> pd.DataFrame:
    """Per dimension: answers, mean with a t confidence interval, top-2-box share, and the distribution."""
    top = params.survey.scale_max
    items = item_scores(forms, params)
    rows = []
    for dim in dimensions(forms, params):
        scores = items.loc[items["dimension"] == dim, "score"].to_numpy(float)
        n = len(scores)
        mean = scores.mean() if n else np.nan
        low, high = mean_ci(scores, confidence)
        row = {"dimension": dim, "n": n, "mean": mean, "ci_low": low, "ci_high": high,
               "share_of_max": mean / top if n else np.nan,
               "top2": float(np.mean(scores >= top - 1)) if n else np.nan}
        for level in range(top, 0, -1):
            row[f"level_{level}"] = int(np.sum(scores == level))
        rows.append(row)
    return pd.DataFrame(rows)


def mean_ci(values, confidence: float = 0.95) -> tuple[float, float]:
    """Two-sided t interval for the mean (NaN for fewer than two values)."""
    values = np.asarray(values, float)
    n = len(values)
    if n < 2:
        return (np.nan, np.nan)
    mean = values.mean()
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return (mean - half, mean + half)


def customer_scores(forms: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Each answered form: items answered, mean item score, score as a share of the maximum, below target."""
    dims = dimensions(forms, params)
    values = forms[dims]
    out = forms[["survey_id", "customer_id", "answered_date"]].copy()
    out["items"] = values.notna().sum(axis=1)
    out["mean"] = values.mean(axis=1)
    out["share"] = out["mean"] / params.survey.scale_max
    out["below_target"] = out["share"] < params.survey.score_target
    return out.reset_index(drop=True)


def overall_score(scores: pd.DataFrame, params: Parameters) -> dict:
    """The period's overall score: mean of the customers' shares, with a 95 % interval, against the target."""
    shares = scores["share"].dropna().to_numpy(float)
    low, high = mean_ci(shares)
    value = float(shares.mean()) if len(shares) else np.nan
    return {"share": value, "ci_low": low, "ci_high": high, "n": len(shares), "target": params.survey.score_target,
            "met": bool(value >= params.survey.score_target)}


def segment_results(scores: pd.DataFrame, customers: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Mean score share per segment value; values with fewer answers than survey.min_answers are suppressed."""
    segments = [s for s in params.survey.segments if s in customers.columns]
    frame = scores.merge(customers[["customer_id", *segments]], on="customer_id", how="left")
    rows = []
    for segment in segments:
        for value, group in frame.groupby(frame[segment].fillna("—"), sort=True):
            n = len(group)
            hidden = n < params.survey.min_answers
            rows.append({"breakdown": segment, "value": value, "answers": n,
                         "share": np.nan if hidden else group["share"].mean(),
                         "below_target": np.nan if hidden else int(group["below_target"].sum()),
                         "suppressed": hidden})
    return pd.DataFrame(rows, columns=["breakdown", "value", "answers", "share", "below_target", "suppressed"])


def capa_list(forms: pd.DataFrame, scores: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Corrective and preventive actions: every item below ``survey.capa_item_below`` and every customer
    whose score is below the target, with the comment and the responsible department."""
    dims = dimensions(forms, params)
    rows = []
    for form in forms.itertuples(index=False):
        comment = getattr(form, "comment", None)
        comment = None if comment is None or (isinstance(comment, float) and np.isnan(comment)) else str(comment)
        for dim in dims:
            value = getattr(form, dim)
            if pd.notna(value) and value < params.survey.capa_item_below:
                rows.append({"survey_id": form.survey_id, "customer_id": form.customer_id,
                             "answered_date": form.answered_date, "capa_reason": "item", "dimension": dim,
                             "item_score": float(value), "share": np.nan, "comment": comment,
                             "department": params.survey.departments.get(dim, "")})
    low = scores[scores["below_target"]].merge(forms[["survey_id", *(["comment"] if "comment" in forms else [])]],
                                               on="survey_id", how="left")
    for row in low.itertuples(index=False):
        worst = forms.loc[forms["survey_id"] == row.survey_id, dims].iloc[0].astype(float)
        weakest = worst.idxmin() if worst.notna().any() else None
        comment = getattr(row, "comment", None)
        rows.append({"survey_id": row.survey_id, "customer_id": row.customer_id, "answered_date": row.answered_date,
                     "capa_reason": "customer", "dimension": "overall", "item_score": float(row.mean), "share": float(row.share),
                     "comment": None if comment is None or (isinstance(comment, float) and np.isnan(comment)) else str(comment),
                     "department": params.survey.departments.get(weakest, "") if weakest else ""})
    columns = ["survey_id", "customer_id", "answered_date", "capa_reason", "dimension", "item_score", "share", "comment",
               "department"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["capa_reason", "item_score", "survey_id", "dimension"], ascending=[False, True, True, True],
                           kind="stable").reset_index(drop=True)


def satisfaction_grades(scores: pd.DataFrame, params: Parameters, orders: pd.DataFrame | None = None,
                        complaints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Combined satisfaction grade A/B/C/D per customer: survey score plus process KPIs where data exists.

    KPIs over the survey period: on-time delivery rate (delivered on or before the due date),
    quality pass rate, and major complaints. A grade is given when every minimum of
    ``survey.grades`` is met; a KPI without data is not checked.
    """
    start, end = survey_period(params)
    latest = scores.sort_values("answered_date").groupby("customer_id", sort=True).tail(1)
    out = latest[["customer_id", "share"]].rename(columns={"share": "score"}).set_index("customer_id")
    out["on_time"] = np.nan
    out["quality_pass"] = np.nan
    out["major_complaints"] = np.nan
    if orders is not None:
        window = orders[(orders["order_date"] >= start) & (orders["order_date"] <= end)]
        if "due_date" in window and "delivered_date" in window:
            done = window.dropna(subset=["due_date", "delivered_date"])
            on_time = (done["delivered_date"] <= done["due_date"]).groupby(done["customer_id"]).mean()
            out["on_time"] = on_time.reindex(out.index)
        if "quality_passed" in window:
            checked = window.dropna(subset=["quality_passed"])
            out["quality_pass"] = checked["quality_passed"].astype(float).groupby(checked["customer_id"]).mean().reindex(out.index)
    if complaints is not None and "severity" in complaints:
        window = complaints[(complaints["received_at"] >= start) & (complaints["received_at"] <= end + pd.Timedelta(days=1))]
        major = (window["severity"] == "major").groupby(window["customer_id"]).sum()
        out["major_complaints"] = major.reindex(out.index).fillna(0)
    out["grade"] = [_grade(row, params) for row in out.itertuples()]
    return out.reset_index()


def _grade(row, params: Parameters) -> str:
    for grade in ("A", "B", "C"):
        rule = params.survey.grades.get(grade)
        if rule is None:
            continue
        ok = row.score >= rule.score
        ok &= np.isnan(row.on_time) or row.on_time >= rule.on_time
        ok &= np.isnan(row.quality_pass) or row.quality_pass >= rule.quality_pass
        ok &= np.isnan(row.major_complaints) or row.major_complaints <= rule.major_complaints
        if ok:
            return grade
    return "D"


# ----------------------------------------------------------------------------- trends and drivers

def trends(surveys: pd.DataFrame, params: Parameters, periods: int = 4) -> pd.DataFrame:
    """Mean score per dimension (and the customer score share, as 'overall') for this and earlier periods."""
    dims = dimensions(surveys, params)
    rows = []
    for offset in range(periods - 1, -1, -1):
        forms = answered(surveys, params, offset, required=offset == 0)
        start, end = survey_period(params, offset)
        label = f"{start:%Y-%m}~{end:%Y-%m}"
        for dim in dims:
            values = forms[dim].dropna()
            rows.append({"period": label, "offset": offset, "dimension": dim, "n": len(values),
                         "mean": values.mean() if len(values) else np.nan})
        shares = customer_scores(forms, params)["share"] if len(forms) else pd.Series(dtype=float)
        rows.append({"period": label, "offset": offset, "dimension": "overall", "n": len(shares),
                     "mean": shares.mean() * params.survey.scale_max if len(shares) else np.nan})
    return pd.DataFrame(rows)


def compare_periods(surveys: pd.DataFrame, params: Parameters, offset: int = 1) -> pd.DataFrame:
    """This period against an earlier one, per dimension: difference, Welch t-test and Cohen's d.

    A change is called real when p < survey.alpha and |d| >= survey.min_effect.
    """
    now = answered(surveys, params, 0)
    before = answered(surveys, params, offset, required=False)
    rows = []
    for dim in [*dimensions(surveys, params), "overall"]:
        if dim == "overall":
            a = customer_scores(now, params)["mean"].dropna().to_numpy(float)
            b = customer_scores(before, params)["mean"].dropna().to_numpy(float) if len(before) else np.array([])
        else:
            a, b = now[dim].dropna().to_numpy(float), before[dim].dropna().to_numpy(float)
        rows.append({"dimension": dim, **welch_test(a, b), "real": False})
    out = pd.DataFrame(rows)
    out["real"] = (out["p"] < params.survey.alpha) & (out["d"].abs() >= params.survey.min_effect)
    return out


def welch_test(now, before) -> dict:
    """Means, difference, Welch's t statistic, two-sided p and Cohen's d (pooled SD) of two samples."""
    now, before = np.asarray(now, float), np.asarray(before, float)
    result = {"n_now": len(now), "n_before": len(before), "mean_now": now.mean() if len(now) else np.nan,
              "mean_before": before.mean() if len(before) else np.nan, "diff": np.nan, "t": np.nan, "p": np.nan,
              "d": np.nan}
    if len(now) < 2 or len(before) < 2:
        return result
    t, p = stats.ttest_ind(now, before, equal_var=False)
    pooled = np.sqrt(((len(now) - 1) * now.var(ddof=1) + (len(before) - 1) * before.var(ddof=1))
                     / (len(now) + len(before) - 2))
    result.update(diff=now.mean() - before.mean(), t=float(t), p=float(p),
                  d=(now.mean() - before.mean()) / pooled if pooled > 0 else 0.0)
    return result


def drivers(forms: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """How much each dimension drives the overall rating: standardised regression weights with
    bootstrap intervals, performance (mean share), and the importance-performance quadrant.

    The outcome is the form's overall question when it has one, else the mean item score.
    A not-applicable item is filled with the respondent's own mean of the other items.
    """
    dims = dimensions(forms, params)
    items = forms[dims].astype(float)
    items = items.apply(lambda col: col.fillna(items.mean(axis=1)))
    has_overall = "overall" in forms.columns and forms["overall"].notna().sum() >= len(dims) + 2
    outcome = forms["overall"].astype(float) if has_overall else items.mean(axis=1)
    keep = items.notna().all(axis=1) & outcome.notna()
    x, y = items[keep].to_numpy(), outcome[keep].to_numpy()
    if len(y) < len(dims) + 3:
        raise DataError(f"surveys: {len(y)} complete answers in the period; the driver analysis needs at least "
                        f"{len(dims) + 3} for {len(dims)} dimensions. Lengthen survey.period_months.")
    weights = _std_weights(x, y)
    rng = np.random.default_rng(params.survey.seed)
    boot = np.array([_std_weights(x[idx], y[idx]) for idx in
                     (rng.integers(0, len(y), len(y)) for _ in range(params.survey.bootstrap))])
    low, high = np.nanpercentile(boot, [2.5, 97.5], axis=0)
    performance = items[keep].mean().to_numpy() / params.survey.scale_max
    out = pd.DataFrame({"dimension": dims, "importance": weights, "importance_low": low, "importance_high": high,
                        "performance": performance, "outcome": "overall" if has_overall else "mean of items"})
    out["rank"] = out["importance"].rank(ascending=False, method="first").astype(int)
    imp_mid, perf_mid = out["importance"].mean(), out["performance"].mean()
    out["quadrant"] = np.select(
        [(out["importance"] >= imp_mid) & (out["performance"] < perf_mid),
         (out["importance"] >= imp_mid) & (out["performance"] >= perf_mid),
         (out["importance"] < imp_mid) & (out["performance"] < perf_mid)],
        ["improve", "keep_up", "low_priority"], default="possible_overkill")
    return out.sort_values("rank").reset_index(drop=True)


def _std_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Standardised least-squares weights (NaN for a column without variance)."""
    sx, sy = x.std(axis=0), y.std()
    ok = sx > 0
    weights = np.full(x.shape[1], np.nan)
    if sy == 0 or not ok.any():
        return weights
    z = (x[:, ok] - x[:, ok].mean(axis=0)) / sx[ok]
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(y)), z]), (y - y.mean()) / sy, rcond=None)
    weights[ok] = coef[1:]
    return weights


# ----------------------------------------------------------------------------- conclusions

def conclusions(status: ResponseStatus, overall: dict, results: pd.DataFrame, comparison: pd.DataFrame,
                importance: pd.DataFrame | None, capa: pd.DataFrame, params: Parameters) -> list[Message]:
    """The conclusions paragraph, written from the numbers (one message per finding)."""
    verdict = lambda ok: Message("sat.c.reached" if ok else "sat.c.missed")  # noqa: E731
    out = [Message.of("sat.c.response", rate=Percent(status.rate), target=Percent(status.target, 0),
                      verdict=verdict(status.met)),
           Message.of("sat.c.score", share=Percent(overall["share"]), target=Percent(overall["target"], 0),
                      verdict=verdict(overall["met"]))]
    ranked = results.dropna(subset=["mean"]).sort_values(["mean", "dimension"])
    if len(ranked):
        low, high = ranked.iloc[0], ranked.iloc[-1]
        out.append(Message.of("sat.c.lowest", dim=Term("dimension", low["dimension"]), mean=Number(low["mean"], 2),
                              best=Term("dimension", high["dimension"]), best_mean=Number(high["mean"], 2)))
    if importance is not None and len(importance):
        top = importance.iloc[0]
        improve = importance.loc[importance["quadrant"] == "improve", "dimension"]
        out.append(Message.of("sat.c.driver", dim=Term("dimension", top["dimension"]), w=Number(top["importance"], 2),
                              improve=Terms("dimension", improve)))
    real = comparison[comparison["real"]]
    if len(real):
        parts = [Message.of("sat.c.change", dim=Term("dimension", r.dimension),
                            direction=Message("sat.c.up" if r.diff > 0 else "sat.c.down"), diff=Number(abs(r.diff), 2),
                            p=Number(r.p, 3), d=Number(r.d, 2)) for r in real.itertuples()]
        out.append(Message.of("sat.c.changes", changes=Listing(parts)))
    else:
        out.append(Message("sat.c.no_changes"))
    out.append(Message.of("sat.c.capa", n=len(capa), customers=capa["customer_id"].nunique() if len(capa) else 0))
    return out


# ----------------------------------------------------------------------------- sentences of the page

def purpose(surveys: pd.DataFrame, params: Parameters) -> Message:
    """Section 1 of the procedure's report: the period, forms sent, dimensions, scale and targets."""
    start, end = survey_period(params)
    return Message.of("sat.purpose", start=start, end=end, sent=len(surveys_in_period(surveys, params)),
                      dims=Terms("dimension", params.survey.dimensions), levels=params.survey.scale_max,
                      rtarget=Percent(params.survey.response_target, 0), starget=Percent(params.survey.score_target, 0))


def response_message(status: ResponseStatus, params: Parameters) -> Message:
    """Section 2: forms answered, the rate against the target, forms to phone."""
    return Message.of("sat.response", answered=status.answered, rate=Percent(status.rate),
                      target=Percent(status.target, 0), verdict=Message("sat.met" if status.met else "sat.not_met"),
                      days=params.survey.followup_days, pending=len(status.pending))


def results_message(overall: dict, scores: pd.DataFrame) -> Message:
    """Section 3: the overall score with its interval against the target; answers below the target."""
    return Message.of("sat.results", share=Percent(overall["share"]), low=Percent(overall["ci_low"]),
                      high=Percent(overall["ci_high"]), target=Percent(overall["target"], 0),
                      verdict=Message("sat.met" if overall["met"] else "sat.not_met"),
                      below=int(scores["below_target"].sum()))


def capa_message(capa: pd.DataFrame, params: Parameters) -> Message:
    """Section 4: CAPA items and customers below the target, by responsible department."""
    below = Number(params.survey.capa_item_below, 0 if float(params.survey.capa_item_below).is_integer() else 1)
    if capa.empty:
        return Message.of("sat.capa_none", below=below)
    departments = capa["department"].replace("", None).fillna("—").value_counts()
    parts = Listing([Message.of("sat.department_count", department=d, n=int(n)) for d, n in departments.items()])
    return Message.of("sat.capa", items=int((capa["capa_reason"] == "item").sum()),
                      customers=int((capa["capa_reason"] == "customer").sum()), below=below, departments=parts)


def grade_counts(grades: pd.DataFrame) -> pd.DataFrame:
    """Customers per combined satisfaction grade, A to D."""
    counts = grades["grade"].value_counts()
    order = [g for g in ("A", "B", "C", "D") if g in counts.index]
    return pd.DataFrame({"grade": order, "customers": [int(counts[g]) for g in order]})


def trend_table(surveys: pd.DataFrame, params: Parameters, periods: int = 4) -> pd.DataFrame:
    """Mean score per survey period (rows) and dimension (columns, with 'overall'), for the trend chart."""
    history = trends(surveys, params, periods).pivot(index="period", columns="dimension", values="mean")
    history = history[[*dimensions(surveys, params), "overall"]]
    history.columns.name = "dimension"
    return history


def dimension_finding(results: pd.DataFrame, params: Parameters) -> Message:
    """Alt text of the dimension chart: the weakest and strongest dimension and the target line."""
    ranked = results.dropna(subset=["mean"]).sort_values(["mean", "dimension"])
    low, high = ranked.iloc[0], ranked.iloc[-1]
    return Message.of("sat.alt.dims", low=Term("dimension", low["dimension"]), low_mean=Number(low["mean"], 2),
                      high=Term("dimension", high["dimension"]), high_mean=Number(high["mean"], 2),
                      target=Number(params.survey.score_target * params.survey.scale_max, 1))


def trend_finding(history: pd.DataFrame) -> Message:
    """Alt text of the trend chart: the latest and previous overall mean."""
    overall = history["overall"]
    return Message.of("sat.alt.trend", last=Number(overall.iloc[-1], 2),
                      previous=Number(overall.iloc[-2] if len(overall) > 1 else np.nan, 2))


def drivers_finding(importance: pd.DataFrame) -> Message:
    """Alt text of the importance-performance chart: the dimensions to improve."""
    return Message.of("sat.alt.ipa", improve=Terms("dimension", importance.loc[importance["quadrant"] == "improve",
                                                                                "dimension"]))


def headlines(status: ResponseStatus, overall: dict, capa: pd.DataFrame, complaints_this_month: int | None) -> list[dict]:
    """The page's headline figures for the site index: response rate, overall score, CAPA items, complaints."""
    items = [{"key": "sat.headline.response", "value": Percent(status.rate), "better": "up",
              "status": "ok" if status.met else "warn"},
             {"key": "sat.headline.score", "value": Percent(overall["share"]), "better": "up",
              "status": "ok" if overall["met"] else "bad"},
             {"key": "sat.headline.capa", "value": Number(len(capa)), "better": "down",
              "status": "ok" if capa.empty else "warn"}]
    if complaints_this_month is not None:
        items.append({"key": "sat.headline.complaints", "value": Number(complaints_this_month), "better": "down"})
    return items
