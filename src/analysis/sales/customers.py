"""Customers in the sales summary: who bought, who is new, back or gone, the top customers and the biggest
movers, market penetration per segment, and the customer information statistics (客户信息统计表) with the
archive's record completeness.

Definitions (``sales.lapse_days`` = L, 90 by default):

- a *buyer* ordered at least once in the period;
- a customer is *live* on a day when their latest order up to that day is less than L days old;
- *first-time* buyers placed their first order ever in the period;
- *returning* buyers had ordered before but were not live the day before the period (back after a lapse);
- *lapsed* customers were live the day before the period and are not live at its end.

With L at least the period's length, live customers at the end = live at the start - lapsed + first-time
+ returning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Parameters
from ..data.schema import TABLES
from .performance import TOTAL, by_segment, segment_keys
from .periods import day, previous_period, within, year_earlier

#: the columns of the customer information statistics (客户信息统计表), in its order
STATISTICS_COLUMNS = ("region", "branch", "industry", "grade", "sales_model", "sales_rep")
#: archive columns that are flags or dates a blank may rightly leave open: not judged for completeness
NOT_JUDGED = ("customer_id", "churned", "contract_end")


def customer_flow(lines: pd.DataFrame, start, end, params: Parameters, column: str | None = "branch") -> pd.DataFrame:
    """Buyers, first-time, returning and lapsed customers of the period, for the company (first row, ``total``)
    and per value of ``column`` (the customer's branch by default; None: the company only).

    Columns: segment, buyers, first_time, returning, lapsed.
    """
    start, end = day(start), day(end)
    lapse = pd.Timedelta(days=params.sales.lapse_days)
    past = lines[lines["order_date"] <= end]
    by = past.groupby("customer_id")["order_date"]
    first = by.min()
    in_period = within(past["order_date"], start, end)
    buyers = set(past.loc[in_period, "customer_id"])
    # live the day before the period: an order in the L days up to it; live at the end: in the L days up to end
    live_before = set(past.loc[within(past["order_date"], start - lapse, start - pd.Timedelta(days=1)), "customer_id"])
    live_end = set(past.loc[within(past["order_date"], end - lapse + pd.Timedelta(days=1), end), "customer_id"])
    frame = pd.DataFrame({"customer_id": first.index, "first": first.to_numpy()})
    frame["buyer"] = frame["customer_id"].isin(buyers)
    frame["first_time"] = frame["buyer"] & (frame["first"] >= start)
    frame["returning"] = frame["buyer"] & ~frame["first_time"] & ~frame["customer_id"].isin(live_before)
    frame["lapsed"] = frame["customer_id"].isin(live_before) & ~frame["customer_id"].isin(live_end)
    counts = ["buyer", "first_time", "returning", "lapsed"]
    total = pd.DataFrame([{"segment": TOTAL, **{c: int(frame[c].sum()) for c in counts}}])
    if column is not None and column in lines:
        segment = past.drop_duplicates("customer_id").set_index("customer_id")[column]
        per = frame[counts].astype(int).groupby(segment_keys(frame["customer_id"].map(segment))).sum()
        per.index.name = "segment"
        per = by_segment(per.reset_index())
        total = pd.concat([total, per], ignore_index=True)
    return total.rename(columns={"buyer": "buyers"})[["segment", "buyers", "first_time", "returning", "lapsed"]]


def top_customers(lines: pd.DataFrame, start, end, params: Parameters) -> pd.DataFrame:
    """The ``sales.top_customers`` customers with the most sales in the period, with their share of the
    period's sales and their sales in the period before and a year earlier.

    Columns: rank, customer_id, sales, sales_share, sales_previous, sales_year_before, branch, sales_rep (the
    figures first, so that a phone shows them without scrolling).
    """
    now = _per_customer(lines, start, end)
    total = float(now.sum())
    out = pd.DataFrame({"customer_id": now.index, "sales": now.to_numpy()})
    out = out[out["sales"] > 0].sort_values(["sales", "customer_id"], ascending=[False, True], kind="stable")
    out = out.head(params.sales.top_customers).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["sales_share"] = out["sales"] / total if total > 0 else np.nan
    out["sales_previous"] = out["customer_id"].map(_per_customer(lines, *previous_period(start, end))).fillna(0.0)
    out["sales_year_before"] = out["customer_id"].map(_per_customer(lines, *year_earlier(start, end))).fillna(0.0)
    return _with_owner(out, lines)[["rank", "customer_id", "sales", "sales_share", "sales_previous",
                                    "sales_year_before", "branch", "sales_rep"]]


def movers(lines: pd.DataFrame, start, end, params: Parameters, base: str = "previous") -> tuple[pd.DataFrame,
                                                                                                   pd.DataFrame]:
    """The ``sales.top_customers`` customers whose sales rose most and those whose sales fell most, against
    the period before (``base="previous"``) or the same period a year earlier (``"year"``).

    Returns (up, down), each with customer_id, sales_change, sales_before, sales, branch, sales_rep;
    biggest change first, ties by customer number.
    """
    base_start, base_end = previous_period(start, end) if base == "previous" else year_earlier(start, end)
    now = _per_customer(lines, start, end)
    before = _per_customer(lines, base_start, base_end)
    frame = pd.DataFrame({"sales_before": before, "sales": now}).fillna(0.0)
    frame["sales_change"] = frame["sales"] - frame["sales_before"]
    frame.index.name = "customer_id"
    frame = frame.reset_index()
    n = params.sales.top_customers
    up = frame[frame["sales_change"] > 0].sort_values(["sales_change", "customer_id"], ascending=[False, True],
                                                       kind="stable").head(n)
    down = frame[frame["sales_change"] < 0].sort_values(["sales_change", "customer_id"], kind="stable").head(n)
    columns = ["customer_id", "sales_change", "sales_before", "sales", "branch", "sales_rep"]
    return (_with_owner(up.reset_index(drop=True), lines)[columns],
            _with_owner(down.reset_index(drop=True), lines)[columns])


def segment_columns(customers: pd.DataFrame, params: Parameters) -> list[str]:
    """The customer columns of ``sales.segments`` the archive has (not all blank)."""
    return [c for c in params.sales.segments if c in customers and customers[c].notna().any()]


def penetration(lines: pd.DataFrame, customers: pd.DataFrame, start, end, column: str,
                params: Parameters) -> pd.DataFrame:
    """Market penetration per segment of the customer column ``column``: buyers in the period / customers of
    the segment in the archive (those on record by the period's end), the same a year earlier and the change
    in percentage points; with ``sales.market_size`` for the column also buyers / potential customers of the
    segment. The company first (``total``).

    Columns: segment, customers, buyers, penetration, penetration_year_before, penetration_change
    [, market_size, market_penetration].
    """
    last_start, last_end = year_earlier(start, end)
    parts = {}
    for name, (a, b) in {"now": (start, end), "before": (last_start, last_end)}.items():
        known = _on_record(customers, b)
        bought = set(lines.loc[within(lines["order_date"], a, b), "customer_id"])
        frame = pd.DataFrame({"customers": 1, "buyers": known["customer_id"].isin(bought).astype(int)})
        grouped = frame.groupby(segment_keys(known[column])).sum()
        grouped.loc[TOTAL] = frame.sum()
        parts[name] = grouped
    now, before = parts["now"], parts["before"]
    out = now.copy()
    out["penetration"] = out["buyers"] / out["customers"].where(out["customers"] > 0)
    rate_before = before["buyers"] / before["customers"].where(before["customers"] > 0)
    out["penetration_year_before"] = rate_before.reindex(out.index)
    out["penetration_change"] = (out["penetration"] - out["penetration_year_before"]) * 100
    if not before["buyers"].sum():
        out["penetration_year_before"] = np.nan
        out["penetration_change"] = np.nan
    out.index.name = "segment"
    out = out.reset_index()
    sizes = params.sales.market_size.get(column)
    if sizes:
        out["market_size"] = out["segment"].map(lambda s: sizes.get(str(s)) if s is not None else None).astype(float)
        out.loc[out["segment"] == TOTAL, "market_size"] = float(sum(sizes.values()))
        out["market_penetration"] = out["buyers"] / out["market_size"]
    order = out["segment"].eq(TOTAL).map({True: 0, False: 1})
    out = out.assign(_o=order).sort_values(["_o", "customers", "segment"], ascending=[True, False, True],
                                           kind="stable", na_position="last").drop(columns="_o")
    return out.reset_index(drop=True)


def customer_statistics(customers: pd.DataFrame, lines: pd.DataFrame, start, end) -> pd.DataFrame:
    """The customer information statistics (客户信息统计表): customers on record by the period's end per region,
    branch, industry, grade, sales model and sales rep (the columns the archive has), with the customers
    entered in the period (新建档, by customer_since), the buyers of the period and each segment's share of
    all customers.

    Columns: grouping, segment, customers, new_records, buyers, customer_share.
    """
    known = _on_record(customers, end)
    bought = set(lines.loc[within(lines["order_date"], start, end), "customer_id"])
    since = pd.to_datetime(known["customer_since"]) if "customer_since" in known else pd.Series(pd.NaT, index=known.index)
    frame = pd.DataFrame({"customers": 1, "new_records": within(since, start, end).astype(int),
                          "buyers": known["customer_id"].isin(bought).astype(int)}, index=known.index)
    parts = []
    for column in STATISTICS_COLUMNS:
        if column not in known:
            continue
        grouped = frame.groupby(segment_keys(known[column])).sum()
        grouped.index.name = "segment"
        grouped = grouped.reset_index().sort_values(["customers", "segment"], ascending=[False, True], kind="stable",
                                                    na_position="last")
        grouped.insert(0, "grouping", column)
        parts.append(grouped)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["grouping", "segment", "customers", "new_records", "buyers"])
    out["customer_share"] = out["customers"] / len(known) if len(known) else np.nan
    return out


def record_completeness(customers: pd.DataFrame, column: str = "branch") -> pd.DataFrame:
    """Share of customers (percent, 0-100, so that the cross table reads without a unit per cell) whose record
    has each field of the archive filled, for all customers (``total``) and per value of ``column``.

    One row per field the export has (``field``; flags and contract dates are not judged); blank text counts
    as empty. Fields of the canonical archive the export lacks are listed by :func:`missing_fields`.
    """
    fields = [c for c in customers.columns if c not in NOT_JUDGED]
    filled = pd.DataFrame({c: _filled(customers[c]) for c in fields}, index=customers.index)
    out = pd.DataFrame({"field": fields, TOTAL: [filled[c].mean() * 100 if len(filled) else np.nan for c in fields]})
    if column in customers:
        keys = customers[column].astype(object).where(customers[column].notna(), None)
        shares = filled.groupby(keys, dropna=True).mean() * 100
        for value in sorted(shares.index, key=str):
            out[str(value)] = shares.loc[value, fields].to_numpy()
    return out


def missing_fields(customers: pd.DataFrame) -> list[str]:
    """Canonical archive fields the customer export does not have at all (besides flags and contract dates)."""
    return [c.name for c in TABLES["customers"].columns if c.name not in customers.columns and c.name not in NOT_JUDGED]


def incomplete_fields(completeness: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Fields filled for fewer than ``sales.record_target`` of the customers, overall or in some branch: the
    field, its overall share, and the branch with the lowest share (shares 0-1). Lowest first."""
    branches = [c for c in completeness.columns if c not in ("field", TOTAL)]
    rows = []
    for _, row in completeness.iterrows():
        lowest = min(branches, key=lambda b: (row[b], b)) if branches else None
        low = row[lowest] / 100 if lowest else row[TOTAL] / 100
        if min(low, row[TOTAL] / 100) < params.sales.record_target:
            rows.append({"field": row["field"], "share": row[TOTAL] / 100, "branch": lowest, "lowest": low})
    frame = pd.DataFrame(rows, columns=["field", "share", "branch", "lowest"])
    return frame.sort_values(["lowest", "field"], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- internals

def _per_customer(lines: pd.DataFrame, start, end) -> pd.Series:
    chosen = lines[within(lines["order_date"], start, end)]
    return chosen.groupby("customer_id")["amount"].sum()


def _with_owner(frame: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """The customer's branch and sales rep beside each customer (blank when the archive has none)."""
    owners = lines.drop_duplicates("customer_id").set_index("customer_id")
    out = frame.copy()
    for column in ("branch", "sales_rep"):
        out[column] = out["customer_id"].map(owners[column]) if column in owners else None
    return out


def _on_record(customers: pd.DataFrame, end) -> pd.DataFrame:
    """Customers on record by ``end``: entered on or before it (or without an entry date)."""
    if "customer_since" not in customers:
        return customers
    since = pd.to_datetime(customers["customer_since"])
    return customers[since.isna() | (since <= day(end))]


def _filled(values: pd.Series) -> pd.Series:
    """Which cells hold something (blank text is empty)."""
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        return values.notna() & values.astype(str).str.strip().ne("")
    return values.notna()
