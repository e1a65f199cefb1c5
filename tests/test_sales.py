"""The sales and market summary, by hand on a few orders (October 2026 unless a test says otherwise)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis import sales
from analysis.config import Parameters

D = pd.Timestamp
START, END = "2026-10-01", "2026-10-31"


def params(**sales_params) -> Parameters:
    return Parameters.model_validate({"month": "2026-10", "sales": sales_params})


def customers() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4"],
        "branch": ["甲", "乙", "乙", None],
        "region": ["东", "西", "西", "西"],
        "sales_rep": ["张", "李", "李", "王"],
        "customer_since": pd.to_datetime(["2020-01-01", "2026-03-01", "2020-01-01", "2026-11-15"]),
    })


def products() -> pd.DataFrame:
    return pd.DataFrame({
        "product": ["P1", "P2", "P3", "P4", "P5"],
        "product_line": ["L1", "L2", "L1", "L2", "L1"],
        "launch_date": pd.to_datetime(["2020-01-01", "2025-11-01", "2025-10-31", "2026-11-01", None]),
        "is_new": [False, False, False, False, True],
    })


def orders() -> pd.DataFrame:
    rows = [  # order, customer, date, amount, product, margin
        ("O1", "C1", "2026-10-05", 100.0, "P1", 30.0),
        ("O2", "C2", "2026-10-20", 300.0, "P2", 60.0),
        ("O3", "C1", "2026-09-10", 200.0, "P1", 50.0),
        ("O4", "C3", "2025-10-15", 250.0, "P1", 50.0),
        ("O5", "C2", "2026-01-15", 50.0, "P1", None),
    ]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "amount", "product", "margin"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def lines(p: Parameters | None = None, end=END) -> pd.DataFrame:
    return sales.sales_lines(orders(), customers(), products(), end, p or params())


# ----------------------------------------------------------------------------- periods

def test_the_period_before_and_a_year_earlier_keep_whole_months():
    assert sales.previous_period("2026-10-01", "2026-10-31") == (D("2026-09-01"), D("2026-09-30"))
    # January's period before is December of the year before; a quarter's is the quarter before; a year's the year
    assert sales.previous_period("2026-01-01", "2026-01-31") == (D("2025-12-01"), D("2025-12-31"))
    assert sales.previous_period("2026-07-01", "2026-09-30") == (D("2026-04-01"), D("2026-06-30"))
    assert sales.previous_period("2026-01-01", "2026-12-31") == (D("2025-01-01"), D("2025-12-31"))
    # any other run of days shifts by its length: 7 days before the 5th-11th
    assert sales.previous_period("2026-10-05", "2026-10-11") == (D("2026-09-28"), D("2026-10-04"))
    assert sales.whole_months("2026-07-01", "2026-09-30") == 3 and sales.whole_months("2026-07-02", "2026-09-30") is None


def test_a_leap_february_compares_with_the_whole_february_before_and_after():
    # February 2025 ends on the 28th; a year earlier February ran to the 29th, and all of it is compared
    assert sales.year_earlier("2025-02-01", "2025-02-28") == (D("2024-02-01"), D("2024-02-29"))
    assert sales.year_earlier("2024-02-01", "2024-02-29") == (D("2023-02-01"), D("2023-02-28"))
    # March 2024's period before is the 29 days of February 2024
    assert sales.previous_period("2024-03-01", "2024-03-31") == (D("2024-02-01"), D("2024-02-29"))
    assert sales.year_to_date("2024-02-29") == (D("2024-01-01"), D("2024-02-29"))


# ----------------------------------------------------------------------------- targets

def targets() -> pd.DataFrame:
    return pd.DataFrame({
        "month": pd.to_datetime(["2026-10-01", "2026-10-01", "2026-09-15", "2026-10-01"]),
        "branch": ["甲", "乙", "甲", None],
        "region": [None, None, None, None],
        "product_line": [None, None, None, "L2"],
        "target": [120.0, 250.0, 150.0, 400.0],
    })


def test_attainment_for_the_month_and_the_year_to_date():
    table = sales.target_table(lines(), targets(), START, END).set_index(["grouping", "segment"])
    # 甲: October sales 100 (O1) against 120: 83.3 %, missed by 20; year to date 200 + 100 against 150 + 120
    a = table.loc[("branch", "甲")]
    assert a["attainment"] == pytest.approx(100 / 120) and not a["met"] and a["shortfall"] == pytest.approx(20)
    assert a["target_ytd"] == 270 and a["sales_ytd"] == 300 and a["met_ytd"]
    # 乙: 300 (O2) against 250: met, no shortfall; year to date 50 (January) + 300 against 250
    b = table.loc[("branch", "乙")]
    assert b["attainment"] == pytest.approx(1.2) and b["met"] and np.isnan(b["shortfall"])
    assert b["sales_ytd"] == 350
    # product line L2 (P2, O2): 300 against 400
    assert table.loc[("product_line", "L2"), "attainment"] == pytest.approx(0.75)
    # no company row in the file: the company's target is the branches' 120 + 250 (year to date + 150),
    # against all sales: 400 in October (O1 O2), 650 year to date (O1 O2 O3 O5)
    company = table.loc[("company", "total")]
    assert company["target"] == 370 and company["sales"] == 400 and company["met"]
    assert company["target_ytd"] == 520 and company["attainment_ytd"] == pytest.approx(650 / 520)
    assert list(table.index.get_level_values(0)) == ["company", "branch", "branch", "product_line"]
    assert sales.company_target_basis(targets()) == "branch"


def test_a_quarter_adds_up_its_months_and_a_misspelt_segment_is_named():
    more = pd.concat([targets(), pd.DataFrame({"month": pd.to_datetime(["2026-10-01", "2026-10-01"]),
                                               "branch": ["丙", "乙"], "region": [None, None],
                                               "product_line": [None, None], "target": [10.0, 5.0]})],
                     ignore_index=True)
    # the third quarter: 甲's September target 150 against its September sales 200 (O3)
    quarter = sales.target_table(lines(), more, "2026-07-01", "2026-09-30").set_index(["grouping", "segment"])
    assert quarter.loc[("branch", "甲"), "target"] == 150 and quarter.loc[("branch", "甲"), "sales"] == 200
    # 丙 has no customer: named, attainment 0; 乙's second October row repeats the first: added up, counted
    assert sales.unmatched_targets(lines(), more, START, END) == ["丙"]
    october = sales.target_table(lines(), more, START, END).set_index(["grouping", "segment"])
    assert october.loc[("branch", "丙"), "attainment"] == 0 and october.loc[("branch", "乙"), "target"] == 255
    assert sales.duplicate_targets(more) == 1


def test_the_year_to_date_of_january_holds_january_only():
    # the period crosses into a new year: December's target and sales belong to last year's total
    t = pd.DataFrame({"month": pd.to_datetime(["2025-12-01", "2026-01-01"]), "branch": [None, None],
                      "region": [None, None], "product_line": [None, None], "target": [500.0, 40.0]})
    row = sales.target_table(lines(end="2026-01-31"), t, "2026-01-01", "2026-01-31").iloc[0]
    assert (row["grouping"], row["target"], row["sales"], row["target_ytd"], row["sales_ytd"]) == \
        ("company", 40, 50, 40, 50)


def test_without_targets_the_year_before_is_the_yardstick():
    table = sales.last_year_table(lines(), START, END, ["branch"]).set_index(["grouping", "segment"])
    # October 2025: 250 (O4, 乙); October 2026: 400 -> +60 %; year to date 650 against 250
    company = table.loc[("company", "total")]
    assert company["sales_year_before"] == 250 and company["growth_year"] == pytest.approx(0.6)
    assert company["above_last_year"] and company["growth_ytd"] == pytest.approx(650 / 250 - 1)
    assert table.loc[("branch", "乙"), "growth_year"] == pytest.approx(0.2)  # 300 against 250
    assert np.isnan(table.loc[("branch", "甲"), "growth_year"])  # nothing a year earlier: no base
    message = sales.last_year_message(table.reset_index(), START, END)
    assert message.key == "sales.no_target"


# ----------------------------------------------------------------------------- growth

def test_growth_and_contributions_add_up_to_the_company_change():
    table = sales.growth_table(lines(), START, END, "branch").set_index("segment")
    # October 400 (甲 100, 乙 300); September 200 (甲 200); October 2025 250 (乙)
    total = table.loc["total"]
    assert total["growth_previous"] == pytest.approx(1.0) and total["growth_year"] == pytest.approx(0.6)
    # month on month: 甲 (100 - 200) / 200 = -0.5, 乙 (300 - 0) / 200 = +1.5; together +1.0
    assert table.loc["甲", "contribution_previous"] == pytest.approx(-0.5)
    assert table.loc["乙", "contribution_previous"] == pytest.approx(1.5)
    # year on year: 甲 (100 - 0) / 250 = 0.4, 乙 (300 - 250) / 250 = 0.2; together 0.6
    assert table.loc["甲", "contribution_year"] == pytest.approx(0.4)
    assert table.loc["乙", "contribution_year"] == pytest.approx(0.2)
    segments = table.drop(index="total")
    for base, growth in (("previous", "growth_previous"), ("year", "growth_year")):
        assert segments[f"contribution_{base}"].sum() == pytest.approx(total[growth])
    assert (segments["sales"] - segments["sales_previous"]).sum() == total["sales"] - total["sales_previous"]


def test_a_blank_segment_is_a_segment_of_its_own_so_the_sum_still_holds():
    more = pd.concat([orders(), pd.DataFrame({"order_id": ["O6"], "customer_id": ["C4"],
                                              "order_date": [D("2026-10-07")], "amount": [40.0],
                                              "product": ["P1"], "margin": [10.0]})], ignore_index=True)
    frame = sales.sales_lines(more, customers(), products(), END, params())
    table = sales.growth_table(frame, START, END, "branch").set_index("segment")
    # C4 has no branch: its 40 is the blank segment's; September's base is still 200
    assert table.loc[sales.BLANK, "sales"] == 40
    assert table.drop(index="total")["contribution_previous"].sum() == pytest.approx(
        table.loc["total", "growth_previous"]) == pytest.approx(440 / 200 - 1)
    assert list(sales.contribution_points(table.reset_index(), "year")["segment"])[-1] == sales.BLANK


def test_the_monthly_trend_leaves_months_before_the_data_blank():
    trend = sales.monthly_trend(lines(), targets(), END)
    # the first order is O4 in October 2025: a year before September 2026 nothing is known; February 2026 had
    # no order after the data began, so it is 0
    assert trend.loc["2026-10", "sales_year_before"] == 250 and np.isnan(trend.loc["2026-09", "sales_year_before"])
    assert trend.loc["2026-02", "sales"] == 0 and trend.loc["2026-10", "sales"] == 400
    # the company's target: the branches' (120 + 250 in October, 150 in September); none given in August
    assert trend.loc["2026-10", "target"] == 370 and trend.loc["2026-09", "target"] == 150
    assert np.isnan(trend.loc["2026-08", "target"])


def test_january_grows_on_december_of_the_year_before():
    frame = pd.concat([orders(), pd.DataFrame({"order_id": ["O7"], "customer_id": ["C1"],
                                               "order_date": [D("2025-12-20")], "amount": [25.0],
                                               "product": ["P1"], "margin": [5.0]})], ignore_index=True)
    table = sales.growth_table(sales.sales_lines(frame, customers(), products(), "2026-01-31", params()),
                               "2026-01-01", "2026-01-31", None)
    # January 2026: 50 (O5); December 2025: 25 (O7): +100 %
    assert table.iloc[0]["sales_previous"] == 25 and table.iloc[0]["growth_previous"] == pytest.approx(1.0)


# ----------------------------------------------------------------------------- penetration, new products, margin

def test_penetration_per_segment_and_against_the_market():
    p = params(market_size={"branch": {"甲": 10}})
    table = sales.penetration(lines(p), customers(), START, END, "branch", p).set_index("segment")
    # on record by October's end: C1 (甲), C2 C3 (乙); C4 enters in November. Buyers: C1, C2
    assert table.loc["甲", "penetration"] == 1.0 and table.loc["乙", "penetration"] == 0.5
    assert table.loc["total", "penetration"] == pytest.approx(2 / 3)
    # a year earlier: on record C1 (甲) and C3 (乙; C2 entered in March 2026); buyer C3 only
    assert table.loc["甲", "penetration_change"] == pytest.approx(100.0)
    assert table.loc["乙", "penetration_change"] == pytest.approx(-50.0)
    # against the market: 1 buyer of 10 potential customers in 甲; none given for 乙
    assert table.loc["甲", "market_penetration"] == pytest.approx(0.1) and np.isnan(table.loc["乙", "market_size"])


def test_new_products_by_launch_date_and_flag():
    # new at October 2026's end: launched November 2025 or later (P2), or flagged (P5); P3 launched on
    # 31 October 2025 is thirteen months old; P4 launches after the period
    assert sales.new_products(products(), END, params()) == ["P2", "P5"]
    assert sales.new_products(products(), END, params(new_product_months=13)) == ["P2", "P3", "P5"]
    frame = lines()
    # October: P2 300 of 400
    assert sales.new_product_share(frame, START, END) == pytest.approx(0.75)
    table = sales.new_product_table(frame, products(), START, END, params())
    assert list(table["product"]) == ["P2", "P5"] and list(table["sales_share"]) == pytest.approx([0.75, 0.0])
    trend = sales.new_product_trend(frame, END)
    assert trend.loc["2026-10", "new_share"] == pytest.approx(0.75) and trend.loc["2026-09", "new_share"] == 0
    from analysis.errors import DataError

    with pytest.raises(DataError) as missing:
        sales.new_product_table(frame, None, START, END, params())
    assert missing.value.reason.key == "sales.absent.products"


def test_gross_margin_rate_counts_the_orders_with_a_margin():
    table = sales.margin_table(lines(), START, END, "branch").set_index("segment")
    # October: margin 30 + 60 on 100 + 300; a year earlier 50 on 250
    assert table.loc["total", "margin_rate"] == pytest.approx(90 / 400)
    assert table.loc["total", "margin_change"] == pytest.approx((90 / 400 - 0.2) * 100)
    assert table.loc["甲", "margin_rate"] == pytest.approx(0.3)


# ----------------------------------------------------------------------------- customers

def test_first_time_returning_and_lapsed_customers():
    rows = [("C1", "2026-09-15"), ("C1", "2026-10-05"), ("C2", "2026-10-20"), ("C3", "2026-03-01"),
            ("C3", "2026-10-10"), ("C4", "2026-07-20"), ("C5", "2026-08-10"), ("C6", "2026-07-02")]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date"]).assign(amount=1.0, branch="甲")
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    row = sales.customer_flow(frame, START, END, params(lapse_days=90)).iloc[0]
    # live the day before October: an order from 3 July (1 October - 90 days) to 30 September: C1 C4 C5.
    # C2's first order is in October; C3 comes back after March; C4 (20 July) is not live at the end (from
    # 3 August); C5 (10 August) still is; C6 (2 July) had lapsed before October
    assert (row["buyers"], row["first_time"], row["returning"], row["lapsed"]) == (3, 1, 1, 1)
    # live at the end (C1 C2 C3 C5) = live before (3) - lapsed + first-time + returning
    assert 4 == 3 - row["lapsed"] + row["first_time"] + row["returning"]


def test_top_customers_and_the_biggest_movers():
    p = params(top_customers=2)
    top = sales.top_customers(lines(p), START, END, p)
    assert list(top["customer_id"]) == ["C2", "C1"] and list(top["sales_share"]) == pytest.approx([0.75, 0.25])
    up, down = sales.movers(lines(p), START, END, p)
    # against September: C2 0 -> 300, C1 200 -> 100
    assert list(up["customer_id"]) == ["C2"] and list(down["sales_change"]) == [-100]
    assert list(down["sales_rep"]) == ["张"]


def test_customer_statistics_and_record_completeness():
    stats = sales.customer_statistics(customers(), lines(), START, END).set_index(["grouping", "segment"])
    # on record by October's end: C1 C2 C3 (C4 in November); C2 entered in March, not in October
    assert stats.loc[("branch", "乙"), "customers"] == 2 and stats.loc[("branch", "乙"), "buyers"] == 1
    assert stats["new_records"].sum() == 0 and stats.loc[("region", "西"), "customer_share"] == pytest.approx(2 / 3)
    archive = customers().assign(phone=["1", None, " ", "4"])
    table = sales.record_completeness(archive).set_index("field")
    # phone: C1 and C4 filled (blank text is empty): 50 % of all; 甲 (C1) 100 %, 乙 (C2 C3) 0 %
    assert table.loc["phone", sales.TOTAL] == 50 and table.loc["phone", "甲"] == 100 and table.loc["phone", "乙"] == 0
    incomplete = sales.incomplete_fields(table.reset_index(), params(record_target=0.9))
    assert list(incomplete["field"])[:2] == ["phone", "branch"]  # phone lowest (乙 0 %), then branch (75 %)
    assert "email" in sales.missing_fields(archive) and "churned" not in sales.missing_fields(archive)


# ----------------------------------------------------------------------------- collection and ageing

def test_ageing_buckets_at_their_boundaries():
    buckets = sales.age_bucket(pd.Series([-1, 0, 30, 31, 60, 61, 90, 91]))
    assert list(buckets) == ["not_due", "d0_30", "d0_30", "d31_60", "d31_60", "d61_90", "d61_90", "d90_plus"]


def payments() -> pd.DataFrame:
    rows = [  # id, customer, due, paid, amount
        ("R1", "C1", "2026-10-01", None, 100.0),  # due in October, unpaid: 30 days overdue
        ("R2", "C2", "2026-10-15", "2026-10-20", 200.0),  # due and paid in October
        ("R3", "C2", "2026-10-31", "2026-11-02", 50.0),  # due on the last day, paid after: 0 days overdue
        ("R4", "C3", "2026-09-30", None, 10.0),  # 31 days
        ("R5", "C3", "2026-08-31", None, 20.0),  # 61 days
        ("R6", "C3", "2026-08-02", None, 40.0),  # 90 days
        ("R7", "C3", "2026-08-01", None, 80.0),  # 91 days
        ("R8", "C1", "2026-11-30", None, 5.0),  # not due yet
    ]
    frame = pd.DataFrame(rows, columns=["payment_id", "customer_id", "due_date", "paid_date", "amount"])
    for column in ("due_date", "paid_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_collection_rate_and_ageing_by_branch():
    table = sales.collection_table(payments(), customers(), START, END).set_index("segment")
    total = table.loc["total"]
    # due in October: R1 R2 R3 = 350; paid by the 31st: R2 = 200
    assert total["due_amount"] == 350 and total["collection_rate"] == pytest.approx(200 / 350)
    # open at the end: R1 100 (30 d) + R3 50 (0 d) -> 0-30; R4 10 -> 31-60; R5 20 + R6 40 -> 61-90; R7 80 -> 90+
    assert (total["overdue_0_30"], total["overdue_31_60"], total["overdue_61_90"], total["overdue_90_plus"],
            total["not_due"]) == (150, 10, 60, 80, 5)
    assert total["overdue_share"] == pytest.approx(300 / 305)
    assert table.loc["乙", "overdue_90_plus"] == 80 and table.loc["甲", "not_due"] == 5
    overdue = sales.overdue_list(sales.open_receivables(payments(), customers(), END))
    assert list(overdue["payment_id"]) == ["R7", "R6", "R5", "R4", "R1", "R3"]  # most overdue first
    assert set(sales.lists_by_rep(overdue)) == {"张", "李"}


def test_ageing_across_a_leap_day():
    # at 29 February 2024: due 30 January is 30 days overdue, due 29 January 31 days
    frame = pd.DataFrame({"payment_id": ["A", "B"], "customer_id": ["C1", "C1"],
                          "due_date": pd.to_datetime(["2024-01-30", "2024-01-29"]), "paid_date": pd.NaT,
                          "amount": [1.0, 2.0]})
    found = sales.open_receivables(frame, customers(), "2024-02-29").set_index("payment_id")
    assert found.loc["A", "days_overdue"] == 30 and found.loc["A", "age_bucket"] == "d0_30"
    assert found.loc["B", "days_overdue"] == 31 and found.loc["B", "age_bucket"] == "d31_60"


# ----------------------------------------------------------------------------- sentences

def test_recommendations_name_the_misses_and_the_customers_behind_a_fall():
    p = params()
    frame = lines(p)
    target = sales.target_table(frame, targets(), START, END)
    flow = sales.customer_flow(frame, START, END, p)
    advice = sales.recommendations(frame, START, END, target, flow, None, None, None, None, p)
    assert advice[0].key == "sales.rec.targets"
    missed = [m.values["segment"] for m in advice[0].values["segments"].items]
    assert missed == ["L2", "甲"]  # worst first: 75 %, then 83.3 %
    # November against October: sales fall from 400 to 0; C2 (300) and C1 (100) explain all of it
    november = sales.recommendations(frame, "2026-11-01", "2026-11-30", None, flow, None, None, None, None, p)
    decline = next(m for m in november if m.key.startswith("sales.rec.decline"))
    assert decline.key == "sales.rec.decline_previous" and decline.values["drop"].value == 400
    assert decline.values["share"].value == pytest.approx(1.0) and list(decline.values["customers"].items) == ["C2", "C1"]


def test_headlines_say_which_way_is_better():
    frame = lines()
    items = sales.headlines(sales.growth_table(frame, START, END, None), None, frame, None, None, START, END)
    assert [i["key"] for i in items] == ["sales.headline.sales", "sales.headline.attainment", "sales.headline.growth",
                                         "sales.headline.new_share", "sales.headline.collection"]
    assert all(i["better"] == "up" for i in items) and items[0]["value"].value == 400
    assert np.isnan(items[1]["value"].value)  # no targets: no attainment
    # the front page's first finding: against the target, naming the segments below theirs (worst first)
    growth = sales.growth_table(frame, START, END, None)
    found = sales.findings(growth, sales.target_table(frame, targets(), START, END), None, [])
    assert found[0].key == "sales.finding.target" and found[0].values["rate"].value == pytest.approx(400 / 370)
    assert list(found[0].values["missed"].items) == ["L2", "甲"]
    assert sales.findings(growth, None, None, [])[0].key == "sales.finding.last_year"


def test_the_analysis_never_imports_the_localisation_layer():
    from pathlib import Path

    folder = Path(sales.__file__).parent
    assert [p.name for p in folder.glob("*.py") if re.search(r"\bi18n\b", p.read_text("utf-8"))] == []


# ----------------------------------------------------------------------------- the demo's planted facts

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    import json

    from conftest import build_demo

    p, tables, truth = build_demo(tmp_path_factory, "sales", customers=300, months=14, seed=11, leads=50)
    return p, tables, json.loads((truth / "truth.json").read_text("utf-8"))


def demo_lines(demo):
    p, tables, _ = demo
    return sales.sales_lines(tables["orders"], tables["customers"], tables["products"], p.period_end, p)


def test_demo_planted_missed_targets_appear_as_missed(demo):
    p, tables, truth = demo
    table = sales.target_table(demo_lines(demo), tables["targets"], p.period_start, p.period_end)
    segments = table[table["grouping"] != "company"]
    missed = sorted(segments.loc[~segments["met"].astype(bool), "segment"])
    planted = [s for group in truth["targets"]["planted_missed_month"].values() for s in group]
    assert set(planted) <= set(missed) and missed == truth["targets"]["missed_month"]
    assert sorted(segments.loc[~segments["met_ytd"].astype(bool), "segment"]) == truth["targets"]["missed_ytd"]
    assert truth["targets"]["planted_missed_ytd"][0] in truth["targets"]["missed_ytd"]
    assert table.iloc[0]["target"] == truth["targets"]["company_target"]


def test_demo_new_product_share_matches_the_truth(demo):
    p, tables, truth = demo
    frame = demo_lines(demo)
    assert sales.new_products(tables["products"], p.period_end, p) == [truth["new_product"]["product"]]
    share = sales.new_product_share(frame, p.period_start, p.period_end)
    assert share == pytest.approx(truth["new_product"]["share"][p.month], abs=1e-9)
    # a fifth of the orders were planted; with 300 customers the amounts make the share of sales vary around it
    planted = truth["new_product"]["planted_share"][p.month]
    assert 0.5 * planted < share < 1.5 * planted
    trend = sales.new_product_trend(frame, p.period_end)
    for month, expected in truth["new_product"]["share"].items():
        assert trend.loc[month, "new_share"] == pytest.approx(expected, abs=1e-9)


def test_demo_bad_debts_seasons_and_incomplete_records(demo):
    p, tables, truth = demo
    collection = sales.collection_table(tables["payments"], tables["customers"], p.period_start, p.period_end,
                                        "branch", tables["orders"]).set_index("segment")
    assert collection.loc["total", "overdue_90_plus"] == pytest.approx(truth["bad_debts"]["amount"])
    assert collection.drop(index="total")["overdue_90_plus"].idxmax() == truth["bad_debts"]["branch"]
    completeness = sales.record_completeness(tables["customers"]).set_index("field")
    phone = completeness.loc["phone"].drop(sales.TOTAL) / 100
    assert phone.idxmin() == truth["incomplete_records"]["branch"]
    assert phone.to_dict() == pytest.approx(truth["incomplete_records"]["phone_filled"])
    # the seasons: February (0.72) well below January (0.9) and March (0.98); December (1.2) above November (1.1)
    trend = sales.monthly_trend(demo_lines(demo), tables["targets"], p.period_end)["sales"]
    assert trend["2026-02"] / trend[["2026-01", "2026-03"]].mean() < 0.85 and trend["2025-12"] > trend["2025-11"]
    # every breakdown's contributions add up to the company's growth on the demo too
    frame = demo_lines(demo)
    for column in sales.breakdowns(frame, p):
        growth = sales.growth_table(frame, p.period_start, p.period_end, column)
        for base in ("previous", "year"):
            assert growth[f"contribution_{base}"].iloc[1:].sum() == pytest.approx(growth.iloc[0][f"growth_{base}"])


def _page(folder, name: str) -> tuple[dict, str]:
    """The headline figures (by label key) and the HTML of an executed page."""
    from conftest import executed_page

    headlines, html = executed_page(folder, name)
    return {i["key"]: i["value"] for i in headlines[0]["items"]}, html


@pytest.mark.notebook
def test_the_page_with_targets_and_products(demo_run):
    """The session's demo run has a target table and a product archive: attainment and the new products'
    share are headline figures, the products are named."""
    from conftest import DEMO_MONTH

    values, html = _page(demo_run / "reports" / "runs" / DEMO_MONTH, "sales_summary")
    assert values["sales.headline.attainment"] > 0 and values["sales.headline.new_share"] > 0
    assert "目标完成情况" in html and "未提供销售目标表" not in html and "智能控制器" in html


@pytest.mark.notebook
def test_the_page_runs_without_targets_and_products(demo, tmp_path):
    from analysis import load_parameters
    from analysis.runner import run_month
    from conftest import make_project

    p, _, _ = demo
    project = make_project(tmp_path / "p", p.root / "data" / "raw", notebooks=True)
    for name in ("销售目标.csv", "产品档案.csv"):  # the module demo is written as CSV
        (project / "data" / "raw" / name).unlink()
    params = load_parameters(root=project, month=p.month, overrides={"run.notebooks": ["sales_summary"]})
    assert run_month(params).notebooks[0].outcome == "ok"
    values, html = _page(project / "reports" / "runs" / p.month, "sales_summary")
    assert values["sales.headline.attainment"] is None and values["sales.headline.new_share"] is None
    assert "未提供销售目标表（应在 data/raw/销售目标.xlsx）" in html and "本期没有销售目标，因此与去年同期比较" in html
    assert "未提供产品档案（应在 data/raw/产品档案.xlsx）" in html and "9. 建议" in html


def test_the_sales_charts_mask_contact_details_and_label_their_bars():
    import matplotlib.pyplot as plt

    from analysis import charts

    phone = "客户电话13912345678不接"
    charts.use_style()
    try:
        diverging = charts.diverging_bars([phone, "乙"], [3.6, -10.9], "贡献", "百分点", points=True)
        stacked = charts.stacked_hbars(pd.DataFrame({"0-30 天": [1e6, 2e6], "90 天以上": [3e6, 0.0]},
                                                    index=[phone, "乙"]), "账龄", "金额", money=True)
        for fig in (diverging, stacked):
            text = " ".join(charts.drawn_text(fig))
            assert "13912345678" not in text and "139****5678" in text
        assert {"+3.6", "-10.9"} <= set(charts.drawn_text(diverging))  # each bar says its value, signed
        stacked.canvas.draw()
        ticks = [t.get_text() for t in stacked.axes[0].get_xticklabels()]
        assert "4,000,000" in ticks and stacked.axes[0].xaxis.get_offset_text().get_text() == ""  # never 1e6
    finally:
        plt.close("all")


def test_a_branch_report_says_which_tables_stay_with_the_company_report(demo):
    p, tables, _ = demo
    scoped = tables.scoped("branch", "上海分公司")
    messages = sales.absent_messages(scoped, p)
    # a table the branch's folder lacks while the company has it is named as not restricted, not as missing
    assert {m.values["table"].code for m in messages} == {n for n in ("targets", "products") if n not in scoped}
    assert all(m.key == "sales.absent_scoped" and m.values["value"] == "上海分公司" for m in messages)
    assert sales.absent_messages(tables, p) == []
    # the product archive is the company's, and the demo's targets name their branch: both serve the branch
    assert "products" in scoped and len(scoped["products"]) == len(tables["products"])
    own = tables["targets"][tables["targets"]["branch"] == "上海分公司"]
    assert len(scoped["targets"]) == len(own) > 0 and messages == []
    # the demo's targets name no region: a region's report has none, and says so
    region = tables["customers"]["region"].dropna().iloc[0]
    by_region = tables.scoped("region", region)
    assert "targets" not in by_region
    assert [m.values["table"].code for m in sales.absent_messages(by_region, p)] == ["targets"]


def test_a_period_without_orders_is_a_stated_no_data_page_not_a_crash():
    from analysis.errors import DataError

    lines = pd.DataFrame({"order_date": pd.to_datetime(["2026-08-03", "2026-09-28"])})
    sales.require_sales(lines, "2026-09-01", "2026-09-30")  # one order in September: the page is built
    with pytest.raises(DataError) as caught:
        sales.require_sales(lines, "2026-10-01", "2026-10-31")
    reason = caught.value.reason
    assert reason.key == "sales.no_orders_in_period"
    assert (reason.values["first"], reason.values["last"]) == (pd.Timestamp("2026-08-03"), pd.Timestamp("2026-09-28"))
    with pytest.raises(DataError) as caught:
        sales.require_sales(lines.iloc[:0], "2026-10-01", "2026-10-31")  # an export with its header only
    assert caught.value.reason.key == "sales.no_orders"
