"""Company files of other shapes than the demo's (issue 15, items 2 and 3).

- a customer archive with a churn flag (labelled Attrited / Existing Customer) and attributes, and an
  empty sales-statistics export: the churn page is built from the attributes;
- survey forms without answered dates (回收日期): forms with scores count as answered, the response
  rate is said to be unmeasurable, and the three pages that read surveys are built;
- survey forms without form numbers (调查编号): ids come from the customer and the sent date (one project
  lacks both survey columns: the two shapes do not touch each other, and one run builds their pages).

Each shape builds a site with exit 0, and the pages say what is left out in the words ``workbench
validate`` uses. The pure parts (ids, stand-in dates, churn shares, curves, the left-out list) are
checked by hand first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import churn, coverage, load_parameters, load_tables, satisfaction
from analysis.data.mapping import derived_ids
from analysis.data.store import Tables, validate_sources
from analysis.data.validate import TableInfo, ValidationReport
from analysis.errors import ConfigError
from analysis.i18n import render
from analysis.message import Message
from conftest import DEMO_MONTH, make_project, run_cli
from site_check import check_site, data_text, visible_text

pytestmark = pytest.mark.notebook

T = pd.Timestamp
LABELS = "data.labels={customers.churned: {Existing Customer: no, Attrited Customer: yes}}"
EMPTY_ORDERS_OK = "validation.severity={empty_file: warning}"


# ----------------------------------------------------------------------------- by hand

def test_derived_ids_number_repeats_in_file_order_across_chunks():
    seen: dict[str, int] = {}
    first = pd.DataFrame({"customer_id": ["C1", "C2", "C1"],
                          "sent_date": pd.to_datetime(["2026-09-01", "2026-09-01", "2026-09-01"])})
    second = pd.DataFrame({"customer_id": ["C1", "C1"], "sent_date": pd.to_datetime(["2026-09-01", "2026-09-02"])})
    # C1 on 09-01 is in rows 1 and 3 of the first chunk and row 1 of the second: plain, -2, -3 in that order
    assert derived_ids(first, ("customer_id", "sent_date"), seen).tolist() == [
        "C1-20260901", "C2-20260901", "C1-20260901-2"]
    assert derived_ids(second, ("customer_id", "sent_date"), seen).tolist() == ["C1-20260901-3", "C1-20260902"]


@pytest.fixture
def params(tmp_path):
    return load_parameters(root=make_project(tmp_path / "p"), month=DEMO_MONTH)


def test_forms_without_answered_dates_count_as_answered_when_scored(params):
    dims = {d: [4.0, None, None] for d in params.survey.dimensions}
    surveys = pd.DataFrame({"survey_id": ["S1", "S2", "S3"], "customer_id": ["C1", "C2", "C3"],
                            "sent_date": pd.to_datetime(["2026-09-01", "2026-09-10", "2026-10-02"]),
                            "overall": [None, None, 3.0], **dims})
    assert not satisfaction.has_answer_dates(surveys)
    dated = satisfaction.with_answer_dates(surveys, params)
    # S1 has item scores, S3 only the overall question: both came back, dated by their sending; S2 has nothing
    assert dated["answered_date"].tolist()[0] == T("2026-09-01") and pd.isna(dated["answered_date"].iloc[1])
    assert dated["answered_date"].iloc[2] == T("2026-10-02")
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"]})
    status = satisfaction.response_status(surveys, customers, params)
    # 3 sent in the survey period; S1 (items) answered; S3 has no item score, so it is not an answered form
    assert (status.measured, status.sent, status.answered, status.due) == (False, 3, 1, 0)
    assert np.isnan(status.rate) and status.pending.empty
    assert satisfaction.phone_register(surveys, customers, params).empty
    assert satisfaction.response_message(status, params).key == "sat.response_unmeasured"
    with_dates = surveys.assign(answered_date=pd.to_datetime(["2026-09-03", None, "2026-10-04"]))
    assert satisfaction.has_answer_dates(with_dates) and satisfaction.with_answer_dates(with_dates, params) is with_dates


def _tables(folder: Path, params, report: ValidationReport | None = None, **frames) -> Tables:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.assign(source_row=range(2, len(frame) + 2)).to_parquet(folder / f"{name}.parquet", index=False)
    return Tables(folder, report or ValidationReport(), params, reused=False)


def _flag_params(params):
    return params.model_copy(update={"churn": params.churn.model_copy(update={"label": "flag"})})


def test_curves_from_months_with_us_against_the_flag(params, tmp_path):
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4", "C5"], "tenure_months": [1.0, 2, 2, 3, 4],
                              "churned": [True, True, False, True, False]})
    orders = pd.DataFrame({"order_id": pd.Series(dtype=str), "customer_id": pd.Series(dtype=str),
                           "order_date": pd.Series(dtype="datetime64[ns]"), "amount": pd.Series(dtype=float)})
    flag = _flag_params(params)
    tables = _tables(tmp_path / "t", flag, customers=customers, orders=orders)
    assert not churn.has_orders(tables) and churn.curves_basis(tables, flag) == "tenure"
    curves = churn.retention_curves(tables, flag)
    # no grade column: one curve; the hand case of test_churn: t=1 0.8, t=2 0.6 (one censored), t=3 0.3, t=4 censored
    assert curves["segment"].unique().tolist() == ["all"]
    assert curves["survival"].tolist() == pytest.approx([0.8, 0.6, 0.3, 0.3])
    assert churn.curves_axis(tables, flag) == "churn.axis.tenure"


def test_churn_shares_by_segment_without_curves(params, tmp_path):
    # region A: 20 customers, 5 churned -> 25 %, Wilson 95 % interval 11.2 % .. 46.9 %; B: 4 customers, below
    # churn.min_segment (10): counted, no share; no tenure and no orders: no curves
    customers = pd.DataFrame({"customer_id": [f"C{i:02d}" for i in range(24)],
                              "region": ["A"] * 20 + ["B"] * 4, "churned": [True] * 5 + [False] * 15 + [True] * 4})
    flag = _flag_params(params)
    tables = _tables(tmp_path / "t", flag, customers=customers)
    assert churn.curves_basis(tables, flag) is None and churn.retention_curves(tables, flag).empty
    rates = churn.churn_rates(tables, flag)
    assert list(rates) == ["region"]  # the segment column grade is absent
    a, b = rates["region"].set_index("value").loc["A"], rates["region"].set_index("value").loc["B"]
    assert (a["customers"], a["churned_customers"], a["churn_rate"]) == (20, 5, 0.25)
    assert (a["rate_low"], a["rate_high"]) == pytest.approx((0.1119, 0.4687), abs=1e-4)
    assert (b["customers"], b["churned_customers"]) == (4, 4) and np.isnan(b["churn_rate"])
    assert churn.rates_finding("region", rates["region"], flag).values["high"] == "A"


def test_left_out_sections_name_the_missing_columns(params):
    def info(table, canonical, rows=10):
        return TableInfo(table, f"{table}.xlsx", None, rows, canonical, canonical, "x")

    report = ValidationReport(tables={
        "customers": info("customers", ["customer_id", "region", "churned"]),
        "orders": info("orders", ["order_id", "customer_id", "order_date", "amount"], rows=0),
        "surveys": info("surveys", ["customer_id", "sent_date", *params.survey.dimensions])})
    found = {(s.analysis, s.name): gaps for s, gaps in coverage.left_out(report, params)}
    # no answered dates and no comments in the surveys; no order rows: no value at risk, and no curves (neither
    # orders nor the archive's months with us); the churn model itself has the flag
    assert found[("satisfaction", "response")] == [[("surveys", "answered_date")]]
    assert ("satisfaction", "themes") in found
    assert found[("churn_risk", "value_at_risk")] == [[("orders", None)]]  # amount is there, the rows are not
    assert found[("churn_risk", "curves")] == [[("orders", None)], [("customers", "tenure_months")]]
    assert ("churn_risk", "churn_model") not in found
    assert not [k for k in found if k[0] == "lead_conversion"]  # no lead register: its page says so, not here
    text = render(coverage.messages(report, params, "satisfaction", "response")[0], "zh-CN")
    assert text == "客户满意度分析：回收率与电话回访名单从略，缺少“满意度调查”表的“回收日期”列。"
    assert [m.key for m in coverage.notes(report, params)] == ["page.derived_survey_id"]


# ----------------------------------------------------------------------------- a churn flag, no orders

def write_flag_archive(raw: Path, tenure: bool, n: int = 200, seed: int = 3) -> pd.DataFrame:
    """A customer archive of ``n`` customers with a churn flag labelled as a bank's export labels it, region,
    reputation and grade (and months with us); churn is likelier for short tenure, low reputation and the
    south. The sales statistics are exported with their headers and no rows."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["华东", "华南", "华北"], n)
    months = rng.integers(1, 60, n)
    reputation = rng.integers(1, 6, n)
    p = 1 / (1 + np.exp(-(0.3 - 0.06 * months + 1.0 * (region == "华南") - 0.4 * (reputation - 3))))
    churned = rng.random(n) < p
    frame = pd.DataFrame({"客户编号": [f"K{i:04d}" for i in range(n)], "区域": region, "行业口碑": reputation,
                          "客户等级": rng.choice(list("ABCD"), n),
                          "是否流失": np.where(churned, "Attrited Customer", "Existing Customer")})
    if tenure:
        frame.insert(4, "在网月数", months)
    raw.mkdir(parents=True, exist_ok=True)
    frame.to_csv(raw / "客户档案.csv", index=False)
    (raw / "销售统计.csv").write_text("订单编号,客户编号,下单日期,金额\n", "utf-8")
    return frame


