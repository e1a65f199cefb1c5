"""Exceptions of the workbench: one root, narrow subclasses that also subclass the builtin."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Root of every error the workbench raises on purpose."""

    #: process exit code for the CLI: 2 is a user's mistake, 1 a failure of ours
    exit_code = 1


class ConfigError(WorkbenchError, ValueError):
    """A parameter is unknown, of the wrong type, or out of range."""

    exit_code = 2


class DataError(WorkbenchError, ValueError):
    """Input files cannot be read or fail validation.

    ``issues`` holds every failure found (not only the first), each an
    :class:`analysis.data.validate.Issue`.
    """

    exit_code = 2

    def __init__(self, message: str, issues: list | None = None, check: str = "unreadable_file", reason=None):
        super().__init__(message)
        self.issues = list(issues or [])
        self.check = check
        #: the same fact as an :class:`analysis.message.Message`, for a page in the reader's language
        self.reason = reason


class NotebookError(WorkbenchError, RuntimeError):
    """A notebook cell failed during a run."""

    exit_code = 1


class SiteError(WorkbenchError, RuntimeError):
    """The report site cannot be built."""

    exit_code = 2


class PublishError(WorkbenchError, RuntimeError):
    """The site cannot be published (for instance personal data was found)."""

    exit_code = 2
