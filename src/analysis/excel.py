"""Formatted Excel workbooks for the sales team: Chinese headers, frozen header row, filters, safe text."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

#: a text cell starting with one of these would be read by Excel as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GRADE_FILLS = {"A": "C6EFCE", "B": "DDEBF7", "C": "FFF2CC", "D": "F8CBAD"}
BAND_FILLS = {"高": "F8CBAD", "中": "FFF2CC", "high": "F8CBAD", "medium": "FFF2CC"}
HEADER_FILL = "1F5FA8"


def safe_text(value: str) -> str:
    """Text that Excel shows as typed: a leading =, +, -, @ is neutralised with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame], headers: dict[str, str] | None = None,
                   personal: tuple[str, ...] = (), include_contacts: bool = False,
                   fills: dict[str, dict[str, str]] | None = None) -> Path:
    """Write ``sheets`` ({sheet name: frame}) to ``path`` atomically.

    Parameters
    ----------
    headers : {column: header shown}, e.g. Chinese headers; unknown columns keep their name.
    personal : columns holding contacts; dropped unless ``include_contacts``.
    fills : {column: {value: RGB}} background colours, e.g. grade colours.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    headers = headers or {}
    wb = Workbook()
    wb.remove(wb.active)
    for sheet_name, frame in sheets.items():
        ws = wb.create_sheet(_sheet_title(sheet_name))
        frame = frame.drop(columns=[c for c in personal if c in frame.columns and not include_contacts])
        columns = list(frame.columns)
        ws.append([headers.get(c, c) for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        widths = [_width(headers.get(c, c)) for c in columns]
        colour = {columns.index(c): m for c, m in (fills or {}).items() if c in columns}
        for values in frame.itertuples(index=False, name=None):
            row = [_cell_value(v) for v in values]
            ws.append(row)
            r = ws.max_row
            for j, value in enumerate(row):
                if isinstance(value, (dt.datetime, dt.date)):
                    ws.cell(row=r, column=j + 1).number_format = "yyyy-mm-dd" if not (
                        isinstance(value, dt.datetime) and (value.hour or value.minute)) else "yyyy-mm-dd hh:mm"
                elif isinstance(value, float):
                    ws.cell(row=r, column=j + 1).number_format = "0.00%" if _is_share(columns[j]) else "#,##0.00"
                widths[j] = max(widths[j], _width(value))
                if j in colour and str(value) in colour[j]:
                    ws.cell(row=r, column=j + 1).fill = PatternFill("solid", fgColor=colour[j][str(value)])
        for j, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "A2"
        if columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}.xlsx")
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def _cell_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return safe_text(value)
    return value


def _is_share(column: str) -> bool:
    return column in ("share", "rate", "score_share", "on_time", "quality_pass", "top2", "probability",
                      "churn_probability", "conversion_probability") or column.endswith("_rate")


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, (dt.datetime, dt.date)):
        return 12
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _sheet_title(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31]


def write_customer_lists(path: Path, sheets: dict[str, pd.DataFrame], customers: pd.DataFrame | None,
                         params, fills: dict[str, dict[str, str]] | None = None) -> Path:
    """Write lists keyed by customer_id for internal use: customer name (and, when
    ``exports.include_contacts`` is true, contact person, phone and e-mail) joined in, Chinese headers."""
    from .i18n import column_name, dimension_name, feature_name, value_name

    contacts = ("contact_person", "phone", "email")
    joined = {}
    for name, frame in sheets.items():
        frame = frame.copy()
        for col in frame.columns:
            if col in ("band", "reason", "quadrant", "segment_name", "change", "channel", "visit_type", "stage"):
                frame[col] = frame[col].map(lambda v: value_name(v, "zh-CN") if isinstance(v, str) else v)
            elif col == "dimension":
                frame[col] = frame[col].map(lambda d: value_name(d) if d == "overall" else dimension_name(d))
            elif any(isinstance(v, (list, tuple)) for v in frame[col]):
                frame[col] = frame[col].map(lambda v: "、".join(feature_name(x) for x in v)
                                            if isinstance(v, (list, tuple)) else v)
        if customers is not None and "customer_id" in frame.columns and "customer_name" not in frame.columns:
            extra = [c for c in ("customer_name", *contacts) if c in customers.columns]
            frame = frame.merge(customers[["customer_id", *extra]], on="customer_id", how="left")
            order = ["customer_id", *extra]
            frame = frame[order + [c for c in frame.columns if c not in order]]
        joined[name] = frame
    headers = {c: column_name(c, "zh-CN") for frame in joined.values() for c in frame.columns}
    headers.update({"contact_person": "联系人", "phone": "联系电话", "email": "电子邮箱"})
    return write_workbook(path, joined, headers=headers, personal=contacts,
                          include_contacts=params.exports.include_contacts, fills=fills)
