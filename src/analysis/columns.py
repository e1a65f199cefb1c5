"""What the numbers of each result column are (a share, an amount, a count...), so pages and Excel lists
format them alike: one percent format, thousands separators, money in the company's currency."""

from __future__ import annotations

#: kind -> the canonical result columns of that kind
KINDS: dict[str, tuple[str, ...]] = {
    "percent": ("rate", "share", "share_of_max", "top2", "on_time", "quality_pass", "reply_ok", "followup_ok",
                "cumulative", "performance", "churn_probability", "conversion_probability", "rate_with",
                "rate_without", "observed_rate", "mean_probability", "cumulative_capture", "latest_satisfaction",
                "sales_share", "step_rate", "within_promise", "hot_rate", "others_hot_rate", "overall_rate",
                "conversion_rate", "rate_low", "rate_high", "share_of_leads", "items_share", "question_share",
                "probability_from", "probability_to", "gap",
                "inside", "early", "late", "never", "undecided",
                "acceptance_rate", "decision_share", "delivery_share", "department_ok", "record_ok", "return_rate",
                "accepted_rate", "return_share",
                "attainment", "attainment_ytd", "growth_previous", "growth_year", "growth_ytd", "contribution_previous",
                "contribution_year", "penetration", "penetration_year_before", "market_penetration", "new_share",
                "collection_rate", "overdue_share", "margin_rate", "margin_rate_year_before", "customer_share",
                "churn_rate"),
    "money": ("value_12m", "value_at_risk", "sales", "cost", "cost_per_lead", "cost_per_deal", "amount", "budget",
              "returned_amount", "accepted_amount",
              "target", "shortfall", "target_ytd", "sales_ytd", "sales_previous", "sales_year_before",
              "sales_ytd_year_before", "sales_before", "sales_change", "gross_margin", "due_amount", "collected",
              "not_due", "overdue_0_30", "overdue_31_60", "overdue_61_90", "overdue_90_plus", "overdue_total",
              "new_sales"),
    "count": ("n", "answers", "sent", "due", "answered", "leads", "converted", "customers", "complaints", "count", "rows",
              "items", "level_1", "level_2", "level_3", "level_4", "level_5", "hot_leads", "major_complaints", "late_payments",
              "customers_with", "missing", "provisional", "terms_downgrade", "major", "n_now", "n_before",
              "rows_loaded", "count_rows", "rank", "decile", "forms", "low_answers", "reply_due", "followup_due", "decided",
              "submitted", "final_decisions", "accepted", "revisit", "delivered", "delayed", "missed_date", "open_end",
              "rank_submitted", "rank_acceptance", "mentions", "department_due", "record_due", "returns",
              "accepted_returns", "rejected_returns", "pending_returns", "months_open", "months_quiet",
              "buyers", "first_time", "returning", "lapsed", "new_records", "market_size", "churned_customers"),
    "days": ("days_waiting", "median_days", "recency_days", "delivery_days", "days_to_period_end", "days_open",
             "days_overdue", "window_days", "days_late", "days_since_contact", "days_since_survey"),
    "score": ("mean", "ci_low", "ci_high", "mean_now", "mean_before", "diff", "item_score"),
    "points": ("score", "score_before", "score_change", "sales_volume", "payment", "margin", "order_quantity",
               "sales_model", "share_of_wallet", "years", "reputation", "weight", "applied_weight", "months_known",
               "penetration_change", "margin_change"),
    "statistic": ("t", "p", "d", "z", "importance", "importance_low", "importance_high", "roc_auc",
                  "average_precision", "brier", "calibration_error", "spread", "ratio", "lift", "log_loss"),
}
_KIND_OF = {column: kind for kind, columns in KINDS.items() for column in columns}
#: decimals shown per kind on a page
DIGITS = {"percent": 1, "money": 0, "count": 0, "days": 0, "score": 2, "points": 1, "statistic": 3}
#: Excel number format per kind
EXCEL_FORMATS = {"percent": "0.0%", "money": "#,##0", "count": "#,##0", "days": "#,##0", "score": "0.00",
                 "points": "0.0", "statistic": "0.000"}


def kind(column) -> str | None:
    """The kind of a canonical column (None for text and for columns of unknown kind)."""
    return _KIND_OF.get(str(column))
