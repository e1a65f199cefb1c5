"""Parameters: defaults.yaml, overlaid by <YYYY-MM>.yaml and command-line values, checked by one schema."""

from __future__ import annotations

import datetime as dt
import json
import os
import posixpath
import re
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from .data.schema import INTENT_LEVELS, TABLES
from .errors import ConfigError
from .periods import FORMATS as PERIOD_FORMATS
from .periods import Period, is_period, parse_period

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TABLE_NAMES = tuple(TABLES)  # the canonical tables, defined once in analysis.data.schema
#: the eight criteria of the grading procedure, in report order (weights, rules and points follow it)
GRADING_CRITERIA = ("sales_volume", "payment", "margin", "order_quantity", "sales_model", "share_of_wallet", "years",
                    "reputation")
CHECKS = ("empty_file", "missing_sheet", "merged_header", "missing_column", "missing_value",
          "wrong_type", "unknown_label", "out_of_range", "duplicate_key", "orphan",
          "future_date", "before_founding", "unknown_column", "missing_table", "unreadable_file",
          "formula_without_value", "too_large",
          # consistency checks the procedures imply (analysis.data.consistency; warnings by default)
          "followup_before_reply", "followup_before_receipt", "reply_before_receipt", "deal_before_visit",
          "payment_before_order", "answer_before_sent", "delivery_before_order", "decision_before_submission",
          "return_before_order",
          "month_after_data")  # the report month begins well after the data ends (analysis.data.validate)


class _Strict(BaseModel):
    # a number where text is expected is that text (survey.not_applicable: [0] means the answer "0")
    model_config = ConfigDict(extra="forbid", validate_assignment=True, coerce_numbers_to_str=True)


class Company(_Strict):
    name: str = "示例制造有限公司"
    founded: dt.date = dt.date(2005, 1, 1)


class ExtraColumn(_Strict):
    """A column the company keeps beyond the canonical ones, kept under a name of its own."""

    header: str
    dtype: Literal["string", "float", "date", "bool"] = "string"


class Source(_Strict):
    file: str
    sheet: str | None = None
    header_row: int = Field(1, ge=1)
    encoding: Literal["auto", "utf-8", "utf-8-sig", "gb18030"] = "auto"
    columns: dict[str, str] = Field(default_factory=dict)
    extra: dict[str, ExtraColumn] = Field(default_factory=dict)


#: the files the demo writes and a company's exports are looked for by default: table -> (file stem, sheet)
DEFAULT_SOURCES = {"customers": ("客户档案", "客户档案"), "orders": ("销售统计", "销售明细"), "payments": ("回款记录", "回款明细"),
                   "surveys": ("客户满意度调查表", "调查表"), "complaints": ("客户投诉登记表", "投诉登记"),
                   "leads": ("来店客户信息登记表", "A卡登记"), "lead_events": ("客户跟进记录", "跟进记录"),
                   "requirements": ("需求登记反馈表", "需求登记"), "returns": ("客户退货记录", "退货明细"),
                   "targets": ("销售目标", "销售目标"), "products": ("产品档案", "产品档案")}


class DataParams(_Strict):
    raw_dir: str = "data/raw"
    processed_dir: str = "data/processed"
    sources: dict[Literal[TABLE_NAMES], Source] = Field(default_factory=lambda: {  # type: ignore[valid-type]
        name: Source(file=f"{stem}.xlsx", sheet=sheet) for name, (stem, sheet) in DEFAULT_SOURCES.items()})
    labels: dict[str, dict[str, str]] = Field(default_factory=dict)
    max_uncompressed_mb: float = Field(2000, gt=0)  # a workbook unpacking to more is refused before reading
    max_cells: int = Field(50_000_000, ge=1)  # a sheet holding more cells is refused before reading
    keep_caches: int = Field(3, ge=1, le=50)  # processed-table folders kept in data/processed
    allow_outside_raw_dir: bool = False  # a sources.<table>.file may lie outside raw_dir (absolute or ../)

    @field_validator("labels", mode="before")
    @classmethod
    def _yes_no_words(cls, value):
        # YAML reads yes / no (and true / false) as booleans: in a label map onto a yes/no column
        # ({Attrited Customer: yes}) they stand for the words
        if isinstance(value, dict):
            return {key: {label: ("yes" if meaning else "no") if isinstance(meaning, bool) else meaning
                          for label, meaning in labels.items()} if isinstance(labels, dict) else labels
                    for key, labels in value.items()}
        return value

    @field_validator("labels")
    @classmethod
    def _label_keys(cls, value):
        for key in value:
            table, _, column = key.partition(".")
            if table not in TABLE_NAMES or not column:
                raise ValueError(f"label map keys must look like 'table.column' with a table among "
                                 f"{', '.join(TABLE_NAMES)}; got '{key}'")
        return value


