"""Data quality: what was loaded, how fresh it is, and the validation findings (consistency vs advisory).

Every function returns canonical columns and codes (table names, check names, statuses); the page
translates them.
"""

from __future__ import annotations

import pandas as pd

from .config import Parameters
from .data.schema import TABLES
from .data.store import DATE_COLUMN, Tables
from .message import Message, Number, Term, Terms

#: which analyses use which optional table
NEEDED_BY = {"payments": ("sales_summary", "customer_grading", "churn_risk"), "surveys": ("satisfaction", "churn_risk"),
             "complaints": ("satisfaction", "churn_risk"), "leads": ("lead_conversion",),
             "lead_events": ("lead_conversion",), "requirements": ("requirements",), "returns": ("satisfaction",),
             "targets": ("sales_summary",), "products": ("sales_summary",)}
#: a table whose latest date is this many days before the period end is flagged stale
STALE_DAYS = 31


def scope_note(tables: Tables) -> Message | None:
    """For a branch or region report: what its figures count, and that the findings are the files'."""
    if tables.scope is None:
        return None
    column, value = tables.scope
    return Message.of("dq.scope_note", column=Term("column", column), value=str(value))


def table_overview(tables: Tables, params: Parameters) -> pd.DataFrame:
    """One row per canonical table: status, file, rows, date range, days from its latest date to the
    period end (0 when the data reaches past it) and freshness (ok, stale, na)."""
    end = pd.Timestamp(params.period_end)
    rows = []
    for name in TABLES:
        info = tables.report.tables.get(name)
        if info is None:
            source = params.data.sources.get(name)
            rows.append({"table": name, "table_status": "absent", "file": source.file if source else None,
                         "rows_loaded": 0, "first_date": pd.NaT, "last_date": pd.NaT, "days_to_period_end": None,
                         "freshness": "na"})
            continue
        last = pd.Timestamp(info.last_date) if info.last_date else None
        lag = max((end - last).days, 0) if last is not None else None
        fresh = "na" if lag is None else ("ok" if lag <= STALE_DAYS else "stale")
        rows.append({"table": name, "table_status": "loaded", "file": info.file + (f" [{info.sheet}]" if info.sheet else ""),
                     "rows_loaded": info.rows, "first_date": pd.Timestamp(info.first_date) if info.first_date else pd.NaT,
                     "last_date": last if last is not None else pd.NaT, "days_to_period_end": lag, "freshness": fresh})
    frame = pd.DataFrame(rows)
    frame["days_to_period_end"] = frame["days_to_period_end"].astype("Int64")
    return frame


def stale_tables(overview: pd.DataFrame) -> list[str]:
    """Loaded tables whose latest date is well before the period end."""
    return overview.loc[overview["freshness"] == "stale", "table"].tolist()


def issue_table(tables: Tables) -> pd.DataFrame:
    """Validation findings: kind (error / warning), check, file, column, rows, examples.

    Example values of personal columns are masked.
    """
    personal_headers = set()
    for name, info in tables.report.tables.items():
        personal = set(TABLES[name].personal_columns)
        personal_headers |= {h for h, c in zip(info.columns, info.canonical) if c in personal}
    rows = []
    for issue in tables.report.issues:
        examples = "; ".join(f"{r}: {'***' if issue.column in personal_headers else v}" for r, v in issue.cases)
        rows.append({"kind": issue.severity, "check": issue.check, "file": issue.where, "column": issue.column or "",
                     "count_rows": issue.count, "examples": examples})
    return pd.DataFrame(rows, columns=["kind", "check", "file", "column", "count_rows", "examples"])


def absent_analyses(tables: Tables, params: Parameters) -> pd.DataFrame:
    """Optional tables that are absent, the file expected, and the analyses they leave out."""
    rows = []
    for name in tables.report.missing:
        source = params.data.sources.get(name)
        rows.append({"table": name, "file": f"{params.data.raw_dir}/{source.file}" if source else None,
                     "needed_by": list(NEEDED_BY.get(name, ()))})
    return pd.DataFrame(rows, columns=["table", "file", "needed_by"])


def monthly_counts(tables: Tables, params: Parameters, months: int = 24) -> pd.DataFrame:
    """Records per month (index) and dated table (columns, named by table), over the ``months`` to the period end."""
    from .data.queries import monthly_counts as counts

    return counts(tables, params.month, months)


def volume_finding(counts: pd.DataFrame) -> Message:
    """The alt text of the volume chart: the table with the most records and how many there are."""
    totals = counts.sum()
    top = totals.idxmax() if len(totals) and totals.max() > 0 else None
    return Message.of("dq.alt_volume", table=Term("table", top) if top else "—", months=len(counts),
                      rows=Number(int(totals.sum())))


def quality_headlines(tables: Tables) -> list[dict]:
    """Headline figures: tables loaded, records, advisory findings."""
    from .message import Number

    report = tables.report
    return [
        {"key": "dq.headline.tables", "value": f"{len(report.tables)}/{len(TABLES)}",
         "status": "ok" if not report.missing else "warn"},
        {"key": "dq.headline.rows", "value": Number(sum(i.rows for i in report.tables.values()))},
        {"key": "dq.headline.warnings", "value": Number(sum(i.count for i in report.warnings)),
         "status": "ok" if not report.warnings else "warn", "better": "down"},
    ]


def stale_message(overview: pd.DataFrame) -> Message | None:
    """A note naming the loaded tables whose data ends well before the period (None when all are current)."""
    stale = stale_tables(overview)
    return Message.of("dq.stale_note", names=Terms("table", stale)) if stale else None


def issues_message(issues: pd.DataFrame) -> Message:
    """How many findings the checks made, on how many rows."""
    if issues.empty:
        return Message("dq.issues_none")
    return Message.of("dq.issues_summary", n=len(issues), rows=int(issues["count_rows"].sum()))
