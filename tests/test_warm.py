"""Warm kernels: a run's kernels are forks of one process that imported the libraries once (analysis.warm)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from analysis import warm
from analysis.runner import execute_notebook
from conftest import DEMO_MONTH

pytestmark = pytest.mark.notebook

PROBE = """import os, sys
preloaded = "pandas" in sys.modules and "analysis.report" in sys.modules
import sklearn.ensemble  # loads OpenBLAS and OpenMP where the kernel has not yet
from threadpoolctl import threadpool_info
print(json.dumps({"preloaded": preloaded,
                  "blas": sorted({(p["internal_api"], p["num_threads"]) for p in threadpool_info()}),
                  "parent": os.getppid(), "session": os.getsid(0) == os.getpid(), "path": sys.path,
                  "cwd": os.getcwd(), "home": os.environ.get("WORKBENCH_HOME"),
                  "threads": os.environ.get("OPENBLAS_NUM_THREADS")}))"""


def _probe_notebook(folder):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("month = overrides = output_dir = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import json\n" + PROBE),
        # a notebook that plots with pyplot alone gets its figure inline, as in Jupyter
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def _probe(folder, out, warm_path, threads=2):
    out.mkdir()
    result = execute_notebook("probe", str(_probe_notebook(folder)), str(out), DEMO_MONTH, {}, "python3", 120,
                              str(folder), "/the/project", threads=threads, warm=warm_path)
    assert result["outcome"] == "ok", result
    cells = json.loads((out / "probe.ipynb").read_text())["cells"]
    found = json.loads("".join(cells[-2]["outputs"][0]["text"]))
    found["figure"] = [sorted(o.get("data", {})) for o in cells[-1]["outputs"]]
    return found


def _server(folder):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return warm.ForkServer(env, str(folder))


@pytest.mark.skipif(not warm.available(), reason="warm kernels need fork and Unix sockets")
def test_a_warm_kernel_is_a_fork_of_the_server_and_runs_as_a_started_one(tmp_path):
    with _server(tmp_path) as server:
        forked = _probe(tmp_path, tmp_path / "warm", server.path)
        # a started kernel beside it: the same folder, environment and session, but imports of its own
        started = _probe(tmp_path, tmp_path / "cold", None)
        assert forked["parent"] == server.proc.pid  # a fork of the server ...
        assert forked["preloaded"] and not started["preloaded"]  # ... that had imported the libraries
        # two BLAS threads asked for: the server imported with one, the fork sets two as a started kernel reads
        assert forked["blas"] == [["openblas", 2], ["openmp", 2]]
        for key in ("session", "path", "cwd", "home", "threads", "blas", "figure"):
            assert forked[key] == started[key], key
        assert forked["figure"] == [["image/png", "text/plain"]]
        assert forked["session"] and forked["cwd"] == str(tmp_path) and forked["home"] == "/the/project"
        assert started["parent"] == os.getpid()
        # Ctrl+C at the terminal reaches the server (the run's process group): it is the runner's to handle
        os.kill(server.proc.pid, signal.SIGINT)
        time.sleep(0.5)
        assert server.proc.poll() is None
    assert server.proc.poll() is not None and not os.path.exists(server.folder)  # ended with the run


WORKER = """
import json, sys
from jupyter_client.connect import write_connection_file
from analysis import warm
connection, _ = write_connection_file()
pid = warm._fork_kernel(sys.argv[1], [sys.executable, "-m", "ipykernel_launcher", "-f", connection],
                        {"PATH": "/usr/bin:/bin"}, sys.argv[2])
print(f"kernel={pid}", flush=True)
"""


@pytest.mark.skipif(not warm.available(), reason="warm kernels need fork and Unix sockets")
def test_a_warm_kernel_ends_when_its_worker_is_gone(tmp_path):
    """A started kernel watches its parent and ends with it (a worker stopped by Ctrl+C or killed); a forked
    kernel's parent is the server, so it watches the worker that asked for it."""
    with _server(tmp_path) as server:
        with open(tmp_path / "worker.out", "w+") as out:  # the kernel holds the worker's streams: not a pipe
            subprocess.run([sys.executable, "-c", WORKER, server.path, str(tmp_path)], stdout=out, stderr=out,
                           timeout=120, check=True)
            out.seek(0)
            kernel = int(re.search(r"kernel=(\d+)", out.read()).group(1))
        deadline = time.monotonic() + 20
        while warm._alive(kernel) and time.monotonic() < deadline:
            time.sleep(0.2)
        alive = warm._alive(kernel)
        if alive:
            os.kill(kernel, signal.SIGKILL)
        assert not alive


def test_only_this_interpreters_ipython_kernel_is_forked():
    assert warm._own_ipython_kernel([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not warm._own_ipython_kernel(["/usr/bin/R", "--slave", "-e", "IRkernel::main()", "c.json"])
    assert not warm._own_ipython_kernel(["/opt/other/python", "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not warm._own_ipython_kernel([sys.executable, "-m", "xeus_python", "-f", "c.json"])


def test_switched_off_or_for_kernels_that_start_at_once_there_is_no_server(tmp_path):
    from analysis import load_parameters
    from analysis.runner import _warm_server

    from conftest import make_project

    project = make_project(tmp_path / "project")
    assert load_parameters(root=project).run.warm_kernels is True
    assert _warm_server(load_parameters(root=project, overrides=["run.warm_kernels=false"]), str(tmp_path), 7) is None
    # kernels that all start at once (no more than the workers) import side by side: started the usual way
    assert _warm_server(load_parameters(root=project), str(tmp_path), 1) is None
    assert _warm_server(load_parameters(root=project, overrides=["run.workers=3"]), str(tmp_path), 3) is None


@pytest.mark.skipif(not warm.available(), reason="warm kernels need fork and Unix sockets")
def test_without_its_server_a_kernel_starts_the_usual_way(tmp_path):
    """A server that has ended (killed, out of memory) costs nothing but the warm start: the page runs."""
    server = _server(tmp_path)
    server.close()
    assert not os.path.exists(server.path)
    found = _probe(tmp_path, tmp_path / "out", server.path, threads=1)
    assert found["parent"] == os.getpid() and not found["preloaded"]
    assert "warm kernel unavailable" in (tmp_path / "out" / "probe.log").read_text()


RUNNER_KILLED = """
import os, sys
from analysis import warm
server = warm.ForkServer(dict(os.environ), sys.argv[1])
print(server.proc.pid, server.folder, flush=True)
os._exit(9)  # as a runner killed with kill -9: no close()
"""


@pytest.mark.skipif(not warm.available(), reason="warm kernels need fork and Unix sockets")
def test_the_server_ends_and_leaves_nothing_when_its_runner_is_killed(tmp_path):
    runner = subprocess.run([sys.executable, "-c", RUNNER_KILLED, str(tmp_path)], capture_output=True, text=True,
                            timeout=60)
    pid, folder = runner.stdout.split()
    deadline = time.monotonic() + 30
    while (warm._alive(int(pid)) or os.path.exists(folder)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not warm._alive(int(pid)) and not os.path.exists(folder)
