"""Site: the executed notebooks of every run become a static, offline HTML site in reports/site/.

Each period (a month, later quarters and years) gets a folder with its report pages, its Excel
lists (copied next to the pages that link them) and a page per branch or region of a split run.
The index opens on the latest period; a search page works from ``file://`` and from the intranet
server alike (its index is a script file, loaded without fetch). Nothing is fetched from outside.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import __version__
from .._files import swap_in
from ..config import Parameters, in_page_order, page_order
from ..errors import SiteError
from ..i18n import period_name, t, term
from ..periods import is_period, parse_period
from ..periods import sort_key as period_sort_key
from ..privacy import mask_text
from ..message import EXCEL_MIME, FINDINGS_MIME, HEADLINE_MIME, NO_DATA_MIME
from ..runner import completed_runs, fast_jupyter_imports, period_of_folder

HERE = Path(__file__).parent
#: an outside reference: http(s)://, protocol-relative //host, in src/href/url()
OUTSIDE_URL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
                         re.IGNORECASE)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")
_HEADING = re.compile(r"""<h([23]) id=["']([^"']+)["'][^>]*>(.*?)</h\1>""", re.S)
_TAGS = re.compile(r"<[^>]+>")
#: characters a folder name of the site may not hold (file systems, URLs)
_UNSAFE = re.compile(r"[\x00-\x1f<>:\"/\\|?*#%&{}$!'`@=+;,\[\]~^\s]+")


def build_site(params: Parameters, progress: Callable[[str], None] | None = None) -> Path:
    """Build ``reports/site/`` from every good run in ``reports/runs/``, then swap it in atomically.

    Only runs executed in the site's language (``site.language``) are shown, so no page mixes
    languages; the others are named in the progress lines. Returns the site folder.

    Raises SiteError when there is no run, when the chosen engine is unavailable, or when a page
    would reference an outside URL.
    """
    say = progress or (lambda _m: None)
    fast_jupyter_imports()  # before nbformat and nbconvert: `workbench build-site` imports them here
    found = completed_runs(params.root)
    if not found:
        raise SiteError(f"{params.root / 'reports' / 'runs'}: no completed run to build a site from. "
                        "Run `workbench run` first.")
    lang = params.site.language
    # the runs in the site's language, by period (each remembers its folder: 2026-10, or 2026-10.en)
    runs = {period_of_folder(folder): {**m, "_folder": folder}
            for folder, m in found.items() if _run_language(m) == lang}
    other = {folder: m for folder, m in found.items()
             if _run_language(m) != lang and period_of_folder(folder) not in runs}
    for folder, manifest in sorted(other.items()):
        period = period_of_folder(folder)
        say(f"  {period}: executed in {_run_language(manifest)} only, left out of the {lang} site "
            f"(run it with --period {period} -p site.language={lang})")
    if not runs:
        raise SiteError(f"no run was executed in {lang} (site.language); the runs are in "
                        f"{', '.join(sorted({_run_language(m) for m in found.values()}))}. Run `workbench run -p "
                        f"site.language={lang}` or build the site in that language.")
    started = time.perf_counter()
    final = params.root / "reports" / "site"
    stamp = _site_fingerprint(params, runs)
    if (final / ".build").is_file() and (final / ".build").read_text("utf-8") == stamp and params.site.engine == "nbconvert":
        say("site unchanged: runs, templates and site parameters are as at the last build")
        return final
    staging = final.with_name(f".site-staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        if params.site.engine == "quarto":
            _build_quarto(params, runs, staging, say)
        else:
            _build_nbconvert(params, runs, staging, say)
        _check_offline(staging)
        (staging / ".build").write_text(stamp, "utf-8")
        swap_in(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"site built: {len(runs)} period(s) in {time.perf_counter() - started:.1f}s")
    return final


def report_title(name: str, language: str, period: str | None = None) -> str:
    """The title of a report page (its notebook name when the catalogue has none); a report named after its
    period (销售月报) has its own title for a quarter and a year (销售季报, 销售年报) when the catalogue gives one."""
    if period and is_period(period):
        own = PERIOD_TITLES.get((name, parse_period(period).kind))
        if own:
            return term("report", own, language)
    return term("report", name, language)


#: reports whose title names the period: (report, period kind) -> the code of its title in value.report
PERIOD_TITLES = {("sales_summary", "quarter"): "sales_summary_quarter", ("sales_summary", "year"): "sales_summary_year"}


def extract_headlines(notebook) -> dict | None:
    """The headline figures a notebook recorded with ``Page.headlines`` (None if none)."""
    found = _outputs(notebook, HEADLINE_MIME)
    return found[0] if found else None


def extract_excel(notebook) -> list[dict]:
    """The Excel lists a notebook wrote with ``Page.excel``: file, rows, sheets."""
    return _outputs(notebook, EXCEL_MIME)


def readable_folder(value: str, taken: set[str]) -> str:
    """A folder name for a branch or region that people can read (上海分公司), safe in paths and URLs.

    Characters that mean something to a file system or a URL are replaced; a name that is empty
    after that, or already taken, gets a short hash of the value.
    """
    name = _UNSAFE.sub("-", str(value)).strip("-.")[:60]
    if not name or name.lower() in taken:
        digest = hashlib.sha1(str(value).encode("utf-8")).hexdigest()[:6]
        name = f"{name}-{digest}" if name else f"scope-{digest}"
    taken.add(name.lower())
    return name


def scope_folders(manifest: dict) -> dict[str, str]:
    """The site folder of each branch or region of a run (its manifest's scopes, by slug): readable names,
    given in the order of the values so that a clash is always resolved the same way."""
    taken: set[str] = set()
    return {slug: readable_folder(scope["value"], taken)
            for slug, scope in sorted(manifest.get("scopes", {}).items(), key=lambda kv: str(kv[1]["value"]))}


# ----------------------------------------------------------------------------- nbconvert engine

def _build_nbconvert(params: Parameters, runs: dict[str, dict], out: Path, say) -> None:
    import nbformat

    lang = params.site.language
    env = _environment()
    (out / "assets").mkdir()
    for asset in (HERE / "assets").iterdir():
        shutil.copy2(asset, out / "assets" / asset.name)
    periods = sorted(runs, key=period_sort_key, reverse=True)
    exporter = _exporter()
    order = page_order(params)
    catalogue: dict[str, dict[str | None, dict]] = {}
    search: list[dict] = []
    for period in periods:
        manifest = runs[period]
        folder = params.root / "reports" / "runs" / manifest.get("_folder", period)
        sections = {None: {"label": None, "folder": folder, "notebooks": manifest["notebooks"], "site": period}}
        names = scope_folders(manifest)
        for slug, scope in sorted(manifest.get("scopes", {}).items(), key=lambda kv: str(kv[1]["value"])):
            sections[slug] = {"label": scope["value"], "folder": folder / "scopes" / slug,
                              "notebooks": scope["notebooks"], "site": f"{period}/{names[slug]}"}
        catalogue[period] = {}
        for slug, section in sections.items():
            base = section["site"]
            (out / base).mkdir(parents=True, exist_ok=True)
            entries = []
            names = in_page_order(section["notebooks"], order)
            for name in names:
                info = section["notebooks"][name]
                path = section["folder"] / f"{name}.ipynb"
                if not path.is_file():
                    continue
                notebook = nbformat.read(path, as_version=4)
                headlines = extract_headlines(notebook)
                files = []
                for record in extract_excel(notebook):
                    source = section["folder"] / record["file"]
                    if source.is_file():
                        shutil.copy2(source, out / base / record["file"])
                        files.append(dict(record, size=_size(source.stat().st_size), href=f"{base}/{record['file']}"))
                body = _notebook_body(exporter, notebook)
                if info.get("outcome") == "no_data":  # the page itself says why, in the reader's language
                    body = f"<p class='wb-nodata'>{html.escape(t('site.no_data', lang))}</p>{body}"
                findings = [f for record in _outputs(notebook, FINDINGS_MIME) for f in record.get("items", [])]
                entries.append({"name": name, "title": report_title(name, lang, period), "href": f"{base}/{name}.html",
                                "headlines": (headlines or {}).get("items", []), "findings": findings, "body": body,
                                "toc": _contents(body), "files": files, "outcome": info.get("outcome")})
            catalogue[period][slug] = {"label": section["label"], "base": base, "reports": entries}
    ctx_common = {"lang": lang, "t": lambda key, **kw: t(key, lang, **kw), "title": params.site.title,
                  "pname": lambda label: period_name(label, lang),
                  "company": params.company.name, "periods": periods, "version": __version__}
    for period in periods:
        footer = _footer(runs[period], params)
        for slug, section in catalogue[period].items():
            depth = "../" * (section["base"].count("/") + 1)
            for entry in section["reports"]:
                kind = parse_period(period).kind  # the same report in the other periods of the same kind
                others = [(p, f"{depth}{catalogue[p][slug]['base']}/{entry['name']}.html") for p in periods
                          if parse_period(p).kind == kind and slug in catalogue[p]
                          and any(e["name"] == entry["name"] for e in catalogue[p][slug]["reports"])]
                page = env.get_template("page.html.j2").render(
                    **ctx_common, root=depth, period=period, entry=entry, reports=section["reports"],
                    incomplete=_incomplete(runs[period]),
                    scope=section["label"], period_href=f"{depth}{period}/index.html", other_periods=others,
                    footer=footer)
                (out / entry["href"]).write_text(_mask_page(page), "utf-8")
                search.append({"u": entry["href"], "t": entry["title"] + (f" · {section['label']}" if section["label"] else ""),
                               "p": period_name(period, lang), "x": _page_text(entry["body"])})
        company = catalogue[period][None]["reports"]
        scopes = [dict(section, slug=slug, href=section["base"].split("/", 1)[1])
                  for slug, section in catalogue[period].items() if slug]
        files = [f for r in company for f in r["files"]]
        page = env.get_template("period.html.j2").render(**ctx_common, root="../", period=period, reports=company,
                                                          incomplete=_incomplete(runs[period]),
                                                          scopes=scopes, files=files, footer=footer)
        (out / period / "index.html").write_text(_mask_page(page), "utf-8")
        say(f"  {period}: {len(company)} page(s)" + (f" + {len(scopes)} scope(s)" if scopes else ""))
    latest = {p: catalogue[p][None]["reports"] for p in periods}
    front = front_period(periods)
    page = env.get_template("index.html.j2").render(**ctx_common, root="", latest=front, catalogue=latest,
                                                     overview=overview(front, latest, lang),
                                                     findings=top_findings(latest[front]),
                                                     footer=_footer(runs[front], params))
    (out / "index.html").write_text(_mask_page(page), "utf-8")
    page = env.get_template("search.html.j2").render(**ctx_common, root="", footer=None)
    (out / "search.html").write_text(page, "utf-8")
    index = json.dumps(search, ensure_ascii=False, separators=(",", ":"))
    (out / "assets" / "search-index.js").write_text(f"window.WB_SEARCH={mask_text(index)};\n", "utf-8")


def overview(period: str, catalogue: dict[str, list[dict]], language: str) -> list[dict]:
    """One row per headline figure of the period's reports: the value, its change against the previous
    period and the same period a year before (arrow, and good or bad in the direction that is good for the
    measure), and a sparkline of the last 12 periods of the same kind."""
    rows = []
    per_year = parse_period(period).per_year if is_period(period) else 12
    for entry in catalogue.get(period, []):
        for item in entry["headlines"]:
            value = item.get("value")
            history = []
            for back in range(11, -1, -1):
                earlier = shift(period, back)
                found = _headline(catalogue, earlier, entry["name"], item.get("key"))
                if found is not None and isinstance(found.get("value"), (int, float)):
                    history.append(float(found["value"]))
            rows.append({"report": entry["title"], "href": entry["href"], "label": item["label"], "text": item["text"],
                         "status": item.get("status", "ok"),
                         "previous": _delta(item, _headline(catalogue, shift(period, 1), entry["name"], item.get("key")),
                                            language),
                         "year": _delta(item, _headline(catalogue, shift(period, per_year), entry["name"],
                                                        item.get("key")), language),
                         "spark": sparkline(history) if isinstance(value, (int, float)) and len(history) > 1 else ""})
    return rows


def top_findings(entries: list[dict], most: int = 5) -> list[dict]:
    """The period's most important findings: each report's first, then each one's second, ... (report order)."""
    out: list[dict] = []
    depth = 0
    while len(out) < most and any(len(e.get("findings", [])) > depth for e in entries):
        for entry in entries:
            if len(entry.get("findings", [])) > depth and len(out) < most:
                out.append({"text": entry["findings"][depth], "report": entry["title"], "href": entry["href"]})
        depth += 1
    return out


def sparkline(values: list[float], width: int = 96, height: int = 24) -> str:
    """An inline SVG line of ``values`` (oldest first) with the last point marked; no script, no library."""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    points = [(round(i * step, 1), round(height - 2 - (v - low) / span * (height - 4), 1)) for i, v in enumerate(values)]
    path = " ".join(f"{x},{y}" for x, y in points)
    x, y = points[-1]
    return (f"<svg class='wb-spark' width='{width}' height='{height}' viewBox='0 0 {width} {height}' aria-hidden='true'>"
            f"<polyline fill='none' stroke='currentColor' stroke-width='1.5' points='{path}'/>"
            f"<circle cx='{x}' cy='{y}' r='2.2' fill='currentColor'/></svg>")


def shift(period: str, steps: int) -> str | None:
    """The label of the period ``steps`` periods of the same kind before ``period`` (a quarter's previous is
    the quarter before); None for a label that is not a period."""
    return parse_period(period).shift(steps).label if is_period(period) else None


def front_period(periods: list[str]) -> str:
    """The period the front page opens on: the latest month (the monthly report is what the department reads
    first), or the latest period when only quarters or years were run. ``periods`` newest first."""
    return next((p for p in periods if is_period(p) and parse_period(p).kind == "month"), periods[0])


def _headline(catalogue: dict[str, list[dict]], period: str | None, report: str, key: str | None) -> dict | None:
    if period is None or key is None:
        return None
    for entry in catalogue.get(period, []):
        if entry["name"] == report:
            for item in entry["headlines"]:
                if item.get("key") == key:
                    return item
    return None


def _delta(now: dict, before: dict | None, language: str) -> dict | None:
    """The change from ``before`` to ``now``: text with an arrow, and whether it is better, worse or neutral."""
    a, b = now.get("value"), (before or {}).get("value")
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return None
    diff = a - b
    if now.get("kind") == "percent":
        text = t("site.points", language, delta=f"{diff * 100:+.1f}")
    elif now.get("kind") == "money":
        text = f"{diff / b:+.1%}" if b else f"{diff:+,.0f}"
    else:
        digits = len(str(now.get("text", "")).split(".")[1]) if "." in str(now.get("text", "")) else 0
        text = f"{diff:+,.{digits}f}"
    arrow = "▲" if diff > 0 else "▼" if diff < 0 else "＝"
    better = now.get("better")
    tone = "neutral" if not better or diff == 0 else ("good" if (diff > 0) == (better == "up") else "bad")
    label = "" if tone == "neutral" else t("site.better" if tone == "good" else "site.worse", language)
    return {"text": f"{arrow} {text}", "tone": tone, "label": label}


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=True, lstrip_blocks=True)


