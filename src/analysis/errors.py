"""Exceptions of the workbench: one root, narrow subclasses that also subclass the builtin."""

from __future__ import annotations

import errno
import re
import shutil


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


class LockError(WorkbenchError, RuntimeError):
    """Another workbench command holds the project's lock (one run, site build or publish at a time)."""

    exit_code = 2


def describe_os_error(exc: OSError) -> str:
    """One line for a fault of the operating system: the path, what went wrong, what to do.

    ``OSError(ENOSPC, "No space left on device", "reports/runs")`` reads
    ``reports/runs: the disk is full (No space left on device). Free some space ...``.
    """
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        # copytree goes on past a failed file and gathers (source, destination, reason as text) per file
        src, dst, why = exc.args[0][0]
        code = re.match(r"\[Errno (\d+)\] ([^:]+)", str(why))
        if code:
            return describe_os_error(OSError(int(code[1]), code[2], dst))
        return f"{src}: could not be copied ({why}). {len(exc.args[0])} file(s) failed; fix the first and run again."
    where = exc.filename if exc.filename is not None else "writing the output"
    if exc.filename2 is not None:
        where = f"{exc.filename} -> {exc.filename2}"
    reason = exc.strerror or str(exc)
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return (f"{where}: the disk is full ({reason}). Free some space (old runs in reports/runs/, data/processed/) "
                "and run the command again; nothing half-written was kept.")
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return (f"{where}: permission denied ({reason}). Give your user the right to read and write there (or "
                "close the program that holds the file open, e.g. Excel), or choose another folder.")
    if code == errno.EROFS:
        return f"{where}: the file system is read-only ({reason}). Choose a folder on a writable disk."
    if code == errno.EADDRINUSE:
        return f"{where}: the address is in use ({reason}). Choose another port, e.g. --port 8001."
    if isinstance(exc, FileNotFoundError):
        return f"{where}: not found ({reason}). Check the path; a file may have been moved while the command ran."
    return f"{where}: {reason}. Check the path and the disk, then run the command again."
