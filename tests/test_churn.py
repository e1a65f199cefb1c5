"""Churn: no future data in features or labels (hand-made timeline), Kaplan-Meier by hand, flag-only
fitting with company attributes, clear errors, and the planted drivers on demo data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from analysis import DataError, load_parameters, load_tables
from analysis import churn, modeling
from analysis.data.store import Tables
from analysis.data.validate import ValidationReport
from conftest import build_demo, make_project

T = pd.Timestamp


def make_tables(folder, params, **frames) -> Tables:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.assign(source_row=range(2, len(frame) + 2)).to_parquet(folder / f"{name}.parquet", index=False)
    return Tables(folder, ValidationReport(), params, reused=False)


@pytest.fixture
def params(tmp_path):
    return load_parameters(root=make_project(tmp_path / "p"), month="2026-06", overrides={
        "churn.horizon_days": 90, "churn.features": {"categorical": [], "numeric": []}})


def timeline(future: bool):
    """Three customers; with ``future`` the rows dated after 2026-03-31 are present."""
    orders = [("O1", "C1", "2026-01-15", 100.0), ("O2", "C1", "2026-02-10", 50.0), ("O3", "C2", "2026-01-05", 70.0),
              ("O4", "C3", "2025-12-01", 30.0)]
    payments = [("P1", "C1", "2026-03-20", None, 100.0)]  # overdue at the snapshot
    complaints = [("K1", "C1", "2026-03-10 09:00", "major", "2026-04-05 10:00")]
    surveys = [("C1", "2026-02-01", 0.6)]
    if future:
        orders += [("O5", "C1", "2026-05-20", 80.0), ("O6", "C3", "2026-04-01", 10.0)]
        payments = [("P1", "C1", "2026-03-20", "2026-04-10", 100.0), ("P2", "C1", "2026-04-05", None, 10.0)]
        complaints += [("K2", "C1", "2026-04-02 09:00", "major", None)]
        surveys += [("C1", "2026-04-01", 1.0)]
    frames = {
        "customers": pd.DataFrame({"customer_id": ["C1", "C2", "C3"],
                                   "customer_since": pd.to_datetime(["2025-01-01", "2025-06-01", "2025-01-01"])}),
        "orders": pd.DataFrame(orders, columns=["order_id", "customer_id", "order_date", "amount"]).assign(
            order_date=lambda f: pd.to_datetime(f["order_date"])),
        "payments": pd.DataFrame(payments, columns=["payment_id", "customer_id", "due_date", "paid_date", "amount"]).assign(
            due_date=lambda f: pd.to_datetime(f["due_date"]), paid_date=lambda f: pd.to_datetime(f["paid_date"])),
        "complaints": pd.DataFrame(complaints, columns=["complaint_id", "customer_id", "received_at", "severity",
                                                        "followed_up_at"]).assign(
            received_at=lambda f: pd.to_datetime(f["received_at"]), followed_up_at=lambda f: pd.to_datetime(f["followed_up_at"])),
    }
    scores = pd.DataFrame(surveys, columns=["customer_id", "answered_date", "share"]).assign(
        answered_date=lambda f: pd.to_datetime(f["answered_date"]))
    return frames, scores


def test_features_use_no_data_after_the_snapshot(params, tmp_path):
    snapshot = [T("2026-03-31")]
    frames, scores = timeline(future=False)
    past_only = churn.snapshot_features(make_tables(tmp_path / "a", params, **frames), params, snapshot, scores)
    frames, scores = timeline(future=True)
    with_future = churn.snapshot_features(make_tables(tmp_path / "b", params, **frames), params, snapshot, scores)
    pd.testing.assert_frame_equal(past_only, with_future)  # rows after the snapshot change nothing
    row = with_future.set_index("customer_id").loc["C1"]
    assert (row["orders_3m"], row["sales_3m"], row["recency_days"]) == (2, 150.0, 49)
    assert row["late_payments_q"] == 1  # P1 was overdue on 2026-03-31, though paid later
    assert (row["complaints_90d"], row["major_complaints_90d"], row["unresolved_complaints"]) == (1, 1, 1)
    assert row["latest_satisfaction"] == 0.6  # the survey answered on 2026-04-01 is not yet known
    assert row["days_since_contact"] == 21  # the complaint of 2026-03-10
    assert row["tenure_days"] == (T("2026-03-31") - T("2025-01-01")).days
    assert set(with_future["customer_id"]) == {"C1", "C2"}  # C3: no order within 90 days, already lost


def test_labels_look_only_at_the_horizon_and_need_it_to_have_passed(params, tmp_path):
    frames, scores = timeline(future=True)
    tables = make_tables(tmp_path / "t", params, **frames)
    features = churn.snapshot_features(tables, params, [T("2026-03-31"), T("2026-04-30")], scores)
    labelled = churn.label_snapshots(features, tables, params)
    assert labelled["snapshot"].unique().tolist() == [T("2026-03-31")]  # 2026-04-30 + 90 days is after June
    assert labelled.set_index("customer_id")["churned"].to_dict() == {"C1": 0, "C2": 1}


def test_contract_end_labels_churn_as_a_contract_ending_within_the_horizon(params, tmp_path):
    frames, scores = timeline(future=True)
    frames["customers"] = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4", "C5"],
        "customer_since": pd.to_datetime(["2025-01-01", "2025-06-01", "2025-01-01", "2025-01-01", "2025-01-01"]),
        # C1 ends inside 90 days of 2026-03-31, C2 after them, C4 had already ended, C5 has no end date
        "contract_end": pd.to_datetime(["2026-05-15", "2026-12-31", "2026-04-01", "2026-03-01", None])})
    frames["orders"] = pd.concat([frames["orders"], pd.DataFrame({
        "order_id": ["O7", "O8"], "customer_id": ["C4", "C5"], "amount": [20.0, 40.0],
        "order_date": pd.to_datetime(["2026-02-01", "2026-03-15"])})], ignore_index=True)
    tables = make_tables(tmp_path / "t", params, **frames)
    assert churn.label_mode(tables, params) == "contract_end"  # auto: no churned flag, contract ends known
    features = churn.snapshot_features(tables, params, [T("2026-03-31"), T("2026-04-30")], scores)
    labelled = churn.label_snapshots(features, tables, params)
    assert labelled["snapshot"].unique().tolist() == [T("2026-03-31")]  # the horizon must have passed
    # C3 bought nothing in the 90 days before the snapshot (already lost); C4's contract had ended
    assert labelled.set_index("customer_id")["churned"].to_dict() == {"C1": 1, "C2": 0, "C5": 0}
    no_column = make_tables(tmp_path / "n", params.model_copy(update={"churn": params.churn.model_copy(
        update={"label": "contract_end"})}), **{**frames, "customers": frames["customers"].drop(columns="contract_end")})
    with pytest.raises(DataError, match="contract_end"):
        churn.label_mode(no_column, no_column.params)


def test_kaplan_meier_against_a_hand_computed_case():
    table = churn.kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    # t=1: 5 at risk, 1 event -> 0.8; t=2: 4 at risk, 1 event (1 censored) -> 0.6; t=3: 2 at risk -> 0.3; t=4: censored
    assert table["at_risk"].tolist() == [5, 4, 2, 1]
    assert table["survival"].tolist() == pytest.approx([0.8, 0.6, 0.3, 0.3])
    assert table["censored"].tolist() == [0, 1, 0, 1]


def test_leakage_guard_refuses_outcome_columns_as_features():
    spec = modeling.FeatureSpec(categorical=["region"], numeric=["sales_12m", "later_orders"],
                                after_outcome=["churned", "later_orders"])
    with pytest.raises(Exception, match="later_orders are known only after the outcome"):
        spec.check()


def test_flag_and_company_attributes_without_order_history(tmp_path):
    """A customer table with a churned flag and a company column is enough to fit and score."""
    project = make_project(tmp_path / "p")
    rng = np.random.default_rng(0)
    wb = Workbook()
    ws = wb.active
    ws.title = "客户档案"
    ws.append(["客户编号", "区域", "合同类型", "月费", "是否流失"])
    for i in range(300):
        monthly = rng.random() < 0.5
        fee = float(rng.integers(50, 500))
        churned = rng.random() < (0.55 if monthly else 0.1)
        ws.append([f"C{i:03d}", rng.choice(["华东", "华南"]), "月付" if monthly else "年付", fee, "是" if churned else "否"])
    wb.save(project / "data" / "raw" / "客户档案.xlsx")
    wb = Workbook()
    wb.active.title = "销售明细"
    wb.active.append(["订单编号", "客户编号", "下单日期", "金额"])
    wb.save(project / "data" / "raw" / "销售统计.xlsx")
    params = load_parameters(root=project, month="2026-10", overrides={
        "validation.severity": {"empty_file": "warning"},
        "data.sources.customers.extra": {"contract_type": {"header": "合同类型"},
                                         "monthly_fee": {"header": "月费", "dtype": "float"}},
        "churn.features": {"categorical": ["region", "contract_type"], "numeric": ["monthly_fee"]},
        "churn.min_positives": 20})
    tables = load_tables(params)
    assert churn.label_mode(tables, params) == "flag"
    result, labelled = churn.fit_churn_model(tables, params)
    assert result.validation_scheme == "stratified"
    assert "contract_type" in result.spec.categorical and "monthly_fee" in result.spec.numeric
    scored = churn.score_customers(result, churn.current_features(tables, params), params)
    assert len(scored) == int((~tables["customers"]["churned"]).sum())  # the churned are not scored
    monthly = scored["contract_type"] == "月付"
    assert scored.loc[monthly, "churn_probability"].mean() > 2 * scored.loc[~monthly, "churn_probability"].mean()


def test_too_few_churned_customers_is_a_clear_message(params, tmp_path):
    frames, scores = timeline(future=True)
    tables = make_tables(tmp_path / "t", params, **frames)
    with pytest.raises(DataError, match=r"churned: 4 positive and 5 negative outcomes; the model needs at least 30 of each "
                                        r"\(churn.min_positives\)"):
        churn.fit_churn_model(tables, params, scores)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    params, tables, _ = build_demo(tmp_path_factory, "churn", customers=1500, months=24, seed=5, leads=50)
    result, labelled = churn.fit_churn_model(tables, params, churn.satisfaction_history(tables, params))
    return params, tables, result, labelled


def test_demo_planted_churn_drivers_are_recovered(demo):
    params, tables, result, labelled = demo
    rates = churn.driver_rates(labelled).set_index("signal")["ratio"]
    assert rates["late_2plus"] > 1.3 and rates["complaints_90d"] > 1.2 and rates["low_satisfaction"] > 1.5
    assert result.validation[result.chosen]["roc_auc"] > 0.65
    assert result.validation_scheme == "time"


def test_demo_scoring_is_deterministic_and_ranked_by_value_at_risk(demo):
    params, tables, result, labelled = demo
    history = churn.satisfaction_history(tables, params)
    first = churn.score_customers(result, churn.current_features(tables, params, history), params)
    again, _ = churn.fit_churn_model(tables, params, history)
    second = churn.score_customers(again, churn.current_features(tables, params, history), params)
    pd.testing.assert_series_equal(first["churn_probability"], second["churn_probability"])
    assert first["value_at_risk"].is_monotonic_decreasing
    assert set(first["band"]) <= {"high", "medium", "low"}


# ------------------------------------------------------------------ the data layer's queries

def test_no_order_labels_by_hand():
    """Pure: which customers ordered after each snapshot decides the label; no file is read."""
    features = pd.DataFrame({"snapshot": [T("2026-01-31")] * 3 + [T("2026-02-28")] * 2,
                             "customer_id": ["C1", "C2", "C3", "C1", "C3"]})
    buyers = {T("2026-01-31"): np.array(["C2"], dtype=object), T("2026-02-28"): np.array(["C1", "C3"], dtype=object)}
    labelled = churn.with_no_order_labels(features, buyers)
    # January: only C2 bought within the horizon, so C1 and C3 churned; February: both bought
    assert labelled["churned"].tolist() == [1, 0, 1, 0, 0]
    assert "churned" not in features  # the caller's frame is left alone


def test_monthly_counts_by_hand(params, tmp_path):
    from analysis.data import queries

    frames, _ = timeline(future=True)
    tables = make_tables(tmp_path / "t", params, **frames)
    counts = queries.monthly_counts(tables, "2026-05", months=3)
    # orders: O6 on 2026-04-01 and O5 on 2026-05-20 (O1-O4 are before March); payments are dated by paid_date:
    # P1 paid 2026-04-10 (P2 unpaid); complaints: K1 on 2026-03-10, K2 on 2026-04-02
    assert counts.index.tolist() == ["2026-03", "2026-04", "2026-05"] and counts.index.name == "month"
    assert counts.to_dict("list") == {"orders": [0, 1, 1], "payments": [0, 1, 0], "complaints": [1, 1, 0]}


def test_an_out_of_memory_query_names_the_parameter():
    from analysis import ConfigError
    from analysis.data import queries

    with pytest.raises(ConfigError, match=r"key path: 'churn/duckdb_memory'\]: the query must fit in 1MB of memory .*"
                                          r"Raise churn.duckdb_memory \(e.g. to 2MB\)"):
        with queries.connect("1MB") as con:
            con.execute("SELECT list(range) FROM range(3000000)").fetchall()  # one list of 3 million numbers
