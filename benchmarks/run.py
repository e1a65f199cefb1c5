"""Scale benchmarks: each step runs in a child process; wall time and peak memory (max RSS) are measured.

    python benchmarks/run.py all                        # everything below that has a target, as one table
    python benchmarks/run.py pipeline                   # monthly run vs plain papermill+nbconvert loop, re-run, site
    python benchmarks/run.py data                       # default demo size: generate, load vs plain pandas
    python benchmarks/run.py data --customers 1000000 --months 12 --leads 200000
    python benchmarks/run.py churn --customers 1000000 --months 12   # snapshot features: DuckDB vs pandas

Prints a table and writes benchmarks/results/<name>.json. Not part of the test run.
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
        # what the model trains on: every training month-end plus the horizon's, in one query, default cap
        training = measure(common + """
import numpy as np
from analysis import churn
steps = int(np.ceil(p.churn.horizon_days / 30.4))
f = churn.snapshot_features(t, p, churn.snapshot_dates(p, p.churn.training_snapshots + steps))
print(f['snapshot'].nunique(), len(f))
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
    """The monthly run against the plain loop (papermill, then jupyter nbconvert --to html, one notebook
    after another) on the same demo data; the re-run with nothing changed; a 24-month site build."""
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
        cli = "import sys; from analysis.cli import main; sys.exit(main({argv!r}))"
        full = measure(cli.format(argv=["run", "--month", month, "--force"]), work, env)
        rerun = measure(cli.format(argv=["run", "--month", month]), work, env)
        from analysis.config import load_parameters

        names = load_parameters(root=work, month=month).run.notebooks
        loop_dir = work / "plain"
        loop_dir.mkdir()
        plain = measure(f"""
import subprocess, sys
for name in {names!r}:
    out = '{loop_dir}/' + name + '.ipynb'
    subprocess.run([sys.executable, '-m', 'papermill', 'notebooks/' + name + '.ipynb', out, '-p', 'month', '{month}',
                    '--cwd', 'notebooks', '-k', 'python3', '--no-progress-bar'], check=True, capture_output=True)
    subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--to', 'html', '--no-input', out],
                   check=True, capture_output=True)
""", work, env)
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
        return {"notebooks": names, "steps": {"workbench_run": full, "plain_papermill_nbconvert_loop": plain,
                                              "rerun_unchanged": rerun, "site_24_months": site},
                "run_vs_plain_time": round(full["seconds"] / plain["seconds"], 2),
                "run_vs_plain_memory": round(full["peak_mib"] / plain["peak_mib"], 2),
                "rerun_vs_full": round(rerun["seconds"] / full["seconds"], 3),
                "site_24_months_mib": round(size / 2**20, 1), "site_24_months_pages": pages}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_leads(args) -> dict:
    """Fit the lead model (both candidates, calibrated, time-ordered validation, refit) and score the open
    leads, at ``--leads`` rows; the plain alternative is a single uncalibrated logistic regression."""
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
print(len(frame), len(scored), result.chosen, round(result.validation[result.chosen]['roc_auc'], 3))
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
        n, scored, chosen, auc = fit["stdout"].splitlines()[-1].split()
        return {"leads": int(n), "open_scored": int(scored), "chosen": chosen, "validation_auc": float(auc),
                "steps": {"fit_compare_calibrate_score": fit, "plain_single_logistic_fit_score": plain},
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
    """Write one benchmark's result to benchmarks/results/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str), "utf-8")


def print_steps(steps: dict, width: int = 34) -> None:
    """The step table: wall seconds and peak MiB of each measured child process."""
    print(f"{'step':<{width}}{'seconds':>10}{'peak MiB':>12}")
    for step, r in steps.items():
        print(f"{step:<{width}}{r['seconds']:>10}{r['peak_mib']:>12}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="bench", required=True)
    data = sub.add_parser("data", help="demo-data generation and load")
    data.add_argument("--customers", type=int, default=600)
    data.add_argument("--months", type=int, default=24)
    data.add_argument("--leads", type=int, default=None)
    data.add_argument("--end-month", default="2026-10")
    data.add_argument("--name", default=None)
    churn = sub.add_parser("churn", help="churn snapshot features: DuckDB vs plain pandas")
    churn.add_argument("--customers", type=int, default=1_000_000)
    churn.add_argument("--months", type=int, default=12)
    churn.add_argument("--end-month", default="2026-10")
    churn.add_argument("--work", help="reuse (or keep) this work folder with the generated data")
    churn.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    churn.add_argument("--repeat", type=int, default=3, help="runs of each timed step; the median is reported")
    pipeline = sub.add_parser("pipeline", help="monthly run vs the plain papermill + nbconvert loop, re-run, site")
    pipeline.add_argument("--end-month", default="2026-10")
    lead = sub.add_parser("leads", help="lead model fit and score at scale")
    lead.add_argument("--leads", type=int, default=1_000_000)
    lead.add_argument("--end-month", default="2026-10")
    lead.add_argument("--work", help="reuse (or keep) this work folder with the generated data")
    truth = sub.add_parser("truth", help="model AUC against the demo generator's own probabilities")
    truth.add_argument("--customers", type=int, default=600)
    truth.add_argument("--seed", type=int, default=42)
    truth.add_argument("--end-month", default="2026-10")
    every = sub.add_parser("all", help="pipeline, data load, churn features and model truth, as one table")
    every.add_argument("--customers", type=int, default=1_000_000, help="size of the churn benchmark")
    every.add_argument("--months", type=int, default=12)
    every.add_argument("--end-month", default="2026-10")
    every.add_argument("--work", help="reuse (or keep) the churn benchmark's generated data here")
    every.add_argument("--repeat", type=int, default=3, help="runs of each churn step; the median is reported")
    args = parser.parse_args(argv)
    if args.bench == "all":
        rows = []
        pipe = bench_pipeline(args)
        steps = pipe["steps"]
        rows += [("monthly run / plain papermill+nbconvert loop", "time", pipe["run_vs_plain_time"], "<= 0.6"),
                 ("", "memory", pipe["run_vs_plain_memory"], ""),
                 ("re-run with nothing changed (s)", "time", steps["rerun_unchanged"]["seconds"], "< 2 s"),
                 ("re-run / full run", "time", pipe["rerun_vs_full"], ""),
                 ("site with 24 months (s, MiB)", "time", steps["site_24_months"]["seconds"], ""),
                 ("", "size", pipe["site_24_months_mib"], "")]
        churn_args = argparse.Namespace(customers=args.customers, months=args.months, end_month=args.end_month,
                                        work=args.work, keep=False, repeat=args.repeat)
        ch = bench_churn(churn_args)
        rows += [(f"churn features, {ch['customers']:,} customers / {ch['orders']:,} orders: DuckDB / pandas", "time",
                  ch["time_ratio"], "<= 0.5"), ("", "memory", ch["memory_ratio"], "<= 0.5"),
                 ("  with churn.duckdb_memory=1GB instead", "time", ch["larger_cap_time_ratio"], ""),
                 ("", "memory", ch["larger_cap_memory_ratio"], ""),
                 ("  training features, all month-ends (s, MiB)", "time",
                  ch["steps"]["training_snapshots_duckdb"]["seconds"], ""),
                 ("", "memory", ch["steps"]["training_snapshots_duckdb"]["peak_mib"], "")]
        data = bench_data(argparse.Namespace(customers=600, months=24, leads=None, end_month=args.end_month))
        rows += [("validated load / plain pandas read (default demo)", "time", data["load_time_ratio_vs_plain"], ""),
                 ("", "memory", data["load_memory_ratio_vs_plain"], "")]
        summary = {"pipeline": pipe, "churn": ch, "data": data, "table": rows}
        save("summary", summary)
        print(f"{'measure':<72}{'':<8}{'value':>8}  target")
        for name, kind, value, target in rows:
            print(f"{name:<72}{kind:<8}{value:>8}  {target}")
        return 0
    if args.bench == "leads":
        result = bench_leads(args)
        save(f"leads-{args.leads}", result)
        print_steps(result["steps"], 34)
        print(f"{result['leads']:,} leads, {result['open_scored']:,} open leads scored; chosen {result['chosen']}, "
              f"validation ROC AUC {result['validation_auc']}")
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
        print(f"workbench run / plain loop: time x{result['run_vs_plain_time']} (target <= 0.6), "
              f"memory x{result['run_vs_plain_memory']}")
        print(f"re-run unchanged: {result['steps']['rerun_unchanged']['seconds']} s (target < 2 s), "
              f"x{result['rerun_vs_full']} of the full run")
        print(f"site with 24 months: {result['steps']['site_24_months']['seconds']} s, "
              f"{result['site_24_months_mib']} MiB, {result['site_24_months_pages']} pages")
        return 0
    if args.bench == "churn":
        result = bench_churn(args)
        save(f"churn-{args.customers}", result)
        print_steps(result["steps"], 24)
        print(f"{result['customers']:,} customers, {result['orders']:,} orders; medians of {result['repeat']} runs; "
              f"same table (rows, columns, orders, late payments, complaints): {result['result']}")
        print(f"DuckDB (churn.duckdb_memory={result['memory_cap']}) / plain pandas: time x{result['time_ratio']}, "
              f"memory x{result['memory_ratio']} (with 1GB: time x{result['larger_cap_time_ratio']}, "
              f"memory x{result['larger_cap_memory_ratio']})")
        print(f"training features (month-ends, rows): {result['training_snapshots']}")
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
