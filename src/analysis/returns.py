"""Customer returns (退货), part of the complaint analysis: return rates by product and customer, reasons,
accepted against rejected, per month, quarter or year.

The procedure: quality inspects the returned goods; a return that stands (退货成立) goes to materials with
a quality-exception report, one that does not is settled by marketing with the customer. Complaints and
returns are analysed periodically for management review.

Definitions: the *return rate* is the amount returned in a period over the sales (order amounts) of the
same period, per product or customer; the *accepted rate* counts only the returns that stood. A return
without a verdict yet is *pending*. A return's product is its own, else its order's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .message import Message, Money, Percent

#: the frequencies a returns table can be cut by: month, quarter, year
FREQUENCIES = {"M": "M", "Q": "Q", "Y": "Y"}
#: captions of the returns tables (page.table(..., caption=BY_PRODUCT))
BY_PRODUCT = "sat.returns_by_product"
BY_CUSTOMER = "sat.returns_by_customer"
REASONS = "sat.returns_reasons"
BY_PERIOD = "sat.returns_by_period"


def with_product(returns: pd.DataFrame, orders: pd.DataFrame | None) -> pd.DataFrame:
    """The returns with a ``product``: the return's own, else the product of its order."""
    out = returns.copy()
    own = out["product"] if "product" in out else pd.Series(None, index=out.index, dtype=object)
    if orders is not None and "order_id" in out and "product" in orders:
        by_order = orders.drop_duplicates("order_id").set_index("order_id")["product"]
        own = own.where(own.notna(), out["order_id"].map(by_order))
    out["product"] = own
    return out


def _between(dates: pd.Series, start, end) -> pd.Series:
    day = dates.dt.normalize()
    return dates.notna() & (day >= pd.Timestamp(start).normalize()) & (day <= pd.Timestamp(end).normalize())


def _verdicts(returns: pd.DataFrame) -> pd.DataFrame:
    accepted = returns["accepted"] if "accepted" in returns else pd.Series(pd.NA, index=returns.index, dtype="boolean")
    accepted = accepted.astype("boolean")
    is_accepted = accepted.eq(True).fillna(False).astype(bool)
    return returns.assign(is_accepted=is_accepted, is_rejected=accepted.eq(False).fillna(False).astype(bool),
                          is_pending=accepted.isna().to_numpy(),
                          accepted_value=returns["amount"].where(is_accepted, 0.0).astype(float))


