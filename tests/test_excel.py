"""Excel lists read back with openpyxl: headers, frozen row, filters, widths, numbers, no formulas from data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from openpyxl import load_workbook

from analysis import load_parameters
from analysis.excel import GRADE_FILLS, safe_text, write_customer_lists, write_workbook
from conftest import make_project


def test_formula_injection_guard():
    for text in ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\t=1"):
        assert not safe_text(text).startswith(("=", "+", "-", "@", "\t"))
    assert safe_text("正常文本") == "正常文本"


def test_workbook_formatting_reads_back(tmp_path):
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "grade": ["A", "D"], "share": [0.912, 0.5],
                          "amount": [1234.5, 99.0], "sent_date": [pd.Timestamp("2026-10-05"), pd.NaT],
                          "comment": ["=cmd|' /C calc'!A0", "交期太慢，希望改进"]})
    path = write_workbook(tmp_path / "list.xlsx", {"名单": frame}, headers={"customer_id": "客户编号", "grade": "等级"},
                          fills={"grade": GRADE_FILLS})
    ws = load_workbook(path)["名单"]
    assert [c.value for c in ws[1]] == ["客户编号", "等级", "share", "amount", "sent_date", "comment"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F3"
    assert ws["C2"].value == 0.912 and ws["C2"].number_format == "0.00%"  # numbers stay numbers
    assert ws["D2"].value == 1234.5 and isinstance(ws["D2"].value, float)
    assert ws["E2"].value == dt.datetime(2026, 10, 5) and ws["E3"].value is None
    assert ws["F2"].value.startswith("'") and ws["F2"].data_type == "s"
    assert ws["B2"].fill.fgColor.rgb.endswith(GRADE_FILLS["A"])
    assert ws.column_dimensions["F"].width >= 18  # sized to the Chinese text
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")))
    assert not list(tmp_path.glob(".*tmp*"))


def test_contacts_only_when_the_parameter_allows(tmp_path):
    project = make_project(tmp_path / "p")
    customers = pd.DataFrame({"customer_id": ["C1"], "customer_name": ["苏州恒达有限公司"], "contact_person": ["王伟"],
                              "phone": ["13800138000"]})
    frame = pd.DataFrame({"customer_id": ["C1"], "score": [2.0]})
    for allowed in (False, True):
        params = load_parameters(root=project, month="2026-10", overrides={"exports.include_contacts": allowed})
        path = write_customer_lists(tmp_path / f"{allowed}.xlsx", {"CAPA清单": frame}, customers, params)
        headers = [c.value for c in load_workbook(path)["CAPA清单"][1]]
        assert headers[:2] == ["客户编号", "客户名称"]
        assert ("联系电话" in headers) is allowed and ("联系人" in headers) is allowed
