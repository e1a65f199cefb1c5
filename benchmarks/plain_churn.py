"""The plain alternative for the churn benchmark: the same snapshot features with pandas groupby.

What an analyst would write without DuckDB: read the tables into pandas, filter the
windows, group by customer. Used only by benchmarks/run.py, to measure against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def snapshot_features_pandas(folder, snapshot: pd.Timestamp, horizon_days: int = 90,
                             attributes: list[str] = ()) -> pd.DataFrame:
    """Features of the customers active at ``snapshot``, with the customer archive's ``attributes``."""
    orders = pd.read_parquet(f"{folder}/orders.parquet", columns=["customer_id", "order_date", "amount", "margin"])
    orders = orders[(orders["order_date"] <= snapshot) & (orders["order_date"] > snapshot - pd.DateOffset(months=12))]
    d = orders["order_date"]
    flags = {"orders_3m": d > snapshot - pd.DateOffset(months=3), "orders_6m": d > snapshot - pd.DateOffset(months=6)}
    prev = (d > snapshot - pd.DateOffset(months=6)) & (d <= snapshot - pd.DateOffset(months=3))
    frame = orders.assign(orders_3m=flags["orders_3m"], orders_6m=flags["orders_6m"],
                          sales_3m=orders["amount"].where(flags["orders_3m"], 0.0),
                          sales_6m=orders["amount"].where(flags["orders_6m"], 0.0),
                          sales_prev_3m=orders["amount"].where(prev, 0.0))
    g = frame.groupby("customer_id")
    out = pd.DataFrame({"orders_3m": g["orders_3m"].sum(), "orders_6m": g["orders_6m"].sum(),
                        "orders_12m": g.size(), "sales_3m": g["sales_3m"].sum(), "sales_6m": g["sales_6m"].sum(),
                        "sales_12m": g["amount"].sum(), "sales_prev_3m": g["sales_prev_3m"].sum(),
                        "margin_12m": g["margin"].sum(), "last_order": g["order_date"].max()})
    out = out[out["last_order"] > snapshot - pd.Timedelta(days=horizon_days)]
    out["recency_days"] = (snapshot - out["last_order"]).dt.days
    out["spend_trend"] = (out["sales_3m"] - out["sales_prev_3m"]) / (out["sales_3m"] + out["sales_prev_3m"] + 1)
    del orders, frame
    customers = pd.read_parquet(f"{folder}/customers.parquet", columns=["customer_id", "customer_since", *attributes])
    customers = customers.set_index("customer_id")
    since = customers["customer_since"]
    missing = since[since.isna()].index
    dates = pd.read_parquet(f"{folder}/orders.parquet", columns=["customer_id", "order_date"])
    first = dates[dates["customer_id"].isin(missing)].groupby("customer_id")["order_date"].min()
    del dates
    out["tenure_days"] = (snapshot - since.reindex(out.index).fillna(first.reindex(out.index))).dt.days
    payments = pd.read_parquet(f"{folder}/payments.parquet", columns=["customer_id", "due_date", "paid_date"])
    quarter = payments[(payments["due_date"] < snapshot) & (payments["due_date"] >= snapshot - pd.DateOffset(months=3))]
    late = (quarter["paid_date"].isna() | (quarter["paid_date"] > quarter["due_date"])).groupby(quarter["customer_id"]).sum()
    out["late_payments_q"] = late.reindex(out.index).fillna(0)
    out["late_2plus"] = (out["late_payments_q"] >= 2).astype(float)
    complaints = pd.read_parquet(f"{folder}/complaints.parquet", columns=["customer_id", "received_at", "severity", "followed_up_at"])
    window = complaints[(complaints["received_at"] < snapshot + pd.Timedelta(days=1))
                        & (complaints["received_at"] >= snapshot - pd.Timedelta(days=89))]
    cg = window.assign(major=window["severity"] == "major",
                       open=window["followed_up_at"].isna() | (window["followed_up_at"] >= snapshot + pd.Timedelta(days=1))
                       ).groupby("customer_id")
    out["complaints_90d"] = cg.size().reindex(out.index).fillna(0)
    out["major_complaints_90d"] = cg["major"].sum().reindex(out.index).fillna(0)
    out["unresolved_complaints"] = cg["open"].sum().reindex(out.index).fillna(0)
    out["days_since_contact"] = (snapshot - pd.concat([out["last_order"], cg["received_at"].max().reindex(out.index)],
                                                      axis=1).max(axis=1).dt.normalize()).dt.days
    out = out.join(customers[list(attributes)])
    return out.reset_index()
