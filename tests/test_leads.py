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
    pd.testing.assert_series_equal(a["probability"], b["probability"])
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
