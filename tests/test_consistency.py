"""The consistency checks the procedures imply, each on a small hand-made set of staged tables."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config import CHECKS, Parameters
from analysis.data import consistency
from analysis.data.validate import TableInfo, ValidationReport

HEADERS = {  # canonical -> header as a company file has it
    "complaint_id": "投诉编号", "received_at": "投诉时间", "replied_at": "答复时间", "followed_up_at": "跟踪时间",
    "lead_id": "登记编号", "created_date": "来店(电)日期", "deal_date": "成交日期",
    "payment_id": "回款编号", "order_id": "订单编号", "paid_date": "实收日期",
    "order_date": "下单日期", "delivered_date": "实际交货日期",
    "survey_id": "调查编号", "sent_date": "发放日期", "answered_date": "回收日期",
    "requirement_id": "需求编号", "submitted_date": "提交日期", "decided_date": "决策日期",
    "return_id": "退货编号", "return_date": "退货日期",
}


def stage(folder, report: ValidationReport, table: str, file: str, rows: list[dict]) -> None:
    """Write one staged table as the store does (a source_row per row, from 2: row 1 is the header)."""
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        if column.endswith(("_at", "_date")):
            frame[column] = pd.to_datetime(frame[column])
    frame.insert(0, "source_row", range(2, len(frame) + 2))
    frame.to_parquet(folder / f"{table}.parquet", index=False)
    names = [c for c in frame.columns if c != "source_row"]
    report.tables[table] = TableInfo(table, file, "Sheet1", len(frame), [HEADERS[c] for c in names], names, "x")


def params(**severity) -> Parameters:
    return Parameters.model_validate({"validation": {"severity": severity}})


@pytest.fixture
def staged(tmp_path):
    report = ValidationReport()
    stage(tmp_path, report, "complaints", "投诉.xlsx", [
        # row 2 in order; row 3 followed up before the reply; row 4 followed up before it was even received
        # (and so before the reply); row 5 answered before the receipt; row 6 has no follow-up: nothing to compare
        {"complaint_id": "T1", "received_at": "2026-10-01 09:00", "replied_at": "2026-10-01 12:00",
         "followed_up_at": "2026-10-03 10:00"},
        {"complaint_id": "T2", "received_at": "2026-10-02 09:00", "replied_at": "2026-10-03 12:00",
         "followed_up_at": "2026-10-03 11:59"},
        {"complaint_id": "T3", "received_at": "2026-10-05 09:00", "replied_at": "2026-10-05 10:00",
         "followed_up_at": "2026-10-04 16:00"},
        {"complaint_id": "T4", "received_at": "2026-10-06 09:00", "replied_at": "2026-10-06 08:30",
         "followed_up_at": "2026-10-07 09:00"},
        {"complaint_id": "T5", "received_at": "2026-10-07 09:00", "replied_at": "2026-10-07 10:00",
         "followed_up_at": None},
    ])
    stage(tmp_path, report, "leads", "来店.xlsx", [  # row 3 bought the day before its first visit
        {"lead_id": "L1", "created_date": "2026-10-01", "deal_date": "2026-10-01"},
        {"lead_id": "L2", "created_date": "2026-10-05", "deal_date": "2026-10-04"},
    ])
    stage(tmp_path, report, "orders", "销售.xlsx", [  # row 4 delivered before it was ordered
        {"order_id": "O1", "order_date": "2026-10-01", "delivered_date": "2026-10-20"},
        {"order_id": "O2", "order_date": "2026-10-10", "delivered_date": None},
        {"order_id": "O3", "order_date": "2026-10-12", "delivered_date": "2026-10-11"},
    ])
    stage(tmp_path, report, "payments", "回款.xlsx", [  # row 3 paid before its order (O2, 10 Oct); row 4: no order
        {"payment_id": "P1", "order_id": "O1", "paid_date": "2026-10-01"},
        {"payment_id": "P2", "order_id": "O2", "paid_date": "2026-10-09"},
        {"payment_id": "P3", "order_id": "O9", "paid_date": "2026-01-01"},
    ])
    stage(tmp_path, report, "surveys", "调查.xlsx", [  # row 2 answered before it was sent
        {"survey_id": "S1", "sent_date": "2026-10-10", "answered_date": "2026-10-08"},
        {"survey_id": "S2", "sent_date": "2026-10-10", "answered_date": None},
    ])
    stage(tmp_path, report, "requirements", "需求.xlsx", [  # row 3 decided before it was submitted
        {"requirement_id": "R1", "submitted_date": "2026-10-02", "decided_date": "2026-10-03"},
        {"requirement_id": "R2", "submitted_date": "2026-10-05", "decided_date": "2026-10-04"},
    ])
    stage(tmp_path, report, "returns", "退货.xlsx", [  # row 2 returned before its order (O3, 12 Oct)
        {"return_id": "X1", "order_id": "O3", "return_date": "2026-10-11"},
        {"return_id": "X2", "order_id": "O1", "return_date": "2026-10-25"},
    ])
    return tmp_path, report


def test_each_check_finds_its_rows(staged):
    folder, report = staged
    found = {i.check: i for i in consistency.checks(folder, report, params())}
    rows = {code: [r for r, _ in issue.cases] for code, issue in found.items()}
    assert rows == {"followup_before_reply": [3, 4], "followup_before_receipt": [4], "reply_before_receipt": [5],
                    "deal_before_visit": [3], "payment_before_order": [3], "answer_before_sent": [2],
                    "delivery_before_order": [4], "decision_before_submission": [3], "return_before_order": [2]}
    assert all(i.severity == "warning" and i.count == len(i.cases) for i in found.values())
    # located as a user finds it: file, sheet, the two headers, the values
    issue = found["followup_before_reply"]
    assert (issue.table, issue.file, issue.sheet, issue.column) == ("complaints", "投诉.xlsx", "Sheet1", "跟踪时间 / 答复时间")
    assert issue.cases[0] == (3, "跟踪时间 2026-10-03 11:59 < 答复时间 2026-10-03 12:00")
    assert issue.lines()[0].startswith("投诉.xlsx, sheet Sheet1, row 3, column 跟踪时间 / 答复时间: followed_up_at must "
                                       "not be earlier than replied_at. Got ")
    # a check against another table names the other file; dates without a time of day are shown as dates
    payment = found["payment_before_order"]
    assert payment.column == "实收日期 / 下单日期 (销售.xlsx)"
    assert payment.cases == [(3, "实收日期 2026-10-09 < 下单日期 (销售.xlsx) 2026-10-10")]


def test_every_check_is_a_known_code_with_its_severity_from_the_parameters(staged):
    folder, report = staged
    assert {c.code for c in consistency.CHECKS} <= set(CHECKS)
    found = consistency.checks(folder, report, params(followup_before_reply="error"))
    severity = {i.check: i.severity for i in found}
    assert severity["followup_before_reply"] == "error" and severity["deal_before_visit"] == "warning"


def test_cases_are_capped_and_the_count_is_not(staged, tmp_path):
    folder, report = staged
    capped = Parameters.model_validate({"validation": {"max_cases_shown": 1}})
    issue = next(i for i in consistency.checks(folder, report, capped) if i.check == "followup_before_reply")
    assert issue.count == 2 and issue.cases == [(3, issue.cases[0][1])]


def test_absent_tables_and_columns_are_skipped(tmp_path):
    report = ValidationReport()
    # payments without orders, complaints without a follow-up column: nothing to compare, nothing reported
    stage(tmp_path, report, "payments", "回款.xlsx", [{"payment_id": "P1", "order_id": "O1", "paid_date": "2026-10-01"}])
    stage(tmp_path, report, "complaints", "投诉.xlsx", [
        {"complaint_id": "T1", "received_at": "2026-10-05 09:00", "replied_at": "2026-10-04 09:00"}])
    assert [i.check for i in consistency.checks(tmp_path, report, params())] == ["reply_before_receipt"]