class ValidationParams(_Strict):
    severity: dict[Literal[CHECKS], Literal["error", "warning"]] = Field(default_factory=dict)  # type: ignore[valid-type]
    max_cases_shown: int = Field(5, ge=1, le=1000)


class GradeRule(_Strict):
    """Least values a customer must reach for a satisfaction grade (KPIs without data are not checked)."""

    score: float = Field(ge=0, le=1)
    on_time: float = Field(ge=0, le=1)
    quality_pass: float = Field(ge=0, le=1)
    major_complaints: int = Field(ge=0)


class ComplaintParams(_Strict):
    reply_hours: float = Field(24, gt=0)
    followup_hours: float = Field(72, gt=0)
    repeat_window_days: int = Field(90, ge=1)
    repeat_min: int = Field(2, ge=2)
    months_shown: int = Field(12, ge=1, le=60)
    department_workdays: int = Field(1, ge=1, le=60)  # responsible department named within this many working days
    visit_record_workdays: int = Field(5, ge=1, le=60)  # visit record filed this many working days after the visit


class CalendarParams(_Strict):
    """Working days: the official Chinese calendar (public holidays and adjusted working weekends, 调休) from
    the chinesecalendar package, plus the days listed here (years the package does not cover yet, company
    closures). A listed day wins over the package."""

    official: bool = True  # False: weekends and the lists below only (a company outside mainland China)
    holidays: list[dt.date] = Field(default_factory=list)  # days off that are not weekends
    workdays: list[dt.date] = Field(default_factory=list)  # weekend days that are working days

    @model_validator(mode="after")
    def _disjoint(self):
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError(f"a day cannot be both a holiday and a working day; both lists hold "
                             f"{', '.join(map(str, both))}")
        return self


class RequirementParams(_Strict):
    """The requirement register (需求登记反馈表) and its monthly summary (需求收集处理月度总结)."""

    min_decided: int = Field(3, ge=1)  # staff with fewer final decisions in the period are shown but not ranked
    late_steps: tuple[int, int] = (1, 7)  # days late of the procedure's penalty steps: <=1, <=7, more
    urgent: list[Literal["A", "B", "C", "D"]] = Field(default_factory=lambda: ["A", "B"])  # listed when past their date
    top_words: int = Field(5, ge=1, le=50)  # most frequent summary keywords shown per product

    @model_validator(mode="after")
    def _steps(self):
        if not 0 < self.late_steps[0] < self.late_steps[1]:
            raise ValueError(f"requirements.late_steps must be two increasing day counts above 0, e.g. [1, 7]; "
                             f"got {list(self.late_steps)}")
        return self


class CadenceParams(_Strict):
    """How often customers must be surveyed and visited, and when a development project is escalated."""

    key_grades: list[str] = Field(default_factory=lambda: ["A"])  # customers.grade values of key customers
    key_months: int = Field(6, ge=1, le=36)  # key customers surveyed at least this often (months)
    other_months: int = Field(12, ge=1, le=60)  # other customers surveyed at least this often
    after_major_days: int = Field(30, ge=1, le=365)  # a survey within this many days after a major complaint
    visit_grades: list[str] = Field(default_factory=lambda: ["A"])  # grades visited or called every visit_months
    visit_months: int = Field(3, ge=1, le=24)
    contact_types: list[str] = Field(default_factory=lambda: ["call", "visit"])  # lead_events kinds that count
    project_flag_months: int = Field(3, ge=1)  # an open development lead without progress this long is flagged
    project_review_months: int = Field(6, ge=1)  # ... reviewed
    project_close_months: int = Field(12, ge=1)  # ... closed or approved again
    project_clock: Literal["registration", "last_contact"] = "registration"  # months counted from

    @model_validator(mode="after")
    def _order(self):
        if not self.project_flag_months < self.project_review_months < self.project_close_months:
            raise ValueError("cadence.project_flag_months < project_review_months < project_close_months must hold; "
                             f"got {self.project_flag_months}, {self.project_review_months}, "
                             f"{self.project_close_months}")
        return self


