"""Canonical tables, defined once: columns, types, allowed values, keys and personal data."""

from __future__ import annotations

from dataclasses import dataclass, field

#: dtype names used by the schema; see ``readers.coerce_column`` for how each is parsed
DTYPES = ("string", "int", "float", "date", "datetime", "bool", "category")


@dataclass(frozen=True)
class Column:
    """One canonical column.

    ``headers`` are the company headers (Chinese and English) recognised by default;
    a company adds its own in ``parameters`` (``data.sources.<table>.columns``).
    """

    name: str
    dtype: str
    description: str
    headers: tuple[str, ...] = ()
    required: bool = False
    allowed: tuple[str, ...] | None = None
    personal: bool = False
    minimum: float | None = None
    maximum: float | None = None
    future_ok: bool = False  # a date after today is legitimate (due dates, plans)
    references: str | None = None  # "table.column" this column must exist in

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: unknown dtype {self.dtype}")


@dataclass(frozen=True)
class Table:
    """One canonical table."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: str | None = None
    required: bool = False
    dynamic_float_columns: bool = False  # surveys: one score column per dimension
    #: columns a key is made of when the file has no key column (surveys without form numbers); see
    #: ``mapping.derived_ids``
    derived_key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name} has no column {name}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def personal_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.personal]


C = Column

CHANNELS = ("newspaper", "radio", "tv", "exhibition", "storefront", "phone", "internet",
            "referral", "other")
INTENT_LEVELS = ("O", "H", "A", "B", "C")
COMPLAINT_CATEGORIES = ("quality", "quantity", "delivery", "service", "price", "other")
SEVERITIES = ("major", "normal", "minor")
LEAD_STATUSES = ("open", "won", "lost", "invalid")
LEAD_STAGES = ("collected", "contacted", "intent", "deal", "loyal")
#: requirement register (需求登记反馈表): urgency A drop everything / B next / C fit in / D backlog
REQUIREMENT_PRIORITIES = ("A", "B", "C", "D")
#: decision of the decision group: 做 / 不做 / 再议 (no agreement yet) / 需求转换 (done differently than asked)
REQUIREMENT_DECISIONS = ("do", "dont", "revisit", "transform")
#: 需求状态: blank (open) / 完成 / 延期 (an approved delay request)
REQUIREMENT_STATUSES = ("open", "done", "delayed")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "customers",
            "Customer archive (客户档案): one row per customer.",
            key="customer_id",
            required=True,
            columns=(
                C("customer_id", "string", "Customer number", ("客户编号", "客户代码", "Customer ID"), required=True),
                C("customer_name", "string", "Customer (company or person) name", ("客户名称", "客户姓名", "Customer Name"), personal=True),
                C("contact_person", "string", "Contact person", ("联系人", "Contact"), personal=True),
                C("phone", "string", "Telephone", ("联系电话", "电话", "手机", "Phone"), personal=True),
                C("email", "string", "E-mail", ("电子邮箱", "邮箱", "E-mail", "Email"), personal=True),
                C("id_number", "string", "ID / credit code of a person", ("身份证号", "ID Number"), personal=True),
                C("address", "string", "Address", ("地址", "详细地址", "Address"), personal=True),
                C("region", "string", "Sales region", ("区域", "地区", "Region")),
                C("branch", "string", "Branch / office", ("分公司", "网点", "Branch")),
                C("industry", "string", "Industry", ("所属行业", "行业", "Industry")),
                C("sales_rep", "string", "Responsible sales representative", ("业务员", "销售代表", "负责人", "Sales Rep")),
                C("grade", "category", "The company's current customer grade", ("客户等级", "客户级别", "Grade"), allowed=("A", "B", "C", "D")),
                C("customer_since", "date", "First day of business with us", ("合作起始日期", "建档日期", "Customer Since")),
                C("sales_model", "category", "How we sell to the customer", ("销售模式", "Sales Model"), allowed=("direct", "distributor", "agent", "online")),
                C("reputation", "float", "Industry reputation, 1 (poor) to 5 (excellent), filled in by sales", ("行业口碑", "Reputation"), minimum=1, maximum=5),
                C("share_of_wallet", "float", "Our share of the customer's purchases, 0-100 %", ("采购占比", "Share of Wallet"), minimum=0, maximum=100),
                C("registered_capital", "float", "Registered capital, 10k CNY", ("注册资本", "Registered Capital"), minimum=0),
                C("credit_limit", "float", "Credit limit, CNY", ("信用额度", "Credit Limit"), minimum=0),
                C("churned", "bool", "Explicit churn flag, where the company keeps one (other labels: data.labels, "
                  "e.g. {'customers.churned': {Attrited Customer: yes, Existing Customer: no}})", ("是否流失", "Churned")),
                C("tenure_months", "float", "Months the customer has been with us (for a lost customer: until it left)",
                  ("在网月数", "合作月数", "客户时长(月)", "Tenure", "Months on Book"), minimum=0),
                C("contract_end", "date", "Contract end date", ("合同到期日", "Contract End"), future_ok=True),
            ),
        ),
        Table(
            "orders",
            "Sales statistics (销售统计): one row per order or delivery.",
            key="order_id",
            required=True,
            columns=(
                C("order_id", "string", "Order number", ("订单编号", "单号", "Order ID"), required=True),
                C("customer_id", "string", "Customer number", ("客户编号", "客户代码", "Customer ID"), required=True, references="customers.customer_id"),
                C("order_date", "date", "Order date", ("下单日期", "订单日期", "日期", "Order Date"), required=True),
                C("amount", "float", "Order amount, CNY", ("金额", "销售额", "订单金额", "Amount"), required=True, minimum=0),
                C("quantity", "float", "Quantity", ("数量", "Quantity"), minimum=0),
                C("product", "string", "Product", ("产品", "产品名称", "Product")),
                C("margin", "float", "Gross margin, CNY", ("毛利", "Margin")),
                C("due_date", "date", "Promised delivery date", ("约定交期", "Due Date"), future_ok=True),
                C("delivered_date", "date", "Actual delivery date", ("实际交货日期", "Delivered Date")),
                C("quality_passed", "bool", "Passed the customer's incoming inspection", ("质量合格", "Quality Passed")),
            ),
        ),
        Table(
            "payments",
            "Receivables and payments (回款记录): one row per invoice.",
            key="payment_id",
            columns=(
                C("payment_id", "string", "Invoice / receivable number", ("回款编号", "发票号", "Payment ID"), required=True),
                C("customer_id", "string", "Customer number", ("客户编号", "Customer ID"), required=True, references="customers.customer_id"),
                C("order_id", "string", "Order number", ("订单编号", "Order ID"), references="orders.order_id"),
                C("due_date", "date", "Payment due date", ("应收日期", "到期日", "Due Date"), required=True, future_ok=True),
                C("paid_date", "date", "Date paid (blank while unpaid)", ("实收日期", "回款日期", "Paid Date")),
                C("amount", "float", "Amount, CNY", ("应收金额", "金额", "Amount"), required=True, minimum=0),
            ),
        ),
        Table(
            "surveys",
            "Satisfaction survey form (客户满意度调查表): one row per customer and survey; "
            "one score column per dimension named in survey.dimensions.",
            key="survey_id",
            dynamic_float_columns=True,
            derived_key=("customer_id", "sent_date"),
            columns=(
                C("survey_id", "string", "Survey form number (without one: customer and sent date, e.g. "
                  "C000013-20260321, and -2, -3 for more forms of that day)", ("调查编号", "问卷编号", "Survey ID")),
                C("customer_id", "string", "Customer number", ("客户编号", "Customer ID"), required=True, references="customers.customer_id"),
                C("sent_date", "date", "Date the form was sent", ("发放日期", "调查日期", "Sent Date"), required=True),
                C("answered_date", "date", "Date the answer came back (blank: not answered; without the column, "
                  "forms with scores count as answered and the response rate is not measured)",
                  ("回收日期", "Answered Date")),
                C("overall", "float", "Overall satisfaction (same scale as the dimensions)", ("总体评价", "总体满意度", "Overall")),
                C("comment", "string", "Customer's comments and suggestions", ("意见和建议", "意见建议", "备注", "Comment")),
                C("respondent", "string", "Name of the person who answered", ("填表人", "Respondent"), personal=True),
            ),
        ),
        Table(
            "complaints",
            "Complaint log (客户投诉登记表): one row per complaint.",
            key="complaint_id",
            columns=(
                C("complaint_id", "string", "Complaint number", ("投诉编号", "Complaint ID"), required=True),
                C("customer_id", "string", "Customer number", ("客户编号", "Customer ID"), required=True, references="customers.customer_id"),
                C("received_at", "datetime", "Received (date and time)", ("投诉时间", "受理时间", "Received At"), required=True),
                C("category", "category", "Category", ("投诉类别", "类别", "Category"), required=True, allowed=COMPLAINT_CATEGORIES),
                C("severity", "category", "Severity", ("严重程度", "Severity"), allowed=SEVERITIES),
                C("department", "string", "Responsible department", ("责任部门", "Department")),
                C("replied_at", "datetime", "First reply to the customer", ("答复时间", "Replied At")),
                C("followed_up_at", "datetime", "Follow-up of the outcome", ("跟踪时间", "回访时间", "Followed Up At")),
                C("resolved", "bool", "Closed", ("是否解决", "已解决", "Resolved")),
                C("description", "string", "What the customer said", ("投诉内容", "Description")),
                C("department_assigned_at", "datetime", "When the responsible department was named (due within "
                  "complaints.department_workdays working days)", ("责任部门确定时间", "受理部门确定时间",
                                                                   "Department Assigned At")),
                C("visit_recorded_date", "date", "Date the visit record was filed (due within "
                  "complaints.visit_record_workdays working days of the follow-up visit)",
                  ("回访记录日期", "回访记录归档日期", "Visit Recorded Date")),
            ),
        ),
        Table(
            "leads",
            "Lead register, the A card (来店(电)客户信息登记表): one row per prospect.",
            key="lead_id",
            columns=(
                C("lead_id", "string", "Lead number", ("登记编号", "线索编号", "Lead ID"), required=True),
                C("created_date", "date", "Visit / call date", ("来店(电)日期", "登记日期", "Created Date")),
                C("prospect_name", "string", "Prospect's name", ("客户姓名", "Prospect Name"), personal=True),
                C("phone", "string", "Prospect's phone", ("联系电话", "电话", "Phone"), personal=True),
                C("product", "string", "Product of interest", ("意向车型", "意向产品", "Product")),
                C("channel", "category", "Information source / channel", ("信息来源", "来店渠道", "Channel"), allowed=CHANNELS),
                C("consultant", "string", "Sales consultant", ("销售顾问", "Consultant")),
                C("visit_type", "category", "First or repeat visit", ("首次/再次", "来店类型", "Visit Type"), allowed=("first", "repeat")),
                C("test_drive", "bool", "Test drive or sample", ("试乘试驾", "试用样品", "Test Drive")),
                C("intent_level", "category", "Intent level O/H/A/B/C", ("意向级别", "Intent Level"), allowed=INTENT_LEVELS),
                C("budget", "float", "Budget, CNY", ("预算", "Budget"), minimum=0),
                C("next_followup_date", "date", "Next follow-up date", ("下次跟进日期", "Next Follow-up"), future_ok=True),
                C("stage", "category", "Development stage", ("开发阶段", "Stage"), allowed=LEAD_STAGES),
                C("status", "category", "Outcome: open, won, lost, invalid", ("状态", "Status"), allowed=LEAD_STATUSES),
                C("deal_date", "date", "Date of the deal (known only after the outcome)", ("成交日期", "Deal Date")),
                C("lost_reason", "string", "Reason the lead was lost (known only after the outcome)", ("战败原因", "Lost Reason")),
                C("customer_id", "string", "Customer number once converted", ("客户编号", "Customer ID")),
            ),
        ),
        Table(
            "lead_events",
            "Follow-up log of the leads (跟进记录): one row per contact.",
            key="event_id",
            columns=(
                C("event_id", "string", "Record number", ("记录编号", "Event ID"), required=True),
                C("lead_id", "string", "Lead number", ("登记编号", "线索编号", "Lead ID"), required=True, references="leads.lead_id"),
                C("event_date", "date", "Date of the contact", ("跟进日期", "Event Date"), required=True),
                C("event_type", "category", "Kind of contact", ("跟进方式", "Event Type"), allowed=("call", "visit", "message", "test_drive", "quote")),
                C("consultant", "string", "Sales consultant", ("销售顾问", "Consultant")),
                C("note", "string", "Notes", ("跟进内容", "Note")),
            ),
        ),
        Table(
            "requirements",
            "Requirement register (需求登记反馈表): one row per customer requirement, its decision and delivery.",
            key="requirement_id",
            columns=(
                C("requirement_id", "string", "Requirement number", ("需求编号", "Requirement ID"), required=True),
                C("reporter", "string", "Staff member who reported it", ("填报人", "填表人", "需求报告人", "Reporter")),
                C("requester", "string", "Customer or user who asked for it", ("需求人", "需求方", "Requester"),
                  personal=True),
                C("customer_id", "string", "Customer number of the requester", ("客户编号", "Customer ID"),
                  references="customers.customer_id"),
                C("product", "string", "Product concerned", ("产品", "产品名称", "Product")),
                C("submitted_date", "date", "Date submitted", ("提交日期", "填报日期", "登记日期", "Submitted Date"),
                  required=True),
                C("priority", "category", "Urgency: A drop everything, B next, C fit in, D backlog",
                  ("需求分级", "需求缓急", "Priority"), allowed=REQUIREMENT_PRIORITIES),
                C("decision", "category", "Decision: do, don't, revisit, transformed",
                  ("决策结果", "Decision"), allowed=REQUIREMENT_DECISIONS),
                C("decided_date", "date", "Date of the decision meeting", ("决策日期", "Decided Date")),
                C("promised_date", "date", "Promised delivery date", ("预期交付日", "预计交付日", "Promised Date"),
                  future_ok=True),
                C("revised_date", "date", "New delivery date of an approved delay request",
                  ("新交付日", "延期后交付日", "Revised Date"), future_ok=True),
                C("delivered_date", "date", "Actual delivery date", ("实际交付日", "Delivered Date")),
                C("requirement_status", "category", "Status: blank or open, done, delayed (approved delay)",
                  ("需求状态", "Status"), allowed=REQUIREMENT_STATUSES),
                C("owner", "string", "Who delivers it (IT, product manager)", ("负责人", "责任人", "Owner")),
                C("summary", "string", "Summary: keywords separated by spaces, 50 characters at most",
                  ("需求梗概", "需求概述", "Summary")),
                C("note", "string", "Remarks: approved delay, how it was transformed", ("备注", "Note")),
            ),
        ),
        Table(
            "returns",
            "Customer returns (客户退货记录): one row per return, with quality's verdict.",
            key="return_id",
            columns=(
                C("return_id", "string", "Return number", ("退货编号", "退货单号", "Return ID"), required=True),
                C("order_id", "string", "Order number", ("订单编号", "原订单号", "Order ID"), references="orders.order_id"),
                C("customer_id", "string", "Customer number", ("客户编号", "Customer ID"), required=True,
                  references="customers.customer_id"),
                C("return_date", "date", "Date the goods came back", ("退货日期", "Return Date"), required=True),
                C("product", "string", "Product (else the order's)", ("产品", "产品名称", "Product")),
                C("quantity", "float", "Quantity returned", ("退货数量", "数量", "Quantity"), minimum=0),
                C("amount", "float", "Amount returned, CNY", ("退货金额", "金额", "Amount"), required=True, minimum=0),
                C("reason", "string", "Reason given", ("退货原因", "Reason")),
                C("accepted", "bool", "Return accepted after quality's inspection (退货成立)",
                  ("是否成立", "退货成立", "Accepted")),
            ),
        ),
        Table(
            "targets",
            "Sales targets (销售目标): one row per month and segment; a row naming no branch, region or product "
            "line is the company's target. The sales summary compares each row with the sales of its month and "
            "segment.",
            columns=(
                C("month", "date", "Month of the target (2026-10, 2026/10/1 or an Excel date; any day of the month)",
                  ("月份", "目标月份", "Month"), required=True, future_ok=True),
                C("branch", "string", "Branch (blank: not a branch's target)", ("分公司", "网点", "Branch")),
                C("region", "string", "Sales region (blank: not a region's target)", ("区域", "地区", "Region")),
                C("product_line", "string", "Product line, as in the product archive (blank: not a product line's "
                  "target)", ("产品线", "产品系列", "Product Line")),
                C("target", "float", "Sales target, CNY", ("销售目标", "目标金额", "目标销售额", "Target"),
                  required=True, minimum=0),
            ),
        ),
        Table(
            "products",
            "Product archive (产品档案): one row per product, named as in the sales statistics.",
            key="product",
            columns=(
                C("product", "string", "Product, written as in the sales statistics (orders.product)",
                  ("产品名称", "产品", "Product"), required=True),
                C("product_line", "string", "Product line", ("产品线", "产品系列", "Product Line")),
                C("launch_date", "date", "Launch date (上市日期): new while within sales.new_product_months",
                  ("上市日期", "投放日期", "Launch Date"), future_ok=True),
                C("is_new", "bool", "Marked a new product (新产品); counts as new whatever the launch date",
                  ("新产品", "是否新品", "新品", "New Product")),
            ),
        ),
    )
}

REQUIRED_TABLES = tuple(name for name, t in TABLES.items() if t.required)


def table_for(name: str) -> Table:
    """Return the canonical table called ``name``; KeyError lists the known tables."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}") from None


