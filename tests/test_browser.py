"""A real browser (Debian's headless Chromium): the site loads, requests stay on the machine, no console error."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import DEMO_MONTH, make_project, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.notebook]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def served_site(tmp_path_factory, demo_raw):
    project = make_project(tmp_path_factory.mktemp("browser") / "project", demo_raw, notebooks=True)
    run_cli("--project", str(project), "run", "--month", DEMO_MONTH, check=True)
    site = project / "reports" / "site"
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/bootstrap.sh installs it)")
def test_index_and_report_page_in_headless_chromium(served_site, tmp_path):
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("WORKBENCH_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    outside, console_errors = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS[1:], headless=True)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, user_agent="workbench-test")
        page = context.new_page()

        def watch(request):
            if not request.url.startswith((served_site, "data:")):
                outside.append(request.url)

        page.on("request", watch)
        page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
        page.on("pageerror", lambda exc: console_errors.append(str(exc)))
        page.goto(f"{served_site}/index.html", wait_until="networkidle")
        assert "客户洞察月报" in page.title()
        page.screenshot(path=str(shots / "index.png"), full_page=True)
        page.click(f"a[href='{DEMO_MONTH}/data_quality.html']")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").first.inner_text().startswith("数据质量")
        images = page.locator(".wb-report img")
        assert images.count() >= 1
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        # readable on a laptop screen: nothing wider than the viewport
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        page.screenshot(path=str(shots / "data_quality.png"), full_page=True)
        browser.close()
    assert outside == [], f"requests left the machine: {outside}"
    assert console_errors == []
    assert (shots / "index.png").stat().st_size > 10_000
