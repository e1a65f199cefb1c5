"""Data layer: readers, mapping, every validation rule on the bad-file corpus, the atomic store, demo data."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pandas as pd
import pytest

from analysis import DataError, load_parameters, prepare_tables, validate_sources
from analysis.data.readers import detect_encoding, open_source, parse_dates, parse_numbers
from analysis.data.schema import TABLES, schema_markdown
from conftest import FIXTURES, make_project

TODAY = dt.date(2026, 11, 23)


def drop_in(project, case):
    """Copy the bad file(s) of ``case`` over the good project (a csv replaces the xlsx of the same name)."""
    raw = project / "data" / "raw"
    for item in (FIXTURES / "bad" / case).iterdir():
        shutil.copy2(item, raw / item.name)
        if item.suffix == ".csv":
            (raw / item.with_suffix(".xlsx").name).unlink(missing_ok=True)
    return load_parameters(root=project, month="2026-10")


def processed_tables(project):
    return sorted(p.name for p in (project / "data" / "processed").rglob("*.parquet"))


# ------------------------------------------------------------------ readers

def test_dates_in_every_company_format():
    cells = pd.Series(["2026-10-05", "2026/10/5", "2026年10月5日", "20261005", dt.datetime(2026, 10, 5, 9, 30),
                       46300, 20261005, " 2026.10.05 ", None, "", "2026-13-45", "next week"], dtype=object)
    dates, bad = parse_dates(cells)
    assert (dates[:8] == pd.Timestamp("2026-10-05")).all()
    assert dates[8:].isna().all()
    assert bad.tolist() == [False] * 10 + [True, True]


def test_a_month_alone_is_its_first_day_and_a_huge_number_is_not_a_date():
    """Targets are kept per month (2026年10月, 202610); a number no date can be is a located error, not a crash."""
    cells = pd.Series(["2026年10月", "2026-10", "2026/10", 202610, 202610.0, "202610",
                       3_000_000, 99_999_999, 202613], dtype=object)
    dates, bad = parse_dates(cells)
    assert (dates[:6] == pd.Timestamp("2026-10-01")).all()
    assert dates[6:].isna().all() and bad[6:].all()
    numeric, bad = parse_dates(pd.Series([202611.0, 46300.0, float("nan")]))  # a column read as numbers
    assert numeric.tolist()[:2] == [pd.Timestamp("2026-11-01"), pd.Timestamp("2026-10-05")]
    assert bad.tolist() == [False, False, False]


def test_datetimes_keep_the_time():
    dates, _ = parse_dates(pd.Series(["2026-10-05 14:30", dt.datetime(2026, 10, 5, 9, 5)], dtype=object),
                           keep_time=True)
    assert dates.tolist() == [pd.Timestamp("2026-10-05 14:30"), pd.Timestamp("2026-10-05 09:05")]


def test_numbers_stored_as_text():
    values, bad = parse_numbers(pd.Series(["1,234.50", "¥300", "12%", 7, 2.5, "一千", None, " "], dtype=object))
    assert values[:5].tolist() == [1234.5, 300.0, 12.0, 7.0, 2.5]
    assert bad.tolist() == [False] * 5 + [True, False, False]


def test_csv_encoding_is_detected(tmp_path):
    for encoding, expected in (("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes("客户编号,客户名称\nC001,苏州恒达精密机械有限公司\n".encode(encoding))
        assert detect_encoding(path) == expected
        raw = open_source(path)
        assert raw.headers == ["客户编号", "客户名称"]
        chunk = next(raw.chunks())
        assert chunk.iloc[0, 1] == "苏州恒达精密机械有限公司"
        assert chunk.index.tolist() == [2]  # row numbers as the user sees them


def test_xlsx_header_row_is_configurable(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["客户信息统计表"])
    ws.append([])
    ws.append(["客户编号", "客户名称"])
    ws.append(["C001", "某公司"])
    wb.save(tmp_path / "x.xlsx")
    raw = open_source(tmp_path / "x.xlsx", header_row=3)
    assert raw.headers == ["客户编号", "客户名称"]
    assert next(raw.chunks()).index.tolist() == [4]


def test_the_first_sheet_is_read_when_none_is_named():
    raw = open_source(FIXTURES / "good" / "销售统计.xlsx")
    assert raw.sheet == "销售明细"


# ------------------------------------------------------------------ good files, mapping

def test_good_files_load_with_types_and_labels(good_project):
    params = load_parameters(root=good_project, month="2026-10")
    tables = prepare_tables(params, today=TODAY)
    assert tables.report.errors == []
    orders = tables["orders"].set_index("order_id")
    assert orders.loc["SO2", "order_date"] == pd.Timestamp("2026-10-05")  # Excel serial 46300
    assert orders.loc["SO4", "order_date"] == pd.Timestamp("2026-10-05")  # 20261005
    assert orders.loc["SO2", "amount"] == 1234.5 and orders.loc["SO4", "amount"] == 300.0
    customers = tables["customers"].set_index("customer_id")
    assert customers.loc["C003", "customer_since"] == pd.Timestamp("2021-07-08")
    assert customers.loc["C003", "reputation"] == 5.0
    surveys = tables["surveys"].set_index("survey_id")
    assert surveys.loc["DC1", "quality"] == 5 and surveys.loc["DC1", "service"] == 3
    assert pd.isna(surveys.loc["DC1", "technology"])  # 不适用 is excluded, not scored as 1
    assert surveys.loc["DC2", "price"] == 3  # numbers accepted as they are
    assert set(tables.report.missing) == {"payments", "complaints", "leads", "lead_events", "requirements", "returns",
                                          "targets", "products"}


def test_company_headers_and_labels_map_through_parameters(tmp_path):
    from openpyxl import Workbook

    project = make_project(tmp_path / "p", FIXTURES / "good")
    wb = Workbook()
    ws = wb.active
    ws.title = "登记"
    ws.append(["No.", "Source", "Level", "Visit"])
    ws.append(["L1", "朋友推荐", "H", "First"])
    ws.append(["L2", "T 电话预约", "o", "再次"])
    wb.save(project / "data" / "raw" / "leads.xlsx")
    params = load_parameters(root=project, month="2026-10", overrides={
        "data.sources.leads": {"file": "leads.xlsx", "sheet": "登记",
                               "columns": {"No.": "lead_id", "Source": "channel", "Level": "intent_level",
                                           "Visit": "visit_type"}},
        "data.labels": {"leads.channel": {"朋友推荐": "referral"}}})
    leads = prepare_tables(params, today=TODAY)["leads"]
    assert leads["channel"].tolist() == ["referral", "phone"]
    assert leads["intent_level"].tolist() == ["H", "O"]
    assert leads["visit_type"].tolist() == ["first", "repeat"]


def test_four_level_scale_and_english_labels(tmp_path):
    from openpyxl import Workbook

    project = make_project(tmp_path / "p", FIXTURES / "good")
    wb = Workbook()
    ws = wb.active
    ws.title = "调查表"
    ws.append(["Survey ID", "Customer ID", "Sent Date", "Quality", "Delivery"])
    ws.append(["S1", "C001", "2026-09-01", "一般满意", "Excellent"])
    ws.append(["S2", "C002", "2026-09-01", "不满意", 3])
    wb.save(project / "data" / "raw" / "客户满意度调查表.xlsx")
    params = load_parameters(root=project, month="2026-10", overrides={
        "survey.scale": "four_level", "survey.dimensions": ["quality", "delivery"]})
    surveys = prepare_tables(params, today=TODAY)["surveys"]
    assert surveys["quality"].tolist() == [2.0, 1.0]
    assert surveys["delivery"].tolist() == [4.0, 3.0]


# ------------------------------------------------------------------ the bad-file corpus

BAD = [
    ("empty_file", "empty_file", "销售统计.xlsx: the file is empty. Export the table again."),
    ("header_only", "empty_file", "销售统计.xlsx, sheet 销售明细: the orders table has a header row but no data rows."),
    ("wrong_sheet", "missing_sheet", "销售统计.xlsx: sheet 销售明细 not found. The workbook has Sheet1. "
                                     "Set data.sources.<table>.sheet in parameters to one of them."),
    ("missing_column", "missing_column", "销售统计.xlsx, sheet 销售明细, column 金额 / 销售额: the required column "
                                         "amount (Order amount, CNY) is missing; headers found: 订单编号, 客户编号, "
                                         "下单日期, 数量, 产品名称. Add the column, or map your header to amount in "
                                         "data.sources.orders.columns."),
    ("text_in_number", "wrong_type", "销售统计.xlsx, sheet 销售明细, row 3, column 金额: amount must be a number. "
                                     "Got '一千'. Correct the cell"),
    ("out_of_range", "out_of_range", "销售统计.xlsx, sheet 销售明细, row 4, column 金额: amount must be at least 0. "
                                     "Got '-50'. Correct the cell."),
    ("unparseable_date", "wrong_type", "销售统计.xlsx, sheet 销售明细, row 5, column 下单日期: order_date must be a "
                                       "date such as 2026-10-05, 2026/10/5, 2026年10月5日 or 20261005. Got '2026-13-45'."),
    ("future_date", "future_date", "销售统计.xlsx, sheet 销售明细, row 2, column 下单日期: order_date must not be "
                                   "later than today (2026-11-23). Got '2099-01-01"),
    ("duplicate_key", "duplicate_key", "销售统计.xlsx, sheet 销售明细, row 5, column 订单编号: order_id must be "
                                       "unique; the same value is in rows SO1: 2, 5. Got 'SO1'."),
    ("orphan", "orphan", "销售统计.xlsx, sheet 销售明细, row 4, column 客户编号: customer_id must exist in the "
                         "customers table (客户档案.xlsx). Got 'C999'. Add it to 客户档案.xlsx or correct the number."),
    ("missing_value", "missing_value", "客户档案.xlsx, sheet 客户档案, row 3, column 客户编号: customer_id is "
                                       "required and may not be blank. Got ''."),
    ("merged_header", "merged_header", "客户档案.xlsx, sheet 客户档案, row 1: the header row has merged cells "
                                       "(B1:C1). Unmerge them"),
    ("unknown_label", "unknown_label", "客户满意度调查表.xlsx, sheet 调查表, row 3, column 品质: score must be one of "
                                       "很满意/非常满意/满意/一般/不满意/很不满意/非常不满意 or 1-5 (not applicable: "
                                       "不适用/N/A/NA). Got '满意度高'. Correct the cell or map the label in "
                                       "parameters/defaults.yaml (survey.scale_labels)."),
    ("out_of_scale", "unknown_label", "客户满意度调查表.xlsx, sheet 调查表, row 3, column 交期: score must be one of"),
    ("gb18030_missing_value", "missing_value", "销售统计.csv, row 3, column 客户编号: customer_id is required and "
                                               "may not be blank. Got ''."),
]


@pytest.mark.parametrize("case, check, message", BAD, ids=[b[0] for b in BAD])
def test_each_bad_file_gives_a_data_error_naming_the_place(good_project, case, check, message):
    params = drop_in(good_project, case)
    with pytest.raises(DataError) as info:
        prepare_tables(params, today=TODAY)
    issues = [i for i in info.value.issues if i.severity == "error"]
    assert check in {i.check for i in issues}
    text = "\n".join(line for i in issues for line in i.lines())
    assert message in text
    assert message in str(info.value)
    assert processed_tables(good_project) == []  # nothing written


def test_gb18030_csv_loads(good_project):
    params = drop_in(good_project, "gb18030_ok")
    tables = prepare_tables(params, today=TODAY)
    assert tables.report.tables["orders"].encoding == "gb18030"
    assert tables["orders"]["order_date"].dt.day.tolist() == [5, 6, 7]
    assert tables["orders"]["amount"].tolist() == [12000.5, 1234.5, 800.0]


def test_all_failures_of_a_file_are_reported_at_once(good_project):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "销售明细"
    ws.append(["订单编号", "客户编号", "下单日期", "金额"])
    for i in range(12):
        ws.append([f"S{i}", "C001", "坏日期", "abc"])
    wb.save(good_project / "data" / "raw" / "销售统计.xlsx")
    params = load_parameters(root=good_project, month="2026-10")
    report = validate_sources(params, today=TODAY)
    by_check = {(i.check, i.column): i for i in report.errors}
    assert by_check[("wrong_type", "金额")].count == 12
    assert by_check[("wrong_type", "下单日期")].count == 12
    assert len(by_check[("wrong_type", "金额")].cases) == params.validation.max_cases_shown
    assert "... and 7 more row(s)" in report.format()


def test_severity_can_be_lowered_to_a_warning(good_project):
    params = drop_in(good_project, "orphan")
    params = load_parameters(root=good_project, month="2026-10", overrides={"validation.severity": {"orphan": "warning"}})
    tables = prepare_tables(params, today=TODAY)
    assert [i.check for i in tables.report.warnings] == ["orphan"]


def test_unknown_columns_are_warnings(good_project):
    from openpyxl import load_workbook

    path = good_project / "data" / "raw" / "客户档案.xlsx"
    wb = load_workbook(path)
    wb.active.cell(row=1, column=20, value="微信号")
    wb.save(path)
    tables = prepare_tables(load_parameters(root=good_project, month="2026-10"), today=TODAY)
    assert [(i.check, i.column, i.severity) for i in tables.report.issues] == [("unknown_column", "微信号", "warning")]


def test_unmapped_survey_dimension_is_a_clear_error(good_project):
    params = load_parameters(root=good_project, month="2026-10",
                             overrides={"survey.dimensions": ["quality", "packaging"]})
    with pytest.raises(DataError, match=r"the survey dimension packaging \(survey.dimensions\) has no column"):
        prepare_tables(params, today=TODAY)


def test_missing_required_table(tmp_path):
    project = make_project(tmp_path / "p")
    with pytest.raises(DataError, match=r"data/raw/客户档案.xlsx: the required customers table is missing"):
        prepare_tables(load_parameters(root=project, month="2026-10"), today=TODAY)


def test_absent_optional_table_is_named_by_the_analysis_that_needs_it(good_project):
    tables = prepare_tables(load_parameters(root=good_project, month="2026-10"), today=TODAY)
    with pytest.raises(DataError, match=r"The lead analysis needs the leads table .* which is absent: no file at "
                                        r"data/raw/来店客户信息登记表.xlsx"):
        tables.require("leads", "The lead analysis")


# ------------------------------------------------------------------ the store

def test_failed_load_leaves_the_previous_tables(good_project):
    params = load_parameters(root=good_project, month="2026-10")
    first = prepare_tables(params, today=TODAY)
    before = processed_tables(good_project)
    params = drop_in(good_project, "text_in_number")
    with pytest.raises(DataError):
        prepare_tables(params, today=TODAY)
    assert processed_tables(good_project) == before
    pointer = (good_project / "data" / "processed" / "CURRENT").read_text()
    assert pointer == first.folder.name
    assert not list((good_project / "data" / "processed").glob(".staging-*"))


def test_processed_tables_are_reused_while_inputs_are_unchanged(good_project):
    params = load_parameters(root=good_project, month="2026-10")
    assert prepare_tables(params, today=TODAY).reused is False
    assert prepare_tables(params, today=TODAY).reused is True
    # a changed parameter that shapes the tables, or a changed file, loads again
    changed = load_parameters(root=good_project, month="2026-10", overrides={"survey.not_applicable": ["不适用", "无"]})
    assert prepare_tables(changed, today=TODAY).reused is False
    shutil.copy2(FIXTURES / "bad" / "gb18030_ok" / "销售统计.csv", good_project / "data" / "raw" / "销售统计.csv")
    (good_project / "data" / "raw" / "销售统计.xlsx").unlink()
    assert prepare_tables(params, today=TODAY).reused is False


def test_the_cache_survives_parameters_that_do_not_shape_the_tables(good_project):
    params = load_parameters(root=good_project, month="2026-10")
    first = prepare_tables(params, today=TODAY)
    for change in ({"survey.response_target": 0.85}, {"survey.score_target": 0.7}, {"churn.horizon_days": 60},
                   {"run.workers": 1}, {"data.keep_caches": 5}):
        again = prepare_tables(load_parameters(root=good_project, month="2026-10", overrides=change), today=TODAY)
        assert again.reused and again.folder == first.folder, change


def test_the_last_loads_are_kept_and_reused_when_switching_back(good_project):
    folder = lambda **o: prepare_tables(load_parameters(root=good_project, month="2026-10", overrides=o),  # noqa: E731
                                        today=TODAY)
    a = folder()
    b = folder(**{"survey.not_applicable": ["不适用", "无"]})
    assert not b.reused and a.folder.is_dir()  # the previous load stays (data.keep_caches: 3)
    assert folder().reused  # switching back reads no file
    c = folder(**{"company.founded": "2001-01-01"})
    d = folder(**{"company.founded": "2002-01-01"})
    # four loads, three kept: the least recently used (b) went; a, c and d stay
    kept = {p.name for p in (good_project / "data" / "processed").glob("tables-*")}
    assert kept == {a.folder.name, c.folder.name, d.folder.name}
    one = folder(**{"data.keep_caches": 1})  # the parameters of a again: reused, and the only one kept
    assert one.reused and {p.name for p in (good_project / "data" / "processed").glob("tables-*")} == {a.folder.name}


def test_validate_fills_the_cache_that_the_run_reuses(good_project):
    params = load_parameters(root=good_project, month="2026-10")
    report = validate_sources(params, today=TODAY)
    assert report.errors == []
    assert prepare_tables(params, today=TODAY).reused  # the run reads no file again
    # with an error, validate writes nothing and the previous load stays current
    before = processed_tables(good_project)
    params = drop_in(good_project, "text_in_number")
    assert validate_sources(params, today=TODAY).errors
    assert processed_tables(good_project) == before


def test_schema_table_for_users_lists_every_column():
    from analysis.data.schema import tables_document
    from conftest import ROOT

    assert (ROOT / "docs" / "data-tables.md").read_text("utf-8") == tables_document(), \
        "docs/data-tables.md is out of date: python -m analysis.data.schema > docs/data-tables.md"
    text = schema_markdown()
    for table in TABLES.values():
        assert f"### `{table.name}`" in text
        for column in table.columns:
            assert f"`{column.name}`" in text


# ------------------------------------------------------------------ demo data

def test_demo_data_round_trip_has_no_errors(demo_raw, tmp_path):
    project = make_project(tmp_path / "p", demo_raw)
    tables = prepare_tables(load_parameters(root=project, month="2026-10"))
    assert tables.report.errors == []
    # the one warning is the demo's own: complaints whose follow-up time precedes the reply, as a busy service
    # desk records them; the generator counts them as it writes the file
    truth = json.loads((demo_raw.parent / "processed" / "demo_truth" / "truth.json").read_text("utf-8"))
    assert [w.check for w in tables.report.warnings] == ["followup_before_reply"]
    assert tables.report.warnings[0].count == truth["followup_before_reply"] > 0
    assert set(tables.names) == set(TABLES)
    # realistic imperfections survived the round trip: text-typed numbers were parsed
    assert tables["customers"]["share_of_wallet"].notna().all()
    assert tables["customers"]["industry"].isna().any()


def test_demo_data_is_deterministic_for_a_seed(tmp_path):
    from analysis.data.demo import generate_demo_data

    frames = []
    for run in ("a", "b", "c"):
        raw = tmp_path / run / "data" / "raw"
        # as CSV: what is checked is the generator's seeding (the xlsx round trip is test_demo_data_round_trip)
        generate_demo_data(raw, customers=30, months=4, seed=3 if run != "c" else 4, leads=50, end_month="2026-10",
                           fmt="csv")
        project = make_project(tmp_path / run, raw)
        tables = prepare_tables(load_parameters(root=project, month="2026-10"))
        frames.append({name: tables[name] for name in tables.names})
    for name in frames[0]:
        pd.testing.assert_frame_equal(frames[0][name], frames[1][name])
    assert not frames[0]["orders"].equals(frames[2]["orders"])


def test_demo_data_plants_the_documented_effects(demo_raw):
    import json

    truth = json.loads((demo_raw.parent / "processed" / "demo_truth" / "truth.json").read_text("utf-8"))
    assert truth["strongest_driver"] == "delivery"
    assert truth["dissatisfied"] and truth["high_value"]
    leads = pd.read_parquet(demo_raw.parent / "processed" / "demo_truth" / "lead_truth.parquet")
    assert len(leads) == 400 and leads["p_convert"].between(0, 1).all()


# ------------------------------------------------------------------ hostile and mistaken workbooks (issue 14)

def _bomb(path, rows: int, merged_header: bool = False, formula: bool = False):
    """An xlsx whose sheet XML repeats one cell ``rows`` times: deflate shrinks it about a thousandfold."""
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "销售明细"
    ws.append(["订单编号", "客户编号", "下单日期", "金额", "数量"])
    wb.save(path)
    body = b'<row r="2"><c r="A2" t="inlineStr"><is><t>SO1</t></is></c></row>' * rows
    if formula:
        body = (b'<row r="2"><c r="A2" t="inlineStr"><is><t>SO1</t></is></c><c r="B2" t="inlineStr"><is><t>C001'
                b'</t></is></c><c r="C2" t="inlineStr"><is><t>2026-10-05</t></is></c><c r="D2"><v>100</v></c>'
                b'<c r="E2"><f>B7*2</f><v/></c></row>')
    tail = b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>' if merged_header else b""
    src = zipfile.ZipFile(path)
    items = [(info, src.read(info.filename)) for info in src.infolist()]
    src.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</row></sheetData>", b"</row>" + body + b"</sheetData>" + tail)
            out.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return path


def test_a_zip_bomb_is_refused_before_it_is_read(good_project):
    # 400,000 copies of a 64-byte row: 25.6 MB of XML in a file of a few dozen KB
    path = _bomb(good_project / "data" / "raw" / "销售统计.xlsx", 400_000)
    assert path.stat().st_size < 200_000
    params = load_parameters(root=good_project, month="2026-10", overrides={"data.max_uncompressed_mb": 10})
    with pytest.raises(DataError) as info:
        prepare_tables(params, today=TODAY)
    assert "销售统计.xlsx: a workbook must unpack to at most data.max_uncompressed_mb MB" in str(info.value)
    assert "Got one that unpacks to 24 MB" in str(info.value)
    assert [i.check for i in info.value.issues] == ["too_large"]
    # within the size limit, the cell count stops it: one cell per row, 400,000 cells past a limit of 100,000
    params = load_parameters(root=good_project, month="2026-10", overrides={"data.max_cells": 100_000})
    with pytest.raises(DataError, match=r"销售统计.xlsx, sheet 销售明细: .* Got one that holds more than 100,000 cells"):
        prepare_tables(params, today=TODAY)


def test_the_sheet_scan_streams(tmp_path):
    """Merged header cells listed after 25 MB of rows are found with a few MB of memory, before calamine reads."""
    import tracemalloc

    path = _bomb(tmp_path / "orders.xlsx", 400_000, merged_header=True)
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match=r"orders.xlsx, sheet 销售明细, row 1: the header row has merged cells \(A1:B1\)"):
            open_source(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 12 * 2**20  # blocks of 1 MB, never the 25 MB sheet


def test_a_formula_without_a_saved_value_is_a_warning_naming_the_cell(good_project):
    _bomb(good_project / "data" / "raw" / "销售统计.xlsx", 1, formula=True)
    tables = prepare_tables(load_parameters(root=good_project, month="2026-10"), today=TODAY)
    [issue] = [i for i in tables.report.issues if i.check == "formula_without_value"]
    assert issue.severity == "warning"
    assert issue.lines() == ["销售统计.xlsx, sheet 销售明细, row 2, column 数量: cell E2 must hold a value, not only a "
                             "formula; it has none saved and is read as blank. Got 'E2: =B7*2'. Open the workbook in "
                             "Excel, let it calculate, and save it again (or paste the column as values)."]
    assert tables["orders"]["quantity"].isna().all() and tables["orders"]["amount"].tolist() == [100.0]


CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: what Excel writes for .xls and encrypted .xlsx


@pytest.mark.parametrize("content, message", [
    # an encrypted workbook is a compound file whose directory names the EncryptionInfo stream
    (CFB + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(2000),
     "销售统计.xlsx: the workbook must be saved without a password. Got a password-protected"),
    (CFB + bytes(504) + "Workbook".encode("utf-16-le") + bytes(2000),
     "销售统计.xlsx: the file must be an .xlsx workbook. Got an old Excel 97-2003 (.xls) file named .xlsx."),
    ("订单编号,客户编号,下单日期,金额\nSO1,C001,2026-10-05,100\n".encode("gb18030"),
     "销售统计.xlsx: the file must be an .xlsx workbook. Got a text (csv) file named .xlsx. Rename it to .csv"),
], ids=["password", "xls", "csv"])
def test_workbooks_that_are_not_xlsx_each_get_their_message(good_project, content, message):
    (good_project / "data" / "raw" / "销售统计.xlsx").write_bytes(content)
    with pytest.raises(DataError) as info:
        prepare_tables(load_parameters(root=good_project, month="2026-10"), today=TODAY)
    assert message in str(info.value)


def test_a_bad_byte_far_down_a_csv_is_reported_at_its_line(good_project):
    raw = good_project / "data" / "raw"
    lines = ["订单编号,客户编号,下单日期,金额"] + [f"SO{i},C001,2026-10-05,100" for i in range(1, 60_000)]
    # line 1 is the header, lines 2..60,000 hold SO1..SO59999; line 60,001 has a byte that is not UTF-8
    data = ("\n".join(lines) + "\n").encode("utf-8") + b"SO60000,C0\xff01,2026-10-05,100\n"
    (raw / "销售统计.xlsx").unlink()
    (raw / "销售统计.csv").write_bytes(data)
    with pytest.raises(DataError) as info:
        prepare_tables(load_parameters(root=good_project, month="2026-10"), today=TODAY)
    text = str(info.value)
    assert "销售统计.csv, line 60001, character 11: the text must be valid UTF-8. Got the bytes b'\\xff01,'" in text
    assert "sheet" not in text  # data.sources.orders.sheet is set, but a csv has no sheet


def test_a_csv_row_with_too_many_fields_is_reported_at_its_line(good_project):
    raw = good_project / "data" / "raw"
    (raw / "销售统计.xlsx").unlink()
    (raw / "销售统计.csv").write_text("订单编号,客户编号,下单日期,金额\nSO1,C001,2026-10-05,100\n"
                                      "SO2,C001,2026-10-05,1,234.50\n", "utf-8")
    with pytest.raises(DataError) as info:
        prepare_tables(load_parameters(root=good_project, month="2026-10"), today=TODAY)
    text = str(info.value)
    assert "销售统计.csv, line 3: each row must have 4 fields, as many as the header row. Got 5." in text
    assert "sheet" not in text
