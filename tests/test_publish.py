"""Publishing: the copy is atomic and complete, and nothing carrying a contact detail leaves the project."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from analysis import PublishError, load_parameters
from analysis.publish import publish_site, scan_site
from conftest import DEMO_MONTH, make_project, run_cli
from test_privacy import MUST_MATCH

CLEAN_PAGE = ("<html><body><main><h1>客户满意度</h1><p>订单 SO2610000012345 金额 1,234,567.89 元，"
              "日期 2026-10-05，联系人 139****5678</p></main></body></html>")


@pytest.fixture
def site_project(tmp_path):
    """A project with a small built site (no notebooks run): an index, a month page and its Excel list."""
    project = make_project(tmp_path / "project")
    site = project / "reports" / "site"
    (site / DEMO_MONTH).mkdir(parents=True)
    (site / "index.html").write_text(CLEAN_PAGE, "utf-8")
    (site / DEMO_MONTH / "satisfaction.html").write_text(CLEAN_PAGE, "utf-8")
    _workbook(site / DEMO_MONTH / "satisfaction_capa.xlsx", {"B2": "交期延误", "C3": 13.5})
    return project


def _workbook(path, cells: dict, sheet: str = "CAPA") -> None:
    book = Workbook()
    book.active.title = sheet
    book.active["A1"] = "客户编号"
    for ref, value in cells.items():
        book.active[ref] = value
    book.save(path)


def _publish(project, target):
    return publish_site(load_parameters(root=project, month=DEMO_MONTH), target)


def test_publish_copies_the_site_and_keeps_earlier_months(site_project, tmp_path):
    target = tmp_path / "intranet"
    (target / "2025-01").mkdir(parents=True)
    (target / "2025-01" / "index.html").write_text("older month", "utf-8")
    _publish(site_project, target)
    assert (target / DEMO_MONTH / "satisfaction.html").read_text("utf-8") == CLEAN_PAGE
    assert (target / DEMO_MONTH / "satisfaction_capa.xlsx").is_file()
    assert (target / "2025-01" / "index.html").read_text("utf-8") == "older month"
    assert sorted(p.name for p in target.iterdir()) == ["2025-01", DEMO_MONTH, "index.html"]  # no staging left


@pytest.mark.parametrize("text,kind,masked", MUST_MATCH)
def test_a_page_with_any_contact_format_is_refused(site_project, tmp_path, text, kind, masked):
    page = site_project / "reports" / "site" / DEMO_MONTH / "satisfaction.html"
    page.write_text(CLEAN_PAGE.replace("</main>", f"<p>回访：{text}</p></main>"), "utf-8")
    with pytest.raises(PublishError) as err:
        _publish(site_project, tmp_path / "intranet")
    assert f"{DEMO_MONTH}/satisfaction.html: 1 {kind}(s), e.g. " in str(err.value)
    assert text not in str(err.value)
    assert not (tmp_path / "intranet").exists()


def test_a_contact_in_an_excel_list_is_refused_naming_sheet_and_cell(site_project, tmp_path):
    # a comment with a phone in C5 and an ID number in D7, a phone typed as a number in B9 (a number cell)
    _workbook(site_project / "reports" / "site" / DEMO_MONTH / "satisfaction_capa.xlsx",
              {"C5": "请回电 138-1234-5678", "D7": "11010519491231002X", "B9": 13912345678}, sheet="整改清单")
    with pytest.raises(PublishError) as err:
        _publish(site_project, tmp_path / "intranet")
    message = str(err.value)
    assert (f"{DEMO_MONTH}/satisfaction_capa.xlsx: 2 mobile phone(s), e.g. 138-****-5678 "
            "(sheet 整改清单, cell C5)") in message
    assert f"{DEMO_MONTH}/satisfaction_capa.xlsx: 1 ID number(s), e.g. 110105***********X (sheet 整改清单, cell D7)" \
        in message
    assert "13912345678" not in message and "1234-5678" not in message
    assert not (tmp_path / "intranet").exists()


def test_a_workbook_that_cannot_be_read_is_refused(site_project, tmp_path):
    (site_project / "reports" / "site" / DEMO_MONTH / "list.xlsx").write_bytes(b"not a zip file")
    problems = scan_site(site_project / "reports" / "site")
    assert len(problems) == 1 and problems[0].startswith(f"{DEMO_MONTH}/list.xlsx: cannot be read to check it")


@pytest.mark.parametrize("name,content", [
    ("chart.svg", "<svg><text>王伟 wang.wei@example.cn</text></svg>"),
    ("data.json", '{"contact": "+8613912345678"}'),
    ("app.js", "var tel = '(020)8765-4321';"),
])
def test_contacts_in_svg_json_and_js_files_are_refused(site_project, name, content):
    (site_project / "reports" / "site" / DEMO_MONTH / name).write_text(content, "utf-8")
    problems = scan_site(site_project / "reports" / "site")
    assert len(problems) == 1 and problems[0].startswith(f"{DEMO_MONTH}/{name}: 1 ")


def test_publish_command_exits_2_and_copies_nothing(site_project, tmp_path):
    page = site_project / "reports" / "site" / DEMO_MONTH / "satisfaction.html"
    page.write_text(CLEAN_PAGE.replace("</main>", "<p>联系 13912345678 或 wang.wei@example.cn</p></main>"), "utf-8")
    target = tmp_path / "intranet"
    proc = run_cli("--project", str(site_project), "publish", "--month", DEMO_MONTH, "--to", str(target))
    assert proc.returncode == 2, proc.stderr
    assert f"{DEMO_MONTH}/satisfaction.html: 1 mobile phone(s), e.g. 139****5678" in proc.stderr
    assert "1 e-mail(s), e.g. w***@example.cn" in proc.stderr
    assert "13912345678" not in proc.stderr and "Traceback" not in proc.stderr
    assert not target.exists()
