"""Complaint deadlines in working days (official calendar), per department and month, by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import complaints as cmp
from analysis.config import Parameters
from analysis.workdays import WorkCalendar, calendar_note

T = pd.Timestamp


def params(month: str = "2026-10", **calendar) -> Parameters:
    return Parameters.model_validate({"month": month, "calendar": calendar})


def day(text: str) -> str:
    return str(T(text).date())


def test_working_days_skip_national_day_and_count_the_adjusted_saturday():
    # 2026: 1-7 October are days off (National Day), Saturday 10 October is worked (调休)
    calendar = WorkCalendar(params().calendar)
    start = pd.Series(pd.to_datetime(["2026-09-30 16:00", "2026-10-09 11:00", "2026-10-01 10:00", "2026-10-30 15:00"]))
    one = calendar.add_workdays(start, 1)
    # Wednesday 30 Sep -> Thursday 8 Oct (1-7 off); Friday 9 Oct -> Saturday 10 Oct (worked);
    # a holiday (1 Oct) -> 8 Oct; Friday 30 Oct -> Monday 2 Nov (31 Oct is an ordinary Saturday)
    assert [day(x) for x in one] == ["2026-10-08", "2026-10-10", "2026-10-08", "2026-11-02"]
    # five working days after Friday 9 Oct: 10 (Sat), 12, 13, 14, 15
    assert day(calendar.add_workdays(start, 5)[1]) == "2026-10-15"
    assert calendar.is_workday(dt.date(2026, 10, 10)) and not calendar.is_workday(dt.date(2026, 10, 5))
    # weekends only, without the official calendar: 30 Sep -> 1 Oct, 9 Oct -> 12 Oct
    plain = WorkCalendar(params(official=False).calendar).add_workdays(start, 1)
    assert [day(x) for x in plain[:2]] == ["2026-10-01", "2026-10-12"]


def test_years_the_package_does_not_cover_come_from_the_parameters():
    # 2027 is not in chinesecalendar 1.11: Monday-Friday, unless the parameters list its days
    bare = WorkCalendar(params().calendar)
    assert bare.uncovered_years(dt.date(2026, 12, 1), dt.date(2027, 3, 1)) == [2027]
    assert calendar_note(T("2026-12-01"), T("2027-03-01"), params()).key == "sat.calendar_note"
    listed = params(holidays=["2027-02-15", "2027-02-16"], workdays=["2027-02-20"])
    calendar = WorkCalendar(listed.calendar)
    start = pd.Series(pd.to_datetime(["2027-02-12", "2027-02-19"]))
    # Friday 12 Feb -> 15 and 16 off -> Wednesday 17; Friday 19 -> Saturday 20 (listed as worked)
    assert [day(x) for x in calendar.add_workdays(start, 1)] == ["2027-02-17", "2027-02-20"]
    assert calendar.uncovered_years(dt.date(2027, 1, 1), dt.date(2027, 12, 31)) == []
    assert calendar_note(T("2027-01-01"), T("2027-03-01"), listed) is None
    with pytest.raises(ValueError, match="both a holiday and a working day"):
        params(holidays=["2027-02-20"], workdays=["2027-02-20"])


def log() -> pd.DataFrame:
    rows = [  # id, received, department, replied, followed up, department named, visit record filed
        ("C1", "2026-09-30 16:00", "质量部", "2026-10-01 09:00", "2026-10-09 10:00", "2026-10-08 09:00", "2026-10-15"),
        ("C2", "2026-10-09 11:00", "质量部", "2026-10-09 15:00", None, "2026-10-12 09:00", None),
        ("C3", "2026-10-01 10:00", "物流部", "2026-10-03 10:00", "2026-10-08 10:00", "2026-10-08 10:00", "2026-10-16"),
        ("C4", "2026-10-30 15:00", "物流部", None, None, None, None),
        ("C5", "2026-10-20 09:00", "物流部", "2026-10-20 10:00", "2026-10-22 10:00", None, None),
        ("C6", "2026-10-21 09:00", "物流部", "2026-10-21 10:00", None, "2026-10-21 17:00", None),
    ]
    frame = pd.DataFrame(rows, columns=["complaint_id", "received_at", "department", "replied_at", "followed_up_at",
                                        "department_assigned_at", "visit_recorded_date"])
    for column in frame.columns[[1, 3, 4, 5, 6]]:
        frame[column] = pd.to_datetime(frame[column])
    frame["customer_id"], frame["category"] = "K1", "quality"
    return frame


def test_each_deadline_met_late_or_not_yet_due():
    out = cmp.process_deadlines(log(), params()).set_index("complaint_id")
    # department named within 1 working day: C1 due 8 Oct (National Day), named 8 Oct -> met;
    # C2 received Friday 9 Oct is due Saturday 10 Oct (worked), named Monday 12 -> late;
    # C3 received on a holiday is due 8 Oct -> met; C4 is due 2 Nov, after the period -> blank;
    # C5 due 21 Oct, never named -> late; C6 named the same day -> met
    assert out["department_ok"].tolist() == [True, False, True, pd.NA, False, True]
    # visit record within 5 working days of the follow-up: C1 visited 9 Oct -> due 15 Oct, filed 15 -> met;
    # C3 visited 8 Oct -> 9, 10, 12, 13, 14 -> due 14 Oct, filed 16 -> late; C5 visited 22 Oct -> due 29 Oct,
    # never filed -> late; no visit, nothing due (C2 C4 C6)
    assert out["record_ok"].tolist() == [True, pd.NA, False, pd.NA, False, pd.NA]
    # the hour deadlines as before: C3 replied after 48 h (late); C4 has no reply, due 31 Oct 15:00 -> late
    assert out["reply_ok"].tolist() == [True, True, False, False, True, True]


def test_compliance_per_department_and_month():
    table = cmp.deadline_compliance(log(), "2026-09-01", "2026-10-31", params())
    rows = {(r.month, r.department): r for r in table.itertuples()}
    # September: 质量部 C1 (named on time, record on time); October: 质量部 C2 (late), 物流部 C3 C5 C6 due (2 of 3)
    assert (rows[("2026-09", "质量部")].department_due, rows[("2026-09", "质量部")].department_ok) == (1, 1.0)
    assert (rows[("2026-10", "质量部")].department_due, rows[("2026-10", "质量部")].department_ok) == (1, 0.0)
    logistics = rows[("2026-10", "物流部")]
    assert (logistics.complaints, logistics.department_due) == (4, 3)
    assert logistics.department_ok == pytest.approx(2 / 3)
    # records of 物流部: C3 late, C5 late -> 0 of 2
    assert (logistics.record_due, logistics.record_ok) == (2, 0.0)
    whole = cmp.deadline_compliance(log(), "2026-09-01", "2026-10-31", params(), by=("department",))
    # over both months: 质量部 1 of 2, 物流部 2 of 3: the weaker first
    assert whole["department"].tolist() == ["质量部", "物流部"]
    assert whole["department_ok"].tolist() == pytest.approx([0.5, 2 / 3])
    message = cmp.deadline_message(log(), "2026-09-01", "2026-10-31", params())
    # all departments: 3 of 5 named in time, 1 of 3 records filed in time; the weakest is 质量部
    assert message.key == "sat.deadlines"
    assert (message.values["department"].value, message.values["department_due"]) == (pytest.approx(3 / 5), 5)
    assert (message.values["record"].value, message.values["record_due"]) == (pytest.approx(1 / 3), 3)
    assert message.values["worst"] == "质量部"


def test_a_log_without_the_new_columns_says_so():
    old = log().drop(columns=["department_assigned_at", "visit_recorded_date"])
    out = cmp.process_deadlines(old, params())
    assert out["department_ok"].isna().all() and out["record_ok"].isna().all()
    assert cmp.deadline_message(old, "2026-09-01", "2026-10-31", params()).key == "sat.deadlines_missing"
    partial = cmp.deadline_message(log().drop(columns=["visit_recorded_date"]), "2026-09-01", "2026-10-31", params())
    assert partial.key == "sat.deadlines_partial" and partial.values["missing"].codes == ("visit_recorded_date",)
