"""Period arithmetic of the sales summary: the period before, the same period a year earlier, year to date.

A period is any run of days given by its first and last day (both included): a month, a quarter, a year.
Whole months shift by months, so that February 2025 compares with February 2024 up to the 29th, and a
quarter with the quarter before; any other run of days shifts by its length.
"""

from __future__ import annotations

import pandas as pd


def day(value) -> pd.Timestamp:
    """A date as a midnight timestamp."""
    return pd.Timestamp(value).normalize()


def whole_months(start, end) -> int | None:
    """The number of calendar months the period covers exactly (None when it does not start on a month's first
    day and end on a month's last day)."""
    start, end = day(start), day(end)
    if start.day != 1 or end != end + pd.offsets.MonthEnd(0) or end < start:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def previous_period(start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period of the same length just before: the month before a month, the quarter before a quarter;
    otherwise as many days just before ``start``."""
    start, end = day(start), day(end)
    months = whole_months(start, end)
    if months is not None:
        first = start - pd.DateOffset(months=months)
        return first, start - pd.Timedelta(days=1)
    length = end - start
    return start - length - pd.Timedelta(days=1), start - pd.Timedelta(days=1)


def year_earlier(start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The same period a year earlier. A month's last day maps to that month's last day a year earlier
    (2025-02-28 -> 2024-02-29, 2024-02-29 -> 2023-02-28)."""
    start, end = day(start), day(end)
    first = start - pd.DateOffset(years=1)
    if end == end + pd.offsets.MonthEnd(0):
        last = (end - pd.DateOffset(years=1)) + pd.offsets.MonthEnd(0)
    else:
        last = end - pd.DateOffset(years=1)
    return first, last


def year_to_date(end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """From 1 January of ``end``'s year to ``end``."""
    end = day(end)
    return pd.Timestamp(end.year, 1, 1), end


def trailing_months(end, months: int = 12) -> list[pd.Period]:
    """The ``months`` calendar months ending with ``end``'s month, oldest first."""
    last = day(end).to_period("M")
    return list(pd.period_range(last - months + 1, last, freq="M"))


def months_of(start, end) -> list[pd.Period]:
    """The calendar months the period touches, oldest first."""
    return list(pd.period_range(day(start).to_period("M"), day(end).to_period("M"), freq="M"))


def within(dates: pd.Series, start, end) -> pd.Series:
    """Which dates fall in the period (both ends included; a blank date never does)."""
    return dates.notna() & (dates >= day(start)) & (dates <= day(end))
