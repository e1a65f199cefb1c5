"""The report site over the session's demo runs (zh-CN, en, split by branch, with payloads planted in the
data): pages parse, links resolve, nothing outside, nothing raw, data escaped, personal data masked,
Excel lists one click away, the front page, and a build that fails leaves the last good site."""

from __future__ import annotations

import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

import site_check
from analysis import SiteError, load_parameters, load_tables
from analysis.publish import scan_site
from analysis.site import build_site
from conftest import (BRACES_BRANCH, CONTACT_COMMENT, DEMO_MONTH, HOSTILE_BRANCH, PHONE_REASON, SCRIPT, copy_project,
                      run_cli)

pytestmark = [pytest.mark.site, pytest.mark.notebook]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
RUNS = ["demo_run", "en_run", "branch_run"]


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.links, self.text, self.errors, self.scripts = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "script":
            self.scripts.append(attrs.get("src"))
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


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text("utf-8"))
    return parser


def site_of(project: Path) -> Path:
    return project / "reports" / "site"


@pytest.mark.parametrize("run", RUNS)
def test_every_page_parses_and_every_internal_link_resolves(run, request):
    site = site_of(request.getfixturevalue(run))
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        parser = parse(page)
        assert parser.errors == [], f"{page.relative_to(site)}: {parser.errors[:3]}"
        for link in parser.links:
            if link.startswith(("data:", "#")):
                continue
            target = (page.parent / link.split("#")[0].split("?")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: broken link {link}"


@pytest.mark.parametrize("run", RUNS)
def test_nothing_outside_and_only_our_own_scripts(run, request):
    site = site_of(request.getfixturevalue(run))
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".css", ".js", ".svg"):
            text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", path.read_text("utf-8"))
            assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), path
            assert not re.search(r"url\(\s*[\"']?(https?:)?//", text), path
            assert not re.search(r"\bfetch\(|XMLHttpRequest|import\(", text), path
    for page in site.rglob("*.html"):
        scripts = parse(page).scripts
        assert all(s and re.fullmatch(r"(\.\./)*assets/(site|search-index)\.js", s) for s in scripts), (page, scripts)


def data_text(project: Path, **overrides) -> str:
    params = load_parameters(root=project, month=DEMO_MONTH, overrides=overrides)
    return site_check.data_text(params, load_tables(params))


def test_no_page_shows_raw_program_output_or_english_on_the_chinese_site(demo_run):
    assert site_check.check_site(site_of(demo_run), "zh-CN", data_text(demo_run)) == []


def test_no_page_shows_raw_program_output_or_chinese_on_the_english_site(en_run):
    assert site_check.check_site(site_of(en_run), "en", data_text(en_run, **{"site.language": "en"})) == []


def test_no_page_of_a_branch_run_shows_raw_program_output(branch_run):
    assert site_check.check_site(site_of(branch_run), "zh-CN", data_text(branch_run)) == []


def test_the_site_check_catches_what_it_must(tmp_path):
    # the check itself: each class of defect on a page is found
    page = ("<html><body><p>PosixPath('/x/y.xlsx')</p><td>NaN</td><td>&lt;NA&gt;</td><td>channel</td>"
            "<td>delivery</td><img src='data:image/png;base64,AAAA' alt='No description has been provided for this "
            "image'><img src='a.svg'></body></html>")
    problems = site_check.check_page(page, "zh-CN")
    for expected in ("PosixPath", "NaN", "<NA>", "'channel'", "'delivery'", "without an alt"):
        assert any(expected in p for p in problems), expected
    assert any("Chinese on an en page" in p for p in site_check.check_page("<p>已加载 loaded</p>", "en"))
    assert site_check.check_page("<p>上海分公司 loaded</p>", "en", "上海分公司") == []


def test_text_typed_into_the_data_shows_as_text(demo_run):
    site = site_of(demo_run) / DEMO_MONTH
    quality = (site / "data_quality.html").read_text("utf-8")
    assert "数据质量" in quality and "已加载的数据表" in quality and "&lt;script&gt;alert(" in quality
    assert SCRIPT in "".join(parse(site / "data_quality.html").text)  # the unknown header, read as text
    satisfaction = (site / "satisfaction.html").read_text("utf-8")
    assert SCRIPT in "".join(parse(site / "satisfaction.html").text)  # the survey comment on the CAPA list
    assert "alert('x')" not in re.sub(r"&lt;script&gt;alert\('x'\)&lt;/script&gt;", "", satisfaction.replace("&#x27;", "'"))


