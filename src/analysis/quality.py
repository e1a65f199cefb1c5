"""Data quality: what was loaded, how fresh it is, and the validation findings (consistency vs advisory)."""

from __future__ import annotations

import pandas as pd

from .config import Parameters
from .data.schema import TABLES
from .data.store import DATE_COLUMN, Tables
from .i18n import check_name, t

#: which analyses use which optional table
NEEDED_BY = {"payments": ("customer_grading", "churn_risk"), "surveys": ("satisfaction", "churn_risk"),
             "complaints": ("satisfaction", "churn_risk"), "leads": ("lead_conversion",),
             "lead_events": ("lead_conversion",)}


def scope_note(tables: Tables, params: Parameters) -> str | None:
    """For a branch or region report: what its figures count, and that the findings are the files'."""
    if tables.scope is None:
        return None
    column, value = tables.scope
    return t("dq.scope_note", params.site.language).format(column=column, value=value)


def table_overview(tables: Tables, params: Parameters) -> pd.DataFrame:
    """One row per canonical table: file, rows, date range and freshness against the report month."""
    lang = params.site.language
    end = pd.Timestamp(params.period_end)
    rows = []
    for name in TABLES:
        info = tables.report.tables.get(name)
        if info is None:
            why = tables.report.missing.get(name, "")
            rows.append({t("dq.table", lang): t(f"table.{name}", lang), t("dq.status", lang): t("dq.absent", lang),
                         t("dq.file", lang): why, t("dq.rows", lang): 0, t("dq.last", lang): None,
                         t("dq.lag", lang): None, t("dq.fresh", lang): t("dq.fresh.na", lang)})
            continue
        last = pd.Timestamp(info.last_date) if info.last_date else None
        lag = (end - last).days if last is not None else None
        fresh = "dq.fresh.na" if lag is None else ("dq.fresh.ok" if lag <= 31 and lag >= -31 else "dq.fresh.stale")
        rows.append({t("dq.table", lang): t(f"table.{name}", lang), t("dq.status", lang): t("dq.loaded", lang),
                     t("dq.file", lang): info.file + (f" [{info.sheet}]" if info.sheet else ""),
                     t("dq.rows", lang): info.rows, t("dq.last", lang): info.last_date,
                     t("dq.lag", lang): lag, t("dq.fresh", lang): t(fresh, lang)})
    frame = pd.DataFrame(rows)
    frame[t("dq.lag", lang)] = frame[t("dq.lag", lang)].astype("Int64")
    return frame


def issue_table(tables: Tables, params: Parameters) -> pd.DataFrame:
    """Validation findings: kind (consistency/advisory), check, file, column, rows, examples.

    Example values of personal columns are masked.
    """
    lang = params.site.language
    personal_headers = set()
    for name, info in tables.report.tables.items():
        personal = set(TABLES[name].personal_columns)
        personal_headers |= {h for h, c in zip(info.columns, info.canonical) if c in personal}
    rows = []
    for issue in tables.report.issues:
        examples = "; ".join(f"{r}: {'***' if issue.column in personal_headers else v}" for r, v in issue.cases)
        rows.append({t("dq.kind", lang): t("dq.consistency" if issue.severity == "error" else "dq.advisory", lang),
                     t("dq.check", lang): check_name(issue.check, lang), t("dq.file", lang): issue.where,
                     t("dq.column", lang): issue.column or "", t("dq.count", lang): issue.count,
                     t("dq.examples", lang): examples})
    return pd.DataFrame(rows)


def absent_analyses(tables: Tables, params: Parameters) -> pd.DataFrame:
    """Optional tables that are absent and the analyses they leave out."""
    lang = params.site.language
    rows = [{t("dq.table", lang): t(f"table.{name}", lang), t("dq.file", lang): why,
             t("dq.needed_by", lang): ", ".join(t(f"report.{r}", lang) for r in NEEDED_BY.get(name, ()))}
            for name, why in tables.report.missing.items()]
    return pd.DataFrame(rows)


def monthly_counts(tables: Tables, params: Parameters, months: int = 24) -> pd.DataFrame:
    """Records per month for each dated table, over the ``months`` up to the report month."""
    import duckdb

    lang = params.site.language
    end = pd.Period(params.month, "M")
    index = pd.period_range(end - months + 1, end, freq="M").astype(str)
    out = pd.DataFrame(index=index)
    con = duckdb.connect()
    try:
        for name, column in DATE_COLUMN.items():
            if name not in tables:
                continue
            counts = con.execute(
                f"SELECT strftime({column}, '%Y-%m') AS m, count(*) FROM read_parquet(?) "
                f"WHERE {column} IS NOT NULL GROUP BY 1", [tables.path(name).as_posix()]).fetchall()
            series = pd.Series(dict(counts), dtype="float64")
            out[t(f"table.{name}", lang)] = series.reindex(index).fillna(0).astype(int)
    finally:
        con.close()
    out.index.name = t("dq.month", lang)
    return out


def quality_headlines(tables: Tables, params: Parameters) -> list[dict]:
    lang = params.site.language
    report = tables.report
    return [
        {"label": t("dq.headline.tables", lang), "value": f"{len(report.tables)}/{len(TABLES)}",
         "status": "ok" if not report.missing else "warn"},
        {"label": t("dq.headline.rows", lang), "value": sum(i.rows for i in report.tables.values()), "format": "{:,}"},
        {"label": t("dq.headline.warnings", lang), "value": sum(i.count for i in report.warnings),
         "format": "{:,}", "status": "ok" if not report.warnings else "warn"},
    ]
