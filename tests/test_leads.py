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


def test_consultant_reliability_by_hand(tmp_path):
    params = load_parameters(root=make_project(tmp_path / "p"), month="2026-10")
    # O leads: 甲 converts 8 of 10, 乙 2 of 10 -> 乙's O levels are clearly over-graded
    rows = [("O", "甲", 1)] * 8 + [("O", "甲", 0)] * 2 + [("O", "乙", 1)] * 2 + [("O", "乙", 0)] * 8
    frame = pd.DataFrame(rows, columns=["intent_level", "consultant", "converted"])
    reliability = L.consultant_reliability(frame, params).set_index("consultant")
    assert not reliability.loc["乙", "trusted"] and reliability.loc["甲", "trusted"]
    assert reliability.loc["乙", "hot_rate"] == 0.2 and reliability.loc["乙", "others_hot_rate"] == 0.8
    assert L.consultant_reliability(frame[frame["intent_level"] == "X"], params).empty  # no O/H leads: no table


def test_each_intent_level_is_judged_within_its_own_promise(tmp_path):
    # report month 2026-10 (end 31 Oct); C promises more than 90 days, open-ended -> judged after 365 days.
    # C1 visited 2025-06-01, ordered after 150 days: inside. C2 visited 2025-06-01, no order, 365 days passed: never.
    # C3 visited 2026-09-01, no order yet: undecided (its window is open), not lost.
    # A1 (7-15 days) ordered after 3 days: early. A2 ordered after 30 days: late. B1 (15-90) never ordered: never.
    params = load_parameters(root=make_project(tmp_path / "p"), month="2026-10")
    leads = pd.DataFrame({
        "lead_id": ["C1", "C2", "C3", "A1", "A2", "B1"], "intent_level": ["C", "C", "C", "A", "A", "B"],
        "created_date": pd.to_datetime(["2025-06-01", "2025-06-01", "2026-09-01", "2026-01-05", "2026-01-05",
                                        "2026-01-05"]),
        "status": ["won", "lost", "open", "won", "won", "lost"],
        "deal_date": pd.to_datetime(["2025-10-29", None, None, "2026-01-08", "2026-02-04", None])})
    frame = L.outcomes(leads, params).set_index("lead_id")
    assert frame["window_days"].to_dict() == {"C1": 365, "C2": 365, "C3": 365, "A1": 15, "A2": 15, "B1": 90}
    assert frame["labelled"].to_dict() == {"C1": True, "C2": True, "C3": False, "A1": True, "A2": True, "B1": True}
    # the model's label: an order no later than the window's end (early counts, late does not)
    assert frame["converted"].to_dict() == {"C1": 1, "C2": 0, "C3": 0, "A1": 1, "A2": 0, "B1": 0}
    judged = L.promise_outcome(frame, params).to_dict()
    assert judged == {"C1": "inside", "C2": "never", "C3": "undecided", "A1": "early", "A2": "late", "B1": "never"}
    table = L.intent_calibration(frame.reset_index(), params).set_index("intent_level")
    c = table.loc["C"]  # shares over all three C leads
    assert (c["leads"], c["inside"], c["never"], c["undecided"]) == (3, pytest.approx(1 / 3), pytest.approx(1 / 3),
                                                                     pytest.approx(1 / 3))
    assert c["decided"] == 2 and c["conversion_rate"] == 0.5 and c["median_days"] == 150
    a = table.loc["A"]
    assert (a["early"], a["late"], a["conversion_rate"]) == (0.5, 0.5, 0.5)


