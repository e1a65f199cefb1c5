"""What no page of the site may show a reader: program output, blanks as NaN/None, words of the other language.

Used by tests/test_site.py on a zh-CN site, an en site and a branch run.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")
TAGS = re.compile(r"<[^>]+>")
#: program output a reader must never see
RAW = re.compile(r"PosixPath\(|WindowsPath\(|<bound method|object at 0x|Traceback \(most recent|\bdtype: |"
                 r"Timestamp\(|np\.float|numpy\.|array\(\[|\bDataFrame\b|\bSeries\(|\bKeyError\b|\{[a-z_]+\}")
#: blanks written by a program instead of "—"
BLANK = re.compile(r"(?<![\w-])(NaN|nan|None|NaT|<NA>|null|undefined)(?![\w-])")
DEFAULT_ALT = "No description has been provided for this image"
#: Latin words a Chinese page may show: method names, acronyms and the name of a program
ZH_ALLOWED = {"ROC", "AUC", "CAPA", "Brier", "Welch", "Kaplan", "Meier", "Excel", "Cohen", "KB", "MB", "GB", "OH",
              "Kendall"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def visible_text(page: str) -> str:
    """The text of a page as a reader sees it (markup, scripts, styles and embedded images left out)."""
    text = DATA_URI.sub(" ", page)
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S)
    text = TAGS.sub(" ", text)
    return html.unescape(text)


def alt_texts(page: str) -> list[str | None]:
    """The alt attribute of every image (None where an image has none)."""
    out = []
    for tag in re.findall(r"<img\b[^>]*>", DATA_URI.sub("data:", page)):
        m = re.search(r"""\balt=(["'])(.*?)\1""", tag, re.S)
        out.append(html.unescape(m.group(2)) if m else None)
    return out


def check_page(page: str, language: str, data_text: str = "") -> list[str]:
    """Problems of one page; ``data_text`` holds the text values of the data (names a page may show as they are)."""
    problems = []
    text = visible_text(page)
    for pattern, what in ((RAW, "program output"), (BLANK, "a blank shown as a program writes it")):
        for m in pattern.finditer(text):
            problems.append(f"{what}: …{text[max(0, m.start() - 30):m.end() + 30].strip()}…")
    for alt in alt_texts(page):
        if not alt or not alt.strip() or alt.strip() == DEFAULT_ALT:
            problems.append(f"an image without an alt text stating its finding: {alt!r}")
    if language == "zh-CN":
        for word in re.findall(r"(?<![\w.@/-])[A-Za-z][A-Za-z_]{2,}(?![\w@/-])", text):  # path segments are names
            if re.fullmatch(r"[0-9a-f]{7,}", word):
                continue  # a hash in the run footer (input files, parameters, commit), not a word
            if ("_" in word or word not in ZH_ALLOWED) and word not in data_text:
                problems.append(f"a Latin word on a Chinese page: {word!r}")
    else:
        for run in CJK.findall(text):
            if run.strip("　、，。：；（）") and run not in data_text:
                problems.append(f"Chinese on an {language} page outside names from the data: {run!r}")
    return problems


def check_site(site: Path, language: str, data_text: str = "") -> list[str]:
    """Problems of every page of a site, each prefixed with the page."""
    problems = []
    for path in sorted(site.rglob("*.html")):
        for problem in check_page(path.read_text("utf-8"), language, data_text):
            problems.append(f"{path.relative_to(site)}: {problem}")
    return problems


def data_text(params, tables) -> str:
    """Every text value of the loaded tables and the parameters, joined: names a page may show as they are."""
    import pandas as pd

    values: set[str] = set()
    for name in tables.names:
        frame = tables[name]
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                values.update(str(v) for v in frame[column].dropna().unique())

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                values.add(str(key))
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            values.add(node)

    for info in tables.report.tables.values():  # the files' own headers and names
        values.update(str(h) for h in info.columns)
        values.update({info.file, str(info.sheet)})
    walk(params.model_dump(mode="json"))
    return "\x00".join(sorted(values))
