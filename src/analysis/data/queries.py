"""DuckDB queries over the processed Parquet tables, each returning a DataFrame with canonical columns.

The analyses stay pure: they call these and never write SQL. Queries that could
outgrow memory (the churn snapshots over many month-ends) run one month-end at a
time under a memory cap, spill to a temporary folder, and turn an out-of-memory
failure into a message naming the parameter to raise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import Iterator, Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .store import DATE_COLUMN, Tables

#: order, payment, complaint and survey features of a snapshot (those whose tables are absent are left out)
ORDER_FEATURES = ["recency_days", "orders_3m", "orders_6m", "orders_12m", "sales_3m", "sales_6m", "sales_12m",
                  "spend_trend", "tenure_days", "days_since_contact"]
PAYMENT_FEATURES = ["late_payments_q", "late_2plus"]
COMPLAINT_FEATURES = ["complaints_90d", "major_complaints_90d", "unresolved_complaints"]
SURVEY_FEATURES = ["latest_satisfaction"]


def threads() -> int:
    """Threads DuckDB may use: WORKBENCH_THREADS when the runner shares the cores between kernels."""
    return int(os.environ.get("WORKBENCH_THREADS") or os.cpu_count() or 1)


@contextlib.contextmanager
def connect(memory: str = "500MB", threads_: int | None = None, parameter: str = "churn.duckdb_memory") -> Iterator:
    """An in-memory DuckDB connection capped at ``memory`` that spills to a private temporary folder.

    Raises
    ------
    ConfigError
        when a query still runs out of memory: names ``parameter`` and the value to raise.
    """
    import duckdb

    spill = tempfile.mkdtemp(prefix="workbench-duckdb-")
    con = duckdb.connect(config={"memory_limit": memory, "threads": threads_ or threads(),
                                 "temp_directory": spill, "preserve_insertion_order": False})
    try:
        yield con
    except duckdb.OutOfMemoryException as exc:
        raise ConfigError(f"parameters [key path: '{parameter.replace('.', '/')}']: the query must fit in "
                          f"{memory} of memory (it spills the rest to {tempfile.gettempdir()}). Got: "
                          f"{str(exc).splitlines()[0]}. Raise {parameter} (e.g. to {_double(memory)}) in "
                          "parameters/defaults.yaml, or free disk space there.") from None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def pq_columns(tables: Tables, name: str) -> list[str]:
    """Column names of a processed table, from its Parquet schema (no rows read)."""
    import pyarrow.parquet as pq

    return pq.read_schema(tables.path(name)).names


def monthly_counts(tables: Tables, end_month: str, months: int = 24) -> pd.DataFrame:
    """Records per month (index ``month``, 'YYYY-MM') of each dated table (one column per table name),
    over the ``months`` up to ``end_month``; months without records count 0."""
    end = pd.Period(end_month, "M")
    index = pd.Index(pd.period_range(end - months + 1, end, freq="M").astype(str), name="month")
    out = pd.DataFrame(index=index)
    # targets are set per month ahead of time: a plan, not records that arrived
    present = [(name, column) for name, column in DATE_COLUMN.items() if name in tables and name != "targets"]
    if present:
        with connect(threads_=1) as con:
            for name, column in present:
                counts = con.execute(
                    f'SELECT strftime("{column}", \'%Y-%m\') AS m, count(*) FROM read_parquet(?) '
                    f'WHERE "{column}" IS NOT NULL GROUP BY 1', [tables.path(name).as_posix()]).fetchall()
                out[name] = pd.Series(dict(counts), dtype="float64").reindex(index).fillna(0).astype("int64")
    out.columns.name = "table"
    return out


def snapshot_features(tables: Tables, dates: Sequence[pd.Timestamp], horizon_days: int, attributes: Sequence[str],
                      survey_scores: pd.DataFrame | None = None, memory: str = "500MB",
                      threads_: int | None = None, compact: bool = False) -> pd.DataFrame:
    """Features of every active customer at each snapshot date; rows (snapshot, customer_id) in order.

    Active: an order within ``horizon_days`` before the snapshot. Windows of 3, 6 and 12 months
    end at the snapshot; only rows dated on or before the snapshot day count. One query per
    month-end, so memory holds one month-end's aggregation at a time.

    ``compact`` (the training set of many month-ends): counts as the smallest integers, amounts
    as float32, customer_id and the text attributes as categoricals (customer_id's categories are
    the customer archive in its order), the attributes taken from the archive once instead of
    joined into every month-end, and the month-ends assembled column by column, so memory holds
    the result about once.
    """
    with_surveys = survey_scores is not None and len(survey_scores) > 0
    has = {name: set(pq_columns(tables, name)) for name in ("orders", "customers", "payments", "complaints")
           if name in tables}
    joined = [] if compact else list(attributes)
    parts = []
    with connect(memory, threads_) as con:
        if with_surveys:
            con.register("sv", survey_scores[["customer_id", "answered_date", "share"]])
        con.execute(_firsts_sql(tables, has))  # first orders of the customers the archive has no date for
        for date in dates:
            frame = _fetch(con.sql(_snapshot_sql(tables, has, pd.Timestamp(date), horizon_days, joined,
                                                 with_surveys)))
            frame["snapshot"] = frame["snapshot"].astype("datetime64[ns]")
            frame = frame.drop(columns=["sales_prev_3m"])
            parts.append(_compacted(frame) if compact else frame)
    if not parts:
        return pd.DataFrame()
    if not compact:
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return _assembled(parts, tables, attributes)


def _assembled(parts: list[dict], tables: Tables, attributes: Sequence[str]) -> pd.DataFrame:
    """One frame from compacted month-ends (dicts of arrays), column by column, each part's column freed
    as it is copied; customer_id and the attributes as categoricals over the customer archive."""
    customers = pd.read_parquet(tables.path("customers"), columns=["customer_id", *attributes])
    ids = pd.Index(customers["customer_id"].astype(object))
    id_dtype = pd.CategoricalDtype(ids)
    codes = []
    for part in parts:
        codes.append(ids.get_indexer(np.asarray(part.pop("customer_id"), dtype=object)).astype("int32"))
    columns = list(parts[0])
    at = columns.index("tenure_days") + 1 if "tenure_days" in columns else len(columns)
    order = ["customer_id", *columns[:at], *attributes, *columns[at:]]
    where = np.concatenate(codes)
    del codes
    out: dict = {"customer_id": pd.Categorical.from_codes(where, dtype=id_dtype)}
    for col in columns:
        pieces = [part.pop(col) for part in parts]
        out[col] = np.concatenate(pieces) if pieces[0].dtype.kind in "iufbM" else pd.concat(
            [pd.Series(piece) for piece in pieces], ignore_index=True).to_numpy()
        del pieces
    known = where >= 0
    for col in attributes:
        values = customers[col]
        if values.dtype.kind in "iufb":
            column = np.full(len(where), np.nan, dtype="float32")
            column[known] = values.to_numpy(dtype="float32", na_value=np.nan)[where[known]]
            out[col] = column
        else:
            category = values.astype(object).astype("category")
            level = np.full(len(where), -1, dtype=category.cat.codes.dtype)
            level[known] = category.cat.codes.to_numpy()[where[known]]
            out[col] = pd.Categorical.from_codes(level, dtype=category.dtype)
    frame = pd.DataFrame(out, copy=False)
    return frame[[c for c in order if c in frame]]


def orders_after(tables: Tables, dates: Sequence[pd.Timestamp], horizon_days: int,
                 memory: str = "500MB") -> dict[pd.Timestamp, np.ndarray]:
    """{snapshot: customer ids with at least one order in the ``horizon_days`` after it}."""
    out = {}
    with connect(memory) as con:
        for date in dates:
            s = _ts(pd.Timestamp(date))
            ids = con.execute(f"""SELECT DISTINCT customer_id FROM read_parquet('{_path(tables, 'orders')}')
                                  WHERE order_date > {s} AND order_date <= {s} + INTERVAL {int(horizon_days)} DAY
                                  ORDER BY 1""").fetchnumpy()["customer_id"]
            out[pd.Timestamp(date)] = np.asarray(ids, dtype=object)
    return out


# ----------------------------------------------------------------------------- internals

def _firsts_sql(tables: Tables, has: dict) -> str:
    since = "customer_since" in has["customers"]
    missing = (f"WHERE customer_id IN (SELECT customer_id FROM read_parquet('{_path(tables, 'customers')}') "
               "WHERE customer_since IS NULL)") if since else ""
    return (f"CREATE TEMP TABLE firsts AS SELECT customer_id, min(CAST(order_date AS TIMESTAMP)) AS first_order "
            f"FROM read_parquet('{_path(tables, 'orders')}') {missing} GROUP BY 1")


def _snapshot_sql(tables: Tables, has: dict, snapshot: pd.Timestamp, horizon: int, attributes: Sequence[str],
                  with_surveys: bool) -> str:
    """One month-end's features; the snapshot is a constant, so DuckDB filters while it scans."""
    s = _ts(snapshot)
    margin = "margin" if "margin" in has["orders"] else "NULL::DOUBLE"
    ctes = [f"""orders AS (SELECT customer_id, CAST(order_date AS TIMESTAMP) AS d, amount, {margin} AS margin
               FROM read_parquet('{_path(tables, 'orders')}')
               WHERE order_date <= {s} AND order_date > {s} - INTERVAL 12 MONTH)""",
            f"""base AS (
      SELECT customer_id, {s} AS snapshot,
        count(*) FILTER (WHERE d > {s} - INTERVAL 3 MONTH) AS orders_3m,
        count(*) FILTER (WHERE d > {s} - INTERVAL 6 MONTH) AS orders_6m,
        count(*) AS orders_12m,
        coalesce(sum(amount) FILTER (WHERE d > {s} - INTERVAL 3 MONTH), 0) AS sales_3m,
        coalesce(sum(amount) FILTER (WHERE d > {s} - INTERVAL 6 MONTH), 0) AS sales_6m,
        coalesce(sum(amount), 0) AS sales_12m,
        coalesce(sum(amount) FILTER (WHERE d > {s} - INTERVAL 6 MONTH AND d <= {s} - INTERVAL 3 MONTH), 0)
          AS sales_prev_3m,
        coalesce(sum(margin), 0) AS margin_12m,
        max(d) AS last_order
      FROM orders GROUP BY 1
      HAVING max(d) > {s} - INTERVAL {int(horizon)} DAY)"""]
    since = "CAST(customer_since AS TIMESTAMP)" if "customer_since" in has["customers"] else "NULL::TIMESTAMP"
    attrs = "".join(f', "{c}"' for c in attributes)
    ctes.append(f"cust AS (SELECT customer_id, {since} AS since{attrs} FROM read_parquet('{_path(tables, 'customers')}'))")
    select = ["b.*", "date_diff('day', b.last_order, b.snapshot) AS recency_days",
              "(b.sales_3m - b.sales_prev_3m) / (b.sales_3m + b.sales_prev_3m + 1) AS spend_trend",
              "date_diff('day', coalesce(c.since, f.first_order), b.snapshot) AS tenure_days",
              *[f'c."{col}"' for col in attributes]]
    joins = ["LEFT JOIN firsts f USING (customer_id)", "LEFT JOIN cust c USING (customer_id)"]
    contacts = ["b.last_order"]
    if "payments" in has:
        ctes.append(f"""late AS (
          SELECT customer_id,
            count(*) FILTER (WHERE paid_date IS NULL OR paid_date > due_date) AS late_payments_q
          FROM read_parquet('{_path(tables, 'payments')}')
          WHERE due_date < {s} AND due_date >= {s} - INTERVAL 3 MONTH
          GROUP BY 1)""")
        joins.append("LEFT JOIN late l USING (customer_id)")
        select += ["coalesce(l.late_payments_q, 0) AS late_payments_q",
                   "CAST(coalesce(l.late_payments_q, 0) >= 2 AS DOUBLE) AS late_2plus"]
    if "complaints" in has:
        severity = "severity = 'major'" if "severity" in has["complaints"] else "false"
        followed = "followed_up_at" if "followed_up_at" in has["complaints"] else "NULL::TIMESTAMP"
        ctes.append(f"""comp AS (
          SELECT customer_id, count(*) AS complaints_90d,
            count(*) FILTER (WHERE {severity}) AS major_complaints_90d,
            count(*) FILTER (WHERE {followed} IS NULL OR {followed} >= {s} + INTERVAL 1 DAY) AS unresolved_complaints,
            max(received_at) AS last_complaint
          FROM read_parquet('{_path(tables, 'complaints')}')
          WHERE received_at < {s} + INTERVAL 1 DAY AND received_at >= {s} - INTERVAL 89 DAY
          GROUP BY 1)""")
        joins.append("LEFT JOIN comp k USING (customer_id)")
        select += [f"coalesce(k.{col}, 0) AS {col}" for col in COMPLAINT_FEATURES]
        contacts.append("date_trunc('day', k.last_complaint)")
    if with_surveys:
        ctes.append(f"""sat AS (
          SELECT customer_id, arg_max(share, answered_date) AS latest_satisfaction, max(answered_date) AS last_survey
          FROM sv WHERE answered_date <= {s} GROUP BY 1)""")
        joins.append("LEFT JOIN sat v USING (customer_id)")
        select.append("v.latest_satisfaction")
        contacts.append("date_trunc('day', v.last_survey)")
    select.append(f"date_diff('day', greatest({', '.join(contacts)}), b.snapshot) AS days_since_contact")
    return (f"WITH {', '.join(ctes)} SELECT {', '.join(select)} FROM base b {' '.join(joins)} "
            "ORDER BY b.customer_id")


