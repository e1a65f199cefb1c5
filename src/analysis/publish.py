"""Publish the built site to the intranet folder atomically, refusing pages with personal data; local preview."""

from __future__ import annotations

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

TEXT_SUFFIXES = {".html", ".htm", ".css", ".js", ".json", ".txt", ".csv", ".md", ".xml", ".svg"}


def scan_site(site: Path) -> list[str]:
    """Problems that forbid publishing: personal data or outside URLs, one line per page and kind."""
    problems = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        text = _DATA_URI.sub("", path.read_text("utf-8", errors="replace"))
        by_kind: dict[str, list[str]] = {}
        for finding in scan_text(text):
            by_kind.setdefault(finding.kind, []).append(finding.masked)
        for kind, samples in by_kind.items():
            problems.append(f"{path.relative_to(site)}: {len(samples)} {kind}(s), e.g. {samples[0]}")
        if OUTSIDE_URL.search(text):
            problems.append(f"{path.relative_to(site)}: references an outside URL")
    return problems


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
        raise PublishError("the site was not published: personal data or outside references found:\n  "
                           + "\n  ".join(problems[:20])
                           + "\nMask these fields in the notebooks (analysis.report.show masks free text) and rebuild.")
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
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        say(f"serving {site} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
