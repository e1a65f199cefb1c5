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
    "site.scopes": {"zh-CN": "分公司/区域报告", "en": "Reports per branch or region"},
    "site.no_data": {"zh-CN": "该范围的数据不足以完成本分析：", "en": "Not enough data in this scope for this analysis:"},
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
    "dq.scope_note": {"zh-CN": "本报告范围：{column} = {value}。下表的行数、日期和月度数量只计该范围内的客户及其记录；"
                               "校验结果针对整个源文件（全公司），与公司报告相同。",
                      "en": "This report covers {column} = {value}. Rows, dates and monthly volumes below count only "
                            "its customers and their records; the check results are those of the whole source files "
                            "(company-wide), as in the company report."},
    "dq.issues_title": {"zh-CN": "### 校验结果", "en": "### Check results"},
    "dq.issues_none": {"zh-CN": "未发现任何问题。", "en": "The checks found nothing."},
    "dq.issues_summary": {"zh-CN": "共 {n} 项提示性问题，涉及 {rows} 行。", "en": "{n} advisory finding(s) on {rows} row(s)."},
    "dq.volume_title": {"zh-CN": "### 数据量趋势", "en": "### Volume over time"},
    "dq.stale_note": {"zh-CN": "注意：{names} 的最近日期早于本月，数据可能尚未更新。",
                      "en": "Note: {names} end before this month; the files may not be up to date."},
})

#: display names of the columns shown in page tables and Excel lists
COLUMNS: dict[str, tuple[str, str]] = {
    "survey_id": ("调查编号", "Survey"), "customer_id": ("客户编号", "Customer"), "customer_name": ("客户名称", "Customer name"),
    "sent_date": ("发放日期", "Sent"), "answered_date": ("回收日期", "Answered"), "days_waiting": ("已等待天数", "Days waiting"),
    "region": ("区域", "Region"), "branch": ("分公司", "Branch"), "sales_rep": ("业务员", "Sales rep"),
    "grade": ("等级", "Grade"), "segment": ("维度", "Segment"), "value": ("取值", "Value"), "sent": ("发放", "Sent"),
    "answered": ("回收", "Answered"), "rate": ("回收率", "Response rate"), "suppressed": ("样本不足", "Suppressed"),
    "dimension": ("调查项目", "Dimension"), "n": ("答卷数", "Answers"), "mean": ("平均分", "Mean"),
    "ci_low": ("95%区间下限", "95% CI low"), "ci_high": ("95%区间上限", "95% CI high"),
    "share_of_max": ("得分率", "Score share"), "top2": ("满意及以上占比", "Top-2-box"), "answers": ("答卷数", "Answers"),
    "share": ("得分率", "Score share"), "below_target": ("低于目标", "Below target"), "reason": ("原因", "Reason"),
    "score": ("得分", "Score"), "comment": ("客户意见", "Comment"), "department": ("责任部门", "Department"),
    "on_time": ("准时交付率", "On-time delivery"), "quality_pass": ("质量合格率", "Quality pass rate"),
    "major_complaints": ("重大投诉", "Major complaints"), "period": ("调查周期", "Period"),
    "mean_now": ("本期均分", "Mean now"), "mean_before": ("上期均分", "Mean before"), "diff": ("变化", "Change"),
    "t": ("t 值", "t"), "p": ("p 值", "p"), "d": ("效应量 d", "Effect size d"), "real": ("显著变化", "Real change"),
    "importance": ("影响权重", "Importance"), "performance": ("表现（得分率）", "Performance"), "rank": ("排名", "Rank"),
    "quadrant": ("改进象限", "Quadrant"), "category": ("投诉类别", "Category"), "count": ("投诉数", "Complaints"),
    "cumulative": ("累计占比", "Cumulative share"), "complaints": ("投诉数", "Complaints"),
    "reply_ok": ("24小时内答复率", "Replied within 24 h"), "followup_ok": ("72小时内跟踪率", "Followed up within 72 h"),
    "last": ("最近投诉", "Latest"), "categories": ("类别", "Categories"), "major": ("重大投诉", "Major"),
    "month": ("月份", "Month"), "items": ("有效题数", "Items"), "level": ("评分", "Level"),
    "n_now": ("本期答卷", "Answers now"), "n_before": ("上期答卷", "Answers before"), "outcome": ("因变量", "Outcome"),
    "level_5": ("5分", "5"), "level_4": ("4分", "4"), "level_3": ("3分", "3"), "level_2": ("2分", "2"),
    "level_1": ("1分", "1"),
}

