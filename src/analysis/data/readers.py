"""Readers for the company's files: xlsx through python-calamine, csv in utf-8 / utf-8-sig / GB18030.

A reader yields raw values in chunks with their source row numbers; parsing into
types (``parse_numbers``, ``parse_dates``) is vectorised so that millions of rows stay fast.

Before an xlsx is read, one streaming pass over the sheet's XML (never held whole in
memory) refuses workbooks past the size and cell limits (``data.max_uncompressed_mb``,
``data.max_cells``), finds merged header cells, and notes formula cells without a saved
value, which every reader (calamine, openpyxl, pandas) returns as blank.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from ..errors import DataError
from ..message import Message

CHUNK_ROWS = 200_000
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx
_SCAN_BLOCK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a workbook may unpack to before it is read (data.max_uncompressed_mb, data.max_cells)."""

    max_uncompressed_mb: float = 2000
    max_cells: int = 50_000_000


@dataclass
class Note:
    """A cell worth a warning, found while scanning the sheet (a formula without a saved value)."""

    check: str
    row: int
    column: int  # 0-based column index
    cell: str  # A1 reference
    text: str


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
    notes: list[Note] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path.name}, sheet {self.sheet}" if self.sheet else self.path.name

    def chunks(self) -> Iterator[pd.DataFrame]:
        if self._chunks is None:
            raise RuntimeError("chunks() can be iterated once")
        chunks, self._chunks = self._chunks, None
        return chunks


