"""Payment collection (回款率) and receivables ageing (账龄) from the receivables register (payments).

- the *collection rate* of a period is the amount of the receivables due in it that was paid by its last
  day, over the amount due in it;
- a receivable is *open* at the period's end when it is not paid by then; an open receivable due on or
  before the last day is overdue by (last day - due date) days and falls in an age bucket: 0-30, 31-60,
  61-90 or more than 90 days (90 days is still 61-90; 91 is 90+). One due after the last day is not due yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .performance import TOTAL, by_segment, segment_keys
from .periods import day, within

AGE_BUCKETS = ("d0_30", "d31_60", "d61_90", "d90_plus")
NOT_DUE = "not_due"
#: the money column of each age bucket in the collection table
BUCKET_COLUMNS = {NOT_DUE: "not_due", "d0_30": "overdue_0_30", "d31_60": "overdue_31_60", "d61_90": "overdue_61_90",
                  "d90_plus": "overdue_90_plus"}
#: the Excel sheet of the overdue receivables when no sales rep is named
OVERDUE_SHEET = "excel.sheet.overdue"


def age_bucket(days: pd.Series) -> pd.Series:
    """The age bucket of each number of days overdue (negative: not due yet)."""
    days = pd.Series(days, dtype=float)
    codes = np.select([days < 0, days <= 30, days <= 60, days <= 90], [NOT_DUE, "d0_30", "d31_60", "d61_90"],
                      "d90_plus")
    return pd.Series(codes, index=days.index, dtype=object).where(days.notna(), None)


def open_receivables(payments: pd.DataFrame, customers: pd.DataFrame, end,
                     orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """The receivables open at ``end``, most overdue first: not paid by then, and (when the order is known)
    from an order placed by then.

    Columns: customer_id, days_overdue, amount, age_bucket, receivable_due, sales_rep, branch, payment_id,
    order_id (what a rep acts on first).
    """
    end = day(end)
    frame = payments.copy()
    paid = pd.to_datetime(frame["paid_date"]) if "paid_date" in frame else pd.Series(pd.NaT, index=frame.index)
    due = pd.to_datetime(frame["due_date"])
    keep = paid.isna() | (paid > end)
    if orders is not None and "order_id" in frame:
        placed = frame["order_id"].map(orders.drop_duplicates("order_id").set_index("order_id")["order_date"])
        keep &= placed.isna() | (pd.to_datetime(placed) <= end)
    frame = frame[keep].copy()
    frame["receivable_due"] = due[keep]
    frame["days_overdue"] = (end - frame["receivable_due"]).dt.days
    frame["age_bucket"] = age_bucket(frame["days_overdue"])
    if "order_id" not in frame:
        frame["order_id"] = None
    owners = customers.drop_duplicates("customer_id").set_index("customer_id")
    for column in ("branch", "sales_rep"):
        frame[column] = frame["customer_id"].map(owners[column]) if column in owners else None
    columns = ["customer_id", "days_overdue", "amount", "age_bucket", "receivable_due", "sales_rep", "branch",
               "payment_id", "order_id"]
    return frame.sort_values(["days_overdue", "payment_id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)[columns]


def overdue_list(receivables: pd.DataFrame) -> pd.DataFrame:
    """The open receivables that are overdue (due on or before the period's last day)."""
    return receivables[receivables["age_bucket"] != NOT_DUE].reset_index(drop=True)


def collection_table(payments: pd.DataFrame, customers: pd.DataFrame, start, end, column: str | None = "branch",
                     orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Collection and ageing for the company (first row, ``total``) and per value of the customer column
    ``column`` (the branch).

    Columns: segment, due_amount (due in the period), collected (of it, paid by the last day),
    collection_rate, not_due, overdue_0_30, overdue_31_60, overdue_61_90, overdue_90_plus (open amounts at the
    end), overdue_total, overdue_share (overdue / all open).
    """
    start, end = day(start), day(end)
    frame = payments.copy()
    paid = pd.to_datetime(frame["paid_date"]) if "paid_date" in frame else pd.Series(pd.NaT, index=frame.index)
    in_period = within(pd.to_datetime(frame["due_date"]), start, end)
    frame["due_amount"] = frame["amount"].where(in_period, 0.0)
    frame["collected"] = frame["amount"].where(in_period & paid.notna() & (paid <= end), 0.0)
    receivables = open_receivables(payments, customers, end, orders)
    owners = customers.drop_duplicates("customer_id").set_index("customer_id")
    buckets = receivables.pivot_table(index="payment_id", columns="age_bucket", values="amount", aggfunc="sum",
                                      fill_value=0.0)
    money = list(BUCKET_COLUMNS.values())
    buckets = buckets.rename(columns=BUCKET_COLUMNS).reindex(columns=money, fill_value=0.0)
    frame = frame.join(buckets, on="payment_id")
    frame[money] = frame[money].fillna(0.0)
    fields = ["due_amount", "collected", *money]
    total = pd.DataFrame([{"segment": TOTAL, **frame[fields].sum().to_dict()}])
    if column is not None and column in owners:
        per = frame[fields].groupby(segment_keys(frame["customer_id"].map(owners[column]))).sum()
        per.index.name = "segment"
        total = pd.concat([total, by_segment(per.reset_index())], ignore_index=True)
    out = total
    out["collection_rate"] = out["collected"] / out["due_amount"].where(out["due_amount"] > 0)
    out["overdue_total"] = out[money[1:]].sum(axis=1)
    open_total = out["overdue_total"] + out["not_due"]
    out["overdue_share"] = out["overdue_total"] / open_total.where(open_total > 0)
    return out[["segment", "due_amount", "collected", "collection_rate", *money, "overdue_total", "overdue_share"]]


#: the columns of the collection table shown as the collection view and as the ageing view
#: (the rate and the overdue total first: a phone shows them without scrolling)
COLLECTION_COLUMNS = ["segment", "collection_rate", "due_amount", "collected"]
AGEING_COLUMNS = ["segment", "overdue_total", "overdue_share", "overdue_0_30", "overdue_31_60", "overdue_61_90",
                  "overdue_90_plus", "not_due"]


def ageing_frame(collection: pd.DataFrame) -> pd.DataFrame:
    """The overdue amounts per branch and age bucket for the stacked chart: index segment (the company when
    there are no branches), one column per age bucket named by its code (columns.name ``age_bucket``, so the
    legend reads 0-30 天 rather than the table's longer headers)."""
    rows = collection.iloc[1:] if len(collection) > 1 else collection
    frame = rows.set_index("segment")[[BUCKET_COLUMNS[b] for b in AGE_BUCKETS]]
    frame.columns = pd.Index(list(AGE_BUCKETS), name="age_bucket")
    frame.index.name = "segment"
    return frame


def lists_by_rep(overdue: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The overdue receivables as one Excel sheet per sales rep (by name), or one sheet when none is named."""
    if overdue.empty or overdue["sales_rep"].isna().all():
        return {OVERDUE_SHEET: overdue}
    return {str(name): group.reset_index(drop=True)
            for name, group in overdue.groupby(overdue["sales_rep"].fillna("—"), sort=True)}
