"""Scale benchmarks: each step runs in a child process; wall time and peak memory (max RSS) are measured.

    python benchmarks/run.py all                        # everything below that has a target, as one table
    python benchmarks/run.py pipeline                   # run --force vs the same papermill+nbconvert loop in one
                                                        # process (A B A B), the unchanged re-run, a 24-month site
    python benchmarks/run.py read --customers 20000 --months 12 --leads 20000   # validated load vs pandas calamine
    python benchmarks/run.py data                       # default demo size: generate, load vs plain pandas
    python benchmarks/run.py write --rows 100000        # Excel out: the workbench's writer vs pandas+xlsxwriter
    python benchmarks/run.py month --customers 20000    # a month end to end, cold (target < 120 s)
    python benchmarks/run.py leads --leads 1000000      # lead model: time, peak memory, AUC vs the full fit
    python benchmarks/run.py churn --customers 1000000 --months 12   # snapshot features: DuckDB vs pandas;
                                                                     # training features with the defaults

Prints a table and writes benchmarks/results/<name>.json; each run also updates
benchmarks/results/summary.json (with the machine's core count). Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def measure(code: str, cwd: Path, env: dict | None = None) -> dict:
    """Run ``code`` in a fresh Python; return wall seconds and peak resident memory in MiB."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out, err = proc.stdout.read(), proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"benchmark step failed:\n{code}\n{err[-3000:]}")
    return {"seconds": round(seconds, 2), "peak_mib": round(usage.ru_maxrss / 1024, 1), "stdout": out.strip()[-500:]}


