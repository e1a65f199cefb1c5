"""The report site: pages parse, links resolve, nothing outside, Chinese present, data escaped, personal data masked."""

from __future__ import annotations

import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis import SiteError, load_parameters
from analysis.publish import publish_site, scan_site
from analysis.site import build_site
from conftest import DEMO_MONTH, make_project, run_cli

pytestmark = [pytest.mark.site, pytest.mark.notebook]
SCRIPT = "<script>alert('x')</script>"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture(scope="module")
def site_project(tmp_path_factory, demo_raw):
    """A demo project whose survey form carries a <script> header and comment; run and built once."""
    project = make_project(tmp_path_factory.mktemp("site") / "project", demo_raw, notebooks=True)
    path = project / "data" / "raw" / "客户满意度调查表.xlsx"
    wb = load_workbook(path)
    ws = wb.active
    ws.cell(row=1, column=ws.max_column + 1, value=SCRIPT)  # an unknown column: shown on the quality page
    headers = [c.value for c in ws[1]]
    # the first form: answered in the period, one item very dissatisfied -> on the CAPA list with its comment
    for header, value in (("发放日期", "2026-09-01"), ("回收日期", "2026-09-05"), ("交期", "很不满意"),
                          ("意见和建议", SCRIPT)):
        ws.cell(row=2, column=headers.index(header) + 1, value=value)
    wb.save(path)
    run_cli("--project", str(project), "run", "--month", DEMO_MONTH, check=True)
    return project


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.links, self.text, self.errors, self.tags = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def pages(site: Path):
    return sorted(site.rglob("*.html"))


def test_every_page_parses_and_every_internal_link_resolves(site_project):
    site = site_project / "reports" / "site"
    assert (site / "index.html").is_file() and (site / DEMO_MONTH / "data_quality.html").is_file()
    for page in pages(site):
        parser = PageParser()
        parser.feed(page.read_text("utf-8"))
        parser.close()
        assert parser.errors == [], f"{page}: {parser.errors[:3]}"
        assert parser.stack == [], f"{page}: unclosed {parser.stack}"
        assert parser.tags.count("title") == 1 and parser.tags.count("body") == 1
        for link in parser.links:
            if link.startswith(("data:", "#")):
                continue
            assert "://" not in link and not link.startswith("//"), f"{page}: outside link {link}"
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: broken link {link}"


def test_no_outside_url_anywhere_and_no_scripts(site_project):
    site = site_project / "reports" / "site"
    for path in site.rglob("*"):
        if path.is_file():
            text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", path.read_text("utf-8"))
            assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), path
            assert not re.search(r"url\(\s*[\"']?(https?:)?//", text), path
            assert "<script" not in text.lower(), f"{path}: pages need no script"


def test_chinese_text_and_a_script_typed_into_the_data_shows_as_text(site_project):
    page = (site_project / "reports" / "site" / DEMO_MONTH / "data_quality.html").read_text("utf-8")
    assert "数据质量" in page and "已加载的数据表" in page and "客户档案" in page
    assert "&lt;script&gt;alert(" in page  # the unknown column's header, escaped
    parser = PageParser()
    parser.feed(page)
    assert SCRIPT in "".join(parser.text)  # ...which a reader sees as text


def test_a_script_typed_into_a_survey_comment_shows_as_text(site_project):
    page = (site_project / "reports" / "site" / DEMO_MONTH / "satisfaction.html").read_text("utf-8")
    assert "&lt;script&gt;alert(" in page and "<script" not in page.lower()
    parser = PageParser()
    parser.feed(page)
    assert SCRIPT in "".join(parser.text)
    assert "不满意项目分析" in page and "交期" in page


def test_satisfaction_excel_list_is_in_the_run_folder(site_project):
    path = site_project / "reports" / "runs" / DEMO_MONTH / "satisfaction_CAPA清单.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["CAPA清单", "电话回访名单", "满意度分级"]
    ws = wb["CAPA清单"]
    assert [c.value for c in ws[1]][:3] == ["客户编号", "客户名称", "调查编号"]
    assert "联系电话" not in [c.value for c in ws[1]]  # exports.include_contacts is false
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    comments = [c.value for c in ws["I"]] + [c.value for c in ws["J"]]
    assert SCRIPT in comments


def test_index_has_archive_headlines_and_run_footer(site_project):
    index = (site_project / "reports" / "site" / "index.html").read_text("utf-8")
    assert "月报存档" in index and f'href="{DEMO_MONTH}/index.html"' in index
    assert "已加载数据表" in index and "7/7" in index  # headline figures recorded by the notebooks
    assert "调查回收率" in index and "总体得分率" in index and "CAPA 项目" in index
    assert "生成时间" in index and "参数指纹" in index and "输入文件" in index