class SurveyParams(_Strict):
    scale: Literal["five_level", "four_level"] = "five_level"
    scale_labels: dict[str, int] = Field(default_factory=dict)
    not_applicable: list[str] = Field(default_factory=lambda: ["不适用", "N/A", "NA"])
    dimensions: list[str] = Field(default_factory=lambda: ["quality", "delivery", "service", "price",
                                                           "technology", "communication"])
    dimension_labels: dict[str, str] = Field(default_factory=dict)
    departments: dict[str, str] = Field(default_factory=lambda: {
        "quality": "质量部", "delivery": "生产计划部", "service": "客户服务部", "price": "销售部", "technology": "技术部",
        "communication": "销售部"})
    response_target: float = Field(0.9, gt=0, le=1)
    score_target: float = Field(0.8, gt=0, le=1)
    followup_days: int = Field(15, ge=1)
    min_answers: int = Field(5, ge=1)
    period_months: int = Field(6, ge=1, le=24)
    capa_item_below: float = Field(3, gt=1)
    capa_due_days: int = Field(183, ge=1)
    capa_lookback_months: int = Field(12, ge=1, le=120)
    overall: Literal["items", "question"] = "items"
    segments: list[str] = Field(default_factory=lambda: ["region", "branch", "grade"])
    alpha: float = Field(0.05, gt=0, lt=0.5)
    min_effect: float = Field(0.2, ge=0)
    bootstrap: int = Field(300, ge=50, le=10000)
    seed: int = 42
    grades: dict[Literal["A", "B", "C"], "GradeRule"] = Field(default_factory=lambda: {
        "A": GradeRule(score=0.9, on_time=0.98, quality_pass=0.98, major_complaints=0),
        "B": GradeRule(score=0.8, on_time=0.95, quality_pass=0.95, major_complaints=0),
        "C": GradeRule(score=0.7, on_time=0.9, quality_pass=0.9, major_complaints=1)})

    @property
    def scale_max(self) -> int:
        return 5 if self.scale == "five_level" else 4

    @model_validator(mode="after")
    def _check(self):
        if not self.dimensions:
            raise ValueError("survey.dimensions must name at least one dimension")
        for label, points in self.scale_labels.items():
            if not 1 <= points <= self.scale_max:
                raise ValueError(f"survey.scale_labels['{label}'] must be between 1 and "
                                 f"{self.scale_max} for the {self.scale} scale; got {points}")
        return self


class FeatureLists(_Strict):
    categorical: list[str] = Field(default_factory=list)
    numeric: list[str] = Field(default_factory=list)


class Bands(_Strict):
    high: float = Field(0.3, gt=0, lt=1)
    medium: float = Field(0.15, gt=0, lt=1)

    @model_validator(mode="after")
    def _order(self):
        if self.medium >= self.high:
            raise ValueError(f"the medium threshold must be below the high one; got medium {self.medium}, high {self.high}")
        return self


class ChurnParams(_Strict):
    label: Literal["auto", "no_order", "flag", "contract_end"] = "auto"
    horizon_days: int = Field(90, ge=7, le=730)
    training_snapshots: int = Field(12, ge=2, le=60)
    features: FeatureLists = Field(default_factory=lambda: FeatureLists(
        categorical=["region", "industry", "sales_model"], numeric=["reputation", "share_of_wallet"]))
    value: Literal["sales", "margin"] = "sales"
    bands: Bands = Field(default_factory=Bands)
    segment: str = "grade"
    min_segment: int = Field(10, ge=1)  # segment values with fewer customers get no churn rate of their own
    top_reasons: int = Field(3, ge=1, le=10)
    min_positives: int = Field(30, ge=5)
    seed: int = 42
    duckdb_memory: str = Field("500MB", pattern=r"^\d+(\.\d+)?\s*(MB|GB|MiB|GiB)$")
    max_calibration_error: float = Field(0.05, gt=0, lt=1)  # probabilities called calibrated only below this
    max_training_rows: int = Field(200_000, ge=1000)  # training snapshots above this are subsampled (stratified)
    leakage_auc: float = Field(0.95, gt=0.5, le=1)  # a single input separating the outcome above this is flagged


class ThresholdStep(_Strict):
    min: float
    share: float = Field(ge=0, le=1)


