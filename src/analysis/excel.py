"""Excel lists for the sales team: headers and codes in the report language, frozen header row, filters,
number formats by column kind, text written as text (never a formula), contacts only when allowed.

Written with rustpy-xlsxwriter (Rust's rust_xlsxwriter behind a pandas frame passed through Arrow): the
columns are prepared once with pandas, then written without a Python call per cell, about 1 µs a cell
where xlsxwriter takes about 12, so a satisfaction survey's 8 million-cell CAPA list is seconds.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as kinds
from .i18n import localise, map_distinct, t
from .privacy import mask_name, mask_text

GRADE_FILLS = {"A": "#C6EFCE", "B": "#DDEBF7", "C": "#FFF2CC", "D": "#F8CBAD"}
BAND_FILLS = {"high": "#F8CBAD", "medium": "#FFF2CC"}
HEADER_FILL = "#1F5FA8"
#: columns that hold contact details of people: in a list only when exports.include_contacts is true
CONTACT_COLUMNS = ("contact_person", "phone", "email", "id_number", "address")
#: a sheet name may not hold these, nor be longer than 31 characters (Excel's rules)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]+")
#: a customer name that ends like this is a company; anything else may be a private person
_COMPANY = re.compile(r"(公司|集团|厂|店|行|中心|研究院|研究所|医院|学校|大学|银行|合作社|事务所|工作室|部|处|局|站|"
                      r"co\.?|ltd\.?|inc\.?|llc|gmbh|corp\.?|company|group)\s*[)）]?\s*$", re.IGNORECASE)


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame], language: str = "zh-CN",
                   fills: dict[str, dict[str, str]] | None = None, labels: dict | None = None) -> Path:
    """Write canonical result frames to ``path`` atomically, one sheet each ({sheet name: frame}).

    Headers and coded values are translated with :func:`analysis.i18n.localise`; numbers keep their
    value with a format by column kind (percent, money, count...); text is written as text, never as a
    formula; ``fills`` colours cells by their canonical value, e.g. {"grade": GRADE_FILLS}, as a
    conditional format on the shown label (so the colour follows the value when a user edits or sorts).
    Sheet names are made valid and unique.
    """
    import rustpy_xlsxwriter as rx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}.xlsx")
    header = (rx.Format().set_bold().set_font_color("#FFFFFF").set_background_color(HEADER_FILL)
              .set_align("vcenter").set_text_wrap())
    entries, widths, formats, conditional = [], {}, {}, {}
    for title, frame in zip(sheet_titles(list(sheets)), sheets.values()):
        frame = frame.reset_index(drop=True)  # rows by position: a slice of a larger frame keeps its labels
        canonical = [str(c) for c in frame.columns]
        readable = localise(frame, language, labels)
        # unique, as a table's columns must be (名称, 名称 (2))
        headers = _numbered([_cut(t("language.money_header", language, header=h) if kinds.kind(c) == "money"
                                  else str(h)) for c, h in zip(canonical, readable.columns)])
        columns, sheet_formats, sheet_widths, rules = {}, [], [], {}
        for j, (column, text) in enumerate(zip(canonical, headers)):
            values, number_format, width = _excel_column(readable.iloc[:, j], kinds.kind(column))
            columns[text] = values
            sheet_formats.append(rx.Format().set_num_format(number_format) if number_format else None)
            sheet_widths.append(min(max(max(width, _width(text)) + 2, 8), 60))
            if column in (fills or {}) and (rule := _fill_rules(rx, frame[column], values, fills[column])):
                rules[text] = rule
        entries.append((title, pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))))
        widths[title], formats[title] = sheet_widths, sheet_formats
        if rules:
            conditional[title] = rules
    try:
        rx.write_worksheets(entries, str(tmp), freeze_panes={"general": {"row": 1, "col": 0}},
                            column_widths=widths, column_formats=formats,
                            header_format={title: header for title, _ in entries},
                            autofilter={title: frame.shape[1] > 0 for title, frame in entries},
                            inf_value="∞", conditional_formats=conditional or None)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _excel_column(values: pd.Series, kind: str | None) -> tuple[pd.Series, str | None, int]:
    """A shown column as Excel should hold it: numbers as floats with the kind's number format, dates as
    dates (with the time when any value has one), everything else as text; and its display width (from
    the first 2,000 rows)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if pd.api.types.is_bool_dtype(values):
        return _as_text(values), None, 5
    if pd.api.types.is_datetime64_any_dtype(values):
        return _as_dates(values)
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        return numbers, kinds.EXCEL_FORMATS.get(kind, "#,##0.00"), _number_width(numbers.iloc[:2000])
    present = values[values.notna()] if len(values) else values
    types = set(map(type, present))
    if not types:  # nothing but blanks (None, NaN, NaT, a Decimal NaN...)
        return pd.Series(None, index=values.index, dtype=object), None, 0
    if all(issubclass(k, (int, float, np.integer, np.floating, decimal.Decimal))
                     and not issubclass(k, (bool, np.bool_)) for k in types):
        return _excel_column(pd.to_numeric(values.astype(object).map(_number), errors="coerce"), kind)
    if all(issubclass(k, (dt.date, np.datetime64)) for k in types):
        return _as_dates(pd.to_datetime(values.astype(object), errors="coerce"))
    text = values if types <= {str} else _as_text(values)
    if len(text) and text.str.len().max() > MAX_TEXT:  # Excel's limit for a cell; the rest would be lost anyway
        text = text.map(_cut)
    shown = text.iloc[:2000]
    return text, None, max((_width(v) for v in shown if isinstance(v, str)), default=0)


