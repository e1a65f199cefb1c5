"""Validation: coerce raw cells to canonical types and gather every failure, split into errors and warnings."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..config import Parameters
from ..message import Message, Term, revive
from .mapping import bool_map, header_map, label_map, normalise_header, normalise_label, scale_label_text, scale_map
from .schema import Column, Table

if TYPE_CHECKING:  # pandas, numpy and the readers load only when a file is read: a reused load needs none
    import pandas as pd

    from .readers import RawSheet

#: checks whose failures are warnings unless validation.severity says otherwise
_WARNING_CHECKS = {"unknown_column", "before_founding", "missing_table", "formula_without_value"}

DATE_EXAMPLES = "2026-10-05, 2026/10/5, 2026年10月5日 or 20261005"


@dataclass
class Issue:
    """One check failing on one column of one file: how many rows, and the first cases."""

    severity: str
    check: str
    table: str
    file: str
    sheet: str | None
    column: str | None
    expected: str
    fix: str
    count: int = 1
    cases: list[tuple[int | None, str | None]] = field(default_factory=list)
    detail: str | None = None  # a complete message for file-level failures
    #: ``expected`` and ``fix`` (or ``detail``) as catalogue messages (dq.issue.*, dq.fix.*), so that
    #: ``workbench validate`` and ``run`` can say them in the site's language (analysis.validation_text)
    reason: Any = None
    remedy: Any = None
    #: unknown labels: the distinct values found, most frequent first: (value, rows, first row); ``distinct``
    #: counts them all (only the first validation.max_cases_shown are kept)
    values: list[tuple[str, int, int]] = field(default_factory=list)
    distinct: int = 0

    @property
    def where(self) -> str:
        return f"{self.file}, sheet {self.sheet}" if self.sheet else self.file

    def lines(self) -> list[str]:
        """One message per listed case, in the shape <where>: <what> must be <expected>. Got <actual>. <fix>."""
        if self.detail:
            return [self.detail]
        if self.grouped:  # one line: the distinct values, how often each, where first
            col = f", column {self.column}" if self.column else ""
            return [f"{self.where}{col}: {self.expected}. Got {self.values_text()}. {self.fix}".strip()]
        if not self.cases:
            col = f", column {self.column}" if self.column else ""
            return [f"{self.where}{col}: {self.expected}. {self.fix}".strip()]
        out = []
        for row, value in self.cases:
            at = f", row {row}" if row is not None else ""
            col = f", column {self.column}" if self.column else ""
            out.append(f"{self.where}{at}{col}: {self.expected}. Got {value!r}. {self.fix}".strip())
        return out

    @property
    def grouped(self) -> bool:
        """Unknown labels that repeat (or more of them than are listed): one line naming each value once, with
        its rows; a few labels found once each are listed by row, like any other case."""
        return bool(self.values) and (self.distinct > len(self.values) or any(rows > 1 for _, rows, _ in self.values))

    def values_text(self) -> str:
        """'Attrited Customer' in 1,627 row(s) from row 2, 'Existing Customer' in 8,500 row(s) from row 3."""
        parts = [f"{value!r} in {rows:,} row(s) from row {first}" for value, rows, first in self.values]
        rest = self.distinct - len(self.values)
        if rest > 0:
            parts.append(f"and {rest:,} other value(s) in {self.count - sum(r for _, r, _ in self.values):,} row(s)")
        return ", ".join(parts)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Issue":
        data = dict(data)
        data["cases"] = [tuple(c) for c in data.get("cases", [])]
        data["values"] = [tuple(v) for v in data.get("values", [])]
        for name in ("reason", "remedy"):  # the catalogue messages, Message objects again
            data[name] = revive(data.get(name))
        return cls(**data)


@dataclass
class TableInfo:
    """What was loaded for one table."""

    table: str
    file: str
    sheet: str | None
    rows: int
    columns: list[str]  # headers as found in the file
    canonical: list[str]  # the canonical column of each header
    sha256: str
    encoding: str | None = None
    first_date: str | None = None
    last_date: str | None = None


@dataclass
class ValidationReport:
    """All failures of all files, and what was loaded."""

    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, TableInfo] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # optional table -> why absent

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def format(self) -> str:
        """Text report: counts per check and column, then the first failing rows."""
        out = []
        for title, group in (("ERRORS (the run stops)", self.errors), ("WARNINGS", self.warnings)):
            if not group:
                continue
            out.append(f"{title}: {len(group)} check(s) failed, {sum(i.count for i in group)} row(s) in all")
            for issue in group:
                col = f" column {issue.column}" if issue.column else ""
                out.append(f"- [{issue.check}] {issue.where}{col}: {issue.count} row(s)")
                out += [f"    {line}" for line in issue.lines()]
                if issue.count > len(issue.cases) and issue.cases and not issue.grouped:
                    out.append(f"    ... and {issue.count - len(issue.cases)} more row(s)")
        if not out:
            out.append("No errors or warnings.")
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {"issues": [i.to_dict() for i in self.issues],
                "tables": {k: asdict(v) for k, v in self.tables.items()},
                "missing": self.missing}

    @classmethod
    def from_dict(cls, data: dict) -> "ValidationReport":
        return cls([Issue.from_dict(i) for i in data["issues"]],
                   {k: TableInfo(**v) for k, v in data["tables"].items()}, dict(data["missing"]))


class Collector:
    """Gathers issues for one file, vectorised: one Issue per check and column."""

    def __init__(self, params: Parameters, table: Table, raw: RawSheet):
        self.params, self.table, self.raw = params, table, raw
        self.issues: dict[tuple[str, str | None], Issue] = {}
        self._labels: dict[tuple[str, str | None], dict[str, list[int]]] = {}  # value -> [rows, first row]

    def severity(self, check: str) -> str:
        default = "warning" if check in _WARNING_CHECKS else "error"
        return self.params.validation.severity.get(check, default)

    def add(self, check: str, column: str | None, expected: str, fix: str,
            rows=None, values=None, detail: str | None = None, reason: Message | None = None,
            remedy: Message | None = None) -> None:
        """Count ``rows`` (with their ``values``) failing ``check`` on ``column``; ``reason`` and ``remedy``
        say ``expected`` and ``fix`` as catalogue messages."""
        key = (check, column)
        issue = self.issues.get(key)
        if issue is None:
            issue = self.issues[key] = Issue(self.severity(check), check, self.table.name,
                                             self.raw.path.name, self.raw.sheet, column, expected, fix,
                                             count=0, detail=detail, reason=reason, remedy=remedy)
        if rows is None:
            issue.count += 1
            return
        rows = list(rows)
        values = list(values)
        issue.count += len(rows)
        room = self.params.validation.max_cases_shown - len(issue.cases)
        for r, v in zip(rows[:max(room, 0)], values[:max(room, 0)]):
            issue.cases.append((int(r) if r is not None else None, None if _isna(v) else _shown(v)))

    def add_labels(self, column: str, expected: str, fix: str, text: pd.Series, reason: Message | None = None,
                   remedy: Message | None = None) -> None:
        """Unknown labels: ``text`` (the cells as text, indexed by row) counted per distinct value across
        chunks, so the message lists each value once with its rows, most frequent first."""
        key = ("unknown_label", column)
        self.add("unknown_label", column, expected, fix, reason=reason, remedy=remedy)
        issue = self.issues[key]
        issue.count -= 1  # add() counted one row; the rows are counted below
        seen = self._labels.setdefault(key, {})
        import pandas as pd

        frame = pd.DataFrame({"value": text.to_numpy(dtype=object), "row": text.index.to_numpy()})
        grouped = frame.groupby("value", sort=False)["row"].agg(["size", "min"])
        for value, (rows, first) in grouped.iterrows():
            known = seen.get(value)
            if known is None:
                seen[value] = [int(rows), int(first)]
            else:
                known[0] += int(rows)
                known[1] = min(known[1], int(first))
        issue.count += len(text)
        ranked = sorted(seen.items(), key=lambda kv: (-kv[1][0], kv[1][1], kv[0]))
        shown = ranked[:self.params.validation.max_cases_shown]
        issue.values = [(value, rows, first) for value, (rows, first) in shown]
        issue.distinct = len(ranked)
        issue.cases = [(first, value) for value, (rows, first) in shown]  # the data-quality page's examples


def _wide(text: str) -> str:
    """A label typed with full-width letters or digits (Ａ, ５) as its ASCII form (NFKC); ASCII is left alone."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _shown(value) -> str:
    """A cell value as the user typed it: 50.0 read from Excel is shown as 50, a date without its midnight."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime) and not (value.hour or value.minute or value.second or value.microsecond):
        return str(value.date())
    return str(value)


def _isna(value) -> bool:
    import pandas as pd

    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def all_columns(table: Table, params: Parameters) -> list[Column]:
    """The canonical columns, the survey dimensions, and the company's declared extra columns."""
    columns = list(table.columns)
    if table.dynamic_float_columns:
        columns += [Column(d, "float", f"survey dimension {d}") for d in params.survey.dimensions]
    source = params.data.sources.get(table.name)
    if source:
        columns += [Column(name, extra.dtype, f"company column {extra.header}") for name, extra in source.extra.items()]
    return columns