def return_rates(returns: pd.DataFrame, orders: pd.DataFrame, start, end, by: str = "product") -> pd.DataFrame:
    """Per ``by`` (product or customer_id): sales of the period, returns, amount returned, accepted returns
    and their amount, the return rate and the accepted rate; highest return rate first (no sales last),
    ties by amount then name."""
    rets = _verdicts(with_product(returns, orders))
    rets = rets[_between(rets["return_date"], start, end)]
    sold = orders[_between(orders["order_date"], start, end)] if by in orders else orders.iloc[0:0]
    sales = sold.groupby(by)["amount"].sum() if by in sold else pd.Series(dtype=float)
    rets = rets[rets[by].notna()] if by in rets else rets.iloc[0:0].assign(**{by: []})
    grouped = rets.groupby(by).agg(returns=("return_id", "size"), returned_amount=("amount", "sum"),
                                   accepted_returns=("is_accepted", "sum"),
                                   accepted_amount=("accepted_value", "sum"))
    out = grouped.reindex(grouped.index.union(sales.index))
    out.index.name = by
    out = out.reset_index()
    out["sales"] = out[by].map(sales).astype(float)
    for column in ("returns", "accepted_returns"):
        out[column] = out[column].fillna(0).astype(int)
    for column in ("returned_amount", "accepted_amount"):
        out[column] = out[column].fillna(0.0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        positive = out["sales"].where(out["sales"] > 0)
        out["return_rate"] = out["returned_amount"] / positive
        out["accepted_rate"] = out["accepted_amount"] / positive
    columns = [by, "sales", "returns", "returned_amount", "return_rate", "accepted_returns", "accepted_amount",
               "accepted_rate"]
    return out[columns].sort_values(["return_rate", "returned_amount", by], ascending=[False, False, True],
                                    na_position="last", kind="stable").reset_index(drop=True)


def return_reasons(returns: pd.DataFrame, start, end) -> pd.DataFrame:
    """Reasons given for the returns of the period: returns, amount, share of the returns, accepted ones;
    most frequent first (no reason given counts under —)."""
    rets = _verdicts(returns[_between(returns["return_date"], start, end)])
    reason = (rets["reason"] if "reason" in rets else pd.Series(None, index=rets.index, dtype=object)).fillna("—")
    grouped = rets.assign(reason=reason).groupby("reason").agg(
        returns=("return_id", "size"), returned_amount=("amount", "sum"), accepted_returns=("is_accepted", "sum"))
    grouped = grouped.reset_index()
    grouped["accepted_returns"] = grouped["accepted_returns"].astype(int)
    total = int(grouped["returns"].sum())
    grouped["return_share"] = grouped["returns"] / total if total else np.nan
    return grouped[["reason", "returns", "return_share", "returned_amount", "accepted_returns"]].sort_values(
        ["returns", "returned_amount", "reason"], ascending=[False, False, True], kind="stable").reset_index(drop=True)


def returns_trend(returns: pd.DataFrame, orders: pd.DataFrame, params) -> pd.DataFrame:
    """The returns table of the report: by month in a monthly report (``complaints.months_shown`` months), by
    quarter in a quarterly one and by year in a yearly one (as many as cover those months, at least 3)."""
    period = params.report_period
    count = max(3, params.complaints.months_shown // period.months)
    return returns_by_period(returns, orders, params.period_end, period.freq, count)


def returns_by_period(returns: pd.DataFrame, orders: pd.DataFrame, end, freq: str = "M",
                      periods: int = 12) -> pd.DataFrame:
    """Per month (``M``), quarter (``Q``) or year (``Y``), the ``periods`` ending with the one holding ``end``:
    returns, accepted / rejected / pending, amount returned and accepted, sales, return rate."""
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {', '.join(FREQUENCIES)}; got {freq!r}")
    last = pd.Period(pd.Timestamp(end), freq)
    index = pd.period_range(last - periods + 1, last, freq=freq)
    first_day = index[0].start_time
    rets = _verdicts(returns[_between(returns["return_date"], first_day, pd.Timestamp(end))])
    rets = rets.assign(period=rets["return_date"].dt.to_period(freq))
    grouped = rets.groupby("period").agg(
        returns=("return_id", "size"), accepted_returns=("is_accepted", "sum"), rejected_returns=("is_rejected", "sum"),
        pending_returns=("is_pending", "sum"), returned_amount=("amount", "sum"),
        accepted_amount=("accepted_value", "sum"))
    sold = orders[_between(orders["order_date"], first_day, pd.Timestamp(end))]
    sales = sold.groupby(sold["order_date"].dt.to_period(freq))["amount"].sum()
    out = grouped.reindex(index)
    out["sales"] = sales.reindex(index).astype(float)
    for column in ("returns", "accepted_returns", "rejected_returns", "pending_returns"):
        out[column] = out[column].fillna(0).astype(int)
    for column in ("returned_amount", "accepted_amount"):
        out[column] = out[column].fillna(0.0).astype(float)
    out["return_rate"] = out["returned_amount"] / out["sales"].where(out["sales"] > 0)
    # labelled as the reports name periods: 2026-10, 2026-Q3, 2026
    out.index = [f"{p.year}-Q{p.quarter}" if freq == "Q" else str(p.year) if freq == "Y" else str(p) for p in out.index]
    out.index.name = "period"
    return out[["returns", "accepted_returns", "rejected_returns", "pending_returns", "returned_amount",
                "accepted_amount", "sales", "return_rate"]]


def returns_message(returns: pd.DataFrame, orders: pd.DataFrame, start, end) -> Message:
    """The returns of the period in a sentence: how many, their value, the verdicts, the share of sales, and
    the product with the highest return rate."""
    rets = _verdicts(returns[_between(returns["return_date"], start, end)])
    if rets.empty:
        return Message.of("sat.returns_none", start=pd.Timestamp(start), end=pd.Timestamp(end))
    sales = orders.loc[_between(orders["order_date"], start, end), "amount"].sum()
    by_product = return_rates(returns, orders, start, end, "product")
    ranked = by_product[by_product["returns"] > 0].dropna(subset=["return_rate"])
    top = ranked.iloc[0] if len(ranked) else None
    return Message.of("sat.returns", start=pd.Timestamp(start), end=pd.Timestamp(end), n=len(rets),
                      amount=Money(float(rets["amount"].sum())), accepted=int(rets["is_accepted"].sum()),
                      accepted_amount=Money(float(rets.loc[rets["is_accepted"], "amount"].sum())),
                      rejected=int(rets["is_rejected"].sum()), pending=int(rets["is_pending"].sum()),
                      rate=Percent(float(rets["amount"].sum() / sales) if sales > 0 else np.nan),
                      top="—" if top is None else str(top["product"]),
                      top_rate=Percent(None if top is None else float(top["return_rate"])))
