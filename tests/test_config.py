"""Parameters: defaults, month files, command-line values, and errors that name the key path."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis import ConfigError, load_parameters
from analysis.config import last_complete_month, parse_override
from conftest import make_project


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "p")


def test_defaults_load_and_every_parameter_is_commented(project):
    params = load_parameters(root=project, month="2026-10")
    assert params.survey.response_target == 0.9 and params.survey.score_target == 0.8
    assert params.period_start == dt.date(2026, 10, 1) and params.period_end == dt.date(2026, 10, 31)
    lines = (project / "parameters" / "defaults.yaml").read_text("utf-8").splitlines()
    per_table = {"customers", "orders", "payments", "surveys", "complaints", "leads", "lead_events"}
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or ":" not in stripped or stripped.endswith(":"):
            continue  # blank, comment, or a group heading
        key = stripped.split(":")[0]
        commented = "#" in line or lines[number - 1].strip().startswith("#")
        in_commented_map = key in ("quality", "delivery", "service", "price", "technology", "communication")
        assert commented or key in per_table or in_commented_map, f"parameter without a comment: {line}"


def test_month_file_then_command_line_override(project):
    (project / "parameters" / "2026-10.yaml").write_text("survey:\n  response_target: 0.85\n  min_answers: 3\n", "utf-8")
    params = load_parameters(root=project, month="2026-10", overrides=["survey.min_answers=7"])
    assert params.survey.response_target == 0.85
    assert params.survey.min_answers == 7
    assert load_parameters(root=project, month="2026-09").survey.response_target == 0.9


def test_default_month_is_the_last_complete_one():
    assert last_complete_month(dt.date(2026, 1, 15)) == "2025-12"
    assert last_complete_month(dt.date(2026, 11, 1)) == "2026-10"


def test_override_values_are_read_as_yaml():
    assert parse_override("run.workers=3") == ("run.workers", 3)
    assert parse_override("survey.dimensions=[quality, price]") == ("survey.dimensions", ["quality", "price"])
    with pytest.raises(ConfigError, match="key.path=value"):
        parse_override("oops")


@pytest.mark.parametrize("override, message", [
    ("survey.typo=1", "the command line (-p) [key path: 'survey/typo']: is not a known parameter"),
    ("survey.respons_target=0.8", "is not a known parameter (did you mean survey.response_target?)"),
    ("churn.horizon=90", "(did you mean churn.horizon_days?)"),
    ("survey.response_target=abc", "[key path: 'survey/response_target']: Input should be a valid number"),
    ("survey.response_target=1.5", "[key path: 'survey/response_target']: Input should be less than or equal to 1. Got 1.5."),
    ("site.engine=pdf", "[key path: 'site/engine']: must be 'nbconvert' or 'quarto'. Got 'pdf'."),
    ("survey.scale_labels={好: 9}", "survey.scale_labels['好'] must be between 1 and 5"),
    ("validation.severity={orphan: fatal}", "[key path: 'validation/severity/orphan']"),
    ("data.labels={channel: {a: b}}", "label map keys must look like 'table.column'"),
])
def test_bad_values_name_the_key_path(project, override, message):
    with pytest.raises(ConfigError) as info:
        load_parameters(root=project, month="2026-10", overrides=[override])
    assert message in str(info.value)


def test_errors_name_the_file_that_set_the_value(project):
    (project / "parameters" / "2026-10.yaml").write_text("run:\n  workers: many\n", "utf-8")
    with pytest.raises(ConfigError, match=r"parameters/2026-10.yaml \[key path: 'run/workers'\]"):
        load_parameters(root=project, month="2026-10")


def test_bad_month(project):
    with pytest.raises(ConfigError, match=r"report period must be YYYY-MM \(a month, 2026-10\), YYYY-Qn"):
        load_parameters(root=project, month="2026-13")


def test_broken_yaml_is_reported(project):
    (project / "parameters" / "2026-10.yaml").write_text("survey: [\n", "utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_parameters(root=project, month="2026-10")


def test_the_schema_defaults_are_the_defaults_file():
    # one source for each default: Parameters() equals a load of parameters/defaults.yaml alone
    from pathlib import Path

    from analysis.config import Parameters

    root = Path(__file__).resolve().parents[1]
    loaded = load_parameters(root=root, month="2026-10").model_dump(mode="json")
    loaded["month"] = loaded["period"] = None
    assert Parameters().model_dump(mode="json") == loaded


def test_run_notebooks_names_at_least_one_page_and_one_may_be_written_alone(project):
    def notebooks(value):
        return load_parameters(root=project, month="2026-10", overrides={"run.notebooks": value}).run.notebooks

    assert notebooks("satisfaction") == ["satisfaction"]  # -p run.notebooks=satisfaction
    for empty in ([], ""):  # a run of no page would replace the month's run with an empty one
        with pytest.raises(ConfigError, match=r"\[key path: 'run/notebooks'\]: must name at least one notebook\. "
                                              r"Name the pages to run, e.g\. \[satisfaction\]"):
            notebooks(empty)


def test_the_site_order_of_pages_is_the_projects_not_one_commands(project):
    from analysis.config import page_order

    listed = ["sales_summary", "data_quality", "satisfaction", "lead_conversion", "churn_risk", "customer_grading",
              "requirements"]  # run.notebooks in parameters/defaults.yaml
    two = load_parameters(root=project, month="2026-10", overrides={"run.notebooks": ["requirements", "satisfaction"]})
    assert page_order(two) == listed  # a run of two pages does not reorder the others
    extra = load_parameters(root=project, month="2026-10", overrides={"run.notebooks": ["visits", "satisfaction"]})
    assert page_order(extra) == [*listed, "visits"]  # a page of the company's own after the listed ones
