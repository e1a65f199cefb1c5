"""Report text and labels in zh-CN (default) and en."""

from __future__ import annotations

LANGUAGES = ("zh-CN", "en")

_TEXT: dict[str, dict[str, str]] = {
    # site chrome
    "site.archive": {"zh-CN": "月报存档", "en": "Monthly archive"},
    "site.latest": {"zh-CN": "最新月份", "en": "Latest month"},
    "site.reports": {"zh-CN": "报告", "en": "Reports"},
    "site.months": {"zh-CN": "月份", "en": "Months"},
    "site.home": {"zh-CN": "首页", "en": "Home"},
    "site.generated": {"zh-CN": "生成时间", "en": "Generated"},
    "site.commit": {"zh-CN": "代码版本", "en": "Code version"},
    "site.version": {"zh-CN": "程序版本", "en": "Package version"},
    "site.params": {"zh-CN": "参数指纹", "en": "Parameters fingerprint"},
    "site.inputs": {"zh-CN": "输入文件", "en": "Input files"},
    "site.duration": {"zh-CN": "运行耗时", "en": "Run time"},
    "site.month_of": {"zh-CN": "{month} 月报", "en": "Report for {month}"},
    "site.open": {"zh-CN": "打开报告", "en": "Open report"},
    "site.no_runs": {"zh-CN": "尚无运行结果。请先执行 workbench run。", "en": "No runs yet. Run workbench run first."},
    "site.other_months": {"zh-CN": "其他月份", "en": "Other months"},
    "site.confidential": {"zh-CN": "内部资料 · 个人信息已隐去", "en": "Internal · personal data masked"},
    # report titles
    "report.data_quality": {"zh-CN": "数据质量", "en": "Data quality"},
    "report.satisfaction": {"zh-CN": "客户满意度分析", "en": "Customer satisfaction"},
    "report.lead_conversion": {"zh-CN": "线索转化分析", "en": "Lead conversion"},
    "report.churn_risk": {"zh-CN": "客户流失风险", "en": "Churn risk"},
    "report.customer_grading": {"zh-CN": "客户分级", "en": "Customer grading"},
    # tables
    "table.customers": {"zh-CN": "客户档案", "en": "Customers"},
    "table.orders": {"zh-CN": "销售统计", "en": "Orders"},
    "table.payments": {"zh-CN": "回款记录", "en": "Payments"},
    "table.surveys": {"zh-CN": "满意度调查", "en": "Surveys"},
    "table.complaints": {"zh-CN": "客户投诉", "en": "Complaints"},
    "table.leads": {"zh-CN": "来店(电)登记", "en": "Leads"},
    "table.lead_events": {"zh-CN": "跟进记录", "en": "Lead follow-ups"},
    # data quality page
    "dq.table": {"zh-CN": "数据表", "en": "Table"},
    "dq.file": {"zh-CN": "文件", "en": "File"},
    "dq.sheet": {"zh-CN": "工作表", "en": "Sheet"},
    "dq.rows": {"zh-CN": "行数", "en": "Rows"},
    "dq.first": {"zh-CN": "最早日期", "en": "First date"},
    "dq.last": {"zh-CN": "最近日期", "en": "Latest date"},
    "dq.lag": {"zh-CN": "距月末天数", "en": "Days before month end"},
    "dq.fresh": {"zh-CN": "时效", "en": "Freshness"},
    "dq.fresh.ok": {"zh-CN": "已覆盖本月", "en": "covers the month"},
    "dq.fresh.stale": {"zh-CN": "数据滞后", "en": "stale"},
    "dq.fresh.na": {"zh-CN": "—", "en": "—"},
    "dq.status": {"zh-CN": "状态", "en": "Status"},
    "dq.loaded": {"zh-CN": "已加载", "en": "loaded"},
    "dq.absent": {"zh-CN": "缺失", "en": "absent"},
    "dq.check": {"zh-CN": "校验项", "en": "Check"},
    "dq.kind": {"zh-CN": "类型", "en": "Kind"},
    "dq.column": {"zh-CN": "列", "en": "Column"},
    "dq.count": {"zh-CN": "涉及行数", "en": "Rows"},
    "dq.examples": {"zh-CN": "示例（行: 值）", "en": "Examples (row: value)"},
    "dq.consistency": {"zh-CN": "一致性校验（错误）", "en": "Consistency check (error)"},
    "dq.advisory": {"zh-CN": "提示性校验（警告）", "en": "Advisory check (warning)"},
    "dq.needed_by": {"zh-CN": "受影响的分析", "en": "Analyses left out"},
    "dq.month": {"zh-CN": "月份", "en": "Month"},
    "dq.rows_per_month": {"zh-CN": "各表每月记录数", "en": "Records per month and table"},
    "dq.headline.tables": {"zh-CN": "已加载数据表", "en": "Tables loaded"},
    "dq.headline.rows": {"zh-CN": "记录总数", "en": "Records"},
    "dq.headline.warnings": {"zh-CN": "提示性问题", "en": "Advisory findings"},
    "dq.headline.errors": {"zh-CN": "一致性错误", "en": "Consistency errors"},
}

