"""Consistency checks the procedures imply: dates that cannot come in the order the files say.

A complaint is received, then answered, then followed up; a lead visits before it buys; an order is placed
before it is delivered, paid or returned; a survey is sent before it is answered; a requirement is submitted
before it is decided. Each check compares two date columns (of one table, or of a row and the order it
names) with DuckDB over the staged Parquet files, so memory stays bounded at any size, and reports like
every other check: named (``validation.severity`` sets error or warning; warning by default, as these
rows are usually typing slips that do not stop the analyses), located (file, sheet, rows from
``source_row``, the columns by their headers in the file) and with the values found.

Called once per load after the per-file checks (``store._cross_checks``)::

    issues += consistency.checks(folder, report, params)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Parameters
from ..message import Message, Term
from .validate import Issue, TableInfo, ValidationReport


@dataclass(frozen=True)
class Check:
    """``table.later`` must not be earlier than ``earlier``: a column of the same row, or of the row of
    ``parent`` that the row's ``key`` names (the earliest one when the key repeats)."""

    code: str
    table: str
    later: str
    earlier: str
    fix: str
    parent: str | None = None
    key: str | None = None


CHECKS: tuple[Check, ...] = (
    Check("followup_before_reply", "complaints", "followed_up_at", "replied_at",
          "Correct the follow-up or the reply time: the outcome is followed up after the reply (day and month "
          "swapped? a.m./p.m.?)."),
    Check("followup_before_receipt", "complaints", "followed_up_at", "received_at",
          "Correct the follow-up or the receipt time: a complaint is followed up after it was received."),
    Check("reply_before_receipt", "complaints", "replied_at", "received_at",
          "Correct the reply or the receipt time: a complaint is answered after it was received."),
    Check("deal_before_visit", "leads", "deal_date", "created_date",
          "Correct the deal date or the visit date: the register records the first visit or call."),
    Check("payment_before_order", "payments", "paid_date", "order_date",
          "Correct the payment date or the order number; a prepayment is dated on or after the order.",
          parent="orders", key="order_id"),
    Check("answer_before_sent", "surveys", "answered_date", "sent_date",
          "Correct the answer or the sending date of the form."),
    Check("delivery_before_order", "orders", "delivered_date", "order_date",
          "Correct the delivery or the order date."),
    Check("decision_before_submission", "requirements", "decided_date", "submitted_date",
          "Correct the decision or the submission date of the requirement."),
    Check("return_before_order", "returns", "return_date", "order_date",
          "Correct the return date or the order number.", parent="orders", key="order_id"),
)


def checks(folder: Path, report: ValidationReport, params: Parameters) -> list[Issue]:
    """Run every check whose tables and columns were loaded; one Issue per check that finds rows."""
    import duckdb

    issues = []
    con = duckdb.connect()
    try:
        for check in CHECKS:
            issue = _run(con, check, Path(folder), report, params)
            if issue is not None:
                issues.append(issue)
    finally:
        con.close()
    return issues


def _run(con, check: Check, folder: Path, report: ValidationReport, params: Parameters) -> Issue | None:
    info = report.tables.get(check.table)
    source = check.parent or check.table
    parent = report.tables.get(source)
    if info is None or parent is None or check.later not in info.canonical or check.earlier not in parent.canonical:
        return None
    if check.key and (check.key not in info.canonical or check.key not in parent.canonical):
        return None
    child = (folder / f"{check.table}.parquet").as_posix()
    if check.parent:
        other = (f"(SELECT {check.key}, min({check.earlier}) AS {check.earlier} FROM read_parquet(?) "
                 f"GROUP BY {check.key}) p ON c.{check.key} = p.{check.key}")
        query = (f"FROM read_parquet(?) c JOIN {other} "
                 f"WHERE c.{check.later} IS NOT NULL AND p.{check.earlier} IS NOT NULL "
                 f"AND c.{check.later} < p.{check.earlier}")
        args = [child, (folder / f"{source}.parquet").as_posix()]
        earlier = f"p.{check.earlier}"
    else:
        query = (f"FROM read_parquet(?) c WHERE c.{check.later} IS NOT NULL AND c.{check.earlier} IS NOT NULL "
                 f"AND c.{check.later} < c.{check.earlier}")
        args = [child]
        earlier = f"c.{check.earlier}"
    total = con.execute(f"SELECT count(*) {query}", args).fetchone()[0]
    if not total:
        return None
    cases = con.execute(f"SELECT c.source_row, c.{check.later}, {earlier} {query} ORDER BY c.source_row "
                        f"LIMIT {params.validation.max_cases_shown}", args).fetchall()
    later_header = _header(info, check.later)
    earlier_header = _header(parent, check.earlier)
    if check.parent:
        earlier_header = f"{earlier_header} ({parent.file})"
    issue = Issue(params.validation.severity.get(check.code, "warning"), check.code, check.table, info.file, info.sheet,
                  f"{later_header} / {earlier_header}",
                  f"{check.later} must not be earlier than {check.earlier}"
                  + (f" of the {source} row its {check.key} names" if check.parent else ""),
                  check.fix, count=int(total),
                  reason=Message.of("dq.issue.date_order_parent", later=Term("column", check.later),
                                    earlier=Term("column", check.earlier), source=Term("table", source),
                                    link=Term("column", check.key)) if check.parent
                  else Message.of("dq.issue.date_order", later=Term("column", check.later),
                                  earlier=Term("column", check.earlier)),
                  remedy=Message.of("dq.fix.date_order", later=later_header, earlier=earlier_header))
    issue.cases = [(int(row), f"{later_header} {_shown(a)} < {earlier_header} {_shown(b)}") for row, a, b in cases]
    return issue


def _header(info: TableInfo, canonical: str) -> str:
    for header, name in zip(info.columns, info.canonical):
        if name == canonical:
            return header
    return canonical


def _shown(value) -> str:
    """A date as 2026-10-05, a time of day as 2026-10-05 14:30."""
    import pandas as pd

    stamp = pd.Timestamp(value)
    return stamp.strftime("%Y-%m-%d %H:%M") if (stamp.hour or stamp.minute) else stamp.strftime("%Y-%m-%d")