def resolve_headers(table: Table, raw: RawSheet, params: Parameters, collector: Collector) -> dict[str, str]:
    """Map the file's headers to canonical columns; report missing, duplicate and unknown ones.

    Returns {canonical column: header in the file}.
    """
    known = header_map(table, params)
    found: dict[str, str] = {}
    for header in raw.headers:
        if not header:
            continue
        canonical = known.get(normalise_header(header))
        if canonical is None:
            collector.add("unknown_column", header, "this column is not part of the canonical table and is ignored",
                          f"If it holds a canonical column, map it in data.sources.{table.name}.columns.",
                          reason=Message("dq.issue.unknown_column"),
                          remedy=Message.of("dq.fix.unknown_column", table=table.name))
        elif canonical in found:
            collector.add("missing_column", header, f"only one column may map to {canonical}; "
                          f"{found[canonical]} and {header} both do",
                          f"Delete one of them or map it elsewhere in data.sources.{table.name}.columns.",
                          reason=Message.of("dq.issue.two_headers", name=canonical, first=found[canonical],
                                            second=header),
                          remedy=Message.of("dq.fix.two_headers", table=table.name))
        else:
            found[canonical] = header
    shown = ", ".join(h for h in raw.headers if h) or "(none)"
    for col in table.columns:
        if col.required and col.name not in found:
            collector.add("missing_column", " / ".join(col.headers[:2]) or col.name,
                          f"the required column {col.name} ({col.description}) is missing; headers found: {shown}",
                          f"Add the column, or map your header to {col.name} in data.sources.{table.name}.columns.",
                          reason=Message.of("dq.issue.missing_column", name=col.name, description=col.description,
                                            meaning=Term("column", col.name), headers=shown),
                          remedy=Message.of("dq.fix.missing_column", name=col.name, table=table.name))
    if table.dynamic_float_columns:
        for dim in params.survey.dimensions:
            if dim not in found:
                collector.add("missing_column", dim,
                              f"the survey dimension {dim} (survey.dimensions) has no column; headers found: {shown}",
                              f"Map its header in data.sources.surveys.columns (e.g. {{包装: {dim}}}) "
                              "or remove it from survey.dimensions.",
                              reason=Message.of("dq.issue.missing_dimension", name=dim, headers=shown),
                              remedy=Message.of("dq.fix.missing_dimension", name=dim))
    return found


