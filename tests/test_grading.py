"""Grading: quota counts by hand (ties, small n), weights validation, provisional and downgrade rules,
migration, policies, the graded Excel list; the planted customers on demo data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import ConfigError, load_parameters, load_tables
from analysis import churn, grading
from analysis.data.store import Tables
from analysis.data.validate import ValidationReport
from conftest import build_demo, make_project

T = pd.Timestamp


@pytest.fixture
def params(tmp_path):
    return load_parameters(root=make_project(tmp_path / "p"), month="2026-10")


def scores(values, sales=None):
    n = len(values)
    return pd.DataFrame({"customer_id": [f"C{i:02d}" for i in range(n)], "score": values,
                         "sales": sales if sales is not None else [0.0] * n})


@pytest.mark.parametrize("n, expected", [
    (10, {"A": 2, "B": 3, "C": 4, "D": 1}),
    (7, {"A": 1, "B": 3, "C": 2, "D": 1}),   # 1.4 -> 1; 3.5 -> 4 (halves up); 6.3 -> 6
    (3, {"A": 1, "B": 1, "C": 1, "D": 0}),   # 0.6 -> 1; 1.5 -> 2; 2.7 -> 3
    (1, {"A": 0, "B": 1, "C": 0, "D": 0}),   # 0.2 -> 0; 0.5 -> 1 (halves round up)
])
def test_quota_counts_by_hand(params, n, expected):
    grades = grading.assign_grades(scores(list(range(n, 0, -1))), params)
    counts = {g: int((grades == g).sum()) for g in "ABCD"}
    # cumulative boundaries: round(n x 0.2), round(n x 0.5), round(n x 0.9), n
    bounds = [int(np.floor(n * c + 0.5 + 1e-9)) for c in (0.2, 0.5, 0.9, 1.0)]
    assert counts == {g: b - a for g, a, b in zip("ABCD", [0, *bounds[:3]], bounds)}
    assert counts == expected


def test_ties_are_broken_by_sales_then_customer_number(params):
    frame = scores([90, 90, 90, 50, 40, 30, 20, 10, 5, 1], sales=[100, 300, 300, 0, 0, 0, 0, 0, 0, 0])
    grades = grading.assign_grades(frame, params)
    # two A places for three customers on 90 points: the larger sales win; equal sales -> lower number
    assert grades.tolist()[:3] == ["B", "A", "A"]
    frame = scores([90, 90, 90, 50, 40, 30, 20, 10, 5, 1], sales=[100, 300, 300, 0, 0, 0, 0, 0, 0, 0])
    assert grading.assign_grades(frame, params).tolist() == grades.tolist()  # deterministic


def test_threshold_method(tmp_path):
    params = load_parameters(root=make_project(tmp_path / "p"), month="2026-10",
                             overrides={"grading.method": "thresholds"})
    grades = grading.assign_grades(scores([95, 80, 79.9, 65, 50, 44]), params)
    assert grades.tolist() == ["A", "A", "B", "B", "C", "D"]


@pytest.mark.parametrize("override, message", [
    ({"grading.weights.sales_volume": 30}, "grading.weights must sum to 100; they sum to 105"),
    ({"grading.quotas": {"A": 0.3, "B": 0.3, "C": 0.3, "D": 0.3}}, "grading.quotas must give A, B, C and D summing to 1"),
    ({"grading.rules.payment": {"method": "values"}}, "method values needs a map of values"),
    ({"grading.segments.A.high": "cherish"}, "[key path: 'grading/segments/A/high']"),
])
def test_parameters_are_validated(tmp_path, override, message):
    with pytest.raises(ConfigError) as info:
        load_parameters(root=make_project(tmp_path / "p"), month="2026-10", overrides=override)
    assert message in str(info.value)


def small_company(params, tmp_path, with_payments=True):
    orders = pd.DataFrame({
        "order_id": [f"O{i}" for i in range(8)],
        "customer_id": ["C1", "C1", "C1", "C2", "C2", "C3", "C4", "C4"],
        "order_date": pd.to_datetime(["2026-01-10", "2026-05-10", "2026-10-01", "2026-03-01", "2026-09-01",
                                      "2026-08-15", "2025-12-01", "2026-10-20"]),
        "amount": [1000.0, 1000.0, 1000.0, 500.0, 500.0, 200.0, 50.0, 50.0],
        "margin": [300.0, 300.0, 300.0, 100.0, 100.0, 20.0, 5.0, 5.0]})
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"],
                              "customer_since": pd.to_datetime(["2015-01-01", "2020-01-01", "2026-07-01", "2019-01-01"]),
                              "sales_model": ["direct", "distributor", "agent", "direct"],
                              "share_of_wallet": [70.0, 45.0, None, 10.0], "reputation": [5.0, 4.0, 3.0, 2.0]})
    frames = {"orders": orders, "customers": customers}
    if with_payments:
        frames["payments"] = pd.DataFrame({
            "payment_id": ["P1", "P2", "P3", "P4"], "customer_id": ["C1", "C2", "C2", "C4"],
            "due_date": pd.to_datetime(["2026-09-01", "2026-08-10", "2026-09-20", "2026-09-01"]),
            "paid_date": pd.to_datetime(["2026-08-30", "2026-09-30", None, "2026-09-01"]), "amount": [1.0] * 4})
    folder = tmp_path / "tables"
    folder.mkdir(parents=True)
    for name, frame in frames.items():
        frame.assign(source_row=range(2, len(frame) + 2)).to_parquet(folder / f"{name}.parquet")
    return Tables(folder, ValidationReport(), params, reused=False)


def test_late_payments_are_counted_in_the_window_the_parameter_names(params, tmp_path):
    # C2's invoices fell due on 10 Aug (paid 30 Sep) and 20 Sep (unpaid): both late, both in the third quarter.
    # Report month October: the calendar quarter so far is 1-31 Oct -> 0; the three months Aug-Oct -> 2.
    assert grading.late_payment_window(params) == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"))
    graded, _ = grading.grade_customers(small_company(params, tmp_path), params)
    c2 = graded.set_index("customer_id").loc["C2"]
    assert c2["late_payments"] == 0 and not c2["terms_downgrade"]
    rolling = params.model_copy(update={"grading": params.grading.model_copy(update={"late_payment_window": "rolling_3_months"})})
    assert grading.late_payment_window(rolling) == (pd.Timestamp("2026-08-01"), pd.Timestamp("2026-10-31"))
    graded, _ = grading.grade_customers(small_company(rolling, tmp_path / "r"), rolling)
    assert graded.set_index("customer_id").loc["C2", "late_payments"] == 2


def test_criteria_points_provisional_and_terms_downgrade(params, tmp_path):
    params = params.model_copy(update={"grading": params.grading.model_copy(update={"late_payment_window": "rolling_3_months"})})
    tables = small_company(params, tmp_path)
    graded, notes = grading.grade_customers(tables, params)
    graded = graded.set_index("customer_id")
    assert graded.loc["C1", "sales"] == 3000.0 and graded.loc["C1", "sales_volume"] == 25.0  # top percentile
    assert graded.loc["C1", "payment"] == 15.0  # paid before the due date
    assert graded.loc["C2", "payment"] == 0.0  # 0 of 2 invoices on time
    assert graded.loc["C1", "share_of_wallet"] == 10.0 and graded.loc["C2", "share_of_wallet"] == 7.0
    assert notes["share_of_wallet"]["missing"] == 1  # C3 gets the median points
    assert graded.loc["C3", "provisional"] and not graded.loc["C1", "provisional"]  # known since July: < 6 months
    assert graded.loc["C2", "late_payments"] == 2 and graded.loc["C2", "terms_downgrade"]
    # the downgrade takes the payment terms of the next grade down, the rest of the policy stays
    grade = graded.loc["C2", "grade"]
    lower = "ABCD"["ABCD".index(grade) + 1]
    assert graded.loc["C2", "payment_terms"] == params.grading.policies[lower].payment_terms
    assert graded.loc["C2", "discount"] == params.grading.policies[grade].discount
    assert abs(graded.loc["C1", "score"] - graded.loc["C1", list(grading.CRITERIA)].sum()) < 1e-9
    assert graded.loc["C1", "grade"] == "A"


def test_a_criterion_without_data_is_reported_and_redistributed_only_when_asked(params, tmp_path):
    tables = small_company(params, tmp_path, with_payments=False)
    graded, notes = grading.grade_customers(tables, params)
    assert notes["payment"]["method"] == "no_data" and (graded["payment"] == 0).all()
    assert graded["score"].max() <= 85 + 1e-9
    spread = load_parameters(root=params.root, month="2026-10", overrides={"grading.redistribute_missing": True})
    graded, notes = grading.grade_customers(small_company(spread, tmp_path / "b", with_payments=False), spread)
    assert notes["payment"]["weight"] == 0 and notes["sales_volume"]["weight"] == pytest.approx(25 * 100 / 85)
    assert graded["score"].max() > 85


def test_migration_matrix_and_the_criteria_that_moved(params):
    before = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"], "grade": ["A", "B", "C", "D"]})
    now = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C5"], "grade": ["A", "A", "D", "C"]})
    table = grading.migration(now, before)
    assert table.loc["A", "A"] == 1 and table.loc["B", "A"] == 1 and table.loc["C", "D"] == 1
    assert table.loc["D", "gone"] == 1 and table.loc["new", "C"] == 1
    full = lambda frame, pts: frame.assign(score=[sum(p) for p in pts], **{  # noqa: E731
        c: [p[i] for p in pts] for i, c in enumerate(grading.CRITERIA)})
    pts_before = [[20, 10, 10, 5, 5, 5, 5, 5]] * 4
    pts_now = [[20, 10, 10, 5, 5, 5, 5, 5], [25, 15, 10, 5, 5, 5, 5, 5], [5, 10, 10, 1, 5, 5, 5, 5], [1] * 8]
    changes = grading.grade_changes(full(now, pts_now), full(before, pts_before))
    assert changes[["customer_id", "change"]].values.tolist() == [["C2", "up"], ["C3", "down"]]
    assert changes.iloc[0]["criteria"] == ["sales_volume", "payment"]
    assert changes.iloc[1]["criteria"] == ["sales_volume", "order_quantity"]


def test_action_segments_and_lapsed_customers(params):
    graded = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"], "grade": ["A", "A", "C", "D"],
                           "sales": [1.0, 2.0, 3.0, 4.0]})
    risk = pd.DataFrame({"customer_id": ["C1", "C3", "C4"], "band": ["medium", "low", "low"]})
    segments = grading.action_segments(graded, risk, params).set_index("customer_id")["action_segment"]
    assert segments.to_dict() == {"C1": "protect", "C2": "protect", "C3": "develop", "C4": "reduce"}  # C2 lapsed
    matrix = grading.segment_matrix(grading.action_segments(graded, risk, params))
    cell = matrix[(matrix["grade"] == "A") & (matrix["band"] == "high")].iloc[0]
    assert (cell["customers"], cell["sales"], cell["action_segment"]) == (1, 2.0, "protect")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    params, tables, truth = build_demo(tmp_path_factory, "grading", customers=700, months=24, seed=42, leads=50)
    return params, tables, json.loads((truth / "truth.json").read_text("utf-8"))


def test_demo_high_value_customers_are_graded_a_and_at_risk_ones_protected(demo):
    params, tables, truth = demo
    graded, _ = grading.grade_customers(tables, params)
    grades = graded.set_index("customer_id")["grade"]
    assert truth["high_value"] and all(grades[c] == "A" for c in truth["high_value"])
    history = churn.satisfaction_history(tables, params)
    model, _ = churn.fit_churn_model(tables, params, history)
    risk = churn.score_customers(model, churn.current_features(tables, params, history), params)
    segments = grading.action_segments(graded, risk, params).set_index("customer_id")["action_segment"]
    planted = [c for c in truth["at_risk"] if c in segments.index]
    protected = sum(segments[c] == "protect" for c in planted)
    assert len(planted) >= 5 and protected / len(planted) >= 0.7
    assert (segments == "protect").mean() < 0.25  # the segment is selective, not everyone


def test_graded_excel_list(tmp_path, demo):
    from analysis.excel import write_customer_lists

    params, tables, _ = demo
    graded, _ = grading.grade_customers(tables, params)
    path = write_customer_lists(tmp_path / "customer_grading_分级名单.xlsx", {"分级名单": graded.drop(columns=["months_known"])},
                                tables["customers"], params, fills={"grade": {"A": "#C6EFCE"}})
    ws = load_workbook(path)["分级名单"]
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["客户编号", "客户名称"] and "等级" in headers and "付款条件" in headers
    assert "联系电话" not in headers
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    score = ws.cell(row=2, column=headers.index("总分") + 1)
    assert isinstance(score.value, float)
    grade = ws.cell(row=2, column=headers.index("等级") + 1)
    assert grade.value == "A"
    coloured = [(str(cf.sqref), rule.text, rule.dxf.fill.bgColor.rgb) for cf in ws.conditional_formatting
                for rule in cf.rules]
    assert coloured == [(f"{grade.column_letter}2:{grade.column_letter}{ws.max_row}", "A", "FFC6EFCE")]
