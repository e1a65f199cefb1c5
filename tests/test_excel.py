"""Excel lists read back with openpyxl: translated headers, frozen row, filters, number formats, text as text,
valid sheet names, and contacts only when the parameter allows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import load_parameters
from analysis.excel import GRADE_FILLS, is_private_person, sheet_titles, write_customer_lists, write_workbook
from conftest import make_project


def test_workbook_formatting_reads_back(tmp_path):
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "grade": ["A", "D"], "share": [0.912, 0.5],
                          "value_at_risk": [1234.5, 99.0], "sent_date": [pd.Timestamp("2026-10-05"), pd.NaT],
                          "comment": ["=cmd|' /C calc'!A0", "交期太慢，希望改进"], "band": ["high", "low"]})
    path = write_workbook(tmp_path / "list.xlsx", {"名单": frame}, "zh-CN", fills={"grade": GRADE_FILLS})
    ws = load_workbook(path)["名单"]
    assert [c.value for c in ws[1]] == ["客户编号", "等级", "得分率", "风险价值（元）", "发放日期", "客户意见", "风险等级"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G3"
    assert ws["C2"].value == 0.912 and ws["C2"].number_format == "0.0%"  # numbers stay numbers, one percent format
    assert ws["D2"].value == 1234.5 and ws["D2"].number_format == "#,##0"
    assert ws["E2"].value == dt.datetime(2026, 10, 5) and ws["E3"].value is None
    assert ws["F2"].value == "=cmd|' /C calc'!A0" and ws["F2"].data_type == "s"  # text as typed, never a formula
    assert ws["G2"].value == "高"  # a code in the report language
    # the grade colours are conditional formats on the shown label: they follow the value when sorted or edited
    rules = {(str(cf.sqref), rule.text): rule.dxf.fill.bgColor.rgb for cf in ws.conditional_formatting
             for rule in cf.rules}
    assert rules[("B2:B3", "A")].endswith(GRADE_FILLS["A"].lstrip("#"))
    assert rules[("B2:B3", "D")].endswith(GRADE_FILLS["D"].lstrip("#"))
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("1F5FA8")  # the header row stands out
    assert ws.column_dimensions["F"].width >= 18  # sized to the Chinese text
    assert not list(tmp_path.glob(".*tmp*"))


def test_english_lists_in_english(tmp_path):
    frame = pd.DataFrame({"customer_id": ["C1"], "band": ["high"], "churn_probability": [0.42]})
    ws = load_workbook(write_workbook(tmp_path / "en.xlsx", {"Retention": frame}, "en"))["Retention"]
    assert [c.value for c in ws[1]] == ["Customer", "Risk band", "Churn probability"]
    assert ws["B2"].value == "high"


@pytest.mark.parametrize("names, expected", [
    (["a/b:c*d?e[f]g\\h"], ["a b c d e f g h"]),
    (["'引号'"], ["引号"]),
    (["销售顾问" * 10], [("销售顾问" * 10)[:31]]),  # 31 characters at most
    (["张伟", "张伟", "ZHANG", "zhang"], ["张伟", "张伟 (2)", "ZHANG", "zhang (2)"]),  # unique, as Excel compares them
    ([""], ["Sheet"]),
])
def test_sheet_names_are_valid_and_unique(names, expected):
    assert sheet_titles(names) == expected


def test_a_hostile_sheet_name_from_the_data_still_writes(tmp_path):
    frame = pd.DataFrame({"lead_id": ["L1"]})
    path = write_workbook(tmp_path / "x.xlsx", {"=SUM(A1)/<script>*[1]": frame, "=SUM(A1)/<script>?[1]": frame})
    assert load_workbook(path).sheetnames == ["=SUM(A1) <script> 1", "=SUM(A1) <script> 1 (2)"]


@pytest.mark.parametrize("name, person", [("苏州恒达精密机械有限公司", False), ("张三丰", True), ("Acme Co., Ltd.", False),
                                          ("王小明", True), ("恒达五金店", False), (None, False)])
def test_private_persons_are_told_from_companies(name, person):
    assert is_private_person(name) is person


def test_contacts_only_when_the_parameter_allows(tmp_path):
    project = make_project(tmp_path / "p")
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "customer_name": ["苏州恒达有限公司", "张三丰"],
                              "contact_person": ["王伟", None], "phone": ["13800138000", "13912345678"],
                              "email": ["wang@example.cn", None]})
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "item_score": [2.0, 1.0],
                          "comment": ["请联系 13912345678 或 li.na@example.cn", "正常"]})
    for allowed in (False, True):
        params = load_parameters(root=project, month="2026-10", overrides={"exports.include_contacts": allowed})
        path = write_customer_lists(tmp_path / f"{allowed}.xlsx", {"CAPA清单": frame}, customers, params)
        ws = load_workbook(path)["CAPA清单"]
        headers = [c.value for c in ws[1]]
        assert headers[:2] == ["客户编号", "客户名称"]
        assert ("联系电话" in headers) is allowed and ("联系人" in headers) is allowed
        names = [ws.cell(row=r, column=2).value for r in (2, 3)]
        comment = ws.cell(row=2, column=headers.index("客户意见") + 1).value
        if allowed:
            assert names == ["苏州恒达有限公司", "张三丰"]
            assert "13912345678" in comment and "li.na@example.cn" in comment
        else:
            assert names[0] == "苏州恒达有限公司" and names[1] != "张三丰" and names[1].startswith("张")
            assert "13912345678" not in comment and "li.na@example.cn" not in comment
            assert all("1391234" not in str(c.value) for row in ws.iter_rows() for c in row)


def test_every_kind_of_column_reads_back_as_excel_should_hold_it(tmp_path):
    """Worked cell by cell: what each pandas column becomes in the sheet."""
    frame = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3"],
        "note": [12, "十二", None],                       # numbers among text: all text, as written
        "value_at_risk": [float("inf"), float("-inf"), None],  # infinities as signs, a blank stays blank
        "days_open": pd.array([3, None, 5], dtype="Int64"),   # a nullable integer: numbers and a blank
        "contacted_at": [pd.Timestamp("2026-10-05 09:30"), None, pd.Timestamp("2026-10-06")],  # a time: shown
        "due_date": [dt.date(2026, 10, 5), None, dt.date(2026, 11, 1)],  # dates held as Python dates
        "formula": ["=HYPERLINK(\"http://x\")", "+1", "-2"],  # never evaluated, never a link
    })
    frame.insert(2, "客户编号", frame["customer_id"])  # a company's own column that reads like a canonical one
    ws = load_workbook(write_workbook(tmp_path / "kinds.xlsx", {"名单": frame}, "zh-CN"))["名单"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:3] == ["客户编号", "note", "客户编号 (2)"]
    assert [r[1] for r in rows[1:]] == ["12", "十二", None]
    assert [r[3] for r in rows[1:]] == ["∞", "-∞", None]
    assert [r[4] for r in rows[1:]] == [3, None, 5] and ws["E2"].number_format == "#,##0"
    assert rows[1][5] == dt.datetime(2026, 10, 5, 9, 30) and ws["F2"].number_format == "yyyy-mm-dd hh:mm"
    assert rows[2][5] is None and rows[3][5] == dt.datetime(2026, 10, 6)
    assert [r[6] for r in rows[1:]] == [dt.datetime(2026, 10, 5), None, dt.datetime(2026, 11, 1)]
    assert ws["G2"].number_format == "yyyy-mm-dd"
    assert [ws.cell(row=r, column=8).data_type for r in (2, 3, 4)] == ["s", "s", "s"]
    assert [r[7] for r in rows[1:]] == ["=HYPERLINK(\"http://x\")", "+1", "-2"]
    assert not ws["H2"].hyperlink


def test_an_empty_list_keeps_its_headers_and_filter(tmp_path):
    frame = pd.DataFrame({"customer_id": pd.Series([], dtype=object), "grade": pd.Series([], dtype=object)})
    ws = load_workbook(write_workbook(tmp_path / "empty.xlsx", {"名单": frame}, "zh-CN",
                                      fills={"grade": GRADE_FILLS}))["名单"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["客户编号", "等级"]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:B1"


def test_rows_are_written_by_position_long_texts_cut_and_decimals_are_numbers(tmp_path):
    import decimal

    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3", "L4"], "consultant": ["甲", "乙", "甲", "乙"]})
    slice_ = leads[leads["consultant"] == "乙"]  # a slice keeps the labels 1 and 3 (review: rows went blank)
    long_text = "交期" * 20_000  # 40,000 characters; a cell holds 32,767
    extra = pd.DataFrame({"comment": [long_text], "amount": [decimal.Decimal("12.50")],
                          "other": [decimal.Decimal("NaN")]})
    ws = load_workbook(write_workbook(tmp_path / "x.xlsx", {"乙": slice_, "extra": extra}, "zh-CN"))
    assert [[c.value for c in row] for row in ws["乙"].iter_rows()] == [["登记编号", "销售顾问"], ["L2", "乙"],
                                                                       ["L4", "乙"]]
    cell = ws["extra"]["A2"].value
    assert len(cell) == 32_767 and cell.endswith("…") and cell.startswith("交期交期")
    assert ws["extra"]["B2"].value == 12.5 and ws["extra"]["C2"].value is None


def test_distinct_values_are_translated_once_without_taking_true_for_one():
    from analysis.i18n import map_distinct

    seen = []
    values = pd.Series(["a", "b", "a", None, "a"], dtype=object)
    assert map_distinct(values, lambda v: seen.append(v) or f"<{v}>").tolist() == ["<a>", "<b>", "<a>", "<None>",
                                                                                     "<a>"]
    assert seen == ["a", "b", None]  # each distinct value once, the blank once
    mixed = pd.Series([1, True, 0, False], dtype=object)
    assert map_distinct(mixed, repr).tolist() == ["1", "True", "0", "False"]