def test_personal_data_never_reaches_the_site(site_project):
    site = site_project / "reports" / "site"
    assert scan_site(site) == []
    ws = load_workbook(site_project / "data" / "raw" / "客户档案.xlsx", read_only=True).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    text = "".join(p.read_text("utf-8") for p in pages(site))
    for row in rows[:50]:
        for value in (row[1], row[2], row[3], row[4]):  # name, contact, phone, e-mail
            assert str(value) not in text


def test_english_site_on_request(site_project, tmp_path):
    run_cli("--project", str(site_project), "run", "--month", DEMO_MONTH, "-p", "site.language=en", check=True)
    page = (site_project / "reports" / "site" / DEMO_MONTH / "data_quality.html").read_text("utf-8")
    assert "Data quality" in page and "Tables loaded" in page and 'lang="en"' in page
    assert "已加载的数据表" not in page
    run_cli("--project", str(site_project), "run", "--month", DEMO_MONTH, check=True)  # back to zh-CN


def test_a_failed_build_leaves_the_last_good_site(site_project, monkeypatch):
    params = load_parameters(root=site_project, month=DEMO_MONTH)
    site = site_project / "reports" / "site"
    before = (site / "index.html").read_text("utf-8")
    import analysis.site as site_module

    monkeypatch.setattr(site_module, "_notebook_body",
                        lambda exporter, nb: '<img src="https://cdn.example.com/x.png">')
    (site / ".build").unlink()  # as if a run had changed: the site is rebuilt
    with pytest.raises(SiteError, match="references an outside URL"):
        build_site(params)
    assert (site / "index.html").read_text("utf-8") == before
    assert not list(site.parent.glob(".site-staging-*"))
    monkeypatch.undo()
    build_site(params)  # restore the stamp for the tests that follow


def test_quarto_engine_without_quarto_is_a_clear_error(site_project, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    params = load_parameters(root=site_project, month=DEMO_MONTH, overrides={"site.engine": "quarto"})
    with pytest.raises(SiteError, match="site.engine is quarto, but the quarto binary is not on PATH"):
        build_site(params)


def test_quarto_engine_writes_a_project_and_calls_quarto(site_project, tmp_path, monkeypatch):
    """A stand-in quarto binary checks the project it is given and renders a trivial site."""
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    fake.write_text(f"""#!/bin/sh
set -e
[ "$1" = render ] || exit 3
grep -q '"type": "website"' "$2/_quarto.yml"
test -f "$2/{DEMO_MONTH}/data_quality.ipynb"
mkdir -p "$2/_site/{DEMO_MONTH}"
cp "$2/index.qmd" "$2/_site/index.html"
echo '<html><body>quarto page</body></html>' > "$2/_site/{DEMO_MONTH}/data_quality.html"
""")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    params = load_parameters(root=site_project, month=DEMO_MONTH, overrides={"site.engine": "quarto"})
    site = build_site(params)
    assert "quarto page" in (site / DEMO_MONTH / "data_quality.html").read_text("utf-8")
    assert "数据质量" in (site / "index.html").read_text("utf-8")
    build_site(load_parameters(root=site_project, month=DEMO_MONTH))  # back to the built-in engine


def test_publish_is_atomic_keeps_earlier_months_and_refuses_personal_data(site_project, tmp_path):
    params = load_parameters(root=site_project, month=DEMO_MONTH)
    target = tmp_path / "intranet"
    (target / "2025-01").mkdir(parents=True)
    (target / "2025-01" / "index.html").write_text("older month", "utf-8")
    publish_site(params, target)
    assert (target / DEMO_MONTH / "data_quality.html").is_file() and (target / "index.html").is_file()
    assert (target / "2025-01" / "index.html").read_text("utf-8") == "older month"
    assert not list(target.glob(".publish-staging-*"))
    # a page that carries a phone number is refused, with exit code 2, and nothing is copied
    page = site_project / "reports" / "site" / DEMO_MONTH / "data_quality.html"
    original = page.read_text("utf-8")
    page.write_text(original.replace("</main>", "<p>联系 13912345678 或 wang.wei@example.cn</p></main>"), "utf-8")
    other = tmp_path / "other"
    try:
        proc = run_cli("--project", str(site_project), "publish", "--to", str(other))
    finally:
        page.write_text(original, "utf-8")
    assert proc.returncode == 2
    assert f"{DEMO_MONTH}/data_quality.html: 1 mobile phone(s), e.g. 139****5678" in proc.stderr
    assert "1 e-mail(s), e.g. w***@example.cn" in proc.stderr
    assert "13912345678" not in proc.stderr
    assert not other.exists() or not any(other.iterdir())


def test_serve_previews_on_loopback(site_project):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "--project", str(site_project), "serve",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=2) as response:
                    body = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("workbench serve did not answer")
        assert "月报存档" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
