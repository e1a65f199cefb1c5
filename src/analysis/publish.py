"""Publish the built site to the intranet folder atomically, refusing pages or Excel lists with personal data; local preview."""

from __future__ import annotations

import errno
import functools
import os
import shutil
from pathlib import Path
from typing import Callable

from ._files import swap_in
from .config import Parameters
from .errors import PublishError
from .privacy import scan_text
from .site import _DATA_URI, OUTSIDE_URL

TEXT_SUFFIXES = {".html", ".htm", ".css", ".js", ".mjs", ".json", ".txt", ".csv", ".tsv", ".md", ".xml", ".svg"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


def scan_site(site: Path) -> list[str]:
    """Problems that forbid publishing, one line per file and kind: contact details (pages, text files and
    every cell of the Excel workbooks) and outside URLs (pages)."""
    problems = []
    for path in sorted(site.rglob("*")):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in TEXT_SUFFIXES | WORKBOOK_SUFFIXES:
            continue
        name = path.relative_to(site).as_posix()
        if suffix in WORKBOOK_SUFFIXES:
            problems += [f"{name}: {line}" for line in scan_workbook(path)]
            continue
        text = _DATA_URI.sub("", path.read_text("utf-8", errors="replace"))
        problems += [f"{name}: {line}" for line in _summarise((f, "") for f in scan_text(text))]
        if OUTSIDE_URL.search(text):
            problems.append(f"{name}: references an outside URL")
    return problems


def scan_workbook(path: Path) -> list[str]:
    """Contact details in any cell of any sheet of a workbook, one line per kind with the first cell.

    Numbers are read as written (a phone typed into a number cell is ``13912345678``); a workbook
    that cannot be read is a problem too, since it cannot be shown to be clean.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        found = []
        for sheet_name in book.sheet_names:
            sheet = book.get_sheet_by_name(sheet_name)
            first_col = sheet.start[1] if sheet.start else 0
            for r, row in enumerate(sheet.iter_rows(), 1):  # rows from row 1, columns from the first used one
                for c, value in enumerate(row, first_col + 1):
                    text = _cell_text(value)
                    if text:
                        found += [(f, f"sheet {sheet_name}, cell {_column_letter(c)}{r}") for f in scan_text(text)]
    except Exception as exc:  # calamine raises its own types for a damaged zip or XML
        return [f"cannot be read to check it for personal data ({type(exc).__name__}: {exc}). "
                "Remove it from the site or rebuild it."]
    return _summarise(found)


def _cell_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return ""


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _summarise(found) -> list[str]:
    """``[(Finding, where)]`` -> one line per kind: count and the first case, masked."""
    by_kind: dict[str, list[tuple]] = {}
    for finding, where in found:
        by_kind.setdefault(finding.kind, []).append((finding, where))
    lines = []
    for kind, cases in by_kind.items():
        first, where = cases[0]
        lines.append(f"{len(cases)} {kind}(s), e.g. {first.masked}" + (f" ({where})" if where else ""))
    return lines


def publish_site(params: Parameters, target: Path, progress: Callable[[str], None] | None = None) -> Path:
    """Copy ``reports/site`` into ``target``: each month folder and the index are swapped in whole.

    Months already in ``target`` that the site does not hold are kept.

    Raises
    ------
    PublishError
        no site built yet, or a page carries personal data or an outside URL (nothing is copied).
    """
    say = progress or (lambda _m: None)
    site = params.root / "reports" / "site"
    if not (site / "index.html").is_file():
        raise PublishError(f"{site}: no site to publish. Run `workbench run` (or `workbench build-site`) first.")
    problems = scan_site(site)
    if problems:
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise PublishError("the site was not published: personal data or outside references found:\n  "
                           + "\n  ".join(problems[:20]) + more
                           + "\nMask these fields in the notebooks and Excel lists (analysis.privacy.mask_text) "
                           "and rebuild the site.")
    target = Path(target).resolve()
    target.mkdir(parents=True, exist_ok=True)
    staging = target / f".publish-staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        shutil.copytree(site, staging)
        entries = sorted(staging.iterdir(), key=lambda p: p.name == "index.html")  # index last
        for entry in entries:
            dest = target / entry.name
            if entry.is_dir():
                swap_in(entry, dest)
            else:
                os.replace(entry, dest)
            say(f"  published {entry.name}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def serve_site(params: Parameters, port: int = 8000, progress: Callable[[str], None] | None = None) -> None:
    """Serve ``reports/site`` on http://127.0.0.1:PORT/ until interrupted."""
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    say = progress or print
    site = params.root / "reports" / "site"
    if not (site / "index.html").is_file():
        raise PublishError(f"{site}: no site to serve. Run `workbench run` first.")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, getattr(errno, "WSAEADDRINUSE", -1)):
            busy = exc.errno != errno.EACCES  # EACCES: a port below 1024 without administrator rights
            what, fix = (("is in use", "Stop the other server (an earlier preview?) or choose another port")
                         if busy else ("needs administrator rights", "Choose a port above 1023"))
            raise PublishError(f"http://127.0.0.1:{port}/: the port {what} ({exc.strerror}). {fix}, e.g. "
                               f"`workbench serve --port {port + 1 if busy and port else 8000}`.") from None
        raise
    with server:
        say(f"serving {site} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
