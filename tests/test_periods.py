"""Quarterly and yearly reports: period arithmetic, the parameters of a period, the analyses that count within
it, refusal of a period that has not ended, and the quarter and year of the demo built into the site."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from analysis import ConfigError, load_parameters
from analysis import complaints as cmp
from analysis import satisfaction
from analysis.i18n import period_name, render
from analysis.message import Message
from analysis.periods import parse_period, sort_key
from analysis.runner import check_complete, default_as_of
from analysis.site import front_period, shift
from conftest import DEMO_MONTH, FIXTURES, copy_project, make_project, run_cli

D = dt.date


# ----------------------------------------------------------------------------- period arithmetic

@pytest.mark.parametrize("label, kind, start, end, cutoff", [
    ("2026-10", "month", D(2026, 10, 1), D(2026, 10, 31), "2026-10"),
    ("2026-Q3", "quarter", D(2026, 7, 1), D(2026, 9, 30), "2026-09"),
    ("2026-q1", "quarter", D(2026, 1, 1), D(2026, 3, 31), "2026-03"),
    ("2026", "year", D(2026, 1, 1), D(2026, 12, 31), "2026-12"),
    # a leap year: February has 29 days, the first quarter 91, the year 366
    ("2024-02", "month", D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
    ("2024-Q1", "quarter", D(2024, 1, 1), D(2024, 3, 31), "2024-03"),
    ("2024", "year", D(2024, 1, 1), D(2024, 12, 31), "2024-12"),
])
def test_a_period_knows_its_days_and_its_last_month(label, kind, start, end, cutoff):
    period = parse_period(label)
    assert (period.kind, period.start, period.end, period.cutoff_month) == (kind, start, end, cutoff)
    assert len(period.months_list()) == {"month": 1, "quarter": 3, "year": 12}[kind]
    assert (end - start).days + 1 == {"2024-02": 29, "2024-Q1": 91, "2024": 366}.get(label, (end - start).days + 1)


def test_periods_step_back_by_their_own_kind():
    assert parse_period("2026-01").shift(1).label == "2025-12"
    assert parse_period("2026-Q1").shift(1).label == "2025-Q4"
    assert parse_period("2026-Q3").shift(4).label == "2025-Q3"  # the same quarter a year earlier
    assert parse_period("2026").shift(1).label == "2025"
    assert parse_period("2026-10").shift(12).label == "2025-10"
    assert shift("2026-Q3", 1) == "2026-Q2" and shift("notes", 1) is None


def test_the_archive_orders_periods_by_their_end_a_month_before_its_quarter_and_year():
    labels = ["2026", "2026-Q4", "2026-12", "2026-10", "2026-Q3", "2026-09", "2025"]
    assert sorted(labels, key=sort_key) == ["2025", "2026-09", "2026-Q3", "2026-10", "2026-12", "2026-Q4", "2026"]
    # the front page opens on the latest month; only quarters: the latest period
    assert front_period(["2026", "2026-Q3", "2026-09"]) == "2026-09"
    assert front_period(["2026-Q3", "2026-Q2"]) == "2026-Q3"


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-10", "2026/10", "Q3 2026", ""])
def test_a_period_that_is_none_is_refused_with_the_formats(text, tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    with pytest.raises(ConfigError, match=r"YYYY-MM \(a month, 2026-10\), YYYY-Qn \(a quarter, 2026-Q3\) or YYYY"):
        load_parameters(root=project, month=text or " ")


def test_period_names_in_each_language():
    assert [period_name(p, "zh-CN") for p in ("2026-10", "2026-Q3", "2026")] == ["2026年10月", "2026年第3季度",
                                                                                "2026年度"]
    assert [period_name(p, "en") for p in ("2026-10", "2026-Q3", "2026")] == ["October 2026", "Q3 2026", "Year 2026"]
    # a text that says "this month" says "this quarter" in a quarter's report
    for label, zh, en in (("2026-10", "本月投诉明细：", "Complaints this month:"),
                          ("2026-Q3", "本季度投诉明细：", "Complaints this quarter:"),
                          ("2026", "本年度投诉明细：", "Complaints this year:")):
        assert render(Message.of("sat.month_list"), "zh-CN", {"_period": label}) == zh
        assert render(Message.of("sat.month_list"), "en", {"_period": label}) == en


# ----------------------------------------------------------------------------- parameters of a period

def test_parameters_of_a_quarter_and_its_own_parameter_file(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    (project / "parameters" / "2026-Q3.yaml").write_text("survey:\n  response_target: 0.8\n", "utf-8")
    quarter = load_parameters(root=project, month="2026-Q3")
    assert (quarter.period, quarter.month, quarter.period_months) == ("2026-Q3", "2026-09", 3)
    assert (quarter.period_start, quarter.period_end) == (D(2026, 7, 1), D(2026, 9, 30))
    assert quarter.survey.response_target == 0.8  # parameters/2026-Q3.yaml applies to the quarter only
    month = load_parameters(root=project, month="2026-09")
    assert (month.period, month.period_start) == ("2026-09", D(2026, 9, 1)) and month.survey.response_target == 0.9
    year = load_parameters(root=project, month="2025")
    assert (year.month, year.period_start, year.period_end) == ("2025-12", D(2025, 1, 1), D(2025, 12, 31))


def test_a_period_that_has_not_ended_is_refused_unless_allowed(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    today = D(2026, 10, 15)
    check_complete(load_parameters(root=project, month="2026-09"), today=today)  # ended on 30 Sep
    check_complete(load_parameters(root=project, month="2026-Q3"), today=today)
    for label in ("2026-10", "2026-Q4", "2026", "2027-01"):
        params = load_parameters(root=project, month=label)
        with pytest.raises(ConfigError, match=r"not final.*--period 2026-09.*--allow-incomplete"):
            check_complete(params, today=today)
        check_complete(params, allow_incomplete=True, today=today)
    # on the period's last day it has not ended yet
    with pytest.raises(ConfigError):
        check_complete(load_parameters(root=project, month="2026-09"), today=D(2026, 9, 30))


def test_an_unfinished_period_counts_its_data_up_to_the_last_complete_month(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    year = load_parameters(root=project, month="2026")
    # run on 26 Nov: the year counts January to October, the models cut off at the end of October
    assert default_as_of(year, today=D(2026, 11, 26)) == D(2026, 10, 31)
    counted = load_parameters(root=project, month="2026", overrides={"as_of": "2026-10-31"})
    assert (counted.period, counted.month, counted.period_start, counted.period_end) == (
        "2026", "2026-10", D(2026, 1, 1), D(2026, 10, 31))
    # the current month itself: up to yesterday
    assert default_as_of(load_parameters(root=project, month="2026-11"), today=D(2026, 11, 26)) == D(2026, 11, 25)
    assert default_as_of(load_parameters(root=project, month="2026-Q4"), today=D(2026, 11, 26)) == D(2026, 10, 31)


def test_the_command_refuses_a_period_that_has_not_ended_before_reading_anything(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    next_month = (pd.Timestamp.today() + pd.offsets.MonthBegin(1)).strftime("%Y-%m")
    proc = run_cli("--project", str(project), "run", "--period", next_month)
    assert proc.returncode == 2 and "--allow-incomplete" in proc.stderr and "Traceback" not in proc.stderr
    assert not (project / "data" / "processed").exists() and not (project / "reports" / "runs").exists()
    proc = run_cli("--project", str(project), "run", "--month", "2026-10", "--period", "2026-Q3")
    assert proc.returncode == 2 and "not allowed with" in proc.stderr  # one period per run


# ----------------------------------------------------------------------------- analyses over a period

def _complaints() -> pd.DataFrame:
    at = pd.to_datetime
    return pd.DataFrame({
        "complaint_id": ["a", "b", "c", "d", "e"],
        "customer_id": ["C1", "C2", "C1", "C3", "C2"],
        "received_at": at(["2026-06-30 23:00", "2026-07-01 08:00", "2026-08-15 10:00", "2026-09-30 20:00",
                           "2026-10-01 09:00"]),
        "category": ["quality"] * 5,
        "replied_at": at(["2026-07-01 01:00", "2026-07-01 10:00", "2026-08-17 10:00", "2026-10-01 08:00", None]),
        "followed_up_at": at([None] * 5),
    })


def test_complaints_of_a_quarter_count_from_its_first_to_its_last_day(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    frame = _complaints()
    quarter = load_parameters(root=project, month="2026-Q3")
    # b (1 Jul 08:00), c (15 Aug), d (30 Sep 20:00) are in the quarter; a (30 Jun) and e (1 Oct) are not
    assert cmp.complaints_in_period(frame, quarter)["complaint_id"].tolist() == ["b", "c", "d"]
    assert cmp.complaints_in_period(frame, load_parameters(root=project, month="2026-09"))[
        "complaint_id"].tolist() == ["d"]
    # compliance over the quarter's three months, counting complaints whose 24 h deadline passed by 30 Sep
    # 24:00: b replied after 2 h (ok), c after 48 h (late); d's deadline (1 Oct 20:00) is ahead -> not counted
    message = cmp.summary_message(frame, quarter)
    assert message.values["n"] == 3 and message.values["reply_month"].value == pytest.approx(1 / 2)


def test_capa_items_new_in_a_quarter_are_those_opened_in_any_of_its_months(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    at = pd.to_datetime
    dims = ["quality", "delivery", "service", "price", "technology", "communication"]
    low, high = {d: 2.0 for d in dims}, {d: 5.0 for d in dims}
    surveys = pd.DataFrame([
        {"survey_id": "S1", "customer_id": "C1", "sent_date": at("2026-07-20"), "answered_date": at("2026-07-25"), **low},
        {"survey_id": "S2", "customer_id": "C2", "sent_date": at("2026-05-20"), "answered_date": at("2026-05-25"), **low},
        {"survey_id": "S3", "customer_id": "C2", "sent_date": at("2026-08-01"), "answered_date": at("2026-08-05"),
         **high},
        {"survey_id": "S4", "customer_id": "C3", "sent_date": at("2026-09-02"), "answered_date": at("2026-09-06"), **low},
        {"survey_id": "S5", "customer_id": "C4", "sent_date": at("2025-12-01"), "answered_date": at("2025-12-05"), **low},
    ])
    surveys["comment"] = None
    register = lambda label: satisfaction.capa_register(surveys, load_parameters(root=project, month=label))  # noqa: E731
    status = lambda reg, customer: set(reg.loc[reg["customer_id"] == customer, "follow_status"])  # noqa: E731
    quarter, september = register("2026-Q3"), register("2026-09")
    # C1 opened in July: new in the quarter, carried over in September's report
    assert status(quarter, "C1") == {"new"} and status(september, "C1") == {"carried"}
    # C2 opened in May and closed by the August answer: closed in the quarter, closed earlier for September
    assert status(quarter, "C2") == {"closed"} and status(september, "C2") == {"done"}
    # C3 opened in September: new in both
    assert status(quarter, "C3") == {"new"} and status(september, "C3") == {"new"}
    # C4 opened in December 2025 and still open: carried over into the year 2026 (the register looks 12 months
    # back from the period's first month), not dropped
    year = register("2026")
    assert status(year, "C4") == {"carried"} and status(year, "C1") == {"new"}


# ----------------------------------------------------------------------------- the demo's quarter and year


@pytest.mark.notebook
def test_a_quarter_and_a_year_build_pages_linked_from_the_archive(period_run):
    site = period_run / "reports" / "site"
    index = (site / "index.html").read_text("utf-8")
    for label, name in (("2026-Q3", "2026年第3季度"), ("2026", "2026年度")):
        assert f'href="{label}/index.html"' in index and name in index  # listed in the archive by its name
        for page in ("sales_summary", "satisfaction"):
            html = (site / label / f"{page}.html").read_text("utf-8")
            assert f'<span class="wb-period">{name}</span>' in html  # each page says its period
    assert "本季度投诉明细" in (site / "2026-Q3" / "satisfaction.html").read_text("utf-8")
    # the sales report is named for its period: 销售月报, 销售季报, 销售年报
    assert "<h1>销售季报" in (site / "2026-Q3" / "sales_summary.html").read_text("utf-8")
    assert "<h1>销售年报" in (site / "2026" / "sales_summary.html").read_text("utf-8")
    assert "<h1>销售月报" in (site / DEMO_MONTH / "sales_summary.html").read_text("utf-8")
    year = (site / "2026" / "sales_summary.html").read_text("utf-8")
    year_manifest = json.loads((period_run / "reports" / "runs" / "2026" / "manifest.json").read_text("utf-8"))
    if dt.date.today() <= D(2026, 12, 31):  # run with --allow-incomplete before the year ended
        as_of = default_as_of(load_parameters(root=period_run, month="2026"))
        assert (year_manifest["complete"], year_manifest["as_of"]) == (False, as_of.isoformat())
        assert year_manifest["parameters"]["as_of"] == as_of.isoformat()  # the notebooks counted up to it
        assert "2026年度尚未结束" in year and f"只计截至 {as_of.isoformat()} 的数据" in year
    assert "尚未结束" not in (site / "2026-Q3" / "sales_summary.html").read_text("utf-8")
    # the front page stays on the month, and its overview compares months
    assert 'href="2026-10/index.html"' in index.split("wb-findings")[0]
    manifest = json.loads((period_run / "reports" / "runs" / "2026-Q3" / "manifest.json").read_text("utf-8"))
    assert (manifest["period"], manifest["month"], manifest["complete"]) == ("2026-Q3", "2026-09", True)
    # the quarter's page links to the same report of other quarters only (not to the months)
    nav = (site / "2026-Q3" / "satisfaction.html").read_text("utf-8").split('class="wb-periods"')
    assert len(nav) == 1 or "2026年10月" not in nav[1].split("</nav>")[0]


@pytest.mark.notebook
def test_a_quarter_run_again_unchanged_executes_nothing(period_run, tmp_path):
    project = copy_project(period_run, tmp_path / "p")
    proc = run_cli("--project", str(project), "run", "--period", "2026-Q3", "-p", "run.notebooks=[sales_summary,"
                   "satisfaction]", "--no-site")
    assert proc.returncode == 0, proc.stderr
    assert "nothing changed" in proc.stdout


@pytest.mark.notebook
def test_the_quarter_and_year_pages_are_clean(period_run):
    import site_check
    from analysis import load_tables

    params = load_parameters(root=period_run, month=DEMO_MONTH)
    text = site_check.data_text(params, load_tables(params))
    site = period_run / "reports" / "site"
    problems = [p for label in ("2026-Q3", "2026") for page in sorted((site / label).glob("*.html"))
                for p in site_check.check_page(page.read_text("utf-8"), "zh-CN", text)]
    assert problems == []