VALUES: dict[str, tuple[str, str]] = {
    "item": ("单项低于3分", "item below 3"), "customer": ("客户得分低于目标", "customer below target"),
    "improve": ("重点改进", "improve"), "keep up": ("继续保持", "keep up"), "low priority": ("次要", "low priority"),
    "possible overkill": ("可能过度投入", "possible overkill"), "overall": ("总体", "Overall"),
}

CATEGORIES: dict[str, tuple[str, str]] = {
    "quality": ("产品质量", "Quality"), "quantity": ("数量/规格不符", "Quantity/spec"),
    "delivery": ("运输交付", "Delivery"), "service": ("服务态度", "Service"), "price": ("价格", "Price"),
    "other": ("其他", "Other"),
}

_TEXT.update({
    "sat.purpose": {
        "zh-CN": "#### 一、调查目的和范围\n为了解客户对我司产品和服务的满意程度，持续改进，本报告分析 {start} 至 {end} "
                 "期间发放的《客户满意度调查表》：共发放 {sent} 份，调查项目为{dims}，评分采用 {levels} 级量表。"
                 "回收率目标 {rtarget}，总体得分目标 {starget}（得分占满分比例）。",
        "en": "#### 1. Purpose and scope\nTo learn how satisfied customers are with our products and services and to "
              "keep improving, this report analyses the satisfaction survey forms sent from {start} to {end}: {sent} "
              "forms on {dims}, rated on a {levels}-level scale. Targets: response rate {rtarget}, overall score "
              "{starget} of the maximum."},
    "sat.response": {"zh-CN": "#### 二、回收情况\n回收 {answered} 份，回收率 {rate}（目标 {target}，{verdict}）。"
                              "超过 {days} 天未回复、需电话回访的客户 {pending} 家。",
                     "en": "#### 2. Response status\n{answered} forms came back: a response rate of {rate} "
                           "(target {target}, {verdict}). {pending} customers have not answered after {days} days "
                           "and are listed for a phone follow-up."},
    "sat.met": {"zh-CN": "已达标", "en": "met"},
    "sat.not_met": {"zh-CN": "未达标", "en": "not met"},
    "sat.results": {"zh-CN": "#### 三、统计结果\n总体得分率 {share}（95% 区间 {low}–{high}，目标 {target}，{verdict}）。"
                             "{below} 份答卷低于目标。各项目得分如下：",
                    "en": "#### 3. Results\nOverall score {share} of the maximum (95% interval {low}–{high}; target "
                          "{target}, {verdict}). {below} answers are below the target. By dimension:"},
    "sat.segments": {"zh-CN": "按客户分组（答卷少于 {min} 份的分组不显示）：",
                     "en": "By customer segment (segments with fewer than {min} answers are suppressed):"},
    "sat.capa": {"zh-CN": "#### 四、不满意项目分析\n共 {items} 个单项低于 {below} 分、{customers} 位客户得分低于目标，"
                          "需向责任部门发出纠正预防措施（CAPA）通知。按责任部门：{departments}。清单（客户名称已隐去，"
                          "完整清单见 Excel 附件）：",
                 "en": "#### 4. Dissatisfied items\n{items} items scored below {below} and {customers} customers are "
                       "below the target: each needs a corrective and preventive action (CAPA) notice to the "
                       "responsible department. By department: {departments}. The list (names masked; the full list "
                       "is in the Excel file):"},
    "sat.capa_none": {"zh-CN": "#### 四、不满意项目分析\n本期没有低于 {below} 分的单项，也没有低于目标的客户。",
                      "en": "#### 4. Dissatisfied items\nNo item scored below {below} and no customer is below the target."},
    "sat.grades": {"zh-CN": "综合满意度分级（调查得分 + 准时交付率、质量合格率、重大投诉）：",
                   "en": "Combined satisfaction grade (survey score plus on-time delivery, quality pass rate, major "
                         "complaints):"},
    "sat.drivers": {"zh-CN": "各项目对总体评价的影响（标准化回归权重，95% 自助法区间）与表现：",
                    "en": "How much each dimension drives the overall rating (standardised regression weight, 95% "
                          "bootstrap interval) and how it performs:"},
    "sat.trend": {"zh-CN": "与上一调查周期相比（Welch t 检验；p < {alpha} 且 |d| ≥ {effect} 视为真实变化）：",
                  "en": "Against the previous survey period (Welch t-test; a change is real when p < {alpha} and "
                        "|d| ≥ {effect}):"},
    "sat.conclusions": {"zh-CN": "#### 五、结论", "en": "#### 5. Conclusions"},
    "sat.complaints": {"zh-CN": "#### 客户投诉分析\n本月收到投诉 {n} 起；近 {months} 个月 24 小时内答复率 {reply}，"
                                "72 小时内跟踪率 {follow}。{repeat} 位客户在 {window} 天内投诉 {min} 次及以上。",
                       "en": "#### Complaints\n{n} complaints this month; over the last {months} months {reply} were "
                             "answered within 24 hours and {follow} followed up within 72 hours. {repeat} customers "
                             "complained {min} or more times within {window} days."},
    "sat.no_complaints": {"zh-CN": "#### 客户投诉分析\n未提供投诉登记表，本节从略。", "en": "#### Complaints\nNo complaint log was supplied; this section is left out."},
    "sat.pending_title": {"zh-CN": "需电话回访的客户（前 {n} 位）：", "en": "Customers to phone (first {n}):"},
    "sat.chart.dims": {"zh-CN": "各调查项目平均分（95% 置信区间）", "en": "Mean score by dimension (95% CI)"},
    "sat.chart.ipa": {"zh-CN": "重要性-表现分析", "en": "Importance-performance"},
    "sat.chart.trend": {"zh-CN": "各调查周期平均分", "en": "Mean score by survey period"},
    "sat.chart.pareto": {"zh-CN": "投诉类别帕累托图（近 {months} 个月）", "en": "Complaint Pareto ({months} months)"},
    "sat.chart.complaints": {"zh-CN": "每月投诉数（按类别）", "en": "Complaints per month by category"},
    "sat.axis.importance": {"zh-CN": "影响权重", "en": "Importance"},
    "sat.axis.performance": {"zh-CN": "表现（得分率）", "en": "Performance (score share)"},
    "sat.axis.mean": {"zh-CN": "平均分", "en": "Mean score"},
    "sat.axis.count": {"zh-CN": "投诉数", "en": "Complaints"},
    "sat.axis.cumulative": {"zh-CN": "累计占比", "en": "Cumulative share"},
    "sat.headline.response": {"zh-CN": "调查回收率", "en": "Survey response rate"},
    "sat.headline.score": {"zh-CN": "总体得分率", "en": "Overall score"},
    "sat.headline.capa": {"zh-CN": "CAPA 项目", "en": "CAPA items"},
    "sat.headline.complaints": {"zh-CN": "本月投诉", "en": "Complaints this month"},
    "sat.c.response": {"zh-CN": "回收率 {rate}，{verdict}目标 {target}。", "en": "The response rate, {rate}, {verdict} the {target} target."},
    "sat.c.score": {"zh-CN": "总体得分率 {share}，{verdict}目标 {target}。", "en": "The overall score, {share}, {verdict} the {target} target."},
    "sat.c.reached": {"zh-CN": "达到", "en": "reached"},
    "sat.c.missed": {"zh-CN": "未达到", "en": "missed"},
    "sat.c.lowest": {"zh-CN": "得分最低的项目是{dim}（平均 {mean} 分），最高的是{best}（{best_mean} 分）。",
                     "en": "The weakest dimension is {dim} (mean {mean}); the strongest is {best} ({best_mean})."},
    "sat.c.driver": {"zh-CN": "对总体评价影响最大的是{dim}（权重 {w}）；重点改进项目：{improve}。",
                     "en": "{dim} drives the overall rating most (weight {w}); key improvement areas: {improve}."},
    "sat.c.changes": {"zh-CN": "与上期相比的真实变化：{changes}。", "en": "Real changes since the previous period: {changes}."},
    "sat.c.no_changes": {"zh-CN": "与上期相比各项目没有统计上可信的变化。", "en": "No dimension changed reliably since the previous period."},
    "sat.c.capa": {"zh-CN": "需发出 CAPA 通知 {n} 项，涉及客户 {customers} 家。", "en": "{n} CAPA notices are due, for {customers} customers."},
    "sat.c.none": {"zh-CN": "无", "en": "none"},
    "sat.c.up": {"zh-CN": "上升", "en": "up"},
    "sat.c.down": {"zh-CN": "下降", "en": "down"},
})


