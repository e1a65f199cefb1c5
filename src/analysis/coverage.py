"""Which sections of each analysis the loaded data leaves out, and for lack of which columns or rows.

One list serves both places that must agree: ``workbench validate`` prints it before any notebook runs,
and each page shows the same sentence where the section would have been. An analysis whose whole table
is absent is not listed here (the page and the data-quality page say that the table is missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Parameters
from .data.validate import ValidationReport
from .message import Listing, Message, Term

#: a need: (table, column) -- column None means "the table with at least one row"
Need = tuple[str, "str | None"]


@dataclass(frozen=True)
class Section:
    """A section of an analysis and what it needs: every need of one of the ``options`` (alternatives)."""

    analysis: str  # the notebook (report) name
    name: str  # catalogue page.section.<name>
    table: str  # the analysis's own table: without it the whole page is left out, not the section
    options: tuple[tuple[Need, ...], ...]


def sections(params: Parameters) -> tuple[Section, ...]:
    """The optional sections of the analyses, with what each needs (some needs follow the parameters)."""
    value = "margin" if params.churn.value == "margin" else "amount"
    churn_model = (((("orders", None),),) if params.churn.label in ("no_order", "contract_end")
                   else ((("orders", None),), (("customers", "churned"),)))
    return (
        Section("satisfaction", "response", "surveys", ((("surveys", "answered_date"),),)),
        Section("satisfaction", "themes", "surveys", ((("surveys", "comment"),),)),
        Section("satisfaction", "on_time", "surveys", ((("orders", "due_date"), ("orders", "delivered_date")),)),
        Section("satisfaction", "quality_pass", "surveys", ((("orders", "quality_passed"),),)),
        Section("churn_risk", "churn_model", "customers", churn_model),
        Section("churn_risk", "value_at_risk", "customers", ((("orders", None), ("orders", value)),)),
        Section("churn_risk", "curves", "customers",
                ((("orders", None),), (("customers", "churned"), ("customers", "tenure_months")))),
        Section("lead_conversion", "lead_channels", "leads", ((("leads", "channel"),),)),
        Section("lead_conversion", "intent_check", "leads", ((("leads", "intent_level"), ("leads", "created_date")),)),
        Section("lead_conversion", "consultant_levels", "leads", ((("leads", "intent_level"), ("leads", "consultant")),)),
        Section("lead_conversion", "lost_by_channel", "leads", ((("leads", "lost_reason"), ("leads", "channel")),)),
        Section("lead_conversion", "lost_by_consultant", "leads",
                ((("leads", "lost_reason"), ("leads", "consultant")),)),
    )


def left_out(report: ValidationReport, params: Parameters, analysis: str | None = None,
             section: str | tuple[str, ...] | None = None) -> list[tuple[Section, list[list[Need]]]]:
    """The sections the loaded tables cannot support, each with the needs missing from each of its options.

    Restricted to one ``analysis`` (and one ``section`` or a tuple of them) when given; sections of an analysis whose own table
    is absent are not listed.
    """
    out = []
    for item in sections(params):
        if (analysis and item.analysis != analysis) or (section and item.name not in _names(section)):
            continue
        if item.table not in report.tables:
            continue
        gaps = [[need for need in option if not _met(report, need)] for option in item.options]
        if all(gaps):
            out.append((item, gaps))
    return out


def messages(report: ValidationReport, params: Parameters, analysis: str | None = None,
             section: str | tuple[str, ...] | None = None) -> list[Message]:
    """One sentence per section left out: the analysis, the section, and what it lacks (for validate and the
    pages)."""
    return [Message.of("page.left_out", analysis=Term("report", item.analysis), section=Message(f"page.section.{item.name}"),
                       what=_either([_needs(gap) for gap in gaps]))
            for item, gaps in left_out(report, params, analysis, section)]


def notes(report: ValidationReport, params: Parameters) -> list[Message]:
    """What the loader made up for a missing column, to say beside the left-out sections: survey form numbers
    derived from the customer and the sent date."""
    info = report.tables.get("surveys")
    if info is not None and "survey_id" not in info.canonical:
        return [Message("page.derived_survey_id")]
    return []


# ----------------------------------------------------------------------------- internals

def _names(section: str | tuple[str, ...]) -> tuple[str, ...]:
    return (section,) if isinstance(section, str) else tuple(section)


def _met(report: ValidationReport, need: Need) -> bool:
    table, column = need
    info = report.tables.get(table)
    if info is None:
        return False
    return info.rows > 0 if column is None else column in info.canonical


def _needs(gap: list[Need]) -> Listing:
    return Listing([Message.of("page.need_rows", table=Term("table", table)) if column is None
                    else Message.of("page.need_column", table=Term("table", table), column=Term("column", column))
                    for table, column in gap])


def _either(options: list) -> Message | Listing:
    if len(options) == 1:
        return options[0]
    return Message.of("page.need_either", first=options[0], second=_either(options[1:]))