def test_branch_pages_escape_their_names_and_live_in_readable_folders(branch_run):
    period = site_of(branch_run) / DEMO_MONTH
    assert (period / "上海分公司" / "data_quality.html").is_file()
    # braces are no template; in a folder name they would need escaping in every link, so they become dashes
    braces_folder = period / BRACES_BRANCH.replace("{", "-").replace("}", "-")
    assert (braces_folder / "data_quality.html").is_file()
    month_page = (period / "index.html").read_text("utf-8")
    assert "分公司/区域报告" in month_page and "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img" in month_page
    for page in period.rglob("*.html"):
        text = page.read_text("utf-8")
        assert "<script>alert(1)" not in text and "onerror=alert(2)>" not in text.replace("&gt;", ""), page
    braces = (braces_folder / "data_quality.html").read_text("utf-8")
    assert f"分公司 = {BRACES_BRANCH}" in braces  # the scope note names it, as text
    hostile = [p for p in period.iterdir() if p.is_dir() and "script" in p.name]
    assert len(hostile) == 1 and not re.search(r"[<>'\"/\\]", hostile[0].name)
    scopes = load_parameters(root=branch_run, month=DEMO_MONTH)
    assert scopes.run.split_by is None  # the split was a command-line value


def test_excel_lists_are_one_click_away(demo_run):
    period = site_of(demo_run) / DEMO_MONTH
    month_page = (period / "index.html").read_text("utf-8")
    assert "Excel 名单" in month_page
    links = [link for link in parse(period / "index.html").links if link.endswith(".xlsx")]
    assert len(links) == 7  # targets, overdue receivables, CAPA, follow-up, retention, graded and requirement lists
    for link in links:
        assert (period / link).is_file()
    satisfaction = parse(period / "satisfaction.html")
    capa = next(link for link in satisfaction.links if link.endswith(".xlsx"))
    book = load_workbook(period / capa, read_only=True)
    assert book.sheetnames == ["CAPA清单", "电话回访名单", "应调查客户", "满意度分级"]
    cells = [str(c) for row in book["CAPA清单"].iter_rows(values_only=True) for c in row if c is not None]
    assert any(SCRIPT in c for c in cells)  # text as text
    assert not any("1234-5678" in c or "li.na@example.cn" in c for c in cells)  # contacts masked as on the page
    assert any("139-****-5678" in c for c in cells)  # masked in the format it was typed in
    headers = [c for c in next(book["CAPA清单"].iter_rows(max_row=1, values_only=True))]
    assert "首次列入月份" in headers and "状态" in headers  # the register follows items across months
    follow = next(link for link in parse(period / "lead_conversion.html").links if link.endswith(".xlsx"))
    for path in (period / "lead_conversion.html", period / follow):
        text = path.read_text("utf-8", errors="replace") if path.suffix == ".html" else " ".join(
            str(c) for ws in load_workbook(path, read_only=True) for row in ws.iter_rows(values_only=True) for c in row)
        assert "流失概率" not in text  # the lead probability is a conversion probability
    assert "成交概率" in (period / "lead_conversion.html").read_text("utf-8")


def test_the_published_copy_is_as_clean_as_the_site(demo_run, tmp_path):
    target = tmp_path / "intranet"
    proc = run_cli("--project", str(copy_project(demo_run, tmp_path / "p")), "publish", "--to", str(target))
    assert proc.returncode == 0, proc.stderr
    assert scan_site(target) == []
    assert site_check.check_site(target, "zh-CN", data_text(demo_run)) == []
    text = "".join(p.read_text("utf-8") for p in target.rglob("*.html"))
    assert "13912345678" not in text and "<script>alert(" not in text


def test_front_page_overview_findings_and_footer(demo_run):
    index = (site_of(demo_run) / "index.html").read_text("utf-8")
    assert "本期概览" in index and "本期要点" in index and f'href="{DEMO_MONTH}/index.html"' in index
    assert "调查回收率" in index and "总体得分率" in index and "11/11" in index
    assert "报告存档" in index and "生成时间" in index and "参数指纹" in index and "输入文件" in index
    assert re.search(r"<dd>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</dd>", index)  # local time, not an ISO stamp in UTC
    order = [m.group(1) for m in re.finditer(r'<span class="wb-chip"><a href="2026-10/(\w+)\.html"', index)]
    assert order == ["sales_summary", "data_quality", "satisfaction", "lead_conversion", "churn_risk",
                     "customer_grading", "requirements"]