def add_notes(raw: RawSheet, collector: Collector) -> None:
    """Cells the reader flagged while scanning the file (formulas without a saved value), per column."""
    for note in raw.notes:
        header = raw.headers[note.column] if note.column < len(raw.headers) and raw.headers[note.column] else None
        column = header or f"column {note.cell.rstrip('0123456789')}"
        collector.add(note.check, column, f"cell {note.cell} must hold a value, not only a formula; it has none saved "
                      "and is read as blank", "Open the workbook in Excel, let it calculate, and save it again "
                      "(or paste the column as values).", [note.row], [f"{note.cell}: {note.text}"],
                      reason=Message.of("dq.issue.formula_without_value", cell=note.cell),
                      remedy=Message("dq.fix.formula_without_value"))


def coerce_chunk(table: Table, chunk: pd.DataFrame, found: dict[str, str], params: Parameters,
                 collector: Collector, today: dt.date) -> pd.DataFrame:
    """Return the chunk with canonical columns and types; failures go to ``collector``."""
    import pandas as pd

    from .readers import blank_mask, cell_types

    out = {"source_row": pd.Series(chunk.index.to_numpy(dtype="int64"), index=chunk.index)}
    columns = all_columns(table, params)
    survey_scored = set(params.survey.dimensions) | {"overall"} if table.dynamic_float_columns else set()
    for col in columns:
        header = found.get(col.name)
        if header is None:
            continue
        values = chunk[header]
        types = cell_types(values) if values.dtype == object else None  # once per column, for every parser
        blank = blank_mask(values, types)
        if col.name in survey_scored:
            parsed = _coerce_score(values, blank, header, params, collector)
        else:
            parsed = _coerce(table, col, values, blank, header, params, collector, types)
        if col.required and blank.any():
            collector.add("missing_value", header, f"{col.name} is required and may not be blank",
                          "Fill in the cell or delete the row.", chunk.index[blank], [""] * int(blank.sum()),
                          reason=Message.of("dq.issue.missing_value", name=col.name),
                          remedy=Message("dq.fix.missing_value"))
        if col.dtype in ("date", "datetime"):
            _check_dates(col, parsed, values, header, params, collector, today)
        out[col.name] = parsed
    return pd.DataFrame(out)


