"""Column and label mapping: a company's headers and labels to canonical names and values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Parameters
from .schema import Table

if TYPE_CHECKING:
    import pandas as pd

#: survey dimension headers known by default (the forms of DOMAIN.md section 1)
DIMENSION_HEADERS = {
    "quality": ("品质", "质量", "产品质量", "Quality"),
    "delivery": ("交期", "交货期", "交付", "Delivery"),
    "service": ("服务", "售后服务", "Service"),
    "price": ("价格", "Price"),
    "technology": ("技术", "Technology"),
    "communication": ("沟通", "Communication"),
}

#: survey answer labels per scale preset (numbers 1..max are always accepted)
SCALE_LABELS = {
    "five_level": {"很满意": 5, "非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "很不满意": 1,
                   "非常不满意": 1, "excellent": 5, "good": 4, "fair": 3, "poor": 2, "very poor": 1},
    "four_level": {"很满意": 4, "满意": 3, "一般满意": 2, "一般": 2, "不满意": 1,
                   "excellent": 4, "good": 3, "fair": 2, "poor": 1},
}

#: built-in label maps per table.column; keys compared case-insensitively, spaces ignored
LABELS: dict[str, dict[str, str]] = {
    "customers.sales_model": {"直销": "direct", "经销": "distributor", "分销": "distributor",
                              "代理": "agent", "网销": "online", "电商": "online"},
    "complaints.category": {"产品质量": "quality", "质量": "quality", "品质": "quality",
                            "数量规格不符": "quantity", "数量/规格不符": "quantity", "数量": "quantity", "规格": "quantity",
                            "运输交付": "delivery", "运输": "delivery", "交付": "delivery", "交期": "delivery",
                            "服务态度": "service", "服务": "service", "价格": "price", "其他": "other", "其它": "other"},
    "complaints.severity": {"重大": "major", "严重": "major", "一般": "normal", "轻微": "minor"},
    "leads.channel": {"a": "newspaper", "报纸": "newspaper", "a报纸": "newspaper",
                      "b": "radio", "电台": "radio", "广播": "radio", "b电台": "radio",
                      "c": "tv", "电视": "tv", "c电视": "tv",
                      "d": "exhibition", "基地": "exhibition", "车展": "exhibition", "展会": "exhibition", "d基地/车展": "exhibition",
                      "e": "storefront", "店头活动": "storefront", "店面": "storefront", "e店头活动": "storefront",
                      "t": "phone", "电话预约": "phone", "t电话预约": "phone",
                      "g": "internet", "网络": "internet", "互联网": "internet", "g网络": "internet",
                      "p": "referral", "朋友介绍": "referral", "转介绍": "referral", "p朋友介绍": "referral",
                      "其他": "other"},
    "leads.visit_type": {"首次": "first", "初次": "first", "再次": "repeat", "复访": "repeat", "二次": "repeat"},
    "leads.stage": {"搜集": "collected", "收集": "collected", "联系": "contacted", "意向": "intent",
                    "成交": "deal", "忠诚": "loyal"},
    "leads.status": {"跟进中": "open", "未成交": "open", "进行中": "open", "成交": "won", "已成交": "won",
                     "战败": "lost", "流失": "lost", "无效": "invalid"},
    "lead_events.event_type": {"电话": "call", "来电": "call", "到店": "visit", "拜访": "visit", "上门": "visit",
                               "短信": "message", "微信": "message", "试驾": "test_drive", "试乘试驾": "test_drive",
                               "报价": "quote"},
    "requirements.priority": {"a级": "A", "b级": "B", "c级": "C", "d级": "D"},
    "requirements.decision": {"做": "do", "不做": "dont", "再议": "revisit", "需求转换": "transform", "转换": "transform",
                              "转换需求": "transform", "don't": "dont", "do not": "dont", "transformed": "transform"},
    "requirements.requirement_status": {"空": "open", "未完成": "open", "进行中": "open", "完成": "done",
                                        "已完成": "done", "延期": "delayed", "已延期": "delayed"},
}

BOOL_LABELS = {"是": True, "否": False, "y": True, "n": False, "yes": True, "no": False, "true": True,
               "false": False, "1": True, "0": False, "√": True, "×": False, "有": True, "无": False,
               "合格": True, "不合格": False, "已解决": True, "未解决": False, "已流失": True, "未流失": False,
               "成立": True, "不成立": False, "新品": True, "老品": False}


def normalise_label(text: str) -> str:
    """Key used to compare labels: lower case, no spaces or punctuation between code and name."""
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")").replace("-", "").replace(".", "")


def header_map(table: Table, params: Parameters) -> dict[str, str]:
    """Return {header as found in files: canonical column} for ``table``.

    Company headers from ``data.sources.<table>.columns`` win over the built-in ones.
    Canonical names themselves are always accepted as headers.
    """
    mapping: dict[str, str] = {}
    for col in table.columns:
        mapping[col.name] = col.name
        for h in col.headers:
            mapping.setdefault(h, col.name)
    if table.dynamic_float_columns:
        for dim in params.survey.dimensions:
            mapping[dim] = dim
            for h in DIMENSION_HEADERS.get(dim, ()):
                mapping.setdefault(h, dim)
            label = params.survey.dimension_labels.get(dim)
            if label:
                mapping.setdefault(label, dim)
    source = params.data.sources.get(table.name)
    if source:
        mapping.update(source.columns)
        mapping.update({extra.header: name for name, extra in source.extra.items()})
    return {normalise_header(k): v for k, v in mapping.items()}


def normalise_header(text: str) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")")


def label_map(table: str, column: str, params: Parameters) -> dict[str, str]:
    """Return {normalised label: canonical value} for a category column."""
    key = f"{table}.{column}"
    out = {normalise_label(k): v for k, v in LABELS.get(key, {}).items()}
    out.update({normalise_label(k): v for k, v in params.data.labels.get(key, {}).items()})
    return out


def bool_map(table: str, column: str, params: Parameters) -> dict[str, bool]:
    """Return {normalised label: True/False} for a yes/no column: the built-in words (是/否, Y/N, 1/0 ...) and the
    company's labels in ``data.labels['<table>.<column>']`` (e.g. {Attrited Customer: yes, Existing Customer: no}).

    Raises ConfigError when a company label maps to something that is not a yes or no word.
    """
    from ..errors import ConfigError

    out = {normalise_label(k): v for k, v in BOOL_LABELS.items()}
    key = f"{table}.{column}"
    for label, meaning in params.data.labels.get(key, {}).items():
        value = BOOL_LABELS.get(normalise_label(meaning))
        if value is None:
            raise ConfigError(f"data.labels['{key}']['{label}'] must be yes or no ({column} is a yes/no column). "
                              f"Got {meaning!r}. Write yes or no (是/否).")
        out[normalise_label(label)] = value
    return out


def derived_ids(frame: pd.DataFrame, columns: tuple[str, ...], seen: dict[str, int]) -> pd.Series:
    """Stable row ids for a table whose file has no key column (a survey without form numbers): the values of
    ``columns`` joined by "-" (dates as YYYYMMDD), e.g. ``C000013-20260321``; the second and later rows with the
    same values, in file order, get "-2", "-3" ... ``seen`` counts the ids of earlier chunks of the same file."""
    import pandas as pd

    parts = []
    for column in columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y%m%d")
        parts.append(values.astype("object").where(values.notna(), "").astype(str))
    base = parts[0].str.cat(parts[1:], sep="-") if len(parts) > 1 else parts[0]
    before = base.map(seen).fillna(0).astype("int64")
    number = base.groupby(base, sort=False).cumcount() + before + 1
    for value, count in base.value_counts(sort=False).items():
        seen[value] = seen.get(value, 0) + int(count)
    return base.where(number == 1, base + "-" + number.astype(str))


def scale_map(params: Parameters) -> dict[str, float]:
    """Return {normalised answer label: points} for survey answers."""
    out = {normalise_label(k): float(v) for k, v in SCALE_LABELS[params.survey.scale].items()}
    out.update({normalise_label(k): float(v) for k, v in params.survey.scale_labels.items()})
    return out


def scale_label_text(params: Parameters) -> str:
    """The answer labels of the configured scale, best first, for messages."""
    labels = {**SCALE_LABELS[params.survey.scale], **params.survey.scale_labels}
    zh = [k for k, _ in sorted(labels.items(), key=lambda kv: -kv[1]) if not k.isascii()]
    return "/".join(dict.fromkeys(zh))
