"""Survey and visit cadence, and the escalation of long development projects, by hand (period end 31 Oct 2026)."""

from __future__ import annotations

import pandas as pd

from analysis import cadence
from analysis.config import Parameters
from analysis.message import Listing

START, END = "2026-10-01", "2026-10-31"


def params(**values) -> Parameters:
    return Parameters.model_validate({"month": "2026-10", "cadence": values})


def dates(*texts):
    return pd.to_datetime(list(texts))


def customers() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["K1", "K2", "K3", "K4", "K5", "K6", "K7"],
        "grade": ["A", "A", "B", "C", "B", "A", "A"],
        "customer_since": dates("2015-01-01", "2015-01-01", "2015-01-01", "2026-03-01", "2025-06-30", "2015-01-01",
                                None),
        "churned": pd.array([False, False, False, False, False, True, False], dtype="boolean")})


def test_key_customers_every_half_year_others_every_year():
    surveys = pd.DataFrame({"customer_id": ["K1", "K2", "K3", "K1"],
                            "sent_date": dates("2026-04-15", "2026-05-10", "2025-10-31", "2026-11-05")})
    late = cadence.survey_overdue(customers(), surveys, END, params()).set_index("customer_id")
    # K1 (A): last form 15 Apr (the one of 5 Nov is after the period) -> due 15 Oct, 16 days over;
    # K2 (A): 10 May -> due 10 Nov, fine; K3 (B): 31 Oct 2025 -> due 31 Oct 2026, due today: listed, 0 days;
    # K4 (C, never): customer since 1 Mar 2026 -> due 1 Mar 2027, fine; K5 (B, never): since 30 Jun 2025 -> due
    # 30 Jun 2026, 123 days over; K6 is lost; K7 (A, never, date unknown): due at once
    assert list(late.index) == ["K1", "K7", "K5", "K3"]  # key customers first, most overdue first
    assert late["days_overdue"].to_dict() == {"K1": 16, "K7": 0, "K5": 123, "K3": 0}
    assert late.loc["K1", "cadence_reason"] == "key_customer" and late.loc["K5", "cadence_reason"] == "other_customer"
    # with orders, only customers who ordered in the last 12 months count: K7's only order is older
    orders = pd.DataFrame({"customer_id": ["K1", "K3", "K5", "K7"],
                           "order_date": dates("2026-09-01", "2026-01-05", "2026-10-02", "2025-09-01")})
    assert list(cadence.survey_overdue(customers(), surveys, END, params(), orders)["customer_id"]) == ["K1", "K5", "K3"]
    # B as a key grade: K3 and K5 are then due every 6 months as well (K3's due date moves to 30 Apr)
    wider = cadence.survey_overdue(customers(), surveys, END, params(key_grades=["A", "B"])).set_index("customer_id")
    assert wider.loc["K3", "days_overdue"] == 184 and (wider["cadence_reason"] == "key_customer").all()


def test_a_survey_after_each_major_complaint():
    complaints = pd.DataFrame({
        "complaint_id": ["M1", "M2", "M3", "M4", "M5"], "customer_id": ["K1", "K2", "K3", "K3", "K5"],
        "received_at": dates("2026-09-10 09:00", "2026-09-20 09:00", "2026-10-15 09:00", "2026-09-15 09:00",
                             "2026-09-05 10:00"),
        "severity": ["major", "major", "major", "normal", "major"], "category": "quality"})
    surveys = pd.DataFrame({"customer_id": ["K1", "K2", "K5"], "sent_date": dates("2026-09-20", "2026-05-10", "2026-09-05")})
    major = cadence.after_major_complaints(complaints, surveys, START, END, params())
    # deadlines (30 days): M5 5 Oct, M1 10 Oct, M2 20 Oct in October; M3 14 Nov is next period's; M4 is not major.
    # K5 was surveyed the day of its complaint, K1 ten days after, K2 not since May
    assert major["complaint_id"].tolist() == ["M5", "M1", "M2"]
    assert major["surveyed"].tolist() == [True, True, False]
    assert cadence.missed_surveys(major)["complaint_id"].tolist() == ["M2"]
    message = cadence.cadence_message(cadence.survey_overdue(customers(), surveys, END, params()), major, params())
    assert (message.values["due"], message.values["missed"]) == (3, 1)
    assert cadence.after_major_complaints(complaints.drop(columns=["severity"]), surveys, START, END, params()).empty


def test_a_customers_without_a_visit_or_call_in_the_quarter():
    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3"], "customer_id": ["K1", "K2", None]})
    events = pd.DataFrame({"lead_id": ["L1", "L2", "L2", "L3"],
                           "event_date": dates("2026-09-15", "2026-07-20", "2026-10-01", "2026-10-10"),
                           "event_type": ["call", "visit", "message", "visit"]})
    missing = cadence.unvisited(customers(), leads, events, END, params())
    # A customers K1 K2 K7 (K6 is lost); the quarter runs from 31 Jul: K1 called 15 Sep; K2 visited 20 Jul only
    # (its October message is no visit or call); K7 never: never first
    assert missing["customer_id"].tolist() == ["K7", "K2"]
    assert missing["days_since_contact"].tolist()[1] == 103 and pd.isna(missing["days_since_contact"].iloc[0])
    assert cadence.visits_message(customers(), missing, params()).values == {
        "n": 2, "total": 4, "grades": Listing(["A"]), "months": 3}
    # no lead carries a customer number: the data cannot tell, and the page says so
    assert cadence.unvisited(customers(), leads.assign(customer_id=None), events, END, params()) is None
    assert cadence.visits_message(customers(), None, params()).key == "sat.visits_unknown"


def test_long_development_projects_flag_review_close():
    leads = pd.DataFrame({
        "lead_id": ["P1", "P2", "P3", "P4", "P5", "P6"], "status": ["open", "open", "open", "open", "won", "open"],
        "created_date": dates("2026-07-31", "2026-08-01", "2026-04-30", "2025-10-31", "2025-01-01", "2026-05-15"),
        "consultant": "张伟"})
    events = pd.DataFrame({"lead_id": ["P1", "P4", "P6"], "event_date": dates("2026-08-15", "2026-06-01", "2026-10-20")})
    projects = cadence.long_projects(leads, events, END, params()).set_index("lead_id")
    # whole months since registration: P1 3 (31 Jul -> 31 Oct) flag; P2 2; P3 6 review; P4 12 close; P5 won;
    # P6 5 flag (15 May -> 31 Oct)
    assert projects["project_action"].to_dict() == {"P4": "close", "P3": "review", "P6": "flag", "P1": "flag"}
    assert projects.loc["P6", ["months_open", "months_quiet"]].tolist() == [5, 0]
    # counted from the latest follow-up instead: P1 2 months quiet, P3 6 (no follow-up), P4 4 (1 Jun), P6 0
    quiet = cadence.long_projects(leads, events, END, params(project_clock="last_contact"))
    assert dict(zip(quiet["lead_id"], quiet["project_action"])) == {"P3": "review", "P4": "flag"}
    message = cadence.projects_message(projects.reset_index(), params())
    assert (message.values["flag"], message.values["review"], message.values["close"]) == (2, 1, 1)
