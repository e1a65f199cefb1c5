"""The rhythm the procedures set: surveys, visits and the escalation of long development projects.

- Surveys: key customers (``cadence.key_grades``, grade A) at least every ``key_months`` (6) months,
  other active customers every ``other_months`` (12); a survey after each major complaint within
  ``after_major_days`` (30) days.
- Visits: customers of ``visit_grades`` (A) are visited or called every ``visit_months`` (3, a quarter):
  from the follow-up log (lead_events) of leads that carry the customer's number, where it exists.
- Development projects (the lead register): no progress for ``project_flag_months`` (3) -> flagged,
  ``project_review_months`` (6) -> reviewed, ``project_close_months`` (12) -> closed or approved again.

Every function takes the period end (and the start where a period matters) and returns canonical
columns and codes; the page translates them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import Parameters
from .message import Listing, Message

#: Excel sheets and captions these lists go under (page.excel(..., {SURVEY_SHEET: ...}))
SURVEY_SHEET = "excel.sheet.survey_due"
VISIT_SHEET = "excel.sheet.visit_due"
PROJECT_SHEET = "excel.sheet.projects"
SURVEY_CAPTION = "sat.cadence_list"
MAJOR_CAPTION = "sat.cadence_major_list"
VISIT_CAPTION = "sat.visits_list"
PROJECT_CAPTION = "lead.projects_list"
ACTIONS = ("close", "review", "flag")


def _day(value) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _map_dates(keys: pd.Series, dates: pd.Series) -> pd.Series:
    """``keys`` mapped to the dates of ``dates`` (indexed by key); NaT where a key has none."""
    if dates.empty:
        return pd.Series(pd.NaT, index=keys.index, dtype="datetime64[ns]")
    return keys.map(dates).astype("datetime64[ns]")


def _months_between(since: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Whole calendar months from each date to ``end`` (15 Apr -> 14 Oct is 5, -> 15 Oct is 6)."""
    months = (end.year - since.dt.year) * 12 + (end.month - since.dt.month) - (end.day < since.dt.day).astype(int)
    return months.astype("Int64")


def active_customers(customers: pd.DataFrame, orders: pd.DataFrame | None, end, params: Parameters) -> pd.DataFrame:
    """Customers the cadence applies to: not flagged as lost (churned), and, when orders are given, with an order
    in the ``other_months`` months up to ``end``."""
    out = customers
    if "churned" in out:
        out = out[~out["churned"].astype("boolean").fillna(False).astype(bool)]
    if orders is not None and len(orders):
        end = _day(end)
        since = end - pd.DateOffset(months=params.cadence.other_months)
        recent = orders.loc[(orders["order_date"] > since) & (orders["order_date"] <= end), "customer_id"]
        out = out[out["customer_id"].isin(set(recent))]
    return out


