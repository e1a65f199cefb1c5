"""Names in the model feature lists checked against the columns a table can have.

``churn.features`` names customer archive columns, ``leads.features`` and ``leads.after_outcome``
lead register columns: canonical ones, or the company's own declared in
``data.sources.<table>.extra``. A name that is neither (a typing slip: ``reputaton``) would be
left out of the model without a word and the model would get worse; it is refused when the
parameters are loaded, with the closest names (difflib) as a suggestion.

A known column that this company's file lacks is not an error here: optional columns are
optional, and the page says which inputs it used.
"""

from __future__ import annotations

import difflib
from typing import Callable

from .schema import TABLES

#: parameter lists of column names, the table whose columns they name, and what else they may name
FEATURE_LISTS = (
    (("churn", "features", "categorical"), "customers"),
    (("churn", "features", "numeric"), "customers"),
    (("leads", "features", "categorical"), "leads"),
    (("leads", "features", "numeric"), "leads"),
    (("leads", "after_outcome",), "leads"),
)


def known_columns(params, table: str) -> list[str]:
    """The canonical columns of ``table`` and the company's extra columns declared for it, in that order."""
    names = [c.name for c in TABLES[table].columns]
    source = params.data.sources.get(table)
    if source is not None:
        names += [name for name in source.extra if name not in names]
    return names


def _computed(table: str) -> list[str]:
    """Features the churn model computes itself (from orders, payments, complaints, surveys): naming one in a
    list is redundant but not a mistake. Loaded only when a name is not a column, so that loading the
    parameters never imports pandas."""
    if table != "customers":
        return []
    from .queries import COMPLAINT_FEATURES, ORDER_FEATURES, PAYMENT_FEATURES, SURVEY_FEATURES

    return [*ORDER_FEATURES, *PAYMENT_FEATURES, *COMPLAINT_FEATURES, *SURVEY_FEATURES, "tenure_months"]


def unknown_features(params) -> list[tuple[list[str], str]]:
    """Every name of a feature list that is not a column of its table: (key path, message) each.

    The message has the shape ``'<name>' must be a column of <table> ... Got ... Did you mean ...?``.
    """
    problems = []
    for path, table in FEATURE_LISTS:
        node = params
        for part in path:
            node = getattr(node, part)
        names = list(node)
        if not names:
            continue
        known = known_columns(params, table)
        unknown = [(i, n) for i, n in enumerate(names) if n not in known]
        if unknown:
            computed = _computed(table)
            unknown = [(i, n) for i, n in unknown if n not in computed]
        lower = {k.lower(): k for k in known}
        for index, name in unknown:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6) or [
                lower[k] for k in difflib.get_close_matches(name.lower(), list(lower), n=3, cutoff=0.6)]
            hint = f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            description = TABLES[table].description.split(":")[0]
            problems.append(([*path, str(index)],
                             f"must name a column of the {table} table ({description}) or one declared in "
                             f"data.sources.{table}.extra. Got {name!r}, which is neither, so the model would "
                             f"leave it out. {hint}Correct the name or remove it; the columns are "
                             f"{', '.join(known)}"))
    return problems


def check_feature_lists(params, where: Callable[[list[str]], str] | None = None) -> None:
    """Raise ConfigError naming every unknown feature name, its key path and the file that set it.

    ``where(key path)`` names the file (or the command line) that set the value; see
    :func:`analysis.config.load_parameters`.
    """
    from ..errors import ConfigError

    problems = unknown_features(params)
    if problems:
        lines = [f"  {where(loc[:-1]) if where else 'the parameters'} [key path: '{'/'.join(loc)}']: {message}"
                 for loc, message in problems]
        raise ConfigError(f"{len(lines)} parameter error(s):\n" + "\n".join(lines))