def outcomes(project: Path) -> dict[str, str]:
    manifest = json.loads((project / "reports" / "runs" / DEMO_MONTH / "manifest.json").read_text("utf-8"))
    return {name: record["outcome"] for name, record in manifest["notebooks"].items()}


def page_text(project: Path, name: str) -> str:
    return re.sub(r"\s+", " ", visible_text((project / "reports" / "site" / DEMO_MONTH / f"{name}.html")
                                           .read_text("utf-8")))


def site_problems(project: Path, *overrides: str) -> list[str]:
    params = load_parameters(root=project, month=DEMO_MONTH, overrides=list(overrides))
    return check_site(project / "reports" / "site", "zh-CN", data_text(params, load_tables(params)))


def left_out_lines(project: Path, *overrides: str) -> list[str]:
    """The left-out sentences as validate words them (zh-CN), computed from the load."""
    params = load_parameters(root=project, month=DEMO_MONTH, overrides=list(overrides))
    report = load_tables(params).report
    return [render(m, "zh-CN") for m in coverage.notes(report, params) + coverage.messages(report, params)]


def test_a_label_the_flag_does_not_know_names_the_label_map(tmp_path):
    project = make_project(tmp_path / "p")
    write_flag_archive(project / "data" / "raw", tenure=False, n=12)
    params = load_parameters(root=project, month=DEMO_MONTH, overrides=[EMPTY_ORDERS_OK])
    report = validate_sources(params)
    issue = next(i for i in report.errors if i.check == "unknown_label")
    assert issue.column == "是否流失" and issue.count == 12
    # the fix shows the map to write, with the labels found (in file order, each once)
    found = list(dict.fromkeys(pd.read_csv(project / "data" / "raw" / "客户档案.csv")["是否流失"]))
    assert f"data.labels: {{customers.churned: {{{found[0]}: yes/no, {found[1]}: yes/no}}}}" in issue.lines()[0]
    mapped = load_parameters(root=project, month=DEMO_MONTH, overrides=[EMPTY_ORDERS_OK, LABELS])
    assert mapped.data.labels["customers.churned"] == {"Existing Customer": "no", "Attrited Customer": "yes"}
    churned = load_tables(mapped)["customers"]["churned"]
    expected = pd.read_csv(project / "data" / "raw" / "客户档案.csv")["是否流失"] == "Attrited Customer"
    assert churned.tolist() == expected.tolist()
    wrong = load_parameters(root=project, month=DEMO_MONTH, overrides=[
        EMPTY_ORDERS_OK, "data.labels={customers.churned: {Attrited Customer: lost}}"])
    with pytest.raises(ConfigError, match=r"data.labels\['customers.churned'\]\['Attrited Customer'\] must be yes or no"):
        validate_sources(wrong)


