"""The satisfaction page at survey sizes of a real company (issue 15, item 6: 129,880 forms hit the 900 s cell timeout).

    python benchmarks/satisfaction_page.py                          # 130,000 forms; the analysis also at 5,000, 20,000
    python benchmarks/satisfaction_page.py --forms 20000 --sizes 5000,20000

Each step runs in a child process (wall time, peak memory; see run.py):

- ``analysis_<n>``: every analysis function the page calls, in one process, at each size of ``--sizes``
  (the scaling: a quadratic step shows as time growing faster than the forms);
- ``page``: the satisfaction notebook executed as the runner executes it (papermill, a kernel, one thread),
  at ``--forms``; the executed notebook's cell times say where the time goes;
- ``excel_lists``: the page's Excel file alone (CAPA list, phone list, overdue surveys, grades);
- ``plain_pandas``: the plain alternative, the same headline figures and the same two long lists
  (items below the CAPA limit, unanswered forms) with pandas, written with ``DataFrame.to_excel``
  (xlsxwriter).

The data: benchmarks/survey_forms.py (one form per respondent, 14 items rated 0-5 with 0 not applicable,
every form in the survey period). Writes benchmarks/results/satisfaction-<forms>.json and summary.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, measure, print_steps, save  # noqa: E402

MONTH = "2026-10"
#: one thread for the native libraries, as the runner gives each kernel (two kernels share the two cores; with
#: their default threads BLAS and OpenMP spin against the other processes and the times mean nothing)
THREADS = {var: "1" for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "WORKBENCH_THREADS")}

ANALYSIS = """
import time
from analysis import load_parameters, cadence, complaints as cmp, satisfaction
from analysis.data.store import prepare_tables
p = load_parameters(root='.', month='{month}')
T = prepare_tables(p)
surveys, customers, complaints = T['surveys'], T['customers'], T.get('complaints')
forms = satisfaction.answered(surveys, p)
status = satisfaction.response_status(surveys, customers, p)
phones = satisfaction.phone_register(surveys, customers, p)
overdue = cadence.survey_overdue(customers, surveys, p.period_end, p, T.get('orders'))
major = cadence.after_major_complaints(complaints, surveys, p.period_start, p.period_end, p)
scores = satisfaction.customer_scores(forms, p)
overall = satisfaction.overall_score(scores, p)
results = satisfaction.dimension_results(forms, p)
segments = satisfaction.segment_results(scores, customers, p)
grades = satisfaction.satisfaction_grades(scores, p, T.get('orders'), complaints)
comparison = satisfaction.compare_periods(surveys, p)
history = satisfaction.trend_table(surveys, p)
importance = satisfaction.drivers(forms, p)
register = satisfaction.capa_register(surveys, p)
worklist = satisfaction.capa_worklist(register)
themes = satisfaction.comment_themes(forms, scores, p)
compliance = cmp.overall_compliance(complaints, p)
print(len(forms), len(worklist), len(satisfaction.phone_worklist(phones)), len(grades))
"""

PAGE = """
from pathlib import Path
from analysis.runner import execute_notebook
out = Path('page_out').resolve(); out.mkdir(exist_ok=True)  # the kernel runs in notebooks/
r = execute_notebook('satisfaction', '{notebook}', str(out), '{month}', {{}}, 'python3', 3600,
                     '{notebooks}', str(Path('.').resolve()), threads=1)
assert r['outcome'] == 'ok', r
import nbformat
nb = nbformat.read(out / 'satisfaction.ipynb', as_version=4)
cells = [(i, round(c.metadata.papermill.get('duration') or 0, 1), c.source.strip().splitlines()[0][:60])
         for i, c in enumerate(nb.cells) if c.cell_type == 'code']
import json; print(json.dumps(sorted(cells, key=lambda c: -c[1])[:4], ensure_ascii=False))
"""

EXCEL = """
from pathlib import Path
from analysis import load_parameters, cadence, excel, satisfaction
from analysis.data.store import prepare_tables
from analysis.i18n import t
p = load_parameters(root='.', month='{month}')
T = prepare_tables(p)
surveys, customers = T['surveys'], T['customers']
forms = satisfaction.answered(surveys, p)
phones = satisfaction.phone_register(surveys, customers, p)
overdue = cadence.survey_overdue(customers, surveys, p.period_end, p, T.get('orders'))
grades = satisfaction.satisfaction_grades(satisfaction.customer_scores(forms, p), p, T.get('orders'), T.get('complaints'))
worklist = satisfaction.capa_worklist(satisfaction.capa_register(surveys, p))
sheets = {{t('excel.sheet.capa'): worklist, t('excel.sheet.phone'): satisfaction.phone_worklist(phones),
          t(cadence.SURVEY_SHEET): overdue, t('excel.sheet.grades'): grades}}
