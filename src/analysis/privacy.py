"""Personal data: masking for pages and a scan that publishing uses to refuse pages that still carry it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{3,4})(\d{4})(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
PATTERNS = {"ID number": ID_NUMBER, "mobile phone": MOBILE, "landline phone": LANDLINE, "e-mail": EMAIL}


@dataclass
class Finding:
    kind: str
    masked: str  # the match, masked: a report about personal data must not repeat it
    position: int


def mask_text(text: str) -> str:
    """Mask phone numbers, ID numbers and e-mail addresses inside free text."""
    text = ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(3)[-1]}", text)
    text = MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
    return EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def scan_text(text: str) -> list[Finding]:
    """Personal data left in ``text`` (phone numbers, 18-digit ID numbers, e-mail addresses)."""
    found = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(text):
            found.append(Finding(kind, mask_text(m.group(0)), m.start()))
    return found


def mask_name(name) -> str:
    """张三丰 -> 张**; longer (company) names keep their first two characters."""
    if name is None or (isinstance(name, float) and pd.isna(name)) or name is pd.NA:
        return ""
    name = str(name)
    keep = 2 if len(name) > 4 else 1
    return name[:keep] + "*" * max(1, min(len(name) - keep, 4))


def mask_personal(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return a copy with the named personal columns masked and free text scrubbed."""
    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = out[col].map(mask_name).astype(object)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: mask_text(v) if isinstance(v, str) else v)
    return out
