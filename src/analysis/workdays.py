"""Working days of the Chinese official calendar, for deadlines counted in working days (工作日).

The official calendar moves days off around public holidays: a holiday week is paid for by working
on a Saturday or Sunday next to it (调休). The ``chinesecalendar`` package keeps the State Council's
yearly schedule (2004-2026 in version 1.11); ``calendar.holidays`` and ``calendar.workdays`` in the
parameters add the days of a year the package does not cover yet, or the company's own closures, and
win over the package. Without either, a day is a working day when it is Monday to Friday.

Deadlines are counted in whole days: a task due within ``n`` working days is on time when it is done
on or before the ``n``-th working day after the day it started (that day itself is not counted, so a
complaint received on a Friday or a Saturday has one working day, Monday, to be assigned).
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd

from .config import CalendarParams, Parameters
from .message import Listing, Message


@functools.cache
def _official() -> tuple[frozenset, frozenset, int, int]:
    """(holidays, adjusted working days, first year, last year) of the chinesecalendar package."""
    import chinese_calendar

    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = [d.year for d in holidays]
    return holidays, workdays, min(years), max(years)


class WorkCalendar:
    """Which days are working days: the official calendar (``official``) plus the parameters' lists."""

    def __init__(self, settings: CalendarParams | None = None):
        settings = settings or CalendarParams()
        self.official = settings.official
        self.holidays = frozenset(settings.holidays)
        self.workdays = frozenset(settings.workdays)

    @classmethod
    def of(cls, params: Parameters) -> "WorkCalendar":
        return cls(params.calendar)

    def is_workday(self, day: dt.date) -> bool:
        return bool(self.flags(day, day)[0])

    def flags(self, first: dt.date, last: dt.date) -> np.ndarray:
        """One boolean per day from ``first`` to ``last`` (both included): True on a working day."""
        days = pd.date_range(pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize(), freq="D")
        work = days.day_of_week < 5
        off, on = set(self.holidays), set(self.workdays)
        if self.official:
            official_off, official_on, _, _ = _official()
            off |= official_off - on
            on |= official_on - set(self.holidays)
        dates = days.to_numpy().astype("datetime64[D]")
        if off:
            work &= ~np.isin(dates, np.array(sorted(off), dtype="datetime64[D]"))
        if on:
            work |= np.isin(dates, np.array(sorted(on), dtype="datetime64[D]"))
        return np.asarray(work)

    def add_workdays(self, start: pd.Series, n: int) -> pd.Series:
        """The ``n``-th working day after each date of ``start`` (the day itself not counted), at midnight.

        Vectorised: one calendar over the dates' range, a running count of working days, and a binary
        search per date. Missing dates stay missing.
        """
        days = pd.to_datetime(start).dt.normalize()
        out = pd.Series(pd.NaT, index=start.index, dtype="datetime64[ns]")
        known = days.notna()
        if not known.any() or n < 1:
            return out if n >= 1 else days
        first, last = days[known].min(), days[known].max()
        span = 3 * n + 45  # the longest run of days off (Spring Festival) plus n weeks, widened below if short
        while True:
            flags = self.flags(first, last + pd.Timedelta(days=span))
            count = np.cumsum(flags)
            position = (days[known] - first).dt.days.to_numpy()
            target = np.searchsorted(count, count[position] + n, side="left")
            if (target < len(count)).all():
                break
            span *= 2
        out[known] = (first + pd.to_timedelta(target, unit="D")).to_numpy()
        return out

    def uncovered_years(self, first: dt.date, last: dt.date) -> list[int]:
        """Years between the dates that the official calendar does not cover and the parameters list no day of:
        their working days are Monday to Friday only, public holidays unknown."""
        years = range(pd.Timestamp(first).year, pd.Timestamp(last).year + 1)
        listed = {d.year for d in self.holidays | self.workdays}
        if not self.official:
            return [y for y in years if y not in listed]
        _, _, low, high = _official()
        return [y for y in years if not low <= y <= high and y not in listed]


def calendar_note(first, last, params: Parameters) -> Message | None:
    """A note when deadlines between the dates fall in years the calendar does not know (None when all known)."""
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return None
    years = WorkCalendar.of(params).uncovered_years(first, last)
    return Message.of("sat.calendar_note", years=Listing([str(y) for y in years])) if years else None