def open_source(path: Path, sheet: str | None = None, header_row: int = 1,
                encoding: str = "auto", limits: Limits | None = None) -> RawSheet:
    """Open an xlsx or csv file and read its header row.

    Raises
    ------
    DataError
        file missing, unknown format, sheet missing (naming the sheets there are),
        merged header cells, empty file, unreadable encoding, a password-protected
        workbook, a text file named .xlsx, a workbook past ``limits``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found. Put the export in that folder or fix "
                        f"data.sources in parameters/defaults.yaml.",
                        reason=Message.of("dq.file.not_found", file=str(path)))
    if path.stat().st_size == 0:
        raise DataError(f"{path.name}: the file is empty. Export the table again.", check="empty_file",
                        reason=Message.of("dq.file.empty", file=path.name))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, sheet, header_row, limits or Limits())
    if suffix in (".csv", ".txt"):
        return _open_csv(path, header_row, encoding)
    raise DataError(f"{path.name}: the file type {suffix or '(none)'} is not supported. "
                    "Save it as .xlsx or .csv (old .xls files: open in Excel and save as .xlsx).",
                    reason=Message.of("dq.file.type", file=path.name, suffix=suffix or "—"))


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
                        "from Excel as 'CSV UTF-8' and try again.",
                        reason=Message.of("dq.file.encoding", file=path.name)) from None


def _open_csv(path: Path, header_row: int, encoding: str) -> RawSheet:
    enc = detect_encoding(path) if encoding == "auto" else encoding
    try:
        head = pd.read_csv(path, encoding=enc, dtype=str, keep_default_na=False,
                           header=None, skiprows=header_row - 1, nrows=1)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path.name}: the file has no header row at row {header_row}. "
                        "Export the table with its headers, or set header_row in parameters.", check="empty_file",
                        reason=Message.of("dq.file.no_header", file=path.name, row=str(header_row))) from None
    except UnicodeDecodeError:
        raise _bad_bytes(path, enc) from None
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
        except UnicodeDecodeError:
            raise _bad_bytes(path, enc) from None
        except pd.errors.ParserError as exc:
            raise _bad_fields(path, exc, len(headers)) from None

    return RawSheet(path, None, header_row, headers, enc, chunks())


def _bad_bytes(path: Path, encoding: str) -> DataError:
    """The line (as a text editor counts it) holding the first bytes that are not ``encoding``."""
    decoder_name = "utf-8" if encoding == "utf-8-sig" else encoding
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            if number == 1 and encoding == "utf-8-sig":
                line = line.removeprefix(b"\xef\xbb\xbf")
            try:
                line.decode(decoder_name)
            except UnicodeDecodeError as exc:
                column = len(line[:exc.start].decode(decoder_name, errors="replace")) + 1
                return DataError(f"{path.name}, line {number}, character {column}: the text must be valid "
                                 f"{encoding.upper()}. Got the bytes {line[exc.start:exc.end + 3]!r}. Correct that "
                                 "line, or save the file again from Excel as 'CSV UTF-8'.",
                                 reason=Message.of("dq.file.bad_bytes", file=path.name, line=str(number),
                                                    column=str(column), encoding=encoding.upper()))
    return DataError(f"{path.name}: the text must be valid {encoding.upper()}. Save the file again from Excel "
                     "as 'CSV UTF-8'.", reason=Message.of("dq.file.encoding", file=path.name))


def _bad_fields(path: Path, exc: Exception, width: int) -> DataError:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if not found:
        return DataError(f"{path.name}: the rows must have as many fields as the header row ({width}). Got: {exc}. "
                         "Check for unquoted commas in text.",
                         reason=Message.of("dq.file.fields", file=path.name, line="—", expected=str(width),
                                            got="—"))
    expected, line, saw = found.groups()
    return DataError(f"{path.name}, line {line}: each row must have {expected} fields, as many as the header row. "
                     f"Got {saw}. Put text holding commas in double quotes, or remove the extra separators.",
                     reason=Message.of("dq.file.fields", file=path.name, line=str(line), expected=str(expected),
                                        got=str(saw)))


def _open_xlsx(path: Path, sheet: str | None, header_row: int, limits: Limits) -> RawSheet:
    _check_container(path)
    scan = _scan_workbook(path, sheet, header_row, limits)
    sheet = scan.sheet
    if scan.merged:
        raise DataError(f"{path.name}, sheet {sheet}, row {header_row}: the header row has merged "
                        f"cells ({', '.join(scan.merged)}). Unmerge them so that every column has its own "
                        "header, or set header_row to the row with one header per column.", check="merged_header",
                        reason=Message.of("dq.file.merged_header", file=path.name, sheet=sheet, row=str(header_row),
                                           cells=", ".join(scan.merged)))
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        ws = workbook.get_sheet_by_name(sheet)
    except Exception as exc:  # calamine raises its own types for a damaged zip or XML
        raise DataError(f"{path.name}: not a readable Excel workbook ({type(exc).__name__}: {exc}). "
                        "Open it in Excel and save it again as .xlsx.",
                        reason=Message.of("dq.file.unreadable", file=path.name)) from None
    start = ws.start
    if start is None or ws.end[0] + 1 < header_row:
        raise DataError(f"{path.name}, sheet {sheet}: the sheet is empty. Export the table again.", check="empty_file",
                        reason=Message.of("dq.file.empty_sheet", file=path.name, sheet=sheet))
    first_col = start[1]  # calamine's rows begin at the first used column; rows are counted from row 1
    rows = iter(ws.iter_rows())
    for _ in range(header_row - 1):
        next(rows)
    header_values = [""] * first_col + list(next(rows))
    headers = [_clean_header(h) for h in header_values]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    notes = scan.notes

    def chunks():
        row_no = header_row
        buf = []
        for values in rows:
            buf.append(values)
            if len(buf) >= CHUNK_ROWS:
                yield _frame(buf, row_no + 1, first_col, width, headers)
                row_no += len(buf)
                buf = []
        if buf:
            yield _frame(buf, row_no + 1, first_col, width, headers)
        workbook.close()

    return RawSheet(path, sheet, header_row, headers, None, chunks(), notes)


def _frame(rows: list[list], first_row: int, first_col: int, width: int, headers: list[str]) -> pd.DataFrame:
    """Rows of calamine values as an object frame indexed by row number; blank rows dropped, blanks None."""
    values = np.empty((len(rows), width), dtype=object)
    used = max(0, min(width - first_col, len(rows[0]) if rows else 0))
    if used:
        block = np.array(rows, dtype=object)
        if block.ndim != 2:  # ragged rows cannot come from calamine, but keep the reader total
            block = pd.DataFrame(rows).to_numpy(dtype=object)
        values[:, first_col:first_col + used] = block[:, :used]
    blank = (values == "") | pd.isna(values)
    values[blank] = None
    keep = ~blank.all(axis=1)
    index = np.arange(first_row, first_row + len(rows))[keep]
    return pd.DataFrame(values[keep], index=index, columns=headers, dtype=object)


def _check_container(path: Path) -> None:
    """Refuse what is not an xlsx zip with a message for each common case."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(_ZIP_MAGIC):
        return
    if head.startswith(_CFB_MAGIC):
        if _holds(path, "EncryptionInfo".encode("utf-16-le")):
            raise DataError(f"{path.name}: the workbook must be saved without a password. Got a password-protected "
                            "(encrypted) workbook, which cannot be read. Open it in Excel, remove the password "
                            "(File > Info > Protect Workbook > Encrypt with Password, clear it) and save it again.",
                            reason=Message.of("dq.file.password", file=path.name))
        raise DataError(f"{path.name}: the file must be an .xlsx workbook. Got an old Excel 97-2003 (.xls) file "
                        "named .xlsx. Open it in Excel and save it as 'Excel Workbook (*.xlsx)'.",
                        reason=Message.of("dq.file.xls", file=path.name))
    if b"\x00" not in head and _is_text(head):
        raise DataError(f"{path.name}: the file must be an .xlsx workbook. Got a text (csv) file named .xlsx. "
                        "Rename it to .csv and set data.sources.<table>.file to that name, or open it in Excel "
                        "and save it as 'Excel Workbook (*.xlsx)'.",
                        reason=Message.of("dq.file.csv_named_xlsx", file=path.name))
    raise DataError(f"{path.name}: the file must be an .xlsx workbook. Got a file that is not one (it does not "
                    "start like a zip archive). Open it in Excel and save it again as .xlsx.",
                    reason=Message.of("dq.file.not_xlsx", file=path.name))


