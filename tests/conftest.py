"""Shared fixtures: throw-away projects with small data the tests generate or ship."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

# One native thread per library pool, as the runner gives each notebook kernel: on this 2-core machine the
# gradient boosting's OpenMP threads spin against each other and against the other test processes (a
# 3,000-lead fit took 29.5 s with the default threads and 5.0 s with one). Set before numpy and
# scikit-learn load; the CLI subprocesses inherit it.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from analysis.runner import fast_jupyter_imports  # noqa: E402

# before any test module imports nbformat (papermill, nbconvert): 2.2 s less in each test worker's collection
fast_jupyter_imports()

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DEMO_MONTH = "2026-10"


def make_project(folder: Path, raw_from: Path | None = None, notebooks: bool = False) -> Path:
    """A project folder with this repository's parameters (and notebooks), and raw files copied in."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "parameters", folder / "parameters", dirs_exist_ok=True)
    if notebooks:
        shutil.copytree(ROOT / "notebooks", folder / "notebooks", dirs_exist_ok=True)
    raw = folder / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    if raw_from is not None and raw_from.resolve() != raw.resolve():
        for item in raw_from.iterdir():
            if item.is_file():
                shutil.copy2(item, raw / item.name)
    return folder


def build_demo(tmp_path_factory, name: str, **sizes):
    """A project with demo data of the given sizes: (parameters, tables, truth folder).

    Written as CSV (the churn module's 1,500 customers: 2.0 s against 19.3 s as xlsx): these fixtures test
    the analyses; the Excel round trip is the session's demo_raw and tests/test_data.py."""
    from analysis import load_parameters, load_tables
    from analysis.data.demo import generate_demo_data

    raw = tmp_path_factory.mktemp(name) / "data" / "raw"
    truth = generate_demo_data(raw, end_month=DEMO_MONTH, fmt="csv", **sizes).truth_dir
    params = load_parameters(root=make_project(raw.parent.parent, raw), month=DEMO_MONTH)
    return params, load_tables(params), truth


def pytest_addoption(parser):
    parser.addoption("--screenshots", action="store_true",
                     help="save a full-page screenshot of every page the browser tests open into reports/screenshots/")


@pytest.fixture(scope="session")
def demo_raw(tmp_path_factory) -> Path:
    """Small demo data (80 customers, 8 months, 400 leads), generated once per test session."""
    from analysis.data.demo import generate_demo_data

    raw = tmp_path_factory.mktemp("demo") / "data" / "raw"
    generate_demo_data(raw, customers=80, months=8, seed=7, leads=400, end_month=DEMO_MONTH)
    return raw


@pytest.fixture
def demo_project(tmp_path, demo_raw) -> Path:
    return make_project(tmp_path / "project", demo_raw, notebooks=True)


@pytest.fixture
def good_project(tmp_path) -> Path:
    return make_project(tmp_path / "project", FIXTURES / "good")


def run_cli(*args: str, cwd: Path | None = None, check: bool = False):
    """Run the workbench CLI in a subprocess, as a user would."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "analysis.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"workbench {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def executed_page(folder: Path, name: str) -> tuple[list[dict], str]:
    """The headline records (HEADLINE_MIME outputs) and the HTML of the page ``name`` executed in run folder
    ``folder``."""
    import json

    from analysis.report import HEADLINE_MIME

    cells = json.loads((folder / f"{name}.ipynb").read_text("utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    headlines = [o["data"][HEADLINE_MIME] for o in outputs if HEADLINE_MIME in o.get("data", {})]
    return headlines, "".join("".join(o["data"].get("text/html", "")) for o in outputs if "data" in o)


# ----------------------------------------------------------------------------- one hostile demo run per session
#: payloads planted in the shared demo: each must reach a reader as plain, masked text, never as markup or a template
SCRIPT = "<script>alert('x')</script>"
HOSTILE_BRANCH = "<script>alert(1)</script><img src=x onerror=alert(2)>"
BRACES_BRANCH = "深圳{南山}分公司"
PHONE_REASON = "客户电话13912345678不接"
CONTACT_COMMENT = "请联系 +86 139-1234-5678 或 li.na@example.cn"


def plant_payloads(raw: Path) -> None:
    """Write the payloads into a copy of the demo files: a <script> survey header and comment, contacts in a
    comment, a phone in a lost reason, and two branches named with markup and with format braces."""
    from openpyxl import load_workbook

    def edit(name: str, change) -> None:
        path = raw / name
        wb = load_workbook(path)
        change(wb.active)
        wb.save(path)

    def survey(ws):
        headers = [c.value for c in ws[1]]
        ws.cell(row=1, column=ws.max_column + 1, value=SCRIPT)  # an unknown column: shown on the quality page
        # the first form: answered in the period, one item very dissatisfied -> a CAPA item with its comment
        for header, value in (("发放日期", "2026-09-01"), ("回收日期", "2026-09-05"), ("交期", "很不满意"),
                              ("意见和建议", f"{SCRIPT} {CONTACT_COMMENT}")):
            ws.cell(row=2, column=headers.index(header) + 1, value=value)

    def customers(ws):
        headers = [c.value for c in ws[1]]
        column = headers.index("分公司") + 1
        renamed = {"北京分公司": HOSTILE_BRANCH, "广州分公司": BRACES_BRANCH}
        for row in range(2, ws.max_row + 1):
            value = ws.cell(row=row, column=column).value
            ws.cell(row=row, column=column, value=renamed.get(value, value))

    def leads(ws):
        headers = [c.value for c in ws[1]]
        status, reason = headers.index("状态") + 1, headers.index("战败原因") + 1
        for row in range(2, ws.max_row + 1):
            if ws.cell(row=row, column=status).value == "战败":
                ws.cell(row=row, column=reason, value=PHONE_REASON)
                break

    edit("客户满意度调查表.xlsx", survey)
    edit("客户档案.xlsx", customers)
    edit("来店客户信息登记表.xlsx", leads)


def copy_project(source: Path, folder: Path) -> Path:
    """A copy of a project with its runs, processed data and site, for a test that changes it."""
    shutil.copytree(source, folder, symlinks=True, ignore=shutil.ignore_patterns(".workbench.lock"))
    return folder


@pytest.fixture(scope="session")
def hostile_raw(tmp_path_factory, demo_raw) -> Path:
    """The session's demo files with the payloads planted."""
    raw = tmp_path_factory.mktemp("hostile") / "data" / "raw"
    shutil.copytree(demo_raw, raw)
    plant_payloads(raw)
    return raw