def column_name(column: str, language: str = "zh-CN") -> str:
    zh, en = COLUMNS.get(column, (column, column))
    return zh if language == "zh-CN" else en


def value_name(value: str, language: str = "zh-CN") -> str:
    zh, en = VALUES.get(value, (value, value))
    return zh if language == "zh-CN" else en


def category_name(category: str, language: str = "zh-CN") -> str:
    zh, en = CATEGORIES.get(category, (category, category))
    return zh if language == "zh-CN" else en

FEATURES: dict[str, tuple[str, str]] = {
    "recency_days": ("距上次下单天数", "days since last order"), "orders_3m": ("近3月订单数", "orders, 3 months"),
    "orders_6m": ("近6月订单数", "orders, 6 months"), "orders_12m": ("近12月订单数", "orders, 12 months"),
    "sales_3m": ("近3月销售额", "sales, 3 months"), "sales_6m": ("近6月销售额", "sales, 6 months"),
    "sales_12m": ("近12月销售额", "sales, 12 months"), "spend_trend": ("销售额趋势", "spend trend"),
    "tenure_days": ("合作天数", "tenure"), "days_since_contact": ("距上次接触天数", "days since contact"),
    "late_payments_q": ("本季逾期回款次数", "late payments this quarter"),
    "late_2plus": ("本季逾期≥2次", "2+ late payments"), "complaints_90d": ("近90天投诉", "complaints, 90 days"),
    "major_complaints_90d": ("近90天重大投诉", "major complaints, 90 days"),
    "unresolved_complaints": ("未结投诉", "open complaints"), "latest_satisfaction": ("最近满意度", "latest satisfaction"),
    "region": ("区域", "region"), "industry": ("行业", "industry"), "sales_model": ("销售模式", "sales model"),
    "reputation": ("行业口碑", "reputation"), "share_of_wallet": ("采购占比", "share of wallet"),
    "low_satisfaction": ("满意度低于70%", "satisfaction below 70%"), "falling_spend": ("销售额明显下降", "falling spend"),
    "channel": ("信息来源", "channel"), "consultant": ("销售顾问", "consultant"), "visit_type": ("首次/再次", "visit type"),
    "intent_level": ("意向级别", "intent level"), "test_drive": ("试乘试驾", "test drive"), "budget": ("预算", "budget"),
    "product": ("意向产品", "product"), "followups": ("跟进次数", "follow-ups"),
    "days_to_first_contact": ("首次跟进间隔天数", "days to first follow-up"),
}

