"""Validation: coerce raw cells to canonical types and gather every failure, split into errors and warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ..config import Parameters
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

    @property
    def where(self) -> str:
        return f"{self.file}, sheet {self.sheet}" if self.sheet else self.file

    def lines(self) -> list[str]:
        """One message per listed case, in the shape <where>: <what> must be <expected>. Got <actual>. <fix>."""
        if self.detail:
            return [self.detail]
        if not self.cases:
            col = f", column {self.column}" if self.column else ""
            return [f"{self.where}{col}: {self.expected}. {self.fix}".strip()]
        out = []
        for row, value in self.cases:
            at = f", row {row}" if row is not None else ""
            col = f", column {self.column}" if self.column else ""
            out.append(f"{self.where}{at}{col}: {self.expected}. Got {value!r}. {self.fix}".strip())
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Issue":
        data = dict(data)
        data["cases"] = [tuple(c) for c in data.get("cases", [])]
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
                if issue.count > len(issue.cases) and issue.cases:
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

    def severity(self, check: str) -> str:
        default = "warning" if check in _WARNING_CHECKS else "error"
        return self.params.validation.severity.get(check, default)

    def add(self, check: str, column: str | None, expected: str, fix: str,
            rows=None, values=None, detail: str | None = None) -> None:
        key = (check, column)
        issue = self.issues.get(key)
        if issue is None:
            issue = self.issues[key] = Issue(self.severity(check), check, self.table.name,
                                             self.raw.path.name, self.raw.sheet, column, expected, fix,
                                             count=0, detail=detail)
        if rows is None:
            issue.count += 1
            return
        rows = list(rows)
        values = list(values)
        issue.count += len(rows)
        room = self.params.validation.max_cases_shown - len(issue.cases)
        for r, v in zip(rows[:max(room, 0)], values[:max(room, 0)]):
            issue.cases.append((int(r) if r is not None else None, None if _isna(v) else _shown(v)))


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
                          f"If it holds a canonical column, map it in data.sources.{table.name}.columns.")
        elif canonical in found:
            collector.add("missing_column", header, f"only one column may map to {canonical}; "
                          f"{found[canonical]} and {header} both do",
                          f"Delete one of them or map it elsewhere in data.sources.{table.name}.columns.")
        else:
            found[canonical] = header
    shown = ", ".join(h for h in raw.headers if h) or "(none)"
    for col in table.columns:
        if col.required and col.name not in found:
            collector.add("missing_column", " / ".join(col.headers[:2]) or col.name,
                          f"the required column {col.name} ({col.description}) is missing; headers found: {shown}",
                          f"Add the column, or map your header to {col.name} in data.sources.{table.name}.columns.")
    if table.dynamic_float_columns:
        for dim in params.survey.dimensions:
            if dim not in found:
                collector.add("missing_column", dim,
                              f"the survey dimension {dim} (survey.dimensions) has no column; headers found: {shown}",
                              f"Map its header in data.sources.surveys.columns (e.g. {{包装: {dim}}}) "
                              "or remove it from survey.dimensions.")
    return found


def add_notes(raw: RawSheet, collector: Collector) -> None:
    """Cells the reader flagged while scanning the file (formulas without a saved value), per column."""
    for note in raw.notes:
        header = raw.headers[note.column] if note.column < len(raw.headers) and raw.headers[note.column] else None
        column = header or f"column {note.cell.rstrip('0123456789')}"
        collector.add(note.check, column, f"cell {note.cell} must hold a value, not only a formula; it has none saved "
                      "and is read as blank", "Open the workbook in Excel, let it calculate, and save it again "
                      "(or paste the column as values).", [note.row], [f"{note.cell}: {note.text}"])


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
                          "Fill in the cell or delete the row.", chunk.index[blank], [""] * int(blank.sum()))
        if col.dtype in ("date", "datetime"):
            _check_dates(col, parsed, values, header, params, collector, today)
        out[col.name] = parsed
    return pd.DataFrame(out)


def _coerce(table: Table, col: Column, values: pd.Series, blank: pd.Series, header: str,
            params: Parameters, collector: Collector, types: pd.Series | None = None) -> pd.Series:
    from .readers import as_text, map_unique, parse_dates, parse_numbers

    if col.dtype == "string":
        return as_text(values, types).astype("str").where(~blank, None).astype("str")
    if col.dtype in ("float", "int"):
        numbers, bad = parse_numbers(values, types)
        if bad.any():
            collector.add("wrong_type", header, f"{col.name} must be a number",
                          "Correct the cell: digits, optionally with thousands separators, ¥ or %.",
                          values.index[bad], values[bad])
        _check_range(col, numbers, values, header, collector)
        return numbers.round().astype("Int64") if col.dtype == "int" else numbers
    if col.dtype in ("date", "datetime"):
        dates, bad = parse_dates(values, keep_time=col.dtype == "datetime", types=types)
        if bad.any():
            collector.add("wrong_type", header, f"{col.name} must be a date such as {DATE_EXAMPLES}",
                          "Correct the cell, or format the column as a date in Excel.", values.index[bad], values[bad])
        return dates
    if col.dtype == "bool":
        text = as_text(values, types)
        words = bool_map(table.name, col.name, params)  # the built-in yes/no words and the company's label map
        mapped = map_unique(text, lambda t: words.get(normalise_label(t)) if isinstance(t, str) else None)
        bad = mapped.isna() & ~blank
        if bad.any():
            unknown = list(dict.fromkeys(str(x).strip() for x in text[bad]))[:3]  # distinct, in file order
            example = ", ".join(f"{label}: yes/no" for label in unknown)
            collector.add("unknown_label", header, f"{col.name} must be yes or no (是/否, Y/N, 1/0)",
                          f"Correct the cell, or say what your labels mean in parameters: data.labels: "
                          f"{{{table.name}.{col.name}: {{{example}}}}}.", values.index[bad], values[bad])
        return mapped.astype("boolean")
    # category
    labels = label_map(table.name, col.name, params)
    allowed = {a.lower(): a for a in col.allowed}
    text = as_text(values, types)

    def one(t):
        if not isinstance(t, str):
            return None
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
        collector.add("unknown_label", header, f"{col.name} must be one of {'/'.join(col.allowed)}{hint}",
                      f"Correct the cell or map the label in parameters/defaults.yaml "
                      f"(data.labels['{table.name}.{col.name}']).", values.index[bad], values[bad])
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
        key = normalise_label(t)
        if key in na:
            return np.nan
        if key in scale:
            return scale[key]
        try:
            number = float(t)
        except ValueError:
            return unknown
        return number if number.is_integer() and 1 <= number <= top else unknown

    points = map_unique(text, one).astype(float)
    bad = points == unknown
    if bad.any():
        collector.add("unknown_label", header,
                      f"score must be one of {scale_label_text(params)} or 1-{top}"
                      f" (not applicable: {'/'.join(params.survey.not_applicable)})",
                      "Correct the cell or map the label in parameters/defaults.yaml (survey.scale_labels).",
                      values.index[bad], values[bad])
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
        collector.add("out_of_range", header, f"{col.name} must be {rng}", "Correct the cell.",
                      values.index[bad], values[bad])


def _check_dates(col, dates, values, header, params, collector, today):
    import pandas as pd

    if not col.future_ok:
        bad = dates.notna() & (dates.dt.normalize() > pd.Timestamp(today))
        if bad.any():
            collector.add("future_date", header, f"{col.name} must not be later than today ({today})",
                          "Correct the date (day and month swapped? wrong year?).", values.index[bad], values[bad])
    founded = params.company.founded
    early = dates.notna() & (dates < pd.Timestamp(founded))
    if early.any():
        collector.add("before_founding", header,
                      f"{col.name} must not be earlier than the company's founding ({founded}, company.founded)",
                      "Correct the date, or set company.founded in parameters.", values.index[early], values[early])