class CriterionRule(_Strict):
    method: Literal["percentile", "thresholds", "values"]
    thresholds: list[ThresholdStep] = Field(default_factory=list)
    values: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self):
        if self.method == "thresholds" and not self.thresholds:
            raise ValueError("method thresholds needs a list of thresholds ({min: value, share: 0..1})")
        if self.method == "values" and not self.values:
            raise ValueError("method values needs a map of values {category: share 0..1}")
        return self


class Policy(_Strict):
    discount: str
    payment_terms: str
    delivery_days: int = Field(ge=0)
    visit: str


_DEFAULT_RULES = {
    "sales_volume": {"method": "percentile"},
    "payment": {"method": "thresholds", "thresholds": [{"min": 0.95, "share": 1.0}, {"min": 0.85, "share": 0.7},
                                                      {"min": 0.7, "share": 0.4}, {"min": 0.0, "share": 0.0}]},
    "margin": {"method": "percentile"},
    "order_quantity": {"method": "percentile"},
    "sales_model": {"method": "values", "values": {"direct": 1.0, "distributor": 0.7, "agent": 0.5, "online": 0.5}},
    "share_of_wallet": {"method": "thresholds", "thresholds": [{"min": 60, "share": 1.0}, {"min": 40, "share": 0.7},
                                                              {"min": 20, "share": 0.4}, {"min": 0, "share": 0.1}]},
    "years": {"method": "thresholds", "thresholds": [{"min": 5, "share": 1.0}, {"min": 3, "share": 0.7},
                                                    {"min": 1, "share": 0.4}, {"min": 0, "share": 0.1}]},
    "reputation": {"method": "thresholds", "thresholds": [{"min": 5, "share": 1.0}, {"min": 4, "share": 0.8},
                                                         {"min": 3, "share": 0.5}, {"min": 0, "share": 0.2}]},
}


class GradingParams(_Strict):
    period_months: int = Field(12, ge=1, le=36)
    weights: dict[Literal[GRADING_CRITERIA], float] = Field(default_factory=lambda: {  # type: ignore[valid-type]
        "sales_volume": 25, "payment": 15, "margin": 15, "order_quantity": 10, "sales_model": 5,
        "share_of_wallet": 10, "years": 10, "reputation": 10})
    rules: dict[str, CriterionRule] = Field(default_factory=lambda: {k: CriterionRule(**v) for k, v in _DEFAULT_RULES.items()})
    redistribute_missing: bool = False
    method: Literal["quota", "thresholds"] = "quota"
    quotas: dict[Literal["A", "B", "C", "D"], float] = Field(default_factory=lambda: {"A": 0.2, "B": 0.3, "C": 0.4, "D": 0.1})
    thresholds: dict[Literal["A", "B", "C"], float] = Field(default_factory=lambda: {"A": 80, "B": 65, "C": 45})
    provisional_months: int = Field(6, ge=0)
    late_payments_for_downgrade: int = Field(2, ge=1)
    late_payment_window: Literal["quarter", "rolling_3_months"] = "quarter"
    policies: dict[Literal["A", "B", "C", "D"], Policy] = Field(default_factory=lambda: {
        "A": Policy(discount="至多5%", payment_terms="发货后3个月内", delivery_days=20, visit="每季度拜访或电话"),
        "B": Policy(discount="至多3%", payment_terms="货到付款或30天", delivery_days=30, visit="每半年"),
        "C": Policy(discount="牌价", payment_terms="不予赊账", delivery_days=40, visit="每年"),
        "D": Policy(discount="牌价加5%", payment_terms="款到发货", delivery_days=40, visit="按需")})
    segments: dict[Literal["A", "B", "C", "D"], dict[Literal["high", "medium", "low"],
                   Literal["protect", "maintain", "develop", "reduce"]]] = Field(default_factory=lambda: {
        "A": {"high": "protect", "medium": "protect", "low": "maintain"},
        "B": {"high": "protect", "medium": "protect", "low": "maintain"},
        "C": {"high": "reduce", "medium": "develop", "low": "develop"},
        "D": {"high": "reduce", "medium": "reduce", "low": "reduce"}})

    @model_validator(mode="after")
    def _check(self):
        criteria = set(GRADING_CRITERIA)
        if set(self.weights) != criteria:
            raise ValueError(f"grading.weights must give all eight criteria ({', '.join(sorted(criteria))}); "
                             f"missing {', '.join(sorted(criteria - set(self.weights)))}")
        total = sum(self.weights.values())
        if abs(total - 100) > 1e-6:
            raise ValueError(f"grading.weights must sum to 100; they sum to {total:g}")
        if set(self.rules) != criteria:
            raise ValueError(f"grading.rules must give a rule for each of the eight criteria; missing "
                             f"{', '.join(sorted(criteria - set(self.rules))) or 'none'}, unknown "
                             f"{', '.join(sorted(set(self.rules) - criteria)) or 'none'}")
        if set(self.quotas) != {"A", "B", "C", "D"} or abs(sum(self.quotas.values()) - 1) > 1e-6:
            raise ValueError(f"grading.quotas must give A, B, C and D summing to 1; they sum to {sum(self.quotas.values()):g}")
        for name in ("policies", "segments"):
            if getattr(self, name) and set(getattr(self, name)) != {"A", "B", "C", "D"}:
                raise ValueError(f"grading.{name} must cover the grades A, B, C and D")
        for grade, row in self.segments.items():
            if set(row) != {"high", "medium", "low"}:
                raise ValueError(f"grading.segments.{grade} must map each risk band high, medium and low")
        return self