COLUMNS.update({
    "probability": ("流失概率", "Churn probability"), "band": ("风险等级", "Risk band"),
    "value_12m": ("近12月价值", "12-month value"), "value_at_risk": ("风险价值", "Value at risk"),
    "reasons": ("主要原因", "Main reasons"), "signal": ("风险信号", "Signal"), "customers_with": ("出现次数", "Cases"),
    "rate_with": ("有信号时流失率", "Churn rate with"), "rate_without": ("无信号时流失率", "Churn rate without"),
    "ratio": ("倍数", "Ratio"), "feature": ("因素", "Factor"), "spread": ("波动", "Spread"),
    "model": ("模型", "Model"), "chosen": ("选用", "Chosen"), "rows": ("样本数", "Rows"), "roc_auc": ("ROC AUC", "ROC AUC"),
    "average_precision": ("平均精确率", "Average precision"), "brier": ("Brier 分数", "Brier score"),
    "calibration_error": ("校准误差", "Calibration error"), "decile": ("十分位", "Decile"),
    "mean_probability": ("平均预测概率", "Mean probability"), "observed_rate": ("实际比例", "Observed rate"),
    "lift": ("提升度", "Lift"), "cumulative_capture": ("累计捕获率", "Cumulative capture"),
    "customers": ("客户数", "Customers"), "sales": ("销售额", "Sales"), "recency_days": ("距上次下单天数", "Days since order"),
    "late_payments_q": ("本季逾期", "Late payments"), "complaints_90d": ("近90天投诉", "Complaints 90 d"),
    "latest_satisfaction": ("最近满意度", "Latest satisfaction"),
})
VALUES.update({"high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low"),
               "logistic": ("逻辑回归", "logistic regression"), "gradient_boosting": ("梯度提升", "gradient boosting"),
               "baseline": ("基准（不建模）", "baseline (no model)")})


