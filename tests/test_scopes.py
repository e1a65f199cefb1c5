"""Branch and region reports: tables restricted per scope, notebooks run per scope, pages per scope."""

from __future__ import annotations

import json

import pytest

from analysis import ConfigError, DataError, load_parameters, load_tables
from analysis.data.store import scope_slug
from analysis.runner import run_month
from analysis.site import scope_folders
from conftest import BRANCHES, DEMO_MONTH, copy_project

pytestmark = pytest.mark.notebook


def test_scoped_tables_follow_their_customers(demo_project):
    params = load_parameters(root=demo_project, month=DEMO_MONTH)
    everything = load_tables(params)
    branch = sorted(everything["customers"]["branch"].dropna().unique())[0]
    scoped = load_tables(load_parameters(root=demo_project, month=DEMO_MONTH,
                                         overrides={"scope": {"column": "branch", "value": branch}}))
    customers = set(scoped["customers"]["customer_id"])
    assert customers == set(everything["customers"].loc[everything["customers"]["branch"] == branch, "customer_id"])
    for name in ("orders", "payments", "surveys", "complaints"):
        assert set(scoped[name]["customer_id"]) <= customers
        expected = everything[name]["customer_id"].isin(customers).sum()
        assert len(scoped[name]) == expected
    # the register has no branch column and no consultant is mapped to a branch: the leads stay with the
    # company's report (never the company's leads under a branch's title)
    assert "leads" in everything and "leads" not in scoped
    # the data-quality figures count the branch's rows and dates; the findings stay the files'
    assert scoped.scope == ("branch", branch) and everything.scope is None
    for name in ("customers", "orders", "complaints"):
        assert scoped.report.tables[name].rows == len(scoped[name]) < everything.report.tables[name].rows
    dates = scoped["orders"]["order_date"]
    assert scoped.report.tables["orders"].first_date == str(dates.min().date())
    assert scoped.report.tables["orders"].last_date == str(dates.max().date())
    assert scoped.report.issues == everything.report.issues
    assert everything.report.tables["orders"].rows == len(everything["orders"])  # the company's report is untouched
    with pytest.raises(DataError, match="the customer archive has no column 省份"):
        everything.scoped("省份", "江苏")


def test_a_run_split_by_branch_gives_each_branch_its_pages(branch_run, tmp_path):
    """The session's branch run (the demo project run again with -p run.split_by=branch, four notebooks, three
    branches named in run.split_values): a page per notebook for the company and for each of those branches, a
    folder per branch named after it, and a re-run that executes nothing."""
    project = copy_project(branch_run, tmp_path / "project")
    manifest = json.loads((project / "reports" / "runs" / DEMO_MONTH / "manifest.json").read_text("utf-8"))
    params = load_parameters(root=project, month=DEMO_MONTH, overrides=manifest["overrides"])
    branches = sorted(load_tables(params)["customers"]["branch"].dropna().unique())
    notebooks = list(params.run.notebooks)
    assert len(notebooks) == 4 and params.run.split_by == "branch"
    # the company's pages are the demo run's: a split and a shorter page list cannot change them
    assert {n: r["outcome"] for n, r in manifest["notebooks"].items()} == {n: "skipped" for n in notebooks}
    # the branches named in run.split_values, and only those
    assert len(branches) == 5 and set(BRANCHES) < set(branches)
    assert sorted(s["value"] for s in manifest["scopes"].values()) == sorted(BRANCHES)
    assert not (project / "reports" / "site" / DEMO_MONTH / "武汉分公司").exists()
    # the demo run's other three pages are not in this run (run.notebooks), nor in the site built from it
    assert not (project / "reports" / "runs" / DEMO_MONTH / "sales_summary.ipynb").exists()
    assert not (project / "reports" / "site" / DEMO_MONTH / "sales_summary.html").exists()
    assert "sales_summary.html" not in (project / "reports" / "site" / DEMO_MONTH / "index.html").read_text("utf-8")
    for scope in manifest["scopes"].values():  # a small branch may lack survey answers, leads or churners
        assert sorted(scope["notebooks"]) == sorted(notebooks)
        assert {r["outcome"] for r in scope["notebooks"].values()} <= {"ok", "no_data"}
        # leads have no branch column: only 上海分公司 gets leads, from its consultants (CONSULTANT_BRANCHES)
        lead_page = scope["notebooks"]["lead_conversion"]["outcome"]
        assert lead_page == ("ok" if scope["value"] == "上海分公司" else "no_data"), scope["value"]
    site = project / "reports" / "site"
    branch = "上海分公司"  # the demo's branches include two named with markup and braces; this one is plain
    slug = scope_folders(manifest)[scope_slug("branch", branch)]
    assert slug == branch  # a readable folder: the branch's own name
    page = (site / DEMO_MONTH / slug / "satisfaction.html").read_text("utf-8")
    assert branch in page and 'href="../../assets/site.css"' in page
    quality_page = (site / DEMO_MONTH / slug / "data_quality.html").read_text("utf-8")
    assert f"本报告范围：分公司 = {branch}" in quality_page
    assert "本报告范围" not in (site / DEMO_MONTH / "data_quality.html").read_text("utf-8")
    month_page = (site / DEMO_MONTH / "index.html").read_text("utf-8")
    assert f'href="{slug}/satisfaction.html"' in month_page and "分公司/区域报告" in month_page
    # nothing changed: every (branch, notebook) is skipped
    assert {r.outcome for r in run_month(params, overrides=manifest["overrides"]).notebooks} == {"skipped"}


