"""The ``workbench`` command: demo-data, validate, run, build-site, publish, serve."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
import traceback
from pathlib import Path

from . import __version__
from .errors import WorkbenchError, describe_os_error

INTERRUPTED = "interrupted (Ctrl+C): stopped; the last complete run and site are kept."
_main_pid: int | None = None
_interrupted = False


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 failure, 2 a user's mistake or a fault of the system,
    130 interrupted)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    args.command_line = " ".join(["workbench", *(sys.argv[1:] if argv is None else argv)])
    quiet_interrupts()
    try:
        return args.func(args) or 0
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except OSError as exc:  # not writable, disk full, port in use...: the system's fault or the user's, not ours
        if _interrupted:
            print(INTERRUPTED, file=sys.stderr)
            return 130
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return 2
    except Exception:  # a bug of ours: show everything
        if _interrupted:  # a library turned Ctrl+C into its own exception (DuckDB does)
            print(INTERRUPTED, file=sys.stderr)
            return 130
        traceback.print_exc()
        print("error: unexpected failure (exit 1). Please report it with the text above.", file=sys.stderr)
        return 1


def quiet_interrupts() -> None:
    """Make Ctrl+C end the command at once with one line: the main process reports it, workers leave silently.

    Ctrl+C reaches every process of the terminal's process group, so the notebook workers of the
    run's process pool receive it too. Workers forked from this process inherit this handler: a
    worker leaves at once, without a traceback (the pool would otherwise catch the interrupt as the
    notebook's result and go on with the next notebook, and the command would wait for them all). Its
    kernel sees its parent gone and shuts down; the run's staging folder is removed by the runner.
    Workers started another way (``spawn``) should call :func:`quiet_worker_interrupts` as the pool's
    ``initializer``.
    """
    global _main_pid
    if _main_pid is None:
        _main_pid = os.getpid()
    with contextlib.suppress(ValueError):  # not the main thread (an embedding program): leave its handler
        signal.signal(signal.SIGINT, _on_interrupt)


def quiet_worker_interrupts() -> None:
    """For a worker process that did not inherit :func:`quiet_interrupts` (a ``spawn`` pool's ``initializer``):
    Ctrl+C stops it without a traceback on the terminal."""
    global _main_pid
    _main_pid = 0  # no process has PID 0: this process is always a worker
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGINT, _on_interrupt)


def _on_interrupt(signum, frame):
    global _interrupted
    _interrupted = True
    if os.getpid() != _main_pid:  # a worker process: no traceback, no next notebook
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        os._exit(130)
    raise KeyboardInterrupt


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description="Customer Insight Workbench: "
                                "monthly customer analyses rendered as an offline report site.")
    p.add_argument("--version", action="version", version=f"workbench {__version__}")
    p.add_argument("--project", type=Path, default=None, help="project folder (default: found from the "
                   "working directory, or $WORKBENCH_HOME)")
    sub = p.add_subparsers(title="commands")

    def params_args(sp):
        period = sp.add_mutually_exclusive_group()
        period.add_argument("--month", help="report month YYYY-MM (default: the last complete month); "
                            "a quarter 2026-Q3 or a year 2026 is taken as --period")
        period.add_argument("--period", dest="month", metavar="PERIOD",
                            help="report period: a month 2026-10, a quarter 2026-Q3 or a year 2026")
        sp.add_argument("-p", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a parameter, e.g. -p survey.response_target=0.85 (repeatable)")

    sp = sub.add_parser("demo-data", help="write realistic demo files to data/raw/")
    sp.add_argument("--customers", type=int, default=600)
    sp.add_argument("--months", type=int, default=24)
    sp.add_argument("--seed", type=int, default=42)
    sp.add_argument("--leads", type=int, default=None, help="lead register size (default 5 per customer)")
    sp.add_argument("--end-month", help="last month of history (default: the last complete month)")
    sp.add_argument("--format", choices=["auto", "xlsx", "csv"], default="auto",
                    help="auto: xlsx unless a table passes Excel's row limit")
    sp.add_argument("--overwrite", action="store_true",
                    help="replace files in data/raw that are not demo data (a company's own exports) as well")
    sp.set_defaults(func=_demo_data)

    sp = sub.add_parser("validate", help="check the raw files and print every error and warning (exit 2 on errors)")
    params_args(sp)
    sp.set_defaults(func=_validate)

    sp = sub.add_parser("run", help="load, validate, execute the notebooks and build the site")
    params_args(sp)
    sp.add_argument("--force", action="store_true", help="re-execute notebooks even when nothing changed")
    sp.add_argument("--allow-incomplete", action="store_true",
                    help="run a period that has not ended yet (its figures will change)")
    sp.add_argument("--no-site", action="store_true", help="do not rebuild the site after the run")
    sp.add_argument("--executor", choices=["local", "dask"], default="local",
                    help="local process pool (default) or a Dask distributed cluster")
    sp.add_argument("--scheduler", help="Dask scheduler address for --executor dask, e.g. tcp://10.0.0.5:8786")
    sp.set_defaults(func=_run)

    sp = sub.add_parser("build-site", help="build reports/site/ from the runs in reports/runs/")
    params_args(sp)
    sp.set_defaults(func=_build_site)

    sp = sub.add_parser("publish", help="copy the site atomically to the intranet folder")
    params_args(sp)
    sp.add_argument("--to", required=True, type=Path, help="target folder (e.g. the intranet share)")
    sp.set_defaults(func=_publish)

    sp = sub.add_parser("serve", help="preview the site on http://127.0.0.1:PORT/")
    params_args(sp)
    sp.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (default 8000)")
    sp.set_defaults(func=_serve)
    return p


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 65535. Got '{text}'")
    return int(text)


def _params(args):
    from .config import load_parameters

    return load_parameters(month=getattr(args, "month", None), overrides=getattr(args, "overrides", []),
                           root=args.project)


def _say(message: str) -> None:
    print(message, flush=True)


def _demo_data(args) -> int:
    from .config import find_project_root, load_parameters
    from .data.demo_sizes import check_sizes

    check_sizes(args.customers, args.months, args.leads, args.end_month, args.format)  # before pandas is imported
    from .data.demo import generate_demo_data

    root = args.project or find_project_root()
    params = load_parameters(root=root)
    out = params.path(params.data.raw_dir)
    started = time.perf_counter()
    result = generate_demo_data(out, customers=args.customers, months=args.months, seed=args.seed,
                                leads=args.leads, end_month=args.end_month, fmt=args.format,
                                truth_dir=params.path(params.data.processed_dir) / "demo_truth", progress=_say,
                                overwrite=args.overwrite)
    for name, path in result.files.items():
        _say(f"  {name:<12} {result.rows.get(name, 0):>10,} rows  {path.relative_to(params.root)}")
    _say(f"demo data written to {out.relative_to(params.root)} in {time.perf_counter() - started:.1f}s "
         f"(planted effects: {result.truth_dir.relative_to(params.root)}/truth.json)")
    return 0


def _validate(args) -> int:
    from .data.store import validate_sources
    from .validation_text import report_text, tables_lines

    params = _params(args)
    report = validate_sources(params)
    for line in tables_lines(report, params, params.site.language):  # in the site's language, as the pages
        _say(line)
    _say(report_text(report, params.site.language))
    _say_left_out(report, params)
    return 2 if report.errors else 0


def _say_left_out(report, params) -> None:
    """Per analysis, the sections the data leaves out and for lack of which columns (the pages say the same)."""
    from . import coverage
    from .i18n import render

    for note in coverage.notes(report, params):
        _say(f"NOTE: {render(note, params.site.language)}")
    lines = [render(m, params.site.language) for m in coverage.messages(report, params)]
    if lines:
        _say("SECTIONS LEFT OUT (the run goes on without them):")
        for line in lines:
            _say(f"- {line}")


@contextlib.contextmanager
def _one_at_a_time(args, params, *more_folders: Path):
    """Hold the project lock for this command, then remove what killed runs left behind."""
    from ._files import clean_stale_leftovers, hold_project_lock

    with hold_project_lock(params.root, args.command_line, progress=_say):
        clean_stale_leftovers(_work_folders(params, *more_folders), progress=_say)
        yield


def _work_folders(params, *more: Path) -> list[Path]:
    """Where writers stage their output: reports/, reports/runs/, data/processed/ (and its scope folders)."""
    processed = params.path(params.data.processed_dir)
    return [params.root / "reports", params.root / "reports" / "runs", processed,
            *sorted(processed.glob("*/scopes")), *more]


def _run(args) -> int:
    from .errors import DataError
    from .runner import process_seconds, run_month
    from .validation_text import localised

    params = _params(args)
    with _one_at_a_time(args, params):
        try:
            result = run_month(params, overrides=args.overrides, force=args.force, progress=_say,
                               executor=args.executor, scheduler=args.scheduler,
                               allow_incomplete=args.allow_incomplete)
        except DataError as exc:  # the load's findings in the site's language, as validate prints them
            raise localised(exc, params) from None
        if not args.no_site:
            from .site import build_site

            site = build_site(params, progress=_say)
            _say(f"site: {site / 'index.html'}")
    # the whole command as the user waited for it: start-up, loading, notebooks and site
    _say(f"run {params.period} done in {process_seconds():.1f}s: {result.summary()}")
    return 0


def _build_site(args) -> int:
    from .site import build_site

    params = _params(args)
    with _one_at_a_time(args, params):
        site = build_site(params, progress=_say)
    _say(f"site: {site / 'index.html'}")
    return 0


def _publish(args) -> int:
    from .publish import publish_site

    params = _params(args)
    with _one_at_a_time(args, params, Path(args.to).resolve()):
        target = publish_site(params, args.to, progress=_say)
    _say(f"published to {target}")
    return 0


def _serve(args) -> int:
    from .publish import serve_site

    serve_site(_params(args), port=args.port, progress=_say)
    return 0


if __name__ == "__main__":
    sys.exit(main())
