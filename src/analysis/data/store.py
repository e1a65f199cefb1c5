"""Processed tables: raw files -> validated Parquet in data/processed/, atomic, reused while inputs are unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .._files import file_sha256
from ..config import Parameters
from ..errors import DataError
from ..message import Message, Term
from .schema import TABLES, Table
from .validate import Issue, TableInfo, ValidationReport, with_month_check

if TYPE_CHECKING:  # pandas and pyarrow load when a table is read or written: a reused load needs neither
    import pandas as pd

CURRENT = "CURRENT"
_ARROW = {"string": "string", "category": "string", "float": "float64", "int": "int64",
          "date": "timestamp[ns]", "datetime": "timestamp[ns]", "bool": "bool"}
#: the column that dates each table's rows (freshness, volume per month)
DATE_COLUMN = {"orders": "order_date", "payments": "paid_date", "surveys": "sent_date",
                "complaints": "received_at", "leads": "created_date", "lead_events": "event_date",
                "requirements": "submitted_date", "returns": "return_date", "targets": "month"}


class Tables:
    """The validated canonical tables of one load, read lazily from Parquet."""

    def __init__(self, folder: Path, report: ValidationReport, params: Parameters, reused: bool,
                 scope: tuple[str, str] | None = None):
        self.folder, self.report, self.params, self.reused = folder, report, params, reused
        self.scope = scope  # (column, value) when restricted to a branch or region
        self._cache: dict[str, pd.DataFrame] = {}

    @property
    def names(self) -> list[str]:
        return [n for n in TABLES if (self.folder / f"{n}.parquet").is_file()]

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def path(self, name: str) -> Path:
        """Parquet file of a table, for DuckDB queries over large tables."""
        return self.folder / f"{name}.parquet"

    def __getitem__(self, name: str) -> pd.DataFrame:
        import pandas as pd

        if name not in self._cache:
            if name not in self:
                raise KeyError(name)
            frame = pd.read_parquet(self.path(name))
            self._cache[name] = frame.drop(columns=["source_row"])
        return self._cache[name]

    def get(self, name: str) -> pd.DataFrame | None:
        return self[name] if name in self else None

    def scoped(self, column: str, value: str) -> "Tables":
        """The tables restricted to customers whose ``column`` is ``value`` (written once, with DuckDB).

        Orders, payments, surveys, complaints and returns follow their customers; leads and their
        follow-ups, and sales targets, are restricted when their table has the same column, else left out
        (the page says why); the product archive is kept whole.
        """
        import duckdb
        import pyarrow.parquet as pq

        if column not in self["customers"].columns:
            raise DataError(f"scope: the customer archive has no column {column}; choose one of "
                            f"{', '.join(c for c in self['customers'].columns if c != 'customer_id')}.")
        folder = self.folder / "scopes" / scope_slug(column, value)
        if not (folder / "_SUCCESS").is_file():
            staging = folder.with_name(f".{folder.name}.staging-{os.getpid()}")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            con = duckdb.connect()
            try:
                def copy(name, where, args=()):
                    con.execute(f"COPY (SELECT * FROM read_parquet('{self.path(name).as_posix()}') {where}) "
                                f"TO '{(staging / f'{name}.parquet').as_posix()}' (FORMAT parquet)", list(args))

                copy("customers", f'WHERE "{column}" = ?', [value])
                mine = f"WHERE customer_id IN (SELECT customer_id FROM read_parquet('{(staging / 'customers.parquet').as_posix()}'))"
                for name in ("orders", "payments", "surveys", "complaints", "returns"):
                    if name in self:
                        copy(name, mine)
                if "products" in self:
                    copy("products", "")  # the product archive is the company's, the same for every branch
                if "targets" in self and column in pq.read_schema(self.path("targets")).names and con.execute(
                        f"""SELECT count("{column}") FROM read_parquet('{self.path("targets").as_posix()}')""",
                ).fetchone()[0]:
                    copy("targets", f'WHERE "{column}" = ?', [value])  # the scope's own targets only
                if "requirements" in self and "customer_id" in pq.read_schema(self.path("requirements")).names:
                    copy("requirements", mine)  # a requirement follows its customer; one without is the company's
                if "leads" in self:
                    mapping = self.params.leads.consultant_branches
                    if column in pq.read_schema(self.path("leads")).names:
                        copy("leads", f'WHERE "{column}" = ?', [value])
                    elif column == "branch" and mapping:
                        consultants = sorted(c for c, b in mapping.items() if b == value)
                        marks = ", ".join("?" * len(consultants)) or "NULL"
                        copy("leads", f"WHERE consultant IN ({marks})", consultants)
                    # else: leads that cannot be told apart by branch are left out of the scope, and the
                    # lead page says why (never the company's leads under a branch title)
                    if "lead_events" in self and (staging / "leads.parquet").is_file():
                        copy("lead_events", f"WHERE lead_id IN (SELECT lead_id FROM "
                                            f"read_parquet('{(staging / 'leads.parquet').as_posix()}'))")
            finally:
                con.close()
            (staging / "_SUCCESS").write_text(f"{column}={value}", "utf-8")
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(staging, folder)
        return Tables(folder, _scoped_report(self.report, folder), self.params, reused=True, scope=(column, value))

    def require(self, name: str, needed_for: str) -> pd.DataFrame:
        """Return a table, or raise DataError saying which analysis needs it and how to supply it."""
        if name in self:
            return self[name]
        if self.scope is not None and (self.folder.parent.parent / f"{name}.parquet").is_file():
            column, value = self.scope
            reason = Message.of("page.not_scoped", table=Term("table", name), column=Term("column", column))
            raise DataError(f"{needed_for}: the {name} table cannot be restricted to {column} = {value}: it has no "
                            f"{column} column" + (" and leads.consultant_branches does not map its consultants"
                                                  if name in ("leads", "lead_events") else "")
                            + ". Add the column to the export, or map the consultants in parameters.", reason=reason)
        source = self.params.data.sources.get(name)
        where = f"{self.params.data.raw_dir}/{source.file}" if source else f"data.sources.{name}"
        why = self.report.missing.get(name, "it is not configured")
        raise DataError(f"{needed_for} needs the {name} table ({TABLES[name].description}), "
                        f"which is absent: {why}. Put the export at {where} or set data.sources.{name} "
                        "in parameters/defaults.yaml.",
                        reason=Message.of("page.missing_table", table=Term("table", name), where=where, name=name))


def _scoped_report(report: ValidationReport, folder: Path) -> ValidationReport:
    """The load's report with each table's rows and date range counted within a scope's folder.

    The findings stay those of the whole source files: a check counts rows of a file, not of a branch.
    """
    import duckdb

    tables = {}
    con = duckdb.connect()
    try:
        for name, info in report.tables.items():
            path = folder / f"{name}.parquet"
            if not path.is_file():
                tables[name] = dataclasses.replace(info, rows=0, first_date=None, last_date=None)
                continue
            column = DATE_COLUMN.get(name)
            dates = f'min("{column}")::DATE, max("{column}")::DATE' if column else "NULL, NULL"
            rows, first, last = con.execute(f"SELECT count(*), {dates} FROM read_parquet(?)", [path.as_posix()]).fetchone()
            tables[name] = dataclasses.replace(info, rows=rows, first_date=first and str(first), last_date=last and str(last))
    finally:
        con.close()
    return dataclasses.replace(report, tables=tables)


def prepare_tables(params: Parameters, force: bool = False,
                   progress: Callable[[str], None] | None = None, today: dt.date | None = None) -> Tables:
    """Read, map and validate the raw files; write the canonical tables atomically.

    A previous load is reused while the raw files' hashes, the parameters that shape
    the tables (:func:`shaping_parameters`), and the data-layer code are unchanged
    (``force`` loads again). The last ``data.keep_caches`` loads are kept, so switching
    a parameter back and forth reads no file.

    Raises
    ------
    DataError
        with every error of every file in ``.issues``; nothing is written then, and
        the previous processed tables stay as they were.
    """
    report, folder, reused = _load(params, force, progress or (lambda _msg: None), today or dt.date.today())
    report = with_month_check(report, params)  # a month well past the data's end is refused (month_after_data)
    if report.errors:
        n = sum(i.count for i in report.errors)
        raise DataError(f"{len(report.errors)} check(s) failed on {n} row(s); nothing was written.\n"
                        + report.format(), report.issues)
    return Tables(folder, report, params, reused=reused)


def validate_sources(params: Parameters, today: dt.date | None = None) -> ValidationReport:
    """Validate the raw files and return the report.

    Files without errors are kept as the processed tables (the cache that
    :func:`prepare_tables` reuses), so ``workbench validate`` then ``workbench run``
    reads each file once; with errors nothing is written to data/processed.
    """
    return with_month_check(_load(params, False, lambda _m: None, today or dt.date.today())[0], params)


def shaping_parameters(params: Parameters) -> dict:
    """The parameters that shape the processed tables, and so key their cache.

    Sources, column and label maps, workbook limits, the survey scale, its labels,
    not-applicable answers and dimensions, the founding date, and the validation
    settings; nothing that only an analysis reads (e.g. survey.response_target).
    """
    dump = params.model_dump(mode="json", include={"company", "data", "validation", "survey"})
    data = {k: v for k, v in dump["data"].items() if k not in ("processed_dir", "keep_caches")}
    survey = {k: dump["survey"][k] for k in ("scale", "scale_labels", "not_applicable", "dimensions",
                                              "dimension_labels")}
    return {"company": {"founded": dump["company"]["founded"]}, "data": data, "survey": survey,
            "validation": dump["validation"]}


def current_tables(params: Parameters) -> Tables | None:
    """The last successful load, without checking the raw files (None when there is none)."""
    processed = params.path(params.data.processed_dir)
    pointer = processed / CURRENT
    if not pointer.is_file():
        return None
    folder = processed / pointer.read_text("utf-8").strip()
    if not (folder / "_SUCCESS").is_file():
        return None
    report = ValidationReport.from_dict(json.loads((folder / "report.json").read_text("utf-8")))
    return Tables(folder, report, params, reused=True)


def scope_slug(column: str, value: str) -> str:
    """A file-system and URL safe, stable folder name for a scope."""
    return f"{column}-{hashlib.sha1(str(value).encode('utf-8')).hexdigest()[:8]}"


def source_path(params: Parameters, name: str) -> Path | None:
    """The raw file of a table: the configured file or, when it is absent, a .csv of the same name."""
    source = params.data.sources.get(name)
    if source is None:
        return None
    path = params.path(params.data.raw_dir) / source.file
    if not path.is_file() and path.suffix.lower() != ".csv" and path.with_suffix(".csv").is_file():
        return path.with_suffix(".csv")
    return path


# ----------------------------------------------------------------------------- internals

def _load(params: Parameters, force: bool, say, today: dt.date) -> tuple[ValidationReport, Path | None, bool]:
    """(report, folder of the processed tables or None when the data has errors, reused)."""
    processed = params.path(params.data.processed_dir)
    processed.mkdir(parents=True, exist_ok=True)
    hashes = _source_hashes(params)
    key = _load_key(params, hashes)
    folder = processed / f"tables-{key[:16]}"
    if not force and (folder / "_SUCCESS").is_file():
        _point_current(processed, folder.name)
        _remove_old(processed, params.data.keep_caches)
        report = ValidationReport.from_dict(json.loads((folder / "report.json").read_text("utf-8")))
        say(f"data unchanged since the last load: reusing {folder.relative_to(params.root)} (no file read)")
        return report, folder, True

    staging = processed / f".staging-{key[:16]}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        report = _load_all(params, staging, hashes, say, today)
        if report.errors:
            return report, None, False
        (staging / "report.json").write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1), "utf-8")
        (staging / "_SUCCESS").write_text(key, "utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _point_current(processed, folder.name)
    _remove_old(processed, params.data.keep_caches)
    return report, folder, False


def _load_all(params: Parameters, out: Path, hashes: dict, say, today: dt.date) -> ValidationReport:
    report = ValidationReport()
    for name, table in TABLES.items():
        source = params.data.sources.get(name)
        path = source_path(params, name)
        if path is None or not path.is_file():
            where = f"{params.data.raw_dir}/{source.file}" if source else f"data.sources.{name} is not set"
            if table.required:
                report.issues.append(Issue("error", "missing_table", name, source.file if source else name, None, None,
                                           "", "", detail=f"{where}: the required {name} table is missing "
                                           f"({table.description}). Export it to that path, or set "
                                           f"data.sources.{name}.file in parameters/defaults.yaml.",
                                           reason=Message.of("dq.issue.required_table", where=where,
                                                             table=Term("table", name), name=name,
                                                             description=table.description)))
            else:
                report.missing[name] = f"no file at {where}"
            continue
        say(f"reading {name}: {path.name}")
        started = time.perf_counter()
        info, issues = _load_table(table, path, source, params, out, hashes[name], today)
        report.issues += issues
        if info:
            report.tables[name] = info
            say(f"  {info.rows:,} rows in {time.perf_counter() - started:.1f}s")
    if not report.errors:
        report.issues += _cross_checks(params, out, report)
    return report


def _load_table(table: Table, path: Path, source, params: Parameters, out: Path, sha: str, today):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .mapping import derived_ids
    from .readers import Limits, open_source
    from .validate import Collector, add_notes, all_columns, coerce_chunk, resolve_headers

    limits = Limits(params.data.max_uncompressed_mb, params.data.max_cells)
    is_csv = path.suffix.lower() in (".csv", ".txt")
    try:
        raw = open_source(path, source.sheet, source.header_row, source.encoding, limits)
    except DataError as exc:
        check = getattr(exc, "check", "empty_file")
        return None, [Issue("error", check, table.name, path.name, None if is_csv else source.sheet, None, "", "",
                            detail=str(exc), reason=exc.reason)]
    collector = Collector(params, table, raw)
    found = resolve_headers(table, raw, params, collector)
    add_notes(raw, collector)
    if any(i.severity == "error" for i in collector.issues.values()):
        return None, list(collector.issues.values())
    columns = [c for c in all_columns(table, params) if c.name in found]
    # a file without its key column (survey forms without numbers): ids from the columns the schema names
    derive = bool(table.key and table.key not in found and table.derived_key
                  and all(c in found for c in table.derived_key))
    if derive:
        columns.append(table.column(table.key))
        seen: dict[str, int] = {}
    schema = pa.schema([pa.field("source_row", pa.int64())]
                       + [pa.field(c.name, pa.type_for_alias(_ARROW[c.dtype])) for c in columns])
    rows = 0
    first = last = None
    date_col = DATE_COLUMN.get(table.name)
    try:
        with pq.ParquetWriter(out / f"{table.name}.parquet", schema, compression="zstd") as writer:
            for chunk in raw.chunks():
                typed = coerce_chunk(table, chunk, found, params, collector, today)
                if derive:
                    typed[table.key] = derived_ids(typed, table.derived_key, seen)
                rows += len(typed)
                if date_col in typed:
                    lo, hi = typed[date_col].min(), typed[date_col].max()
                    first = lo if first is None or (pd.notna(lo) and lo < first) else first
                    last = hi if last is None or (pd.notna(hi) and hi > last) else last
                writer.write_table(pa.Table.from_pandas(typed[schema.names], schema=schema, preserve_index=False))
    except DataError as exc:  # a csv that breaks part-way (encoding, field count)
        return None, [*collector.issues.values(),
                      Issue("error", exc.check, table.name, path.name, raw.sheet, None, "", "", detail=str(exc),
                            reason=exc.reason)]
    if rows == 0:
        severity = params.validation.severity.get("empty_file", "error" if table.required else "warning")
        collector.issues[("empty_file", None)] = Issue(
            severity, "empty_file", table.name, path.name, raw.sheet, None, "", "",
            detail=f"{raw.where}: the {table.name} table has a header row but no data rows. "
                   + ("Export the table with its rows." if table.required else
                      "The analyses that use it are left out until it has rows."),
            reason=Message.of("dq.issue.no_rows", where=raw.where, table=Term("table", table.name)),
            remedy=Message("dq.fix.no_rows_required" if table.required else "dq.fix.no_rows_optional"))
    fmt = lambda t: None if t is None or pd.isna(t) else str(pd.Timestamp(t).date())
    info = TableInfo(table.name, path.name, raw.sheet, rows, [found[c] for c in found], list(found), sha,
                     raw.encoding, fmt(first), fmt(last))
    return info, list(collector.issues.values())


def _cross_checks(params: Parameters, folder: Path, report: ValidationReport) -> list[Issue]:
    """Duplicate keys and orphans, with DuckDB over the staged Parquet so memory stays bounded."""
    import duckdb

    issues = []
    n_cases = params.validation.max_cases_shown
    con = duckdb.connect()
    try:
        for name, info in report.tables.items():
            table = TABLES[name]
            src = (folder / f"{name}.parquet").as_posix()
            sheet = info.sheet
            if table.key:
                total = con.execute(
                    f"SELECT count(*) FROM (SELECT {table.key} FROM read_parquet(?) WHERE {table.key} IS NOT NULL "
                    f"GROUP BY 1 HAVING count(*) > 1)", [src]).fetchone()[0]
                if total:
                    cases = con.execute(
                        f"""SELECT k, first_row, rows FROM (
                              SELECT {table.key} AS k, min(source_row) AS first_row,
                                     list(source_row ORDER BY source_row) AS rows
                              FROM read_parquet(?) WHERE {table.key} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)
                            ORDER BY first_row LIMIT {n_cases}""", [src]).fetchall()
                    header = _header_of(info, table, table.key)
                    issue = Issue(_severity(params, "duplicate_key"), "duplicate_key", name, info.file, sheet, header,
                                  f"{table.key} must be unique; the same value is in rows "
                                  + "; ".join(f"{k}: {', '.join(map(str, rows[:5]))}" for k, _, rows in cases),
                                  "Delete the repeated row or give it its own number.", count=int(total),
                                  reason=Message.of("dq.issue.duplicate_key", name=table.key, rows="; ".join(
                                      f"{k}: {', '.join(map(str, rows[:5]))}" for k, _, rows in cases)),
                                  remedy=Message("dq.fix.duplicate_key"))
                    issue.cases = [(int(rows[1]), str(k)) for k, _, rows in cases]
                    issues.append(issue)
            for col in table.columns:
                if not col.references or col.name not in info.canonical:
                    continue
                parent, parent_col = col.references.split(".")
                if parent not in report.tables:
                    continue
                psrc = (folder / f"{parent}.parquet").as_posix()
                query = (f"FROM read_parquet(?) c ANTI JOIN read_parquet(?) p ON c.{col.name} = p.{parent_col} "
                         f"WHERE c.{col.name} IS NOT NULL")
                total = con.execute(f"SELECT count(*) {query}", [src, psrc]).fetchone()[0]
                if total:
                    cases = con.execute(f"SELECT c.source_row, c.{col.name} {query} ORDER BY 1 LIMIT {n_cases}",
                                        [src, psrc]).fetchall()
                    pinfo = report.tables[parent]
                    issue = Issue(_severity(params, "orphan"), "orphan", name, info.file, sheet,
                                  _header_of(info, table, col.name),
                                  f"{col.name} must exist in the {parent} table ({pinfo.file})",
                                  f"Add it to {pinfo.file} or correct the number.", count=int(total),
                                  reason=Message.of("dq.issue.orphan", name=col.name, table=parent,
                                                    table_name=Term("table", parent), file=pinfo.file),
                                  remedy=Message.of("dq.fix.orphan", file=pinfo.file))
                    issue.cases = [(int(r), str(v)) for r, v in cases]
                    issues.append(issue)
    finally:
        con.close()
    from .consistency import checks as consistency_checks

    issues += consistency_checks(folder, report, params)
    return issues


def _header_of(info: TableInfo, table: Table, canonical: str) -> str:
    for header, name in zip(info.columns, info.canonical):
        if name == canonical:
            return header
    return canonical


def _severity(params: Parameters, check: str) -> str:
    return params.validation.severity.get(check, "error")


def _source_hashes(params: Parameters) -> dict[str, str]:
    hashes = {}
    for name in params.data.sources:
        path = source_path(params, name)
        hashes[name] = f"{path.name}:{file_sha256(path)}" if path.is_file() else "absent"
    return hashes


def _load_key(params: Parameters, hashes: dict) -> str:
    code = hashlib.sha256()
    for name in ("schema.py", "readers.py", "mapping.py", "validate.py", "store.py", "consistency.py"):  # what shapes the tables
        code.update((Path(__file__).parent / name).read_bytes())
    blob = json.dumps({"hashes": hashes, "params": shaping_parameters(params), "code": code.hexdigest()},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _point_current(processed: Path, name: str) -> None:
    tmp = processed / f".{CURRENT}.{os.getpid()}"
    tmp.write_text(name, "utf-8")
    os.replace(tmp, processed / CURRENT)
    os.utime(processed / name / "_SUCCESS")  # last used: the caches kept are the most recently used


def _remove_old(processed: Path, keep: int) -> None:
    """Keep the ``keep`` most recently used loads (the current one among them), remove the others."""
    loads = [p for p in processed.glob("tables-*") if (p / "_SUCCESS").is_file()]
    loads.sort(key=lambda p: ((p / "_SUCCESS").stat().st_mtime_ns, p.name), reverse=True)
    current = (processed / CURRENT).read_text("utf-8").strip() if (processed / CURRENT).is_file() else None
    kept = [p for p in loads if p.name == current] + [p for p in loads if p.name != current]
    for old in kept[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    for broken in processed.glob("tables-*"):
        if not (broken / "_SUCCESS").is_file():
            shutil.rmtree(broken, ignore_errors=True)
