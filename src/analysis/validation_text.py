"""Validation findings as text in the site's language, for ``workbench validate`` and a load that fails.

The data layer records each finding as an :class:`~analysis.data.validate.Issue` with its catalogue
messages (``reason``: what the cell must be; ``remedy``: how to fix it); this module says them
through the same catalogues the data-quality page uses (``value.check.*`` for the check's name,
``dq.*`` for the sentences), in ``site.language``. English reads as the issue's own text
(``Issue.lines``, ``ValidationReport.format``). An issue without a catalogue message (recorded by
an older load) keeps its English text inside a translated frame.
"""

from __future__ import annotations

from typing import Any

from .data.validate import Issue, ValidationReport
from .i18n import join, render, t, term
from .message import Listing, Message, Term, Terms, revive  # noqa: F401


def issue_lines(issue: Issue, language: str) -> list[str]:
    """One line per listed case (or one for the file or the distinct labels), like :meth:`Issue.lines`."""
    english = language == "en"  # the findings are written in English: the text itself, word for word
    reason = None if english else revive(issue.reason)
    remedy = None if english else revive(issue.remedy)
    if issue.detail:
        if reason is None:
            return [issue.detail]
        return [_sentence(render(reason, language), render(remedy, language) if remedy else "", language)]
    expected = render(reason, language) if reason is not None else issue.expected
    fix = render(remedy, language) if remedy is not None else issue.fix
    column = t("dq.cli.at_column", language, column=issue.column) if issue.column else ""
    where = _where(issue, language)
    if issue.grouped and english:
        return [t("dq.cli.case", language, where=where + column, expected=expected, value=issue.values_text(),
                  fix=fix).strip()]
    if issue.grouped:
        got = [t("dq.cli.label_value", language, value=repr(value), rows=rows, first=str(first))
               for value, rows, first in issue.values]
        rest = issue.distinct - len(issue.values)
        if rest > 0:
            got.append(t("dq.cli.label_others", language, n=rest,
                         rows=issue.count - sum(rows for _, rows, _ in issue.values)))
        return [t("dq.cli.case", language, where=where + column, expected=expected, value=join(got, language),
                  fix=fix).strip()]
    if not issue.cases:
        return [t("dq.cli.plain", language, where=where + column, expected=expected, fix=fix).strip()]
    out = []
    for row, value in issue.cases:
        at = t("dq.cli.at_row", language, row=str(row)) if row is not None else ""
        out.append(t("dq.cli.case", language, where=where + at + column, expected=expected, value=repr(value),
                     fix=fix).strip())
    return out


def report_text(report: ValidationReport, language: str) -> str:
    """The findings, errors first: per check and column how many rows, then the listed cases (like
    :meth:`ValidationReport.format`)."""
    out = []
    for title, group in (("dq.cli.errors", report.errors), ("dq.cli.warnings", report.warnings)):
        if not group:
            continue
        out.append(t(title, language, checks=str(len(group)), rows=str(sum(i.count for i in group))))
        for issue in group:
            column = t("dq.cli.head_column", language, column=issue.column) if issue.column else ""
            out.append(t("dq.cli.head", language, code=issue.check, name=term("check", issue.check, language),
                         where=_where(issue, language) + column, count=str(issue.count)))
            out += [f"    {line}" for line in issue_lines(issue, language)]
            if issue.count > len(issue.cases) and issue.cases and not issue.grouped:
                out.append(t("dq.cli.more_rows", language, n=str(issue.count - len(issue.cases))))
    if not out:
        out.append(t("dq.cli.none", language))
    return "\n".join(out)


def tables_lines(report: ValidationReport, params, language: str) -> list[str]:
    """What was loaded (rows per table and file) and which optional tables are absent, and where they were
    looked for."""
    rows = t("dq.cli.rows", language)
    out = [f"  {name:<12} {info.rows:>10,} {rows}  {info.file}" + (f" [{info.sheet}]" if info.sheet else "")
           for name, info in report.tables.items()]
    for name in report.missing:
        source = params.data.sources.get(name)
        why = (t("dq.cli.no_file", language, where=f"{params.data.raw_dir}/{source.file}") if source
               else t("dq.cli.not_configured", language, name=name))
        out.append(f"  {name:<12} {t('dq.cli.absent', language):>10}  {why}")
    return out


def load_failure(report_or_issues, language: str) -> str:
    """The message of a load stopped by errors: how many checks and rows, then every finding."""
    report = (report_or_issues if isinstance(report_or_issues, ValidationReport)
              else ValidationReport(list(report_or_issues)))
    rows = sum(i.count for i in report.errors)
    return t("dq.cli.load_failed", language, checks=str(len(report.errors)), rows=str(rows)) + "\n" + report_text(
        report, language)


def localised(exc, params):
    """A DataError of a failed load (one carrying its issues) said again in ``site.language``; any other
    error as it is. The exit code stays the error's."""
    from .errors import DataError

    if not isinstance(exc, DataError) or not exc.issues or params.site.language == "en":
        return exc
    return DataError(load_failure(exc.issues, params.site.language), exc.issues, exc.check, exc.reason)


def _where(issue: Issue, language: str) -> str:
    return t("dq.cli.where_sheet", language, file=issue.file, sheet=issue.sheet) if issue.sheet else issue.file


def _sentence(expected: str, fix: str, language: str) -> str:
    return t("dq.cli.detail", language, expected=expected, fix=fix).strip()