def _holds(path: Path, needle: bytes) -> bool:
    with open(path, "rb") as fh:
        tail = b""
        for block in iter(lambda: fh.read(_SCAN_BLOCK), b""):
            if needle in tail + block:
                return True
            tail = block[-len(needle):]
    return False


def _is_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):
            try:
                head[: len(head) - cut].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


@dataclass
class _Scan:
    sheet: str
    merged: list[str]
    notes: list[Note]


def _scan_workbook(path: Path, sheet: str | None, header_row: int, limits: Limits) -> _Scan:
    """Sheet listing, limits, merged header cells and formulas without a value, in one streaming pass."""
    max_bytes = int(limits.max_uncompressed_mb * 2**20)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path.name}: not a readable Excel workbook ({type(exc).__name__}: {exc}). "
                        "Open it in Excel and save it again as .xlsx.",
                        reason=Message.of("dq.file.unreadable", file=path.name)) from None
    with zf:
        declared = sum(info.file_size for info in zf.infolist())
        if declared > max_bytes:
            raise _too_large(path, None, f"unpacks to {declared / 2**20:,.0f} MB")
        try:
            names, targets = _sheet_targets(zf, max_bytes)
        except (KeyError, ElementTree.ParseError, StopIteration) as exc:
            raise DataError(f"{path.name}: not a readable Excel workbook (its sheet list is damaged: {exc}). "
                            "Open it in Excel and save it again as .xlsx.",
                            reason=Message.of("dq.file.unreadable", file=path.name)) from None
        if not names:
            raise DataError(f"{path.name}: the workbook has no sheet. Export the table again.", check="empty_file",
                            reason=Message.of("dq.file.no_sheet", file=path.name))
        if sheet is None:
            sheet = names[0]
        elif sheet not in names:
            raise DataError(f"{path.name}: sheet {sheet} not found. The workbook has "
                            f"{', '.join(names)}. Set data.sources.<table>.sheet in parameters to one of them.",
                            check="missing_sheet",
                            reason=Message.of("dq.file.missing_sheet", file=path.name, sheet=sheet,
                                               sheets=", ".join(names)))
        target = targets.get(sheet)
        if target is None or target not in zf.namelist():
            return _Scan(sheet, [], [])
        return _scan_sheet(zf, target, path, sheet, header_row, limits, max_bytes)


def _sheet_targets(zf: zipfile.ZipFile, max_bytes: int) -> tuple[list[str], dict[str, str]]:
    book = ElementTree.fromstring(_read_small(zf, "xl/workbook.xml", max_bytes))
    rels = ElementTree.fromstring(_read_small(zf, "xl/_rels/workbook.xml.rels", max_bytes))
    links = {r.get("Id"): r.get("Target") for r in rels}
    names, targets = [], {}
    sheets = book.find("m:sheets", _NS)
    for node in (sheets if sheets is not None else []):
        name = node.get("name")
        names.append(name)
        target = links.get(node.get(f"{{{_NS['r']}}}id"))
        if target:
            target = target.lstrip("/")
            targets[name] = target if target.startswith("xl/") else f"xl/{target}"
    return names, targets


def _read_small(zf: zipfile.ZipFile, name: str, max_bytes: int) -> bytes:
    with zf.open(name) as fh:
        data = fh.read(min(max_bytes, 64 << 20) + 1)
    if len(data) > min(max_bytes, 64 << 20):
        raise KeyError(f"{name} is implausibly large")
    return data


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb'<(?:\w+:)?f[^>]*>(.*?)</(?:\w+:)?f>', re.S)
_VALUE = re.compile(rb'<(?:\w+:)?v>\s*[^<\s]')