def test_the_follow_up_list_is_worked_from_the_leads_own_history(tmp_path):
    # report end 31 Oct. L1 planned 20 Oct (past, 11 days overdue), last contact 10 Oct.
    # L2 planned 5 Nov (ahead): keep the consultant's own date. L3: no plan, last contact 28 Sep, level B:
    # quiet for 33 days -> stale; model grade gap + last contact is already past -> suggest 1 Nov.
    # L4 planned 12 Oct and was followed up late, on 25 Oct: the plan was carried out, not overdue; level C
    # (gap 7 days) -> next 1 Nov from its own history.
    params = load_parameters(root=make_project(tmp_path / "p"), month="2026-10",
                             overrides={"leads.followup_days": {"A": 1, "B": 3, "C": 7}})

    class Model:  # a stand-in for the fitted model: fixed probabilities
        spec = modeling.FeatureSpec([], [])

        def predict(self, frame):
            return np.array([0.9, 0.3, 0.1, 0.1])[: len(frame)]

    frame = pd.DataFrame({"lead_id": ["L1", "L2", "L3", "L4"], "consultant": ["张伟", "张伟", "王芳", "王芳"],
                          "intent_level": ["A", "B", "B", "C"], "status": ["open"] * 4, "labelled": [False] * 4,
                          "created_date": pd.to_datetime(["2026-09-01", "2026-10-20", "2026-09-20", "2026-10-01"]),
                          "next_followup_date": pd.to_datetime(["2026-10-20", "2026-11-05", None, "2026-10-12"])})
    events = pd.DataFrame({"lead_id": ["L1", "L1", "L3", "L4"],
                           "event_date": pd.to_datetime(["2026-09-15", "2026-10-10", "2026-09-28", "2026-10-25"])})
    original = modeling.reasons
    modeling.reasons = lambda result, frame, top=3: pd.Series([[]] * len(frame), index=frame.index)
    try:
        scored = L.score_open_leads(Model(), frame, params, events).set_index("lead_id")
    finally:
        modeling.reasons = original
    assert scored["model_grade"].to_dict() == {"L1": "A", "L2": "B", "L3": "C", "L4": "C"}
    assert scored.loc["L1", "last_contact"] == pd.Timestamp("2026-10-10") and scored.loc["L1", "days_overdue"] == 11
    assert scored["past_planned"].to_dict() == {"L1": True, "L2": False, "L3": False, "L4": False}
    assert pd.isna(scored.loc["L4", "days_overdue"]) and scored.loc["L4", "planned"] == pd.Timestamp("2026-10-12")
    assert scored["next_followup"].dt.strftime("%m-%d").to_dict() == {"L1": "11-01", "L2": "11-05", "L3": "11-01",
                                                                     "L4": "11-01"}
    assert scored["stale"].to_dict() == {"L1": False, "L2": False, "L3": True, "L4": False}
    message = L.follow_up_message(scored.reset_index(), params)
    assert (message.values["past"], message.values["stale"]) == (1, 1)
    listing = L.follow_up_list(scored.reset_index())
    assert listing["lead_id"].tolist()[:2] == ["L1", "L3"]  # past their plan first, then quiet ones


def test_a_consultant_mapping_gives_leads_their_branch(tmp_path):
    params = load_parameters(root=make_project(tmp_path / "p"), month="2026-10",
                             overrides={"leads.consultant_branches": {"张伟": "上海分公司"}})
    leads = pd.DataFrame({"lead_id": ["L1", "L2"], "consultant": ["张伟", "王芳"]})
    assert L.with_branch(leads, params)["branch"].fillna("").tolist() == ["上海分公司", ""]
    own = leads.assign(branch=["北京分公司", "北京分公司"])
    assert L.with_branch(own, params)["branch"].tolist() == ["北京分公司", "北京分公司"]  # its own column wins


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


def test_rank_auc_is_roc_auc_with_ties_counted_one_half():
    from sklearn.metrics import roc_auc_score

    # by hand: positives 0.8 and 0.5, negatives 0.5 and 0.2; pairs (0.8>0.5) (0.8>0.2) (0.5=0.5: half) (0.5>0.2)
    assert modeling.rank_auc(np.array([1, 1, 0, 0]), np.array([0.8, 0.5, 0.5, 0.2])) == 3.5 / 4
    assert np.isnan(modeling.rank_auc(np.array([1, 1]), np.array([0.3, 0.4])))
    rng = np.random.default_rng(5)
    for n in (7, 60, 3000):
        y, p = rng.integers(0, 2, n), rng.integers(0, 12, n) / 12  # many ties
        assert modeling.rank_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)


