"""Runner: execute the report notebooks with papermill, in parallel, skipping unchanged ones; write the manifest."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from . import __version__
from ._files import swap_in
from .config import Parameters, in_page_order, last_complete_month, page_order
from .periods import is_period, parse_period
from .data.store import prepare_tables, scope_slug
from .errors import ConfigError, NotebookError

MANIFEST = "manifest.json"


@dataclass
class NotebookResult:
    """Outcome of one notebook in one run (for the whole company, or one scope such as a branch)."""

    name: str
    outcome: str  # ok, skipped, failed
    seconds: float
    fingerprint: str
    outputs: list[str] = field(default_factory=list)  # relative to the month's run folder
    error: str | None = None
    cell: int | None = None
    scope: str | None = None  # scope folder name, None for the whole company

    @property
    def label(self) -> str:
        return f"{self.name} [{self.scope}]" if self.scope else self.name


@dataclass
class RunResult:
    month: str
    folder: Path
    seconds: float
    notebooks: list[NotebookResult]

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for nb in self.notebooks:
            counts[nb.outcome] = counts.get(nb.outcome, 0) + 1
        return ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))


def run_month(params: Parameters, overrides: list[str] | dict | None = None, force: bool = False,
              progress: Callable[[str], None] | None = None, executor: str = "local",
              scheduler: str | None = None, allow_incomplete: bool = False,
              today: dt.date | None = None) -> RunResult:
    """Load and validate the data, execute every notebook for the report period (``params.period``: a month,
    a quarter or a year), write the run folder.

    The run is written to a staging folder and moved to ``reports/runs/<period>/``
    only when every notebook succeeded; a failure leaves the previous run (and the
    site built from it) untouched and keeps the failed notebooks in
    ``reports/runs/<period>.failed/`` for inspection.

    A period that has not ended by ``today`` is refused before anything is read, unless
    ``allow_incomplete``: its figures would change as the rest of the period is recorded.

    Raises
    ------
    ConfigError : the period has not ended yet (and not ``allow_incomplete``).
    DataError : the data failed validation (nothing executed).
    NotebookError : a cell failed; the message names notebook, cell and exception.
    """
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    check_complete(params, allow_incomplete, today)
    overrides = _as_dict(overrides)
    if allow_incomplete and params.as_of is None and params.report_period.end >= (today or dt.date.today()):
        # the period has not ended: count the data up to the last complete month (or yesterday), not up to a
        # day still ahead; the notebooks get the same cut-off
        as_of = default_as_of(params, today)
        overrides["as_of"] = as_of.isoformat()
        root = params.root
        params = type(params).model_validate({**params.model_dump(), "as_of": as_of})
        params._root = root
    notebooks = _notebook_paths(params)
    tables = prepare_tables(params, progress=say)
    scopes = _scopes(params, tables)
    runs = params.root / "reports" / "runs"
    final = runs / run_folder(params)
    previous = _read_manifest(final)
    slugs = {scope_slug(*c) for c in filter(None, scopes)}
    left_out = in_page_order([n for n in (previous or {}).get("notebooks", {}) if n not in notebooks],
                             page_order(params))
    if left_out:  # a narrower run.notebooks: the run holds the pages it names
        pages = "its page of the last run is" if len(left_out) == 1 else "their pages of the last run are"
        say(f"{', '.join(left_out)}: not in this run (run.notebooks); {pages} left out of this run and of the site "
            "built from it")
    for slug, scope in (previous or {}).get("scopes", {}).items():
        if slug not in slugs:  # a narrower run.split_values (or none): this run's site has no pages for it
            say(f"{scope.get('value')}: not in this run (run.split_by, run.split_values); its pages of the last "
                "run are left out of this run and of the site built from it")
    staging = runs / f".{final.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    code_hash = _code_hash()
    inputs = {name: info.sha256 for name, info in tables.report.tables.items()}
    results: list[NotebookResult] = []
    todo = []
    try:
        for scope in scopes:
            slug = scope_slug(*scope) if scope else None
            old_runs = ((previous or {}).get("scopes", {}).get(slug, {}) if slug else previous or {}).get("notebooks", {})
            extra = {**overrides, "scope": {"column": scope[0], "value": scope[1]}} if scope else overrides
            for name, path in notebooks.items():
                fp = _fingerprint(path, params, inputs, code_hash, extra)
                old = old_runs.get(name)
                if (not force and old and old["outcome"] in ("ok", "skipped", "no_data") and old["fingerprint"] == fp
                        and all((final / o).is_file() for o in old["outputs"])):
                    results.append(NotebookResult(name, "skipped", 0.0, fp, old["outputs"], scope=slug))
                    say(f"[skip] {results[-1].label}: inputs, parameters and code unchanged since the last good run")
                else:
                    todo.append((name, path, fp, slug, extra))
        unchanged = bool(previous and todo == [] and not left_out and set(previous.get("scopes", {})) == slugs)
        if unchanged:  # keep the last good run's folder, manifest and site untouched: nothing to copy or execute
            say("nothing changed: the last good run stands as it is")
            shutil.rmtree(runs / f"{final.name}.failed", ignore_errors=True)
            order = list(notebooks)
            results.sort(key=lambda r: (r.scope is not None, r.scope or "", order.index(r.name)))
            return RunResult(params.period, final, time.perf_counter() - started, results)
        for skipped in results:  # the skipped notebooks' files go into the new run folder as they were
            for output in skipped.outputs:
                (staging / output).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(final / output, staging / output)
        if todo:
            say(f"executing {len(todo)} notebook(s) for {params.period} "
                f"({'dask ' + str(scheduler) if executor == 'dask' else f'{params.run.workers} worker(s)'})")
        results += _execute_all(todo, params, overrides, staging, say, executor, scheduler)
        failed = [r for r in results if r.outcome == "failed"]
        manifest = _manifest(params, overrides, tables, results, started, code_hash, scopes)
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        if failed:
            dest = runs / f"{final.name}.failed"
            shutil.rmtree(dest, ignore_errors=True)
            os.replace(staging, dest)
            first = failed[0]
            where = f"scopes/{first.scope}/" if first.scope else ""
            scope_value = next((v for c, v in filter(None, scopes) if scope_slug(c, v) == first.scope), first.scope)
            raise NotebookError(f"notebook {first.name}.ipynb{f' ({scope_value})' if first.scope else ''} failed "
                                f"at cell {first.cell}: {first.error}\nThe executed notebook is in "
                                f"{dest.relative_to(params.root)}/{where}{first.name}.ipynb; "
                                "the previous run and the site were left as they were.")
        swap_in(staging, final)
        shutil.rmtree(runs / f"{final.name}.failed", ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    order = list(notebooks)
    results.sort(key=lambda r: (r.scope is not None, r.scope or "", order.index(r.name)))
    return RunResult(params.period, final, time.perf_counter() - started, results)


def execute_notebook(name: str, path: str, output_dir: str, month: str, overrides: dict, kernel: str,
                     timeout: int, cwd: str, root: str, threads: int = 0, warm: str | None = None) -> dict:
    """Execute one notebook with papermill (runs in a worker process); never raises.

    ``warm``: the socket of the run's fork server (:mod:`analysis.warm`); the kernel is then a fork of it.
    """
    fast_jupyter_imports()
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from . import warm as warm_kernels

    warm_kernels.server = warm
    starting = {"kernel_manager_class": warm_kernels.kernel_manager_class()} if warm else {}

    os.environ["WORKBENCH_HOME"] = root  # the kernel inherits it: the notebook loads this project's parameters
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    if threads:  # kernels side by side must share the cores, or OpenMP/BLAS threads spin against each other
        os.environ.update(_thread_settings(threads))

    started = time.perf_counter()
    out = Path(output_dir) / f"{name}.ipynb"
    before = set(os.listdir(output_dir))
    try:
        with _stderr_to(Path(output_dir) / f"{name}.log"):  # kernel chatter stays out of the run's own log
            for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
                try:
                    pm.execute_notebook(path, str(out), parameters={"month": month, "overrides": overrides,
                                                                    "output_dir": output_dir},
                                        kernel_name=kernel, cwd=cwd, execution_timeout=timeout,
                                        engine_name=_engine(),
                                        progress_bar=False,
                                        # a kernel starting beside others on a busy machine may take longer than
                                        # papermill's 60 s to answer (seen with four kernels on two cores)
                                        start_timeout=300,
                                        log_output=False,
                                        # a kernel that died while starting is started the usual way
                                        **(starting if attempt == 1 else {}))
                    break
                except RuntimeError as exc:
                    if attempt == KERNEL_START_ATTEMPTS or not _lost_port_race(exc, out):
                        raise
        outcome, error, cell = "ok", None, None
    except PapermillExecutionError as exc:
        outcome, cell = "failed", _source_cell_number(out, exc.cell_index)
        error = f"{exc.ename}: {exc.evalue}"
        reason = _no_data_reason(out)
        if reason is not None:
            # the data cannot support this page (an absent optional table, a branch too small for a model):
            # the page says why in the reader's language, and the run goes on
            outcome, error = "no_data", f"DataError: {reason}"
    except Exception as exc:  # kernel died, timeout, missing kernel...
        outcome, error, cell = "failed", f"{type(exc).__name__}: {exc}", _started_cell(out)
        if type(exc).__name__ == "CellTimeoutError":  # nbclient's; its text previews the cell's source
            error = (f"CellTimeoutError: the cell ran longer than run.timeout_seconds ({timeout} s). Raise "
                     "run.timeout_seconds in parameters/defaults.yaml if the data is that large")
    # a notebook's files in the run folder start with its name (notebooks run side by side)
    produced = sorted(p for p in set(os.listdir(output_dir)) - before - {f"{name}.ipynb"} if p.startswith(name))
    outputs = [f"{name}.ipynb"] + produced
    scope = overrides.get("scope") if isinstance(overrides, dict) else None
    return {"name": name, "outcome": outcome, "seconds": time.perf_counter() - started, "error": error,
            "cell": cell, "outputs": outputs if out.is_file() else outputs[1:],
            "scope": scope_slug(scope["column"], scope["value"]) if scope else None}


# ----------------------------------------------------------------------------- internals

#: papermill writes the executed notebook as each cell starts and as it ends; the engine below writes it at
#: most this often while cells run, and always when the notebook ends (also on an error or a timeout)
SAVE_SECONDS = 5.0


@functools.cache
def _engine() -> str:
    """papermill's nbclient engine, registered under its own name, that writes the executed notebook every
    SAVE_SECONDS instead of twice per cell.

    Each write validates and serialises the whole notebook, charts included: the satisfaction page's 37
    writes took 0.66 s of its worker's CPU. While cells run, the notebook on disk is written when a cell starts
    or ends at least SAVE_SECONDS after the last write (and by papermill every 30 s while a cell prints); it is
    complete when the notebook ends, failed or not: the cell a failure names is read from that last write.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class SavesEverySeconds(NotebookExecutionManager):
        def save(self, final: bool = False, **kwargs):
            if final or (self.now() - self.last_save_time).total_seconds() >= SAVE_SECONDS:
                super().save(**kwargs)

        def notebook_start(self, **kwargs):
            super().notebook_start(**kwargs)
            self.save(final=True)  # the parameters in place: the run folder shows the page from its start

        def notebook_complete(self, **kwargs):
            super().notebook_complete(**kwargs)
            self.save(final=True)

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            # papermill's Engine.execute_notebook, with the manager above
            manager = SavesEverySeconds(nb, output_path=output_path, progress_bar=progress_bar,
                                        log_output=log_output, autosave_cell_every=autosave_cell_every)
            manager.notebook_start()
            try:
                cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
            finally:
                manager.cleanup_pbar()
                manager.notebook_complete()
            return manager.nb

    papermill_engines.register("workbench", Engine)
    return "workbench"


