"""The Dask executor: notebook executions sent to a LocalCluster give the same run as the local pool."""

from __future__ import annotations

import json

import pytest

from analysis import ConfigError, load_parameters
from analysis.runner import run_month
from conftest import DEMO_MONTH

pytestmark = pytest.mark.notebook
distributed = pytest.importorskip("distributed")


def test_run_on_a_local_dask_cluster(demo_project):
    params = load_parameters(root=demo_project, month=DEMO_MONTH,
                             overrides={"run.notebooks": ["data_quality", "requirements"]})  # the quickest two
    # one worker process (each costs seconds of start-up): both executions still go through the scheduler
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run_month(params, executor="dask", scheduler=cluster.scheduler_address)
    assert [(r.name, r.outcome) for r in result.notebooks] == [("data_quality", "ok"), ("requirements", "ok")]
    manifest = json.loads((demo_project / "reports" / "runs" / DEMO_MONTH / "manifest.json").read_text("utf-8"))
    assert manifest["notebooks"]["requirements"]["outcome"] == "ok"
    assert (demo_project / "reports" / "runs" / DEMO_MONTH / "requirements_未完成需求.xlsx").is_file()


def test_dask_executor_needs_a_reachable_scheduler(demo_project):
    params = load_parameters(root=demo_project, month=DEMO_MONTH, overrides={"run.notebooks": ["data_quality"]})
    with pytest.raises(ConfigError, match="needs --scheduler ADDRESS"):
        run_month(params, executor="dask", scheduler=None)
    with pytest.raises(ConfigError, match="no Dask scheduler answers there"):
        run_month(params, executor="dask", scheduler="tcp://127.0.0.1:1")
