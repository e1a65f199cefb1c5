"""A real browser (Debian's headless Chromium) on the session's demo sites: every page at 1366 px and 390 px,
a short header and no sideways scrolling on a phone, every chart loaded, search that works offline (also from
file://), and no request leaving the machine, no console error.

``pytest --screenshots`` also saves a full-page screenshot of each page into reports/screenshots/ to look at
(painting and encoding them is most of the time these tests take, so only when asked)."""

from __future__ import annotations

import functools
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import DEMO_MONTH, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.notebook]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "reports" / "screenshots"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/bootstrap.sh installs it)")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


class Watched:
    """A page that records requests leaving the site and console errors."""

    def __init__(self, browser, base: str, width: int, height: int):
        self.context = browser.new_context(viewport={"width": width, "height": height}, user_agent="workbench-test")
        self.page = self.context.new_page()
        self.outside, self.errors = [], []
        self.page.on("request", lambda r: None if r.url.startswith((base, "data:")) else self.outside.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def close(self):
        self.context.close()


def _check_layout(page, width: int, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways at {width} px"
    header = page.evaluate("document.querySelector('.wb-header').getBoundingClientRect().height")
    assert header < 120, f"{name}: the header takes {header} px at {width} px"
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"), name


@pytest.fixture(scope="module")
def shots(request) -> bool:
    """Whether to save screenshots (pytest --screenshots); the folder is emptied first, so that every file in it
    is of this session."""
    if request.config.getoption("--screenshots"):
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True)
        return True
    return False


def _visit_every_page(browser, project: Path, pages: list[str], device: str, shots: bool, prefix: str = "") -> None:
    """Open each page at the device's width: no sideways scroll, a compact header, every image loaded, no
    request leaving the machine, no console error; with ``shots``, a screenshot of each into SHOTS."""
    width, height = WIDTHS[device]
    server, base = serve(project / "reports" / "site")
    watched = Watched(browser, base, width, height)
    try:
        for name in pages:
            # every resource of a page is in the site and the charts are inline: at "load" the images are in
            # (checked below); "networkidle" would wait another 500 ms of quiet on every page
            watched.page.goto(f"{base}/{name}", wait_until="load")
            _check_layout(watched.page, width, name)
            if shots:
                shot = f"{prefix}{name.replace('/', '_').removesuffix('.html')}-{width}.png"
                watched.page.screenshot(path=str(SHOTS / shot), full_page=True)
    finally:
        watched.close()
        server.shutdown()
    assert watched.outside == [], f"requests left the machine: {watched.outside}"
    assert watched.errors == []


@needs_chromium
@pytest.mark.parametrize("device", list(WIDTHS))
def test_every_page_at_laptop_and_phone_width(demo_run, browser, device, shots):
    month = demo_run / "reports" / "site" / DEMO_MONTH
    pages = ["index.html", "search.html", f"{DEMO_MONTH}/index.html",
             *[f"{DEMO_MONTH}/{p.name}" for p in sorted(month.glob("*.html")) if p.name != "index.html"]]
    _visit_every_page(browser, demo_run, pages, device, shots)
    assert not shots or (SHOTS / f"index-{WIDTHS[device][0]}.png").stat().st_size > 10_000


@needs_chromium
@pytest.mark.parametrize("device", list(WIDTHS))
def test_branch_pages_at_laptop_and_phone_width(branch_run, browser, device, shots):
    _visit_every_page(browser, branch_run, [f"{DEMO_MONTH}/index.html", f"{DEMO_MONTH}/上海分公司/data_quality.html"],
                      device, shots, prefix="branch-")


@needs_chromium
def test_tables_sort_and_filter_in_the_browser(demo_run, browser):
    server, base = serve(demo_run / "reports" / "site")
    watched = Watched(browser, base, 1366, 900)
    try:
        page = watched.page
        page.goto(f"{base}/{DEMO_MONTH}/lead_conversion.html", wait_until="networkidle")
        table = page.locator("table.wb-table").nth(2)  # conversion by channel
        header = table.locator("th").nth(3)  # conversion rate
        header.click()
        values = [float(v) for v in table.locator("tbody td:nth-child(4)").evaluate_all(
            "cells => cells.map(c => c.dataset.sort)")]
        assert values == sorted(values)
        header.click()
        values = [float(v) for v in table.locator("tbody td:nth-child(4)").evaluate_all(
            "cells => cells.map(c => c.dataset.sort)")]
        assert values == sorted(values, reverse=True)
        filtered = page.locator("input.wb-filter").first
        long_table = page.locator(".wb-filter + .wb-scroll table").first
        first_cell = long_table.locator("tbody tr").first.locator("td").first.inner_text()
        filtered.fill(first_cell)
        visible = long_table.locator("tbody tr:not([hidden])").count()
        assert 1 <= visible < long_table.locator("tbody tr").count()
    finally:
        watched.close()
        server.shutdown()
    assert watched.errors == [] and watched.outside == []


@needs_chromium
@pytest.mark.parametrize("mode", ["http", "file"])
def test_search_finds_a_customer_and_a_word_of_a_complaint(demo_run, browser, mode):
    site = demo_run / "reports" / "site"
    text = (site / DEMO_MONTH / "satisfaction.html").read_text("utf-8")
    customer = re.search(r">(C\d{4,})<", text).group(1)  # a customer on the satisfaction page
    complaint = re.search(r"<td class=\"text\">([\u4e00-\u9fff]{4,})", text)
    word = (complaint.group(1) if complaint else "交期")[:4]
    server, base = serve(site) if mode == "http" else (None, site.as_uri())
    watched = Watched(browser, base, 1366, 900)
    try:
        page = watched.page
        for query, expected in ((customer, "satisfaction.html"), (word, "satisfaction.html")):
            page.goto(f"{base}/search.html?q={query}")
            page.wait_for_selector("#wb-results li", timeout=5000)
            links = page.locator("#wb-results li a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
            assert any(link.endswith(expected) for link in links), (query, links)
            page.locator(f"#wb-results li a[href$='{expected}']").first.click()
            page.wait_for_load_state()
            assert query in page.content()
    finally:
        watched.close()
        if server:
            server.shutdown()
    assert watched.outside == [] and watched.errors == []
