"""Compute once per run: a fitted model shared by the notebooks that need it.

The churn model is fitted by the churn page and used again by the grading page (risk bands of the
action segments). Both ask :func:`cached` for it with the same key; the first fits it and writes it
next to the processed tables it was fitted on, the other (in a parallel worker process) waits for the
file and loads it. The key holds everything the fit depends on: the processed tables' folder (itself
keyed by the raw files and the parameters that shape them), the branch or region, the report month,
the parameters of the model, and the code that fits it. A change to any of them is a new key.

The files are pickles written by this package into ``data/processed/``, never read from anywhere
else; the cache folder keeps the newest ``KEEP`` entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import time
from pathlib import Path
from typing import Any, Callable

#: entries kept per cache folder (the newest by use)
KEEP = 8


def code_hash(*modules) -> str:
    """A hash of the source files of ``modules`` (the code a cached result depends on)."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def key_of(*parts: Any) -> str:
    """A short stable key of JSON-able parts."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on ``path`` across processes (the second caller waits for the first's result)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached(folder: Path, name: str, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, or the result stored under ``folder/name-key.pkl`` by an earlier call with the same key.

    Exceptions of ``compute`` are not stored: the next caller computes again (and raises the same error).
    """
    target = Path(folder) / f"{name}-{key}.pkl"
    with _locked(target.with_suffix(".lock")):
        if target.is_file():
            try:
                with open(target, "rb") as handle:
                    result = pickle.load(handle)
                os.utime(target)
                return result
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                target.unlink(missing_ok=True)  # a file from another version of the code: compute again
        result = compute()
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        with open(partial, "wb") as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, target)
    _prune(Path(folder), name)
    return result


def _prune(folder: Path, name: str) -> None:
    entries = sorted(folder.glob(f"{name}-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    now = time.time()
    for old in entries[KEEP:]:
        if now - old.stat().st_mtime > 60:  # never one a parallel notebook may be about to read
            old.unlink(missing_ok=True)
            old.with_suffix(".lock").unlink(missing_ok=True)


def churn_model(tables, params, history):
    """The churn model of these tables and parameters, fitted once per run: ``(ModelResult, labelled)`` as
    :func:`analysis.churn.fit_churn_model` returns them (the churn page and the grading page share it)."""
    from . import churn, modeling
    from .data import queries

    key = key_of(str(tables.folder), tables.scope, params.month, params.churn.model_dump(mode="json"),
                 params.survey.model_dump(mode="json"), code_hash(churn, modeling, queries))
    return cached(Path(tables.folder) / "models", "churn", key, lambda: churn.fit_churn_model(tables, params, history))
