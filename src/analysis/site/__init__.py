"""Site: the executed notebooks of every run become a static, offline HTML site in reports/site/."""

from __future__ import annotations

import copy
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
from ..config import Parameters
from ..errors import SiteError
from ..i18n import t
from ..privacy import mask_text
from ..report import HEADLINE_MIME
from ..runner import completed_runs

HERE = Path(__file__).parent
#: an outside reference: http(s)://, protocol-relative //host, in src/href/url()
OUTSIDE_URL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
                         re.IGNORECASE)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


def build_site(params: Parameters, progress: Callable[[str], None] | None = None) -> Path:
    """Build ``reports/site/`` from every good run in ``reports/runs/``, then swap it in atomically.

    Returns the site folder. Raises SiteError when there is no run, when the chosen
    engine is unavailable, or when a page would reference an outside URL.
    """
    say = progress or (lambda _m: None)
    runs = completed_runs(params.root)
    if not runs:
        raise SiteError(f"{params.root / 'reports' / 'runs'}: no completed run to build a site from. "
                        "Run `workbench run` first.")
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
    say(f"site built: {len(runs)} month(s) in {time.perf_counter() - started:.1f}s")
    return final


def _site_fingerprint(params: Parameters, runs: dict[str, dict]) -> str:
    """What the site is built from: every run's manifest, this package's site code, the site parameters."""
    digest = hashlib.sha256(json.dumps(runs, sort_keys=True, default=str).encode())
    for file in sorted([*HERE.rglob("*"), HERE.parent / "i18n.py", HERE.parent / "privacy.py"]):
        if file.is_file() and "__pycache__" not in file.parts:
            digest.update(file.read_bytes())
    digest.update(json.dumps([params.site.model_dump(), params.company.name], default=str).encode())
    return digest.hexdigest()


def report_title(name: str, language: str) -> str:
    try:
        return t(f"report.{name}", language)
    except KeyError:
        return name.replace("_", " ").title()