def test_split_values_must_be_values_of_the_split_column(demo_project):
    """A misspelt branch is an error that suggests the branch (or lists them), before any notebook runs; values
    without a column to split by are one too, found with the parameters. One value may be written alone."""
    def params(**overrides):
        return load_parameters(root=demo_project, month=DEMO_MONTH, overrides=overrides)

    branch = {"run.split_by": "branch"}
    with pytest.raises(ConfigError, match=r"\[key path: 'run/split_values'\]: no customer has branch 上海分司\. "
                                          r"Did you mean 上海分公司\?"):
        run_month(params(**branch, **{"run.split_values": ["上海分公司", "上海分司"]}))
    with pytest.raises(ConfigError, match=r"no customer has branch 1\. The customer archive has: .*上海分公司.*\. "
                                          r"Codes with leading zeros must be quoted, e.g. \['001'\]\."):
        run_month(params(**branch, **{"run.split_values": [1]}))  # [001] on the command line: YAML reads 1
    assert not (demo_project / "reports" / "runs").exists()  # nothing half-written
    with pytest.raises(ConfigError, match=r"names values of run.split_by, which is empty. Got \['上海分公司'\]"):
        params(**{"run.split_values": ["上海分公司"]})
    assert params(**branch, **{"run.split_values": "上海分公司"}).run.split_values == ["上海分公司"]
    assert params(**branch, **{"run.split_values": ""}).run.split_values is None  # empty: every branch


def test_a_branch_without_enough_data_gets_a_page_that_says_so(branch_run):
    manifest = json.loads((branch_run / "reports" / "runs" / DEMO_MONTH / "manifest.json").read_text("utf-8"))
    # the company's page (carried over from the demo run): its 80 customers give a model
    assert manifest["notebooks"]["churn_risk"]["outcome"] == "skipped"
    company = (branch_run / "reports" / "site" / DEMO_MONTH / "churn_risk.html").read_text("utf-8")
    assert "数据不足，无法建立模型" not in company and "挽留名单" in company
    # ... and every branch has too few churned customers for one of its own
    churn_pages = {slug: scope["notebooks"]["churn_risk"]["outcome"] for slug, scope in manifest["scopes"].items()}
    assert churn_pages and set(churn_pages.values()) == {"no_data"}
    folder = scope_folders(manifest)[next(iter(churn_pages))]
    page = (branch_run / "reports" / "site" / DEMO_MONTH / folder / "churn_risk.html").read_text("utf-8")
    assert "数据不足，无法建立模型" in page and "churn.min_positives" in page
