"""The parts of docs/data-tables.md that are about the company's own columns (``data.sources.<table>.extra``)
and how typed values are read; rendered by :func:`analysis.data.schema.tables_document`.

The examples are data, so that a test can load each one as parameters: the page cannot show a
setting the workbench would refuse.
"""

from __future__ import annotations

from ..config import DEFAULT_SOURCES

#: per table: (column name, header in the file, dtype, what it is), and where the example puts it to use
EXTRA_EXAMPLES: dict[str, tuple[tuple[tuple[str, str, str, str], ...], dict]] = {
    "customers": ((("credit_rating", "信用评级", "string", "the credit department's rating"),
                   ("annual_revenue", "年营业额", "float", "the customer's turnover, 10k CNY")),
                  {"churn": {"features": {"categorical": ["region", "industry", "sales_model", "credit_rating"],
                                          "numeric": ["reputation", "share_of_wallet", "annual_revenue"]}}}),
    "orders": ((("delivery_method", "运输方式", "string", "truck, rail, pick-up"),
                ("discount_rate", "折扣率", "float", "the discount granted on the order")), {}),
    "payments": ((("invoice_type", "发票类型", "string", "VAT special or ordinary invoice"),), {}),
    "surveys": ((("survey_channel", "调查方式", "string", "phone, e-mail, visit"),), {}),
    "complaints": ((("batch", "产品批次", "string", "the production batch complained about"),
                    ("claim_amount", "索赔金额", "float", "what the customer claims, CNY")), {}),
    "leads": ((("age_group", "年龄段", "string", "the prospect's age group"),
               ("trade_in", "是否置换", "bool", "an old car traded in"),
               ("contact_notes", "沟通情况", "string", "filled in by staff after the contact")),
              {"leads": {"features": {"categorical": ["age_group"], "numeric": ["trade_in"]},
                         "after_outcome": ["contact_notes"]}}),
    "lead_events": ((("call_minutes", "通话时长", "float", "length of the call"),), {}),
    "requirements": ((("module", "所属模块", "string", "the part of the product concerned"),), {}),
    "returns": ((("warehouse", "退货仓库", "string", "where the goods came back to"),), {}),
    "targets": ((("sales_team", "销售团队", "string", "the team the target is set for"),), {}),
    "products": ((("list_price", "标准单价", "float", "list price, CNY"),
                  ("discontinued", "是否停产", "bool", "no longer made")), {}),
}

INTRO = """## Your own columns (`extra`)

A column that is not in a table below is ignored (validate lists it as an unknown column). To keep it, give it a
name of your own under `data.sources.<table>.extra` in `parameters/defaults.yaml`: the key is the name the
workbench uses (letters, digits and `_`), `header` is the column's header in your file, and `dtype` says how its
cells are read: `string` (the default), `float` (a number), `date`, or `bool` (yes/no). The column is then
validated like the canonical ones (a number column with text in it is a located error) and kept in the table,
where an analysis can use it by its name: as a model input in `churn.features` (customer archive) or
`leads.features` (lead register), as a segment in `survey.segments`, `sales.segments`, `churn.segment`, or to
split the report by it (`run.split_by`). A name in a feature list that is neither a canonical column nor one of
yours is refused when the parameters are loaded, with the closest names as a suggestion.

To map a header of yours to a canonical column instead, use `data.sources.<table>.columns` ({your header:
canonical column}); to map your labels to the allowed values of a column (or to yes/no), use `data.labels`
({`table.column`: {your label: value}}), e.g. `customers.churned: {Attrited Customer: yes, Existing Customer: no}`.

How cells are read: numbers may be written with thousands separators, `¥`/`￥`, `%` or `元` (`3,500元`), dates as
2026-10-05, 2026/10/5, 2026年10月5日, 20261005 or an Excel date; full-width digits and signs as Chinese input
methods type them (`１２`, `２０２６－１０－０５`, the customer number `Ｃ００１`) are read as their ASCII forms
(Unicode NFKC). In the parameters, a number where text is expected is that text: `survey.not_applicable: [0]`
means the answer "0", and label maps may have numeric keys (`{1: A}`).

Each table below ends with an example of its own columns.
"""


def extra_example(table: str) -> list[str]:
    """The Markdown lines of ``table``'s example: what the columns are, then the parameters that declare them."""
    if table not in EXTRA_EXAMPLES:
        return []
    columns, _ = EXTRA_EXAMPLES[table]
    lines = ["Your own columns, for example: " + "; ".join(
        f"`{name}` ({what}, header {header}, {dtype})" for name, header, dtype, what in columns) + ".", "",
        "```yaml", example_yaml(table).rstrip("\n"), "```", ""]
    return lines


def example_yaml(table: str) -> str:
    """The parameters of ``table``'s example, as one would write them in parameters/defaults.yaml."""
    columns, use = EXTRA_EXAMPLES[table]
    stem, sheet = DEFAULT_SOURCES[table]
    out = ["data:", "  sources:", f"    {table}:", f"      file: {stem}.xlsx", f"      sheet: {sheet}", "      extra:"]
    for name, header, dtype, _ in columns:
        kind = "" if dtype == "string" else f", dtype: {dtype}"
        out.append(f"        {name}: {{header: {header}{kind}}}")
    out += _yaml(use, 0)
    return "\n".join(out) + "\n"


def _yaml(node: dict, depth: int) -> list[str]:
    out = []
    for key, value in node.items():
        pad = "  " * depth
        if isinstance(value, dict):
            out.append(f"{pad}{key}:")
            out += _yaml(value, depth + 1)
        else:
            out.append(f"{pad}{key}: [{', '.join(value)}]")
    return out
