"""The sentences of the sales summary: what each section found, its charts' findings, the headline figures,
the page's findings and the recommendations, as :class:`~analysis.message.Message` objects (never text)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Parameters
from ..message import Listing, Message, Money, Number, Percent, Term
from .customers import STATISTICS_COLUMNS
from .performance import BLANK, COMPANY, TOTAL
from .periods import day, within

#: the tables whose absence the page explains, and the section each one feeds
OPTIONAL = ("targets", "products", "payments")


def absent_message(name: str, params: Parameters) -> Message:
    """What is missing when the optional table ``name`` (targets, products, payments) was not supplied."""
    source = params.data.sources.get(name)
    where = f"{params.data.raw_dir}/{source.file}" if source else f"data.sources.{name}"
    return Message.of(f"sales.absent.{name}", file=where)


def absent_messages(tables, params: Parameters) -> list[Message]:
    """One message per optional table of the page that was not supplied, or that a branch or region report
    cannot restrict to its scope (the company's report has that section)."""
    from ..errors import DataError

    out = []
    for name in OPTIONAL:
        if name in tables:
            continue
        try:
            tables.require(name, "The sales summary")
        except DataError as exc:
            if exc.reason is not None and exc.reason.key == "page.not_scoped" and tables.scope is not None:
                out.append(Message.of("sales.absent_scoped", table=Term("table", name),
                                      column=Term("column", tables.scope[0]), value=str(tables.scope[1])))
                continue
        out.append(absent_message(name, params))
    return out


def require_sales(lines: pd.DataFrame, start, end) -> None:
    """The page needs orders in its period: without one, a DataError whose message says so and where the
    orders the file holds begin and end (the page then states it, greyed on the index, and the run goes on)."""
    from ..errors import DataError

    if within(lines["order_date"], start, end).any():
        return
    dates = lines["order_date"].dropna()
    reason = (Message.of("sales.no_orders_in_period", start=day(start), end=day(end), first=dates.min(),
                         last=dates.max()) if len(dates) else Message.of("sales.no_orders"))
    raise DataError(f"sales summary: no order from {day(start).date()} to {day(end).date()} in the sales statistics.",
                    reason=reason)


def intro_message(lines: pd.DataFrame, start, end) -> Message:
    chosen = lines[within(lines["order_date"], start, end)]
    return Message.of("sales.intro", start=day(start), end=day(end), orders=len(chosen),
                      customers=int(chosen["customer_id"].nunique()))


# ----------------------------------------------------------------------------- 1. sales against target

def target_message(table: pd.DataFrame, start, end) -> Message:
    """The company's sales against its target, for the period and the year to date."""
    if table.empty or not (table["grouping"] == COMPANY).any() or not table.iloc[0]["target"] > 0:
        return Message.of("sales.target_none_in_period", start=day(start), end=day(end))
    row = table.iloc[0]
    return Message.of("sales.target", start=day(start), end=day(end), sales=Money(row["sales"]),
                      target=Money(row["target"]), rate=Percent(row["attainment"]), verdict=_verdict(row, ""),
                      sales_ytd=Money(row["sales_ytd"]), target_ytd=Money(row["target_ytd"]),
                      rate_ytd=Percent(row["attainment_ytd"]), verdict_ytd=_verdict(row, "_ytd"))


def basis_message(basis: str) -> Message | None:
    """When the targets file has no company rows: the company's target is the sum of a segment's targets."""
    if basis == COMPANY:
        return None
    return Message.of("sales.target_basis", column=Term("grouping", basis))


def missed_message(table: pd.DataFrame) -> Message:
    """The segments below their target in the period, worst first (or that every segment met its target)."""
    missed = _missed(table, "")
    if missed.empty:
        return Message("sales.missed_none") if (table["met"].notna() & (table["grouping"] != COMPANY)).any() \
            else Message("sales.missed_no_segments")
    items = [Message.of("sales.missed_item", segment=str(r["segment"]), rate=Percent(r["attainment"]),
                        gap=Money(r["shortfall"])) for _, r in missed.iterrows()]
    ytd = _missed(table, "_ytd")
    return Message.of("sales.missed", segments=Listing(items),
                      ytd=Listing([str(s) for s in ytd["segment"]]) if len(ytd) else Message("sales.missed_ytd_none"))


def target_notes(lines: pd.DataFrame, targets: pd.DataFrame, start, end) -> list[Message]:
    """What the reader must know about the targets file: where the company's target comes from, segments the
    sales do not know, repeated rows."""
    from .performance import company_target_basis, duplicate_targets, unmatched_targets

    notes = [basis_message(company_target_basis(targets)),
             unmatched_message(unmatched_targets(lines, targets, start, end)),
             duplicates_message(duplicate_targets(targets))]
    return [n for n in notes if n is not None]


def unmatched_message(segments: list[str]) -> Message | None:
    return Message.of("sales.unmatched", segments=Listing(segments)) if segments else None


def duplicates_message(count: int) -> Message | None:
    return Message.of("sales.duplicates", n=count) if count else None


def last_year_message(table: pd.DataFrame, start, end) -> Message:
    """Without targets: the company's sales against the same period a year earlier (and the year to date)."""
    row = table.iloc[0]
    return Message.of("sales.no_target", start=day(start), end=day(end), sales=Money(row["sales"]),
                      before=Money(row["sales_year_before"]), change=_change(row["growth_year"]),
                      change_ytd=_change(row["growth_ytd"]), sales_ytd=Money(row["sales_ytd"]))


def trend_finding(trend: pd.DataFrame) -> Message:
    """Alt text of the monthly sales chart: the best and the weakest month, and the last against a year before."""
    sales = trend["sales"].dropna()
    top, low = sales.idxmax(), sales.idxmin()
    last = trend.index[-1]
    before = trend["sales_year_before"].iloc[-1] if "sales_year_before" in trend else np.nan
    return Message.of("sales.alt.trend", top=str(top), top_sales=Money(sales[top]), low=str(low),
                      low_sales=Money(sales[low]), last=str(last), sales=Money(sales[last]),
                      change=_change(sales[last] / before - 1 if before and before > 0 else np.nan))


# ----------------------------------------------------------------------------- 2. growth

def growth_message(table: pd.DataFrame) -> Message:
    """The company's sales against the period before and the same period a year earlier."""
    row = table.iloc[0]
    if not row["sales_year_before"] > 0:
        return Message.of("sales.growth_no_year", sales=Money(row["sales"]), previous=Money(row["sales_previous"]),
                          mom=_change(row["growth_previous"]))
    return Message.of("sales.growth", sales=Money(row["sales"]), previous=Money(row["sales_previous"]),
                      mom=_change(row["growth_previous"]), before=Money(row["sales_year_before"]),
                      yoy=_change(row["growth_year"]))


def contribution_message(table: pd.DataFrame, column: str) -> Message | None:
    """Which segment of ``column`` lifted the growth most and which held it back most (year on year, else
    month on month); None without a base or with a single segment."""
    base = "year" if table.iloc[0]["sales_year_before"] > 0 else "previous"
    segments = table.iloc[1:]
    values = segments[f"contribution_{base}"]
    if values.notna().sum() < 2:
        return None
    top, low = segments.loc[values.idxmax()], segments.loc[values.idxmin()]
    return Message.of(f"sales.contribution_{base}", column=Term("grouping", column),
                      total=_change(table.iloc[0][f"growth_{base}"]), top=_segment(top["segment"]),
                      top_lift=_lift(top[f"contribution_{base}"]), low=_segment(low["segment"]),
                      low_lift=_lift(low[f"contribution_{base}"]))


def repeated_messages(lines: pd.DataFrame, params: Parameters) -> list[Message]:
    """A breakdown left out because it cuts the sales exactly like an earlier one (each region one branch)."""
    from .performance import repeated_breakdowns

    return [Message.of("sales.repeated", column=Term("grouping", c), same=Term("grouping", same))
            for c, same in repeated_breakdowns(lines, params)]


def contribution_base(table: pd.DataFrame) -> str:
    """``year`` when there are sales a year earlier to compare with, else ``previous``."""
    return "year" if table.iloc[0]["sales_year_before"] > 0 else "previous"


# ----------------------------------------------------------------------------- 3. penetration

def penetration_message(table: pd.DataFrame, column: str) -> Message | None:
    """Penetration of the company and of the highest and lowest segments, with the change a year on."""
    segments = table[(table["segment"] != TOTAL) & table["penetration"].notna()]
    if segments.empty:
        return None
    total = table.iloc[0]
    top = segments.loc[segments["penetration"].idxmax()]
    low = segments.loc[segments["penetration"].idxmin()]
    change = None
    if segments["penetration_change"].notna().any():
        up = segments.loc[segments["penetration_change"].idxmax()]
        down = segments.loc[segments["penetration_change"].idxmin()]
        change = Message.of("sales.penetration_change", up=_segment(up["segment"]),
                            up_points=Number(up["penetration_change"], 1), down=_segment(down["segment"]),
                            down_points=Number(down["penetration_change"], 1))
    return Message.of("sales.penetration", column=Term("grouping", column), rate=Percent(total["penetration"]),
                      buyers=int(total["buyers"]), customers=int(total["customers"]), top=_segment(top["segment"]),
                      top_rate=Percent(top["penetration"]), low=_segment(low["segment"]),
                      low_rate=Percent(low["penetration"]),
                      change=change if change is not None else Message("sales.penetration_no_history"))


def market_hint(params: Parameters) -> Message | None:
    """How to see the penetration of the whole market: give the potential customers in sales.market_size."""
    return Message("sales.market_hint") if not params.sales.market_size else None


def market_message(table: pd.DataFrame, column: str) -> Message | None:
    """Penetration of the market (buyers / potential customers of ``sales.market_size``), when given."""
    if "market_penetration" not in table:
        return None
    given = table[(table["segment"] != TOTAL) & table["market_penetration"].notna()]
    items = [Message.of("sales.market_item", segment=_segment(r["segment"]), rate=Percent(r["market_penetration"]),
                        size=Number(r["market_size"])) for _, r in given.iterrows()]
    return Message.of("sales.market", column=Term("grouping", column), items=Listing(items))


def penetration_finding(table: pd.DataFrame, column: str) -> Message:
    segments = table[(table["segment"] != TOTAL) & table["penetration"].notna()]
    top = segments.loc[segments["penetration"].idxmax()]
    low = segments.loc[segments["penetration"].idxmin()]
    return Message.of("sales.alt.penetration", column=Term("grouping", column), top=_segment(top["segment"]),
                      top_rate=Percent(top["penetration"]), low=_segment(low["segment"]),
                      low_rate=Percent(low["penetration"]))


# ----------------------------------------------------------------------------- 4. new products

def new_product_message(lines: pd.DataFrame, table: pd.DataFrame, start, end, params: Parameters) -> Message:
    """The new products' sales and share of the period, against the period before and a year earlier (the
    share the same products had then)."""
    from .performance import new_product_share
    from .periods import previous_period, year_earlier

    if table.empty:
        return Message.of("sales.new_none", months=params.sales.new_product_months)
    return Message.of("sales.new", months=params.sales.new_product_months,
                      products=Listing([str(p) for p in table["product"]]), sales=Money(table["sales"].sum()),
                      share=Percent(new_product_share(lines, start, end)),
                      previous=Percent(new_product_share(lines, *previous_period(start, end))),
                      year_before=Percent(new_product_share(lines, *year_earlier(start, end))))


def unknown_products_message(lines: pd.DataFrame, products: pd.DataFrame | None, start, end) -> Message | None:
    """Products sold in the period that the product archive does not list (no line, never new)."""
    if products is None:
        return None
    chosen = lines[within(lines["order_date"], start, end) & lines["product"].notna()]
    unknown = chosen[~chosen["product"].isin(set(products["product"]))]
    if unknown.empty:
        return None
    names = sorted(unknown["product"].astype(str).unique())
    total = float(lines.loc[within(lines["order_date"], start, end), "amount"].sum())
    return Message.of("sales.unknown_products", n=len(names), products=Listing(names[:10]),
                      share=Percent(unknown["amount"].sum() / total if total else np.nan))


def new_trend_finding(trend: pd.DataFrame) -> Message:
    """Alt text of the new products' share chart: the first month they sold and the share now."""
    selling = trend[trend["new_sales"] > 0]
    first = selling.index[0] if len(selling) else trend.index[0]
    return Message.of("sales.alt.new", first=str(first), first_share=Percent(trend.loc[first, "new_share"]),
                      last=str(trend.index[-1]), last_share=Percent(trend["new_share"].iloc[-1]),
                      peak=Percent(trend["new_share"].max()))


# ----------------------------------------------------------------------------- 5. customers

def flow_message(flow: pd.DataFrame, params: Parameters) -> Message:
    row = flow.iloc[0]
    return Message.of("sales.flow", buyers=int(row["buyers"]), first=int(row["first_time"]),
                      returning=int(row["returning"]), lapsed=int(row["lapsed"]), days=params.sales.lapse_days)


def top_message(top: pd.DataFrame) -> Message | None:
    if top.empty:
        return None
    return Message.of("sales.top", n=len(top), sales=Money(top["sales"].sum()), share=Percent(top["sales_share"].sum()))


# ----------------------------------------------------------------------------- 6. collection and ageing

def collection_message(table: pd.DataFrame) -> Message:
    row = table.iloc[0]
    if not row["due_amount"] > 0 and not row["overdue_total"] > 0:
        return Message("sales.collection_none")
    branches = table.iloc[1:]
    rated = branches[branches["collection_rate"].notna()]
    low = rated.loc[rated["collection_rate"].idxmin()] if len(rated) > 1 else None
    return Message.of("sales.collection", due=Money(row["due_amount"]), collected=Money(row["collected"]),
                      rate=Percent(row["collection_rate"]), overdue=Money(row["overdue_total"]),
                      share=Percent(row["overdue_share"]), over90=Money(row["overdue_90_plus"]),
                      lowest=Message.of("sales.collection_lowest", branch=_segment(low["segment"]),
                                        rate=Percent(low["collection_rate"])) if low is not None else "")


def ageing_finding(table: pd.DataFrame) -> Message:
    branches = table.iloc[1:] if len(table) > 1 else table
    worst = branches.loc[branches["overdue_90_plus"].idxmax()]
    return Message.of("sales.alt.ageing", branch=_segment(worst["segment"]), amount=Money(worst["overdue_90_plus"]),
                      total=Money(table.iloc[0]["overdue_total"]))


# ----------------------------------------------------------------------------- 7. margin

def margin_message(table: pd.DataFrame) -> Message:
    """The company's gross margin and margin rate, against a year earlier."""
    row = table.iloc[0]
    change = row["margin_change"]
    return Message.of("sales.margin", margin=Money(row["gross_margin"]), rate=Percent(row["margin_rate"]),
                      before=Percent(row["margin_rate_year_before"]),
                      change=Message("sales.no_base") if pd.isna(change) else Message.of(
                          "sales.points_up" if change >= 0 else "sales.points_down", points=Number(abs(change), 1)))


def margin_spread_message(table: pd.DataFrame, column: str) -> Message | None:
    """The highest and the lowest margin rate among the segments of ``column``, and the largest change."""
    segments = table[(table["segment"] != TOTAL) & table["margin_rate"].notna()]
    if len(segments) < 2:
        return None
    top = segments.loc[segments["margin_rate"].idxmax()]
    low = segments.loc[segments["margin_rate"].idxmin()]
    return Message.of("sales.margin_spread", column=Term("grouping", column), top=_segment(top["segment"]),
                      top_rate=Percent(top["margin_rate"]), low=_segment(low["segment"]),
                      low_rate=Percent(low["margin_rate"]))


# ----------------------------------------------------------------------------- 8. customer information statistics

def statistics_message(statistics: pd.DataFrame, customers: pd.DataFrame, end) -> Message:
    first = statistics[statistics["grouping"] == statistics["grouping"].iloc[0]] if len(statistics) else statistics
    return Message.of("sales.statistics", end=day(end), n=int(first["customers"].sum()) if len(first) else 0,
                      new=int(first["new_records"].sum()) if len(first) else 0,
                      buyers=int(first["buyers"].sum()) if len(first) else 0,
                      columns=Listing([Term("grouping", c) for c in STATISTICS_COLUMNS if c in customers]))


def completeness_message(incomplete: pd.DataFrame, params: Parameters) -> Message:
    if incomplete.empty:
        return Message.of("sales.completeness_ok", target=Percent(params.sales.record_target, 0))
    items = [Message.of("sales.completeness_item", field=Term("field", r["field"]), share=Percent(r["share"]),
                        branch=str(r["branch"]) if r["branch"] is not None else "—", lowest=Percent(r["lowest"]))
             for _, r in incomplete.head(6).iterrows()]
    return Message.of("sales.completeness", target=Percent(params.sales.record_target, 0), items=Listing(items))


def missing_fields_message(fields: list[str]) -> Message | None:
    return Message.of("sales.missing_fields", fields=Listing([Term("field", f) for f in fields])) if fields else None


# ----------------------------------------------------------------------------- recommendations and the front page

def recommendations(lines: pd.DataFrame, start, end, target: pd.DataFrame | None, flow: pd.DataFrame,
                    penetration: pd.DataFrame | None, segment_column: str | None, collection: pd.DataFrame | None,
                    incomplete: pd.DataFrame | None, params: Parameters) -> list[Message]:
    """Recommendations written from the numbers, most pressing first: the segments below target, the customers
    whose drop explains a decline (on last year when sales fell on last year, else on the period before),
    overdue receivables, lapsed customers, the least penetrated segment and the least complete records."""
    from .customers import movers
    from .performance import growth_table

    growth = growth_table(lines, start, end, None)
    row = growth.iloc[0]
    base = "year" if row["sales_year_before"] > 0 and row["sales"] < row["sales_year_before"] else "previous"
    down = movers(lines, start, end, params, base)[1]
    out = []
    if target is not None:
        missed = _missed(target, "")
        if len(missed):
            out.append(Message.of("sales.rec.targets", segments=Listing([
                Message.of("sales.rec.gap_item", segment=_segment(r["segment"]), gap=Money(r["shortfall"]))
                for _, r in missed.iterrows()])))
    decline = decline_message(growth, down, base)
    if decline is not None:
        out.append(decline)
    if collection is not None and collection.iloc[0]["overdue_90_plus"] > 0:
        branches = collection.iloc[1:] if len(collection) > 1 else collection
        worst = branches.loc[branches["overdue_90_plus"].idxmax()]
        out.append(Message.of("sales.rec.overdue", amount=Money(collection.iloc[0]["overdue_90_plus"]),
                              branch=_segment(worst["segment"]), branch_amount=Money(worst["overdue_90_plus"])))
    lapsed = int(flow.iloc[0]["lapsed"])
    if lapsed:
        out.append(Message.of("sales.rec.lapsed", n=lapsed, days=params.sales.lapse_days))
    if penetration is not None and segment_column is not None:
        segments = penetration[(penetration["segment"] != TOTAL) & penetration["penetration"].notna()
                               & penetration["segment"].notna()]
        if len(segments) > 1:
            low = segments.loc[segments["penetration"].idxmin()]
            out.append(Message.of("sales.rec.penetration", column=Term("grouping", segment_column),
                                  segment=str(low["segment"]), rate=Percent(low["penetration"]),
                                  overall=Percent(penetration.iloc[0]["penetration"]), customers=int(low["customers"])))
    if incomplete is not None and len(incomplete):
        worst = incomplete.iloc[0]
        out.append(Message.of("sales.rec.records", field=Term("field", worst["field"]),
                              branch=str(worst["branch"]) if worst["branch"] is not None else "—",
                              rate=Percent(worst["lowest"])))
    return out or [Message("sales.rec.none")]


def decline_message(growth: pd.DataFrame, down: pd.DataFrame, base: str = "previous", k: int = 5) -> Message | None:
    """When sales fell against ``base`` (``previous`` or ``year``): the ``k`` customers with the biggest drops,
    what they lost together and how much of the net fall that is (it can pass 100 %: others grew)."""
    row = growth.iloc[0]
    before = row["sales_previous"] if base == "previous" else row["sales_year_before"]
    change = row["sales"] - before
    if not before > 0 or change >= 0 or down.empty:
        return None
    worst = down.head(k)
    drop = float(-worst["sales_change"].sum())
    reps = sorted({str(r) for r in worst["sales_rep"].dropna()}) if "sales_rep" in worst else []
    return Message.of(f"sales.rec.decline_{base}", fall=Money(-change), rate=Percent(-change / before),
                      n=len(worst), customers=Listing([str(c) for c in worst["customer_id"]]), drop=Money(drop),
                      share=Percent(drop / -change), reps=Listing(reps) if reps else Message("sales.no_rep"))


def headlines(growth: pd.DataFrame, target: pd.DataFrame | None, lines: pd.DataFrame, products: pd.DataFrame | None,
              collection: pd.DataFrame | None, start, end) -> list[dict]:
    """Headline figures for the front page: sales, target attainment (blank without targets), growth year on
    year, the new products' share (blank without a product archive) and the collection rate (blank without
    receivables)."""
    from .performance import new_product_share

    row = growth.iloc[0]
    new_share = None if products is None else new_product_share(lines, start, end)
    attainment = np.nan
    if target is not None and len(target) and target.iloc[0]["grouping"] == COMPANY:
        attainment = target.iloc[0]["attainment"]
    rate = np.nan if collection is None else collection.iloc[0]["collection_rate"]
    return [
        {"key": "sales.headline.sales", "value": Money(row["sales"]), "better": "up"},
        {"key": "sales.headline.attainment", "value": Percent(attainment), "better": "up",
         "status": "ok" if pd.isna(attainment) or attainment >= 1 else "bad"},
        {"key": "sales.headline.growth", "value": Percent(row["growth_year"]), "better": "up",
         "status": "ok" if pd.isna(row["growth_year"]) or row["growth_year"] >= 0 else "warn"},
        {"key": "sales.headline.new_share", "value": Percent(np.nan if new_share is None else new_share),
         "better": "up"},
        {"key": "sales.headline.collection", "value": Percent(rate), "better": "up"},
    ]


def target_finding(growth: pd.DataFrame, target: pd.DataFrame | None) -> Message:
    """The period's sales in one sentence for the front page: against the company's target and naming the
    segments below theirs, or, without a target, against the same period last year."""
    row = growth.iloc[0]
    if target is None or target.empty or target.iloc[0]["grouping"] != COMPANY or not target.iloc[0]["target"] > 0:
        return Message.of("sales.finding.last_year", sales=Money(row["sales"]), change=_change(row["growth_year"]))
    company = target.iloc[0]
    missed = _missed(target[target["grouping"] != COMPANY], "")
    return Message.of("sales.finding.target", sales=Money(company["sales"]), rate=Percent(company["attainment"]),
                      missed=Listing([_segment(s) for s in missed["segment"]]) if len(missed)
                      else Message("sales.missed_ytd_none"))


def findings(growth: pd.DataFrame, target: pd.DataFrame | None, contribution: Message | None,
             recommendations_: list[Message]) -> list[Message]:
    """The page's most important findings: the sales against target (or last year) with the segments below
    target, what drove the growth, and the most pressing recommendation besides the targets."""
    out = [target_finding(growth, target), contribution or growth_message(growth)]
    first = recommendations_[0] if recommendations_ else None
    if first is not None and first.key not in ("sales.rec.none", "sales.rec.targets"):
        out.append(first)
    return out[:3]


# ----------------------------------------------------------------------------- internals

def _missed(table: pd.DataFrame, suffix: str) -> pd.DataFrame:
    met = table[f"met{suffix}"]
    missed = table[met.notna() & ~met.fillna(True).astype(bool)]
    return missed.sort_values([f"attainment{suffix}", "segment"], kind="stable")


def _verdict(row, suffix: str) -> Message:
    rate = row[f"attainment{suffix}"]
    if pd.isna(rate):
        return Message("sales.no_base")
    if rate >= 1:
        return Message.of("sales.verdict.met", over=Percent(rate - 1))
    return Message.of("sales.verdict.missed", gap=Money(row[f"target{suffix}"] - row[f"sales{suffix}"]))


def _change(rate) -> Message:
    """+12.3 % / -4.5 % as words; 'no base to compare with' when there is none."""
    if rate is None or pd.isna(rate):
        return Message("sales.no_base")
    return Message.of("sales.change.up" if rate >= 0 else "sales.change.down", rate=Percent(abs(rate)))


def _lift(contribution: float) -> Message:
    """A contribution to the growth as words: lifting it by / holding it back by so many points."""
    return Message.of("sales.lift.up" if contribution >= 0 else "sales.lift.down",
                      points=Number(abs(contribution) * 100, 1))


def _segment(value):
    """A segment value as a message argument: text from the data, or the catalogue's word for the company
    and for a blank segment."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == BLANK:
        return Term("segment", BLANK)
    if value == TOTAL:
        return Term("segment", TOTAL)
    return str(value)

