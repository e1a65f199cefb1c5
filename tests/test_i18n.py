"""The localisation layer: catalogues complete and used, analyses free of it, localise() for pages and Excel."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import i18n
from analysis.i18n import COLUMN_VOCABULARY, catalogue, languages, localise, render, t
from analysis.message import Listing, Message, Money, Number, Percent, Term, Terms

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
NAMESPACES = ("language", "site", "page", "dq", "sat", "churn", "grade", "lead", "req", "sales", "excel", "column",
              "value")
LITERAL = re.compile(r"""['"]((?:%s)\.[A-Za-z0-9_.]+)['"]""" % "|".join(NAMESPACES))
PREFIX = re.compile(r"""f['"]((?:%s)\.[A-Za-z0-9_.]*)\{""" % "|".join(NAMESPACES))


def _sources() -> list[tuple[str, str]]:
    """(file, text) of every place that can use a catalogue key: package code, templates, notebooks."""
    out = [(str(p), p.read_text("utf-8")) for p in PACKAGE.rglob("*.py")]
    out += [(str(p), p.read_text("utf-8")) for p in (PACKAGE / "site" / "templates").glob("*.j2")]
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text("utf-8"))["cells"]
        out.append((str(nb), "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")))
    return out


def _is_parameter_path(text: str) -> bool:
    """'site.language', 'churn.horizon_days': a parameter's key path, not a catalogue key."""
    from analysis.config import Parameters

    model = Parameters
    for part in text.split("."):
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return False
        annotation = fields[part].annotation
        model = annotation if isinstance(annotation, type) else None
        if model is None:
            return True
    return True


def test_every_language_has_the_same_keys():
    reference = set(catalogue(i18n.DEFAULT_LANGUAGE))
    assert len(languages()) >= 2
    for language in languages():
        keys = set(catalogue(language))
        assert keys - reference == set(), f"{language}.yaml has keys the default lacks"
        assert reference - keys == set(), f"{language}.yaml lacks {sorted(reference - keys)[:10]}"
        assert all(catalogue(language)[k].strip() for k in keys), f"{language}.yaml has empty texts"


def test_every_key_the_code_uses_is_in_the_catalogues():
    keys = set(catalogue(i18n.DEFAULT_LANGUAGE))
    missing = []
    for file, text in _sources():
        for key in LITERAL.findall(text):
            if key.endswith((".j2", ".html", ".py", ".yaml", ".json", ".xlsx", ".css", ".js")):
                continue  # a file name
            if key.endswith("."):  # a prefix, as in key.startswith("excel.sheet.")
                if not any(k.startswith(key) for k in keys):
                    missing.append(f"{Path(file).name}: {key}...")
            elif key not in keys and not _is_parameter_path(key):
                missing.append(f"{Path(file).name}: {key}")
        for prefix in PREFIX.findall(text):
            if not any(k.startswith(prefix) for k in keys):
                missing.append(f"{Path(file).name}: {prefix}...")
    assert missing == []


def test_no_catalogue_key_is_unused():
    from analysis.data import schema

    code = "\n".join(text for _, text in _sources())
    literals = set(re.findall(r"""['"]([A-Za-z0-9_ ]+)['"]""", code))
    literals |= {c.name for table in schema.TABLES.values() for c in table.columns}
    prefixes = PREFIX.findall(code)
    vocabularies = set(COLUMN_VOCABULARY.values()) | set(re.findall(r"""Terms?\(\s*['"](\w+)['"]""", code)) \
        | set(re.findall(r"""\.terms?\(\s*['"](\w+)['"]""", code))
    unused = []
    for key in catalogue(i18n.DEFAULT_LANGUAGE):
        parts = key.split(".")
        if key in ("value.true", "value.false") or parts[0] == "language":
            continue
        if parts[0] == "column":
            used = parts[1] in literals
        elif parts[0] == "value":
            used = parts[1] in vocabularies and parts[2] in literals
        else:
            used = f"'{key}'" in code or f'"{key}"' in code or any(key.startswith(p) for p in prefixes)
        if not used:
            unused.append(key)
    assert unused == []


def test_analyses_never_import_the_localisation_layer():
    pure = ["satisfaction", "complaints", "leads", "churn", "grading", "modeling", "quality", "requirements",
            "workdays", "returns", "cadence"]
    offenders = [name for name in pure if re.search(r"\bi18n\b", (PACKAGE / f"{name}.py").read_text("utf-8"))]
    offenders += [p.name for p in (PACKAGE / "data").glob("*.py") if re.search(r"\bi18n\b", p.read_text("utf-8"))]
    assert offenders == []