def _scan_sheet(zf, target, path, sheet, header_row, limits, max_bytes) -> _Scan:
    """Stream the sheet XML in blocks: count bytes and cells, collect merged ranges and formula notes."""
    merged, notes = [], []
    size = cells = 0
    carry = b""
    prefix = None
    with zf.open(target) as fh:
        while True:
            try:
                block = fh.read(_SCAN_BLOCK)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise DataError(f"{path.name}, sheet {sheet}: not a readable Excel workbook ({exc}). Open it in "
                                "Excel and save it again as .xlsx.",
                                reason=Message.of("dq.file.unreadable", file=path.name)) from None
            size += len(block)
            if size > max_bytes:
                raise _too_large(path, sheet, f"unpacks to more than {limits.max_uncompressed_mb:,.0f} MB")
            data = carry + block
            if block:  # cut after the last complete cell (or tag) so that no element is split
                cut = data.rfind(b"</c>")
                cut = cut + 4 if cut >= 0 else data.rfind(b">") + 1
                if cut <= 0:
                    if len(data) > 16 * _SCAN_BLOCK:
                        raise DataError(f"{path.name}, sheet {sheet}: the sheet's XML is damaged. Open the workbook "
                                        "in Excel and save it again as .xlsx.",
                                        reason=Message.of("dq.file.unreadable", file=path.name))
                    carry = data
                    continue
                done, carry = data[:cut], data[cut:]
            else:
                done, carry = data, b""
            if prefix is None:
                found = re.search(rb"<(\w+:)?worksheet\b", done)
                prefix = (found.group(1) or b"") if found else b""
            cells += done.count(b"<" + prefix + b"c ") + done.count(b"<" + prefix + b"c>")
            if cells > limits.max_cells:
                raise _too_large(path, sheet, f"holds more than {limits.max_cells:,} cells")
            if b"<f" in done or (prefix and b":f" in done):
                notes += _formula_notes(done, prefix)
            if b"mergeCell " in done:
                for a, r1, b, r2 in _MERGE.findall(done):
                    r2 = r2 or r1
                    if int(r1) <= header_row <= int(r2):
                        merged.append(f"{a.decode()}{r1.decode()}:{(b or a).decode()}{r2.decode()}")
            if not block:
                break
    return _Scan(sheet, merged, notes)


def _formula_notes(xml: bytes, prefix: bytes) -> list[Note]:
    """Formula cells in ``xml`` (whole cells only) that carry no saved value."""
    notes = []
    tag, cell_open, cell_close = b"<" + prefix + b"f", b"<" + prefix + b"c ", b"</" + prefix + b"c>"
    pos = xml.find(tag)
    while pos >= 0:
        if xml[pos + len(tag):pos + len(tag) + 1] in (b" ", b">", b"/"):
            start, end = xml.rfind(cell_open, 0, pos), xml.find(cell_close, pos)
            if start >= 0 and end >= 0:
                cell = xml[start:end]
                attrs, _, inner = cell.partition(b">")
                if not (_VALUE.search(inner) or (b't="str"' in attrs and b"<" + prefix + b"v" in inner)):
                    ref = _REF.search(attrs)
                    if ref:
                        letters, row = ref.group(1).decode(), int(ref.group(2))
                        formula = _FORMULA.search(inner)
                        text = formula.group(1).decode("utf-8", "replace") if formula else ""
                        notes.append(Note("formula_without_value", row, _column_index(letters), f"{letters}{row}",
                                          f"={text}" if text else "(shared formula)"))
                pos = end
        pos = xml.find(tag, pos + 1)
    return notes


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _too_large(path: Path, sheet: str | None, what: str) -> DataError:
    where = f"{path.name}, sheet {sheet}" if sheet else path.name
    return DataError(f"{where}: a workbook must unpack to at most data.max_uncompressed_mb MB and hold at most "
                     f"data.max_cells cells. Got one that {what}. If the file is genuine, raise data.max_uncompressed_mb "
                     "or data.max_cells in parameters/defaults.yaml; otherwise export the table again.",
                     check="too_large", reason=Message.of("dq.file.too_large", where=where))


def _clean_header(value) -> str:
    if value is None:
        return ""
    text = str(value).strip().replace("\n", "").replace("\u3000", "")
    return re.sub(r"\s+", " ", text)