class LeadParams(_Strict):
    conversion_days: int = Field(90, ge=1, le=730)
    validation_months: int = Field(3, ge=1, le=24)
    intent_days: dict[Literal[INTENT_LEVELS], tuple[int, int | None]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: {
        "O": (0, 0), "H": (0, 3), "A": (7, 15), "B": (15, 90), "C": (91, None)})
    channel_costs: dict[str, float] = Field(default_factory=dict)
    features: FeatureLists = Field(default_factory=FeatureLists)
    after_outcome: list[str] = Field(default_factory=list)
    grade_thresholds: dict[Literal["A", "B"], float] = Field(default_factory=lambda: {"A": 0.5, "B": 0.2})
    followup_days: dict[Literal["A", "B", "C"], int] = Field(default_factory=lambda: {"A": 1, "B": 3, "C": 7})
    open_window_days: int = Field(365, ge=1, le=3650)
    stale_days: int = Field(30, ge=1)
    consultant_branches: dict[str, str] = Field(default_factory=dict)
    alpha: float = Field(0.05, gt=0, lt=0.5)
    min_positives: int = Field(30, ge=5)
    seed: int = 42
    max_calibration_error: float = Field(0.05, gt=0, lt=1)  # probabilities called calibrated only below this
    max_training_rows: int = Field(100_000, ge=1000)  # labelled leads above this are subsampled (stratified)
    leakage_auc: float = Field(0.95, gt=0.5, le=1)  # a single feature separating the outcome above this is flagged

    @model_validator(mode="after")
    def _check(self):
        leaked = sorted((set(self.features.categorical) | set(self.features.numeric)) & set(self.after_outcome))
        if leaked:
            raise ValueError(f"leads.features {', '.join(leaked)} are declared known only after the outcome "
                             "(leads.after_outcome) and cannot be model inputs")
        if self.grade_thresholds["B"] >= self.grade_thresholds["A"]:
            raise ValueError("leads.grade_thresholds: B must be below A")
        return self


class SalesParams(_Strict):
    """The monthly sales and market summary (月度市场销售数据总结)."""

    new_product_months: int = Field(12, ge=1, le=120)  # a product launched within this many months is new
    breakdowns: list[str] = Field(default_factory=lambda: ["branch", "region", "product_line"])  # target, growth
    segments: list[str] = Field(default_factory=lambda: ["industry", "region"])  # penetration per customer column
    market_size: dict[str, dict[str, float]] = Field(default_factory=dict)  # potential customers per segment value
    lapse_days: int = Field(90, ge=7, le=730)  # a customer without an order this long has lapsed
    top_customers: int = Field(10, ge=1, le=100)  # customers in the top list and in each movers list
    record_target: float = Field(0.9, gt=0, le=1)  # archive fields filled for fewer customers than this are named

    @model_validator(mode="after")
    def _market(self):
        for column, sizes in self.market_size.items():
            bad = {value: size for value, size in sizes.items() if not size > 0}
            if bad:
                raise ValueError(f"the market sizes of {column} must each be a number of potential customers "
                                 f"above 0; got {bad}")
        return self


