"""Language-free prose: analyses return a Message (a catalogue key and typed values); the page renders it.

An analysis never builds a sentence itself. It says which sentence (a key of the message
catalogues in ``analysis/locales/``) and gives the values, typed so that the page can format
them for the reader's language: a share as ``Percent``, an amount as ``Money``, a coded value
as ``Term`` (translated), a list of coded values as ``Terms``. Plain strings are text from the
data: they are only ever arguments, escaped and masked at output, never a template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


# The records a page leaves in its notebook for the site (kept here, not in report.py, so that the site
# and the runner read them without loading pandas).
#: a notebook output recording the page's headline figures, for the site's cards and front page
HEADLINE_MIME = "application/vnd.workbench.headlines+json"
#: a notebook output recording an Excel list the page wrote (file name, rows per sheet), for the site
EXCEL_MIME = "application/vnd.workbench.excel+json"
#: a notebook output recording the page's most important findings, in sentences, for the site's front page
FINDINGS_MIME = "application/vnd.workbench.findings+json"
#: a notebook output recording why the page stopped: the data cannot support it (the run goes on)
NO_DATA_MIME = "application/vnd.workbench.no-data+json"


@dataclass(frozen=True)
class Message:
    """A sentence of the catalogues: ``key`` and the values of its ``{fields}``."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, **values) -> "Message":
        return cls(key, values)


@dataclass(frozen=True)
class Percent:
    """A share (0.873) shown as a percentage (87.3%)."""

    value: float | None
    digits: int = 1


@dataclass(frozen=True)
class Number:
    """A number shown with thousands separators and ``digits`` decimals."""

    value: float | int | None
    digits: int = 0


@dataclass(frozen=True)
class Money:
    """An amount of money in the company's currency."""

    value: float | None


@dataclass(frozen=True)
class Term:
    """A coded value (``channel`` ``referral``) shown in the reader's language."""

    vocabulary: str
    code: str


@dataclass(frozen=True)
class Terms:
    """Several coded values of one vocabulary, joined as a list."""

    vocabulary: str
    codes: tuple[str, ...]

    def __init__(self, vocabulary: str, codes):
        object.__setattr__(self, "vocabulary", vocabulary)
        object.__setattr__(self, "codes", tuple(codes))


@dataclass(frozen=True)
class Listing:
    """Several values (messages, terms or data text) joined as a list in the reader's language."""

    items: tuple

    def __init__(self, items):
        object.__setattr__(self, "items", tuple(items))


def revive(value: Any):
    """A message as recorded in JSON (``dataclasses.asdict`` of a Message, as a load's report.json keeps it) as a
    Message again, with its Terms, Terms and Listings; anything else as it is. A report read back from the cache
    then equals and renders as the fresh one."""
    if isinstance(value, Message):
        return value
    if isinstance(value, dict):
        if set(value) == {"key", "values"}:
            return Message(value["key"], {k: revive(v) for k, v in value["values"].items()})
        if set(value) == {"vocabulary", "code"}:
            return Term(value["vocabulary"], value["code"])
        if set(value) == {"vocabulary", "codes"}:
            return Terms(value["vocabulary"], value["codes"])
        if set(value) == {"items"}:
            return Listing([revive(v) for v in value["items"]])
    return value
