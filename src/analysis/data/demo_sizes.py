"""The least demo data the analyses need, and the check of a request for it.

Apart from the generator (which imports numpy and pandas) so that ``workbench demo-data`` answers a
mistyped size at once, before anything heavy is imported.
"""

from __future__ import annotations

import numbers

MIN_CUSTOMERS = 10
MIN_MONTHS = 3


def check_sizes(customers, months, leads, end_month, fmt) -> None:
    """Raise ConfigError naming the option, the value and the fix for a size below the least the analyses
    need (10 customers, 3 months), a negative lead count, an end month not written YYYY-MM or an unknown
    format."""
    from ..config import MONTH_RE
    from ..errors import ConfigError

    def bad(name, expected, got, fix):
        raise ConfigError(f"demo data {name} (--{name.replace('_', '-')}): must be {expected}. Got {got!r}. {fix}")

    def whole(n):  # numpy's integers count; True and False do not
        return isinstance(n, numbers.Integral) and not isinstance(n, bool)

    if not whole(customers) or customers < MIN_CUSTOMERS:
        bad("customers", f"a whole number of at least {MIN_CUSTOMERS}", customers,
            f"Ask for {MIN_CUSTOMERS} or more; the default, 600, gives every analysis enough to show.")
    if not whole(months) or months < MIN_MONTHS:
        bad("months", f"a whole number of at least {MIN_MONTHS}", months,
            f"Ask for {MIN_MONTHS} or more; the default, 24, lets the churn model learn from a year of history.")
    if leads is not None and (not whole(leads) or leads < 0):
        bad("leads", "a whole number of 0 or more", leads, "Leave it out for 5 leads per customer.")
    if end_month is not None and not MONTH_RE.match(str(end_month)):
        bad("end_month", "a month written YYYY-MM, e.g. 2026-10", end_month,
            "Leave it out for the last complete month.")
    if fmt not in ("auto", "xlsx", "csv"):
        bad("format", "one of auto, xlsx, csv", fmt, "Leave it out for auto.")