def feature_name(feature: str, language: str = "zh-CN") -> str:
    zh, en = FEATURES.get(feature, (feature, feature))
    return zh if language == "zh-CN" else en


_TEXT.update({
    "churn.intro": {"zh-CN": "本页预测现有客户在未来 {horizon} 天内不再下单（流失）的可能性，按风险价值（流失概率 × 近12个月{value}）"
                             "排出挽留名单。流失定义：{definition}。",
                    "en": "This page estimates for each current customer the chance of placing no order in the next "
                          "{horizon} days (churn), and ranks a retention list by value at risk (probability × "
                          "trailing-12-month {value}). Definition: {definition}."},
    "churn.def.no_order": {"zh-CN": "快照日后 {horizon} 天内无订单", "en": "no order within {horizon} days after the snapshot"},
    "churn.def.flag": {"zh-CN": "客户档案中的“是否流失”标记", "en": "the churned flag of the customer archive"},
    "churn.def.contract_end": {"zh-CN": "合同在 {horizon} 天内到期", "en": "the contract ends within {horizon} days"},
    "churn.value.sales": {"zh-CN": "销售额", "en": "sales"}, "churn.value.margin": {"zh-CN": "毛利", "en": "margin"},
    "churn.summary": {"zh-CN": "#### 风险概况\n本月末在评估的客户 {n} 家：高风险 {high} 家、中风险 {medium} 家。"
                               "风险价值合计 {var}，其中高风险客户占 {share}。",
                      "en": "#### Overview\n{n} customers scored at the month end: {high} high risk, {medium} medium "
                            "risk. Total value at risk {var}, of which high-risk customers hold {share}."},
    "churn.model": {"zh-CN": "#### 模型质量\n用 {snapshots} 个历史月末快照训练（{train} 行），在最近一个已知结果的快照（{valid_date}，"
                             "{valid} 行）上检验；比较逻辑回归与梯度提升，选用验证集 ROC AUC 较高的{chosen}，并做概率校准。"
                             "ROC AUC {auc}（不建模为 0.5）：随机取一位流失客户和一位留存客户，模型把前者排在前面的概率为 {auc}。",
                    "en": "#### Model quality\nTrained on {snapshots} past month-end snapshots ({train} rows) and "
                          "checked on the newest snapshot whose outcome is known ({valid_date}, {valid} rows); of "
                          "logistic regression and gradient boosting the one with the better validation ROC AUC, "
                          "{chosen}, is used, with calibrated probabilities. ROC AUC {auc} (0.5 without a model): "
                          "for a random churned and a random retained customer, the model ranks the churned one "
                          "higher with probability {auc}."},
    "churn.model_flag": {"zh-CN": "#### 模型质量\n按客户档案的流失标记建模（无时间信息，采用分层随机验证，{valid} 行）；选用{chosen}，ROC AUC {auc}。",
                         "en": "#### Model quality\nFitted on the churned flag of the customer archive (no dates: a "
                               "stratified validation split, {valid} rows); {chosen} chosen, ROC AUC {auc}."},
    "churn.drivers": {"zh-CN": "#### 流失驱动因素\n历史快照中各风险信号出现时的流失率（倍数 > 1 表示该信号提高流失风险）：",
                      "en": "#### Drivers\nChurn rate in past snapshots with and without each risk signal (a ratio "
                            "above 1 means the signal raises churn):"},
    "churn.importance": {"zh-CN": "模型中各因素的重要性（打乱该因素后验证集 ROC AUC 的下降）：",
                         "en": "Importance of each input in the model (drop of the validation ROC AUC when it is shuffled):"},
    "churn.list": {"zh-CN": "#### 挽留名单（按风险价值排序，前 {n} 位；完整名单见 Excel 附件）",
                   "en": "#### Retention list (by value at risk, first {n}; the full list is in the Excel file)"},
    "churn.curves": {"zh-CN": "#### 客户留存曲线（Kaplan-Meier，按{segment}）", "en": "#### Retention curves (Kaplan-Meier, by {segment})"},
    "churn.chart.dist": {"zh-CN": "流失概率分布", "en": "Distribution of churn probability"},
    "churn.chart.curves": {"zh-CN": "留存曲线", "en": "Retention curves"},
    "churn.chart.calibration": {"zh-CN": "校准曲线（验证集）", "en": "Calibration (validation rows)"},
    "churn.axis.months": {"zh-CN": "合作月数", "en": "Months since first order"},
    "churn.axis.retained": {"zh-CN": "仍在合作比例", "en": "Share still ordering"},
    "churn.axis.probability": {"zh-CN": "预测概率", "en": "Predicted probability"},
    "churn.axis.observed": {"zh-CN": "实际比例", "en": "Observed rate"},
    "churn.axis.customers": {"zh-CN": "客户数", "en": "Customers"},
    "churn.headline.high": {"zh-CN": "高风险客户", "en": "High-risk customers"},
    "churn.headline.var": {"zh-CN": "风险价值（元）", "en": "Value at risk (CNY)"},
    "churn.headline.auc": {"zh-CN": "模型 ROC AUC", "en": "Model ROC AUC"},
})

