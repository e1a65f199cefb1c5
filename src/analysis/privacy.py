"""Personal data: one set of contact patterns, used to mask text for pages and to scan what is published.

The same :data:`CONTACT` expression serves :func:`mask_text` (pages, chart labels, Excel lists)
and :func:`scan_text` (the publish check), so a format that is masked is also a format that the
scan refuses, and the other way round.

What is matched (after folding full-width and other compatibility characters, see below):

- mobile phones: ``13912345678``, ``139 1234 5678``, ``139-1234-5678``, with an optional country
  prefix ``+86``, ``0086``, ``86`` or ``(+86)``; also when written as a number with zero decimals
  (``13912345678.0``, as a phone column stored as a number prints);
- landlines: ``0755-12345678``, ``020 8765 4321``, ``(020)8765-4321``, ``+86 20 8765 4321``
  (an area code with a separator or in parentheses: a bare run of digits starting with 0 is
  more often an invoice code than a phone);
- ID numbers: 18 characters (the last may be ``X``/``x``) and the old 15-digit form, both with a
  plausible birth date (month 01-12, day 01-31) in place;
- e-mail addresses.

What is deliberately *not* matched, so that the analyses' own figures stay readable:

- digits glued to Latin letters: order numbers ``SO2610000012345``, customer ids ``C000123``,
  ``INV13912345678`` (a code, not a phone; ``tel``/``phone``/``mobile``/``cell`` before the
  digits are the exception and are matched);
- amounts: thousands separators (``1,234,567.89``) or non-zero decimals (``13912345678.25``);
- dates and times (``2026-10-05``, ``20261005``, ``10:30``), years, percentages, invoice codes;
- runs of digits longer than a phone (14 digits or more) unless they have the ID-number shape.

Full-width digits and punctuation (``１３９１２３４５６７８``, ``（０２０）``, ``＠``), the ideographic
space and typographic dashes are folded to ASCII before matching (Unicode NFKC, restricted to
characters that fold to a single character the patterns use, so that positions stay aligned);
masking edits the original text, so the rest of a sentence is returned exactly as it was.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable


_SEP = r"[ \-]"  # one space or hyphen between digit groups (dashes and wide spaces are folded to these)
# not glued to a digit, a Latin letter, or the decimal point of a number before it
_START = r"(?<![0-9A-Za-z])(?<![0-9]\.)"
_TEL_WORD = r"(?:(?<=(?i:tel))|(?<=(?i:phone))|(?<=(?i:mobile))|(?<=(?i:cell))|(?<=(?i:mob)))"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

EMAIL = (r"(?P<email>(?P<e_head>[A-Za-z0-9])[A-Za-z0-9._%+\-]{0,63}@"
         r"(?P<e_domain>[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
         r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24})(?![A-Za-z0-9\-]))")
ID_NUMBER = (_START + r"(?P<id>(?P<i_head>[1-9]\d{5})"
             r"(?:(?:18|19|20)\d{2}" + _DATE + r"\d{3}(?P<i_tail18>[0-9Xx])"
             r"|\d{2}" + _DATE + r"\d{2}(?P<i_tail15>\d)))(?![0-9A-Za-z])")
MOBILE = (r"(?:" + _START + "|" + _TEL_WORD + r")"
          r"(?P<mobile>(?P<m_pre>\(?(?:\+|00)?86\)?" + _SEP + r"?)?"
          r"(?P<m_head>1[3-9]\d)" + _SEP + r"?\d{4}" + _SEP + r"?(?P<m_tail>\d{4}))"
          r"(?![0-9])(?!\.\d*[1-9])")
LANDLINE = (_START + r"(?P<landline>(?P<l_pre>"
            r"(?:(?:\+|00)86" + _SEP + r"?)?\(0\d{2,3}\)" + _SEP + r"?"
            r"|(?:(?:\+|00)86" + _SEP + r"?)?0\d{2,3}" + _SEP +
            r"|(?:\+|00)86" + _SEP + r"?\(?[1-9]\d{1,2}\)?" + _SEP + r"?)"
            r"\d{3,4}" + _SEP + r"?(?P<l_tail>\d{4}))(?![0-9])(?!\.\d*[1-9])")

# the numbers are at least 11 characters: a cheap look ahead skips short numbers (dates, counts) early
_NUMBERS = r"(?=[0-9+(][0-9 ()+\-]{9})(?:" + "|".join([ID_NUMBER, MOBILE, LANDLINE]) + ")"
#: every contact format in one expression; at one position the earlier alternative wins
CONTACT = re.compile(EMAIL + "|" + _NUMBERS)
_CONTACT_NO_EMAIL = re.compile(_NUMBERS)  # the same without e-mail, for the many texts without an @
# a text that may hold one: an @ (any width), or ten digits (any width) with at most two other characters
# between neighbours; most texts fail this cheap test and are returned untouched
_MAYBE = re.compile(r"[@\uff20\ufe6b]|\d(?:\D{0,2}\d){9}")
KINDS = {"email": "e-mail", "id": "ID number", "mobile": "mobile phone", "landline": "landline phone"}
_KEEP = {"id": ("i_head", "i_tail18", "i_tail15"), "mobile": ("m_pre", "m_head", "m_tail"),
         "landline": ("l_pre", "l_tail")}
#: each kind alone (kind -> compiled expression), for callers that need one format
PATTERNS = {KINDS[name]: re.compile(source) for name, source in
            (("id", ID_NUMBER), ("mobile", MOBILE), ("landline", LANDLINE), ("email", EMAIL))}


@dataclass
class Finding:
    """One contact detail found in a text."""

    kind: str  # "mobile phone", "landline phone", "ID number" or "e-mail"
    masked: str  # the match, masked: a report about personal data must not repeat it
    position: int  # character offset in the text


def mask_text(text: str) -> str:
    """Mask phone numbers, ID numbers and e-mail addresses inside free text.

    Enough stays to recognise the value, never the whole of it:

    >>> mask_text("客户电话+86 139-1234-5678，邮箱 zhang.san@example.com")
    '客户电话+86 139-****-5678，邮箱 z***@example.com'
    """
    if not isinstance(text, str) or not _MAYBE.search(text):
        return text
    folded = _fold(text)
    pieces, last = [], 0
    for m in _finditer(folded):
        pieces.append(text[last:m.start()])
        pieces.append(_mask_match(text, folded, m))
        last = m.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def scan_text(text: str) -> list[Finding]:
    """Contact details left in ``text``, each with its kind, masked sample and position (empty when clean)."""
    if not isinstance(text, str) or not _MAYBE.search(text):
        return []
    folded = _fold(text)
    return [Finding(KINDS[_kind(m)], _mask_match(text, folded, m), m.start()) for m in _finditer(folded)]


def has_contact(text) -> bool:
    """True when ``text`` holds any phone number, ID number or e-mail address."""
    return isinstance(text, str) and bool(_MAYBE.search(text)) and next(_finditer(_fold(text)), None) is not None


def mask_value(value):
    """``mask_text`` for strings; any other value (numbers, dates, missing) is returned unchanged."""
    return mask_text(value) if isinstance(value, str) else value


def mask_labels(labels: Iterable) -> list[str]:
    """Chart labels (tick labels, legend entries, annotations) as strings with contact details masked.

    A chart is an image no scanner can read afterwards, so every string drawn into one goes through this.
    """
    import pandas as pd  # lazily: the site's unchanged check must not load pandas

    return [mask_text("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)) for v in labels]


def mask_name(name) -> str:
    """张三丰 -> 张**; longer (company) names keep their first two characters."""
    import pandas as pd  # lazily: the site's unchanged check must not load pandas

    if name is None or (isinstance(name, float) and pd.isna(name)) or name is pd.NA:
        return ""
    name = str(name)
    keep = 2 if len(name) > 4 else 1
    return name[:keep] + "*" * max(1, min(len(name) - keep, 4))


def mask_personal(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return a copy with the named personal columns masked and free text scrubbed."""
    import pandas as pd  # lazily: the site's unchanged check must not load pandas

    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = out[col].map(mask_name).astype(object)
    for col in out.columns:
        if col in columns:
            continue
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(mask_value)
    return out