class Scope(_Strict):
    """Restrict every analysis to the customers whose ``column`` equals ``value`` (a branch, a region)."""

    column: str
    value: str


class RunParams(_Strict):
    split_by: str | None = None
    split_values: list[str] | None = None
    notebooks: list[str] = Field(default_factory=lambda: ["sales_summary", "data_quality", "satisfaction",
                                                          "lead_conversion", "churn_risk", "customer_grading",
                                                          "requirements"])
    workers: int = Field(2, ge=1, le=64)
    kernel: str = "python3"
    warm_kernels: bool = True
    timeout_seconds: int = Field(900, ge=10)

    @field_validator("split_values", mode="before")
    @classmethod
    def _one_value_is_a_list(cls, value):
        if isinstance(value, str):  # -p run.split_values=上海分公司: one branch; -p run.split_values= : every one
            return [value] if value.strip() else None
        return value

    @field_validator("notebooks", mode="before")
    @classmethod
    def _one_notebook_is_a_list(cls, value):
        if isinstance(value, str):  # -p run.notebooks=satisfaction: that page (and nothing: no page, refused below)
            return [value.strip()] if value.strip() else []
        return value

    @field_validator("notebooks")
    @classmethod
    def _some_notebooks(cls, value):
        if not value:  # a run of no page would replace the month's run with an empty one
            raise ValueError("must name at least one notebook. Name the pages to run, e.g. [satisfaction], or leave "
                             "run.notebooks out for every page")
        return value

    @model_validator(mode="after")
    def _values_need_a_column(self):
        if self.split_values and not self.split_by:
            raise ValueError(f"names values of run.split_by, which is empty. Got {self.split_values}. Set "
                             "run.split_by (branch, region) as well, or leave run.split_values empty")
        return self


class SiteParams(_Strict):
    engine: Literal["nbconvert", "quarto"] = "nbconvert"
    title: str = "客户洞察月报"
    language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"

    @field_validator("language")
    @classmethod
    def _language(cls, value):
        from .i18n import languages

        if value not in languages():
            raise ValueError(f"must be one of {', '.join(languages())} (a message catalogue each in "
                             "src/analysis/locales/)")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be a time zone name such as Asia/Shanghai") from None
        return value


class ExportParams(_Strict):
    include_contacts: bool = False


