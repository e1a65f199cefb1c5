"""Excel lists for the sales team: headers and codes in the report language, frozen header row, filters,
number formats by column kind, text written as text (never a formula), contacts only when allowed.

Written with xlsxwriter in constant-memory mode: one pass over the rows, so 100,000 rows cost
what 1,000 cost a hundred times, not more.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as kinds
from .i18n import localise, t
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
    value with a format by column kind (percent, money, count...); ``fills`` colours cells by their
    canonical value, e.g. {"grade": GRADE_FILLS}. Sheet names are made valid and unique.
    """
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}.xlsx")
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    try:
        header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL,
                                  "valign": "vcenter", "text_wrap": True})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        number_fmts = {k: book.add_format({"num_format": f}) for k, f in kinds.EXCEL_FORMATS.items()}
        plain_number = book.add_format({"num_format": "#,##0.00"})
        fill_fmts: dict[tuple, object] = {}
        for title, frame in zip(sheet_titles(list(sheets)), sheets.values()):
            sheet = book.add_worksheet(title)
            canonical = [str(c) for c in frame.columns]
            readable = localise(frame, language, labels)
            headers = [t("language.money_header", language, header=h) if kinds.kind(c) == "money" else str(h)
                       for c, h in zip(canonical, readable.columns)]
            widths = [_width(h) for h in headers]
            for j, text in enumerate(headers):
                sheet.write_string(0, j, text, header)
            colour = {j: (fills or {})[c] for j, c in enumerate(canonical) if c in (fills or {})}
            raw_columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
            shown_columns = [readable.iloc[:, j].to_numpy(dtype=object) for j in range(len(canonical))]
            for i in range(len(frame)):
                r = i + 1
                for j, column in enumerate(canonical):
                    value = shown_columns[j][i]
                    kind = kinds.kind(column)
                    fill = None
                    if j in colour:
                        code = raw_columns[j][i]
                        if code is not None and str(code) in colour[j]:
                            key = (colour[j][str(code)], kind)
                            if key not in fill_fmts:
                                spec = {"bg_color": key[0]}
                                if kind in kinds.EXCEL_FORMATS:
                                    spec["num_format"] = kinds.EXCEL_FORMATS[kind]
                                fill_fmts[key] = book.add_format(spec)
                            fill = fill_fmts[key]
                    width = _write_cell(sheet, r, j, value, fill or number_fmts.get(kind), date_fmt, time_fmt,
                                        plain_number, fill)
                    if i < 2000 and width > widths[j]:
                        widths[j] = width
            for j, width in enumerate(widths):
                sheet.set_column(j, j, min(max(width + 2, 8), 60))
            sheet.freeze_panes(1, 0)
            if canonical:
                sheet.autofilter(0, 0, max(len(frame), 1), len(canonical) - 1)
        book.close()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _write_cell(sheet, r, j, value, fmt, date_fmt, time_fmt, plain_number, fill) -> int:
    """Write one cell by its type; return its display width."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        if fill is not None:
            sheet.write_blank(r, j, None, fill)
        return 0
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value).to_pydatetime()
        has_time = bool(stamp.hour or stamp.minute)
        sheet.write_datetime(r, j, stamp, time_fmt if has_time else date_fmt)
        return 16 if has_time else 11
    if isinstance(value, dt.date):
        sheet.write_datetime(r, j, dt.datetime(value.year, value.month, value.day), date_fmt)
        return 11
    if isinstance(value, bool):
        sheet.write_string(r, j, str(value), fill)
        return 4
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isinf(value):
            sheet.write_string(r, j, "∞", fill)
            return 2
        sheet.write_number(r, j, value, fmt if fmt is not None else plain_number)
        return len(f"{value:,.2f}")
    text = str(value)
    sheet.write_string(r, j, text, fill)  # text stays text: "=1+1" is shown as typed, never evaluated
    return _width(text)


def sheet_titles(names: list[str]) -> list[str]:
    """Valid, unique Excel sheet names: no []:*?/\\, no leading or trailing apostrophe, at most 31 characters."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        title = _SHEET_FORBIDDEN.sub(" ", str(name)).strip().strip("'").strip() or "Sheet"
        title = title[:31]
        candidate, n = title, 2
        while candidate.lower() in seen:
            suffix = f" ({n})"
            candidate = title[:31 - len(suffix)] + suffix
            n += 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out


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
                    frame[col] = values.map(lambda v: mask_name(v) if is_private_person(v) or col != "customer_name"
                                            else v)
                elif values.dtype == object or pd.api.types.is_string_dtype(values):
                    frame[col] = values.map(lambda v: mask_text(v) if isinstance(v, str) else v)
        joined[name] = frame
    labels = {"dimension": dict(params.survey.dimension_labels)}
    return write_workbook(path, joined, params.site.language, fills=fills, labels=labels)


def _width(value) -> int:
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