# ----------------------------------------------------------------------------- internals

_TARGETS = set("0123456789+-()@.%_ ") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@functools.lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Characters whose NFKC form is one character the patterns use: full-width digits and letters,
    ＋－（）＠．, the ideographic and no-break spaces, mathematical digits; plus typographic dashes."""
    table = {}
    # the blocks that hold such characters (scanning all of Unicode would take most of a second)
    ranges = (range(0x80, 0x100), range(0x2000, 0x2500), range(0x3000, 0x3040), range(0xFE00, 0xFFF0),
              range(0x1D400, 0x1D800), range(0x1FBF0, 0x1FBFA))
    for cp in (c for r in ranges for c in r):
        folded = unicodedata.normalize("NFKC", chr(cp))
        if folded != chr(cp) and len(folded) == 1 and folded in _TARGETS:
            table[cp] = folded
    for cp in (*range(0x2010, 0x2016), 0x2212, 0x30FC):  # hyphens, dashes, minus, katakana long mark
        table.setdefault(cp, "-")
    table[0x3000] = " "
    return table


def _fold(text: str) -> str:
    """``text`` with compatibility characters folded one to one (same length, same positions)."""
    return text if text.isascii() else text.translate(_fold_table())


def _finditer(folded: str):
    return (CONTACT if "@" in folded else _CONTACT_NO_EMAIL).finditer(folded)


def _kind(m: re.Match) -> str:
    return m.lastgroup  # each alternative's outer group closes last: email, id, mobile or landline


def _mask_match(original: str, folded: str, m: re.Match) -> str:
    kind = m.lastgroup
    if kind == "email":
        return original[m.start("e_head")] + "***@" + original[m.start("e_domain"):m.end("e_domain")]
    out, pos = [], m.start()
    for a, b in [m.span(g) for g in _KEEP[kind] if m.start(g) >= 0] + [(m.end(), m.end())]:  # in order
        out.append("".join("*" if f.isalnum() else o for o, f in zip(original[pos:a], folded[pos:a])))
        out.append(original[a:b])
        pos = b
    return "".join(out)