# ---------------------------------------------------------------- value parsing

# a month alone (2026年10月, 2026-10, 202610: a target's month) is its first day
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d", "%Y-%m", "%Y%m")
# Excel serial numbers up to 2199-12-31 (later ones are typing errors, and beyond pandas' range)
_LAST_SERIAL = (pd.Timestamp("2199-12-31") - pd.Timestamp("1899-12-30")).days


def normalise_width(text: pd.Series) -> pd.Series:
    """Full-width digits, letters and signs (１２, ２０２６－１０－０５, ￥, ，, ．) as their ASCII forms:
    Unicode NFKC, applied only to the cells that are not ASCII (the others are unchanged by it), so a
    column of plain numbers or dates costs one vectorised test."""
    if text.dtype != object:  # pandas strings: a vectorised test
        wide = (text.notna() & ~text.str.isascii().fillna(True).astype(bool)).to_numpy(dtype=bool)
    else:  # the cells of one column joined: one C-level test for the usual, all-ASCII column
        present = text.notna().to_numpy()
        values = text.to_numpy(dtype=object)[present]
        if not len(values) or "".join(map(str, values)).isascii():
            return text
        wide = np.zeros(len(text), dtype=bool)
        wide[present] = np.fromiter((not str(v).isascii() for v in values), dtype=bool, count=len(values))
    if not wide.any():
        return text
    out = text.copy()
    out[wide] = [unicodedata.normalize("NFKC", str(value)) for value in text[wide]]
    return out


def cell_types(values: pd.Series) -> pd.Series:
    """The Python type of each cell of an object column (one C-level pass; the parsers split on it)."""
    return pd.Series(np.fromiter(map(type, values.to_numpy()), dtype=object, count=len(values)), index=values.index)


def blank_mask(values: pd.Series, types: pd.Series | None = None) -> pd.Series:
    """True where a cell is empty (None, NaN, or only spaces)."""
    if values.dtype == object:
        types = cell_types(values) if types is None else types
        blank = values.isna()
        strings = (types == str).to_numpy()
        if strings.any():  # a list comprehension: pandas' .str on object columns costs a lambda per cell
            blank[strings] = np.fromiter((not v.strip() for v in values.to_numpy()[strings]), dtype=bool,
                                         count=int(strings.sum()))
        return blank
    return values.isna() | (values.astype(str).str.strip() == "")


def as_text(values: pd.Series, types: pd.Series | None = None) -> pd.Series:
    """Cell values as stripped strings (None for blanks); 13800138000.0 becomes '13800138000'."""
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
    types = cell_types(values) if types is None else types
    out = np.full(len(values), None, dtype=object)
    strings = (types == str).to_numpy()
    if strings.any():
        out[strings] = np.fromiter(((v.strip() or None) for v in values.to_numpy()[strings]), dtype=object,
                                   count=int(strings.sum()))
    floats = (types == float).to_numpy()
    if floats.any():
        f = values[floats].to_numpy(dtype=float)
        whole = (f % 1 == 0) & (np.abs(f) < 1e15)
        shown = np.where(whole, np.where(whole, f, 0).astype("int64").astype(str), f.astype(str)).astype(object)
        shown[np.isnan(f)] = None
        out[floats] = shown
    rest = ~strings & ~floats & values.notna().to_numpy()
    if rest.any():
        out[rest] = values[rest].map(one).to_numpy(dtype=object)
    return pd.Series(out, index=values.index, dtype=object)


