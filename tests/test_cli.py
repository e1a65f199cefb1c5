"""The workbench command: exit codes and messages as a user sees them."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from conftest import DEMO_MONTH, FIXTURES, make_project, run_cli


def test_bad_parameter_exits_2_before_any_kernel_starts(demo_project):
    proc = run_cli("--project", str(demo_project), "run", "--month", DEMO_MONTH, "-p", "survey.typo=1")
    assert proc.returncode == 2
    assert "[key path: 'survey/typo']: is not a known parameter" in proc.stderr
    assert not (demo_project / "reports").exists()  # nothing ran


def test_validate_exits_2_and_lists_every_error(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    shutil.copy2(FIXTURES / "bad" / "text_in_number" / "销售统计.xlsx", project / "data" / "raw")
    proc = run_cli("--project", str(project), "validate", "--month", "2026-10")
    assert proc.returncode == 2, proc.stderr
    assert "销售统计.xlsx, sheet 销售明细, row 3, column 金额: amount must be a number. Got '一千'." in proc.stdout
    assert not list((project / "data" / "processed").glob("**/*.parquet"))


def test_validate_exits_0_on_good_files(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    proc = run_cli("--project", str(project), "validate", "--month", "2026-10")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No errors or warnings." in proc.stdout
    assert "payments         absent" in proc.stdout


def test_demo_data_command(tmp_path):
    project = make_project(tmp_path / "p")
    proc = run_cli("--project", str(project), "demo-data", "--customers", "20", "--months", "3", "--leads", "30",
                   "--end-month", "2026-10")
    assert proc.returncode == 0, proc.stderr
    assert (project / "data" / "raw" / "客户档案.xlsx").is_file()
    assert "orders" in proc.stdout and "planted effects" in proc.stdout


def test_unknown_command_and_no_command():
    assert run_cli("frobnicate").returncode == 2
    assert run_cli().returncode == 2


@pytest.mark.notebook
def test_failing_notebook_exits_1_naming_notebook_cell_and_exception(demo_project):
    run_cli("--project", str(demo_project), "run", "--month", DEMO_MONTH, check=True)
    site_index = (demo_project / "reports" / "site" / "index.html").read_text("utf-8")
    good_manifest = (demo_project / "reports" / "runs" / DEMO_MONTH / "manifest.json").read_text("utf-8")
    book = nbformat.read(demo_project / "notebooks" / "data_quality.ipynb", as_version=4)
    boom = nbformat.v4.new_notebook(cells=[book.cells[1], nbformat.v4.new_code_cell("x = 1"),
                                           nbformat.v4.new_code_cell("raise ValueError('boom in the data')")])
    boom.metadata = book.metadata
    nbformat.write(boom, demo_project / "notebooks" / "boom.ipynb")
    proc = run_cli("--project", str(demo_project), "run", "--month", DEMO_MONTH,
                   "-p", "run.notebooks=[data_quality, boom]")
    assert proc.returncode == 1
    assert "notebook boom.ipynb failed at cell 3: ValueError: boom in the data" in proc.stderr
    # the last good run and site stay as they were; the failed run is kept for inspection
    assert (demo_project / "reports" / "site" / "index.html").read_text("utf-8") == site_index
    assert (demo_project / "reports" / "runs" / DEMO_MONTH / "manifest.json").read_text("utf-8") == good_manifest
    failed = json.loads((demo_project / "reports" / "runs" / f"{DEMO_MONTH}.failed" / "manifest.json").read_text())
    assert failed["notebooks"]["boom"]["outcome"] == "failed"
