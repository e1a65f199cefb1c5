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


# ----------------------------------------------------------------------------- returns

def sales_and_returns() -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = pd.DataFrame({"order_id": ["O1", "O2", "O3", "O4"], "customer_id": ["K1", "K1", "K2", "K2"],
                           "product": ["P1", "P2", "P1", "P2"], "amount": [1000.0, 2000.0, 3000.0, 500.0],
                           "order_date": pd.to_datetime(["2026-10-02", "2026-10-05", "2026-10-10", "2026-09-15"])})
    returns = pd.DataFrame({
        "return_id": ["X1", "X2", "X3", "X4", "X5"], "order_id": ["O1", "O3", "O2", "O4", None],
        "customer_id": ["K1", "K2", "K1", "K2", "K2"],
        "return_date": pd.to_datetime(["2026-10-08", "2026-10-12", "2026-10-20", "2026-09-20", "2026-10-25"]),
        "product": [None, None, None, None, "P3"], "amount": [200.0, 600.0, 100.0, 50.0, 40.0],
        "reason": ["尺寸超差", "尺寸超差", "包装破损", "包装破损", None],
        "accepted": pd.array([True, False, pd.NA, True, True], dtype="boolean")})
    return orders, returns


def test_return_rates_by_product_and_customer():
    from analysis import returns as ret

    orders, returns = sales_and_returns()
    by_product = ret.return_rates(returns, orders, "2026-10-01", "2026-10-31", "product").set_index("product")
    # October sales: P1 1000 + 3000, P2 2000 (O4 is September). Returns: P1 X1 200 (accepted) + X2 600 (rejected),
    # P2 X3 100 (pending); P3 X5 40 (its own product, no order, no sales): no rate, listed last
    assert list(by_product.index) == ["P1", "P2", "P3"]
    assert by_product.loc["P1", ["returns", "returned_amount", "accepted_returns", "accepted_amount"]].tolist() == [
        2, 800.0, 1, 200.0]
    assert by_product.loc["P1", "return_rate"] == pytest.approx(800 / 4000)
    assert by_product.loc["P1", "accepted_rate"] == pytest.approx(200 / 4000)
    assert by_product.loc["P2", "return_rate"] == pytest.approx(100 / 2000) and pd.isna(by_product.loc["P3", "return_rate"])
    by_customer = ret.return_rates(returns, orders, "2026-10-01", "2026-10-31", "customer_id")
    # K1: 300 of 3000; K2: 640 of 3000 (O3): K2 first
    assert by_customer["customer_id"].tolist() == ["K2", "K1"]
    assert by_customer["return_rate"].tolist() == pytest.approx([640 / 3000, 300 / 3000])


def test_return_reasons_verdicts_and_periods():
    from analysis import returns as ret

    orders, returns = sales_and_returns()
    reasons = ret.return_reasons(returns, "2026-10-01", "2026-10-31")
    assert reasons["reason"].tolist() == ["尺寸超差", "包装破损", "—"]
    assert reasons["returns"].tolist() == [2, 1, 1] and reasons["return_share"].tolist() == [0.5, 0.25, 0.25]
    assert reasons["accepted_returns"].tolist() == [1, 0, 1]
    months = ret.returns_by_period(returns, orders, "2026-10-31", "M", periods=2)
    # September: X4 (accepted, 50) against 500 of sales; October: X1 X5 accepted, X2 rejected, X3 pending
    assert months.loc["2026-09", ["returns", "accepted_returns", "returned_amount", "sales"]].tolist() == [1, 1, 50, 500]
    assert months.loc["2026-10", ["accepted_returns", "rejected_returns", "pending_returns"]].tolist() == [2, 1, 1]
    assert months.loc["2026-10", "accepted_amount"] == 240 and months.loc["2026-10", "return_rate"] == pytest.approx(
        940 / 6000)
    year = ret.returns_by_period(returns, orders, "2026-10-31", "Y", periods=1)
    assert year.loc["2026", ["returns", "returned_amount", "sales"]].tolist() == [5, 990, 6500]
    quarter = ret.returns_by_period(returns, orders, "2026-10-31", "Q", periods=1)
    assert list(quarter.index) == ["2026-Q4"] and quarter.loc["2026-Q4", "returns"] == 4  # named as the reports are
    message = ret.returns_message(returns, orders, "2026-10-01", "2026-10-31")
    assert (message.values["n"], message.values["accepted"], message.values["rejected"], message.values["pending"]) == (
        4, 2, 1, 1)
    assert message.values["rate"].value == pytest.approx(940 / 6000) and message.values["top"] == "P1"
    assert ret.returns_message(returns, orders, "2026-11-01", "2026-11-30").key == "sat.returns_none"