def _fetch(relation) -> pd.DataFrame:
    """A relation as a DataFrame through Arrow, freeing the Arrow buffers while converting (one copy)."""
    fetch = next(getattr(relation, m) for m in ("to_arrow_table", "fetch_arrow_table", "arrow") if hasattr(relation, m))
    result = fetch()
    if hasattr(result, "read_all"):  # a record batch reader in some DuckDB versions
        result = result.read_all()
    frame = result.to_pandas(split_blocks=True, self_destruct=True)
    del result
    return frame


def _compacted(frame: pd.DataFrame) -> dict:
    """Columns as arrays: counts in the smallest integer type that holds them, amounts and rates as float32."""
    out = {}
    for col, values in frame.items():
        kind = values.dtype.kind
        if kind in "iu":
            out[col] = pd.to_numeric(values, downcast="integer").to_numpy()
        elif kind == "f":
            out[col] = values.to_numpy(dtype="float32")
        elif kind == "M":
            out[col] = values.to_numpy()
        else:
            out[col] = values.to_numpy(dtype=object) if col == "customer_id" else values
    return out


def _ts(value: pd.Timestamp) -> str:
    return f"TIMESTAMP '{pd.Timestamp(value).strftime('%Y-%m-%d %H:%M:%S')}'"


def _path(tables: Tables, name: str) -> str:
    return tables.path(name).as_posix().replace("'", "''")


def _double(memory: str) -> str:
    import re

    number, unit = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(\w+)", memory).groups()
    return f"{float(number) * 2:g}{unit}"