class Parameters(_Strict):
    """Every parameter of the workbench; ``parameters/defaults.yaml`` documents each one."""

    #: the report period's last month (YYYY-MM): the cut-off of the models, registers and freshness
    month: str | None = None
    #: the report period: 2026-10, 2026-Q3 or 2026 (the month's own label for a monthly report)
    period: str | None = None
    #: for a period run before it ended (--allow-incomplete): the last day whose data count (set by the run)
    as_of: dt.date | None = None
    scope: Scope | None = None
    company: Company = Field(default_factory=Company)
    data: DataParams = Field(default_factory=DataParams)
    validation: ValidationParams = Field(default_factory=ValidationParams)
    survey: SurveyParams = Field(default_factory=SurveyParams)
    complaints: ComplaintParams = Field(default_factory=ComplaintParams)
    calendar: CalendarParams = Field(default_factory=CalendarParams)
    requirements: RequirementParams = Field(default_factory=RequirementParams)
    cadence: CadenceParams = Field(default_factory=CadenceParams)
    churn: ChurnParams = Field(default_factory=ChurnParams)
    grading: GradingParams = Field(default_factory=GradingParams)
    leads: LeadParams = Field(default_factory=LeadParams)
    sales: SalesParams = Field(default_factory=SalesParams)
    run: RunParams = Field(default_factory=RunParams)
    site: SiteParams = Field(default_factory=SiteParams)
    exports: ExportParams = Field(default_factory=ExportParams)

    _root: Path = PrivateAttr(default=Path("."))

    @model_validator(mode="before")
    @classmethod
    def _period(cls, data):
        """``month`` may name any period (2026-Q3): ``period`` keeps the label, ``month`` its last month."""
        if not isinstance(data, dict):
            return data
        label = data.get("period") or data.get("month")
        if label is None:
            return data
        if not is_period(label):
            raise ValueError(f"month must be {PERIOD_FORMATS}; got '{label}'")
        period = parse_period(label)
        month = period.cutoff_month
        as_of = data.get("as_of")
        if as_of not in (None, ""):
            as_of = dt.date.fromisoformat(str(as_of)[:10])
            month = min(month, f"{as_of.year:04d}-{as_of.month:02d}")  # the models' cut-off: the last month with data
        return {**data, "period": period.label, "month": month}

    @property
    def root(self) -> Path:
        return self._root

    def path(self, relative: str | os.PathLike) -> Path:
        """Resolve a path from the parameters against the project root."""
        p = Path(relative)
        return p if p.is_absolute() else self._root / p

    @property
    def report_period(self) -> Period:
        """The report period (a month, a quarter or a year)."""
        return parse_period(self.period or self.month)

    @property
    def period_months(self) -> int:
        """Months the report period covers: 1, 3 or 12."""
        return self.report_period.months

    @property
    def period_start(self) -> dt.date:
        """First day of the report period."""
        return self.report_period.start

    @property
    def period_end(self) -> dt.date:
        """Last day of the report period (the last day of its last month), or ``as_of`` when the period had not
        ended when it was run (the figures count the days up to then)."""
        end = self.report_period.end
        return min(end, self.as_of) if self.as_of else end

    def fingerprint(self) -> str:
        """Canonical JSON of every value, for hashing and the manifest."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def find_project_root(start: str | os.PathLike | None = None) -> Path:
    """Return the folder holding ``parameters/defaults.yaml``: $WORKBENCH_HOME, or upwards from ``start``."""
    env = os.environ.get("WORKBENCH_HOME")
    if env:
        return Path(env).resolve()
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "parameters" / "defaults.yaml").is_file():
            return folder
    raise ConfigError(f"{here}: no parameters/defaults.yaml here or in any parent folder. "
                      "Run from inside the project, or set WORKBENCH_HOME to the project folder.")


def last_complete_month(today: dt.date | None = None) -> str:
    """The month before ``today``'s month, as YYYY-MM."""
    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``key.path=value``; the value is read as YAML (numbers, booleans, lists)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"-p {text}: a parameter must be written key.path=value, "
                          "e.g. -p survey.response_target=0.85")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def load_parameters(month: str | None = None, overrides: dict[str, Any] | list[str] | None = None,
                    root: str | os.PathLike | None = None) -> Parameters:
    """Load and validate the parameters for ``month``.

    Parameters
    ----------
    month : a report period or None
        2026-10 (a month), 2026-Q3 (a quarter) or 2026 (a year); None means the value in
        the files or, failing that, the last complete month. ``parameters/<period>.yaml``
        (e.g. ``parameters/2026-Q3.yaml``) is applied over the defaults when it exists.
    overrides : {"key.path": value} or ["key.path=value", ...]
        Command-line values, applied last.
    root : project folder; found from the working directory when None.

    Raises
    ------
    ConfigError
        naming the key path, the file that set it, the value and what is expected.
    """
    root = Path(root).resolve() if root else find_project_root()
    layers: list[tuple[str, dict]] = [("parameters/defaults.yaml", _read_yaml(root / "parameters" / "defaults.yaml"))]
    if isinstance(overrides, list):
        overrides = dict(parse_override(item) for item in overrides)
    cli = {}
    for key, value in (overrides or {}).items():
        _set_path(cli, key.split("."), value)
    month = month or cli.get("period") or cli.get("month") or layers[0][1].get("month") or last_complete_month()
    if not is_period(month):
        raise ConfigError(f"the report period must be {PERIOD_FORMATS}. Got '{month}'.")
    month = parse_period(month).label
    month_file = root / "parameters" / f"{month}.yaml"
    if month_file.is_file():
        layers.append((f"parameters/{month}.yaml", _read_yaml(month_file)))
    layers.append(("the command line (-p)", cli))
    merged: dict = {}
    for _, layer in layers:
        merged = _deep_merge(merged, layer)
    merged["month"] = merged["period"] = month
    try:
        params = Parameters.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, layers)) from None
    params._root = root
    _check_sources_inside_raw_dir(params, layers)
    from .data.features import check_feature_lists  # a typing slip in a feature list is refused, not dropped

    check_feature_lists(params, lambda loc: _layer_of(loc, layers))
    return params