def _coerce(table: Table, col: Column, values: pd.Series, blank: pd.Series, header: str,
            params: Parameters, collector: Collector, types: pd.Series | None = None) -> pd.Series:
    from .readers import as_text, map_unique, normalise_width, parse_dates, parse_numbers

    if col.dtype == "string":
        text = as_text(values, types).astype("str").where(~blank, None).astype("str")
        if col.name == table.key or col.references or col.name.endswith("_id"):
            text = normalise_width(text)  # Ｃ００１ typed full-width is the customer C001
        return text
    if col.dtype in ("float", "int"):
        numbers, bad = parse_numbers(values, types)
        if bad.any():
            collector.add("wrong_type", header, f"{col.name} must be a number",
                          "Correct the cell: digits, optionally with thousands separators, ¥ or %.",
                          values.index[bad], values[bad], reason=Message.of("dq.issue.number", name=col.name),
                          remedy=Message("dq.fix.number"))
        _check_range(col, numbers, values, header, collector)
        return numbers.round().astype("Int64") if col.dtype == "int" else numbers
    if col.dtype in ("date", "datetime"):
        dates, bad = parse_dates(values, keep_time=col.dtype == "datetime", types=types)
        if bad.any():
            collector.add("wrong_type", header, f"{col.name} must be a date such as {DATE_EXAMPLES}",
                          "Correct the cell, or format the column as a date in Excel.", values.index[bad], values[bad],
                          reason=Message.of("dq.issue.date", name=col.name, examples=DATE_EXAMPLES),
                          remedy=Message("dq.fix.date"))
        return dates
    if col.dtype == "bool":
        text = as_text(values, types)
        words = bool_map(table.name, col.name, params)  # the built-in yes/no words and the company's label map
        mapped = map_unique(text, lambda t: words.get(normalise_label(_wide(t))) if isinstance(t, str) else None)
        bad = mapped.isna() & ~blank
        if bad.any():
            unknown = list(dict.fromkeys(str(x).strip() for x in text[bad]))[:3]  # distinct, in file order
            example = ", ".join(f"{label}: yes/no" for label in unknown)
            mapping = f"{{{table.name}.{col.name}: {{{example}}}}}"
            collector.add_labels(header, f"{col.name} must be yes or no (是/否, Y/N, 1/0)",
                                 f"Correct the cell, or say what your labels mean in parameters: data.labels: "
                                 f"{mapping}.", text[bad], reason=Message.of("dq.issue.yes_no", name=col.name),
                                 remedy=Message.of("dq.fix.yes_no", mapping=mapping))
        return mapped.astype("boolean")
    # category
    labels = label_map(table.name, col.name, params)
    allowed = {a.lower(): a for a in col.allowed}
    text = as_text(values, types)

    def one(t):
        if not isinstance(t, str):
            return None
        t = _wide(t)
        key = normalise_label(t)
        found = labels.get(key) or allowed.get(t.strip().lower()) or allowed.get(key)
        if found is None and len(key) > 1 and key[0].isascii() and key[0].isalpha() and not key[1].isascii():
            found = labels.get(key[1:]) or labels.get(key[0])  # "D 车展": a code and a name
        return found

    mapped = map_unique(text, one)
    bad = mapped.isna() & ~blank
    if bad.any():
        known = sorted({k for k, v in label_map(table.name, col.name, params).items() if len(k) > 1})
        hint = f" (or one of {'/'.join(known[:12])})" if known else ""
        collector.add_labels(header, f"{col.name} must be one of {'/'.join(col.allowed)}{hint}",
                             f"Correct the cell or map the label in parameters/defaults.yaml "
                             f"(data.labels['{table.name}.{col.name}']).", text[bad],
                             reason=Message.of("dq.issue.label", name=col.name, allowed="/".join(col.allowed),
                                               labels="/".join(known[:12])) if known
                             else Message.of("dq.issue.label_plain", name=col.name, allowed="/".join(col.allowed)),
                             remedy=Message.of("dq.fix.label", label_map=f"{table.name}.{col.name}"))
    return mapped.astype("str").where(mapped.notna(), None).astype("str")


