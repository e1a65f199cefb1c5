"""Satisfaction and complaints on tiny frames whose answers can be checked by hand; effects on demo data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import DataError, load_parameters, load_tables
from analysis import complaints as cmp
from analysis import satisfaction as sat
from conftest import build_demo, make_project

T = pd.Timestamp


@pytest.fixture
def params(tmp_path):
    return load_parameters(root=make_project(tmp_path / "p"), month="2026-10", overrides={
        "survey.dimensions": ["quality", "delivery"], "survey.min_answers": 2, "survey.period_months": 6})


def forms(rows):
    """rows: (survey_id, customer_id, sent, answered, quality, delivery, overall, comment)."""
    return pd.DataFrame(rows, columns=["survey_id", "customer_id", "sent_date", "answered_date", "quality",
                                       "delivery", "overall", "comment"]).astype(
        {"sent_date": "datetime64[ns]", "answered_date": "datetime64[ns]", "quality": float, "delivery": float,
         "overall": float})


SURVEYS = forms([
    ("S1", "C1", T("2026-09-01"), T("2026-09-05"), 5, 4, 5, None),
    ("S2", "C2", T("2026-09-01"), T("2026-09-10"), 2, 3, 3, "交期太慢"),
    ("S3", "C3", T("2026-09-01"), None, None, None, None, None),  # unanswered, waiting 60 days
    ("S4", "C4", T("2026-10-25"), None, None, None, None, None),  # unanswered, only 6 days
    ("S5", "C1", T("2026-03-01"), T("2026-03-05"), 4, 4, 4, None),  # previous period
])
CUSTOMERS = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"], "region": ["华东", "华东", "华南", "华东"],
                          "sales_rep": ["赵明", "赵明", "孙丽", "赵明"]})


def test_response_rate_counts_only_forms_whose_window_has_closed(params):
    # S1-S3 were sent on 1 September: their 15 days are over, S1 and S2 came back -> 2 of 3 = 66.7 %.
    # S4 was sent on 25 October, 6 days before the month end: not yet due, counted apart, not as unanswered.
    status = sat.response_status(SURVEYS, CUSTOMERS, params)
    assert (status.sent, status.due, status.answered, status.in_window) == (4, 3, 2, 1)
    assert status.rate == pytest.approx(2 / 3) and not status.met  # target 90 %
    east = status.by_segment.set_index(["breakdown", "value"]).loc[("region", "华东")]
    assert (east["due"], east["answered"], east["rate"]) == (2, 2, 1.0)  # C1, C2 due and answered; C4's S4 not due
    south = status.by_segment.set_index(["breakdown", "value"]).loc[("region", "华南")]
    assert south["suppressed"] and np.isnan(south["rate"])  # 1 form < min_answers 2
    assert status.pending["survey_id"].tolist() == ["S3"]  # S4 is still within the 15 days
    assert status.pending["days_waiting"].tolist() == [60]
    assert status.pending["sales_rep"].tolist() == ["孙丽"]


def test_a_form_answered_early_in_its_window_is_not_counted_either(params):
    # sent 26 Oct and answered 28 Oct: answered, but its window is open -> not in the rate; it is one of the
    # forms in their window (S4 and S9), one of them answered: sent 5 = due 3 + in window 2
    early = forms([("S9", "C1", T("2026-10-26"), T("2026-10-28"), 5, 5, 5, None)])
    status = sat.response_status(pd.concat([SURVEYS, early]), CUSTOMERS, params)
    assert (status.sent, status.due, status.answered, status.in_window, status.in_window_answered) == (5, 3, 2, 2, 1)


def test_phone_register_follows_forms_across_months(params):
    # S3 (sent 1 Sep) passed its deadline on 16 Sep: listed in September, still unanswered -> carried in October.
    # S6 (sent 10 Oct) passed its deadline on 25 Oct -> new. S7 was listed in September and answered in October
    # -> closed this month.
    more = forms([("S6", "C2", T("2026-10-10"), None, None, None, None, None),
                  ("S7", "C4", T("2026-09-05"), T("2026-10-12"), 4, 4, 4, None)])
    register = sat.phone_register(pd.concat([SURVEYS, more]), CUSTOMERS, params).set_index("survey_id")
    assert register["follow_status"].to_dict() == {"S6": "new", "S3": "carried", "S7": "closed"}
    assert register.loc["S3", "first_listed"] == "2026-09" and register.loc["S3", "days_open"] == 45  # 16 Sep -> 31 Oct
    assert register.loc["S7", "days_open"] == 22  # deadline 20 Sep, answered 12 Oct
    assert sat.phone_worklist(register.reset_index())["survey_id"].tolist() == ["S6", "S3"]


def test_capa_register_over_three_months(tmp_path):
    # score target 50 %: only items below 3 raise CAPA items here.
    # C1 quality: 2 in August (raised), 2 again in September (same item continues), 4 in October (closed).
    # C2 quality: 1 in September (raised), no later answer (open). C3 delivery: 2 in October (raised).
    rows = forms([("A1", "C1", T("2026-08-01"), T("2026-08-05"), 2, 5, 4, "质量不稳定"),
                  ("A2", "C1", T("2026-09-01"), T("2026-09-03"), 2, 5, 4, None),
                  ("A3", "C1", T("2026-10-01"), T("2026-10-04"), 4, 5, 4, None),
                  ("B1", "C2", T("2026-09-02"), T("2026-09-06"), 1, 5, 3, None),
                  ("C9", "C3", T("2026-10-02"), T("2026-10-09"), 5, 2, 4, None)])

    def register(month):
        p = load_parameters(root=make_project(tmp_path / month), month=month, overrides={
            "survey.dimensions": ["quality", "delivery"], "survey.score_target": 0.5, "survey.capa_due_days": 40})
        return sat.capa_register(rows, p).set_index("capa_id")

    august = register("2026-08")
    assert august["follow_status"].to_dict() == {"C1-quality-A1": "new"}
    september = register("2026-09")
    assert september["follow_status"].to_dict() == {"C2-quality-B1": "new", "C1-quality-A1": "carried"}
    assert september.loc["C1-quality-A1", "low_answers"] == 2 and september.loc["C1-quality-A1", "days_open"] == 56
    october = register("2026-10")
    assert october["follow_status"].to_dict() == {"C3-delivery-C9": "new", "C2-quality-B1": "carried",
                                                  "C1-quality-A1": "closed"}
    item = october.loc["C1-quality-A1"]
    assert item["first_listed"] == "2026-08" and item["closed"] == T("2026-10-04") and item["days_open"] == 60
    assert item["comment"] == "质量不稳定" and item["department"] == "质量部"
    assert october.loc["C2-quality-B1", "days_open"] == 55 and bool(october.loc["C2-quality-B1", "overdue"])  # > 40 days
    assert not october.loc["C3-delivery-C9", "overdue"]
    assert sat.capa_worklist(october.reset_index())["capa_id"].tolist() == list(october.index)


def test_forms_and_customers_are_counted_as_the_label_says(params):
    # C1 answers twice below target and C2 once: 3 forms below target, 2 customers
    rows = forms([("F1", "C1", T("2026-09-01"), T("2026-09-02"), 2, 3, 3, None),
                  ("F2", "C1", T("2026-10-01"), T("2026-10-02"), 3, 3, 3, None),
                  ("F3", "C2", T("2026-10-01"), T("2026-10-02"), 1, 2, 2, None),
                  ("F4", "C3", T("2026-10-01"), T("2026-10-02"), 5, 5, 5, None)])
    scores = sat.customer_scores(sat.answered(rows, params), params)
    message = sat.results_message(sat.overall_score(scores, params), scores)
    assert (message.values["below"], message.values["customers"]) == (3, 2)


def test_the_overall_score_basis_is_a_parameter(tmp_path):
    # items: (5+4)/2/5 = 90 % and (3+3)/2/5 = 60 % -> 75 %; question: 4/5 = 80 % and 4/5 = 80 % -> 80 %
    rows = forms([("F1", "C1", T("2026-10-01"), T("2026-10-02"), 5, 4, 4, None),
                  ("F2", "C2", T("2026-10-01"), T("2026-10-02"), 3, 3, 4, None)])
    results = {}
    for basis in ("items", "question"):
        p = load_parameters(root=make_project(tmp_path / basis), month="2026-10", overrides={
            "survey.dimensions": ["quality", "delivery"], "survey.overall": basis})
        results[basis] = sat.overall_score(sat.customer_scores(sat.answered(rows, p), p), p)
    assert results["items"]["share"] == pytest.approx(0.75) and results["items"]["other"] == pytest.approx(0.8)
    assert results["question"]["share"] == pytest.approx(0.8) and results["question"]["other"] == pytest.approx(0.75)
    assert not results["items"]["met"] and results["question"]["met"]  # target 80 %
    no_question = rows.drop(columns=["overall"])
    with pytest.raises(DataError, match="survey.overall is question"):
        sat.customer_scores(sat.answered(no_question, p), p)


def test_dimension_means_ci_and_top2_box(params):
    answered = sat.answered(SURVEYS, params)
    results = sat.dimension_results(answered, params).set_index("dimension")
    q = results.loc["quality"]
    assert q["n"] == 2 and q["mean"] == 3.5
    # t interval: 3.5 ± t(0.975, 1) * sd / sqrt(2), sd = 2.1213
    half = 12.7062047 * np.std([5, 2], ddof=1) / np.sqrt(2)
    assert q["ci_low"] == pytest.approx(3.5 - half) and q["ci_high"] == pytest.approx(3.5 + half)
    assert q["top2"] == 0.5  # one answer of 5 is in the top two boxes (4, 5)
    assert (q["level_5"], q["level_2"]) == (1, 1)
    assert results.loc["delivery", "top2"] == 0.5 and results.loc["delivery", "share_of_max"] == pytest.approx(0.7)


def test_customer_scores_overall_and_capa_rule(params):
    answered = sat.answered(SURVEYS, params)
    scores = sat.customer_scores(answered, params).set_index("survey_id")
    assert scores.loc["S1", "share"] == pytest.approx(0.9) and not scores.loc["S1", "below_target"]
    assert scores.loc["S2", "share"] == pytest.approx(0.5) and scores.loc["S2", "below_target"]
    overall = sat.overall_score(scores.reset_index(), params)
    assert overall["share"] == pytest.approx(0.7) and not overall["met"]
    capa = sat.capa_list(answered, scores.reset_index(), params)
    assert capa[["survey_id", "capa_reason", "dimension", "item_score"]].values.tolist() == [
        ["S2", "item", "quality", 2.0], ["S2", "customer", "overall", 2.5]]
    assert set(capa["department"]) == {"质量部"}  # the weakest item of S2 is quality
    assert capa["comment"].tolist() == ["交期太慢", "交期太慢"]


def test_not_applicable_items_are_left_out_not_scored_lowest(params):
    rows = SURVEYS.copy()
    rows.loc[0, "delivery"] = np.nan  # S1: delivery not applicable
    scores = sat.customer_scores(sat.answered(rows, params), params).set_index("survey_id")
    assert scores.loc["S1", "items"] == 1 and scores.loc["S1", "share"] == 1.0


def test_segments_with_few_answers_are_suppressed(params):
    answered = sat.answered(SURVEYS, params)
    scores = sat.customer_scores(answered, params)
    table = sat.segment_results(scores, CUSTOMERS, params).set_index("value")
    assert table.loc["华东", "answers"] == 2 and table.loc["华东", "share"] == pytest.approx(0.7)
    hidden = load_parameters(root=params.root, month="2026-10", overrides={
        "survey.dimensions": ["quality", "delivery"], "survey.min_answers": 3})
    table = sat.segment_results(scores, CUSTOMERS, hidden).set_index("value")
    assert table.loc["华东", "suppressed"] and np.isnan(table.loc["华东", "share"])


def test_grade_thresholds_with_and_without_kpis(params):
    scores = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "share": [0.95, 0.95, 0.75],
                           "answered_date": [T("2026-09-05")] * 3})
    orders = pd.DataFrame({"customer_id": ["C1", "C1", "C2", "C2"], "order_date": [T("2026-08-01")] * 4,
                           "due_date": [T("2026-08-20")] * 4,
                           "delivered_date": [T("2026-08-19"), T("2026-08-20"), T("2026-08-19"), T("2026-08-25")],
                           "quality_passed": [True, True, True, True]})
    grades = sat.satisfaction_grades(scores, params, orders).set_index("customer_id")
    assert grades.loc["C1", "on_time"] == 1.0 and grades.loc["C1", "grade"] == "A"
    assert grades.loc["C2", "on_time"] == 0.5 and grades.loc["C2", "grade"] == "D"  # 50 % on time fails C's 90 %
    assert np.isnan(grades.loc["C3", "on_time"]) and grades.loc["C3", "grade"] == "C"  # no orders: KPI not checked
    complaints = pd.DataFrame({"customer_id": ["C1"], "received_at": [T("2026-09-01 10:00")], "severity": ["major"]})
    grades = sat.satisfaction_grades(scores, params, orders, complaints).set_index("customer_id")
    assert grades.loc["C1", "major_complaints"] == 1 and grades.loc["C1", "grade"] == "C"  # A and B allow 0
    assert grades.loc["C3", "share"] == 0.75  # the survey score as a share of the scale (a percent on the page)


def test_welch_statistic_and_effect_size_by_hand():
    now, before = [5, 4, 5, 4], [3, 4, 3, 4]
    result = sat.welch_test(now, before)
    # means 4.5 and 3.5, variances 1/3 each: t = 1 / sqrt(1/12 + 1/12) = 2.4495, d = 1 / sqrt(1/3) = 1.732
    assert result["diff"] == 1.0
    assert result["t"] == pytest.approx(2.449490, rel=1e-5)
    assert result["d"] == pytest.approx(1.732051, rel=1e-5)
    assert result["p"] == pytest.approx(0.0498, abs=1e-3)  # df = 6


def test_a_period_without_answers_is_a_clear_error(params):
    only_unanswered = SURVEYS[SURVEYS["answered_date"].isna()]
    with pytest.raises(DataError, match=r"no survey form sent between 2026-05-01 and 2026-10-31 has answers "
                                        r"\(2 sent; survey.period_months=6\)"):
        sat.answered(only_unanswered, params)


def test_drivers_rank_the_dimension_that_moves_the_overall_rating(params):
    rng = np.random.default_rng(0)
    n = 200
    quality, delivery = rng.integers(1, 6, n).astype(float), rng.integers(1, 6, n).astype(float)
    overall = np.clip(np.round(0.8 * delivery + 0.2 * quality + rng.normal(0, 0.3, n)), 1, 5)
    frame = pd.DataFrame({"survey_id": [f"S{i}" for i in range(n)], "customer_id": "C", "quality": quality,
                          "delivery": delivery, "overall": overall})
    table = sat.drivers(frame, params)
    assert table["dimension"].tolist() == ["delivery", "quality"]
    top = table.iloc[0]
    assert top["importance_low"] > table.iloc[1]["importance_high"]  # the intervals separate
    again = sat.drivers(frame, params)
    pd.testing.assert_frame_equal(table, again)  # seeded


def test_complaints_pareto_compliance_and_repeats(params):
    received = [T("2026-10-01 09:00"), T("2026-10-02 09:00"), T("2026-10-03 09:00"), T("2026-09-10 09:00"),
                T("2026-10-31 20:00")]
    frame = pd.DataFrame({
        "complaint_id": list("abcde"), "customer_id": ["C1", "C1", "C2", "C1", "C3"], "received_at": received,
        "category": ["quality", "quality", "delivery", "price", "quality"],
        "severity": ["major", "normal", "normal", "minor", "normal"],
        "replied_at": [received[0] + pd.Timedelta(hours=2), received[1] + pd.Timedelta(hours=30), None,
                       received[3] + pd.Timedelta(hours=1), None],
        "followed_up_at": [received[0] + pd.Timedelta(hours=48), None, None, None, None]})
    table = cmp.pareto(frame, params)
    assert table["category"].tolist() == ["quality", "delivery", "price"]
    assert table["cumulative"].tolist() == pytest.approx([0.6, 0.8, 1.0])
    compliance = cmp.response_compliance(frame, params)
    # October: a replied in 2 h, b in 30 h, c never (deadline passed), e's deadline is after the month end
    assert compliance.loc["2026-10", "complaints"] == 4
    assert compliance.loc["2026-10", "reply_ok"] == pytest.approx(1 / 3)
    assert compliance.loc["2026-10", "reply_due"] == 3
    assert compliance.loc["2026-09", "reply_ok"] == 1.0
    repeat = cmp.repeat_complainers(frame, params)
    assert repeat["customer_id"].tolist() == ["C1"] and repeat["complaints"].tolist() == [3]
    assert repeat["major"].tolist() == [1]
    by_month = cmp.complaints_by_month(frame, params)
    assert by_month.loc["2026-10"].to_dict() == {"quality": 3, "delivery": 1, "price": 0}


def test_compliance_counts_only_complaints_past_their_deadline(params):
    # f came on 31 Oct 09:00 and was answered at 10:00: its 24 h deadline (1 Nov 09:00) is after the month end,
    # so it is in neither count. October: a on time, b late, c never -> 1 of 3, not 2 of 4.
    received = [T("2026-10-01 09:00"), T("2026-10-02 09:00"), T("2026-10-03 09:00"), T("2026-10-31 09:00")]
    frame = pd.DataFrame({"complaint_id": list("abcf"), "customer_id": ["C1", "C2", "C3", "C4"], "received_at": received,
                          "category": ["quality"] * 4,
                          "replied_at": [received[0] + pd.Timedelta(hours=2), received[1] + pd.Timedelta(hours=30), None,
                                         received[3] + pd.Timedelta(hours=1)],
                          "followed_up_at": [received[0] + pd.Timedelta(hours=48)] + [None] * 3})
    october = cmp.response_compliance(frame, params).loc["2026-10"]
    assert (october["reply_due"], october["reply_ok"]) == (3, pytest.approx(1 / 3))
    # 72 h: a followed up in 48 h; b, c late; f's deadline (3 Nov) not passed -> 1 of 3
    assert (october["followup_due"], october["followup_ok"]) == (3, pytest.approx(1 / 3))
    whole = cmp.overall_compliance(frame, params)
    assert whole == {"reply_ok": pytest.approx(1 / 3), "reply_due": 3, "followup_ok": pytest.approx(1 / 3),
                     "followup_due": 3}
    listed = cmp.month_list(frame, params).set_index("complaint_id")
    # one complaint per row: answered in time or not (blank while its deadline is ahead), not a rate
    assert listed["replied_in_time"].tolist()[:3] == [True, False, False] and pd.isna(listed.loc["f", "replied_in_time"])


def test_repeat_complainers_without_a_severity_column_count_no_major(params):
    received = [T("2026-10-01 09:00"), T("2026-10-05 09:00")]
    frame = pd.DataFrame({"complaint_id": ["a", "b"], "customer_id": ["C1", "C1"], "received_at": received,
                          "category": ["quality", "price"]})
    repeat = cmp.repeat_complainers(frame, params)
    assert repeat["complaints"].tolist() == [2] and "major" not in repeat.columns
    assert repeat["categories"].tolist() == [["price", "quality"]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    params, tables, truth = build_demo(tmp_path_factory, "sat", customers=900, months=18, seed=11, leads=50)
    return params, tables, json.loads((truth / "truth.json").read_text("utf-8"))


def test_demo_planted_driver_ranks_first(demo):
    params, tables, truth = demo
    answered = sat.answered(tables["surveys"], params)
    table = sat.drivers(answered, params)
    assert table.iloc[0]["dimension"] == truth["strongest_driver"]
    assert table.iloc[0]["importance_low"] > table.iloc[1]["importance"]


def test_demo_planted_dissatisfied_customers_are_on_the_capa_list(demo):
    params, tables, truth = demo
    answered = sat.answered(tables["surveys"], params)
    capa = sat.capa_list(answered, sat.customer_scores(answered, params), params)
    planted = set(truth["dissatisfied"]) & set(answered["customer_id"])
    assert len(planted) >= 2
    assert planted <= set(capa["customer_id"])