def test_every_data_error_an_analysis_raises_has_a_message_for_the_page():
    """A DataError raised while a page is built becomes the page's note: without a catalogue message the
    note would quote the English text on a Chinese page (seen: the driver analysis on a small branch)."""
    import ast

    loading = {"data", "config.py", "cli.py", "runner.py", "site", "publish.py", "errors.py", "_files.py"}
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] in loading:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                    and getattr(node.exc.func, "id", None) == "DataError"
                    and not any(k.arg == "reason" for k in node.exc.keywords)):
                missing.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert missing == []

def test_adding_a_language_is_adding_a_file(tmp_path, monkeypatch):
    from analysis.config import Parameters

    for path in i18n.LOCALES.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(i18n.LOCALES / "en.yaml", tmp_path / "en-GB.yaml")
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        assert "en-GB" in languages()
        assert Parameters.model_validate({"site": {"language": "en-GB"}}).site.language == "en-GB"
        assert t("site.home", "en-GB") == "Home"
    finally:
        i18n.catalogue.cache_clear()
    with pytest.raises(Exception, match="must be one of"):
        Parameters.model_validate({"site": {"language": "fr"}})


def test_messages_render_typed_values_for_each_language():
    # 0.8734 is a share: 87.3%; 12345.6 is money: 12,346 元 / CNY 12,346; referral is a code of the channel vocabulary
    message = Message.of("sat.c.response", rate=Percent(0.8734), target=Percent(0.9, 0),
                         verdict=Message("sat.c.missed"), why="")
    assert render(message, "zh-CN") == "回收率 87.3%，未达到目标 90%。"
    assert render(message, "en") == "The response rate, 87.3%, missed the 90% target."
    assert i18n.format_value(Money(12345.6), "zh-CN") == "12,346 元"
    assert i18n.format_value(Money(12345.6), "en") == "CNY 12,346"
    assert i18n.format_value(Term("channel", "referral"), "zh-CN") == "P 朋友介绍"
    assert i18n.format_value(Terms("dimension", ["quality", "delivery"]), "zh-CN") == "品质、交期"
    assert i18n.format_value(Terms("dimension", []), "en") == "none"
    assert i18n.format_value(Listing(["甲", Number(1234.5, 1)]), "en") == "甲, 1,234.5"
    assert i18n.format_value(pd.Timestamp("2026-10-31"), "en") == "2026-10-31"
    assert i18n.format_value(None, "en") == "—"


def test_data_text_is_an_argument_never_a_template():
    # a branch named with braces and markup stays as it is: it fills a field, it is never formatted itself
    name = "深圳{南山}分公司<script>"
    assert render(Message.of("dq.scope_note", column=Term("column", "branch"), value=name), "zh-CN").startswith(
        "本报告范围：分公司 = 深圳{南山}分公司<script>。")


def test_localise_translates_headers_codes_and_yes_no_but_keeps_numbers_and_data():
    frame = pd.DataFrame({"channel": ["referral", "其他来源"], "conversion_rate": [0.5, 0.25],
                          "trusted": [True, False], "factors": [["budget", "channel"], []], "consultant": ["张伟", "王芳"]})
    zh = localise(frame, "zh-CN")
    assert list(zh.columns) == ["信息来源", "成交率", "级别可信", "主要因素", "销售顾问"]
    assert zh.iloc[0].tolist() == ["P 朋友介绍", 0.5, "是", "预算、信息来源", "张伟"]
    assert zh.iloc[1, 0] == "其他来源"  # a value the vocabulary does not know is data: kept
    en = localise(frame, "en")
    assert en.iloc[0].tolist() == ["referral", 0.5, "yes", "budget, channel", "张伟"]
    cross = pd.crosstab(pd.Series(["价格", "价格"], name="lost_reason"), pd.Series(["tv", "referral"], name="channel"))
    assert list(localise(cross, "zh-CN").columns) == ["P 朋友介绍", "C 电视"]  # crosstab sorts the codes


def test_schema_vocabularies_all_have_names():
    from analysis.data import schema

    for vocabulary, codes in (("channel", schema.CHANNELS), ("complaint_category", schema.COMPLAINT_CATEGORIES),
                              ("severity", schema.SEVERITIES), ("lead_status", schema.LEAD_STATUSES),
                              ("stage", schema.LEAD_STAGES)):
        for language in languages():
            for code in codes:
                assert f"value.{vocabulary}.{code}" in catalogue(language), (language, vocabulary, code)


def test_every_field_of_the_customer_archive_has_a_name():
    # the sales page's completeness statistics name the archive's fields (seen: a raw tenure_months)
    from analysis.data import schema
    from analysis.sales.customers import NOT_JUDGED

    for language in languages():
        missing = [c.name for c in schema.TABLES["customers"].columns
                   if c.name not in NOT_JUDGED and f"value.field.{c.name}" not in catalogue(language)]
        assert missing == [], (language, missing)


def test_every_check_has_a_name_in_every_language():
    from analysis.config import CHECKS

    for language in languages():
        assert [c for c in CHECKS if f"value.check.{c}" not in catalogue(language)] == []
