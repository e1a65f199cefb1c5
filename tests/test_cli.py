"""The workbench command: exit codes and messages as a user sees them."""

from __future__ import annotations

import errno
import json
import os
import shutil
import time

import nbformat
import pytest

from conftest import DEMO_MONTH, FIXTURES, copy_project, make_project, run_cli


def test_bad_parameter_exits_2_before_any_kernel_starts(demo_project):
    proc = run_cli("--project", str(demo_project), "run", "--month", DEMO_MONTH, "-p", "survey.typo=1")
    assert proc.returncode == 2
    assert "[key path: 'survey/typo']: is not a known parameter" in proc.stderr
    assert not (demo_project / "reports").exists()  # nothing ran


def test_validate_exits_2_and_lists_every_error(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    shutil.copy2(FIXTURES / "bad" / "text_in_number" / "销售统计.xlsx", project / "data" / "raw")
    # in English (the site language zh-CN prints the same in Chinese: tests/test_input_shapes.py)
    proc = run_cli("--project", str(project), "validate", "--month", "2026-10", "-p", "site.language=en")
    assert proc.returncode == 2, proc.stderr
    assert "销售统计.xlsx, sheet 销售明细, row 3, column 金额: amount must be a number. Got '一千'." in proc.stdout
    assert not list((project / "data" / "processed").glob("**/*.parquet"))


def test_validate_exits_0_on_good_files(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    proc = run_cli("--project", str(project), "validate", "--month", "2026-10", "-p", "site.language=en")
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
def test_failing_notebook_exits_1_naming_notebook_cell_and_exception(demo_run, tmp_path):
    demo_project = copy_project(demo_run, tmp_path / "project")  # a good run and its site, to be kept
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


# ------------------------------------------------------------------ faults of the system: one line, exit 2

def _site_project(tmp_path):
    """A project with a tiny built site: enough for publish, serve and the lock (no notebook runs)."""
    project = make_project(tmp_path / "p", FIXTURES / "good")
    site = project / "reports" / "site"
    (site / DEMO_MONTH).mkdir(parents=True)
    (site / "index.html").write_text("<html><body>月报</body></html>", "utf-8")
    (site / DEMO_MONTH / "page.html").write_text("<html><body>满意度</body></html>", "utf-8")
    return project


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_publish_target_not_writable_is_one_line(tmp_path, monkeypatch, capsys):
    import analysis.publish
    from analysis.cli import main

    project = _site_project(tmp_path)
    target = tmp_path / "share"

    def refused(src, dst, **kw):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(analysis.publish.shutil, "copytree", refused)
    assert main(["--project", str(project), "publish", "--month", DEMO_MONTH, "--to", str(target)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {target}/.publish-staging-") and ": permission denied (Permission denied). " \
        "Give your user the right to read and write there" in line


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_reports_folder_is_one_line(tmp_path):
    project = _site_project(tmp_path)
    (project / "reports").chmod(0o555)
    try:
        proc = run_cli("--project", str(project), "build-site", "--month", DEMO_MONTH)
    finally:
        (project / "reports").chmod(0o755)
    assert proc.returncode == 2
    assert "permission denied" in _one_error_line(proc.stderr)


def test_disk_full_while_publishing_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    import analysis.publish
    from analysis.cli import main

    project = _site_project(tmp_path)
    target = tmp_path / "share"

    class FullDisk:  # shutil as publish sees it: copytree copies the first file, the disk is full at the second
        def __getattr__(self, name):
            return getattr(shutil, name)

        @staticmethod
        def copytree(src, dst, **kw):
            copied = []

            def copy(s, d, *a, **k):
                if copied:
                    raise OSError(errno.ENOSPC, "No space left on device", d)
                copied.append(d)
                return shutil.copy2(s, d)

            return shutil.copytree(src, dst, copy_function=copy)

    monkeypatch.setattr(analysis.publish, "shutil", FullDisk())
    assert main(["--project", str(project), "publish", "--month", DEMO_MONTH, "--to", str(target)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "the disk is full (No space left on device). Free some space" in line
    assert list(target.iterdir()) == []  # the staging copy is gone, nothing was swapped in
    assert not (project / "reports" / ".workbench.lock").exists()


def test_disk_full_message_names_the_path():
    from analysis.errors import describe_os_error

    assert describe_os_error(OSError(errno.ENOSPC, "No space left on device", "reports/runs/x.ipynb")) == (
        "reports/runs/x.ipynb: the disk is full (No space left on device). Free some space (old runs in "
        "reports/runs/, data/processed/) and run the command again; nothing half-written was kept.")
    assert describe_os_error(OSError(errno.EROFS, "Read-only file system", "/mnt/share")).startswith(
        "/mnt/share: the file system is read-only")


def test_serve_on_a_port_in_use_suggests_another(tmp_path, capsys):
    import socket

    from analysis.cli import main

    project = _site_project(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--project", str(project), "serve", "--port", str(port)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert f"http://127.0.0.1:{port}/: the port is in use" in line
    assert f"`workbench serve --port {port + 1}`" in line


def test_parameters_saved_as_gb18030_are_read_with_a_warning(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    (project / "parameters" / "2026-10.yaml").write_bytes("site:\n  title: 客户洞察月报（十月）\n".encode("gb18030"))
    proc = run_cli("--project", str(project), "validate", "--month", "2026-10")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == (f"warning: {project.resolve() / 'parameters' / '2026-10.yaml'}: saved as "
                                   "GBK/GB18030, not UTF-8; read as GB18030. Save it with the encoding UTF-8 "
                                   "(in Notepad: Save as, Encoding UTF-8) to silence this line.")
    from analysis import load_parameters

    assert load_parameters(root=project, month="2026-10").site.title == "客户洞察月报（十月）"


def test_parameters_in_no_known_encoding_say_how_to_save_them(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    # 0xff is no lead byte in GB18030 either; it follows "site:\n" (6 bytes) and "  title: " (9): position 15
    (project / "parameters" / "2026-10.yaml").write_bytes(b"site:\n  title: \xff\xfe\n")
    proc = run_cli("--project", str(project), "validate", "--month", "2026-10")
    assert proc.returncode == 2
    line = _one_error_line(proc.stderr)
    assert line.endswith("2026-10.yaml: must be text saved as UTF-8. Got byte 0xff at position 15, which no "
                         "Chinese or UTF-8 encoding reads. Open it in a text editor and save it with the encoding UTF-8.")


def test_a_number_in_a_list_of_texts_is_that_text(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    (project / "parameters" / "2026-10.yaml").write_text("survey:\n  not_applicable: [0, 不适用]\n", "utf-8")
    proc = run_cli("--project", str(project), "validate", "--month", "2026-10", "-p", "company.name=2026")
    assert proc.returncode == 0, proc.stderr
    from analysis import load_parameters

    params = load_parameters(root=project, month="2026-10")
    assert params.survey.not_applicable == ["0", "不适用"]


@pytest.mark.parametrize("args,expected", [
    (["--customers", "5"], "demo data customers (--customers): must be a whole number of at least 10. Got 5."),
    (["--months", "1"], "demo data months (--months): must be a whole number of at least 3. Got 1."),
    (["--leads", "-1"], "demo data leads (--leads): must be a whole number of 0 or more. Got -1."),
    (["--end-month", "2026-13"], "demo data end_month (--end-month): must be a month written YYYY-MM"),
])
def test_demo_data_too_small_is_a_users_mistake(tmp_path, args, expected):
    project = make_project(tmp_path / "p")
    proc = run_cli("--project", str(project), "demo-data", *args)
    assert proc.returncode == 2
    assert _one_error_line(proc.stderr).startswith(f"error: {expected}")
    assert not list((project / "data" / "raw").iterdir())


def test_demo_data_never_replaces_a_companys_exports_unless_told(tmp_path):
    """data/raw holds the company's archive: demo-data stops before writing anything (exit 2, the file named);
    --overwrite replaces it; demo files as the demo wrote them are replaced without asking, changed ones are not."""
    project = make_project(tmp_path / "p")
    raw = project / "data" / "raw"
    export = raw / "客户档案.xlsx"
    export.write_bytes((FIXTURES / "good" / "客户档案.xlsx").read_bytes())
    small = ("demo-data", "--customers", "10", "--months", "3", "--leads", "0", "--end-month", "2026-10")
    proc = run_cli("--project", str(project), *small)
    assert proc.returncode == 2
    line = _one_error_line(proc.stderr)
    assert line.startswith(f"error: {export}: is not demo data as workbench demo-data wrote it") and "--overwrite" in line
    assert [p.name for p in raw.iterdir()] == ["客户档案.xlsx"]  # nothing written, the export as it was
    assert export.read_bytes() == (FIXTURES / "good" / "客户档案.xlsx").read_bytes()
    assert run_cli("--project", str(project), *small, "--overwrite").returncode == 0
    assert export.read_bytes() != (FIXTURES / "good" / "客户档案.xlsx").read_bytes()
    assert run_cli("--project", str(project), *small, "--format", "csv").returncode == 0  # its own files: replaced
    assert not export.exists() and (raw / "客户档案.csv").is_file()
    with open(raw / "客户档案.csv", "a", encoding="utf-8") as fh:  # an analyst's edit of a demo file
        fh.write("C9999,新客户\n")
    assert run_cli("--project", str(project), *small).returncode == 2


def test_demo_data_writes_its_truth_outside_the_tracked_files(tmp_path):
    project = make_project(tmp_path / "p")
    proc = run_cli("--project", str(project), "demo-data", "--customers", "10", "--months", "3", "--leads", "0",
                   "--end-month", "2026-10")
    assert proc.returncode == 0, proc.stderr
    assert (project / "data" / "processed" / "demo_truth" / "truth.json").is_file()
    assert not (project / "data" / "demo_truth").exists()
    assert "planted effects: data/processed/demo_truth/truth.json" in proc.stdout
    # in this repository the truth folder is ignored, and no truth file is tracked
    import subprocess

    from conftest import ROOT

    tracked = subprocess.run(["git", "ls-files", "data"], cwd=ROOT, capture_output=True, text=True)
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/processed/demo_truth/truth.json"], cwd=ROOT)
    if tracked.returncode == 0:  # a git checkout
        assert "demo_truth" not in tracked.stdout and ignored.returncode == 0


# ------------------------------------------------------------------ Ctrl+C: one line, exit 130

_INTERRUPTIBLE = """
import sys, time
from concurrent.futures import ProcessPoolExecutor
import analysis.cli as cli, analysis.runner as runner

def nap(i):
    print(f"worker {i} asleep", flush=True)
    time.sleep(60)

def fake_run(params, progress=None, **kw):  # a process pool as the runner's, with 4 sleeping jobs for 2 workers
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(nap, i) for i in range(4)]
        [f.result() for f in futures]

runner.run_month = fake_run
sys.exit(cli.main(sys.argv[1:]))
"""


def test_ctrl_c_prints_one_line_and_exits_130_without_worker_tracebacks(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    project = _site_project(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", _INTERRUPTIBLE, "--project", str(project), "run", "--month",
                             DEMO_MONTH, "--no-site"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group, as a terminal's foreground job
    try:
        seen = []
        deadline = time.monotonic() + 60
        # counted in the text, not by lines: the two workers' lines can interleave ("worker 0 asleepworker 1
        # asleep"), which left this loop waiting for its 60-second deadline about once in 12 runs
        while "".join(seen).count("asleep") < 2 and time.monotonic() < deadline:
            seen.append(proc.stdout.readline())
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl+C reaches the whole group: the command and its workers
        interrupted = time.monotonic()
        out, err = proc.communicate(timeout=90)
        waited = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    # the workers stop: without that, each would take the next 60-second job after its interrupted one
    assert waited < 30
    assert err.strip() == "interrupted (Ctrl+C): stopped; the last complete run and site are kept."
    assert not (project / "reports" / ".workbench.lock").exists()


# ------------------------------------------------------------------ one command at a time

_HOLDER = """
import sys, time
from pathlib import Path
from analysis._files import hold_project_lock
lock = hold_project_lock(Path(sys.argv[1]), "workbench run --month 2026-10")
print("held", flush=True)
time.sleep(120)
"""


def _hold_lock(project):
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(project)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def _dead_pid() -> int:
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def test_a_second_command_says_who_holds_the_lock_and_exits_2(tmp_path):
    project = _site_project(tmp_path)
    holder = _hold_lock(project)
    try:
        for command in (["publish", "--to", str(tmp_path / "share")], ["build-site"], ["run"]):
            proc = run_cli("--project", str(project), *command, "--month", DEMO_MONTH)
            assert proc.returncode == 2, proc.stderr
            line = _one_error_line(proc.stderr)
            assert "another workbench command is running in this project (PID " \
                   f"{holder.pid}, `workbench run --month 2026-10`, started " in line
            assert "Wait until it has finished" in line
        assert not (tmp_path / "share").exists()
    finally:
        holder.kill()
        holder.wait()
    # killed: the OS freed its lock, the file stays; the next command takes it over and says so
    lock = json.loads((project / "reports" / ".workbench.lock").read_text("utf-8"))
    assert lock["pid"] == holder.pid and lock["command"] == "workbench run --month 2026-10"
    proc = run_cli("--project", str(project), "publish", "--month", DEMO_MONTH, "--to", str(tmp_path / "share"))
    assert proc.returncode == 0, proc.stderr
    assert (f"taking over the lock of a workbench command that is no longer running: PID {holder.pid}, "
            "`workbench run --month 2026-10`") in proc.stdout
    assert (tmp_path / "share" / "index.html").is_file()
    assert not (project / "reports" / ".workbench.lock").exists()  # released at the end


def test_a_stale_lock_file_from_a_dead_process_is_taken_over(tmp_path):
    project = _site_project(tmp_path)
    pid = _dead_pid()
    (project / "reports" / ".workbench.lock").write_text(json.dumps(
        {"pid": pid, "command": "workbench build-site", "host": "elsewhere", "started": "2026-10-01T02:00:00"}))
    proc = run_cli("--project", str(project), "build-site", "--month", DEMO_MONTH)
    assert f"taking over the lock of a workbench command that is no longer running: PID {pid} on elsewhere, " \
           "`workbench build-site`, started 2026-10-01 02:00:00" in proc.stdout
    assert "another workbench command" not in proc.stderr  # it went on (and failed for want of a run)


def test_without_os_file_locks_a_live_pid_holds_and_a_dead_one_does_not(tmp_path, monkeypatch):
    import socket
    import sys

    from analysis._files import hold_project_lock
    from analysis.errors import LockError

    monkeypatch.setitem(sys.modules, "fcntl", None)  # as on Windows
    project = _site_project(tmp_path)
    lock = project / "reports" / ".workbench.lock"
    holder = _hold_lock(tmp_path / "elsewhere")  # a live process (holding another project's lock)
    try:
        lock.write_text(json.dumps({"pid": holder.pid, "command": "workbench run", "host": socket.gethostname(),
                                    "started": "2026-10-01T02:00:00"}))
        with pytest.raises(LockError, match=f"PID {holder.pid}, `workbench run`"):
            hold_project_lock(project, "workbench publish")
    finally:
        holder.kill()
        holder.wait()
    said = []
    with hold_project_lock(project, "workbench publish", progress=said.append):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert said and said[0].startswith(f"taking over the lock of a workbench command that is no longer running: "
                                       f"PID {holder.pid}")
    assert not lock.exists()


# ------------------------------------------------------------------ leftovers of killed runs

def test_leftovers_of_killed_runs_are_removed_at_the_next_start(tmp_path):
    project = _site_project(tmp_path)
    share = tmp_path / "share"
    dead, alive = _dead_pid(), os.getpid()  # this test process outlives the command: its leftovers stay
    leftovers = [project / "reports" / "runs" / f".{DEMO_MONTH}.staging-{dead}",
                 project / "reports" / f".site-staging-{dead}",
                 project / "reports" / f".site.old-{dead}",
                 project / "data" / "processed" / f".staging-0123456789abcdef-{dead}",
                 project / "data" / "processed" / "tables-0123456789abcdef" / "scopes" / f".region-east.staging-{dead}",
                 share / f".publish-staging-{dead}",
                 share / f".{DEMO_MONTH}.old-{dead}"]
    files = [project / "reports" / "runs" / f".manifest.json.tmp-{dead}", project / "reports" / f".list.tmp-{dead}.xlsx"]
    kept = [project / "reports" / "runs" / f".2026-09.staging-{alive}",  # a live process's work in progress
            project / "reports" / "runs" / "2026-09.failed",  # a failed run kept for inspection
            share / "2025-01"]
    old_but_alive = project / "data" / "processed" / f".staging-fedcba9876543210-{alive}"
    for folder in [*leftovers, *kept, old_but_alive]:
        folder.mkdir(parents=True)
        (folder / "part.parquet").write_bytes(b"half")
    for file in files:
        file.write_bytes(b"half")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old_but_alive, (two_days_ago, two_days_ago))  # its PID is in use again by some other process
    proc = run_cli("--project", str(project), "publish", "--month", DEMO_MONTH, "--to", str(share))
    assert proc.returncode == 0, proc.stderr
    assert "removed 10 leftover(s) of interrupted runs" in proc.stdout
    for path in [*leftovers, *files, old_but_alive]:
        assert not path.exists(), path
    for path in kept:
        assert path.is_dir(), path
    assert (share / "index.html").is_file()


# ------------------------------------------------------------------ sources stay in the raw folder

@pytest.mark.parametrize("file", ["../../etc/passwd", "/etc/passwd", "sub/../../客户档案.xlsx"])
def test_a_source_outside_the_raw_folder_is_refused(tmp_path, file):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    proc = run_cli("--project", str(project), "validate", "--month", DEMO_MONTH, "-p", f"data.sources.orders.file={file}")
    assert proc.returncode == 2
    assert (f"the command line (-p) [key path: 'data/sources/orders/file']: must be a file inside data.raw_dir "
            f"(data/raw). Got '{file}'. Copy the file into data/raw and give its name there, or set "
            "data.allow_outside_raw_dir: true.") in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_source_outside_the_raw_folder_is_read_when_allowed(tmp_path):
    project = make_project(tmp_path / "p", FIXTURES / "good")
    outside = tmp_path / "exports"
    outside.mkdir()
    (project / "data" / "raw" / "销售统计.xlsx").rename(outside / "销售统计.xlsx")
    proc = run_cli("--project", str(project), "validate", "--month", DEMO_MONTH,
                   "-p", f"data.sources.orders.file={outside / '销售统计.xlsx'}", "-p", "data.allow_outside_raw_dir=true")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "销售统计.xlsx" in proc.stdout