#: how often a kernel that died while starting is started again. Jupyter picks a kernel's ports by binding to
#: free ones, closing them and handing the numbers to the kernel; a kernel starting beside others may find one
#: taken by then and exit ("Address already in use"), about once in 60 starts with four kernels starting
#: together. A new start picks new ports, and no cell has run, so nothing is done twice.
KERNEL_START_ATTEMPTS = 3


def _lost_port_race(exc: RuntimeError, executed: Path) -> bool:
    """Whether the kernel died while starting (jupyter_client's own message), before any cell began."""
    return "Kernel died before replying to kernel_info" in str(exc) and _started_cell(executed) is None


class _stderr_to:
    """Send this process's standard error (file descriptor 2, inherited by the kernel it starts) to a file."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        import sys

        sys.stderr.flush()
        self.saved = os.dup(2)
        self.file = open(self.path, "ab")
        os.dup2(self.file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        import sys

        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.file.close()
        if self.path.stat().st_size == 0:
            self.path.unlink()
        return False


class _Progress:
    """One line per finished notebook; on a terminal, a bar redrawn in place while the kernels work."""

    def __init__(self, total: int, say):
        import sys
        import threading

        self.total, self.done, self.say, self.started = total, 0, say, time.perf_counter()
        self.tty = sys.stdout.isatty()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        if self.tty:
            threading.Thread(target=self._tick, daemon=True).start()

    def finished(self, line: str) -> None:
        with self.lock:
            self.done += 1
            self._clear()
            self.say(line)
            self._draw()

    def close(self) -> None:
        self.stop.set()
        with self.lock:
            self._clear()

    def _tick(self) -> None:
        while not self.stop.wait(1.0):
            with self.lock:
                self._draw()

    def _draw(self) -> None:
        if self.tty and self.done < self.total:
            import sys

            width = 24
            filled = width * self.done // max(self.total, 1)
            sys.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} notebooks, "
                             f"{time.perf_counter() - self.started:.0f}s")
            sys.stdout.flush()

    def _clear(self) -> None:
        if self.tty:
            import sys

            sys.stdout.write("\r\033[K")
            sys.stdout.flush()


def _no_data_reason(executed: Path) -> str | None:
    """The reason a page recorded for stopping on a DataError (see ``report.open_page``), or None."""
    from .message import NO_DATA_MIME

    fast_jupyter_imports()
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return None
    for cell in cells:
        for output in cell.get("outputs", []):
            if NO_DATA_MIME in output.get("data", {}):
                return str(output["data"][NO_DATA_MIME].get("reason", ""))
    return None


def _started_cell(executed: Path) -> int | None:
    """The source cell number of the last cell that began executing (the one a timeout or a dying kernel
    stopped), from the notebook papermill saved; None when there is none."""
    fast_jupyter_imports()
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return None
    started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    return _source_cell_number(executed, started[-1]) if started else None


def _source_cell_number(executed: Path, cell_index: int) -> int:
    """1-based position of a cell in the committed notebook (papermill inserts a parameters cell)."""
    fast_jupyter_imports()
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return cell_index + 1
    # papermill adds error-banner cells to the saved notebook after the fact: leave them out
    cells = [c for c in cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    injected = sum(1 for c in cells[:cell_index] if "injected-parameters" in c.metadata.get("tags", []))
    return cell_index - injected + 1


def _execute_all(todo, params, overrides, staging, say, executor, scheduler) -> list[NotebookResult]:
    if not todo:
        return []
    cwd = str(params.root / "notebooks")
    jobs, meta = {}, {}
    for name, path, fp, slug, extra in todo:
        folder = staging / "scopes" / slug if slug else staging
        folder.mkdir(parents=True, exist_ok=True)
        key = f"{slug}/{name}" if slug else name
        jobs[key] = dict(name=name, path=str(path), output_dir=str(folder), month=params.period, overrides=extra,
                         kernel=params.run.kernel, timeout=params.run.timeout_seconds, cwd=cwd, root=str(params.root))
        meta[key] = (fp, slug, extra.get("scope", {}).get("value") if slug else None)
    results = []
    progress = _Progress(len(jobs), say)

    def record(done: dict, i: int):
        key = f"{done['scope']}/{done['name']}" if done.get("scope") else done["name"]
        fp, slug, value = meta[key]
        prefix = f"scopes/{slug}/" if slug else ""
        r = NotebookResult(done["name"], done["outcome"], done["seconds"], fp, [prefix + o for o in done["outputs"]],
                           done["error"], done["cell"], scope=slug)
        mark = {"ok": "ok", "no_data": "left out, the data cannot support it"}.get(r.outcome, "FAILED")
        label = f"{r.name} ({value})" if value else r.name
        why = f" ({r.error.removeprefix('DataError: ')})" if r.error else ""
        progress.finished(f"[{i}/{len(todo)}] {label}: {mark} in {r.seconds:.1f}s{why}")
        results.append(r)

    if executor == "dask":
        from .distributed import run_on_dask

        try:
            for i, done in enumerate(run_on_dask(scheduler, execute_notebook, list(jobs.values())), 1):
                record(done, i)
        finally:
            progress.close()
        return results
    if executor != "local":
        raise ConfigError(f"--executor must be local or dask. Got '{executor}'.")
    fast_jupyter_imports()  # the worker processes are forked from this one and inherit it
    workers = min(params.run.workers, len(todo))
    if workers > 1:
        _engine()  # imports papermill (0.5 s) once, here, for the workers forked below
    threads = max(1, (os.cpu_count() or 1) // workers)
    server = _warm_server(params, cwd, len(jobs))
    for job in jobs.values():
        job["threads"] = threads
        job["warm"] = server.path if server else None
    try:
        if workers == 1:
            for i, job in enumerate(jobs.values(), 1):
                record(execute_notebook(**job), i)
            return results
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(execute_notebook, **job) for job in jobs.values()]
            for i, future in enumerate(as_completed(futures), 1):
                record(future.result(), i)
        return results
    finally:
        progress.close()
        if server:
            server.close()


def _warm_server(params: Parameters, cwd: str, kernels: int):
    """The run's fork server for warm kernels (analysis.warm), or None where kernels start the usual way: when
    switched off, on a system other than Linux, when the run executes no more kernels than it has workers, or
    when the server cannot start.

    Kernels that all start at once import side by side; a server would import the same once, but before any
    of them could start (a one-page run took 8.7 s of CPU with it, 7.1 s without; two light pages on two
    workers the same CPU, 2 s more wall). From one kernel more than workers on, the server saves imports."""
    from . import warm

    if not (params.run.warm_kernels and warm.available()) or kernels <= params.run.workers:
        return None
    # one thread while it imports (more would not survive a fork); each kernel sets its own
    env = {**os.environ, **_thread_settings(1)}
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    try:
        return warm.ForkServer(env, cwd)
    except OSError:
        return None


def _thread_settings(threads: int) -> dict[str, str]:
    """The environment that gives a kernel's BLAS, OpenMP and DuckDB this many threads."""
    return {var: str(threads) for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                          "WORKBENCH_THREADS")}