def measure_median(code: str, cwd: Path, repeat: int, env: dict | None = None) -> dict:
    """``measure`` ``repeat`` times; the median wall time and peak memory, and every run's."""
    runs = [measure(code, cwd, env) for _ in range(repeat)]
    middle = lambda key: sorted(r[key] for r in runs)[len(runs) // 2]
    return {"seconds": middle("seconds"), "peak_mib": middle("peak_mib"), "stdout": runs[-1]["stdout"],
            "runs": [(r["seconds"], r["peak_mib"]) for r in runs]}


def alternate(steps: dict[str, str], cwd: Path, repeat: int, env: dict | None = None) -> dict:
    """Run each step's code ``repeat`` times, alternating (A B A B ...) so that a slower or busier
    moment of the machine falls on both; min, median and max wall time and peak memory of each."""
    runs: dict[str, list[dict]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, code in steps.items():
            runs[name].append(measure(code, cwd, env))
    return {name: spread(r) for name, r in runs.items()}


def spread(runs: list[dict]) -> dict:
    """min / median / max of measured runs (the median is the headline figure)."""
    seconds = sorted(r["seconds"] for r in runs)
    peaks = sorted(r["peak_mib"] for r in runs)
    return {"seconds": seconds[len(seconds) // 2], "min": seconds[0], "max": seconds[-1],
            "peak_mib": peaks[len(peaks) // 2], "runs": [(r["seconds"], r["peak_mib"]) for r in runs],
            "stdout": runs[-1]["stdout"]}


def generate(work: Path, customers: int, months: int, leads, end_month: str, fmt: str = "auto") -> dict:
    """Demo data in ``work`` (kept when it is already there); the generator's row counts."""
    marker = work / "data" / "raw" / ".generated"
    if marker.is_file():
        return json.loads(marker.read_text("utf-8"))
    shutil.copytree(ROOT / "parameters", work / "parameters", dirs_exist_ok=True)
    gen = measure(f"""
import json
from pathlib import Path
from analysis.data.demo import generate_demo_data
r = generate_demo_data(Path('data/raw'), customers={customers}, months={months}, seed=1, leads={leads!r},
                       end_month='{end_month}', fmt='{fmt}')
print(json.dumps(r.rows))
""", work)
    rows = json.loads(gen["stdout"].splitlines()[-1])
    marker.write_text(json.dumps({"rows": rows, "seconds": gen["seconds"]}), "utf-8")
    return {"rows": rows, "seconds": gen["seconds"]}


def bench_read(args) -> dict:
    """Excel in: the workbench's validated load (read, map, type, validate, write Parquet) against
    pandas.read_excel(engine="calamine") of every sheet of the same files, alternating."""
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="workbench-read-"))
    try:
        made = generate(work, args.customers, args.months, args.leads, args.end_month, fmt="xlsx")
        steps = alternate({
            "validated_load": f"""
from analysis import load_parameters, prepare_tables
t = prepare_tables(load_parameters(root='.', month='{args.end_month}'), force=True)
print(sum(i.rows for i in t.report.tables.values()), len(t.report.errors))
""",
            "pandas_read_excel_calamine": """
import glob, pandas as pd
n = 0
for f in sorted(glob.glob('data/raw/*.xlsx')):
    n += sum(len(x) for x in pd.read_excel(f, sheet_name=None, engine='calamine').values())
print(n)
"""}, work, args.repeat)
        rows, errors = steps["validated_load"]["stdout"].split()[-2:]
        plain_rows = int(steps["pandas_read_excel_calamine"]["stdout"].split()[-1])
        size = sum(f.stat().st_size for f in (work / "data" / "raw").glob("*.xlsx"))
        return {"customers": args.customers, "months": args.months, "rows": made["rows"],
                "rows_loaded": int(rows), "rows_read_by_pandas": plain_rows, "errors": int(errors),
                "xlsx_mib": round(size / 2**20, 1), "repeat": args.repeat, "steps": steps,
                "time_ratio": round(steps["validated_load"]["seconds"] / steps["pandas_read_excel_calamine"]["seconds"], 2),
                "memory_ratio": round(steps["validated_load"]["peak_mib"]
                                      / steps["pandas_read_excel_calamine"]["peak_mib"], 2)}
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


WRITE_FRAME = """
import numpy as np, pandas as pd
rng = np.random.default_rng(1)
n = {rows}
frame = pd.DataFrame({{
    "customer_id": [f"C{{i:06d}}" for i in range(n)],
    "customer_name": rng.choice(["华东机械有限公司", "王建国", "深圳精密制造厂", "李娜"], n),
    "branch": rng.choice(["上海分公司", "北京分公司", "广州分公司"], n),
    "grade": rng.choice(list("ABCD"), n),
    "points": rng.uniform(0, 100, n).round(1),
    "sales_volume": rng.uniform(1e3, 1e6, n).round(2),
    "churn_probability": rng.uniform(0, 1, n),
    "last_order": pd.Timestamp("2026-10-31") - pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
    "comment": rng.choice(["交期经常延误", "请联系 13912345678", None], n),
}})
"""


def bench_write(args) -> dict:
    """Excel out: the workbench's writer (localised headers, number formats, masking, grade fills, constant
    memory) against pandas' to_excel with xlsxwriter of the same frame, alternating."""
    work = Path(tempfile.mkdtemp(prefix="workbench-write-"))
    try:
        frame = WRITE_FRAME.format(rows=args.rows)
        steps = alternate({
            "workbench_write_workbook": frame + """
from analysis.excel import GRADE_FILLS, write_workbook
write_workbook("out.xlsx", {"excel.sheet.graded": frame}, fills={"grade": GRADE_FILLS})
print(len(frame))
""",
            "pandas_to_excel_xlsxwriter": frame + """
frame.to_excel("plain.xlsx", sheet_name="graded", index=False, engine="xlsxwriter")
print(len(frame))
"""}, work, args.repeat)
        return {"rows": args.rows, "repeat": args.repeat, "steps": steps,
                "time_ratio": round(steps["workbench_write_workbook"]["seconds"]
                                    / steps["pandas_to_excel_xlsxwriter"]["seconds"], 2),
                "memory_ratio": round(steps["workbench_write_workbook"]["peak_mib"]
                                      / steps["pandas_to_excel_xlsxwriter"]["peak_mib"], 2)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_month(args) -> dict:
    """A month end to end at a real company's size: `workbench run` (read the Excel files, validate, every
    notebook, the site) on demo data of ``customers`` customers, from a cold start (no processed data)."""
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="workbench-month-"))
    try:
        made = generate(work, args.customers, args.months, args.leads, args.end_month, fmt="xlsx")
        shutil.copytree(ROOT / "notebooks", work / "notebooks", dirs_exist_ok=True)
        shutil.rmtree(work / "data" / "processed", ignore_errors=True)
        shutil.rmtree(work / "reports", ignore_errors=True)
        cold = measure(f"""
import sys
from analysis.cli import main
sys.exit(main(["--project", ".", "run", "--month", "{args.end_month}"]))
""", work)
        again = measure(f"""
import sys
from analysis.cli import main
sys.exit(main(["--project", ".", "run", "--month", "{args.end_month}"]))
""", work)
        return {"customers": args.customers, "months": args.months, "leads": args.leads, "rows": made["rows"],
                "steps": {"run_cold": cold, "run_unchanged": again}, "seconds": cold["seconds"]}
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def bench_data(args) -> dict:
    """Generate the demo data, then load it: the workbench's validated load vs a plain pandas read."""
    work = Path(tempfile.mkdtemp(prefix="workbench-bench-"))
    try:
        shutil.copytree(ROOT / "parameters", work / "parameters")
        leads = "None" if args.leads is None else str(args.leads)
        rows = {}
        gen = measure(f"""
from pathlib import Path
from analysis.data.demo import generate_demo_data
r = generate_demo_data(Path('data/raw'), customers={args.customers}, months={args.months}, seed=1,
                       leads={leads}, end_month='{args.end_month}')
print(r.rows)
""", work)
        rows["generate"] = gen
        counts = eval(gen["stdout"].splitlines()[-1])  # the generator's own row counts
        load = measure(f"""
from analysis import load_parameters, prepare_tables
p = load_parameters(root='.', month='{args.end_month}')
t = prepare_tables(p, force=True)
print(sum(i.rows for i in t.report.tables.values()), len(t.report.errors))
""", work)
        rows["load_validated"] = load
        plain = measure("""
import glob, pandas as pd
n = 0
for f in sorted(glob.glob('data/raw/*')):
    if f.endswith('.xlsx'):
        n += sum(len(x) for x in pd.read_excel(f, sheet_name=None, engine='openpyxl').values())
    elif f.endswith('.csv'):
        n += len(pd.read_csv(f))
print(n)
""", work)
        rows["load_plain_pandas"] = plain
        reuse = measure(f"""
from analysis import load_parameters, prepare_tables
p = load_parameters(root='.', month='{args.end_month}')
print(prepare_tables(p).reused)
""", work)
        rows["reuse_unchanged"] = reuse
        size = sum(f.stat().st_size for f in (work / "data" / "raw").iterdir() if f.is_file())
        return {"customers": args.customers, "months": args.months, "rows": counts,
                "raw_mib": round(size / 2**20, 1), "steps": rows,
                "load_time_ratio_vs_plain": round(load["seconds"] / plain["seconds"], 2),
                "load_memory_ratio_vs_plain": round(load["peak_mib"] / plain["peak_mib"], 2)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_churn(args) -> dict:
    """Snapshot features at one month end: DuckDB over Parquet vs a plain pandas groupby, same data."""
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="workbench-churn-"))
    try:
        if not (work / "data" / "processed" / "CURRENT").is_file():
            shutil.copytree(ROOT / "parameters", work / "parameters", dirs_exist_ok=True)
            measure(f"""
from pathlib import Path
from analysis.data.demo import generate_demo_data
generate_demo_data(Path('data/raw'), customers={args.customers}, months={args.months}, seed=1, leads=1000,
                   end_month='{args.end_month}', fmt='csv')
from analysis import load_parameters, prepare_tables
prepare_tables(load_parameters(root='.', month='{args.end_month}'))
""", work)
        def setup(overrides: dict | None = None) -> str:
            """The child's preamble: the parameters (with ``overrides``), the current tables, the snapshot."""
            return f"""
import pandas as pd
from analysis import load_parameters
from analysis.data.store import current_tables
p = load_parameters(root='.', month='{args.end_month}', overrides={overrides or {}!r})
t = current_tables(p)
snapshot = pd.Timestamp(p.period_end)
"""

        common = setup()
        repeat = args.repeat
        larger = measure_median(setup({"churn.duckdb_memory": "1GB"}) + """
from analysis import churn
f = churn.snapshot_features(t, p, [snapshot])
print(len(f))
""", work, repeat)
        # what the model trains on: the labelled month-ends, one query each, with the default cap and threads
        training = measure(common + """
from analysis import churn
f = churn.training_features(t, p)
print(f['snapshot'].nunique(), len(f), p.churn.duckdb_memory, churn.threads(), int(f.memory_usage(deep=True).sum() / 2**20))
""", work)
        duck = measure_median(common + """
from analysis import churn
f = churn.snapshot_features(t, p, [snapshot])
print(len(f), p.churn.duckdb_memory)
""", work, repeat)
        # the same table: the order and value features, and the customer attributes the model reads
        plain_call = f"""
import sys; sys.path.insert(0, '{ROOT / "benchmarks"}')
from analysis import churn
from plain_churn import snapshot_features_pandas
f = snapshot_features_pandas(t.folder, snapshot, p.churn.horizon_days, churn.attribute_columns(t, p))
"""
        plain = measure_median(common + plain_call + "print(len(f))\n", work, repeat)
        check = measure(common + plain_call + """
d = churn.snapshot_features(t, p, [snapshot])
columns = [c for c in d.columns if c in f.columns]
left, right = d[columns].reset_index(drop=True), f.sort_values('customer_id')[columns].reset_index(drop=True)
for c in columns:
    if left[c].dtype.kind in 'iufb' or right[c].dtype.kind in 'iufb':
        left[c], right[c] = left[c].astype('float64'), right[c].astype('float64')
    elif left[c].dtype.kind == 'M':
        right[c] = right[c].astype(left[c].dtype)
    else:
        left[c], right[c] = left[c].astype(object), right[c].astype(object)
pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9)
print(len(left), len(columns), int(left['orders_12m'].sum()), int(left['late_payments_q'].sum()), int(left['complaints_90d'].sum()))
""", work)
        rows = measure(common + "print(sum(i.rows for i in t.report.tables.values()), t.report.tables['orders'].rows)", work)
        return {"customers": args.customers, "orders": int(rows["stdout"].split()[-1]),
                "steps": {"snapshot_duckdb": duck, "snapshot_duckdb_1GB_cap": larger, "snapshot_plain_pandas": plain,
                          "training_snapshots_duckdb": training},
                "training_snapshots": training["stdout"].splitlines()[-1],
                "training_month_ends": int(training["stdout"].splitlines()[-1].split()[0]),
                "training_rows": int(training["stdout"].splitlines()[-1].split()[1]),
                "training_frame_mib": int(training["stdout"].splitlines()[-1].split()[-1]),
                "result": check["stdout"].splitlines()[-1], "repeat": repeat,
                "time_ratio": round(duck["seconds"] / plain["seconds"], 2),
                "memory_ratio": round(duck["peak_mib"] / plain["peak_mib"], 2),
                "memory_cap": duck["stdout"].split()[-1],
                "larger_cap_time_ratio": round(larger["seconds"] / plain["seconds"], 2),
                "larger_cap_memory_ratio": round(larger["peak_mib"] / plain["peak_mib"], 2)}
    finally:
        if not args.work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def bench_pipeline(args) -> dict:
    """``workbench run --force`` against the same work done plainly: papermill then nbconvert to HTML, one
    notebook after another, in ONE Python process, with the thread settings the runner gives each kernel;
    alternating A B A B. Then the unchanged re-run (its own closing line gives its true time) and a
    24-month site build."""
    work = Path(tempfile.mkdtemp(prefix="workbench-pipeline-"))
    try:
        shutil.copytree(ROOT / "parameters", work / "parameters")
        shutil.copytree(ROOT / "notebooks", work / "notebooks")
        env = {"WORKBENCH_HOME": str(work)}
        month = args.end_month
        measure(f"""
from pathlib import Path
from analysis.data.demo import generate_demo_data
generate_demo_data(Path('data/raw'), end_month='{month}')
from analysis import load_parameters, prepare_tables
prepare_tables(load_parameters(root='.', month='{month}'))
""", work, env)
        from analysis.config import load_parameters

        params = load_parameters(root=work, month=month)
        names = params.run.notebooks
        workers = min(params.run.workers, len(names))
        threads = max(1, (os.cpu_count() or 1) // workers)  # what runner._execute_all gives each kernel
        loop_dir = work / "plain"
        loop_dir.mkdir()
        cli = "import sys; from analysis.cli import main; sys.exit(main({argv!r}))"
        plain = f"""
import os
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "WORKBENCH_THREADS"):
    os.environ[var] = "{threads}"
import papermill as pm
from nbconvert import HTMLExporter
exporter = HTMLExporter(exclude_input=True)
for name in {names!r}:
    out = "{loop_dir.as_posix()}/" + name + ".ipynb"
    pm.execute_notebook("notebooks/" + name + ".ipynb", out, parameters={{"month": "{month}"}}, kernel_name="python3",
                        cwd="notebooks", progress_bar=False)
    body, _ = exporter.from_filename(out)
    open(out[:-6] + ".html", "w", encoding="utf-8").write(body)
print(len({names!r}))
"""
        # the run as shipped (warm kernels: forks of one process that imported the libraries), the same run
        # with kernels started as Jupyter starts them (a new Python each), and the plain loop
        steps = alternate({"workbench_run_force": cli.format(argv=["run", "--month", month, "--force"]),
                           "workbench_run_force_started_kernels": cli.format(
                               argv=["run", "--month", month, "--force", "-p", "run.warm_kernels=false"]),
                           "plain_loop_one_process": plain}, work, args.repeat, env)
        rerun = spread([measure(cli.format(argv=["run", "--month", month]), work, env) for _ in range(3)])
        rerun["reported"] = rerun["stdout"].splitlines()[-1] if rerun["stdout"] else ""
        runs = work / "reports" / "runs"
        base = runs / month
        manifest = json.loads((base / "manifest.json").read_text("utf-8"))
        period = __import__("pandas").Period(month, "M")
        for k in range(1, 24):
            other = str(period - k)
            shutil.copytree(base, runs / other)
            (runs / other / "manifest.json").write_text(json.dumps({**manifest, "month": other}), "utf-8")
        (work / "reports" / "site" / ".build").unlink(missing_ok=True)
        site = measure(cli.format(argv=["build-site", "--month", month]), work, env)
        size = sum(f.stat().st_size for f in (work / "reports" / "site").rglob("*") if f.is_file())
        pages = len(list((work / "reports" / "site").rglob("*.html")))
        full, loop = steps["workbench_run_force"], steps["plain_loop_one_process"]
        return {"notebooks": names, "workers": workers, "threads_per_kernel": threads, "repeat": args.repeat,
                "steps": {**steps, "rerun_unchanged": rerun, "site_24_months": site},
                "run_vs_plain_time": round(full["seconds"] / loop["seconds"], 2),
                "run_vs_plain_memory": round(full["peak_mib"] / loop["peak_mib"], 2),
                "warm_vs_started_kernels_time": round(
                    full["seconds"] / steps["workbench_run_force_started_kernels"]["seconds"], 2),
                "rerun_vs_full": round(rerun["seconds"] / full["seconds"], 3),
                "site_24_months_mib": round(size / 2**20, 1), "site_24_months_pages": pages}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_leads(args) -> dict:
    """Fit the lead model (both candidates, calibrated, time-ordered validation, refit) and score the open
    leads, at ``--leads`` rows; the plain alternative is a single uncalibrated logistic regression, and the
    reference for the AUC the same pipeline fitted on every training row (no subsample)."""
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="workbench-leads-"))
    try:
        if not (work / "data" / "processed" / "CURRENT").is_file():
            shutil.copytree(ROOT / "parameters", work / "parameters", dirs_exist_ok=True)
            measure(f"""
from pathlib import Path
from analysis.data.demo import generate_demo_data
generate_demo_data(Path('data/raw'), customers=50, months=24, seed=1, leads={args.leads}, end_month='{args.end_month}',
                   fmt='csv')
from analysis import load_parameters, prepare_tables
prepare_tables(load_parameters(root='.', month='{args.end_month}'))
""", work)
        common = f"""
from analysis import load_parameters, leads
from analysis.data.store import current_tables
p = load_parameters(root='.', month='{args.end_month}')
register = current_tables(p)['leads']
"""
        fit = measure(common + """
result, frame = leads.fit_lead_model(register, p)
scored = leads.score_open_leads(result, frame, p)
print(len(frame), len(scored), result.chosen, result.validation[result.chosen]['roc_auc'], result.n_fit,
      result.validation[result.chosen]['calibration_error'], *result.auc_interval)
""", work)
        plain = measure(common + """
from analysis import modeling
frame = leads.outcomes(register, p)
labelled = frame[frame['labelled']]
spec = leads.feature_spec(frame, p)
model = modeling.build_pipeline('logistic', spec, 0).fit(modeling.prepare_features(labelled, spec), labelled['converted'])
open_leads = frame[frame['status'] == 'open']
print(len(model.predict_proba(modeling.prepare_features(open_leads, spec))))
""", work)
        # the reference: the same pipeline fitted on every training row (no subsample)
        full = measure(common + """
import functools
from analysis import modeling
modeling.fit_and_compare = functools.partial(modeling.fit_and_compare, max_train_rows=10**9)
result, frame = leads.fit_lead_model(register, p)
print(result.n_fit, result.chosen, result.validation[result.chosen]['roc_auc'],
      result.validation[result.chosen]['calibration_error'])
""", work)
        n, scored, chosen, auc, n_fit, error, low, high = fit["stdout"].splitlines()[-1].split()
        full_fit, full_chosen, full_auc, full_error = full["stdout"].splitlines()[-1].split()
        return {"leads": int(n), "open_scored": int(scored), "chosen": chosen, "validation_auc": round(float(auc), 4),
                "auc_interval": [round(float(low), 3), round(float(high), 3)], "fit_rows": int(n_fit),
                "calibration_error": round(float(error), 4),
                "full_fit": {"fit_rows": int(full_fit), "chosen": full_chosen, "validation_auc": round(float(full_auc), 4),
                             "calibration_error": round(float(full_error), 4)},
                "auc_vs_full_fit": round(float(auc) - float(full_auc), 4),
                "steps": {"fit_compare_calibrate_score": fit, "plain_single_logistic_fit_score": plain,
                          "full_fit_reference": full},
                "time_ratio": round(fit["seconds"] / plain["seconds"], 2),
                "memory_ratio": round(fit["peak_mib"] / plain["peak_mib"], 2)}
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def bench_truth(args) -> dict:
    """Validation ROC AUC of the lead and churn models against that of the generator's own probabilities
    on the same validation rows (default demo data, or --customers)."""
    import numpy as np
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    from analysis import churn, leads, load_parameters, load_tables
    from analysis.data.demo import generate_demo_data

    work = Path(tempfile.mkdtemp(prefix="workbench-truth-"))
    try:
        shutil.copytree(ROOT / "parameters", work / "parameters")
        truth = generate_demo_data(work / "data" / "raw", customers=args.customers, seed=args.seed,
                                   end_month=args.end_month).truth_dir
        params = load_parameters(root=work, month=args.end_month)
        tables = load_tables(params)
        result, frame = leads.fit_lead_model(tables["leads"], params)
        valid = result.valid_predictions.join(frame["lead_id"]).merge(pd.read_parquet(truth / "lead_truth.parquet"),
                                                                     on="lead_id")
        # the generator's chance of a deal within the 90-day window: C leads close later
        lead_truth = valid["p_convert"] * (valid["true_level"] != "C")
        out = {"leads": {"rows": len(valid), "model_auc": roc_auc_score(valid["y"], valid["p"]),
                         "generator_auc": roc_auc_score(valid["y"], lead_truth), "chosen": result.chosen}}
        history = churn.satisfaction_history(tables, params)
        model, labelled = churn.fit_churn_model(tables, params, history)
        rows = labelled.loc[model.valid_predictions.index, ["customer_id", "snapshot"]].assign(
            y=model.valid_predictions["y"].to_numpy(), p=model.valid_predictions["p"].to_numpy())
        hazard = pd.read_parquet(truth / "churn_truth.parquet")
        hazard["month"] = pd.PeriodIndex(hazard["month"], freq="M")
        table = hazard.set_index(["customer_id", "month"])
        start = pd.Period(rows["snapshot"].iloc[0], "M")

        def chance(customer):  # no order in the three months after the snapshot month, as the generator drew it
            h = [table.loc[(customer, start + k), "hazard"] for k in range(3)]
            q = [np.exp(-table.loc[(customer, start + k + 1), "order_rate"]) for k in range(3)]
            return h[0] + (1 - h[0]) * q[0] * (h[1] + (1 - h[1]) * q[1] * (h[2] + (1 - h[2]) * q[2]))

        rows["generator"] = rows["customer_id"].map(chance)
        out["churn"] = {"rows": len(rows), "snapshot": str(rows["snapshot"].iloc[0].date()),
                        "model_auc": roc_auc_score(rows["y"], rows["p"]),
                        "generator_auc": roc_auc_score(rows["y"], rows["generator"]), "chosen": model.chosen}
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def save(name: str, result: dict) -> None:
    """Write one benchmark's result to benchmarks/results/<name>.json and record it in summary.json
    (beside the machine's core count and memory, and when it was measured)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {**result, "measured_at": time.strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count()}
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str), "utf-8")
    path = RESULTS / "summary.json"
    try:
        summary = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        summary = {}
    summary["machine"] = {"cores": os.cpu_count(), "memory_gib": _memory_gib(), "python": sys.version.split()[0]}
    summary.setdefault("results", {})[name] = result
    summary["targets"] = targets(summary["results"])
    path.write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str), "utf-8")


def targets(results: dict) -> list[list]:
    """The issue's targets, from whichever results are recorded: [measure, value, target, met]."""
    rows = []
    pipe = results.get("pipeline")
    if pipe:
        steps = pipe["steps"]
        rows.append(["run --force / the same loop in one process (median, A B A B)", pipe["run_vs_plain_time"],
                     "< 1", pipe["run_vs_plain_time"] < 1])
        rows.append(["unchanged re-run, s (median of 3)", steps["rerun_unchanged"]["seconds"], "< 1",
                     steps["rerun_unchanged"]["seconds"] < 1])
    for name, r in sorted(results.items()):
        if name.startswith("month-"):
            rows.append([f"a month end to end (workbench run, cold), {r['customers']:,} customers, s", r["seconds"],
                         "< 120", r["seconds"] < 120])
        if name.startswith("write-"):
            rows.append([f"Excel write {r['rows']:,} rows / pandas to_excel(engine='xlsxwriter')", r["time_ratio"],
                         "<= 1.5", r["time_ratio"] <= 1.5])
        if name.startswith("read-"):
            rows.append([f"validated load / pandas.read_excel(engine='calamine'), {r['customers']:,} customers",
                         r["time_ratio"], "<= 1.5", r["time_ratio"] <= 1.5])
        if name.startswith("leads-"):
            seconds = r["steps"]["fit_compare_calibrate_score"]["seconds"]
            rows.append([f"lead model at {r['leads']:,} leads, s", seconds, "< 60", seconds < 60])
            rows.append([f"  AUC minus the full fit's", r["auc_vs_full_fit"], ">= -0.005", r["auc_vs_full_fit"] >= -0.005])
        if name.startswith("churn-"):
            peak = r["steps"]["training_snapshots_duckdb"]["peak_mib"]
            rows.append([f"churn training features at {r['customers']:,} customers, defaults: peak MiB", peak,
                         "< 2048", peak < 2048])
    return rows


