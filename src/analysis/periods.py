"""Report periods: a month (2026-10), a quarter (2026-Q3) or a year (2026).

A report covers one period. Its last month is the cut-off of everything that looks back from a point in
time (models, registers, the data-quality freshness): a quarter's report scores churn and leads at the
quarter's last day, exactly as that month's report does. Analyses that count what happened *in* the
period (complaints, sales, requirements, survey answers) count from its first to its last day.

One parser and one set of period steps for the configuration, the runner's folders, the site's archive
and its comparisons, so that a quarter is compared with the quarter before and the same quarter a year
earlier, and a month with months.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re

_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>0[1-9]|1[0-2])|-[Qq](?P<quarter>[1-4]))?$")

KINDS = ("month", "quarter", "year")
#: months per period of each kind
MONTHS = {"month": 1, "quarter": 3, "year": 12}

FORMATS = "YYYY-MM (a month, 2026-10), YYYY-Qn (a quarter, 2026-Q3) or YYYY (a year, 2026)"


@dataclasses.dataclass(frozen=True)
class Period:
    """One report period. ``label`` is its name in folders and on the command line."""

    year: int
    kind: str
    number: int  # the month (1-12), the quarter (1-4), or 1 for a year

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    @property
    def months(self) -> int:
        return MONTHS[self.kind]

    @property
    def first_month(self) -> int:
        return (self.number - 1) * self.months + 1 if self.kind != "year" else 1

    @property
    def last_month(self) -> int:
        return self.first_month + self.months - 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    @property
    def cutoff_month(self) -> str:
        """The period's last month, YYYY-MM: the month whose end every point-in-time analysis uses."""
        return f"{self.year:04d}-{self.last_month:02d}"

    @property
    def freq(self) -> str:
        """The pandas frequency of periods of this kind: M, Q or Y."""
        return {"month": "M", "quarter": "Q", "year": "Y"}[self.kind]

    @property
    def per_year(self) -> int:
        """Periods of this kind in a year: a year earlier is this many steps back."""
        return 12 // self.months

    def shift(self, steps: int) -> "Period":
        """The period ``steps`` periods of the same kind earlier (negative: later)."""
        index = self.year * self.per_year + (self.number - 1) - steps
        year, number = divmod(index, self.per_year)
        return Period(year, self.kind, number + 1)

    def sort_key(self) -> tuple:
        """Chronological by the period's end; at the same end a month before the quarter and the year it closes."""
        return (self.year, self.last_month, KINDS.index(self.kind))

    def months_list(self) -> list[str]:
        """The period's months, YYYY-MM, oldest first."""
        return [f"{self.year:04d}-{m:02d}" for m in range(self.first_month, self.last_month + 1)]

    def __str__(self) -> str:
        return self.label


def parse_period(text) -> Period:
    """``2026-10``, ``2026-Q3`` (or ``2026-q3``) or ``2026`` as a Period; ValueError naming the formats."""
    match = _LABEL.match(str(text).strip())
    if not match:
        raise ValueError(f"a report period must be {FORMATS}. Got '{text}'")
    year = int(match["year"])
    if match["month"]:
        return Period(year, "month", int(match["month"]))
    if match["quarter"]:
        return Period(year, "quarter", int(match["quarter"]))
    return Period(year, "year", 1)


def is_period(text) -> bool:
    return bool(_LABEL.match(str(text).strip()))


def sort_key(label: str) -> tuple:
    """Sort key of a period label (labels that are not periods sort first)."""
    try:
        return parse_period(label).sort_key()
    except ValueError:
        return (0, 0, 0)