def _notebook_paths(params: Parameters) -> dict[str, Path]:
    folder = params.root / "notebooks"
    paths = {}
    for name in params.run.notebooks:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in folder.glob("*.ipynb")))
            raise ConfigError(f"parameters [key path: 'run/notebooks']: notebook '{name}' not found in "
                              f"notebooks/. Known notebooks: {known}.")
        paths[name] = path
    return paths


def _as_dict(overrides) -> dict:
    if not overrides:
        return {}
    if isinstance(overrides, dict):
        return dict(overrides)
    from .config import parse_override

    return dict(parse_override(o) for o in overrides)


#: parameters that cannot change a page: how the run is carried out, how many loads are cached, and which
#: other pages and branches run beside it
PAGE_NEUTRAL = ("run.workers", "run.timeout_seconds", "run.warm_kernels", "data.keep_caches", "run.split_values",
                "run.notebooks")


def _fingerprint(path: Path, params: Parameters, inputs: dict, code_hash: str, overrides: dict) -> str:
    """What a notebook's pages depend on: its source, the parameters that can change a page, inputs, code.

    run.workers and run.timeout_seconds (and the executor, an argument) only say how the run is
    carried out; run.split_by adds scope pages but cannot change the company's own.
    """
    scoped = bool(overrides.get("scope"))
    neutral = PAGE_NEUTRAL if scoped else (*PAGE_NEUTRAL, "run.split_by")
    values = params.model_dump(mode="json")
    for key in neutral:
        section, name = key.split(".")
        values.get(section, {}).pop(name, None)
    kept = {k: v for k, v in overrides.items() if not any(k == n or k.startswith(n + ".") for n in neutral)}
    for section in ("run", "data"):
        if isinstance(kept.get(section), dict):
            kept[section] = {k: v for k, v in kept[section].items() if f"{section}.{k}" not in neutral}
    blob = json.dumps({"notebook": hashlib.sha256(path.read_bytes()).hexdigest(), "params": values,
                       "inputs": inputs, "code": code_hash, "overrides": kept}, sort_keys=True,
                      ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _code_hash() -> str:
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for file in sorted(package.rglob("*.py")):
        digest.update(file.relative_to(package).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _manifest(params, overrides, tables, results, started, code_hash, scopes) -> dict:
    return {
        "month": params.month,
        "period": params.period,
        # False for a period run before it ended (--allow-incomplete): its pages say the figures are not final
        "complete": params.report_period.end < dt.date.today(),
        "as_of": params.as_of.isoformat() if params.as_of else None,
        "finished_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 2),
        "package_version": __version__,
        "git_commit": git_commit(params.root),
        "code_hash": code_hash,
        "parameters": params.model_dump(mode="json"),
        "overrides": overrides,
        "inputs": {name: {"file": info.file, "sheet": info.sheet, "sha256": info.sha256.split(":")[-1],
                          "rows": info.rows}
                   for name, info in tables.report.tables.items()},
        "absent_tables": tables.report.missing,
        "notebooks": {r.name: _record(r) for r in results if r.scope is None},
        "scopes": {slug: {"column": column, "value": value,
                          "notebooks": {r.name: _record(r) for r in results if r.scope == slug}}
                   for column, value, slug in ((c, v, scope_slug(c, v)) for c, v in filter(None, scopes))},
    }


def _record(result: NotebookResult) -> dict:
    return {k: v for k, v in asdict(result).items() if k not in ("name", "scope")}


def _scopes(params: Parameters, tables) -> list:
    """None (the whole company), then (column, value) for every value of run.split_by (those of
    run.split_values only, when given)."""
    import difflib

    if not params.run.split_by:
        return [None]
    column = params.run.split_by
    customers = tables["customers"]
    if column not in customers.columns:
        raise ConfigError(f"parameters [key path: 'run/split_by']: the customer archive has no column {column}. "
                          f"Choose one of {', '.join(c for c in customers.columns if c != 'customer_id')}.")
    values = sorted(customers[column].dropna().astype(str).unique())
    chosen = params.run.split_values
    if chosen:
        unknown = [v for v in dict.fromkeys(chosen) if v not in values]
        if unknown:
            close = dict.fromkeys(c for v in unknown for c in difflib.get_close_matches(v, values, n=2, cutoff=0.5))
            hint = (f" Did you mean {', '.join(close)}?" if close else
                    f" The customer archive has: {', '.join(values[:20])}"
                    + (f" and {len(values) - 20} more." if len(values) > 20 else "."))
            if any(v.isdigit() for v in unknown):
                hint += " Codes with leading zeros must be quoted, e.g. ['001']."
            raise ConfigError(f"parameters [key path: 'run/split_values']: no customer has {column} "
                              f"{', '.join(unknown)}.{hint}")
        values = [v for v in values if v in set(chosen)]
    return [None, *((column, v) for v in values)]


def fast_jupyter_imports() -> None:
    """Leave out jsonschema's RFC 3987 format checks before nbformat (papermill, nbconvert) is imported.

    jsonschema imports rfc3987_syntax when it is installed (jupyter-events pulls it in), and that
    module compiles its grammars on import: 2.2 s of CPU in every process that imports nbformat,
    for checks of IRI strings that no notebook schema uses. Call it before those imports.
    """
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # an import of it now fails, and jsonschema skips it


def process_seconds() -> float:
    """Seconds since this process started (interpreter start-up and imports included), for the
    command's closing line; on systems without /proc, since this module was imported."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            start_ticks = int(fh.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


def git_commit(root: Path) -> str | None:
    """The project's git commit (with '+dirty' when there are local changes), or None."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def default_as_of(params: Parameters, today: dt.date | None = None) -> dt.date:
    """The last day whose data an unfinished period counts: the end of the last complete month when it falls
    in the period (monthly exports arrive after the month ends), else yesterday."""
    today = today or dt.date.today()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    if last_month_end >= params.period_start:
        return last_month_end
    return max(params.period_start, today - dt.timedelta(days=1))


def check_complete(params: Parameters, allow_incomplete: bool = False, today: dt.date | None = None) -> None:
    """Refuse a report period that has not ended by ``today`` (its last day must be before today)."""
    today = today or dt.date.today()
    if allow_incomplete or params.report_period.end < today:
        return
    last = last_complete_month(today)
    raise ConfigError(f"report period {params.period}: it ends on {params.period_end}, "
                      f"{'after' if params.period_start > today else 'on or after'} today ({today}), so its figures "
                      f"are not final. Choose a period that has ended (the last complete month is {last}: "
                      f"--period {last}), or add --allow-incomplete to run it anyway.")


def run_folder(params: Parameters) -> str:
    """The run folder of a period: ``2026-10`` in the default language, ``2026-10.en`` in another, so that a run
    in English leaves the Chinese run of the same period (and its site) as it was."""
    from .i18n import DEFAULT_LANGUAGE

    language = params.site.language
    return params.period if language == DEFAULT_LANGUAGE else f"{params.period}.{language}"


def period_of_folder(name: str) -> str | None:
    """The period a run folder holds (2026-10 for 2026-10 and 2026-10.en); None for any other folder."""
    label = name.split(".", 1)[0]
    return label if is_period(label) and parse_period(label).label == label else None


def completed_runs(root: Path) -> dict[str, dict]:
    """{run folder: manifest} of every good run in reports/runs/ (months, quarters, years, in each language
    they were run in: 2026-10, 2026-10.en), oldest first."""
    runs = root / "reports" / "runs"
    out = {}
    folders = [f for f in runs.iterdir() if f.is_dir() and not f.name.endswith(".failed") and period_of_folder(f.name)
               ] if runs.is_dir() else []
    for folder in sorted(folders, key=lambda f: (parse_period(period_of_folder(f.name)).sort_key(), f.name)):
        manifest = _read_manifest(folder)
        if manifest:
            out[folder.name] = manifest
    return out
