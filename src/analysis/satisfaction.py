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
    """Response (回收) against the target, by segment, and who to phone.

    The rate counts only forms whose answer window (survey.followup_days after sending) has closed by
    the end of the period: a form sent a week before the month end is not yet due, neither answered
    nor unanswered. Forms still in their window are counted apart (``in_window``).
    """

    sent: int  # forms sent in the survey period
    due: int  # of them, forms whose answer window has closed
    answered: int  # of the due forms, answered by the period end
    rate: float  # answered / due
    target: float
    in_window: int  # forms sent too recently to be due (answered already or not): sent = due + in_window
    by_segment: pd.DataFrame
    pending: pd.DataFrame
    measured: bool = True
    in_window_answered: int = 0  # of the forms in their window, those already answered  # False: the survey file has no answered dates (回收日期), so no rate and no phone list

    @property
    def met(self) -> bool:
        return self.rate >= self.target


# ----------------------------------------------------------------------------- period and items

def survey_months(params: Parameters) -> int:
    """Months of a survey period: ``survey.period_months``, or the whole report period when that is longer (a
    quarter's or a year's report covers every form of its quarter or year)."""
    return max(params.survey.period_months, params.period_months)


def survey_period(params: Parameters, offset: int = 0) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the survey period ending with the report period (``offset`` periods back)."""
    months = survey_months(params)
    end = pd.Period(params.month, "M") - offset * months
    start = end - months + 1
    return start.start_time.normalize(), end.end_time.normalize()


def _in_report_period(dates: pd.Series, params: Parameters) -> pd.Series:
    """Which dates fall in the report period (a month, a quarter or a year; up to ``as_of`` when it had not
    ended), as complaints.complaints_in_period counts them."""
    days = dates.dt.normalize()
    return (days >= pd.Timestamp(params.period_start)) & (days <= pd.Timestamp(params.period_end))


def has_answer_dates(surveys: pd.DataFrame) -> bool:
    """Whether the survey file gives the date each answer came back (回收日期)."""
    return "answered_date" in surveys.columns and not _assumed(surveys)


def with_answer_dates(surveys: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """The forms with an ``answered_date`` column: the file's, or, when the file has none, the sent date of every
    form with at least one score (a form that came back, its answer date unknown) and blank for the others.

    The stand-in dates place each answered form in its survey period; response rates and phone follow-ups
    cannot be told from them (:func:`response_status` says so).
    """
    if "answered_date" in surveys.columns:
        return surveys
    scored = [c for c in (*params.survey.dimensions, "overall") if c in surveys.columns]
    came_back = surveys[scored].notna().any(axis=1) if scored else pd.Series(False, index=surveys.index)
    return surveys.assign(answered_date=surveys["sent_date"].where(came_back), **{_ASSUMED: True})


#: marks a survey frame whose answered dates are stand-ins (see :func:`with_answer_dates`)
_ASSUMED = "answer_date_assumed"


def _assumed(surveys: pd.DataFrame) -> bool:
    return _ASSUMED in surveys.columns


def surveys_in_period(surveys: pd.DataFrame, params: Parameters, offset: int = 0) -> pd.DataFrame:
    """Survey forms sent within the period."""
    start, end = survey_period(params, offset)
    return surveys[(surveys["sent_date"] >= start) & (surveys["sent_date"] <= end)]


def answered(surveys: pd.DataFrame, params: Parameters, offset: int = 0, required: bool = True) -> pd.DataFrame:
    """Forms of the period that came back with at least one scored item.

    Raises DataError when none did (and ``required``): no analysis can be made of an empty period.
    """
    dims = dimensions(surveys, params)
    sent = surveys_in_period(with_answer_dates(surveys, params), params, offset)
    _, end = survey_period(params, offset)
    done = sent[sent["answered_date"].notna() & (sent["answered_date"] <= end) & sent[dims].notna().any(axis=1)]
    if required and done.empty:
        start, end = survey_period(params, offset)
        raise DataError(f"surveys: no survey form sent between {start.date()} and {end.date()} has answers "
                        f"({len(sent)} sent; survey.period_months={params.survey.period_months}). Check the "
                        "answered dates (回收日期) and scores in the survey file, or choose another month.",
                        reason=Message.of("sat.no_answers", start=start, end=end, sent=len(sent),
                                          months=params.survey.period_months))
    return done


def dimensions(surveys: pd.DataFrame, params: Parameters) -> list[str]:
    """The configured dimensions, in report order (the loader guarantees each has a column)."""
    missing = [d for d in params.survey.dimensions if d not in surveys.columns]
    if missing:
        raise DataError(f"surveys: dimension(s) {', '.join(missing)} of survey.dimensions have no column. Map "
                        "their headers in data.sources.surveys.columns or remove them from survey.dimensions.",
                        reason=Message.of("sat.dimension_missing", columns=Listing(missing)))
    return list(params.survey.dimensions)


def item_scores(forms: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """One row per answered item: survey_id, customer_id, dimension, score (not-applicable items left out)."""
    dims = dimensions(forms, params)
    long = forms.melt(id_vars=["survey_id", "customer_id"], value_vars=dims, var_name="dimension", value_name="score")
    return long.dropna(subset=["score"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- response status

def response_status(surveys: pd.DataFrame, customers: pd.DataFrame, params: Parameters) -> ResponseStatus:
    """Forms sent, due and answered in the period; the rate over due forms against the target, by segment;
    the phone list.

    A form is due once ``survey.followup_days`` have passed since it was sent (counted to the end of
    the period); the phone follow-up list holds the due forms without an answer. Without answered dates in the
    survey file nothing can be due or late: the status says it was not measured (``measured`` False).
    """
    if not has_answer_dates(surveys):
        sent = surveys_in_period(surveys, params)
        came_back = len(answered(surveys, params, required=False))
        return ResponseStatus(len(sent), 0, came_back, np.nan, params.survey.response_target, 0,
                              pd.DataFrame(columns=["breakdown", "value", "due", "answered", "rate", "suppressed"]),
                              pd.DataFrame(columns=["survey_id", "customer_id", "sent_date", "days_waiting"]),
                              measured=False)
    sent = surveys_in_period(surveys, params)
    done_ids = set(answered(surveys, params, required=False)["survey_id"])
    _, end = survey_period(params)
    flags = sent.assign(answered=sent["survey_id"].isin(done_ids),
                        due=sent["sent_date"] + pd.Timedelta(days=params.survey.followup_days) <= end)
    due = flags[flags["due"]]
    rate = float(due["answered"].mean()) if len(due) else np.nan
    segments = [s for s in params.survey.segments if s in customers.columns]
    frame = due.merge(customers[["customer_id", *segments]], on="customer_id", how="left")
    rows = []
    for segment in segments:
        grouped = frame.groupby(frame[segment].fillna("—"), sort=True)["answered"].agg(["size", "sum"])
        for value, (n, k) in grouped.iterrows():
            rows.append({"breakdown": segment, "value": value, "due": int(n), "answered": int(k),
                         "rate": k / n if n >= params.survey.min_answers else np.nan,
                         "suppressed": bool(n < params.survey.min_answers)})
    by_segment = pd.DataFrame(rows, columns=["breakdown", "value", "due", "answered", "rate", "suppressed"])
    waiting = flags[~flags["answered"] & flags["due"]].assign(days_waiting=lambda f: (end - f["sent_date"]).dt.days)
    extra = [c for c in ("sales_rep", "region", "branch") if c in customers.columns and c not in waiting.columns]
    if extra:
        waiting = waiting.merge(customers[["customer_id", *extra]], on="customer_id", how="left")
    pending = (waiting.sort_values(["days_waiting", "survey_id"], ascending=[False, True])
               [["survey_id", "customer_id", "sent_date", "days_waiting",
                 *[c for c in ("sales_rep", "branch", "region") if c in waiting.columns]]]
               .reset_index(drop=True))
    in_window = int((~flags["due"]).sum())
    return ResponseStatus(len(flags), len(due), int(due["answered"].sum()), rate, params.survey.response_target,
                          in_window, by_segment, pending,
                          in_window_answered=int((~flags["due"] & flags["answered"]).sum()))


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
    """Each answered form: items answered, mean item score, its score share by both bases and the one in use.

    ``items_share`` is the mean item score over the scale's maximum; ``question_share`` the form's own
    overall question (总体评价) over the maximum, where the form has one. ``share`` is the basis named
    by ``survey.overall`` and decides ``below_target``.
    """
    dims = dimensions(forms, params)
    values = forms[dims]
    out = forms[["survey_id", "customer_id", "answered_date"]].copy()
    out["items"] = values.notna().sum(axis=1)
    out["mean"] = values.mean(axis=1)
    out["items_share"] = out["mean"] / params.survey.scale_max
    has_question = "overall" in forms.columns
    out["question_share"] = (forms["overall"].astype(float).to_numpy() / params.survey.scale_max
                             if has_question else np.nan)
    if params.survey.overall == "question":
        if not has_question or out["question_share"].notna().sum() == 0:
            raise DataError("surveys: survey.overall is question, but the forms have no answered overall question "
                            "(总体评价). Map that column in data.sources.surveys.columns, or set survey.overall: items.",
                            reason=Message("sat.no_question"))
        out["share"] = out["question_share"]
    else:
        out["share"] = out["items_share"]
    out["below_target"] = out["share"] < params.survey.score_target
    return out.reset_index(drop=True)


def overall_score(scores: pd.DataFrame, params: Parameters) -> dict:
    """The period's overall score: mean of the forms' shares (basis survey.overall), with a 95 % interval,
    against the target; ``other`` is the same mean by the other basis when the forms give both."""
    shares = scores["share"].dropna().to_numpy(float)
    low, high = mean_ci(shares)
    value = float(shares.mean()) if len(shares) else np.nan
    other_column = "question_share" if params.survey.overall == "items" else "items_share"
    other = scores[other_column].dropna() if other_column in scores else pd.Series(dtype=float)
    return {"share": value, "ci_low": low, "ci_high": high, "n": len(shares), "target": params.survey.score_target,
            "met": bool(value >= params.survey.score_target), "basis": params.survey.overall,
            "other": float(other.mean()) if len(other) else np.nan,
            "other_basis": "question" if params.survey.overall == "items" else "items"}


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


def capa_register(surveys: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """The CAPA items raised in the last ``survey.capa_lookback_months`` up to the end of the period, followed
    through the months.

    An item opens when a customer scores a dimension below ``survey.capa_item_below`` (dimension
    ``overall``: a form whose score share is below ``survey.score_target``); further low answers of the
    same customer on that dimension continue it; it closes with the customer's first later answer of
    that dimension at or above the limit. Derived from the data alone, so a re-run gives the same
    register. Columns: capa_id (stable: customer, dimension and the opening form), customer_id,
    dimension, capa_reason, item_score and comment of the opening form, department, first_listed
    (the month it opened), opened, closed (date or NaT), status at the period end (new: opened in the
    report period; carried: opened before and still open; closed: closed in the report period; done: closed
    before),
    days_open, overdue (open longer than ``survey.capa_due_days``), low_answers.
    """
    _, end = survey_period(params)
    dims = dimensions(surveys, params)
    surveys = with_answer_dates(surveys, params)
    done = surveys[surveys["answered_date"].notna() & (surveys["answered_date"] <= end) & surveys[dims].notna().any(axis=1)]
    columns = ["capa_id", "customer_id", "dimension", "capa_reason", "item_score", "share", "comment", "department",
               "first_listed", "opened", "closed", "follow_status", "days_open", "overdue", "low_answers"]
    if done.empty:
        return pd.DataFrame(columns=columns)
    scores = customer_scores(done, params)
    long = done.melt(id_vars=["survey_id", "customer_id", "answered_date"], value_vars=dims, var_name="dimension",
                     value_name="item_score").dropna(subset=["item_score"])
    long["low"] = long["item_score"] < params.survey.capa_item_below
    long["share"] = np.nan
    overall = scores[["survey_id", "customer_id", "answered_date", "share"]].dropna(subset=["share"]).assign(
        dimension="overall", item_score=lambda f: f["share"] * params.survey.scale_max)
    overall["low"] = overall["share"] < params.survey.score_target
    events = pd.concat([long, overall], ignore_index=True).sort_values(
        ["customer_id", "dimension", "answered_date", "survey_id"], kind="stable").reset_index(drop=True)
    group = events.groupby(["customer_id", "dimension"], sort=False)
    previous_low = group["low"].shift(fill_value=False).astype(bool)
    events["episode"] = (events["low"] & ~previous_low).astype(int).groupby([events["customer_id"], events["dimension"]]).cumsum()
    starts = events[events["low"] & ~previous_low]
    closes = events[~events["low"] & previous_low][["customer_id", "dimension", "episode", "answered_date"]]
    lows = events[events["low"]].groupby(["customer_id", "dimension", "episode"]).size().rename("low_answers")
    out = starts.merge(closes.rename(columns={"answered_date": "closed"}), on=["customer_id", "dimension", "episode"],
                       how="left").merge(lows.reset_index(), on=["customer_id", "dimension", "episode"], how="left")
    comments = done.set_index("survey_id")["comment"] if "comment" in done else pd.Series(dtype=object)
    out["comment"] = out["survey_id"].map(comments)
    out["capa_reason"] = np.where(out["dimension"] == "overall", "customer", "item")
    weakest = done.set_index("survey_id")[dims].astype(float).idxmin(axis=1, skipna=True)
    department_of = out["dimension"].where(out["dimension"] != "overall", out["survey_id"].map(weakest))
    out["department"] = department_of.map(lambda d: params.survey.departments.get(d, "") if isinstance(d, str) else "")
    out["opened"] = out["answered_date"]
    out["first_listed"] = out["opened"].dt.to_period("M").astype(str)
    out["follow_status"] = np.select([_in_report_period(out["closed"], params), out["closed"].notna(),
                                      _in_report_period(out["opened"], params)], ["closed", "done", "new"], "carried")
    out["days_open"] = ((out["closed"].fillna(end) - out["opened"]).dt.days).astype(int)
    out["overdue"] = out["closed"].isna() & (out["days_open"] > params.survey.capa_due_days)
    out["capa_id"] = out["customer_id"].astype(str) + "-" + out["dimension"] + "-" + out["survey_id"].astype(str)
    out["share"] = np.where(out["dimension"] == "overall", out["item_score"] / params.survey.scale_max, np.nan)
    # items opened in the lookback months before the report period's first month, and in the period itself
    lookback = (pd.Period(params.period_start, "M") - params.survey.capa_lookback_months + 1).start_time
    out = out[out["opened"] >= lookback]
    order = {"new": 0, "carried": 1, "closed": 2, "done": 3}
    out = out.assign(_o=out["follow_status"].map(order)).sort_values(["_o", "overdue", "days_open", "capa_id"],
                                                             ascending=[True, False, False, True], kind="stable")
    return out[columns].reset_index(drop=True)


def capa_worklist(register: pd.DataFrame) -> pd.DataFrame:
    """The CAPA items to act on: open ones (new, carried over) and those closed this month."""
    return register[register["follow_status"].isin(["new", "carried", "closed"])].reset_index(drop=True)


def capa_overview(worklist: pd.DataFrame) -> pd.DataFrame:
    """The worklist as the page shows it: who, what, how bad, said what, which department, since when, its state
    (the Excel list keeps every column)."""
    columns = ["customer_id", "dimension", "capa_reason", "item_score", "comment", "department", "first_listed",
               "days_open", "overdue", "follow_status"]
    return worklist[[c for c in columns if c in worklist]]


def phone_register(surveys: pd.DataFrame, customers: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Phone follow-ups of the survey period followed through the months: every form of the period that
    passed ``survey.followup_days`` without an answer.

    first_listed is the month its deadline passed; status at the period end: new (listed this month),
    carried (listed before, still unanswered), closed (answered this month after being listed), done
    (answered in an earlier month); days_open counts from the deadline to the answer or the period end.
    Empty when the survey file has no answered dates (no form can be told late).
    """
    start, end = survey_period(params)
    if not has_answer_dates(surveys):
        surveys = surveys.iloc[:0].assign(answered_date=pd.Series(dtype="datetime64[ns]"))
    sent = surveys_in_period(surveys, params)
    deadline = sent["sent_date"] + pd.Timedelta(days=params.survey.followup_days)
    answered_at = sent["answered_date"].where(sent["answered_date"] <= end)
    listed = (deadline <= end) & (answered_at.isna() | (answered_at > deadline))
    out = sent.loc[listed, ["survey_id", "customer_id", "sent_date"]].copy()
    out["deadline"] = deadline[listed]
    out["answered_date"] = answered_at[listed]
    out["first_listed"] = out["deadline"].dt.to_period("M").astype(str)
    out["follow_status"] = np.select([_in_report_period(out["answered_date"], params), out["answered_date"].notna(),
                                      _in_report_period(out["deadline"], params)], ["closed", "done", "new"], "carried")
    out["days_open"] = (out["answered_date"].fillna(end) - out["deadline"]).dt.days.astype(int)
    extra = [c for c in ("sales_rep", "branch", "region") if c in customers.columns]
    out = out.merge(customers[["customer_id", *extra]], on="customer_id", how="left")
    order = {"new": 0, "carried": 1, "closed": 2, "done": 3}
    out = out.assign(_o=out["follow_status"].map(order)).sort_values(["_o", "days_open", "survey_id"],
                                                             ascending=[True, False, True], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def satisfaction_grades(scores: pd.DataFrame, params: Parameters, orders: pd.DataFrame | None = None,
                        complaints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Combined satisfaction grade A/B/C/D per customer: survey score plus process KPIs where data exists.

    KPIs over the survey period: on-time delivery rate (delivered on or before the due date),
    quality pass rate, and major complaints. A grade is given when every minimum of
    ``survey.grades`` is met; a KPI without data is not checked.
    """
    start, end = survey_period(params)
    latest = scores.sort_values("answered_date").groupby("customer_id", sort=True).tail(1)
    out = latest[["customer_id", "share"]].set_index("customer_id")  # the score as a share of the scale
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
        ok = row.share >= rule.score
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
                        f"{len(dims) + 3} for {len(dims)} dimensions. Lengthen survey.period_months.",
                        reason=Message.of("sat.drivers_too_few", n=len(y), needed=len(dims) + 3, dims=len(dims)))
    weights = _std_weights(x, y)
    rng = np.random.default_rng(params.survey.seed)
    # a bootstrap sample is the rows drawn with their counts: weighting the moments by the counts gives the
    # same fit as the drawn rows, in one matrix product per sample instead of a copy and a least-squares solve
    xy = np.column_stack([np.ones(len(y)), x, y])
    boot = np.array([_std_weights(x, y, xy=xy, counts=np.bincount(idx, minlength=len(y))) for idx in
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


def _std_weights(x: np.ndarray, y: np.ndarray, xy: np.ndarray | None = None,
                 counts: np.ndarray | None = None) -> np.ndarray:
    """Standardised least-squares weights (NaN for a column without variance).

    With ``counts`` (how often each row is drawn, a bootstrap sample) the weights of the drawn rows, from the
    count-weighted moments of ``xy`` (the columns 1, x, y): the normal equations of the standardised
    regression are the correlation matrix, so the fit costs one product with the rows, not a copy of them.
    """
    if counts is None:
        counts = np.ones(len(y))
        xy = np.column_stack([np.ones(len(y)), x, y])
    moments = xy.T @ (xy * counts[:, None])  # sums of 1, x, y and of their products over the drawn rows
    n = moments[0, 0]
    mean = moments[0] / n
    cov = moments[1:, 1:] / n - np.outer(mean[1:], mean[1:])
    var = np.diag(cov).copy()
    sx, sy = np.sqrt(np.clip(var[:-1], 0, None)), np.sqrt(max(var[-1], 0))
    scale = np.abs(mean[1:-1]) + sx  # a column drawn with one value has a variance of rounding errors only
    ok = sx > 1e-12 * np.maximum(scale, 1)
    weights = np.full(x.shape[1], np.nan)
    if sy <= 1e-12 * max(abs(mean[-1]) + sy, 1) or not ok.any():
        return weights
    corr_xx = cov[:-1, :-1][np.ix_(ok, ok)] / np.outer(sx[ok], sx[ok])
    corr_xy = cov[:-1, -1][ok] / (sx[ok] * sy)
    weights[ok] = np.linalg.lstsq(corr_xx, corr_xy, rcond=None)[0]  # the least-norm solution, as before
    return weights
    z = (x[:, ok] - x[:, ok].mean(axis=0)) / sx[ok]
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(y)), z]), (y - y.mean()) / sy, rcond=None)
    weights[ok] = coef[1:]
    return weights


# ----------------------------------------------------------------------------- conclusions

def conclusions(status: ResponseStatus, overall: dict, results: pd.DataFrame, comparison: pd.DataFrame,
                importance: pd.DataFrame | None, register: pd.DataFrame, params: Parameters,
                segments: pd.DataFrame | None = None, grades: pd.DataFrame | None = None,
                themes: pd.DataFrame | None = None, compliance: dict | None = None) -> list[Message]:
    """The conclusions for the management review, written from the numbers (one message per finding).

    First what needs action this month (new and overdue CAPA items), then the targets (and why one is
    missed), the segments and items below the score target, strengths and weaknesses, drivers, real
    changes, what dissatisfied customers write, complaint deadlines and the combined grade D share.
    """
    verdict = lambda ok: Message("sat.c.reached" if ok else "sat.c.missed")  # noqa: E731
    target = params.survey.score_target
    out = []
    open_items = register[register["follow_status"].isin(["new", "carried"])]
    out.append(Message.of("sat.c.capa", new=int((register["follow_status"] == "new").sum()),
                          overdue=int(open_items["overdue"].sum()), due_days=params.survey.capa_due_days,
                          open=len(open_items), customers=open_items["customer_id"].nunique(),
                          closed=int((register["follow_status"] == "closed").sum())))
    if status.measured:
        why = Message.of("sat.c.in_window", n=status.in_window) if status.in_window else ""
        out.append(Message.of("sat.c.response", rate=Percent(status.rate), target=Percent(status.target, 0),
                              verdict=verdict(status.met), why=why))
    else:
        out.append(Message.of("sat.c.response_unmeasured", columns=Terms("column", ["answered_date"])))
    out.append(Message.of("sat.c.score", share=Percent(overall["share"]), target=Percent(overall["target"], 0),
                          verdict=verdict(overall["met"]), basis=Term("score_basis", overall["basis"])))
    if segments is not None and len(segments):
        low = segments[~segments["suppressed"].astype(bool) & (segments["share"] < target)]
        if len(low):
            parts = [Message.of("sat.c.segment", breakdown=Term("column", r.breakdown), value=str(r.value),
                                share=Percent(r.share)) for r in low.itertuples()]
            out.append(Message.of("sat.c.segments_below", segments=Listing(parts), target=Percent(target, 0)))
    below_items = results[results["share_of_max"] < target].sort_values(["share_of_max", "dimension"])
    if len(below_items):
        out.append(Message.of("sat.c.items_below", dims=Terms("dimension", below_items["dimension"]),
                              target=Percent(target, 0)))
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
    if themes is not None and len(themes):
        parts = [Message.of("sat.c.theme", phrase=str(r.phrase), n=int(r.forms)) for r in themes.head(3).itertuples()]
        out.append(Message.of("sat.c.themes", themes=Listing(parts)))
    if compliance:
        out.append(Message.of("sat.c.compliance", reply=Percent(compliance["reply_ok"]),
                              follow=Percent(compliance["followup_ok"]), reply_hours=Number(params.complaints.reply_hours),
                              follow_hours=Number(params.complaints.followup_hours), months=params.complaints.months_shown))
    if grades is not None and len(grades):
        out.append(Message.of("sat.c.grade_d", share=Percent((grades["grade"] == "D").mean()),
                              n=int((grades["grade"] == "D").sum())))
    return out


# ----------------------------------------------------------------------------- sentences of the page

def purpose(surveys: pd.DataFrame, params: Parameters) -> Message:
    """Section 1 of the procedure's report: the period, forms sent, dimensions, scale and targets."""
    start, end = survey_period(params)
    return Message.of("sat.purpose", start=start, end=end, sent=len(surveys_in_period(surveys, params)),
                      dims=Terms("dimension", params.survey.dimensions), levels=params.survey.scale_max,
                      rtarget=Percent(params.survey.response_target, 0), starget=Percent(params.survey.score_target, 0))


def response_message(status: ResponseStatus, params: Parameters) -> Message:
    """Section 2: forms due and answered, the rate against the target, forms still in their window, forms to phone
    (without answered dates: that the rate cannot be measured, and how many forms came back with scores)."""
    if not status.measured:
        return Message.of("sat.response_unmeasured", sent=status.sent, answered=status.answered,
                          columns=Terms("column", ["answered_date"]))
    return Message.of("sat.response", due=status.due, answered=status.answered, rate=Percent(status.rate),
                      target=Percent(status.target, 0), verdict=Message("sat.met" if status.met else "sat.not_met"),
                      days=params.survey.followup_days, in_window=status.in_window,
                      early=status.in_window_answered, pending=len(status.pending))


def results_message(overall: dict, scores: pd.DataFrame) -> Message:
    """Section 3: the overall score with its interval against the target and the basis it is computed on (with
    the other basis beside it); forms and customers below the target."""
    below = scores[scores["below_target"]]
    other = (Message.of("sat.other_basis", basis=Term("score_basis", overall["other_basis"]),
                        other=Percent(overall["other"])) if not pd.isna(overall.get("other", np.nan)) else "")
    return Message.of("sat.results", share=Percent(overall["share"]), basis=Term("score_basis", overall["basis"]),
                      other=other, low=Percent(overall["ci_low"]), high=Percent(overall["ci_high"]),
                      target=Percent(overall["target"], 0), verdict=Message("sat.met" if overall["met"] else "sat.not_met"),
                      below=len(below), customers=below["customer_id"].nunique())


def capa_message(register: pd.DataFrame, params: Parameters) -> Message:
    """Section 4: CAPA items new this month, carried over (and overdue), closed this month; customers and
    responsible departments of the open ones."""
    below = Number(params.survey.capa_item_below, 0 if float(params.survey.capa_item_below).is_integer() else 1)
    open_items = register[register["follow_status"].isin(["new", "carried"])]
    counts = register["follow_status"].value_counts()
    if open_items.empty and not counts.get("closed", 0):
        return Message.of("sat.capa_none", below=below)
    departments = open_items["department"].replace("", None).fillna("—").value_counts()
    parts = Listing([Message.of("sat.department_count", department=d, n=int(n)) for d, n in departments.items()])
    return Message.of("sat.capa", new=int(counts.get("new", 0)), carried=int(counts.get("carried", 0)),
                      overdue=int(open_items["overdue"].sum()), due_days=params.survey.capa_due_days,
                      closed=int(counts.get("closed", 0)), customers=open_items["customer_id"].nunique(), below=below,
                      departments=parts)


def phone_message(register: pd.DataFrame) -> Message:
    """The phone follow-ups: new this month, carried over, answered this month after a call was due."""
    counts = register["follow_status"].value_counts()
    return Message.of("sat.phone", new=int(counts.get("new", 0)), carried=int(counts.get("carried", 0)),
                      closed=int(counts.get("closed", 0)))


def phone_worklist(register: pd.DataFrame) -> pd.DataFrame:
    """The forms to phone about: still unanswered (new, carried over)."""
    return (register[register["follow_status"].isin(["new", "carried"])].drop(columns=["answered_date"])
            .reset_index(drop=True))


def comment_themes(forms: pd.DataFrame, scores: pd.DataFrame, params: Parameters, top: int = 8) -> pd.DataFrame:
    """The recurring phrases of the comments of dissatisfied forms (score below target or an item below the
    CAPA limit), with how many forms say each; most frequent first, ties by the phrase."""
    if "comment" not in forms:
        return pd.DataFrame(columns=["phrase", "forms"])
    dims = dimensions(forms, params)
    unhappy_ids = set(scores.loc[scores["below_target"], "survey_id"]) | set(
        forms.loc[(forms[dims] < params.survey.capa_item_below).any(axis=1), "survey_id"])
    comments = forms.loc[forms["survey_id"].isin(unhappy_ids), ["survey_id", "comment"]].dropna()
    phrases = (comments.assign(phrase=comments["comment"].astype(str).str.split(r"[，,。.;；、!！?？\n]+"))
               .explode("phrase"))
    phrases["phrase"] = phrases["phrase"].str.strip()
    phrases = phrases[phrases["phrase"].str.len() >= 2].drop_duplicates(["survey_id", "phrase"])
    counts = phrases.groupby("phrase")["survey_id"].nunique().rename("forms").reset_index()
    return counts.sort_values(["forms", "phrase"], ascending=[False, True], kind="stable").head(top).reset_index(drop=True)


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


def headlines(status: ResponseStatus, overall: dict, register: pd.DataFrame, complaints_this_month: int | None) -> list[dict]:
    """The page's headline figures for the site index: response rate (due forms), overall score, open CAPA items,
    complaints this month."""
    open_items = int(register["follow_status"].isin(["new", "carried"]).sum())
    items = [{"key": "sat.headline.response", "value": Percent(status.rate), "better": "up",
              "status": "ok" if status.met else "warn"}] if status.measured else []
    items += [{"key": "sat.headline.score", "value": Percent(overall["share"]), "better": "up",
              "status": "ok" if overall["met"] else "bad"},
             {"key": "sat.headline.capa", "value": Number(open_items), "better": "down",
              "status": "ok" if open_items == 0 else "warn"}]
    if complaints_this_month is not None:
        items.append({"key": "sat.headline.complaints", "value": Number(complaints_this_month), "better": "down"})
    return items