def _exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, anchor_link_text="")
    remove = TagRemovePreprocessor(remove_cell_tags={"analyst-note", "parameters", "injected-parameters",
                                                     "remove-cell", "papermill-error-cell-tag"}, enabled=True)
    exporter.register_preprocessor(remove, enabled=True)
    return exporter


def _notebook_body(exporter, notebook) -> str:
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            # records for the site are not page content; stderr (warnings) is for the analyst, not the reader;
            # a cell's plain-text result (a repr) is program output, not a figure of the report
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not {HEADLINE_MIME, EXCEL_MIME, FINDINGS_MIME, NO_DATA_MIME} & set(o.get("data", {}))
                            and o.get("output_type") != "error"
                            and not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                            and not (o.get("output_type") == "execute_result" and set(o.get("data", {})) <= {"text/plain"})]
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _contents(body: str) -> list[dict]:
    """The page's sections (h2), each with its subsections (h3), for its contents box."""
    sections: list[dict] = []
    for level, anchor, text in _HEADING.findall(body):
        item = {"id": anchor, "text": html.unescape(_TAGS.sub("", text)).strip(), "children": []}
        if level == "3" and sections:
            sections[-1]["children"].append(item)
        else:
            sections.append(item)
    return sections


def _page_text(body: str, limit: int = 40_000) -> str:
    """The visible text of a page body, for the search index (images and markup left out)."""
    text = _DATA_URI.sub("", body)
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S)
    text = html.unescape(_TAGS.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()[:limit]


def _mask_page(page: str) -> str:
    """Mask phones, ID numbers and e-mail in the text of a page, leaving embedded images intact."""
    pieces, last = [], 0
    for m in _DATA_URI.finditer(page):
        pieces.append(mask_text(page[last:m.start()]))
        pieces.append(m.group(0))
        last = m.end()
    pieces.append(mask_text(page[last:]))
    return "".join(pieces)


def _footer(manifest: dict, params: Parameters) -> dict:
    params_hash = hashlib.sha256(json.dumps(manifest.get("parameters", {}), sort_keys=True).encode()).hexdigest()
    return {"finished_at": local_time(manifest.get("finished_at"), params.site.timezone),
            "git_commit": manifest.get("git_commit") or "—", "version": manifest.get("package_version"),
            "params": params_hash[:12], "seconds": f"{manifest.get('seconds') or 0:,.1f}",
            "inputs": [(info["file"], info["sha256"][:10]) for info in manifest.get("inputs", {}).values()]}


def local_time(stamp: str | None, timezone: str) -> str:
    """An ISO timestamp as 2026-11-08 06:02 in the company's time zone."""
    from zoneinfo import ZoneInfo

    if not stamp:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _outputs(notebook, mime: str) -> list[dict]:
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if mime in data:
                found.append(data[mime])
    return found


def _incomplete(manifest: dict) -> dict | None:
    """For a run made before its period ended (--allow-incomplete): the day its data stop being final."""
    if manifest.get("complete", True):
        return None
    return {"run": str(manifest.get("finished_at", ""))[:10], "as_of": manifest.get("as_of") or ""}


def _run_language(manifest: dict) -> str:
    return (manifest.get("parameters", {}).get("site") or {}).get("language", "zh-CN")


def _site_fingerprint(params: Parameters, runs: dict[str, dict]) -> str:
    """What the site is built from: every run's manifest, this package's site code, the site parameters."""
    digest = hashlib.sha256(json.dumps(runs, sort_keys=True, default=str).encode())
    for file in sorted([*HERE.rglob("*"), *(HERE.parent / "locales").glob("*.yaml"), HERE.parent / "i18n.py",
                        HERE.parent / "privacy.py"]):
        if file.is_file() and "__pycache__" not in file.parts:
            digest.update(file.read_bytes())
    digest.update(json.dumps([params.site.model_dump(), params.company.name, page_order(params)], default=str).encode())
    return digest.hexdigest()


def _check_offline(folder: Path) -> None:
    for page in [*folder.rglob("*.html"), *folder.rglob("*.js"), *folder.rglob("*.css")]:
        text = _DATA_URI.sub("", page.read_text("utf-8"))
        m = OUTSIDE_URL.search(text)
        if m:
            start = max(0, m.start() - 40)
            raise SiteError(f"{page.relative_to(folder)}: references an outside URL near "
                            f"{text[start:m.end() + 60]!r}. The intranet has no internet: remove it.")


# ----------------------------------------------------------------------------- quarto engine

def _build_quarto(params: Parameters, runs: dict[str, dict], out: Path, say) -> None:
    """Write a Quarto website project from the executed notebooks and render it with ``quarto``."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise SiteError("site.engine is quarto, but the quarto binary is not on PATH. Install Quarto on "
                        "this machine, or set site.engine: nbconvert in parameters (the built-in engine).")
    project = out.with_name(out.name + "-quarto")
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir()
    try:
        write_quarto_project(params, runs, project)
        say(f"  quarto render {project.name}")
        proc = subprocess.run([quarto, "render", str(project)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise SiteError(f"quarto render failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        rendered = project / "_site"
        if not (rendered / "index.html").is_file():
            raise SiteError(f"quarto render wrote no {rendered / 'index.html'}.")
        for item in rendered.iterdir():
            shutil.move(str(item), out / item.name)
        for page in out.rglob("*.html"):
            page.write_text(_mask_page(page.read_text("utf-8")), "utf-8")
    finally:
        shutil.rmtree(project, ignore_errors=True)


def write_quarto_project(params: Parameters, runs: dict[str, dict], project: Path) -> None:
    """Write ``_quarto.yml``, an index and the notebooks (outputs kept, records for the site removed)."""
    import nbformat

    lang = params.site.language
    periods = sorted(runs, key=period_sort_key, reverse=True)
    menu = []
    index_lines = [f"---\ntitle: \"{params.site.title}\"\nlang: {lang}\n---\n"]
    for period in periods:
        folder = params.root / "reports" / "runs" / runs[period].get("_folder", period)
        (project / period).mkdir()
        items = []
        index_lines.append(f"\n## {t('site.period_of', lang, period=period)}\n")
        for name in runs[period]["notebooks"]:
            src = folder / f"{name}.ipynb"
            if not src.is_file():
                continue
            notebook = nbformat.read(src, as_version=4)
            headlines = extract_headlines(notebook) or {"items": []}
            notebook.cells = [c for c in notebook.cells
                              if not set(c.metadata.get("tags", [])) & {"analyst-note", "parameters",
                                                                       "injected-parameters"}]
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    cell.outputs = [o for o in cell.get("outputs", [])
                                    if not {HEADLINE_MIME, EXCEL_MIME, FINDINGS_MIME} & set(o.get("data", {}))]
            notebook.cells.insert(0, nbformat.v4.new_raw_cell(
                f"---\ntitle: \"{report_title(name, lang)} · {period}\"\n---"))
            nbformat.write(notebook, project / period / f"{name}.ipynb")
            items.append({"text": report_title(name, lang), "href": f"{period}/{name}.ipynb"})
            figures = "; ".join(f"{html.escape(i['label'])}: {html.escape(str(i.get('text', i.get('value'))))}"
                                for i in headlines["items"])
            index_lines.append(f"- [{report_title(name, lang)}]({period}/{name}.ipynb) {figures}")
        menu.append({"text": period, "menu": items})
    config = {"project": {"type": "website", "output-dir": "_site"},
              "lang": lang,
              "website": {"title": params.site.title, "navbar": {"left": menu}},
              "format": {"html": {"echo": False, "code-fold": False, "html-math-method": "plain",
                                  "theme": "none", "minimal": True}},
              "execute": {"enabled": False}}
    (project / "_quarto.yml").write_text(json.dumps(config, ensure_ascii=False, indent=1), "utf-8")
    (project / "index.qmd").write_text("\n".join(index_lines) + "\n", "utf-8")
