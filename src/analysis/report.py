"""The page a notebook writes: headings, prose from catalogue keys, tables, figures, Excel lists, headline figures.

A notebook opens its page with one call, ``page = report.open_page("satisfaction", month, overrides,
output_dir)``, and then only calls package functions and hands their results to the page. The page is
the edge where canonical results meet the reader: it translates (``analysis.i18n``), formats numbers,
masks personal data and escapes everything that came from the data, once, at output. Prose is only
ever a catalogue key with values; text from the data is never a template or markup.
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as kinds
from .config import Parameters
from .i18n import MISSING, PERIOD_LABEL, format_date, join, localise, render, t, term
from .message import EXCEL_MIME, FINDINGS_MIME, HEADLINE_MIME, NO_DATA_MIME, Message  # noqa: F401
from .privacy import mask_personal, mask_text

#: rows of a long table shown on a page; the full table goes to the Excel list
DEFAULT_TOP = 20


def open_page(name: str, month: str | None = None, overrides: dict | None = None,
              output_dir: str | None = None) -> "Page":
    """Load and validate the parameters, apply the chart style, load the tables: the opening of every notebook.

    Parameters
    ----------
    name : the notebook (report) name, e.g. ``satisfaction``; Excel files written by the page start with it.
    month, overrides, output_dir : the notebook's parameters cell (see any notebook).
    """
    import analysis
    from .charts import use_style

    params = analysis.load_parameters(month=month, overrides=overrides)
    use_style()
    pd.set_option("display.max_columns", 50)
    page = Page(name, params, None, output_dir)
    page.catch_data_errors()
    page.tables = analysis.load_tables(params)
    return page


class Page:
    """Writes one report page in the parameters' language (``site.language``)."""

    def __init__(self, name: str, params: Parameters, tables=None, output_dir: str | None = None):
        self.name, self.params, self.tables = name, params, tables
        self.lang = params.site.language
        self.output_dir = output_dir
        # the company's names for coded values, and the report period (本月 / 本季度 / 本年度 in the texts)
        self.labels = {"dimension": dict(params.survey.dimension_labels), PERIOD_LABEL: params.period}
        self._ids: dict[str, int] = {}

    # ------------------------------------------------------------------ words
    def t(self, key: str, **values) -> str:
        """Plain text of a catalogue key (chart titles and axis labels)."""
        return render(Message(key, values), self.lang, self.labels)

    def term(self, vocabulary: str, code) -> str:
        """A coded value in the page's language (chart labels)."""
        return term(vocabulary, code, self.lang, self.labels)

    def terms(self, vocabulary: str, codes) -> list[str]:
        return [self.term(vocabulary, c) for c in codes]

    def localise(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Headers and coded values of a result table in the page's language (for charts)."""
        return localise(frame, self.lang, self.labels)

    def catch_data_errors(self) -> None:
        """In a kernel: a DataError that ends the notebook (the data cannot support this page) is shown as a
        note in the reader's language, recorded for the runner, and nothing after it runs."""
        from IPython import get_ipython

        from .errors import DataError

        shell = get_ipython()
        if shell is None:
            return

        def handler(_shell, _etype, value, _tb, tb_offset=None):
            from IPython.display import display

            reason = value.reason if getattr(value, "reason", None) is not None else Message.of(
                "page.not_enough", why=str(value))
            shown = getattr(value, "shown", False)
            if not shown:
                self.note(reason)
            display({NO_DATA_MIME: {"reason": render(reason, self.lang, self.labels)}}, raw=True)
            return [f"DataError: {value}"]

        shell.set_custom_exc((DataError,), handler)

    # ------------------------------------------------------------------ data
    def require(self, name: str):
        """The table ``name``; when it is absent (or cannot be restricted to this page's branch) the page says
        so in the reader's language, and the DataError ends the notebook: the site shows the page with that
        statement, and the run goes on."""
        from .errors import DataError

        try:
            return self.tables.require(name, f"The {self.name} page")
        except DataError as exc:
            if exc.reason is not None:
                self.note(exc.reason)
                exc.shown = True
            raise

    # ------------------------------------------------------------------ prose
    def heading(self, key: str, level: int = 2, **values) -> None:
        """A section heading (h2; h3 for a subsection); it also becomes an entry of the page's contents."""
        text = self.t(key, **values)
        slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
        self._ids[slug] = self._ids.get(slug, 0) + 1
        anchor = slug if self._ids[slug] == 1 else f"{slug}-{self._ids[slug]}"
        self._html(f"<h{level} id='{anchor}'>{_escape(text)}</h{level}>")

    def say(self, key: str, **values) -> None:
        """A paragraph: the catalogue text of ``key`` with ``values`` formatted, masked and escaped."""
        self.message(Message(key, values))

    def note(self, key: str | Message, **values) -> None:
        """A paragraph set apart: a caveat or a warning the reader must not miss (a catalogue key or a Message)."""
        message = key if isinstance(key, Message) else Message(key, values)
        self._html(f"<p class='wb-note'>{_escape(render(message, self.lang, self.labels))}</p>")

    def notes(self, messages: list[Message]) -> None:
        """Several warnings, each set apart (nothing when there are none)."""
        for message in messages:
            self.note(message)

    def message(self, message: Message | None) -> None:
        """A paragraph from a message an analysis wrote (nothing for None)."""
        if message is not None:
            self._html(f"<p>{_escape(render(message, self.lang, self.labels))}</p>")

    def attempt(self, function, *args, **kwargs):
        """``function(*args)``, or None with a note saying why the section is left out when the data is too thin.

        For optional sections (driver analysis, a model on a small branch): a DataError becomes a note in
        the reader's language (its ``reason`` message, else the page's generic note) instead of a failed page.
        """
        from .errors import DataError

        try:
            return function(*args, **kwargs)
        except DataError as exc:
            reason = exc.reason if exc.reason is not None else Message.of("page.not_enough", why=str(exc))
            self._html(f"<p class='wb-note'>{_escape(render(reason, self.lang, self.labels))}</p>")
            return None

    def bullets(self, messages: list[Message]) -> None:
        """A list of sentences (conclusions, findings)."""
        if messages:
            items = "".join(f"<li>{_escape(render(m, self.lang, self.labels))}</li>" for m in messages)
            self._html(f"<ul class='wb-findings'>{items}</ul>")

    # ------------------------------------------------------------------ tables and figures
    def table(self, frame: pd.DataFrame, caption: str | None = None, top: int | None = DEFAULT_TOP,
              index: bool = False, digits: int = 2, empty: str | None = None, **caption_values) -> None:
        """A result table: translated headers and codes, numbers formatted by column kind, free text masked.

        Long tables show their first ``top`` rows and say how many there are (the Excel list has them all).
        An empty table shows the catalogue text ``empty`` instead (nothing when None).
        """
        if frame is None or len(frame) == 0:
            if empty:
                self.say(empty, **caption_values)
            return
        if caption:
            self._html(f"<p class='wb-caption'>{_escape(self.t(caption, **caption_values))}</p>")
        self._html(table_html(frame, self.lang, self.labels, top=top, index=index, digits=digits))

    def figure(self, fig, alt: Message) -> None:
        """A chart as scalable SVG with an alt text that states its finding; the figure is closed."""
        import matplotlib.pyplot as plt

        from .charts import PHONE_WIDTH

        def svg() -> str:
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
            return base64.b64encode(buffer.getvalue()).decode()

        wide = svg()
        width, height = fig.get_size_inches()
        fig.set_size_inches(PHONE_WIDTH, max(height * PHONE_WIDTH / width * 1.25, 2.8))
        narrow = svg()
        plt.close(fig)
        text = _escape(render(alt, self.lang, self.labels))
        self._html(f"<figure class='wb-figure'><picture><source media='(max-width: 600px)' "
                   f"srcset='data:image/svg+xml;base64,{narrow}'><img src='data:image/svg+xml;base64,{wide}' "
                   f"alt='{text}'></picture><figcaption class='wb-alt'>{text}</figcaption></figure>")

    # ------------------------------------------------------------------ Excel lists and headlines
    def excel(self, file_key: str, sheets: dict[str, pd.DataFrame], customers: pd.DataFrame | None = None,
              fills: dict | None = None) -> Path:
        """Write an Excel list for the sales team into the run folder and link it from the page.

        ``sheets``: {sheet name: canonical frame}; a name is a catalogue key (``excel.sheet.capa``) or a
        value from the data (a consultant's name), made a valid sheet name by the writer.
        """
        from .excel import write_customer_lists

        titles = {(self.t(k) if k.startswith("excel.sheet.") else k): frame for k, frame in sheets.items()
                  if frame is not None}
        # a file name without spaces (links, e-mail attachments and command lines keep it whole)
        path = self.output_path(f"{self.name}_{'_'.join(self.t(file_key).split())}.xlsx")
        write_customer_lists(path, titles, customers, self.params, fills=fills)
        from IPython.display import display

        # the rows of the list itself (the first sheet); the other sheets (per rep, summaries) are named apart
        rows = len(next(iter(titles.values()))) if titles else 0
        more = self.t("page.excel_more", n=len(titles) - 1) if len(titles) > 1 else ""
        label = _escape(self.t("page.excel_link", name=self.t(file_key), rows=rows, more=more))
        self._html(f"<p class='wb-excel'><a href='{html.escape(path.name, quote=True)}' "
                   f"download>{label}</a></p>")
        display({EXCEL_MIME: {"file": path.name, "rows": rows, "sheets": {k: len(f) for k, f in titles.items()},
                              "label": self.t(file_key)}}, raw=True)
        return None  # nothing for the cell to print

    def output_path(self, filename: str) -> Path:
        """Where the page writes a file: the run folder under the runner, else reports/interactive/<month>/."""
        folder = Path(self.output_dir) if self.output_dir else self.params.root / "reports" / "interactive" / self.params.period
        folder.mkdir(parents=True, exist_ok=True)
        return folder / filename

    def headlines(self, items: list[dict]) -> None:
        """Record the page's headline figures for the site index.

        ``items``: [{"key": catalogue key of the label, "value": Percent(...) | Number(...) | Money(...),
        "status": "ok" | "warn" | "bad", "better": "up" | "down" (which direction is good)}]
        """
        from IPython.display import display

        from .i18n import format_value
        from .message import Money, Number, Percent

        clean = []
        for item in items:
            value = item["value"]
            raw = getattr(value, "value", value)
            raw = None if raw is None or (isinstance(raw, float) and np.isnan(raw)) else (
                raw.item() if hasattr(raw, "item") else raw)
            kind = ("percent" if isinstance(value, Percent) else "money" if isinstance(value, Money)
                    else "number" if isinstance(value, Number) else "text")
            clean.append({"key": item["key"], "label": self.t(item["key"]), "value": raw, "kind": kind,
                          "text": format_value(value, self.lang, self.labels), "status": item.get("status", "ok"),
                          "better": item.get("better")})
        display({HEADLINE_MIME: {"report": self.name, "items": clean}}, raw=True)

    def findings(self, messages: list[Message | None]) -> None:
        """Record the page's most important findings (most important first) for the site's front page."""
        from IPython.display import display

        texts = [render(m, self.lang, self.labels) for m in messages if m is not None]
        display({FINDINGS_MIME: {"report": self.name, "items": [mask_text(x) for x in texts]}}, raw=True)

    # ------------------------------------------------------------------ internals
    def _html(self, markup: str) -> None:
        from IPython.display import HTML, display

        display(HTML(markup))


def table_html(frame: pd.DataFrame, language: str, labels: dict | None = None, top: int | None = DEFAULT_TOP,
               index: bool = False, digits: int = 2) -> str:
    """The HTML of a result table as shown on a page (see :meth:`Page.table`)."""
    total = len(frame)
    shown = frame.head(top) if top else frame
    if index:
        shown = shown.reset_index()
    shown = mask_personal(shown, [])
    canonical = list(shown.columns)
    readable = localise(shown, language, labels)
    head = []
    for column, header in zip(canonical, readable.columns):
        if kinds.kind(column) == "money":
            header = t("language.money_header", language, header=header)
        head.append(f"<th scope='col'>{_escape(str(header))}</th>")
    body = []
    for values, raw_values in zip(readable.itertuples(index=False, name=None),
                                  shown.itertuples(index=False, name=None)):
        cells = []
        for column, value, raw in zip(canonical, values, raw_values):
            text, sort = format_cell(value, kinds.kind(column), digits, language)
            numeric = sort is not None
            attrs = f" data-sort='{sort}' class='num'" if numeric else (" class='text'" if len(text) > 16 else "")
            cells.append(f"<td{attrs}>{_escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if top and total > top:
        note = f"<p class='wb-more'>{_escape(t('page.shown_rows', language, total=total, shown=top))}</p>"
    return (f"<div class='wb-scroll'><table class='wb-table' data-rows='{total}'><thead><tr>{''.join(head)}"
            f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>{note}")


def format_cell(value, kind: str | None, digits: int = 2, language: str = "zh-CN") -> tuple[str, str | None]:
    """A cell as shown and, for numbers, the value to sort by."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return MISSING, None
    if isinstance(value, (list, tuple)):
        return join([str(v) for v in value], language), None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return format_date(value), str(pd.Timestamp(value).value)
    if isinstance(value, (bool, np.bool_)):
        return t(f"value.{str(bool(value)).lower()}", language), None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if kind == "percent":
            return f"{number:.{kinds.DIGITS['percent']}%}", repr(number)
        if kind is not None:
            places = kinds.DIGITS[kind]
            return (f"{round(number):,}" if places == 0 else f"{number:,.{places}f}"), repr(number)
        if isinstance(value, (int, np.integer)) or number.is_integer():
            return f"{int(number):,}", repr(number)
        return f"{number:,.{digits}f}", repr(number)
    return str(value), None


def _escape(text: str) -> str:
    """Mask personal data, then escape for HTML: the one place text reaches a page."""
    return html.escape(mask_text(str(text)), quote=True)


def percent(value, digits: int = 1) -> str:
    """0.873 -> '87.3%' ('—' for a missing value)."""
    return MISSING if value is None or pd.isna(value) else f"{value:.{digits}%}"