def survey_overdue(customers: pd.DataFrame, surveys: pd.DataFrame | None, end, params: Parameters,
                   orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Active customers not surveyed as often as their class requires, at ``end``.

    Due date: the last form sent plus ``key_months`` (key customers) or ``other_months`` (others); a
    customer never surveyed is due that long after it became a customer (at once when that date is
    unknown). Overdue when the due date is on or before ``end``. Key customers first, most overdue first.
    """
    end = _day(end)
    frame = active_customers(customers, orders, end, params).copy()
    grade = frame["grade"] if "grade" in frame else pd.Series(None, index=frame.index, dtype=object)
    frame["cadence_reason"] = np.where(grade.isin(params.cadence.key_grades), "key_customer", "other_customer")
    sent = surveys[surveys["sent_date"] <= end] if surveys is not None else None
    last = sent.groupby("customer_id")["sent_date"].max() if sent is not None and len(sent) else pd.Series(
        dtype="datetime64[ns]")
    frame["last_survey"] = _map_dates(frame["customer_id"], last)
    months = np.where(frame["cadence_reason"] == "key_customer", params.cadence.key_months, params.cadence.other_months)
    since = frame["customer_since"] if "customer_since" in frame else pd.Series(pd.NaT, index=frame.index)
    start = frame["last_survey"].where(frame["last_survey"].notna(), since)
    due = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for interval in np.unique(months):  # two intervals: one vectorised month offset each
        mask = (months == interval) & start.notna().to_numpy()
        due[mask] = start[mask] + pd.DateOffset(months=int(interval))
    frame["survey_due"] = due.fillna(end)
    late = frame[frame["survey_due"] <= end].copy()
    late["days_overdue"] = (end - late["survey_due"]).dt.days.astype(int)
    columns = ["customer_id", "grade", "sales_rep", "branch", "cadence_reason", "last_survey", "survey_due",
               "days_overdue"]
    late = late[[c for c in columns if c in late]]
    return late.sort_values(["cadence_reason", "days_overdue", "customer_id"], ascending=[True, False, True],
                            kind="stable").reset_index(drop=True)


def after_major_complaints(complaints: pd.DataFrame | None, surveys: pd.DataFrame | None, start, end,
                           params: Parameters) -> pd.DataFrame:
    """Major complaints whose survey deadline (received + ``after_major_days`` days) falls in the period, and
    whether the customer was sent a survey between the complaint and the deadline (``surveyed``).

    Each complaint is judged once, in the period its deadline falls in. Empty when the log has no severity.
    """
    columns = ["complaint_id", "customer_id", "received_at", "category", "survey_deadline", "surveyed"]
    if complaints is None or "severity" not in complaints:
        return pd.DataFrame(columns=columns)
    start, end = _day(start), _day(end)
    major = complaints[complaints["severity"].eq("major")].copy()
    major["survey_deadline"] = major["received_at"].dt.normalize() + pd.Timedelta(days=params.cadence.after_major_days)
    major = major[(major["survey_deadline"] >= start) & (major["survey_deadline"] <= end)]
    if surveys is not None and len(surveys) and len(major):
        pairs = major[["complaint_id", "customer_id", "received_at", "survey_deadline"]].merge(
            surveys[["customer_id", "sent_date"]], on="customer_id")
        hit = pairs[(pairs["sent_date"] >= pairs["received_at"].dt.normalize())
                    & (pairs["sent_date"] <= pairs["survey_deadline"])]
        major["surveyed"] = major["complaint_id"].isin(set(hit["complaint_id"]))
    else:
        major["surveyed"] = False
    return major[[c for c in columns if c in major]].sort_values(["survey_deadline", "complaint_id"],
                                                                  kind="stable").reset_index(drop=True)


def missed_surveys(major: pd.DataFrame) -> pd.DataFrame:
    """The major complaints of :func:`after_major_complaints` not followed by a survey in time (the list to act on)."""
    return major[~major["surveyed"].astype(bool)].reset_index(drop=True)


def contacts(leads: pd.DataFrame | None, events: pd.DataFrame | None, params: Parameters) -> pd.DataFrame | None:
    """Visits and calls per customer from the follow-up log: the events (of ``cadence.contact_types``) of leads
    that carry a customer number. None when there is no such record: the data cannot tell."""
    if leads is None or events is None or "customer_id" not in leads or not leads["customer_id"].notna().any():
        return None
    linked = events.merge(leads.loc[leads["customer_id"].notna(), ["lead_id", "customer_id"]], on="lead_id")
    if "event_type" in linked:
        linked = linked[linked["event_type"].isin(params.cadence.contact_types)]
    return linked[["customer_id", "event_date"]].rename(columns={"event_date": "contact_date"}) if len(linked) else None


def unvisited(customers: pd.DataFrame, leads: pd.DataFrame | None, events: pd.DataFrame | None, end,
              params: Parameters) -> pd.DataFrame | None:
    """Customers of ``cadence.visit_grades`` without a visit or call in the ``visit_months`` months up to ``end``:
    their last contact and the days since. None when no visit or call record names a customer."""
    records = contacts(leads, events, params)
    if records is None:
        return None
    end = _day(end)
    since = end - pd.DateOffset(months=params.cadence.visit_months)
    grade = customers["grade"] if "grade" in customers else pd.Series(None, index=customers.index, dtype=object)
    frame = customers[grade.isin(params.cadence.visit_grades)].copy()
    if "churned" in frame:
        frame = frame[~frame["churned"].astype("boolean").fillna(False).astype(bool)]
    last = records[records["contact_date"] <= end].groupby("customer_id")["contact_date"].max()
    frame["last_contact"] = _map_dates(frame["customer_id"], last)
    missing = frame[frame["last_contact"].isna() | (frame["last_contact"] <= since)].copy()
    missing["days_since_contact"] = (end - missing["last_contact"]).dt.days.astype("Int64")
    columns = ["customer_id", "grade", "sales_rep", "branch", "last_contact", "days_since_contact"]
    return missing[[c for c in columns if c in missing]].sort_values(
        ["last_contact", "customer_id"], na_position="first", kind="stable").reset_index(drop=True)


def long_projects(leads: pd.DataFrame, events: pd.DataFrame | None, end, params: Parameters) -> pd.DataFrame:
    """Open development leads past the procedure's limits, with the action due: flag, review, or close (close
    or approve again).

    Months are whole calendar months to ``end``, counted per ``cadence.project_clock``: from the lead's
    registration (立项, as the procedure counts: no breakthrough within 3 / 6 / 12 months of approval), or
    from its latest follow-up in the log (no activity for that long). Both counts are shown. A lead is open
    when its status is open (or, without a status, when it has no deal date); invalid, lost and won leads
    are done.
    """
    end = _day(end)
    columns = ["lead_id", "consultant", "branch", "product", "intent_level", "stage", "created_date", "last_contact",
               "months_open", "months_quiet", "project_action"]
    if "created_date" not in leads:
        return pd.DataFrame(columns=columns)
    open_ = leads["status"].eq("open") if "status" in leads else leads.get(
        "deal_date", pd.Series(pd.NaT, index=leads.index)).isna()
    frame = leads[open_ & leads["created_date"].notna() & (leads["created_date"] <= end)].copy()
    last = frame["created_date"]
    if events is not None and len(events):
        latest = events[events["event_date"] <= end].groupby("lead_id")["event_date"].max()
        last = pd.concat([last, _map_dates(frame["lead_id"], latest)], axis=1).max(axis=1)
    frame["last_contact"] = last
    frame["months_open"] = _months_between(frame["created_date"], end)
    frame["months_quiet"] = _months_between(frame["last_contact"], end)
    months = frame["months_open"] if params.cadence.project_clock == "registration" else frame["months_quiet"]
    c = params.cadence
    frame["project_action"] = np.select([months >= c.project_close_months, months >= c.project_review_months,
                                         months >= c.project_flag_months], list(ACTIONS), "")
    frame = frame[frame["project_action"] != ""]
    order = {a: i for i, a in enumerate(ACTIONS)}
    frame = frame.assign(_order=frame["project_action"].map(order)).sort_values(
        ["_order", "months_open", "lead_id"], ascending=[True, False, True], kind="stable")
    return frame[[col for col in columns if col in frame]].reset_index(drop=True)


# ----------------------------------------------------------------------------- sentences of the pages

def cadence_message(overdue: pd.DataFrame, major: pd.DataFrame, params: Parameters) -> Message:
    """Customers overdue for a survey by class, and major complaints not followed by a survey in time."""
    reason = overdue["cadence_reason"].value_counts() if len(overdue) else pd.Series(dtype=int)
    c = params.cadence
    return Message.of("sat.cadence", key_due=int(reason.get("key_customer", 0)), grades=Listing(c.key_grades),
                      key_months=c.key_months, other=int(reason.get("other_customer", 0)), other_months=c.other_months,
                      due=len(major), missed=int((~major["surveyed"].astype(bool)).sum()) if len(major) else 0,
                      days=c.after_major_days)


def visits_message(customers: pd.DataFrame, missing: pd.DataFrame | None, params: Parameters) -> Message:
    """How many customers of the visit grades had no visit or call in the window; or that no record tells."""
    c = params.cadence
    if missing is None:
        return Message.of("sat.visits_unknown", grades=Listing(c.visit_grades), months=c.visit_months)
    grade = customers["grade"] if "grade" in customers else pd.Series(None, index=customers.index, dtype=object)
    return Message.of("sat.visits", n=len(missing), total=int(grade.isin(c.visit_grades).sum()),
                      grades=Listing(c.visit_grades), months=c.visit_months)


def projects_message(projects: pd.DataFrame, params: Parameters) -> Message:
    """Open development leads to flag, review and close or approve again."""
    counts = projects["project_action"].value_counts() if len(projects) else pd.Series(dtype=int)
    c = params.cadence
    return Message.of("lead.projects", flag=int(counts.get("flag", 0)), review=int(counts.get("review", 0)),
                      close=int(counts.get("close", 0)), flag_months=c.project_flag_months,
                      review_months=c.project_review_months, close_months=c.project_close_months,
                      clock=Message(f"lead.clock.{c.project_clock}"))