COLUMNS.update({
    "sales_volume": ("销售额得分", "Sales volume"), "payment": ("回款得分", "Payment"), "margin": ("毛利得分", "Margin"),
    "order_quantity": ("订单量得分", "Order quantity"), "sales_model": ("销售模式得分", "Sales model"),
    "share_of_wallet": ("采购占比得分", "Share of wallet"), "years": ("合作年限得分", "Years"),
    "reputation": ("行业口碑得分", "Reputation"), "provisional": ("暂定等级", "Provisional"),
    "terms_downgrade": ("付款条件降级", "Terms downgrade"), "discount": ("价格折扣", "Discount"),
    "payment_terms": ("付款条件", "Payment terms"), "delivery_days": ("标准交期（天）", "Delivery days"),
    "visit": ("拜访频率", "Visits"), "grade_before": ("原等级", "Grade before"), "change": ("变动", "Change"),
    "score_before": ("原得分", "Score before"), "score_change": ("得分变化", "Score change"),
    "criteria": ("主要原因", "Criteria that moved"), "segment_name": ("行动分组", "Action segment"),
    "criterion": ("评分项", "Criterion"), "note": ("说明", "Note"), "weight": ("权重", "Weight"),
    "months_known": ("合作月数", "Months known"), "sales_share": ("销售额占比", "Share of sales"),
    "applied_weight": ("实际权重", "Applied weight"), "method": ("计分方法", "Method"),
    "missing": ("缺值客户数（按中位数计分）", "Customers without a value (median points)"),
})
VALUES.update({"protect": ("重点保护", "protect"), "maintain": ("维持", "maintain"), "develop": ("发展", "develop"),
               "reduce": ("缩减投入", "reduce"), "up": ("升级", "up"), "down": ("降级", "down"),
               "new": ("新增", "new"), "gone": ("不再活跃", "gone"), "percentile": ("按百分位", "percentile rank"),
               "thresholds": ("按分档", "thresholds"), "values": ("按类别", "per category"), "no_data": ("无数据", "no data")})
FEATURES.update({k: (v[0].replace("得分", ""), v[1]) for k, v in COLUMNS.items()
                 if k in ("sales_volume", "payment", "margin", "order_quantity", "sales_model", "share_of_wallet",
                          "years", "reputation")})