excel.write_customer_lists(Path('lists.xlsx'), sheets, customers, p, fills={{'grade': excel.GRADE_FILLS}})
print(sum(len(f) for f in sheets.values()), sum(len(f) * len(f.columns) for f in sheets.values()))
"""

PLAIN = """
import pandas as pd
from analysis import load_parameters
from analysis.data.store import prepare_tables
p = load_parameters(root='.', month='{month}')
T = prepare_tables(p)
surveys, customers = T['surveys'], T['customers']
dims = list(p.survey.dimensions)
start = (pd.Period('{month}', 'M') - p.survey.period_months + 1).start_time
end = pd.Period('{month}', 'M').end_time.normalize()
sent = surveys[(surveys['sent_date'] >= start) & (surveys['sent_date'] <= end)]
done = sent[sent['answered_date'].notna() & (sent['answered_date'] <= end)]
due = sent[sent['sent_date'] + pd.Timedelta(days=p.survey.followup_days) <= end]
rate = due['survey_id'].isin(done['survey_id']).mean()
means = done[dims].mean()
share = (done[dims].mean(axis=1) / p.survey.scale_max).mean()
items = done.melt(id_vars=['survey_id', 'customer_id', 'answered_date', 'comment'], value_vars=dims,
                  var_name='dimension', value_name='score').dropna(subset=['score'])
low = items[items['score'] < p.survey.capa_item_below].merge(customers, on='customer_id', how='left')
phone = due[~due['survey_id'].isin(done['survey_id'])].merge(customers, on='customer_id', how='left')
with pd.ExcelWriter('plain.xlsx', engine='xlsxwriter') as writer:
    low.to_excel(writer, sheet_name='capa', index=False)
    phone.to_excel(writer, sheet_name='phone', index=False)
print(len(done), round(rate, 4), round(share, 4), len(low), len(phone))
"""


def bench(forms: int, sizes: list[int], work: Path | None) -> dict:
    from survey_forms import write_project

    steps, made = {}, {}
    root = Path(work) if work else Path(tempfile.mkdtemp(prefix="workbench-satisfaction-"))
    try:
        for n in sorted(set(sizes) | {forms}):
            folder = root / f"forms-{n}"
            if not (folder / "data" / "raw" / "客户满意度调查表.csv").is_file():
                made[n] = write_project(folder, n, end_month=MONTH)
            # the validated load (csv to Parquet) once, so that every step below reads the same processed tables
            steps[f"load_{n}"] = measure(f"from analysis import load_parameters, prepare_tables\n"
                                         f"prepare_tables(load_parameters(root='.', month='{MONTH}'))", folder, THREADS)
            if n in sizes:
                steps[f"analysis_{n}"] = measure(ANALYSIS.format(month=MONTH), folder, THREADS)
        folder = root / f"forms-{forms}"
        nb = ROOT / "notebooks"
        steps["page"] = measure(PAGE.format(month=MONTH, notebook=nb / "satisfaction.ipynb", notebooks=nb), folder,
                                THREADS)
        steps["excel_lists"] = measure(EXCEL.format(month=MONTH), folder, THREADS)
        steps["plain_pandas"] = measure(PLAIN.format(month=MONTH), folder, THREADS)
        answered, capa, phone, grades = steps[f"analysis_{forms}"]["stdout"].split()[-4:] if forms in sizes else [""] * 4
        rows, cells = steps["excel_lists"]["stdout"].split()[-2:]
        return {"forms": forms, "generated": made, "answered": int(answered) if answered else None,
                "capa_items": int(capa) if capa else None,
                "phone_list": int(phone) if phone else None, "grades": int(grades) if grades else None,
                "excel_rows": int(rows), "excel_cells": int(cells),
                "slowest_cells": json.loads(steps["page"]["stdout"].splitlines()[-1]),
                "scaling": {n: steps[f"analysis_{n}"]["seconds"] for n in sorted(sizes)},
                "steps": steps,
                "time_ratio": round(steps["page"]["seconds"] / steps["plain_pandas"]["seconds"], 2),
                "memory_ratio": round(steps["page"]["peak_mib"] / steps["plain_pandas"]["peak_mib"], 2)}
    finally:
        if not work:
            shutil.rmtree(root, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forms", type=int, default=130_000)
    parser.add_argument("--sizes", default="5000,20000,130000", help="form counts the analysis alone is timed at")
    parser.add_argument("--work", help="reuse (or keep) this folder with the generated projects")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    result = bench(args.forms, sizes, args.work)
    save(f"satisfaction-{args.forms}", result)
    print_steps(result["steps"], 22)
    print(f"{result['forms']:,} forms ({result['answered']} answered): {result['capa_items']} CAPA items, "
          f"{result['phone_list']} forms to phone, Excel {result['excel_rows']:,} rows / {result['excel_cells']:,} cells")
    print("analysis alone, s by forms: " + ", ".join(f"{n:,}: {s}" for n, s in result["scaling"].items()))
    print(f"slowest cells of the page (s): {result['slowest_cells']}")
    print(f"page / plain pandas (same figures and long lists to Excel): time x{result['time_ratio']}, "
          f"memory x{result['memory_ratio']}; page {result['steps']['page']['seconds']} s (target < 60 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