@pytest.fixture(scope="module")
def flag_run(tmp_path_factory) -> Path:
    """The flag archive with months with us, an empty sales export: validated and run (data quality, churn,
    grading), the site built."""
    project = make_project(tmp_path_factory.mktemp("flag") / "project", notebooks=True)
    write_flag_archive(project / "data" / "raw", tenure=True)
    validate = run_cli("--project", str(project), "validate", "--month", DEMO_MONTH, "-p", EMPTY_ORDERS_OK, "-p", LABELS)
    run = run_cli("--project", str(project), "run", "--month", DEMO_MONTH, "-p", EMPTY_ORDERS_OK, "-p", LABELS,
                  "-p", "run.notebooks=[data_quality,churn_risk,customer_grading]")
    return project, validate, run


def test_flag_and_attributes_without_orders_build_the_churn_page(flag_run):
    project, validate, run = flag_run
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert run.returncode == 0, run.stdout + run.stderr
    assert outcomes(project) == {"data_quality": "ok", "churn_risk": "ok", "customer_grading": "no_data"}
    lines = left_out_lines(project, EMPTY_ORDERS_OK, LABELS)
    # without order rows only the value at risk is left out: the curves come from the months with us
    assert lines == ["客户流失风险：风险价值从略，缺少“销售统计”表中的数据。"]
    assert f"- {lines[0]}" in validate.stdout
    text = page_text(project, "churn_risk")
    assert lines[0] in text  # the page says what validate said
    assert "流失定义：客户档案中的“是否流失”标记" in text and "不再下单" not in text  # the definition actually used
    assert "按流失概率排出挽留名单" in text and "按流失概率排序的挽留名单" in text
    assert "风险价值合计" not in text  # no sum of a value that does not exist
    assert "Kaplan-Meier 留存曲线（客户档案中的合作月数与流失标记）" in text
    grading = page_text(project, "customer_grading")
    assert "没有订单" in grading  # grading needs orders and says so; the run goes on
    assert site_problems(project, EMPTY_ORDERS_OK, LABELS) == []