_TEXT.update({
    "grade.intro": {"zh-CN": "按《客户分级管理制度》，依据近 {months} 个月的数据对 {n} 家活跃客户按八项标准打分（满分 100），"
                             "{method}。合作不满 {provisional} 个月的客户为暂定等级；本季逾期回款 {late} 次及以上的客户付款条件降一级。",
                    "en": "Following the grading procedure, {n} active customers are scored on eight criteria (100 "
                          "points) over the last {months} months, {method}. Customers known for less than "
                          "{provisional} months get a provisional grade; {late} or more late payments this quarter "
                          "drop a customer's payment terms one grade."},
    "grade.method.quota": {"zh-CN": "按比例分级（A {a}、B {b}、C {c}、D {d}；同分按销售额、再按客户编号排序）",
                           "en": "graded by quota (A {a}, B {b}, C {c}, D {d}; ties broken by sales, then customer number)"},
    "grade.method.thresholds": {"zh-CN": "按分数线分级", "en": "graded by score thresholds"},
    "grade.criteria": {"zh-CN": "#### 评分标准\n各项权重与计分方法：", "en": "#### Criteria\nWeights and how points are given:"},
    "grade.distribution": {"zh-CN": "#### 等级分布", "en": "#### Grade distribution"},
    "grade.breakdown": {"zh-CN": "各等级的平均得分构成：", "en": "Mean points per criterion and grade:"},
    "grade.matrix": {"zh-CN": "#### 行动分组（价值等级 × 流失风险）\n{note}", "en": "#### Action segments (value grade × churn risk)\n{note}"},
    "grade.matrix.note": {"zh-CN": "流失风险来自流失模型；近期无订单的客户按高风险计。",
                          "en": "Churn risk comes from the churn model; customers without a recent order count as high risk."},
    "grade.matrix.none": {"zh-CN": "未能建立流失模型（{why}），全部按低风险计。", "en": "No churn model ({why}): every customer counts as low risk."},
    "grade.migration": {"zh-CN": "#### 等级变动\n与{label}（{month}）相比（均按现行规则重新评定，规则变化不计为变动）：",
                        "en": "#### Migration\nAgainst {label} ({month}), both graded with today's rules (so rule changes do not show as migration):"},
    "grade.previous": {"zh-CN": "上月", "en": "the previous month"},
    "grade.year_ago": {"zh-CN": "一年前", "en": "a year ago"},
    "grade.policies": {"zh-CN": "#### 各等级政策", "en": "#### Policies per grade"},
    "grade.list": {"zh-CN": "完整分级名单（含政策）见 Excel 附件。", "en": "The full graded list, with policies, is in the Excel file."},
    "grade.headline.a": {"zh-CN": "A 类客户", "en": "A customers"},
    "grade.headline.protect": {"zh-CN": "需重点保护", "en": "To protect"},
    "grade.headline.changes": {"zh-CN": "本月等级变动", "en": "Grade changes this month"},
    "grade.chart.distribution": {"zh-CN": "各等级客户数", "en": "Customers per grade"},
    "grade.axis.before": {"zh-CN": "原等级", "en": "Before"},
})

COLUMNS.update({
    "stage": ("阶段", "Stage"), "leads": ("线索数", "Leads"), "step_rate": ("环节转化率", "Step rate"),
    "converted": ("成交数", "Converted"), "intent_level": ("意向级别", "Intent level"),
    "median_days": ("成交天数中位数", "Median days to deal"), "promised": ("承诺天数", "Promised days"),
    "within_promise": ("按期成交占比", "Within promise"), "consultant": ("销售顾问", "Consultant"),
    "hot_leads": ("O/H 级线索", "O/H leads"), "hot_rate": ("O/H 成交率", "O/H conversion"),
    "others_hot_rate": ("其他顾问 O/H 成交率", "Others' O/H conversion"), "overall_rate": ("总成交率", "Overall conversion"),
    "z": ("z 值", "z"), "trusted": ("级别可信", "Levels trusted"), "cost": ("渠道费用", "Cost"),
    "cost_per_lead": ("单条线索成本", "Cost per lead"), "cost_per_deal": ("单笔成交成本", "Cost per deal"),
    "lead_id": ("登记编号", "Lead"), "model_grade": ("模型等级", "Model grade"), "factors": ("主要因素", "Top factors"),
    "next_followup": ("建议下次跟进", "Next follow-up"), "product": ("意向产品", "Product"),
    "channel": ("信息来源", "Channel"), "created_date": ("来店(电)日期", "Visit date"),
    "conversion_rate": ("成交率", "Conversion rate"), "rate_low": ("95%区间下限", "95% CI low"),
    "rate_high": ("95%区间上限", "95% CI high"), "share_of_leads": ("占全部线索", "Share of leads"),
    "visit_type": ("首次/再次", "Visit type"),
})
VALUES.update({"collected": ("搜集", "collected"), "contacted": ("联系", "contacted"), "intent": ("意向", "intent"),
               "deal": ("成交", "deal"), "newspaper": ("A 报纸", "newspaper"), "radio": ("B 电台", "radio"),
               "tv": ("C 电视", "TV"), "exhibition": ("D 车展/展会", "exhibition"), "storefront": ("E 店头活动", "storefront"),
               "phone": ("T 电话预约", "phone appointment"), "internet": ("G 网络", "internet"),
               "referral": ("P 朋友介绍", "referral"), "first": ("首次", "first"), "repeat": ("再次", "repeat")})