def test_personal_data_never_reaches_the_site(demo_run):
    site = site_of(demo_run)
    assert scan_site(site) == []  # pages, scripts and the Excel lists in the site
    ws = load_workbook(demo_run / "data" / "raw" / "客户档案.xlsx", read_only=True).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    text = "".join(p.read_text("utf-8") for p in site.rglob("*.html"))
    text += (site / "assets" / "search-index.js").read_text("utf-8")
    for row in rows[:50]:
        for value in (row[1], row[2], row[3], row[4]):  # name, contact, phone, e-mail
            assert str(value) not in text
    assert "13912345678" not in text and "139-1234-5678" not in text and "li.na@example.cn" not in text
    assert PHONE_REASON.replace("13912345678", "139****5678") in text  # the lost reason, masked


def test_english_site_on_request_and_no_mixed_languages(en_run, tmp_path):
    page = (site_of(en_run) / DEMO_MONTH / "data_quality.html").read_text("utf-8")
    assert "Data quality" in page and "Tables loaded" in page and 'lang="en"' in page
    assert "已加载的数据表" not in page
    # the English run has its own folder: a Chinese run of the month goes beside it, not over it, and the
    # Chinese build shows the Chinese run (review: an English run used to replace the Chinese one)
    project = copy_project(en_run, tmp_path / "p")
    english = (project / "reports" / "runs" / f"{DEMO_MONTH}.en" / "manifest.json").read_text("utf-8")
    run_cli("--project", str(project), "run", "--month", DEMO_MONTH, "-p", "run.notebooks=[data_quality]", check=True)
    runs = project / "reports" / "runs"
    assert (runs / DEMO_MONTH / "manifest.json").is_file()
    assert (runs / f"{DEMO_MONTH}.en" / "manifest.json").read_text("utf-8") == english
    chinese = (site_of(project) / DEMO_MONTH / "data_quality.html").read_text("utf-8")
    assert 'lang="zh-CN"' in chinese and "已加载的数据表" in chinese
    # only English runs: a Chinese site would mix languages, so build-site says how to get one
    import shutil

    shutil.rmtree(project / "reports" / "runs" / DEMO_MONTH)
    proc = run_cli("--project", str(project), "build-site")
    assert proc.returncode == 2 and "no run was executed in zh-CN" in proc.stderr
    assert (site_of(project) / "index.html").read_text("utf-8").count('lang="zh-CN"') == 1  # the last good site


def test_a_failed_build_leaves_the_last_good_site(demo_run, tmp_path, monkeypatch):
    project = copy_project(demo_run, tmp_path / "p")
    params = load_parameters(root=project, month=DEMO_MONTH)
    site = site_of(project)
    before = (site / "index.html").read_text("utf-8")
    import analysis.site as site_module

    monkeypatch.setattr(site_module, "_notebook_body",
                        lambda exporter, nb: '<img src="https://cdn.example.com/x.png" alt="x">')
    (site / ".build").unlink()  # as if a run had changed: the site is rebuilt
    with pytest.raises(SiteError, match="references an outside URL"):
        build_site(params)
    assert (site / "index.html").read_text("utf-8") == before
    assert not list(site.parent.glob(".site-staging-*"))


def test_quarto_engine_without_quarto_is_a_clear_error(demo_run, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    params = load_parameters(root=demo_run, month=DEMO_MONTH, overrides={"site.engine": "quarto"})
    with pytest.raises(SiteError, match="site.engine is quarto, but the quarto binary is not on PATH"):
        build_site(params)


def test_quarto_engine_writes_a_project_and_calls_quarto(demo_run, tmp_path, monkeypatch):
    """A stand-in quarto binary checks the project it is given and renders a trivial site."""
    project = copy_project(demo_run, tmp_path / "p")
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
    params = load_parameters(root=project, month=DEMO_MONTH, overrides={"site.engine": "quarto"})
    site = build_site(params)
    assert "quarto page" in (site / DEMO_MONTH / "data_quality.html").read_text("utf-8")
    assert "数据质量" in (site / "index.html").read_text("utf-8")


def test_serve_previews_on_loopback(demo_run):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "--project", str(demo_run), "serve",
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
        assert "报告存档" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