CHECK_NAMES = {
    "empty_file": ("空文件或无数据行", "empty file"), "missing_sheet": ("工作表不存在", "missing sheet"),
    "merged_header": ("表头含合并单元格", "merged header"), "missing_column": ("缺少必需列", "missing column"),
    "missing_value": ("必填项为空", "missing value"), "wrong_type": ("类型错误", "wrong type"),
    "unknown_label": ("未知取值", "unknown label"), "out_of_range": ("超出范围", "out of range"),
    "duplicate_key": ("编号重复", "duplicate key"), "orphan": ("找不到对应客户/记录", "orphan"),
    "future_date": ("日期晚于今天", "date in the future"), "before_founding": ("日期早于公司成立", "before founding"),
    "unknown_column": ("未使用的列", "unused column"), "missing_table": ("数据表缺失", "missing table"),
    "unreadable_file": ("文件无法读取", "unreadable file"),
}

DIMENSIONS = {"quality": ("品质", "Quality"), "delivery": ("交期", "Delivery"), "service": ("服务", "Service"),
              "price": ("价格", "Price"), "technology": ("技术", "Technology"),
              "communication": ("沟通", "Communication"), "overall": ("总体评价", "Overall")}


def t(key: str, language: str = "zh-CN", **fields) -> str:
    """Return the text for ``key`` in ``language``, formatted with ``fields``."""
    entry = _TEXT.get(key)
    if entry is None:
        raise KeyError(f"no report text for {key!r}")
    text = entry.get(language) or entry["en"]
    return text.format(**fields) if fields else text


def check_name(check: str, language: str = "zh-CN") -> str:
    zh, en = CHECK_NAMES.get(check, (check, check))
    return zh if language == "zh-CN" else en


def dimension_name(dimension: str, language: str = "zh-CN", extra: dict[str, str] | None = None) -> str:
    """Display name of a survey dimension; company-added ones come from survey.dimension_labels."""
    if extra and dimension in extra:
        return extra[dimension]
    zh, en = DIMENSIONS.get(dimension, (dimension, dimension))
    return zh if language == "zh-CN" else en

_TEXT.update({
    "dq.intro": {"zh-CN": "本页说明本月分析所用数据的来源、规模和时效，以及加载时发现的问题。"
                          "一致性校验（错误）会中止运行；提示性校验（警告）列在下方，供数据维护人员更正。",
                 "en": "This page shows where this month's data came from, how much there is, how current it is, "
                       "and what the checks found. Consistency checks (errors) stop the run; advisory checks "
                       "(warnings) are listed below for whoever maintains the files."},
    "dq.tables_title": {"zh-CN": "### 已加载的数据表", "en": "### Tables loaded"},
    "dq.absent_title": {"zh-CN": "### 缺失的可选数据表", "en": "### Optional tables absent"},
    "dq.absent_none": {"zh-CN": "所有数据表均已提供。", "en": "Every table was supplied."},
    "dq.issues_title": {"zh-CN": "### 校验结果", "en": "### Check results"},
    "dq.issues_none": {"zh-CN": "未发现任何问题。", "en": "The checks found nothing."},
    "dq.issues_summary": {"zh-CN": "共 {n} 项提示性问题，涉及 {rows} 行。", "en": "{n} advisory finding(s) on {rows} row(s)."},
    "dq.volume_title": {"zh-CN": "### 数据量趋势", "en": "### Volume over time"},
    "dq.stale_note": {"zh-CN": "注意：{names} 的最近日期早于本月，数据可能尚未更新。",
                      "en": "Note: {names} end before this month; the files may not be up to date."},
})
