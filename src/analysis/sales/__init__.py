"""The monthly sales and market summary (月度市场销售数据总结): sales against target and growth, market
penetration, the new products' share, customers, collection and ageing, gross margin, the customer
information statistics (客户信息统计表) and recommendations.

Every function takes the period's first and last day, so that a report may cover a month, a quarter or a
year, and returns canonical columns, codes and :class:`~analysis.message.Message` objects; the page
translates them. The order lines of :func:`sales_lines` carry what the summary cuts the sales by.
"""

from .customers import (STATISTICS_COLUMNS, customer_flow, customer_statistics, incomplete_fields,
                        missing_fields, movers, penetration, record_completeness, segment_columns, top_customers)
from .performance import (BLANK, COMPANY, TOTAL, breakdowns, company_target_basis, contribution_points,
                          repeated_breakdowns, company_targets, duplicate_targets,
                          growth_table, last_year_table, margin_table, monthly_trend, new_product_share,
                          new_product_table, new_product_trend, new_products, sales_lines, target_table,
                          total_sales, unmatched_targets)
from .periods import previous_period, trailing_months, whole_months, year_earlier, year_to_date
from .receivables import (AGE_BUCKETS, AGEING_COLUMNS, BUCKET_COLUMNS, COLLECTION_COLUMNS, age_bucket, ageing_frame, collection_table, lists_by_rep,
                          open_receivables, overdue_list)
from .sentences import (absent_message, absent_messages, ageing_finding, basis_message, collection_message,
                        completeness_message, contribution_base, contribution_message, decline_message,
                        duplicates_message, findings, flow_message, growth_message, headlines, intro_message,
                        last_year_message, margin_message, margin_spread_message, market_hint, market_message, missed_message, missing_fields_message,
                        new_product_message, new_trend_finding, penetration_finding, penetration_message,
                        recommendations, repeated_messages, require_sales, statistics_message, target_finding, target_notes, target_message, top_message, trend_finding,
                        unknown_products_message, unmatched_message)

__all__ = [name for name in dir() if not name.startswith("_")
           and name not in ("customers", "performance", "periods", "receivables", "sentences")]
