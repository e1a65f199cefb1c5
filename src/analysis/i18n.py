"""Localisation at the edge: message catalogues (``locales/<language>.yaml``) behind one lookup.

Analyses return canonical column names, coded values and :class:`~analysis.message.Message`
objects; only the page and the Excel writer turn them into the reader's language, through
:func:`t`, :func:`render` and :func:`localise`. Adding a language is adding a catalogue file.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from pathlib import Path
from typing import Any

from .message import Listing, Message, Money, Number, Percent, Term, Terms

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "zh-CN"

#: result columns whose values are codes of a vocabulary (``value.<vocabulary>.<code>`` in the catalogues);
#: "column" means the values are themselves column names (``column.<code>``)
COLUMN_VOCABULARY = {
    "dimension": "dimension", "category": "complaint_category", "categories": "complaint_category",
    "severity": "severity", "channel": "channel", "visit_type": "visit_type", "stage": "stage",
    "status": "lead_status", "event_type": "event_type", "sales_model": "sales_model", "band": "band",
    "capa_reason": "capa_reason", "quadrant": "quadrant", "model": "model_kind", "action_segment": "action_segment",
    "change": "grade_change", "grade": "grade", "grade_before": "grade", "model_grade": "grade",
    "method": "grading_method", "criterion": "criterion", "criteria": "criterion", "feature": "feature",
    "signal": "feature", "factors": "feature", "reasons": "feature", "freshness": "freshness",
    "table_status": "table_status", "table": "table", "check": "check", "kind": "severity_kind",
    "needed_by": "report", "breakdown": "column", "follow_status": "follow_status",
    "priority": "requirement_priority", "decision": "decision", "requirement_status": "requirement_status",
    "delivery_outcome": "delivery_outcome", "project_action": "project_action", "cadence_reason": "cadence_reason",
    "segment": "segment", "grouping": "grouping", "field": "field", "age_bucket": "age_bucket",
}
MISSING = "—"


class CatalogueError(KeyError):
    """A key is not in the message catalogue of a language."""

    def __str__(self) -> str:  # KeyError quotes its argument; this is a sentence
        return str(self.args[0])


def languages() -> tuple[str, ...]:
    """The languages a report can be written in: one per catalogue file."""
    return tuple(sorted(p.stem for p in LOCALES.glob("*.yaml")))


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """Every text of ``language`` by dotted key (``site.archive``, ``value.channel.referral``)."""
    import yaml

    path = LOCALES / f"{language}.yaml"
    if not path.is_file():
        raise CatalogueError(f"no message catalogue for language {language!r}; the languages are "
                             f"{', '.join(languages())} (one file each in {LOCALES})")
    flat: dict[str, str] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            flat[prefix] = "" if node is None else str(node)

    walk("", yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    return flat


def has(key: str, language: str = DEFAULT_LANGUAGE) -> bool:
    return key in catalogue(language)


def t(key: str, language: str = DEFAULT_LANGUAGE, **values) -> str:
    """The text of ``key`` in ``language``, its ``{fields}`` filled with ``values`` formatted for reading."""
    try:
        text = catalogue(language)[key]
    except KeyError:
        raise CatalogueError(f"the message catalogue {language}.yaml has no key {key!r}; add it to every file "
                             f"in {LOCALES}") from None
    if not values:
        return text
    return text.format_map({name: format_value(value, language) for name, value in values.items()})


def term(vocabulary: str, code, language: str = DEFAULT_LANGUAGE, labels: dict | None = None) -> str:
    """A coded value in ``language``; a code the catalogue does not know (text from the data) is returned as it is.

    ``labels``: {vocabulary: {code: label}} names the company gave, e.g. survey.dimension_labels.
    """
    import pandas as pd  # lazily: the parameters' language check must not load pandas
    if code is None or (isinstance(code, float) and math.isnan(code)) or code is pd.NA:
        return MISSING
    code = str(code)
    custom = (labels or {}).get(vocabulary, {})
    if code in custom:
        return str(custom[code])
    key = f"column.{code}" if vocabulary == "column" else f"value.{vocabulary}.{code}"
    return catalogue(language).get(key, code)


#: the key of ``labels`` that carries the report period's label, for ``{this_period}`` in the texts
PERIOD_LABEL = "_period"


def render(message: Message, language: str = DEFAULT_LANGUAGE, labels: dict | None = None) -> str:
    """A :class:`Message` as text in ``language``. ``{this_period}`` in a text is 本月 / 本季度 / 本年度 (this
    month, quarter, year) and ``{previous_period}`` 上月 / 上季度 / 上年, after the report period in ``labels``
    (a month when none is given)."""
    values = {name: format_value(value, language, labels) for name, value in message.values.items()}
    text = catalogue(language).get(message.key, "")
    for name in ("this_period", "previous_period"):
        if "{" + name + "}" in text:
            values.setdefault(name, relative_period(name, (labels or {}).get(PERIOD_LABEL), language))
    return t(message.key, language, **values) if values else t(message.key, language)


def format_value(value, language: str = DEFAULT_LANGUAGE, labels: dict | None = None) -> str:
    """One value as a reader sees it: 1,234 · 87.3% · 2026-10-31 · a translated code · — for a blank."""
    import pandas as pd  # lazily: the parameters' language check must not load pandas
    if isinstance(value, Message):
        return render(value, language, labels)
    if isinstance(value, Percent):
        return MISSING if _blank(value.value) else f"{value.value:.{value.digits}%}"
    if isinstance(value, Number):
        return MISSING if _blank(value.value) else f"{value.value:,.{value.digits}f}"
    if isinstance(value, Money):
        return MISSING if _blank(value.value) else money(value.value, language)
    if isinstance(value, Term):
        return term(value.vocabulary, value.code, language, labels)
    if isinstance(value, Terms):
        return join([term(value.vocabulary, c, language, labels) for c in value.codes], language)
    if isinstance(value, Listing):
        return join([format_value(v, language, labels) for v in value.items], language)
    if _blank(value):
        return MISSING
    if isinstance(value, bool):
        return t(f"value.{str(value).lower()}", language)
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value, "dtype").kind in "iu"):
        return f"{int(value):,}"
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value, "dtype").kind == "f"):
        return f"{float(value):,.2f}"
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return format_date(value)
    return str(value)


def money(amount: float, language: str = DEFAULT_LANGUAGE) -> str:
    """12345.6 -> '12,346 元' (zh-CN) or 'CNY 12,346' (en)."""
    return t("language.money", language).format(amount=f"{amount:,.0f}")


def format_date(value) -> str:
    """2026-10-31, or 2026-10-31 14:05 when there is a time of day."""
    import pandas as pd  # lazily: the parameters' language check must not load pandas
    stamp = pd.Timestamp(value)
    if stamp.hour or stamp.minute:
        return stamp.strftime("%Y-%m-%d %H:%M")
    return stamp.strftime("%Y-%m-%d")


def period_name(label: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A report period as a reader names it: 2026年10月 · 2026年第3季度 · 2026年度 (zh-CN);
    October 2026 · Q3 2026 · Year 2026 (en). A label that is not a period is returned as it is."""
    import calendar

    from .periods import is_period, parse_period

    if not is_period(label):
        return str(label)
    period = parse_period(label)
    return t(f"language.period.{period.kind}", language, year=str(period.year), month=str(period.number),
             month_name=calendar.month_name[period.number] if period.kind == "month" else "",
             quarter=str(period.number))