def schema_markdown() -> str:
    """Render the canonical tables as the Markdown a user maps an export to, each with an example of the
    company's own columns (``extra``)."""
    from .docs import extra_example  # it reads the parameters' default sources, which read this module

    lines = []
    for table in TABLES.values():
        need = "required" if table.required else "optional"
        lines += [f"### `{table.name}` ({need})", "", table.description, "",
                  "| column | type | required | default headers | allowed values / range | personal |",
                  "|---|---|---|---|---|---|"]
        for c in table.columns:
            rng = ", ".join(c.allowed) if c.allowed else ""
            if c.minimum is not None or c.maximum is not None:
                rng = f"{'' if c.minimum is None else c.minimum} .. {'' if c.maximum is None else c.maximum}"
            if c.references:
                rng = (rng + " " if rng else "") + f"must exist in `{c.references}`"
            key = " (key)" if c.name == table.key else ""
            if key and table.derived_key:
                key = f" (key; without it: {'-'.join(table.derived_key)}, -2, -3 for repeats)"
            lines.append(f"| `{c.name}`{key} | {c.dtype} | {'yes' if c.required else ''} | "
                         f"{' / '.join(c.headers)} | {rng} | {'yes' if c.personal else ''} |")
        if table.dynamic_float_columns:
            lines.append("| *one per dimension* | float | | 品质 / 交期 / 服务 / 价格 / 技术 / 沟通 ... | "
                         "survey scale labels or numbers | |")
        lines.append("")
        lines += extra_example(table.name)
    return "\n".join(lines)


def tables_document() -> str:
    """The text of docs/data-tables.md: the canonical tables as a user maps an export to them."""
    return ("# Canonical tables\n\nMap your exports to these tables and columns. Headers in the \"default headers\" "
            "column are recognised without any setting; map others in `parameters/defaults.yaml` "
            "(`data.sources.<table>.columns`). Columns marked personal never appear on the report site.\n"
            "Regenerate this page with `python -m analysis.data.schema > docs/data-tables.md`.\n\n" + _docs_intro()
            + "\n" + schema_markdown())


def _docs_intro() -> str:
    from .docs import INTRO

    return INTRO


if __name__ == "__main__":
    print(tables_document(), end="")