_TEXT.update({
    "lead.intro": {"zh-CN": "本页分析来店(电)客户登记（A卡）中的 {n} 条线索：渠道效果、意向级别是否可靠、战败原因，"
                            "并用模型预测在跟进中的线索在来店后 {days} 天内成交的概率。成交结果已知的线索 {labelled} 条，成交率 {rate}。",
                   "en": "This page analyses the {n} leads of the lead register (A card): channels, whether intent levels "
                         "can be trusted, lost reasons, and a model of the chance that an open lead closes within "
                         "{days} days of the visit. {labelled} leads have a known outcome; {rate} converted."},
    "lead.funnel": {"zh-CN": "#### 开发阶段漏斗", "en": "#### Development funnel"},
    "lead.channels": {"zh-CN": "#### 渠道效果\n各来店渠道的成交率（95% 区间）{cost}：", "en": "#### Channels\nConversion by channel (95% interval){cost}:"},
    "lead.cost_note": {"zh-CN": "及渠道费用", "en": " and channel cost"},
    "lead.by": {"zh-CN": "按{what}：", "en": "By {what}:"},
    "lead.intent": {"zh-CN": "#### 意向级别校验\n各意向级别的实际成交率与成交天数，对照级别承诺的时间：",
                    "en": "#### Intent levels\nActual conversion and days to the deal per level, against what the level promises:"},
    "lead.reliability": {"zh-CN": "各销售顾问评定的 O/H 级是否可信（与其他顾问的 O/H 级成交率比较）：{names}",
                         "en": "Whether each consultant's O/H levels can be trusted (against the other consultants' O/H leads): {names}"},
    "lead.untrusted": {"zh-CN": "以下顾问的 O/H 级明显偏高，需复核：{names}。", "en": "Levels to review (clearly over-graded): {names}."},
    "lead.all_trusted": {"zh-CN": "各顾问的意向级别均可信。", "en": "Every consultant's levels can be trusted."},
    "lead.lost": {"zh-CN": "#### 战败原因", "en": "#### Lost leads"},
    "lead.model": {"zh-CN": "#### 成交预测模型\n{scheme}比较逻辑回归与梯度提升，选用{chosen}（概率已校准）。验证集 ROC AUC {auc}"
                            "（不建模为 0.5）、平均精确率 {ap}（基准 {base}）：模型排在前 10% 的线索成交率是平均水平的 {lift} 倍。",
                   "en": "#### Conversion model\n{scheme}Of logistic regression and gradient boosting, {chosen} is used "
                         "(calibrated). Validation ROC AUC {auc} (0.5 without a model), average precision {ap} "
                         "(baseline {base}): the top 10% of leads by the model convert {lift} times as often as the average."},
    "lead.scheme.time": {"zh-CN": "用 {cutoff} 之前登记的线索训练、之后的线索检验。", "en": "Trained on leads registered before {cutoff}, checked on the later ones. "},
    "lead.scheme.stratified": {"zh-CN": "登记表没有来店日期，改用分层随机验证（无法按时间检验）。",
                               "en": "The register has no visit dates: a stratified random split is used instead of a time-ordered one. "},
    "lead.open": {"zh-CN": "#### 在跟进线索\n{n} 条线索仍在跟进：模型 A 级 {a} 条、B 级 {b} 条。模型等级与顾问评定的意向级别对照：",
                  "en": "#### Open leads\n{n} leads are open: {a} model grade A, {b} grade B. Model grade against the consultant's intent level:"},
    "lead.list": {"zh-CN": "跟进名单（前 {n} 条；按销售顾问分表的完整名单见 Excel 附件）：",
                  "en": "Follow-up list (first {n}; the full list, one sheet per consultant, is in the Excel file):"},
    "lead.chart.channels": {"zh-CN": "各渠道成交率（95% 区间）", "en": "Conversion by channel (95% interval)"},
    "lead.chart.funnel": {"zh-CN": "开发阶段漏斗", "en": "Funnel"},
    "lead.chart.lost": {"zh-CN": "战败原因帕累托图", "en": "Lost reasons (Pareto)"},
    "lead.axis.rate": {"zh-CN": "成交率", "en": "Conversion rate"},
    "lead.axis.leads": {"zh-CN": "线索数", "en": "Leads"},
    "lead.headline.rate": {"zh-CN": "线索成交率", "en": "Lead conversion"},
    "lead.headline.open_a": {"zh-CN": "高成交概率在跟进线索", "en": "Open leads, grade A"},
    "lead.headline.auc": {"zh-CN": "成交模型 ROC AUC", "en": "Conversion model ROC AUC"},
})
