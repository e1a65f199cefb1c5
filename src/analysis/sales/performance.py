"""Sales against target, growth and each segment's contribution to it, gross margin, the new products' share.

Every function takes the period's first and last day (a month, a quarter, a year) and returns canonical
columns; a segment table has a ``segment`` column (``total`` is the whole company) and, where several
breakdowns share a table, a ``grouping`` column naming the column the segment belongs to.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Parameters
from ..errors import DataError
from ..message import Message
from .periods import day, months_of, previous_period, trailing_months, within, year_earlier, year_to_date

#: customer columns joined to each order line (those the archive has)
CUSTOMER_COLUMNS = ("branch", "region", "industry", "grade", "sales_model", "sales_rep", "customer_since")
#: the segment columns a target row may name; a row naming none is the company's target
TARGET_DIMENSIONS = ("branch", "region", "product_line")
TOTAL = "total"
COMPANY = "company"
#: the segment of the rows whose segment column is blank
BLANK = "blank"


def sales_lines(orders: pd.DataFrame, customers: pd.DataFrame, products: pd.DataFrame | None, end,
                params: Parameters) -> pd.DataFrame:
    """One row per order with what the summary cuts it by: the customer's branch, region, industry, grade,
    sales model and rep (and any other customer column named in ``sales.breakdowns`` or ``sales.segments``),
    the product line from the product archive, ``new_product`` (new at ``end``, see :func:`new_products`) and
    ``gross_margin`` (blank when the sales statistics have no margin)."""
    columns = ["order_id", "customer_id", "order_date", "amount"]
    lines = orders[columns].copy()
    lines["order_date"] = pd.to_datetime(lines["order_date"]).dt.normalize()
    lines["product"] = orders["product"] if "product" in orders else None
    lines["gross_margin"] = orders["margin"].astype(float) if "margin" in orders else np.nan
    wanted = [c for c in dict.fromkeys([*CUSTOMER_COLUMNS, *params.sales.breakdowns, *params.sales.segments])
              if c in customers.columns and c not in ("customer_id", "product_line")]
    lines = lines.merge(customers[["customer_id", *wanted]], on="customer_id", how="left")
    if products is not None and "product_line" in products:
        lines["product_line"] = lines["product"].map(products.drop_duplicates("product").set_index("product")
                                                     ["product_line"])
    else:
        lines["product_line"] = None
    lines["new_product"] = lines["product"].isin(new_products(products, end, params)) if products is not None \
        else False
    return lines


def new_products(products: pd.DataFrame | None, end, params: Parameters) -> list[str]:
    """The products new at ``end``: launched in the last ``sales.new_product_months`` calendar months up to
    ``end``'s month (12: November 2025 to October 2026 for an October 2026 report), or flagged new (新产品)
    in the archive. A launch after ``end`` is not a launch yet."""
    if products is None or not len(products):
        return []
    end = day(end)
    new = pd.Series(False, index=products.index)
    if "launch_date" in products:
        launch = pd.to_datetime(products["launch_date"])
        first = (end.to_period("M") - (params.sales.new_product_months - 1)).start_time
        new |= launch.notna() & (launch >= first) & (launch <= end)
    if "is_new" in products:
        new |= products["is_new"].fillna(False).astype(bool)
    return sorted(products.loc[new, "product"].dropna().astype(str).unique())


def breakdowns(lines: pd.DataFrame, params: Parameters) -> list[str]:
    """The columns of ``sales.breakdowns`` the data can cut the sales by (present, two segments or more), less those
    that only repeat an earlier one (each region one branch: the region table would repeat the branch
    table; see :func:`repeated_breakdowns`)."""
    return [c for c in _usable(lines, params) if c not in dict(repeated_breakdowns(lines, params))]


def repeated_breakdowns(lines: pd.DataFrame, params: Parameters) -> list[tuple[str, str]]:
    """(column, earlier column) pairs of ``sales.breakdowns`` that cut the sales into the same segments."""
    out, kept = [], []
    for column in _usable(lines, params):
        same = next((k for k in kept if _same_partition(lines[column], lines[k])), None)
        if same is None:
            kept.append(column)
        else:
            out.append((column, same))
    return out


def total_sales(lines: pd.DataFrame, start, end) -> float:
    """Sales (order amounts) of the period."""
    return float(lines.loc[within(lines["order_date"], start, end), "amount"].sum())


# ----------------------------------------------------------------------------- targets

def target_table(lines: pd.DataFrame, targets: pd.DataFrame, start, end) -> pd.DataFrame:
    """Sales against target for the period and for the year to date, per target segment.

    A target row belongs to the segment its branch / region / product line names (a row naming two is
    the combination); a row naming none is the company's. Targets of the months the period covers are
    added up (a quarter's target is its three months'). The company's row comes first: the file's own
    company rows, else the sum of the branches' targets (else the regions', else the product lines').

    Columns: grouping (a column name, a list of them, or ``company``), segment (its value, ``total`` for
    the company), attainment (sales / target), met, sales, target, shortfall (what is missing to the target,
    blank when met), and the same for the year to date (``*_ytd``).
    """
    frame = _target_rows(targets)
    period = set(months_of(start, end))
    ytd_start, ytd_end = year_to_date(end)
    ytd = set(months_of(ytd_start, ytd_end))
    lines = lines[within(lines["order_date"], min(day(start), ytd_start), day(end))]  # the sales the targets meet
    rows = []
    for key, group in frame.groupby("dims_key", sort=False):
        dims = key.split("+") if key else []
        cells = group.groupby([f"_{d}" for d in dims], sort=True) if dims else [((), group)]
        for values, cell in cells:
            values = values if isinstance(values, tuple) else (values,)
            mask = pd.Series(True, index=lines.index)
            for d, v in zip(dims, values):
                mask &= lines[d].astype(object).eq(v) if d in lines else False
            rows.append(_attainment(dims, values, cell, lines[mask], period, ytd, start, end, ytd_start))
    out = pd.DataFrame(rows, columns=_TARGET_COLUMNS)
    if not (out["grouping"] == COMPANY).any() and len(out):
        for d in TARGET_DIMENSIONS:
            level = frame[frame["dims_key"] == d]
            if len(level):
                out = pd.concat([pd.DataFrame([_attainment([], (), level, lines, period, ytd, start, end, ytd_start)],
                                              columns=_TARGET_COLUMNS), out], ignore_index=True)
                break
    out = out[(out["target"] > 0) | (out["target_ytd"] > 0)]
    order = {COMPANY: 0, **{d: i + 1 for i, d in enumerate(TARGET_DIMENSIONS)}}
    key = out["grouping"].map(lambda b: order.get(b, 9) if isinstance(b, str) else 8)
    return out.assign(_key=key).sort_values(["_key", "segment"], kind="stable").drop(columns="_key") \
        .reset_index(drop=True)


def company_target_basis(targets: pd.DataFrame) -> str:
    """Where the company's target comes from: ``company`` (its own rows), else the segment column whose targets
    were added up (``branch``, ``region``, ``product_line``)."""
    frame = _target_rows(targets)
    if (frame["dims_key"] == "").any():
        return COMPANY
    for d in TARGET_DIMENSIONS:
        if (frame["dims_key"] == d).any():
            return d
    return COMPANY


def unmatched_targets(lines: pd.DataFrame, targets: pd.DataFrame, start, end) -> list[str]:
    """Segments that have a target in the period but never appear in the sales (a branch spelled differently,
    a product line the archive does not know): their attainment is 0 and says nothing."""
    frame = _target_rows(targets)
    frame = frame[frame["month"].isin(set(months_of(start, end)))]
    out = []
    for key, group in frame.groupby("dims_key", sort=False):
        for d in key.split("+") if key else []:
            known = set(lines[d].dropna().astype(str)) if d in lines else set()
            out += [v for v in group[f"_{d}"].dropna().astype(str).unique() if v not in known]
    return sorted(set(out))


def duplicate_targets(targets: pd.DataFrame) -> int:
    """Target rows repeating the month and segment of an earlier row (their targets are added up)."""
    frame = _target_rows(targets)
    keys = ["month", *[f"_{d}" for d in TARGET_DIMENSIONS]]
    return int(frame.duplicated(keys).sum())


def company_targets(targets: pd.DataFrame | None) -> pd.Series:
    """The company's target per month (``pd.Period``): its own rows, else the sum of the first segment
    column that has targets (see :func:`company_target_basis`)."""
    if targets is None or not len(targets):
        return pd.Series(dtype=float)
    frame = _target_rows(targets)
    basis = company_target_basis(targets)
    level = frame[frame["dims_key"] == ("" if basis == COMPANY else basis)]
    return level.groupby("month")["target"].sum()


def last_year_table(lines: pd.DataFrame, start, end, columns: list[str]) -> pd.DataFrame:
    """Without targets: sales against the same period a year earlier, for the period and the year to date, for
    the company and per segment of each of ``columns``.

    Columns: grouping, segment, sales_year_before, sales, growth_year, above_last_year, and the same for the
    year to date (sales_ytd_year_before, sales_ytd, growth_ytd).
    """
    last_start, last_end = year_earlier(start, end)
    ytd_start, ytd_end = year_to_date(end)
    ytd_last_start, ytd_last_end = year_earlier(ytd_start, ytd_end)
    spans = {"sales": (start, end), "sales_year_before": (last_start, last_end), "sales_ytd": (ytd_start, ytd_end),
             "sales_ytd_year_before": (ytd_last_start, ytd_last_end)}
    parts = []
    for column in [None, *columns]:
        sums = pd.DataFrame({name: _sum_by(lines, a, b, column) for name, (a, b) in spans.items()}).fillna(0.0)
        sums.index.name = "segment"
        sums = sums.reset_index()
        sums.insert(0, "grouping", COMPANY if column is None else column)
        parts.append(sums)
    out = pd.concat(parts, ignore_index=True)
    out["growth_year"] = _ratio(out["sales"] - out["sales_year_before"], out["sales_year_before"])
    out["above_last_year"] = (out["sales"] >= out["sales_year_before"]).where(out["sales_year_before"] > 0)
    out["growth_ytd"] = _ratio(out["sales_ytd"] - out["sales_ytd_year_before"], out["sales_ytd_year_before"])
    return out[["grouping", "segment", "sales_year_before", "sales", "growth_year", "above_last_year",
                "sales_ytd_year_before", "sales_ytd", "growth_ytd"]]


# ----------------------------------------------------------------------------- growth

def growth_table(lines: pd.DataFrame, start, end, column: str | None) -> pd.DataFrame:
    """Growth against the period before (month on month) and the same period a year earlier (year on year),
    and each segment's contribution to it.

    A segment's contribution is its change divided by the company's sales in the base period: the
    contributions add up to the company's growth, and the changes to the company's change. Segments with
    sales in either period are listed (a blank segment is one); the first row is the company (``total``).

    Columns: segment, sales, growth_year, contribution_year, growth_previous, contribution_previous,
    sales_year_before, sales_previous.
    """
    prev = previous_period(start, end)
    year = year_earlier(start, end)
    now = _sum_by(lines, start, end, column)
    before = _sum_by(lines, *prev, column)
    last = _sum_by(lines, *year, column)
    table = pd.DataFrame({"sales": now, "sales_previous": before, "sales_year_before": last}).fillna(0.0)
    table.index.name = "segment"
    table = table.reset_index()
    total = pd.DataFrame([{"segment": TOTAL, "sales": table["sales"].sum(), "sales_previous": table["sales_previous"].sum(),
                           "sales_year_before": table["sales_year_before"].sum()}])
    for base, growth, contribution in (("sales_previous", "growth_previous", "contribution_previous"),
                                       ("sales_year_before", "growth_year", "contribution_year")):
        base_total = float(total[base].iloc[0])
        table[growth] = _ratio(table["sales"] - table[base], table[base])
        table[contribution] = (table["sales"] - table[base]) / base_total if base_total > 0 else np.nan
        total[growth] = _ratio(total["sales"] - total[base], total[base])
        total[contribution] = total[growth]
    table = table.sort_values(["sales", "segment"], ascending=[False, True], kind="stable", na_position="last")
    out = pd.concat([total, table], ignore_index=True) if column is not None else total
    return out[["segment", "sales", "growth_year", "contribution_year", "growth_previous", "contribution_previous",
                "sales_year_before", "sales_previous"]].reset_index(drop=True)


def contribution_points(growth: pd.DataFrame, base: str) -> pd.DataFrame:
    """Each segment's contribution to the growth against ``base`` (``previous`` or ``year``) in percentage
    points, for the chart: segment, points (the company's row left out)."""
    segments = growth[growth["segment"] != TOTAL]
    return pd.DataFrame({"segment": segments["segment"].to_numpy(),
                         "points": (segments[f"contribution_{base}"] * 100).to_numpy()})


def monthly_trend(lines: pd.DataFrame, targets: pd.DataFrame | None, end, months: int = 12) -> pd.DataFrame:
    """Sales of each of the ``months`` months ending with ``end``'s month (index ``YYYY-MM``), the same
    months a year earlier, and the company's target when a targets file was given. Months before the first
    order in the data are blank, not 0: nothing is known about them."""
    periods = trailing_months(end, months)
    month = lines["order_date"].dt.to_period("M")
    by_month = lines.groupby(month)["amount"].sum()
    first = month.min() if len(month) else None

    def sales_of(period):
        return float(by_month.get(period, 0.0)) if first is not None and period >= first else np.nan

    out = pd.DataFrame({"sales": [sales_of(p) for p in periods],
                        "sales_year_before": [sales_of(p - 12) for p in periods]}, index=[str(p) for p in periods])
    if not (out["sales_year_before"].fillna(0) > 0).any():
        out = out.drop(columns="sales_year_before")
    goals = company_targets(targets)
    if len(goals):
        out["target"] = [float(goals[p]) if p in goals.index else np.nan for p in periods]
    out.index.name = "month"
    return out


# ----------------------------------------------------------------------------- margin

def margin_table(lines: pd.DataFrame, start, end, column: str | None) -> pd.DataFrame:
    """Gross margin rate (毛利率 = gross margin / sales of the orders whose margin is known) for the period and
    the same period a year earlier, with the change in percentage points; the company first.

    Raises DataError (with the page's reason) when the sales statistics carry no margin.
    """
    known = lines[lines["gross_margin"].notna()]
    if known.empty:
        raise DataError("The sales statistics have no gross margin (毛利) column: no margin rate.",
                        reason=Message("sales.no_margin"))
    fields = ["amount", "gross_margin"]
    now = _grouped(known[within(known["order_date"], start, end)], column, fields)
    before = _grouped(known[within(known["order_date"], *year_earlier(start, end))], column, fields)
    table = pd.DataFrame({"sales": now["amount"], "gross_margin": now["gross_margin"],
                          "margin_rate": _ratio(now["gross_margin"], now["amount"])})
    table["margin_rate_year_before"] = _ratio(before["gross_margin"], before["amount"]).reindex(table.index)
    table.index.name = "segment"
    table = table.reset_index()
    if column is not None:
        company = margin_table(lines, start, end, None)
        table = pd.concat([company, table.sort_values(["sales", "segment"], ascending=[False, True], kind="stable")],
                          ignore_index=True)
    table["margin_change"] = (table["margin_rate"] - table["margin_rate_year_before"]) * 100
    return table[["segment", "sales", "gross_margin", "margin_rate", "margin_rate_year_before", "margin_change"]]


# ----------------------------------------------------------------------------- new products

def new_product_table(lines: pd.DataFrame, products: pd.DataFrame | None, start, end,
                      params: Parameters) -> pd.DataFrame:
    """The new products (see :func:`new_products`) with their sales in the period and share of all sales;
    largest first. Raises DataError with the page's reason when there is no product archive."""
    _require_products(products, params)
    new = new_products(products, end, params)
    chosen = lines[within(lines["order_date"], start, end)]
    total = float(chosen["amount"].sum())
    sales = chosen[chosen["product"].isin(new)].groupby("product")["amount"].sum()
    archive = products.drop_duplicates("product").set_index("product")
    out = pd.DataFrame({"product": new})
    out["product_line"] = out["product"].map(archive["product_line"]) if "product_line" in archive else None
    out["launch_date"] = out["product"].map(archive["launch_date"]) if "launch_date" in archive else pd.NaT
    out["sales"] = out["product"].map(sales).fillna(0.0).astype(float)
    out["sales_share"] = out["sales"] / total if total > 0 else np.nan
    return out.sort_values(["sales", "product"], ascending=[False, True], kind="stable").reset_index(drop=True)


def new_product_share(lines: pd.DataFrame, start, end) -> float:
    """The new products' share of the period's sales (NaN without sales)."""
    chosen = lines[within(lines["order_date"], start, end)]
    total = float(chosen["amount"].sum())
    return float(chosen.loc[chosen["new_product"], "amount"].sum()) / total if total > 0 else np.nan


def new_product_trend(lines: pd.DataFrame, end, months: int = 12) -> pd.DataFrame:
    """The share of sales of today's new products in each of the ``months`` months ending with ``end``'s month
    (index ``YYYY-MM``): how fast they were taken up. Columns: sales, new_sales, new_share."""
    periods = trailing_months(end, months)
    month = lines["order_date"].dt.to_period("M")
    total = lines.groupby(month)["amount"].sum()
    new = lines[lines["new_product"]].groupby(month[lines["new_product"]])["amount"].sum()
    out = pd.DataFrame({"sales": [float(total.get(p, 0.0)) for p in periods],
                        "new_sales": [float(new.get(p, 0.0)) for p in periods]}, index=[str(p) for p in periods])
    out["new_share"] = _ratio(out["new_sales"], out["sales"])
    out.index.name = "month"
    return out


# ----------------------------------------------------------------------------- internals

_TARGET_COLUMNS = ["grouping", "segment", "attainment", "met", "sales", "target", "shortfall", "attainment_ytd",
                   "met_ytd", "sales_ytd", "target_ytd"]


def _usable(lines: pd.DataFrame, params: Parameters) -> list[str]:
    """Breakdown columns present with at least two segments (a branch's report has one branch: no table)."""
    return [c for c in params.sales.breakdowns if c in lines and lines[c].notna().any()
            and lines[c].nunique(dropna=False) > 1]


def _same_partition(a: pd.Series, b: pd.Series) -> bool:
    """Whether two columns group the rows alike (one value of one is always one value of the other)."""
    pairs = pd.DataFrame({"a": pd.factorize(a, use_na_sentinel=False)[0],
                          "b": pd.factorize(b, use_na_sentinel=False)[0]}).drop_duplicates()
    return pairs["a"].is_unique and pairs["b"].is_unique


def _target_rows(targets: pd.DataFrame) -> pd.DataFrame:
    """The targets with their month as a calendar month, each segment value as text (blank: None) and
    ``dims_key``: the segment columns the row names, joined by + ("" for the company)."""
    frame = targets.copy()
    frame["month"] = pd.to_datetime(frame["month"]).dt.to_period("M")
    present = []
    for d in TARGET_DIMENSIONS:
        values = frame[d] if d in frame else pd.Series(None, index=frame.index, dtype=object)
        text = values.astype(object).where(values.notna(), None)
        text = text.map(lambda v: None if v is None or not str(v).strip() else str(v).strip())
        frame[f"_{d}"] = text
        present.append(text.notna())
    flags = pd.concat(present, axis=1).to_numpy()
    frame["dims_key"] = ["+".join(d for d, f in zip(TARGET_DIMENSIONS, row) if f) for row in flags]
    frame["target"] = frame["target"].astype(float)
    return frame


def _attainment(dims, values, cell, lines, period, ytd, start, end, ytd_start) -> dict:
    target = float(cell.loc[cell["month"].isin(period), "target"].sum())
    target_ytd = float(cell.loc[cell["month"].isin(ytd), "target"].sum())
    sales = total_sales(lines, start, end)
    sales_ytd = total_sales(lines, ytd_start, end)
    breakdown = COMPANY if not dims else (dims[0] if len(dims) == 1 else list(dims))
    segment = TOTAL if not dims else " / ".join(str(v) for v in values)
    return {"grouping": breakdown, "segment": segment, "target": target, "sales": sales,
            "attainment": sales / target if target > 0 else np.nan, "met": sales >= target if target > 0 else None,
            "shortfall": target - sales if target > sales else np.nan,
            "target_ytd": target_ytd, "sales_ytd": sales_ytd,
            "attainment_ytd": sales_ytd / target_ytd if target_ytd > 0 else np.nan,
            "met_ytd": sales_ytd >= target_ytd if target_ytd > 0 else None}


def _sum_by(lines: pd.DataFrame, start, end, column: str | None) -> pd.Series:
    """Sales of the period per value of ``column`` (a blank value is its own segment, None); the company's
    sales under ``total`` when ``column`` is None."""
    return _grouped(lines[within(lines["order_date"], start, end)], column, ["amount"])["amount"]


def _grouped(chosen: pd.DataFrame, column: str | None, fields: list[str]) -> pd.DataFrame:
    """Sums of ``fields`` per value of ``column`` (blank: None, a segment of its own), or in one ``total`` row."""
    if column is None:
        return pd.DataFrame([chosen[fields].sum()], index=[TOTAL]).astype(float)
    return chosen[fields].groupby(segment_keys(chosen[column])).sum().astype(float)


def by_segment(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order of their segment's name, the blank segment last."""
    key = frame["segment"].map(lambda v: (v == BLANK, str(v)))
    return frame.iloc[sorted(range(len(frame)), key=lambda i: key.iloc[i])]


def segment_keys(values: pd.Series) -> pd.Series:
    """A segment column's values as group keys: blank cells (and blank text) become the segment ``blank``."""
    text = values.astype("string")
    blank = (text.isna() | text.str.strip().eq("")).fillna(True).to_numpy(dtype=bool)
    return values.astype(object).where(~blank, BLANK)


def _ratio(numerator, denominator):
    """numerator / denominator, NaN where the denominator is not above 0."""
    denominator = pd.Series(denominator, dtype=float) if not isinstance(denominator, pd.Series) else denominator.astype(float)
    return numerator / denominator.where(denominator > 0)


def _require_products(products: pd.DataFrame | None, params: Parameters) -> None:
    if products is None:
        from .sentences import absent_message

        raise DataError("The product archive (products) is absent: no new products.",
                        reason=absent_message("products", params))