def _coerce_score(values, blank, header, params, collector) -> pd.Series:
    """Survey answers: labels or numbers to points; not-applicable codes become blank."""
    import numpy as np
    import pandas as pd

    from .readers import as_text, map_unique

    scale = scale_map(params)
    top = params.survey.scale_max
    na = {normalise_label(x) for x in params.survey.not_applicable}
    text = as_text(values)

    unknown = -1.0  # marker: pandas turns None into NaN, which means "blank or not applicable"

    def one(t):
        if not isinstance(t, str):
            return np.nan
        key = normalise_label(_wide(t))
        if key in na:
            return np.nan
        if key in scale:
            return scale[key]
        try:
            number = float(_wide(t))
        except ValueError:
            return unknown
        return number if number.is_integer() and 1 <= number <= top else unknown

    points = map_unique(text, one).astype(float)
    bad = points == unknown
    if bad.any():
        collector.add_labels(header, f"score must be one of {scale_label_text(params)} or 1-{top}"
                             f" (not applicable: {'/'.join(params.survey.not_applicable)})",
                             "Correct the cell or map the label in parameters/defaults.yaml (survey.scale_labels).",
                             text[bad], reason=Message.of("dq.issue.score", labels=scale_label_text(params), top=top,
                                                          na="/".join(params.survey.not_applicable)),
                             remedy=Message("dq.fix.score"))
    points = points.mask(bad)
    return pd.to_numeric(points, errors="coerce").astype(float)