def extract_headlines(notebook) -> dict | None:
    """The headline figures a notebook recorded with ``report.record_headlines`` (None if none)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if HEADLINE_MIME in data:
                return data[HEADLINE_MIME]
    return None


def format_headline(item: dict) -> str:
    value = item["value"]
    try:
        return item.get("format", "{}").format(value)
    except (ValueError, TypeError):
        return str(value)


# ----------------------------------------------------------------------------- nbconvert engine

def _build_nbconvert(params: Parameters, runs: dict[str, dict], out: Path, say) -> None:

    import nbformat
    lang = params.site.language
    env = _environment()
    (out / "assets").mkdir()
    for asset in (HERE / "assets").iterdir():
        shutil.copy2(asset, out / "assets" / asset.name)
    months = sorted(runs, reverse=True)
    exporter = _exporter()
    # sections of a month: the whole company (slug None), then each scope (branch, region) of the run
    catalogue: dict[str, dict[str | None, dict]] = {}
    for month in months:
        manifest = runs[month]
        folder = params.root / "reports" / "runs" / month
        sections = {None: {"label": None, "folder": folder, "notebooks": manifest["notebooks"]}}
        for slug, scope in manifest.get("scopes", {}).items():
            sections[slug] = {"label": scope["value"], "folder": folder / "scopes" / slug, "notebooks": scope["notebooks"]}
        catalogue[month] = {}
        for slug, section in sections.items():
            base = f"{month}/{slug}" if slug else month
            (out / base).mkdir(parents=True, exist_ok=True)
            entries = []
            for name, info in section["notebooks"].items():
                path = section["folder"] / f"{name}.ipynb"
                if not path.is_file():
                    continue
                notebook = nbformat.read(path, as_version=4)
                headlines = extract_headlines(notebook)
                if info.get("outcome") == "no_data":
                    why = (info.get("error") or "").removeprefix("DataError: ")
                    body = f"<p class='wb-nodata'>{html.escape(t('site.no_data', lang))}</p><p>{html.escape(why)}</p>"
                else:
                    body = _notebook_body(exporter, notebook)
                entries.append({"name": name, "title": report_title(name, lang), "href": f"{base}/{name}.html",
                                "headlines": [dict(i, text=format_headline(i))
                                              for i in (headlines or {}).get("items", [])],
                                "body": body, "seconds": info.get("seconds", 0), "outcome": info.get("outcome")})
            catalogue[month][slug] = {"label": section["label"], "base": base, "reports": entries}
    ctx_common = {"lang": lang, "t": lambda key, **kw: t(key, lang, **kw), "title": params.site.title,
                  "company": params.company.name, "months": months, "version": __version__}
    for month in months:
        footer = _footer(runs[month])
        for slug, section in catalogue[month].items():
            depth = "../../" if slug else "../"
            for entry in section["reports"]:
                others = [(m, f"{depth}{catalogue[m][slug]['base']}/{entry['name']}.html") for m in months
                          if slug in catalogue[m] and any(e["name"] == entry["name"] for e in catalogue[m][slug]["reports"])]
                page = env.get_template("page.html.j2").render(
                    **ctx_common, root=depth, month=month, entry=entry, reports=section["reports"],
                    scope=section["label"], month_href="../index.html" if slug else "index.html",
                    other_months=others, footer=footer)
                (out / entry["href"]).write_text(_mask_page(page), "utf-8")
        company = catalogue[month][None]["reports"]
        scopes = [dict(section, slug=slug) for slug, section in catalogue[month].items() if slug]
        page = env.get_template("month.html.j2").render(**ctx_common, root="../", month=month, reports=company,
                                                         scopes=scopes, footer=footer)
        (out / month / "index.html").write_text(_mask_page(page), "utf-8")
        say(f"  {month}: {len(company)} page(s)" + (f" + {len(scopes)} scope(s)" if scopes else ""))
    latest = {m: catalogue[m][None]["reports"] for m in months}
    page = env.get_template("index.html.j2").render(**ctx_common, root="", latest=months[0],
                                                     catalogue=latest, footer=_footer(runs[months[0]]))
    (out / "index.html").write_text(_mask_page(page), "utf-8")


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=True, lstrip_blocks=True)


def _exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, anchor_link_text="")
    remove = TagRemovePreprocessor(remove_cell_tags={"analyst-note", "parameters", "injected-parameters",
                                                     "remove-cell"}, enabled=True)
    exporter.register_preprocessor(remove, enabled=True)
    return exporter


def _notebook_body(exporter, notebook) -> str:
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            # the headline record is for the index; stderr (warnings) is for the analyst, not the reader
            cell.outputs = [o for o in cell.get("outputs", [])
                            if HEADLINE_MIME not in o.get("data", {})
                            and not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _mask_page(page: str) -> str:
    """Mask phones, ID numbers and e-mail in the text of a page, leaving embedded images intact."""
    pieces, last = [], 0
    for m in _DATA_URI.finditer(page):
        pieces.append(mask_text(page[last:m.start()]))
        pieces.append(m.group(0))
        last = m.end()
    pieces.append(mask_text(page[last:]))
    return "".join(pieces)


def _footer(manifest: dict) -> dict:
    params_hash = hashlib.sha256(json.dumps(manifest.get("parameters", {}), sort_keys=True).encode()).hexdigest()
    return {"finished_at": manifest.get("finished_at"), "git_commit": manifest.get("git_commit") or "—",
            "version": manifest.get("package_version"), "params": params_hash[:12],
            "seconds": manifest.get("seconds"),
            "inputs": [(info["file"], info["sha256"][:10]) for info in manifest.get("inputs", {}).values()]}


def _check_offline(folder: Path) -> None:
    for page in folder.rglob("*.html"):
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
    """Write ``_quarto.yml``, an index and the notebooks (outputs kept, headline records removed)."""
    import nbformat

    lang = params.site.language
    months = sorted(runs, reverse=True)
    menu = []
    index_lines = [f"---\ntitle: \"{params.site.title}\"\nlang: {lang}\n---\n"]
    for month in months:
        folder = params.root / "reports" / "runs" / month
        (project / month).mkdir()
        items = []
        index_lines.append(f"\n## {t('site.month_of', lang, month=month)}\n")
        for name in runs[month]["notebooks"]:
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
                    cell.outputs = [o for o in cell.get("outputs", []) if HEADLINE_MIME not in o.get("data", {})]
            notebook.cells.insert(0, nbformat.v4.new_raw_cell(
                f"---\ntitle: \"{report_title(name, lang)} · {month}\"\n---"))
            nbformat.write(notebook, project / month / f"{name}.ipynb")
            items.append({"text": report_title(name, lang), "href": f"{month}/{name}.ipynb"})
            figures = "; ".join(f"{html.escape(i['label'])}: {html.escape(format_headline(i))}"
                                for i in headlines["items"])
            index_lines.append(f"- [{report_title(name, lang)}]({month}/{name}.ipynb) {figures}")
        menu.append({"text": month, "menu": items})
    config = {"project": {"type": "website", "output-dir": "_site"},
              "lang": lang,
              "website": {"title": params.site.title, "navbar": {"left": menu}},
              "format": {"html": {"echo": False, "code-fold": False, "html-math-method": "plain",
                                  "theme": "none", "minimal": True}},
              "execute": {"enabled": False}}
    (project / "_quarto.yml").write_text(json.dumps(config, ensure_ascii=False, indent=1), "utf-8")
    (project / "index.qmd").write_text("\n".join(index_lines) + "\n", "utf-8")