def parse_numbers(values: pd.Series, types: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse numbers, including numbers stored as text ('1,234.50', '¥300', '12%').

    Returns (float Series, mask of non-blank cells that are not numbers). ``types``: the
    column's :func:`cell_types`, when the caller has them.
    """
    if values.dtype == object:
        types = cell_types(values) if types is None else types
        if not (types == str).any() and types.isin((float, int, type(None))).all():  # numbers and blanks only
            numbers = pd.Series(values.to_numpy(), index=values.index).astype(float)
            return numbers, pd.Series(False, index=values.index)
        is_num = types.isin((float, int))  # not bool, a subclass of int with its own type
        numeric = pd.Series(np.nan, index=values.index)
        if is_num.any():
            numeric[is_num] = values[is_num].astype(float)
        rest = values.where(~is_num)
    else:
        is_num = pd.Series(False, index=values.index)
        numeric = pd.Series(np.nan, index=values.index)
        rest = values
    if values.dtype == object:
        rest_types = types.to_numpy(copy=True)
        rest_types[is_num.to_numpy()] = type(None)  # the numbers are taken: blanks for the text pass
        text = as_text(rest, pd.Series(rest_types, index=values.index))
    else:
        text = rest
    text = pd.Series(text, index=values.index, dtype="string").str.strip()
    parsed = pd.to_numeric(text.mask(text == ""), errors="coerce").astype(float)
    # only cells that are not plain numbers go through the slower clean-up of separators and symbols
    todo = parsed.isna() & text.notna() & (text != "")
    if todo.any():  # full-width digits (１２), 3,500元, ￥1，234．50 as typed in Chinese offices
        cleaned = normalise_width(text[todo]).str.replace(r"[,¥%\s元]", "", regex=True)
        parsed[todo] = pd.to_numeric(cleaned.mask(cleaned == ""), errors="coerce").astype(float)
    out = numeric.where(is_num, parsed)
    bad = out.isna() & ~blank_mask(values, types if values.dtype == object else None)
    return out, bad


def parse_dates(values: pd.Series, keep_time: bool = False,
                types: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse dates: Excel dates and serial numbers, 2026-10-05, 2026/10/5, 2026年10月5日, 20261005; a month alone
    (2026-10, 2026年10月, 202610) gives its first day.

    Returns (datetime64 Series, mask of non-blank cells that are not dates). ``types``: the
    column's :func:`cell_types`, when the caller has them.
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.dtype.kind in "iuf":  # a numeric column (serial numbers, 20261005, 202610): judged cell by cell
        values, types = values.astype(object), None
    if values.dtype == object:
        types = cell_types(values) if types is None else types
        kinds = types.map({dt.datetime: "d", dt.date: "d", pd.Timestamp: "d", float: "n", int: "n", str: "s",
                           type(None): "s"}).fillna("s")
        is_dt = kinds == "d"
        if is_dt.any():
            out[is_dt] = pd.to_datetime(values[is_dt].astype(object)).astype("datetime64[ns]")
        is_num = kinds == "n"
        if is_num.any():
            nums = pd.to_numeric(values[is_num], errors="coerce").astype(float)
            yyyymmdd = (nums >= 19000101) & (nums <= 29991231) & (nums % 1 == 0)
            out[is_num & yyyymmdd.reindex(values.index, fill_value=False)] = pd.to_datetime(
                nums[yyyymmdd].astype("int64").astype(str), format="%Y%m%d", errors="coerce")
            yyyymm = (~yyyymmdd & (nums >= 190001) & (nums <= 299912) & (nums % 1 == 0) & (nums % 100 >= 1)
                      & (nums % 100 <= 12))
            out[is_num & yyyymm.reindex(values.index, fill_value=False)] = pd.to_datetime(
                nums[yyyymm].astype("int64").astype(str), format="%Y%m", errors="coerce")
            serial = ~yyyymmdd & ~yyyymm & (nums >= 1) & (nums <= _LAST_SERIAL)
            out[is_num & serial.reindex(values.index, fill_value=False)] = _EXCEL_EPOCH + pd.to_timedelta(
                nums[serial], unit="D")
        strings = values[(kinds == "s") & values.notna()]
    else:
        types = None
        strings = values
    if len(strings):
        text = pd.Series(strings, dtype="string").str.strip()
        # ISO dates (2026-10-05, 2026-10-05 14:30) parse in one fast pass; the rest are normalised
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce").astype("datetime64[ns]")
        todo = parsed.isna() & text.notna() & (text != "")
        if todo.any():  # 2026/10/5, 2026年10月5日, and full-width ２０２６－１０－０５ (NFKC) first
            rest = (normalise_width(text[todo]).str.replace(r"\s*[年/.]\s*", "-", regex=True)
                    .str.replace(r"\s*月\s*", "-", regex=True).str.replace(r"\s*日", " ", regex=True)
                    .str.replace("T", " ", regex=False).str.strip().str.rstrip("-"))
            for fmt in _DATE_FORMATS:
                left = parsed.isna() & todo
                if not left.any():
                    break
                parsed[left] = pd.to_datetime(rest[left[todo].to_numpy()], format=fmt, errors="coerce")
        out[parsed.index] = parsed
    if not keep_time:
        out = out.dt.normalize()
    bad = out.isna() & ~blank_mask(values, types)
    return out, bad


def map_unique(values: pd.Series, func) -> pd.Series:
    """``values.map(func)`` computed once per distinct value: label columns have few of them."""
    distinct = pd.unique(values.dropna())
    return values.map({value: func(value) for value in distinct})