def test_the_flag_model_learns_from_the_attributes(flag_run):
    project, _, _ = flag_run
    params = load_parameters(root=project, month=DEMO_MONTH, overrides=[EMPTY_ORDERS_OK, LABELS])
    tables = load_tables(params)
    result, labelled = churn.fit_churn_model(tables, params)
    assert "tenure_months" in result.spec.numeric and "region" in result.spec.categorical
    assert len(labelled) == 200 and result.validation_scheme == "stratified"
    scored = churn.score_customers(result, churn.current_features(tables, params), params)
    # the planted effects: short tenure churns more; the flagged customers are not scored
    assert len(scored) == int((~tables["customers"]["churned"]).sum())
    short = scored["tenure_months"] < 12
    assert scored.loc[short, "churn_probability"].mean() > scored.loc[~short, "churn_probability"].mean()
    assert not churn.has_value(scored) and "value_at_risk" not in churn.retention_list(scored)


def test_flag_without_months_with_us_shows_churn_shares_by_segment(tmp_path):
    project = make_project(tmp_path / "project", notebooks=True)
    write_flag_archive(project / "data" / "raw", tenure=False)
    run = run_cli("--project", str(project), "run", "--month", DEMO_MONTH, "-p", EMPTY_ORDERS_OK, "-p", LABELS,
                  "-p", "run.notebooks=[churn_risk]")
    assert run.returncode == 0, run.stdout + run.stderr
    assert outcomes(project) == {"churn_risk": "ok"}
    lines = left_out_lines(project, EMPTY_ORDERS_OK, LABELS)
    curves = "客户流失风险：留存曲线从略，缺少“销售统计”表中的数据，或“客户档案”表的“合作月数”列。"
    assert curves in lines
    text = page_text(project, "churn_risk")
    assert curves in text and "分组流失比例" in text
    assert "按等级分组的已流失客户比例" in text and "按区域分组的已流失客户比例" in text
    assert site_problems(project, EMPTY_ORDERS_OK, LABELS) == []


# ----------------------------------------------------------------------------- survey forms of other shapes

def survey_project(folder: Path, demo_raw: Path, drop: tuple[str, ...], repeat_first: bool = False) -> Path:
    """The session's demo files with survey columns removed (and the first form repeated at the end)."""
    project = make_project(folder, demo_raw, notebooks=True)
    path = project / "data" / "raw" / "客户满意度调查表.xlsx"
    wb = load_workbook(path)
    ws = wb.active
    headers = [c.value for c in ws[1]]
    for header in drop:
        ws.delete_cols(headers.index(header) + 1)
        headers.remove(header)
    if repeat_first:
        ws.append([c.value for c in ws[2]])
    wb.save(path)
    return project