#: the longest text an Excel cell holds
MAX_TEXT = 32_767


def _cut(text):
    return text[:MAX_TEXT - 1] + "…" if isinstance(text, str) and len(text) > MAX_TEXT else text


def _number(value):
    """A Decimal as a float (a Decimal NaN as blank); any other value as it is."""
    if isinstance(value, decimal.Decimal):
        return None if value.is_nan() else float(value)
    return value


def _as_dates(values: pd.Series) -> tuple[pd.Series, str, int]:
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    present = values.dropna()
    has_time = bool(((present.dt.hour != 0) | (present.dt.minute != 0)).any())
    return values, ("yyyy-mm-dd hh:mm" if has_time else "yyyy-mm-dd"), (16 if has_time else 11)


def _as_text(values: pd.Series) -> pd.Series:
    """Every value as its text (a date without a zero time, True/False as written); blanks stay blank."""
    def text(value):
        if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, (pd.Timestamp, dt.datetime)):
            stamp = pd.Timestamp(value)
            return stamp.strftime("%Y-%m-%d %H:%M" if stamp.hour or stamp.minute else "%Y-%m-%d")
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if isinstance(value, decimal.Decimal) and value.is_nan():
            return None
        return str(value)
    return values.astype(object).map(text)


def _number_width(numbers: pd.Series) -> int:
    finite = numbers[np.isfinite(numbers)]
    return max((len(f"{v:,.2f}") for v in finite), default=2)


def _fill_rules(rx, codes: pd.Series, shown: pd.Series, colours: dict[str, str]) -> list[dict]:
    """Conditional-format rules colouring each code's shown label; a label that begins another shown
    label of the column (so a "begins with" rule could not tell them apart) is left uncoloured."""
    present, codes = codes.notna().to_numpy(), codes.astype(str).to_numpy()
    labels = {}
    for code in colours:
        hit = shown[present & (codes == code)]
        hit = hit[hit.notna()]
        if len(hit):
            labels[code] = str(hit.iloc[0])
    distinct = {str(v) for v in pd.unique(shown.dropna())}
    return [{"type": "text", "criteria": "begins_with", "value": label,
             "format": rx.Format().set_background_color(colours[code])}
            for code, label in labels.items()
            if not any(other != label and other.startswith(label) for other in distinct)]


def _numbered(names: list[str], limit: int | None = None, fold=lambda name: name) -> list[str]:
    """``names`` with a repeated one numbered " (2)", " (3)"... (cut to keep within ``limit`` characters);
    two names are the same when ``fold`` makes them equal."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        candidate, n = name, 2
        while fold(candidate) in seen:
            suffix = f" ({n})"
            candidate = (name if limit is None else name[:limit - len(suffix)]) + suffix
            n += 1
        seen.add(fold(candidate))
        out.append(candidate)
    return out


def sheet_titles(names: list[str]) -> list[str]:
    """Valid, unique Excel sheet names: no []:*?/\\, no leading or trailing apostrophe, at most 31 characters."""
    titles = [(_SHEET_FORBIDDEN.sub(" ", str(name)).strip().strip("'").strip() or "Sheet")[:31] for name in names]
    return _numbered(titles, limit=31, fold=str.lower)  # unique as Excel compares them, ignoring case


def is_private_person(name) -> bool:
    """True when a customer name looks like a person's (not ending like a company: 公司, 厂, Ltd ...)."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return False
    return not _COMPANY.search(str(name).strip())


def write_customer_lists(path: Path, sheets: dict[str, pd.DataFrame], customers: pd.DataFrame | None,
                         params, fills: dict[str, dict[str, str]] | None = None) -> Path:
    """Write lists keyed by customer_id for the sales team, in the report language.

    The customer name (and the owner, branch and region where the list lacks them) is joined in.
    With ``exports.include_contacts`` false (the default) contact columns are left out, names of
    private persons are masked, and free text (comments, reasons) is masked exactly as on the site;
    with true, contact person, phone and e-mail are joined in and nothing is masked.
    """
    include = params.exports.include_contacts
    joined = {}
    for name, frame in sheets.items():
        frame = frame.copy()
        if customers is not None and "customer_id" in frame.columns:
            wanted = ["customer_name", *(CONTACT_COLUMNS if include else ()), "sales_rep", "branch", "region"]
            extra = [c for c in wanted if c in customers.columns and c not in frame.columns]
            if extra:
                frame = frame.merge(customers[["customer_id", *extra]], on="customer_id", how="left")
                first = ["customer_id", *[c for c in ("customer_name", *CONTACT_COLUMNS) if c in frame.columns]]
                frame = frame[first + [c for c in frame.columns if c not in first]]
        if not include:
            frame = frame.drop(columns=[c for c in CONTACT_COLUMNS if c in frame.columns])
            for col in frame.columns:
                values = frame[col]
                if col in ("customer_name", "prospect_name", "respondent"):
                    frame[col] = map_distinct(values, lambda v, col=col: mask_name(v)
                                              if is_private_person(v) or col != "customer_name" else v)
                elif values.dtype == object or pd.api.types.is_string_dtype(values):
                    frame[col] = map_distinct(values, lambda v: mask_text(v) if isinstance(v, str) else v)
        joined[name] = frame
    labels = {"dimension": dict(params.survey.dimension_labels)}
    return write_workbook(path, joined, params.site.language, fills=fills, labels=labels)


def _width(value) -> int:
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