def _small_model(seed: int = 0):
    rng = np.random.default_rng(seed)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n), "noise": rng.normal(size=n), "kind": rng.choice(list("abc"), n)})
    logit = 1.5 * frame["x"] + np.where(frame["kind"] == "a", 1.0, -0.5)
    frame["y"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    spec = modeling.FeatureSpec(["kind"], ["x", "noise"])
    model = modeling.fit_calibrated("logistic", spec, seed, frame[:250][spec.columns], frame["y"][:250],
                                    frame[250:300][spec.columns], frame["y"][250:300])
    return model, frame[300:], spec


def test_batched_scoring_gives_each_frame_its_own_probabilities(monkeypatch):
    model, valid, spec = _small_model()
    X = valid[spec.columns]
    variants = [X, X.iloc[:0], X.assign(x=0.0), X.iloc[:7], X.assign(kind="b")]
    expected = [model.predict_proba(v)[:, 1] if len(v) else np.empty(0) for v in variants]
    monkeypatch.setattr(modeling, "BATCH_ROWS", 150)  # several batches, a frame never split
    for got, want in zip(modeling.predict_variants(model, variants), expected):
        assert got.shape == want.shape and np.allclose(got, want, rtol=0, atol=1e-12)


def test_permutation_importance_is_scikit_learns_in_one_batch():
    from sklearn.inspection import permutation_importance

    model, valid, spec = _small_model()
    X, y = valid[spec.columns], valid["y"]
    ours = modeling.permutation_importance(model, X, y, n_repeats=5, seed=11)
    theirs = permutation_importance(model, X, y, scoring="roc_auc", n_repeats=5, random_state=11)
    assert ours["feature"].tolist() == ["kind", "x", "noise"]
    assert ours["importance"].to_numpy() == pytest.approx(theirs.importances_mean, abs=1e-12)
    assert ours["spread"].to_numpy() == pytest.approx(theirs.importances_std, abs=1e-12)
    assert ours.set_index("feature")["importance"].idxmax() == "x"  # the planted strongest input


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


@pytest.mark.parametrize("missing", [("created_date",), ("intent_level",), ("channel", "consultant", "intent_level")])
def test_a_register_without_optional_columns_still_gives_a_model_and_says_what_is_left_out(tmp_path, missing):
    params = load_parameters(root=make_project(tmp_path / "p"), month="2026-10", overrides={"leads.min_positives": 5})
    rng = np.random.default_rng(0)
    n = 400
    full = pd.DataFrame({"lead_id": [f"L{i}" for i in range(n)], "status": rng.choice(["won", "lost", "open"], n),
                         "channel": rng.choice(["referral", "tv"], n), "consultant": rng.choice(["甲", "乙"], n),
                         "budget": rng.normal(1e5, 1e4, n), "intent_level": rng.choice(list("OHABC"), n),
                         "created_date": T("2025-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")})
    register = full.drop(columns=list(missing))
    result, frame = L.fit_lead_model(register, params)  # won without a deal date counts as converted
    scored = L.score_open_leads(result, frame, params, None)
    assert len(L.follow_up_list(scored)) == int((register["status"] == "open").sum())
    labelled = frame[frame["labelled"]]
    for section in (lambda: L.intent_calibration(frame, params), lambda: L.consultant_reliability(labelled, params),
                    lambda: L.channel_costs(labelled, params), lambda: L.level_vs_model(scored)):
        try:
            section()
        except DataError as exc:  # a section that needs a missing column says which, for the page
            assert exc.reason.key == "page.missing_columns"
            assert set(exc.reason.values["columns"].codes) <= set(missing)