@pytest.fixture(scope="module")
def survey_shapes_run(tmp_path_factory, demo_raw):
    """The session's demo files with survey forms that have neither answered dates nor form numbers (the first
    form repeated at the end): validated and run (the three pages that read surveys), the site built."""
    project = survey_project(tmp_path_factory.mktemp("survey-shapes") / "project", demo_raw, ("回收日期", "调查编号"),
                             repeat_first=True)
    validate = run_cli("--project", str(project), "validate", "--month", DEMO_MONTH)
    run = run_cli("--project", str(project), "run", "--month", DEMO_MONTH,
                  "-p", "run.notebooks=[satisfaction,churn_risk,customer_grading]")
    return project, validate, run


def test_surveys_without_answered_dates_build_the_three_pages(survey_shapes_run):
    project, validate, run = survey_shapes_run
    assert validate.returncode == 0 and run.returncode == 0, run.stdout + run.stderr
    assert outcomes(project) == {"satisfaction": "ok", "churn_risk": "ok", "customer_grading": "ok"}
    response = "客户满意度分析：回收率与电话回访名单从略，缺少“满意度调查”表的“回收日期”列。"
    assert response in left_out_lines(project) and f"- {response}" in validate.stdout
    # worked out from the file: forms sent in the survey period (the six months to the report month) and,
    # of them, those with any score (the repeated form is a form of its own)
    params = load_parameters(root=project, month=DEMO_MONTH)
    forms = pd.read_excel(project / "data" / "raw" / "客户满意度调查表.xlsx", dtype=object, engine="openpyxl")
    sent_at = pd.to_datetime(forms["发放日期"])
    start, end = satisfaction.survey_period(params)
    in_period = forms[(sent_at >= start) & (sent_at <= end)]
    scored = in_period[["品质", "交期", "服务", "价格", "技术", "沟通"]].notna().any(axis=1)
    text = page_text(project, "satisfaction")
    assert response in text
    assert f"本期发放 {len(in_period)} 份答卷，其中 {int(scored.sum())} 份有评分，视为已回收" in text
    assert "回收率无法计算" in text  # the conclusions say it too
    assert "需电话回访的客户" not in text  # no phone list without dates
    capa = load_workbook(next((project / "reports" / "runs" / DEMO_MONTH).glob("satisfaction_*.xlsx")))
    assert render(Message("excel.sheet.phone"), "zh-CN") not in capa.sheetnames
    assert site_problems(project) == []


def test_surveys_without_form_numbers_are_numbered_by_customer_and_day(survey_shapes_run):
    project, validate, run = survey_shapes_run
    assert validate.returncode == 0 and run.returncode == 0, run.stdout + run.stderr
    derived = render(Message("page.derived_survey_id"), "zh-CN")
    assert f"NOTE: {derived}" in validate.stdout
    surveys = load_tables(load_parameters(root=project, month=DEMO_MONTH))["surveys"]
    first, repeat = surveys.iloc[0], surveys.iloc[-1]
    base = f"{first['customer_id']}-{first['sent_date']:%Y%m%d}"
    assert (first["survey_id"], repeat["survey_id"]) == (base, f"{base}-2")  # the repeated form, in file order
    assert surveys["survey_id"].is_unique
    text = page_text(project, "satisfaction")
    assert derived in text  # the page says how its forms were told apart, as validate did


def test_only_the_two_required_tables_build_a_site_whose_pages_say_what_is_missing(tmp_path):
    """Issue 15 item 1: the customer archive and the sales statistics alone give exit 0 and a site; each page
    whose table is absent says which table and where to put it, and the index greys it."""
    from conftest import FIXTURES

    project = make_project(tmp_path / "p", notebooks=True)
    for name in ("客户档案.xlsx", "销售统计.xlsx"):
        (project / "data" / "raw" / name).write_bytes((FIXTURES / "good" / name).read_bytes())
    proc = run_cli("--project", str(project), "run", "--month", DEMO_MONTH,
                   "-p", "run.notebooks=[data_quality,satisfaction,lead_conversion]")
    assert proc.returncode == 0, proc.stderr
    assert outcomes(project) == {"data_quality": "ok", "satisfaction": "no_data", "lead_conversion": "no_data"}
    satisfaction_page = page_text(project, "satisfaction")
    assert "本页需要“满意度调查”表，本期未提供" in satisfaction_page and "data/raw/客户满意度调查表.xlsx" in satisfaction_page
    assert "本页需要“来店(电)登记”表" in page_text(project, "lead_conversion")
    month_page = (project / "reports" / "site" / DEMO_MONTH / "index.html").read_text("utf-8")
    assert month_page.count("wb-nodata") >= 2  # greyed with the reason on the month's page
    assert site_problems(project) == []
