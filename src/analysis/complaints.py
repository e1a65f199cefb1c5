"""Complaints: counts by category and month, Pareto, 24 h reply and 72 h follow-up compliance, repeat complainers."""

from __future__ import annotations

import pandas as pd

from .config import Parameters
from .data.schema import COMPLAINT_CATEGORIES
from .message import Message, Number, Percent, Term

CATEGORY_ORDER = COMPLAINT_CATEGORIES


def month_window(params: Parameters, months: int) -> pd.PeriodIndex:
    end = pd.Period(params.month, "M")
    return pd.period_range(end - months + 1, end, freq="M")


def complaints_by_month(complaints: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Complaints per month (rows) and category (columns) over ``complaints.months_shown`` months."""
    window = month_window(params, params.complaints.months_shown)
    month = complaints["received_at"].dt.to_period("M")
    inside = complaints[month.isin(window)]
    table = pd.crosstab(inside["received_at"].dt.to_period("M"), inside["category"])
    table = table.reindex(index=window, fill_value=0)
    columns = [c for c in CATEGORY_ORDER if c in table.columns] + sorted(set(table.columns) - set(CATEGORY_ORDER))
    table = table.reindex(columns=columns, fill_value=0)
    table.index = table.index.astype(str)
    table.index.name = "month"
    return table


def pareto(complaints: pd.DataFrame, params: Parameters, months: int | None = None) -> pd.DataFrame:
    """Categories by count, largest first, with share and cumulative share (ties by category name)."""
    window = month_window(params, months or params.complaints.months_shown)
    inside = complaints[complaints["received_at"].dt.to_period("M").isin(window)]
    counts = inside["category"].value_counts()
    out = pd.DataFrame({"category": counts.index, "count": counts.to_numpy()})
    out = out.sort_values(["count", "category"], ascending=[False, True], kind="stable").reset_index(drop=True)
    total = out["count"].sum()
    out["share"] = out["count"] / total if total else 0.0
    out["cumulative"] = out["share"].cumsum()
    return out


def response_compliance(complaints: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Per month: complaints received, and the share replied within ``reply_hours`` and followed up within
    ``followup_hours`` among the complaints whose deadline has passed by the end of the report month.

    A complaint whose deadline is still ahead is in neither the numerator nor the denominator, even if it
    was already answered: the share is the same whether the month's last days were quick or slow.
    """
    window = month_window(params, params.complaints.months_shown)
    cutoff = pd.Period(params.month, "M").end_time
    frame = complaints[complaints["received_at"].dt.to_period("M").isin(window)].copy()
    frame["month"] = frame["received_at"].dt.to_period("M").astype(str)
    for name, column, hours in (("reply", "replied_at", params.complaints.reply_hours),
                                ("followup", "followed_up_at", params.complaints.followup_hours)):
        deadline = frame["received_at"] + pd.to_timedelta(hours, unit="h")
        done = frame[column] if column in frame else pd.Series(pd.NaT, index=frame.index)
        on_time = done.notna() & (done <= deadline)
        frame[f"{name}_ok"] = on_time.astype(float).where(deadline <= cutoff)
        frame[f"{name}_due"] = (deadline <= cutoff).astype(int)
    grouped = frame.groupby("month").agg(complaints=("complaint_id", "size"), reply_due=("reply_due", "sum"),
                                         reply_ok=("reply_ok", "mean"), followup_due=("followup_due", "sum"),
                                         followup_ok=("followup_ok", "mean"))
    grouped = grouped.reindex(window.astype(str))
    for column in ("complaints", "reply_due", "followup_due"):
        grouped[column] = grouped[column].fillna(0).astype(int)
    grouped.index.name = "month"
    return grouped


def repeat_complainers(complaints: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Customers with at least ``repeat_min`` complaints within ``repeat_window_days`` before the month end."""
    end = pd.Period(params.month, "M").end_time
    start = end - pd.Timedelta(days=params.complaints.repeat_window_days)
    inside = complaints[(complaints["received_at"] > start) & (complaints["received_at"] <= end)]
    grouped = inside.groupby("customer_id").agg(
        complaints=("complaint_id", "size"), last=("received_at", "max"),
        categories=("category", lambda c: sorted(set(c))),
        **({"major": ("severity", lambda s: int((s == "major").sum()))} if "severity" in inside else {}))
    out = grouped[grouped["complaints"] >= params.complaints.repeat_min].reset_index()
    return out.sort_values(["complaints", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def complaints_in_period(complaints: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """The complaints received in the report period (a month, a quarter or a year)."""
    received = complaints["received_at"].dt.normalize()
    return complaints[(received >= pd.Timestamp(params.period_start)) & (received <= pd.Timestamp(params.period_end))]


def overall_compliance(complaints: pd.DataFrame, params: Parameters, months: int | None = None) -> dict:
    """Reply and follow-up compliance over the last ``months`` months (default complaints.months_shown):
    complaints on time over complaints whose deadline has passed."""
    table = response_compliance(complaints, params).tail(months or params.complaints.months_shown)
    out = {}
    for name in ("reply", "followup"):
        due = table[f"{name}_due"]
        ok = (table[f"{name}_ok"].fillna(0) * due).sum()
        out[f"{name}_ok"] = float(ok / due.sum()) if due.sum() else float("nan")
        out[f"{name}_due"] = int(due.sum())
    return out


def summary_message(complaints: pd.DataFrame, params: Parameters) -> Message:
    """The complaint section's opening: the report period's count and compliance, the same over the months
    shown, repeat complainers."""
    month = overall_compliance(complaints, params, months=params.period_months)
    year = overall_compliance(complaints, params)
    return Message.of("sat.complaints", n=len(complaints_in_period(complaints, params)),
                      reply_month=Percent(month["reply_ok"]), follow_month=Percent(month["followup_ok"]),
                      months=params.complaints.months_shown, reply=Percent(year["reply_ok"]),
                      follow=Percent(year["followup_ok"]), reply_hours=Number(params.complaints.reply_hours),
                      follow_hours=Number(params.complaints.followup_hours),
                      repeat=len(repeat_complainers(complaints, params)),
                      window=params.complaints.repeat_window_days, min=params.complaints.repeat_min)


def month_list(complaints: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """The report period's complaints: number, customer, when, category, severity, department, what was said,
    and whether the reply and the follow-up came in time (blank while the deadline is ahead)."""
    frame = complaints_in_period(complaints, params).copy()
    cutoff = pd.Period(params.month, "M").end_time
    for name, column, hours in (("replied_in_time", "replied_at", params.complaints.reply_hours),
                                ("followed_up_in_time", "followed_up_at", params.complaints.followup_hours)):
        deadline = frame["received_at"] + pd.to_timedelta(hours, unit="h")
        done = frame[column] if column in frame else pd.Series(pd.NaT, index=frame.index)
        frame[name] = (done.notna() & (done <= deadline)).where(deadline <= cutoff).astype("boolean")
    columns = ["complaint_id", "customer_id", "received_at", "category", "severity", "department", "description",
               "replied_in_time", "followed_up_in_time"]
    return frame[[c for c in columns if c in frame]].sort_values(["received_at", "complaint_id"]).reset_index(drop=True)


def pareto_finding(table: pd.DataFrame) -> Message:
    """Alt text of the Pareto chart: the largest category, its count and share."""
    top = table.iloc[0]
    return Message.of("sat.alt.pareto", top=Term("complaint_category", top["category"]), count=int(top["count"]),
                      share=Percent(top["share"]))


def monthly_finding(by_month: pd.DataFrame, params: Parameters) -> Message:
    """Alt text of the monthly chart: the total and the busiest month."""
    totals = by_month.sum(axis=1)
    peak = totals.idxmax() if len(totals) else "—"
    return Message.of("sat.alt.complaints", months=params.complaints.months_shown, total=int(totals.sum()),
                      peak=str(peak), peak_count=int(totals.max()) if len(totals) else 0)


# ----------------------------------------------------------------------------- deadlines in working days

#: captions of the deadline tables (page.table(..., caption=DEADLINES_BY_DEPARTMENT))
DEADLINES_BY_DEPARTMENT = "sat.deadlines_by_department"
DEADLINES_BY_MONTH = "sat.deadlines_by_month"

def window(params: Parameters, months: int | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first day, last day) of the ``months`` months ending with the report month (default
    ``complaints.months_shown``): the period the complaint section covers."""
    months = month_window(params, months or params.complaints.months_shown)
    return months[0].start_time.normalize(), months[-1].end_time.normalize()


def process_deadlines(complaints: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Each complaint with the four deadlines of the procedure and whether each was met.

    - reply within ``complaints.reply_hours`` and follow-up within ``followup_hours`` of the receipt (hours);
    - the responsible department named (责任部门确定时间) within ``department_workdays`` working days;
    - the visit record filed (回访记录日期) within ``visit_record_workdays`` working days of the follow-up
      visit (回访, the follow-up time): the procedure files the record after the visit.

    Working days follow the official Chinese calendar (:mod:`analysis.workdays`): a task due within n
    working days is on time when done on or before the n-th working day after the day it started.
    ``<name>_ok`` is True or False once the deadline has passed by the end of the report month, and blank
    while it is ahead or when the task's start is unknown (a record without a follow-up visit); a column the
    log lacks leaves its deadline blank throughout.
    """
    from .workdays import WorkCalendar

    frame = complaints.copy()
    cutoff = pd.Timestamp(params.period_end) + pd.Timedelta(days=1)  # the end of the period's last day
    last_day = pd.Timestamp(params.period_end)
    for name, column, hours in (("reply", "replied_at", params.complaints.reply_hours),
                                ("followup", "followed_up_at", params.complaints.followup_hours)):
        deadline = frame["received_at"] + pd.to_timedelta(hours, unit="h")
        done = frame[column] if column in frame else pd.Series(pd.NaT, index=frame.index)
        frame[f"{name}_ok"] = (done.notna() & (done <= deadline)).where(deadline <= cutoff).astype("boolean")
    calendar = WorkCalendar.of(params)
    blank = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    followed = frame["followed_up_at"] if "followed_up_at" in frame else blank
    for name, column, start, days in (
            ("department", "department_assigned_at", frame["received_at"], params.complaints.department_workdays),
            ("record", "visit_recorded_date", followed, params.complaints.visit_record_workdays)):
        deadline = calendar.add_workdays(start, days)
        frame[f"{name}_deadline"] = deadline
        if column not in frame:
            frame[f"{name}_ok"] = pd.Series(pd.NA, index=frame.index, dtype="boolean")
            continue
        done = frame[column].dt.normalize()
        frame[f"{name}_ok"] = (done.notna() & (done <= deadline)).where(
            deadline.notna() & (deadline <= last_day)).astype("boolean")
    return frame


def _in_window(complaints: pd.DataFrame, start, end) -> pd.DataFrame:
    day = complaints["received_at"].dt.normalize()
    return complaints[(day >= pd.Timestamp(start).normalize()) & (day <= pd.Timestamp(end).normalize())]


def deadline_compliance(complaints: pd.DataFrame, start, end, params: Parameters,
                        by: tuple[str, ...] = ("month", "department")) -> pd.DataFrame:
    """Compliance with the four deadlines of the complaints received from ``start`` to ``end``, per ``by``
    (month and department by default; ``("department",)`` for the whole period): complaints, and per
    deadline the share met among the complaints whose deadline has passed (the due counts of the two
    working-day deadlines beside them). Complaints without a department count under —."""
    frame = process_deadlines(_in_window(complaints, start, end), params)
    frame["month"] = frame["received_at"].dt.to_period("M").astype(str)
    frame["department"] = (frame["department"] if "department" in frame else pd.Series(None, index=frame.index)
                           ).fillna("—")
    for name in ("reply", "followup", "department", "record"):
        frame[f"{name}_due"] = frame[f"{name}_ok"].notna().astype(int)
        frame[f"{name}_ok"] = frame[f"{name}_ok"].astype("Float64")
    grouped = frame.groupby(list(by)).agg(
        complaints=("complaint_id", "size"), reply_ok=("reply_ok", "mean"), followup_ok=("followup_ok", "mean"),
        department_due=("department_due", "sum"), department_ok=("department_ok", "mean"),
        record_due=("record_due", "sum"), record_ok=("record_ok", "mean")).reset_index()
    for column in ("reply_ok", "followup_ok", "department_ok", "record_ok"):
        grouped[column] = grouped[column].astype(float)
    if tuple(by) == ("department",):
        return grouped.sort_values(["department_ok", "department"], na_position="last", kind="stable").reset_index(
            drop=True)
    return grouped.sort_values(list(by), kind="stable").reset_index(drop=True)


def deadline_message(complaints: pd.DataFrame, start, end, params: Parameters) -> Message:
    """The two working-day deadlines over the period: the share met, how many were due, and the department
    that met the department deadline least often; or which columns the log lacks."""
    from .message import Terms

    missing = [c for c in ("department_assigned_at", "visit_recorded_date") if c not in complaints]
    if len(missing) == 2:
        return Message.of("sat.deadlines_missing", columns=Terms("column", missing))
    table = deadline_compliance(complaints, start, end, params, by=("department",))
    due = {name: int(table[f"{name}_due"].sum()) for name in ("department", "record")}
    rate = {name: float((table[f"{name}_ok"].fillna(0) * table[f"{name}_due"]).sum() / due[name])
            if due[name] else float("nan") for name in ("department", "record")}
    ranked = table[table["department_due"] > 0]
    worst = ranked.iloc[0] if len(ranked) else None
    key = "sat.deadlines_partial" if missing else "sat.deadlines"
    return Message.of(key, start=pd.Timestamp(start), end=pd.Timestamp(end),
                      department_days=params.complaints.department_workdays, department=Percent(rate["department"]),
                      department_due=due["department"], record_days=params.complaints.visit_record_workdays,
                      record=Percent(rate["record"]), record_due=due["record"],
                      worst="—" if worst is None else str(worst["department"]),
                      worst_rate=Percent(None if worst is None else worst["department_ok"]),
                      **({"missing": Terms("column", missing)} if missing else {}))
