"""Customer Insight Workbench: analyses of a marketing department's customer data.

The short public list; everything else is internal to its module.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Parameters, load_parameters  # noqa: E402
from .data.schema import TABLES  # noqa: E402
from .data.store import Tables, prepare_tables, validate_sources  # noqa: E402
from .errors import (ConfigError, DataError, NotebookError, PublishError, SiteError,  # noqa: E402
                     WorkbenchError)


def load_tables(params: Parameters) -> Tables:
    """The validated canonical tables for ``params`` (loaded from data/raw only when it changed),
    restricted to ``params.scope`` (a branch, a region) when it is set."""
    tables = prepare_tables(params)
    if params.scope is not None:
        tables = tables.scoped(params.scope.column, params.scope.value)
    return tables


def __getattr__(name: str):
    """generate_demo_data loads pandas: imported on first use, so that commands needing no table start fast."""
    if name == "generate_demo_data":
        from .data.demo import generate_demo_data

        return generate_demo_data
    raise AttributeError(f"module 'analysis' has no attribute '{name}'")


__all__ = ["__version__", "Parameters", "load_parameters", "load_tables", "prepare_tables", "validate_sources",
           "Tables", "TABLES", "generate_demo_data", "WorkbenchError", "ConfigError", "DataError",
           "NotebookError", "SiteError", "PublishError"]