#: the demo project's consultants by branch (parameters/defaults.yaml, as a company sets it): the lead register
#: has no branch column, so branch reports get their leads from these
CONSULTANT_BRANCHES = "consultant_branches: {张伟: 上海分公司, 王芳: 上海分公司, 李强: 武汉分公司}"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, hostile_raw) -> Path:
    """A project with every notebook run for DEMO_MONTH in zh-CN and its site built; tests only read it
    (copy_project() it to change anything). Its defaults.yaml gives the consultants their branches."""
    project = make_project(tmp_path_factory.mktemp("demo-run") / "project", hostile_raw, notebooks=True)
    defaults = project / "parameters" / "defaults.yaml"
    text = defaults.read_text("utf-8")
    assert "consultant_branches: {}" in text
    defaults.write_text(text.replace("consultant_branches: {}", CONSULTANT_BRANCHES, 1), "utf-8")
    run_cli("--project", str(project), "run", "--month", DEMO_MONTH, check=True)
    return project


@pytest.fixture(scope="session")
def en_run(tmp_path_factory, hostile_raw) -> Path:
    """The same project run with site.language=en (from the files, not from the Chinese run: every page is
    executed again in English anyway, and so the two runs can be built side by side by two test workers)."""
    project = make_project(tmp_path_factory.mktemp("en-run") / "project", hostile_raw, notebooks=True)
    run_cli("--project", str(project), "run", "--month", DEMO_MONTH, "-p", "site.language=en", check=True)
    return project


#: the notebooks a branch run executes per branch in the tests (each branch multiplies the run)
BRANCH_NOTEBOOKS = "run.notebooks=[data_quality,lead_conversion,satisfaction,churn_risk]"


#: the branches the tests' branch run reports on (of the demo's five): a plain name, and the two named with markup
#: and with format braces
BRANCHES = ["上海分公司", HOSTILE_BRANCH, BRACES_BRANCH]
BRANCH_VALUES = "run.split_values=[" + ", ".join(f'"{b}"' for b in BRANCHES) + "]"


@pytest.fixture(scope="session")
def branch_run(tmp_path_factory, demo_run) -> Path:
    """The demo project run again split by branch, for three of the five branches (BRANCHES: two of them named
    with markup and braces); leads get their branch from the consultants. The company's pages are those of the
    demo run, carried over unexecuted (what a user's second run of the month does)."""
    project = copy_project(demo_run, tmp_path_factory.mktemp("branch-run") / "project")
    run_cli("--project", str(project), "run", "--month", DEMO_MONTH, "-p", "run.split_by=branch", "-p",
            BRANCH_NOTEBOOKS, "-p", BRANCH_VALUES, check=True)
    return project


#: the notebooks the quarterly and yearly runs of the tests execute (the reports that count within a period)
PERIOD_NOTEBOOKS = "run.notebooks=[sales_summary,satisfaction]"


@pytest.fixture(scope="session")
def period_run(tmp_path_factory, demo_run) -> Path:
    """The demo project with a quarter (2026-Q3) and the year 2026 run besides its month; the year has not
    ended, so it runs with --allow-incomplete."""
    project = copy_project(demo_run, tmp_path_factory.mktemp("period-run") / "project")
    run_cli("--project", str(project), "run", "--period", "2026-Q3", "-p", PERIOD_NOTEBOOKS, "--no-site", check=True)
    run_cli("--project", str(project), "run", "--period", "2026", "--allow-incomplete", "-p", PERIOD_NOTEBOOKS,
            check=True)
    return project


#: session fixtures holding whole runs, by the xdist group of the tests that use them: each group goes to one
#: worker, which builds its runs once (the period and branch runs are copies of the demo run run again; the
#: English run starts from the files)
RUN_GROUPS = {"demo_run": "demo-runs", "period_run": "demo-runs", "branch_run": "demo-runs", "en_run": "en-run"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which reads the group marks into the node ids
def pytest_collection_modifyitems(config, items):
    """Tests on a generated demo company (a module's ``demo`` fixture: hundreds of customers, a model fitted)
    are marked ``slow``, so that `pytest -m "not notebook and not lab and not slow"` is the quick set a
    developer runs while editing.

    With pytest-xdist (``-n logical --dist loadgroup``, the addopts of pyproject.toml), the tests that read the
    session's runs form a group per run family (RUN_GROUPS) and every other module is a group of its own: each
    run and each module fixture is then built once, on one worker, while the other workers take the rest."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "demo" in names or "demo_raw" in names:
            item.add_marker(pytest.mark.slow)
        # a run named by a parameter is fetched with request.getfixturevalue: it counts as used
        names |= {v for v in getattr(getattr(item, "callspec", None), "params", {}).values() if isinstance(v, str)}
        groups = sorted({RUN_GROUPS[n] for n in names if n in RUN_GROUPS})
        group = "demo-runs" if "demo-runs" in groups else groups[0] if groups else item.module.__name__
        item.add_marker(pytest.mark.xdist_group(group))