def _check_sources_inside_raw_dir(params: Parameters, layers: list[tuple[str, dict]]) -> None:
    """Each data.sources.<table>.file names a file inside data.raw_dir, unless data.allow_outside_raw_dir."""
    if params.data.allow_outside_raw_dir:
        return
    lines = []
    for table, source in params.data.sources.items():
        text = source.file.replace("\\", "/")
        inside = posixpath.normpath(text)
        if PurePosixPath(text).is_absolute() or PureWindowsPath(source.file).drive or inside.split("/")[0] == "..":
            loc = ["data", "sources", table, "file"]
            lines.append(f"  {_layer_of(loc, layers)} [key path: '{'/'.join(loc)}']: must be a file inside "
                         f"data.raw_dir ({params.data.raw_dir}). Got {source.file!r}. Copy the file into "
                         f"{params.data.raw_dir} and give its name there, or set data.allow_outside_raw_dir: true.")
    if lines:
        raise ConfigError(f"{len(lines)} parameter error(s):\n" + "\n".join(lines))


def page_order(params: Parameters) -> list[str]:
    """The pages in site order: run.notebooks as parameters/defaults.yaml lists them, then any page this run
    names that the list lacks. Not the command's own run.notebooks: a run of two pages of one month
    (-p "run.notebooks=[requirements, satisfaction]") must not reorder every other month's pages."""
    try:
        listed = (_read_yaml(params.root / "parameters" / "defaults.yaml").get("run") or {}).get("notebooks")
    except ConfigError:  # read once already when the parameters were loaded; this is only the order
        listed = None
    order = [str(n) for n in listed] if isinstance(listed, list) else []
    return order + [n for n in params.run.notebooks if n not in order]


def in_page_order(names, order: list[str]) -> list[str]:
    """``names`` (pages) sorted as in ``order`` (page_order()); pages it does not know last, by name."""
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"{path}: parameter file not found. Restore parameters/defaults.yaml from the project.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: must be text saved as UTF-8. Got byte 0x{raw[exc.start]:02x} at position "
                              f"{exc.start}, which no Chinese or UTF-8 encoding reads. Open it in a text editor and "
                              "save it with the encoding UTF-8.") from None
        _warn_once(f"warning: {path}: saved as GBK/GB18030, not UTF-8; read as GB18030. Save it with the "
                   "encoding UTF-8 (in Notepad: Save as, Encoding UTF-8) to silence this line.")
    try:
        # libyaml's loader when PyYAML has it (5x faster: the parameters are read at every command's start)
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}). Fix the indentation or quoting at that line.") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must hold key: value pairs at the top level. Got {type(data).__name__}.")
    return data


_warned: set[str] = set()


def _warn_once(line: str) -> None:
    """One line on standard error per process (parameters are loaded many times in a run)."""
    if line not in _warned:
        _warned.add(line)
        print(line, file=sys.stderr)


def _set_path(tree: dict, keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        tree = tree.setdefault(key, {})
        if not isinstance(tree, dict):
            raise ConfigError(f"-p {'.'.join(keys)}: '{key}' is a value, not a group of parameters.")
    tree[keys[-1]] = value


def _deep_merge(base: dict, overlay: dict) -> dict:
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _layer_of(loc: list[str], layers: list[tuple[str, dict]]) -> str:
    """The file (or the command line) that set the value at ``loc``: the last layer holding it."""
    for name, layer in reversed(layers):
        node: Any = layer
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
            else:
                break
        else:
            return name
    return "the parameters"


def _close_names(loc: list[str]) -> list[str]:
    """The known parameters spelled like the unknown last part of ``loc`` (survey.respons_target ->
    survey.response_target), as dotted key paths."""
    import difflib

    model: Any = Parameters
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    names = list(getattr(model, "model_fields", {}))
    return [".".join([*loc[:-1], name]) for name in difflib.get_close_matches(loc[-1], names, n=2, cutoff=0.7)]


def _format_validation_error(exc: ValidationError, layers: list[tuple[str, dict]]) -> str:
    lines = [f"{len(exc.errors())} parameter error(s):"]
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        where = _layer_of(loc, layers)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            close = _close_names(loc)
            msg = ("is not a known parameter" + (f" (did you mean {' or '.join(close)}?)" if close else "")
                   + ". Check the spelling against parameters/defaults.yaml")
        elif err["type"] == "literal_error":
            msg = f"must be {err['ctx']['expected']}"
        got = err.get("input")
        got_text = "" if err["type"] in ("extra_forbidden", "missing") or isinstance(got, dict) else f" Got {got!r}."
        lines.append(f"  {where} [key path: '{'/'.join(loc)}']: {msg}.{got_text}")
    return "\n".join(lines)
