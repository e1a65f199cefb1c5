"""The requirement register's monthly summary, by hand on a small register (October 2026)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import requirements as req
from analysis.config import Parameters

START, END = "2026-10-01", "2026-10-31"
D = pd.Timestamp


def params(**requirements) -> Parameters:
    return Parameters.model_validate({"month": "2026-10", "requirements": requirements})


def register() -> pd.DataFrame:
    rows = [  # id, reporter, submitted, decision, decided, priority, promised, revised, delivered, status, product, summary
        ("R1", "甲", "2026-10-02", "do", "2026-10-03", "A", "2026-10-10", None, "2026-10-10", "done", "P1", "导出 报表 筛选"),
        ("R2", "甲", "2026-10-05", "transform", "2026-10-06", "B", "2026-10-12", None, "2026-10-13", "done", "P1", "报表 导出"),
        ("R3", "甲", "2026-10-06", "dont", "2026-10-08", "C", None, None, None, None, "P2", "界面 颜色"),
        ("R4", "乙", "2026-10-07", "do", "2026-10-08", "A", "2026-10-15", None, None, None, "P2", "报表 打印"),
        ("R5", "乙", "2026-10-08", "revisit", "2026-10-09", None, None, None, None, None, "P1", "导出，PDF"),
        ("R6", "乙", "2026-10-09", "do", "2026-10-10", "B", "2026-10-20", "2026-10-28", "2026-10-30", "delayed", "P2",
         "打印 报表"),
        ("R7", "丙", "2026-09-20", "do", "2026-09-25", "C", "2026-10-05", None, "2026-10-01", "done", "P1", "旧 需求"),
        ("R8", "丙", "2026-10-20", None, None, None, None, None, None, None, None, "批量 导入"),
        ("R9", "丙", "2026-10-25", "do", "2026-10-26", "B", "2026-10-31", None, None, None, "P2", None),
        ("R10", "丁", "2026-10-03", "dont", "2026-10-04", None, None, None, None, None, "P2", "颜色 界面 界面"),
    ]
    frame = pd.DataFrame(rows, columns=["requirement_id", "reporter", "submitted_date", "decision", "decided_date",
                                        "priority", "promised_date", "revised_date", "delivered_date",
                                        "requirement_status", "product", "summary"])
    for column in ("submitted_date", "decided_date", "promised_date", "revised_date", "delivered_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_monthly_summary_counts_what_the_procedure_asks():
    row = req.summary(register(), START, END, params()).iloc[0]
    # submitted in October: all but R7 (September) = 9
    assert row["submitted"] == 9
    # final decisions dated in October: R1 R2 R3 R4 R6 R9 R10 = 7 (R5 is revisit, R7 was decided in September);
    # accepted (do or transformed): R1 R2 R4 R6 R9 = 5
    assert (row["final_decisions"], row["accepted"], row["revisit"]) == (7, 5, 1)
    assert row["acceptance_rate"] == pytest.approx(5 / 7)
    # delivered in October: R1 R2 R6 R7; an approved delay promised in October: R6
    assert (row["delivered"], row["delayed"]) == (4, 1)
    # open at the end: R4 R9 (accepted, not delivered), R5 (revisit), R8 (undecided); overdue: R4 only
    # (R9 is due on the 31st, the period's last day)
    assert (row["open_end"], row["overdue"]) == (4, 1)
    # missed their date: R2 (1 day), R4 (still open, 16 days), R6 (2 days after its new date)
    assert row["missed_date"] == 3


def test_delivery_is_judged_against_the_promise_with_the_penalty_steps():
    delivery = req.delivery_table(register(), START, END, params()).set_index("requirement_id")
    # due in October: R1 (10th) R2 (12th) R4 (15th) R6 (new date 28th) R7 (5th) R9 (31st); R3 R10 declined, R8 undecided
    assert sorted(delivery.index) == ["R1", "R2", "R4", "R6", "R7", "R9"]
    assert delivery["delivery_outcome"].to_dict() == {"R7": "early", "R1": "on_time", "R2": "late_short", "R4": "late_long",
                                             "R6": "late_week", "R9": "pending"}
    # R4 is not delivered: late by the 16 days from the 15th to the 31st so far
    assert delivery.loc["R4", "days_late"] == 16 and delivery.loc["R4", "still_open"]
    # the steps are parameters: with [2, 20] R6 (2 days) is within the first step and R4 (16) within the second
    wider = req.delivery_table(register(), START, END, params(late_steps=[2, 20])).set_index("requirement_id")
    assert wider.loc["R6", "delivery_outcome"] == "late_short" and wider.loc["R4", "delivery_outcome"] == "late_week"
    table = req.delivery_summary(delivery.reset_index()).set_index("delivery_outcome")
    # judged: 5 (R9 pending); on time: R7 early and R1 = 2 of 5
    assert table.loc["pending", "count"] == 1 and pd.isna(table.loc["pending", "delivery_share"])
    assert table.loc["late_long", "delivery_share"] == pytest.approx(1 / 5)
    assert req.on_time_rate(delivery) == pytest.approx(2 / 5)


def test_a_later_period_sees_the_later_delivery():
    # at the end of September, R7 (delivered 1 October) is neither delivered nor due yet (due 5 October)
    row = req.summary(register(), "2026-09-01", "2026-09-30", params()).iloc[0]
    assert (row["submitted"], row["final_decisions"], row["delivered"], row["open_end"]) == (1, 1, 0, 1)


def test_decision_mix_and_urgent_requirements_past_their_date():
    mix = req.decision_mix(register(), START, END).set_index("decision")
    # decisions dated in October: do R1 R4 R6 R9, transform R2, dont R3 R10, revisit R5 = 8
    assert mix["count"].to_dict() == {"do": 4, "transform": 1, "dont": 2, "revisit": 1}
    assert mix.loc["do", "decision_share"] == pytest.approx(4 / 8)
    late = req.overdue_urgent(register(), END, params())
    assert late["requirement_id"].tolist() == ["R4"] and late["days_overdue"].tolist() == [16]
    # only A is urgent: still R4; only C: nothing (R7 was delivered)
    assert req.overdue_urgent(register(), END, params(urgent=["C"])).empty


def test_staff_ranking_counts_beside_rates_and_a_minimum_before_ranking():
    ranking = req.staff_ranking(register(), START, END, params(min_decided=2)).set_index("reporter")
    # 甲: 3 submitted, final R1 R2 R3, accepted R1 R2 -> 2/3; 乙: 3 submitted, final R4 R6 -> 2/2;
    # 丙: 2 submitted (R8 R9), final R9 -> 1/1 but fewer than 2 decisions; 丁: 1 submitted, R10 declined -> 0/1
    assert ranking.loc["甲", ["submitted", "final_decisions", "accepted"]].tolist() == [3, 3, 2]
    assert ranking.loc["乙", "acceptance_rate"] == 1.0 and ranking.loc["甲", "acceptance_rate"] == pytest.approx(2 / 3)
    assert ranking["rank_acceptance"].dropna().astype(int).to_dict() == {"乙": 1, "甲": 2}
    assert ranking.loc[["丙", "丁"], "rank_acceptance"].isna().all()
    assert list(ranking.index) == ["乙", "甲", "丙", "丁"]  # ranked first, the unranked by submissions
    # submissions: 甲 and 乙 tie at 3 (rank 1, 1), 丙 is third, 丁 fourth
    assert ranking["rank_submitted"].to_dict() == {"乙": 1, "甲": 1, "丙": 3, "丁": 4}
    assert ranking.loc["丙", "acceptance_rate"] == 1.0  # shown, not ranked


def test_equal_rates_share_a_rank_and_the_next_rank_skips():
    # A 2/4, B 3/6 (both 0.5), C 1/1 (too few), D 4/4, E 1/4: D 1, A 2, B 2, E 4; C unranked
    rows, n = [], 0
    for name, accepted, decided in (("A", 2, 4), ("B", 3, 6), ("C", 1, 1), ("D", 4, 4), ("E", 1, 4)):
        for k in range(decided):
            n += 1
            rows.append((f"X{n}", name, "2026-10-05", "do" if k < accepted else "dont", "2026-10-06"))
    frame = pd.DataFrame(rows, columns=["requirement_id", "reporter", "submitted_date", "decision", "decided_date"])
    frame[["submitted_date", "decided_date"]] = frame[["submitted_date", "decided_date"]].apply(pd.to_datetime)
    ranking = req.staff_ranking(frame, START, END, params(min_decided=2)).set_index("reporter")
    assert ranking["rank_acceptance"].dropna().astype(int).to_dict() == {"D": 1, "B": 2, "A": 2, "E": 4}
    assert pd.isna(ranking.loc["C", "rank_acceptance"])
    assert list(ranking.index) == ["D", "B", "A", "E", "C"]  # B before A on the tie: more submissions (6 vs 4)


def test_requirements_per_product_and_their_keywords():
    by_product = req.requirements_by(register(), START, END, "product").set_index("product")
    # P1: R1 R2 R5 (accepted R1 R2, delivered R1 R2, open R5); P2: R3 R4 R6 R9 R10 (accepted R4 R6 R9, delivered R6,
    # open R4 R9)
    assert by_product.loc["P1"].tolist() == [3, 2, 2, 1] and by_product.loc["P2"].tolist() == [5, 3, 1, 2]
    assert req.requirements_by(register(), START, END, "customer_id").empty  # the register names no customer
    words = req.top_keywords(register(), START, END, params(top_words=2))
    got = {p: list(zip(g["keyword"], g["mentions"])) for p, g in words.groupby("product")}
    # P1: 导出 in R1 R2 R5 (3), 报表 in R1 R2 (2); P2: 界面 颜色 报表 打印 each in 2 requirements (R10 says 界面 twice:
    # counted once), ties by the keyword: 打印 < 报表 in code point order; R8 has no product: shown under —
    assert got == {"P1": [("导出", 3), ("报表", 2)], "P2": [("打印", 2), ("报表", 2)], "—": [("导入", 1), ("批量", 1)]}
    assert req.keywords("APP 导出，导出 a PDF") == ["app", "导出", "pdf"]


def test_open_requirements_per_owner_overdue_first():
    items = req.open_list(register(), END, params())
    # open: R4 (overdue 16 days), R9 (B, due the 31st), R5 (revisit) and R8 (undecided): no urgency, no date
    assert items["requirement_id"].tolist() == ["R4", "R9", "R5", "R8"]
    assert items["overdue"].tolist() == [True, False, False, False]
    assert items["owner"].tolist() == ["乙", "丙", "乙", "丙"]  # no owner column: the reporter
    sheets = req.lists_by_owner(items)
    assert {k: v["requirement_id"].tolist() for k, v in sheets.items()} == {"丙": ["R9", "R8"], "乙": ["R4", "R5"]}


def test_an_empty_register_gives_empty_tables_not_errors():
    empty = register().iloc[0:0]
    row = req.summary(empty, START, END, params()).iloc[0]
    assert row["submitted"] == 0 and pd.isna(row["acceptance_rate"])
    assert req.staff_ranking(empty, START, END, params()).empty
    assert req.top_keywords(empty, START, END, params()).empty
    assert req.delivery_message(req.delivery_table(empty, START, END, params()), params()).key == "req.delivery_none"


# ----------------------------------------------------------------------------- the demo's planted facts

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    import json

    from conftest import build_demo

    project_params, tables, truth = build_demo(tmp_path_factory, "requirements", customers=300, months=12, seed=5,
                                               leads=50)
    return project_params, tables, json.loads((truth / "truth.json").read_text("utf-8"))


def test_demo_plants_a_prolific_reporter_with_the_lowest_acceptance(demo):
    p, tables, truth = demo
    start = pd.Period(p.month, "M").start_time - pd.DateOffset(months=11)  # the demo's twelve months
    ranking = req.staff_ranking(tables["requirements"], start, p.period_end, p)
    planted = truth["requirements_low_acceptance"]
    assert ranking.sort_values("submitted").iloc[-1]["reporter"] == planted
    assert ranking.sort_values("acceptance_rate").iloc[0]["reporter"] == planted
    # and the month's page has something in every section
    register = tables["requirements"]
    assert req.summary(register, p.period_start, p.period_end, p).iloc[0]["submitted"] > 0
    assert len(req.delivery_table(register, p.period_start, p.period_end, p)) > 0


def test_demo_plants_a_late_department_and_a_much_returned_product(demo):
    from analysis import complaints as cmp
    from analysis import returns as ret

    p, tables, truth = demo
    start, end = cmp.window(p)
    departments = cmp.deadline_compliance(tables["complaints"], start, end, p, by=("department",))
    assert departments.iloc[0]["department"] == truth["late_department"]
    assert departments.iloc[0]["department_ok"] < 0.75 < departments.iloc[1]["department_ok"]
    products = ret.return_rates(tables["returns"], tables["orders"], start, end, "product")
    assert products.iloc[0]["product"] == truth["high_return_product"]
    assert products.iloc[0]["return_rate"] > 2 * products.iloc[1]["return_rate"]


def test_demo_follow_ups_before_their_reply_are_found_by_the_checks(demo):
    from analysis.data import consistency

    p, tables, truth = demo
    found = {i.check: i for i in consistency.checks(tables.folder, tables.report, p)}
    assert truth["followup_before_reply"] > 0
    assert found["followup_before_reply"].count == truth["followup_before_reply"]
    assert set(found) == {"followup_before_reply"}  # the demo has no other slip of that kind


def test_without_the_register_the_page_says_what_is_missing(demo, tmp_path):
    from analysis import load_tables
    from conftest import make_project

    p, tables, _ = demo
    raw = p.root / "data" / "raw"
    project = make_project(tmp_path / "p", raw)
    (project / "data" / "raw" / "需求登记反馈表.csv").unlink()  # the module demo is written as CSV
    from analysis import load_parameters

    params = load_parameters(root=project, month=p.month)
    without = load_tables(params)
    assert "requirements" not in without and req.absent_message(tables, p) is None
    message = req.absent_message(without, params)
    assert message.key == "req.absent" and message.values["file"] == "data/raw/需求登记反馈表.xlsx"
    assert [h["value"].value for h in req.headlines(None, None, None)][0] is None


@pytest.mark.notebook
def test_the_page_with_the_register(demo_run):
    from conftest import DEMO_MONTH, executed_page

    headlines, html = executed_page(demo_run / "reports" / "runs" / DEMO_MONTH, "requirements")
    assert len(headlines) == 1 and headlines[0]["items"][0]["value"] > 0
    assert "本期汇总" in html and "未提供需求登记反馈表" not in html


@pytest.mark.notebook
def test_the_page_runs_without_the_register(demo, tmp_path):
    from analysis import load_parameters
    from analysis.runner import run_month
    from conftest import executed_page, make_project

    p, _, _ = demo
    project = make_project(tmp_path / "p", p.root / "data" / "raw", notebooks=True)
    (project / "data" / "raw" / "需求登记反馈表.csv").unlink()  # the module demo is written as CSV
    params = load_parameters(root=project, month=p.month, overrides={"run.notebooks": ["requirements"]})
    assert run_month(params).notebooks[0].outcome == "ok"
    headlines, html = executed_page(project / "reports" / "runs" / p.month, "requirements")
    assert len(headlines) == 1 and headlines[0]["items"][0]["value"] is None
    assert "未提供需求登记反馈表（应在 data/raw/需求登记反馈表.xlsx）" in html and "本期汇总" not in html