def relative_period(which: str, label: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """``which`` = this_period: 本月 / 本季度 / 本年度; previous_period: 上月 / 上季度 / 上年, after the kind of
    the report period ``label`` (a month when None)."""
    from .periods import is_period, parse_period

    kind = parse_period(label).kind if label and is_period(label) else "month"
    return t(f"language.{which}.{kind}", language)


def join(items: list[str], language: str = DEFAULT_LANGUAGE) -> str:
    """Items joined as a list: 品质、交期 (zh-CN), quality, delivery (en); 无/none when empty."""
    return t("language.list_separator", language).join(items) if items else t("language.none", language)


def localise(frame: pd.DataFrame, language: str = DEFAULT_LANGUAGE, labels: dict | None = None) -> pd.DataFrame:
    """A copy of a canonical result table for readers: headers, coded values and yes/no in ``language``.

    Numbers stay numbers (the page and the Excel writer format them); text from the data stays as it is.
    Serves both the pages and the Excel lists.
    """
    import pandas as pd  # lazily: the parameters' language check must not load pandas
    out = frame.copy()
    for col in out.columns:
        vocabulary = COLUMN_VOCABULARY.get(str(col))
        values = out[col]
        if values.dtype == bool or str(values.dtype) == "boolean":
            out[col] = map_distinct(values, lambda v: MISSING if _blank(v)
                                   else t(f"value.{str(bool(v)).lower()}", language))
        elif vocabulary and not pd.api.types.is_numeric_dtype(values):
            out[col] = map_distinct(values, lambda v: _term_or_list(vocabulary, v, language, labels))
    codes = COLUMN_VOCABULARY.get(str(out.columns.name))  # a cross table: its columns are codes
    names = catalogue(language)
    out.columns = [term(codes, c, language, labels)
                   if codes and (f"value.{codes}.{c}" in names or str(c) in (labels or {}).get(codes, {}))
                   else column_header(c, language) for c in out.columns]
    if out.index.name is not None:
        vocabulary = COLUMN_VOCABULARY.get(str(out.index.name))
        if vocabulary:
            out.index = [term(vocabulary, v, language, labels) for v in out.index]
            out.index.name = column_header(frame.index.name, language)
        else:
            out.index.name = column_header(out.index.name, language)
    return out


def map_distinct(values, translate):
    """``values.map(translate)`` computed once per distinct value (a 470,000-row list has a handful of codes),
    as an object column; values that cannot be hashed (lists of codes) are translated one by one."""
    import numpy as np
    import pandas as pd
    if values.dtype == object and _may_hold_booleans(values):
        return values.map(translate).astype(object)  # factorize would take True for 1 and False for 0
    try:
        positions, distinct = pd.factorize(values, use_na_sentinel=True)
    except TypeError:
        return values.map(translate).astype(object)
    shown = np.empty(len(distinct) + 1, dtype=object)
    shown[:len(distinct)] = [translate(v) for v in distinct]
    blanks = positions == -1
    shown[-1] = translate(values[blanks].iloc[0]) if blanks.any() else None
    return pd.Series(shown[positions], index=values.index, name=values.name, dtype=object)


def _may_hold_booleans(values) -> bool:
    """True when an object column holds a bool (told by pandas' C type inference first: a column of text,
    the usual case, is not scanned in Python)."""
    import numpy as np
    import pandas as pd
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "boolean":
        return True
    return inferred.startswith("mixed") and any(isinstance(v, (bool, np.bool_)) for v in values)


def column_header(column, language: str = DEFAULT_LANGUAGE) -> str:
    """The header of a canonical column; a column the catalogue does not know keeps its name."""
    return catalogue(language).get(f"column.{column}", str(column))


def _term_or_list(vocabulary: str, value, language: str, labels) -> str:
    if isinstance(value, (list, tuple)):
        return join([term(vocabulary, v, language, labels) for v in value], language)
    return term(vocabulary, value, language, labels)


def _blank(value) -> bool:
    import pandas as pd  # lazily: the parameters' language check must not load pandas
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value)) or (
            hasattr(value, "dtype") and pd.isna(value))
    except (TypeError, ValueError):
        return False