def _check_range(col: Column, numbers: pd.Series, values: pd.Series, header: str, collector: Collector):
    import numpy as np

    if col.minimum is None and col.maximum is None:
        return
    low = -np.inf if col.minimum is None else col.minimum
    high = np.inf if col.maximum is None else col.maximum
    bad = numbers.notna() & ((numbers < low) | (numbers > high))
    if bad.any():
        rng = (f"at least {col.minimum:g}" if col.maximum is None
               else f"between {col.minimum:g} and {col.maximum:g}" if col.minimum is not None
               else f"at most {col.maximum:g}")
        reason = (Message.of("dq.issue.at_least", name=col.name, low=f"{col.minimum:g}") if col.maximum is None
                  else Message.of("dq.issue.between", name=col.name, low=f"{col.minimum:g}", high=f"{col.maximum:g}")
                  if col.minimum is not None
                  else Message.of("dq.issue.at_most", name=col.name, high=f"{col.maximum:g}"))
        collector.add("out_of_range", header, f"{col.name} must be {rng}", "Correct the cell.",
                      values.index[bad], values[bad], reason=reason, remedy=Message("dq.fix.cell"))


def _check_dates(col, dates, values, header, params, collector, today):
    import pandas as pd

    if not col.future_ok:
        bad = dates.notna() & (dates.dt.normalize() > pd.Timestamp(today))
        if bad.any():
            collector.add("future_date", header, f"{col.name} must not be later than today ({today})",
                          "Correct the date (day and month swapped? wrong year?).", values.index[bad], values[bad],
                          reason=Message.of("dq.issue.future_date", name=col.name, today=str(today)),
                          remedy=Message("dq.fix.future_date"))
    founded = params.company.founded
    early = dates.notna() & (dates < pd.Timestamp(founded))
    if early.any():
        collector.add("before_founding", header,
                      f"{col.name} must not be earlier than the company's founding ({founded}, company.founded)",
                      "Correct the date, or set company.founded in parameters.", values.index[early], values[early],
                      reason=Message.of("dq.issue.before_founding", name=col.name, founded=str(founded)),
                      remedy=Message("dq.fix.before_founding"))


#: a report month beginning more than this many days after the data's latest date is refused (month_after_data)
MONTH_AFTER_DATA_DAYS = 31


def month_after_data(report: ValidationReport, params: Parameters) -> Issue | None:
    """An issue when the report month begins well after the data ends: the pages would describe months the
    files do not cover (no orders, no answered surveys) and say so only in passing.

    The data ends at the latest date of the dated tables (sales targets, planned ahead, aside). None when
    the month is covered, or no table has dates (an archive of attributes and a flag).
    """
    month = getattr(params, "month", None)
    if not month:
        return None
    ends = [(info.last_date, name) for name, info in report.tables.items() if info.last_date and name != "targets"]
    if not ends:
        return None
    last = max(date for date, _ in ends)
    table = next(name for date, name in ends if date == last)  # the first in the schema's order: orders first
    info = report.tables[table]
    start = params.period_start
    last_day = dt.date.fromisoformat(last)
    gap = (start - last_day).days
    if gap <= MONTH_AFTER_DATA_DAYS:
        return None
    last_month = last[:7]
    severity = params.validation.severity.get("month_after_data", "error")
    detail = (f"--month {month}: the report month must lie within the data. Got a month that begins {gap} days after "
              f"the data ends ({last}, the latest date in {info.file}). Run with --month {last_month} (the last month "
              "with data), or export the newer data; validation.severity: {month_after_data: warning} runs it "
              "anyway.")
    return Issue(severity, "month_after_data", table, info.file, info.sheet, None, "", "", detail=detail,
                 reason=Message.of("dq.issue.month_after_data", month=month, days=gap, last=last, file=info.file),
                 remedy=Message.of("dq.fix.month_after_data", last_month=last_month))


def with_month_check(report: ValidationReport, params: Parameters) -> ValidationReport:
    """The report with :func:`month_after_data`'s issue added (a copy; the cached report of the files is
    the same for every month)."""
    issue = month_after_data(report, params)
    if issue is None:
        return report
    return ValidationReport([*report.issues, issue], report.tables, report.missing)
