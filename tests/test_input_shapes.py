"""Input as companies type it and mapping without reading the code (issue 15, items 4 and 8).

Full-width digits and dates, 元 after amounts, unknown labels counted per distinct value, YAML numbers where
text is expected, feature names checked against the tables, a report month past the data's end, validation
findings in the site's language, and the documented `extra` examples loading as parameters.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import ConfigError, DataError, load_parameters, prepare_tables, validate_sources
from analysis.data.readers import parse_dates, parse_numbers
from analysis.i18n import render
from analysis.validation_text import issue_lines, report_text, revive
from conftest import ROOT, make_project, run_cli

TODAY = dt.date(2026, 11, 23)
MONTH = "2026-10"


def csv_project(tmp_path, customers: list[dict], orders: list[dict], surveys: list[dict] | None = None,
                month_yaml: str | None = None, notebooks: bool = False):
    """A project whose customer archive and sales statistics (and surveys) are the given rows, as csv files."""
    project = make_project(tmp_path / "p", notebooks=notebooks)
    raw = project / "data" / "raw"
    pd.DataFrame(customers).to_csv(raw / "客户档案.csv", index=False)
    pd.DataFrame(orders).to_csv(raw / "销售统计.csv", index=False)
    if surveys is not None:
        pd.DataFrame(surveys).to_csv(raw / "客户满意度调查表.csv", index=False)
    if month_yaml:
        (project / "parameters" / f"{MONTH}.yaml").write_text(month_yaml, "utf-8")
    return project


def order(order_id, customer, date="2026-10-05", amount="100"):
    return {"订单编号": order_id, "客户编号": customer, "下单日期": date, "金额": amount}


# ------------------------------------------------------------------ full-width input (item 8)

def test_full_width_digits_signs_and_yuan_are_numbers():
    cells = pd.Series(["１２", "3500元", "３,５００ 元", "￥1，234．50", "－５", "１２％", "12", 7.0, None, "一千"], dtype=object)
    numbers, bad = parse_numbers(cells)
    # NFKC turns １２ into 12, ￥ into ¥, ， into "," and ． into "."; 元, ¥, "," and % are then stripped
    assert numbers[:8].tolist() == [12.0, 3500.0, 3500.0, 1234.5, -5.0, 12.0, 12.0, 7.0]
    assert bad.tolist() == [False] * 9 + [True]  # a blank is not bad; Chinese numerals are not numbers


def test_full_width_dates_are_dates():
    cells = pd.Series(["２０２６－１０－０５", "２０２６年１０月５日", "２０２６／１０／５", "２０２６１００５", "2026-10-05",
                       "２０２６－１３－０５"], dtype=object)
    dates, bad = parse_dates(cells)
    assert (dates[:5] == pd.Timestamp("2026-10-05")).all()
    assert bad.tolist() == [False] * 5 + [True]  # month 13 stays an error after normalising


def test_full_width_customer_numbers_grades_and_amounts_load(tmp_path):
    # Ｃ００１ in the archive and C001 in the orders are one customer (no orphan); Ａ is the grade A
    project = csv_project(tmp_path, [{"客户编号": "Ｃ００１", "客户等级": "Ａ"}, {"客户编号": "C002", "客户等级": "B"}],
                          [order("SO1", "C001", "２０２６－１０－０５", "３５００元"),
                           order("SO2", "Ｃ００２", "2026/10/6", "1，200")])
    tables = prepare_tables(load_parameters(root=project, month=MONTH), today=TODAY)
    assert tables["customers"]["customer_id"].tolist() == ["C001", "C002"]
    assert tables["customers"]["grade"].tolist() == ["A", "B"]
    assert tables["orders"]["customer_id"].tolist() == ["C001", "C002"]
    assert tables["orders"]["amount"].tolist() == [3500.0, 1200.0]
    assert tables["orders"]["order_date"].tolist() == [pd.Timestamp("2026-10-05"), pd.Timestamp("2026-10-06")]
    assert not [i for i in tables.report.issues if i.check in ("orphan", "wrong_type", "unknown_label")]


# ------------------------------------------------------------------ unknown labels per distinct value (item 4)

GRADES = ["Gold", "Gold", "Silver", "Gold", "Silver", "A"]  # rows 2..7 of the file


def _grade_project(tmp_path, month_yaml=None):
    customers = [{"客户编号": f"C{i}", "客户等级": g} for i, g in enumerate(GRADES, 1)]
    return csv_project(tmp_path, customers, [order("SO1", "C1")], month_yaml=month_yaml)


def test_unknown_labels_are_listed_once_each_with_their_rows(tmp_path):
    project = _grade_project(tmp_path)
    report = validate_sources(load_parameters(root=project, month=MONTH), today=TODAY)
    issue = next(i for i in report.issues if i.check == "unknown_label")
    # Gold in rows 2, 3, 5 (3 rows, first 2); Silver in rows 4, 6 (2 rows, first 4); A is a grade
    assert (issue.count, issue.distinct, issue.values) == (5, 2, [("Gold", 3, 2), ("Silver", 2, 4)])
    assert issue.lines() == ["客户档案.csv, column 客户等级: grade must be one of A/B/C/D. Got 'Gold' in 3 row(s) from "
                             "row 2, 'Silver' in 2 row(s) from row 4. Correct the cell or map the label in "
                             "parameters/defaults.yaml (data.labels['customers.grade'])."]
    assert issue_lines(issue, "zh-CN") == ["客户档案.csv，列 客户等级：grade 必须是 A/B/C/D 之一。实际为 'Gold'（3 行，首见第 2 行）"
                                           "、'Silver'（2 行，首见第 4 行）。请更正单元格，或在 parameters/defaults.yaml "
                                           "中映射该标签（data.labels['customers.grade']）。"]
    assert issue.cases == [(2, "Gold"), (4, "Silver")]  # the data-quality page's examples: one per value


def test_more_distinct_labels_than_shown_are_summed_up(tmp_path):
    project = _grade_project(tmp_path, "validation:\n  max_cases_shown: 1\n")
    report = validate_sources(load_parameters(root=project, month=MONTH), today=TODAY)
    issue = next(i for i in report.issues if i.check == "unknown_label")
    assert "Got 'Gold' in 3 row(s) from row 2, and 1 other value(s) in 2 row(s)." in issue.lines()[0]


# ------------------------------------------------------------------ YAML numbers where text is expected (item 4)

def test_yaml_numbers_as_not_applicable_answers_and_label_keys(tmp_path):
    # not_applicable: [0] (a YAML number) makes the answer 0 blank, not an unknown label; {1: A} maps grade 1
    month_yaml = ("survey:\n  not_applicable: [0]\n  dimensions: [quality]\n"
                  "data:\n  labels:\n    customers.grade: {1: A, 2: B}\n")
    project = csv_project(tmp_path, [{"客户编号": "C1", "客户等级": 1}, {"客户编号": "C2", "客户等级": 2}],
                          [order("SO1", "C1")],
                          [{"调查编号": "S1", "客户编号": "C1", "发放日期": "2026-10-01", "回收日期": "2026-10-03", "品质": 0},
                           {"调查编号": "S2", "客户编号": "C2", "发放日期": "2026-10-01", "回收日期": "2026-10-03", "品质": 5}],
                          month_yaml=month_yaml)
    tables = prepare_tables(load_parameters(root=project, month=MONTH), today=TODAY)
    assert tables["customers"]["grade"].tolist() == ["A", "B"]
    assert tables["surveys"]["quality"].isna().tolist() == [True, False]
    assert tables["surveys"]["quality"].iloc[1] == 5.0


# ------------------------------------------------------------------ feature names (item 4)

def test_a_typing_slip_in_a_feature_list_is_refused_with_the_closest_name(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "parameters" / f"{MONTH}.yaml").write_text(
        "churn:\n  features:\n    numeric: [reputaton, share_of_wallet]\n", "utf-8")
    with pytest.raises(ConfigError) as info:
        load_parameters(root=project, month=MONTH)
    text = str(info.value)
    assert f"parameters/{MONTH}.yaml [key path: 'churn/features/numeric/0']" in text
    assert "Got 'reputaton'" in text and "Did you mean 'reputation'?" in text
    assert "share_of_wallet" not in text.split("Got")[0]  # only the unknown name is named as wrong
    with pytest.raises(ConfigError, match=r"leads/features/categorical/0.*Did you mean 'channel'"):
        load_parameters(root=project, month="2026-09", overrides={"leads.features.categorical": ["Channel"]})


def test_declared_extra_columns_and_computed_features_are_known_names(tmp_path):
    project = make_project(tmp_path / "p")
    params = load_parameters(root=project, month=MONTH, overrides={
        "data.sources.leads.extra": {"age_group": {"header": "年龄段"}},
        "leads.features.categorical": ["age_group"], "churn.features.numeric": ["reputation", "recency_days"]})
    assert params.leads.features.categorical == ["age_group"]


def test_the_documented_extra_examples_load_as_parameters(tmp_path):
    from analysis.data.docs import EXTRA_EXAMPLES, example_yaml

    project = make_project(tmp_path / "p")
    for table, (columns, _) in EXTRA_EXAMPLES.items():
        (project / "parameters" / f"{MONTH}.yaml").write_text(example_yaml(table), "utf-8")
        params = load_parameters(root=project, month=MONTH)
        extra = params.data.sources[table].extra
        assert {name: (e.header, e.dtype) for name, e in extra.items()} == {
            name: (header, dtype) for name, header, dtype, _ in columns}, table
    docs = (ROOT / "docs" / "data-tables.md").read_text("utf-8")  # the page shows these very examples
    assert all("```yaml\n" + example_yaml(table) in docs for table in EXTRA_EXAMPLES)


# ------------------------------------------------------------------ a report month past the data (item 4)

def _march_project(tmp_path, month_yaml=None, notebooks=False):
    # the last order is dated 2026-03-20: the data ends there
    return csv_project(tmp_path, [{"客户编号": "C1"}], [order("SO1", "C1", "2026-03-02"), order("SO2", "C1", "2026-03-20")],
                       month_yaml=month_yaml, notebooks=notebooks)


def test_a_month_well_past_the_data_says_where_the_data_ends(tmp_path):
    project = _march_project(tmp_path)
    issue = next(i for i in validate_sources(load_parameters(root=project, month=MONTH), today=TODAY).issues
                 if i.check == "month_after_data")
    # 2026-10-01 is 195 days after 2026-03-20 (11 days of March, then 30+31+30+31+31+30 = 183)
    assert issue.severity == "error"
    assert issue.detail.startswith("--month 2026-10: the report month must lie within the data. Got a month that "
                                   "begins 195 days after the data ends (2026-03-20, the latest date in 销售统计.csv). "
                                   "Run with --month 2026-03")
    with pytest.raises(DataError):
        prepare_tables(load_parameters(root=project, month=MONTH), today=TODAY)
    # April begins 12 days after the data ends: within the 31 days a late export may lag
    april = validate_sources(load_parameters(root=project, month="2026-04"), today=TODAY)
    assert "month_after_data" not in {i.check for i in april.issues}


def test_a_month_past_the_data_can_be_run_as_a_warning(tmp_path):
    project = _march_project(tmp_path, "validation:\n  severity: {month_after_data: warning}\n")
    tables = prepare_tables(load_parameters(root=project, month=MONTH), today=TODAY)
    assert [i.severity for i in tables.report.issues if i.check == "month_after_data"] == ["warning"]


# ------------------------------------------------------------------ findings in the site's language (item 8)

def _bad_amount_project(tmp_path):
    return csv_project(tmp_path, [{"客户编号": "C1"}], [order("SO1", "C1"), order("SO2", "C1", amount="一千")],
                       notebooks=True)


def test_validate_speaks_the_site_language_and_english_stays_as_it_was(tmp_path):
    project = _bad_amount_project(tmp_path)
    zh = run_cli("--project", str(project), "validate", "--month", MONTH)
    assert zh.returncode == 2, zh.stderr
    assert "错误（运行停止）：1 项检查未通过，共 1 行" in zh.stdout
    assert "- [类型错误（wrong_type）] 销售统计.csv，列 金额：1 行" in zh.stdout
    assert ("销售统计.csv，第 3 行，列 金额：amount 必须是数字。实际为 '一千'。请更正单元格：数字，可带千位分隔符、¥ 或 %。"
            in zh.stdout)
    assert f"  {'payments':<12} {'缺失':>10}  未找到文件 data/raw/回款记录.xlsx" in zh.stdout
    en = run_cli("--project", str(project), "validate", "--month", MONTH, "-p", "site.language=en")
    assert en.returncode == 2
    report = validate_sources(load_parameters(root=project, month=MONTH, overrides={"site.language": "en"}))
    assert report.format() in en.stdout  # English: the findings' own text, as before
    assert "销售统计.csv, row 3, column 金额: amount must be a number. Got '一千'. Correct the cell" in en.stdout


def test_a_run_stopped_by_the_data_says_why_in_the_site_language(tmp_path):
    project = _bad_amount_project(tmp_path)
    proc = run_cli("--project", str(project), "run", "--month", MONTH, "--no-site")
    assert proc.returncode == 2
    assert "error: 1 项检查未通过，涉及 1 行；未写入任何数据。" in proc.stderr
    assert "实际为 '一千'" in proc.stderr and "Traceback" not in proc.stderr


def test_the_english_catalogue_says_what_the_findings_say(tmp_path):
    """Every sentence a finding carries for the catalogue reads, in English, as the finding's own text: the
    catalogue cannot drift from the messages the tests above pin down."""
    customers = [{"客户编号": "C1", "客户等级": "Gold", "行业口碑": "x", "合作起始日期": "2099-01-01", "是否流失": "maybe",
                  "备注栏": "?"},
                 {"客户编号": "", "客户等级": "A", "行业口碑": 9, "合作起始日期": "1990-01-01", "是否流失": "是", "备注栏": ""}]
    orders = [order("SO1", "C1", "2026-13-45"), order("SO1", "C9", "2026-10-01", "-5")]
    project = csv_project(tmp_path, customers, orders,
                          [{"调查编号": "S1", "客户编号": "C1", "发放日期": "2026-10-01", "品质": "满意度高"}])
    report = validate_sources(load_parameters(root=project, month=MONTH), today=TODAY)
    checked = set()
    for issue in report.issues:
        reason, remedy = revive(issue.reason), revive(issue.remedy)
        if issue.detail or reason is None:
            continue
        assert render(reason, "en") == issue.expected, issue.check
        if remedy is not None and issue.check not in ("followup_before_reply",):
            assert render(remedy, "en") == issue.fix, issue.check
        checked.add(issue.check)
        assert all(line.strip() for line in issue_lines(issue, "zh-CN"))
    assert {"unknown_label", "wrong_type", "out_of_range", "future_date", "before_founding", "missing_value",
            "unknown_column", "missing_column"} <= checked
    assert report_text(report, "en") == report.format()


def test_findings_read_back_from_the_load_cache_speak_the_same(tmp_path):
    """A reused load reads its findings from report.json: their catalogue messages come back as the same
    Message objects (a branch's report equals the company's) and are said exactly as the fresh ones."""
    from analysis.data.validate import Issue

    project = _grade_project(tmp_path, "validation:\n  severity: {unknown_label: warning}\n")
    report = validate_sources(load_parameters(root=project, month=MONTH), today=TODAY)
    for issue in report.issues:
        again = Issue.from_dict(issue.to_dict())
        assert again == issue
        assert issue_lines(again, "zh-CN") == issue_lines(issue, "zh-CN")
        assert again.lines() == issue.lines()