def _memory_gib() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def print_steps(steps: dict, width: int = 34) -> None:
    """The step table: wall seconds (median, and min-max when repeated) and peak MiB of each child process."""
    print(f"{'step':<{width}}{'seconds':>10}{'min-max':>16}{'peak MiB':>12}")
    for step, r in steps.items():
        span = f"{r['min']}-{r['max']}" if "min" in r else ""
        print(f"{step:<{width}}{r['seconds']:>10}{span:>16}{r['peak_mib']:>12}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="bench", required=True)
    data = sub.add_parser("data", help="demo-data generation and load")
    data.add_argument("--customers", type=int, default=600)
    data.add_argument("--months", type=int, default=24)
    data.add_argument("--leads", type=int, default=None)
    data.add_argument("--end-month", default="2026-10")
    data.add_argument("--name", default=None)
    read = sub.add_parser("read", help="Excel in: validated load vs pandas.read_excel(engine='calamine')")
    read.add_argument("--customers", type=int, default=600)
    read.add_argument("--months", type=int, default=24)
    read.add_argument("--leads", type=int, default=None)
    read.add_argument("--end-month", default="2026-10")
    read.add_argument("--repeat", type=int, default=3, help="alternating runs of each step; the median is reported")
    read.add_argument("--work", help="reuse (or keep) this work folder with the generated data")
    churn = sub.add_parser("churn", help="churn snapshot features: DuckDB vs plain pandas; training features")
    churn.add_argument("--customers", type=int, default=1_000_000)
    churn.add_argument("--months", type=int, default=12)
    churn.add_argument("--end-month", default="2026-10")
    churn.add_argument("--work", help="reuse (or keep) this work folder with the generated data")
    churn.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    churn.add_argument("--repeat", type=int, default=3, help="runs of each timed step; the median is reported")
    pipeline = sub.add_parser("pipeline", help="run --force vs the same loop in one process, re-run, site")
    pipeline.add_argument("--end-month", default="2026-10")
    pipeline.add_argument("--repeat", type=int, default=2, help="alternating runs of each (A B A B)")
    lead = sub.add_parser("leads", help="lead model fit and score at scale")
    lead.add_argument("--leads", type=int, default=1_000_000)
    lead.add_argument("--end-month", default="2026-10")
    lead.add_argument("--work", help="reuse (or keep) this work folder with the generated data")
    write = sub.add_parser("write", help="Excel out: the workbench's writer vs pandas to_excel(xlsxwriter)")
    write.add_argument("--rows", type=int, default=100_000)
    write.add_argument("--repeat", type=int, default=3, help="alternating runs of each step; the median is reported")
    month = sub.add_parser("month", help="a month end to end (workbench run, cold start) at a company's size")
    month.add_argument("--customers", type=int, default=20_000)
    month.add_argument("--months", type=int, default=12)
    month.add_argument("--leads", type=int, default=20_000)
    month.add_argument("--end-month", default="2026-10")
    month.add_argument("--work", help="reuse (or keep) this work folder with the generated data")
    truth = sub.add_parser("truth", help="model AUC against the demo generator's own probabilities")
    truth.add_argument("--customers", type=int, default=600)
    truth.add_argument("--seed", type=int, default=42)
    truth.add_argument("--end-month", default="2026-10")
    every = sub.add_parser("all", help="pipeline, Excel read at 20,000 customers, lead model at 1M leads, churn "
                           "training features at 100k and 1M customers; the targets as one table")
    every.add_argument("--end-month", default="2026-10")
    every.add_argument("--repeat", type=int, default=2, help="alternating runs of each compared step")
    args = parser.parse_args(argv)
    if args.bench == "all":
        save("month-20000", bench_month(argparse.Namespace(customers=20_000, months=12, leads=20_000,
                                                           end_month=args.end_month, work=None)))
        save("write-100000", bench_write(argparse.Namespace(rows=100_000, repeat=args.repeat)))
        save("pipeline", bench_pipeline(argparse.Namespace(end_month=args.end_month, repeat=args.repeat)))
        save("read-20000", bench_read(argparse.Namespace(customers=20_000, months=12, leads=20_000,
                                                         end_month=args.end_month, repeat=args.repeat, work=None)))
        save("leads-1000000", bench_leads(argparse.Namespace(leads=1_000_000, end_month=args.end_month, work=None)))
        for customers in (100_000, 1_000_000):
            save(f"churn-{customers}", bench_churn(argparse.Namespace(
                customers=customers, months=12, end_month=args.end_month, work=None, keep=False, repeat=1)))
        summary = json.loads((RESULTS / "summary.json").read_text("utf-8"))
        print(f"{summary['machine']['cores']} cores, {summary['machine']['memory_gib']} GiB")
        print(f"{'measure':<78}{'value':>10}  target")
        for name, value, target, met in summary["targets"]:
            print(f"{name:<78}{value:>10}  {target} {'ok' if met else 'MISSED'}")
        return 0
    if args.bench == "write":
        result = bench_write(args)
        save(f"write-{args.rows}", result)
        print_steps(result["steps"], 30)
        print(f"{result['rows']:,} rows, medians of {result['repeat']} alternating runs; workbench / pandas: time "
              f"x{result['time_ratio']} (target <= 1.5), memory x{result['memory_ratio']}")
        return 0
    if args.bench == "month":
        result = bench_month(args)
        save(f"month-{args.customers}", result)
        print_steps(result["steps"], 30)
        print(f"{args.customers:,} customers, {args.months} months, {args.leads:,} leads: a cold month "
              f"{result['seconds']} s (target < 120)")
        return 0
    if args.bench == "read":
        result = bench_read(args)
        save(f"read-{args.customers}", result)
        print_steps(result["steps"], 30)
        print(f"{result['rows_loaded']:,} rows ({result['xlsx_mib']} MiB of xlsx), medians of {result['repeat']} "
              f"alternating runs; validated load / pandas calamine: time x{result['time_ratio']} (target <= 1.5), "
              f"memory x{result['memory_ratio']}")
        return 0
    if args.bench == "leads":
        result = bench_leads(args)
        save(f"leads-{args.leads}", result)
        print_steps(result["steps"], 34)
        print(f"{result['leads']:,} leads ({result['fit_rows']:,} fitted), {result['open_scored']:,} open leads "
              f"scored; chosen {result['chosen']}, validation ROC AUC {result['validation_auc']} "
              f"{result['auc_interval']}, calibration error {result['calibration_error']}")
        print(f"full fit on {result['full_fit']['fit_rows']:,} rows: ROC AUC {result['full_fit']['validation_auc']}; "
              f"difference {result['auc_vs_full_fit']:+} (target >= -0.005)")
        print(f"full pipeline / single logistic fit: time x{result['time_ratio']}, memory x{result['memory_ratio']}")
        return 0
    if args.bench == "truth":
        result = bench_truth(args)
        save(f"truth-{args.customers}", result)
        for model, r in result.items():
            print(f"{model:<6} validation rows {r['rows']:>6}: model ROC AUC {r['model_auc']:.3f} ({r['chosen']}), "
                  f"generator's probabilities {r['generator_auc']:.3f}")
        return 0
    if args.bench == "pipeline":
        result = bench_pipeline(args)
        save("pipeline", result)
        print_steps(result["steps"], 34)
        print(f"workbench run --force / the same papermill+nbconvert loop in one process ({result['threads_per_kernel']} "
              f"thread(s) per kernel, medians of {result['repeat']} alternating runs): time x{result['run_vs_plain_time']}, "
              f"memory x{result['run_vs_plain_memory']}")
        print(f"warm kernels (forks of one process that imported the libraries) / kernels started as Jupyter "
              f"starts them, same run: time x{result['warm_vs_started_kernels_time']}")
        print(f"re-run unchanged: {result['steps']['rerun_unchanged']['seconds']} s (target < 1 s); it said: "
              f"{result['steps']['rerun_unchanged']['reported']}")
        print(f"site with 24 months: {result['steps']['site_24_months']['seconds']} s, "
              f"{result['site_24_months_mib']} MiB, {result['site_24_months_pages']} pages")
        return 0
    if args.bench == "churn":
        result = bench_churn(args)
        save(f"churn-{args.customers}", result)
        print_steps(result["steps"], 28)
        print(f"{result['customers']:,} customers, {result['orders']:,} orders; medians of {result['repeat']} runs; "
              f"same table (rows, columns, orders, late payments, complaints): {result['result']}")
        print(f"DuckDB (churn.duckdb_memory={result['memory_cap']}) / plain pandas: time x{result['time_ratio']}, "
              f"memory x{result['memory_ratio']} (with 1GB: time x{result['larger_cap_time_ratio']}, "
              f"memory x{result['larger_cap_memory_ratio']})")
        print(f"training features with the defaults: {result['training_month_ends']} month-ends, "
              f"{result['training_rows']:,} rows ({result['training_frame_mib']} MiB in memory), "
              f"{result['steps']['training_snapshots_duckdb']['seconds']} s, peak "
              f"{result['steps']['training_snapshots_duckdb']['peak_mib']} MiB (target < 2048)")
        return 0
    result = bench_data(args)
    name = args.name or f"data-{args.customers}"
    save(name, result)
    print_steps(result["steps"], 20)
    print(f"rows: {result['rows']}  raw files: {result['raw_mib']} MiB")
    print(f"validated load / plain pandas read: time x{result['load_time_ratio_vs_plain']}, "
          f"memory x{result['load_memory_ratio_vs_plain']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
