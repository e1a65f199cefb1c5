"""Lead conversion: intervals and calibration by hand, the leakage guard, determinism, numbers written as
text, unseen categories at scoring, clear errors; the planted channel, intent and consultant effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import ConfigError, DataError, load_parameters, load_tables
from analysis import leads as L
from analysis import modeling
from conftest import build_demo, make_project

T = pd.Timestamp


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    params, tables, truth = build_demo(tmp_path_factory, "leads", customers=20, months=24, seed=3, leads=3000)
    return params, tables["leads"], pd.read_parquet(truth / "lead_truth.parquet")


def test_wilson_interval_by_hand():
    low, high = L.wilson([5, 0], [10, 10])
    assert low[0] == pytest.approx(0.2366, abs=1e-4) and high[0] == pytest.approx(0.7634, abs=1e-4)
    assert low[1] == pytest.approx(0.0) and high[1] == pytest.approx(0.2775, abs=1e-4)


def test_calibration_error_by_hand_and_a_calibrated_model():
    assert modeling.expected_calibration_error([0, 0, 1, 1], [0.1, 0.1, 0.9, 0.9]) == pytest.approx(0.1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=4000)
    p = 1 / (1 + np.exp(-(2 * x - 1)))
    frame = pd.DataFrame({"x": x, "y": (rng.random(4000) < p).astype(int)})
    spec = modeling.FeatureSpec([], ["x"])
    result = modeling.fit_and_compare(frame, "y", spec, seed=0)
    table = modeling.calibration_table(result.valid_predictions["y"], result.valid_predictions["p"])
    assert (table["observed_rate"] - table["mean_probability"]).abs().max() < 0.08
    assert result.validation[result.chosen]["calibration_error"] < 0.04


def test_outcome_columns_can_never_be_features(demo, tmp_path):
    params, leads, _ = demo
    sneaky = load_parameters(root=params.root, month="2026-10",
                             overrides={"leads.features": {"categorical": ["lost_reason"], "numeric": []}})
    with pytest.raises(ConfigError, match="lost_reason are known only after the outcome"):
        L.fit_lead_model(leads, sneaky)
    with pytest.raises(ConfigError, match="declared known only after the outcome"):
        load_parameters(root=params.root, month="2026-10", overrides={
            "leads.features": {"categorical": ["dealer_note"]}, "leads.after_outcome": ["dealer_note"]})
    result, frame = L.fit_lead_model(leads, params)
    assert not set(result.spec.columns) & set(L.AFTER_OUTCOME)
    # scrambling everything known only after the outcome changes no probability
    scrambled = frame.copy()
    for col in ("status", "stage", "deal_date", "lost_reason"):
        scrambled[col] = scrambled[col].sample(frac=1, random_state=0).to_numpy()
    np.testing.assert_array_equal(result.predict(frame), result.predict(scrambled))


def test_same_seed_same_scores(demo):
    params, leads, _ = demo
    first, frame = L.fit_lead_model(leads, params)
    second, _ = L.fit_lead_model(leads, params)
    a, b = L.score_open_leads(first, frame, params), L.score_open_leads(second, frame, params)
    pd.testing.assert_series_equal(a["conversion_probability"], b["conversion_probability"])
    assert a["lead_id"].tolist() == b["lead_id"].tolist()


def test_numbers_written_as_text_and_unseen_categories(demo):
    params, leads, _ = demo
    result, frame = L.fit_lead_model(leads, params)
    spec = result.spec
    assert modeling.prepare_features(pd.DataFrame({"budget": ["150,000", "¥200000", "n/a"]}), spec)["budget"].tolist()[:2] \
        == [150000.0, 200000.0]
    new = frame.head(3).copy()
    new["channel"] = ["douyin", "referral", None]  # a channel and a consultant never seen in training
    new["consultant"] = ["新来的顾问", "张伟", "张伟"]
    new["budget"] = ["150,000", "abc", None]
    p = result.predict(new)
    assert np.isfinite(p).all() and ((p > 0) & (p < 1)).all()


def test_too_few_conversions_is_a_clear_message(demo):
    params, leads, _ = demo
    few = leads.copy()
    won = few.index[few["status"] == "won"]
    few.loc[won[3:], "status"] = "lost"
    with pytest.raises(DataError, match=r"converted: \d+ positive .* needs at least 30 of each \(leads.min_positives\)"):
        L.fit_lead_model(few, params)


def test_without_visit_dates_the_split_is_stratified_and_said(demo):
    params, leads, _ = demo
    result, _ = L.fit_lead_model(leads.drop(columns=["created_date"]), params)
    assert result.validation_scheme == "stratified"


def test_intent_calibration_and_consultant_reliability_by_hand(tmp_path):
    params = load_parameters(root=make_project(tmp_path / "p"), month="2026-10")
    rows = [("O", "甲", 1, 0)] * 8 + [("O", "甲", 0, None)] * 2 + [("O", "乙", 1, 1)] * 2 + [("O", "乙", 0, None)] * 8 \
        + [("B", "甲", 1, 40)] * 1 + [("B", "甲", 0, None)] * 9
    frame = pd.DataFrame(rows, columns=["intent_level", "consultant", "converted", "days_to_deal"])
    table = L.intent_calibration(frame, params).set_index("intent_level")
    assert table.loc["O", "conversion_rate"] == 0.5 and table.loc["O", "within_promise"] == 0.8  # 8 of 10 same day
    assert table.loc["B", "median_days"] == 40 and table.loc["B", "within_promise"] == 1.0
    reliability = L.consultant_reliability(frame, params).set_index("consultant")
    assert not reliability.loc["乙", "trusted"] and reliability.loc["甲", "trusted"]
    assert reliability.loc["乙", "hot_rate"] == 0.2 and reliability.loc["乙", "others_hot_rate"] == 0.8


def test_channel_costs_per_lead_and_per_deal_by_hand(tmp_path):
    project = make_project(tmp_path / "p")
    frame = pd.DataFrame({"channel": ["网络"] * 10 + ["报纸"] * 4 + ["转介绍"] * 3,
                          "converted": [1] * 4 + [0] * 6 + [0] * 4 + [1] * 3})
    plain = L.channel_costs(frame, load_parameters(root=project, month="2026-10"))
    assert "cost" not in plain and plain["channel"].tolist() == ["转介绍", "网络", "报纸"]  # by conversion rate
    params = load_parameters(root=project, month="2026-10",
                             overrides={"leads.channel_costs": {"网络": 20000, "报纸": 8000}})
    table = L.channel_costs(frame, params).set_index("channel")
    assert table.loc["网络", "cost_per_lead"] == 2000 and table.loc["网络", "cost_per_deal"] == 5000
    assert table.loc["报纸", "cost_per_lead"] == 2000 and np.isnan(table.loc["报纸", "cost_per_deal"])  # no deal
    assert np.isnan(table.loc["转介绍", "cost"])  # a channel without a cost stays blank, not zero


def test_demo_planted_channel_intent_and_consultant_effects(demo):
    params, leads, truth = demo
    frame = L.outcomes(leads, params)
    labelled = frame[frame["labelled"]]
    channels = L.conversion_by(labelled, "channel")
    assert set(channels["channel"].head(2)) == {"referral", "phone"}
    levels = L.intent_calibration(labelled, params).set_index("intent_level")["conversion_rate"]
    assert levels["O"] > levels["H"] > levels["A"] > levels["B"] > levels["C"]
    reliability = L.consultant_reliability(labelled, params)
    assert reliability.loc[~reliability["trusted"], "consultant"].tolist() == ["张伟"]


def test_demo_model_auc_is_close_to_the_generators_probabilities(demo):
    from sklearn.metrics import roc_auc_score

    params, leads, truth = demo
    result, frame = L.fit_lead_model(leads, params)
    valid = result.valid_predictions.join(frame["lead_id"]).merge(truth, on="lead_id")
    generator = valid["p_convert"] * (valid["true_level"] != "C")  # C leads close after the 90-day window
    model_auc, truth_auc = roc_auc_score(valid["y"], valid["p"]), roc_auc_score(valid["y"], generator)
    assert model_auc > 0.8 and truth_auc - model_auc < 0.05
    scored = L.score_open_leads(result, frame, params)
    assert set(scored["model_grade"]) <= {"A", "B", "C"}
    assert (scored["next_followup"] > T(params.period_end)).all()


# ------------------------------------------------------------------ model choice, intervals, reliability, leakage

def test_the_proper_score_chooses_within_the_auc_guard():
    results = {"logistic": {"roc_auc": 0.800, "log_loss": 0.40}, "gradient_boosting": {"roc_auc": 0.806, "log_loss": 0.45}}
    # boosting ranks a little better (0.006 < AUC_GUARD 0.01) but its probabilities are worse: logistic
    assert modeling.choose(results) == "logistic"
    results["gradient_boosting"]["roc_auc"] = 0.850  # now the logistic model ranks clearly worse: it is not eligible
    assert modeling.choose(results) == "gradient_boosting"


def test_reliability_table_by_hand():
    table = modeling.reliability([0, 1, 1, 0], [0.05, 0.15, 0.95, 0.92])
    # bins [0, 0.1): one row, p 0.05, none observed; [0.1, 0.2): p 0.15, observed; [0.9, 1]: p 0.935, one of two
    assert table["rows"].tolist() == [1, 1, 2]
    assert table["probability_from"].tolist() == [0.0, 0.1, 0.9]
    assert table["mean_probability"].tolist() == pytest.approx([0.05, 0.15, 0.935])
    assert table["gap"].tolist() == pytest.approx([-0.05, 0.85, -0.435])
    # the calibration error is the row-weighted mean |gap|: (0.05 + 0.85 + 2 * 0.435) / 4
    assert modeling.expected_calibration_error([0, 1, 1, 0], [0.05, 0.15, 0.95, 0.92]) == pytest.approx(0.4425)


def test_bootstrap_auc_interval():
    # perfectly separated: every resample ranks perfectly
    assert modeling.bootstrap_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], n_boot=50) == (1.0, 1.0)
    rng = np.random.default_rng(3)
    y = (rng.random(2000) < 0.3).astype(int)
    p = np.clip(0.3 + 0.25 * (y - 0.3) + rng.normal(0, 0.2, 2000), 0, 1).round(2)  # ties, as in binned scores
    from sklearn.metrics import roc_auc_score

    auc = roc_auc_score(y, p)
    low, high = modeling.bootstrap_auc(y, p, n_boot=400, seed=1)
    assert low < auc < high
    # Hanley & McNeil's standard error: the 95 % interval spans about 3.92 of them
    n1, n0 = y.sum(), len(y) - y.sum()
    q1, q2 = auc / (2 - auc), 2 * auc ** 2 / (1 + auc)
    se = np.sqrt((auc * (1 - auc) + (n1 - 1) * (q1 - auc ** 2) + (n0 - 1) * (q2 - auc ** 2)) / (n1 * n0))
    assert (high - low) == pytest.approx(3.92 * se, rel=0.25)
    assert modeling.bootstrap_auc(y, p, n_boot=400, seed=1) == (low, high)  # seeded


def test_stratified_subsample_keeps_the_outcome_shares():
    y = np.array([0] * 900 + [1] * 100)
    rows = modeling.stratified_subsample(y, 100, seed=0)
    assert len(rows) == 100 and y[rows].sum() == 10 and (np.diff(rows) > 0).all()
    assert (rows == modeling.stratified_subsample(y, 100, seed=0)).all()
    assert len(modeling.stratified_subsample(y, 5000, seed=0)) == 1000  # small enough: every row


def test_result_reports_interval_reliability_and_whether_it_is_calibrated():
    rng = np.random.default_rng(1)
    x = rng.normal(size=3000)
    frame = pd.DataFrame({"x": x, "y": (rng.random(3000) < 1 / (1 + np.exp(-(2 * x - 1)))).astype(int)})
    result = modeling.fit_and_compare(frame, "y", modeling.FeatureSpec([], ["x"]), seed=0, max_calibration_error=0.05)
    low, high = result.auc_interval
    assert low < result.validation[result.chosen]["roc_auc"] < high
    table = modeling.result_reliability(result)
    assert table["rows"].sum() == result.n_valid
    assert result.calibrated_ok == (result.calibration_error < 0.05)
    strict = modeling.fit_and_compare(frame, "y", modeling.FeatureSpec([], ["x"]), seed=0, max_calibration_error=1e-6)
    assert not strict.calibrated_ok
    assert "log_loss" in modeling.metrics_table(result)


def test_leakage_warnings_name_a_near_perfect_feature_and_a_pure_level():
    rng = np.random.default_rng(0)
    n = 1000
    y = (rng.random(n) < 0.3).astype(int)
    frame = pd.DataFrame({
        "converted": y,
        "visits_after": y * 3 + rng.random(n),  # filled in after the outcome: separates it perfectly
        "budget": rng.normal(size=n),  # unrelated
        "channel": rng.choice(["a", "b", "c"], n),  # unrelated
        # staff's later status: 'signed' only on converted leads (about 300 rows, all converted)
        "status_note": np.where(y == 1, "signed", rng.choice(["call", "visit"], n)),
        "lead_id": [f"L{i}" for i in range(n)],  # an identifier: each level one row, pooled, never flagged
    })
    spec = modeling.FeatureSpec(["channel", "status_note", "lead_id"], ["visits_after", "budget"])
    flags = modeling.leakage_warnings(frame, "converted", spec, max_auc=0.95, min_rows=100)
    by = {(f, r): row for f, r, row in zip(flags["feature"], flags["reason"], flags.to_dict("records"))}
    assert set(by) == {("visits_after", "high_auc"), ("status_note", "high_auc"), ("status_note", "pure_level")}
    assert by[("visits_after", "high_auc")]["auc"] == 1.0
    # every level of the status is pure: 'signed' all converted, 'call' and 'visit' (about 350 rows each) none
    pure = flags[flags["reason"] == "pure_level"].set_index("level")["rate"].to_dict()
    assert pure == {"call": 0.0, "signed": 1.0, "visit": 0.0}
