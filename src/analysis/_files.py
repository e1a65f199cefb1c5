"""Small file helpers shared by the writers: atomic replacement of files and folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def swap_in(staging: Path, final: Path) -> None:
    """Replace folder ``final`` by the complete folder ``staging`` (two renames, no copying)."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file so that readers see the old or the new content, never a part."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)
