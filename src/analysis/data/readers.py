"""Readers for the company's files: xlsx through openpyxl, csv in utf-8 / utf-8-sig / GB18030.

A reader yields raw values in chunks with their source row numbers; parsing into
types (``parse_numbers``, ``parse_dates``) is vectorised so that millions of rows stay fast.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from ..errors import DataError

CHUNK_ROWS = 200_000
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


@dataclass
class RawSheet:
    """Headers of one sheet or csv file, and a way to iterate its rows in chunks.

    Each chunk is a DataFrame of raw values (object dtype for xlsx, strings for csv)
    whose index is the 1-based row number in the source, as a user sees it in Excel.
    """

    path: Path
    sheet: str | None
    header_row: int
    headers: list[str]
    encoding: str | None = None
    _chunks: Iterator[pd.DataFrame] | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        return f"{self.path.name}, sheet {self.sheet}" if self.sheet else self.path.name

    def chunks(self) -> Iterator[pd.DataFrame]:
        if self._chunks is None:
            raise RuntimeError("chunks() can be iterated once")
        chunks, self._chunks = self._chunks, None
        return chunks


def open_source(path: Path, sheet: str | None = None, header_row: int = 1,
                encoding: str = "auto") -> RawSheet:
    """Open an xlsx or csv file and read its header row.

    Raises
    ------
    DataError
        file missing, unknown format, sheet missing (naming the sheets there are),
        merged header cells, empty file, unreadable encoding.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found. Put the export in that folder or fix "
                        f"data.sources in parameters/defaults.yaml.")
    if path.stat().st_size == 0:
        raise DataError(f"{path.name}: the file is empty. Export the table again.", check="empty_file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, sheet, header_row)
    if suffix in (".csv", ".txt"):
        return _open_csv(path, header_row, encoding)
    raise DataError(f"{path.name}: the file type {suffix or '(none)'} is not supported. "
                    "Save it as .xlsx or .csv (old .xls files: open in Excel and save as .xlsx).")


def detect_encoding(path: Path, sample_bytes: int = 1 << 20) -> str:
    """Return utf-8-sig, utf-8 or gb18030 for a csv file, from its first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(sample_bytes)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    # a multi-byte character may be cut at the end of the sample
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            continue
    try:
        head.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise DataError(f"{path.name}: the text is neither UTF-8 nor GB18030. Save the csv "
                        "from Excel as 'CSV UTF-8' and try again.") from None


def _open_csv(path: Path, header_row: int, encoding: str) -> RawSheet:
    enc = detect_encoding(path) if encoding == "auto" else encoding
    try:
        head = pd.read_csv(path, encoding=enc, dtype=str, keep_default_na=False,
                           header=None, skiprows=header_row - 1, nrows=1)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path.name}: the file has no header row at row {header_row}. "
                        "Export the table with its headers, or set header_row in parameters.", check="empty_file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name}: cannot be read as {enc} ({exc.reason}). Set "
                        "data.sources.<table>.encoding in parameters, or save as 'CSV UTF-8'.") from None
    headers = [_clean_header(h) for h in head.iloc[0].tolist()]

    def chunks():
        first_row = header_row + 1
        reader = pd.read_csv(path, encoding=enc, dtype=str, keep_default_na=False, header=None,
                             skiprows=header_row, chunksize=CHUNK_ROWS, names=range(len(headers)),
                             skip_blank_lines=True, on_bad_lines="error")
        try:
            for chunk in reader:
                chunk.index = np.arange(first_row, first_row + len(chunk))
                first_row += len(chunk)
                chunk.columns = headers
                yield chunk
        except UnicodeDecodeError as exc:
            raise DataError(f"{path.name}: near row {first_row}, the bytes are not valid {enc} "
                            f"({exc.reason}). Save the file again as 'CSV UTF-8'.") from None
        except pd.errors.ParserError as exc:
            raise DataError(f"{path.name}: {exc}. Each row must have as many fields as the header "
                            "row; check for unquoted commas in text.") from None

    return RawSheet(path, None, header_row, headers, enc, chunks())


def _open_xlsx(path: Path, sheet: str | None, header_row: int) -> RawSheet:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip
        raise DataError(f"{path.name}: not a readable Excel workbook ({type(exc).__name__}: {exc}). "
                        "Open it in Excel and save it again as .xlsx.") from None
    names = wb.sheetnames
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        wb.close()
        raise DataError(f"{path.name}: sheet {sheet} not found. The workbook has "
                        f"{', '.join(names)}. Set data.sources.<table>.sheet in parameters to one of them.", check="missing_sheet")
    merged = _merged_ranges_touching(path, names.index(sheet), header_row)
    if merged:
        wb.close()
        raise DataError(f"{path.name}, sheet {sheet}, row {header_row}: the header row has merged "
                        f"cells ({', '.join(merged)}). Unmerge them so that every column has its own "
                        "header, or set header_row to the row with one header per column.", check="merged_header")
    ws = wb[sheet]
    rows = ws.iter_rows(min_row=header_row, values_only=True)
    try:
        header_values = next(rows)
    except StopIteration:
        wb.close()
        raise DataError(f"{path.name}, sheet {sheet}: the sheet is empty. Export the table again.", check="empty_file") from None
    headers = [_clean_header(h) for h in header_values]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)

    def chunks():
        row_no = header_row
        buf, index = [], []
        try:
            for values in rows:
                row_no += 1
                if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                values = list(values[:width]) + [None] * (width - len(values))
                buf.append(values)
                index.append(row_no)
                if len(buf) >= CHUNK_ROWS:
                    yield pd.DataFrame(buf, index=index, columns=headers, dtype=object)
                    buf, index = [], []
            if buf:
                yield pd.DataFrame(buf, index=index, columns=headers, dtype=object)
        finally:
            wb.close()

    return RawSheet(path, sheet, header_row, headers, None, chunks())


def _clean_header(value) -> str:
    if value is None:
        return ""
    text = str(value).strip().replace("\n", "").replace("\u3000", "")
    return re.sub(r"\s+", " ", text)


def _merged_ranges_touching(path: Path, sheet_index: int, row: int) -> list[str]:
    """Merged ranges of the sheet that include ``row`` (read-only openpyxl does not report them)."""
    try:
        with zipfile.ZipFile(path) as zf:
            wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            sheets = wb.find("m:sheets", _NS)
            rid = list(sheets)[sheet_index].get(f"{{{_NS['r']}}}id")
            target = next(r.get("Target") for r in rels if r.get("Id") == rid)
            target = target.lstrip("/")
            target = target if target.startswith("xl/") else f"xl/{target}"
            xml = zf.read(target)
    except (KeyError, StopIteration, IndexError, zipfile.BadZipFile):
        return []
    # merged cells are listed after the sheet data: parse only that tail
    start = xml.rfind(b"<mergeCells")
    if start < 0:
        return []
    refs = re.findall(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', xml[start:])
    return [f"{a.decode()}{r1.decode()}:{b.decode()}{r2.decode()}"
            for a, r1, b, r2 in refs if int(r1) <= row <= int(r2)]


# ---------------------------------------------------------------- value parsing

_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d")


def blank_mask(values: pd.Series) -> pd.Series:
    """True where a cell is empty (None, NaN, or only spaces)."""
    if values.dtype == object:
        return values.map(lambda v: v is None or (isinstance(v, float) and np.isnan(v))
                          or (isinstance(v, str) and not v.strip()))
    return values.isna() | (values.astype(str).str.strip() == "")


def as_text(values: pd.Series) -> pd.Series:
    """Cell values as stripped strings (NA for blanks); 13800138000.0 becomes '13800138000'."""
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, (dt.datetime, dt.date)):
            return v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime) and (v.hour or v.minute or v.second) \
                else v.strftime("%Y-%m-%d")
        text = str(v).strip()
        return text or None

    if values.dtype != object:
        text = values.astype("string").str.strip()
        return text.mask(text == "").astype(object).where(text.notna() & (text != ""), None)
    return values.map(one)


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers, including numbers stored as text ('1,234.50', '¥300', '12%').

    Returns (float Series, mask of non-blank cells that are not numbers).
    """
    if values.dtype == object:
        is_num = values.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
        numeric = pd.to_numeric(values.where(is_num), errors="coerce").astype(float)
        rest = values.where(~is_num)
    else:
        is_num = pd.Series(False, index=values.index)
        numeric = pd.Series(np.nan, index=values.index)
        rest = values
    text = as_text(rest) if rest.dtype == object else rest
    text = pd.Series(text, index=values.index, dtype="string").str.strip()
    parsed = pd.to_numeric(text.mask(text == ""), errors="coerce").astype(float)
    # only cells that are not plain numbers go through the slower clean-up of separators and symbols
    todo = parsed.isna() & text.notna() & (text != "")
    if todo.any():
        cleaned = text[todo].str.replace(r"[,，¥￥%\s]", "", regex=True)
        parsed[todo] = pd.to_numeric(cleaned.mask(cleaned == ""), errors="coerce").astype(float)
    out = numeric.where(is_num, parsed)
    bad = out.isna() & ~blank_mask(values)
    return out, bad


def parse_dates(values: pd.Series, keep_time: bool = False) -> tuple[pd.Series, pd.Series]:
    """Parse dates: Excel dates and serial numbers, 2026-10-05, 2026/10/5, 2026年10月5日, 20261005.

    Returns (datetime64 Series, mask of non-blank cells that are not dates).
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.dtype == object:
        kinds = values.map(lambda v: "d" if isinstance(v, (dt.datetime, dt.date))
                           else "n" if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                           else "s")
        is_dt = kinds == "d"
        if is_dt.any():
            out[is_dt] = pd.to_datetime(values[is_dt].map(lambda v: v if isinstance(v, dt.datetime)
                                                          else dt.datetime(v.year, v.month, v.day)))
        is_num = kinds == "n"
        if is_num.any():
            nums = pd.to_numeric(values[is_num], errors="coerce").astype(float)
            yyyymmdd = (nums >= 19000101) & (nums <= 29991231) & (nums % 1 == 0)
            out[is_num & yyyymmdd.reindex(values.index, fill_value=False)] = pd.to_datetime(
                nums[yyyymmdd].astype("int64").astype(str), format="%Y%m%d", errors="coerce")
            serial = ~yyyymmdd & (nums >= 1) & (nums < 2958466)
            out[is_num & serial.reindex(values.index, fill_value=False)] = _EXCEL_EPOCH + pd.to_timedelta(
                nums[serial], unit="D")
        strings = values[kinds == "s"]
    else:
        strings = values
    if len(strings):
        text = pd.Series(strings, dtype="string").str.strip()
        # ISO dates (2026-10-05, 2026-10-05 14:30) parse in one fast pass; the rest are normalised
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce").astype("datetime64[ns]")
        todo = parsed.isna() & text.notna() & (text != "")
        if todo.any():
            rest = (text[todo].str.replace(r"\s*[年/.]\s*", "-", regex=True)
                    .str.replace(r"\s*月\s*", "-", regex=True).str.replace(r"\s*日", " ", regex=True)
                    .str.replace("T", " ", regex=False).str.strip())
            for fmt in _DATE_FORMATS:
                left = parsed.isna() & todo
                if not left.any():
                    break
                parsed[left] = pd.to_datetime(rest[left[todo].to_numpy()], format=fmt, errors="coerce")
        out[parsed.index] = parsed
    if not keep_time:
        out = out.dt.normalize()
    bad = out.isna() & ~blank_mask(values)
    return out, bad


def map_unique(values: pd.Series, func) -> pd.Series:
    """``values.map(func)`` computed once per distinct value: label columns have few of them."""
    distinct = pd.unique(values.dropna())
    return values.map({value: func(value) for value in distinct})
