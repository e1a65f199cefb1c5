"""Small file helpers shared by the writers: atomic replacement, the project lock, leftovers of interrupted runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import time
from pathlib import Path
from typing import Callable, Iterable

from .errors import LockError


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read a megabyte at a time (exports can be hundreds of megabytes)."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


# ----------------------------------------------------------------------------- one command at a time

LOCK_NAME = ".workbench.lock"
#: leftovers of an interrupted writer: .<name>.staging-<pid>, .staging-<key>-<pid>, .site-staging-<pid>,
#: .publish-staging-<pid>, .<name>.old-<pid>, .<name>.tmp-<pid>[.suffix]
LEFTOVER = re.compile(r"^\..*(?:staging|\.old|\.tmp)-(?:[0-9a-f]{16}-)?(?P<pid>\d+)(?:\.[A-Za-z0-9]+)?$")
#: a leftover older than this is removed even when its process number is in use again
LEFTOVER_MAX_AGE = 24 * 3600


class ProjectLock:
    """The project's lock file while this process holds it; ``release()`` (or leaving ``with``) frees it."""

    def __init__(self, path: Path, fd: int):
        self.path, self._fd = path, fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            if _same_file(self.path, self._fd):
                self.path.unlink()
        except OSError:
            pass
        finally:
            os.close(self._fd)  # closing also frees the OS lock
            self._fd = None

    def __enter__(self) -> "ProjectLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def hold_project_lock(root: Path, command: str, progress: Callable[[str], None] | None = None) -> ProjectLock:
    """Take ``reports/.workbench.lock`` for ``command`` (one run, site build or publish at a time).

    The file holds the holder's PID, command, start time and host. Where the OS offers file locks
    (POSIX), the lock is an ``flock`` on that file, which the OS frees when the holder dies, however
    it dies; elsewhere a lock whose PID is no longer running is stale. A stale lock is taken over,
    with a line saying whose it was.

    Raises
    ------
    LockError
        another live process holds the lock; the message says who and since when.
    """
    say = progress or (lambda _m: None)
    path = Path(root) / "reports" / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(10):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            previous = _read_lock(fd)
            if not _os_lock(fd, previous):
                raise LockError(_held_message(path, previous))
            if not _same_file(path, fd):  # the holder removed the file between our open and our lock: again
                os.close(fd)
                continue
            previous = _read_lock(fd)
            if previous:
                say(f"taking over the lock of a workbench command that is no longer running: {_who(previous)}")
            info = {"pid": os.getpid(), "command": command, "host": socket.gethostname(),
                    "started": dt.datetime.now().isoformat(timespec="seconds")}
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"))
            os.fsync(fd)
            return ProjectLock(path, fd)
        except BaseException:
            os.close(fd)
            raise
    raise LockError(f"{path}: could not take the lock (it kept changing hands). Run the command again.")


def read_project_lock(root: Path) -> dict | None:
    """The lock holder's record (pid, command, host, started), or None when no lock file exists."""
    path = Path(root) / "reports" / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        return _read_lock(fd)
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------- leftovers of interrupted writers

def clean_stale_leftovers(folders: Iterable[Path], progress: Callable[[str], None] | None = None,
                          now: float | None = None) -> list[Path]:
    """Remove staging folders and temporary files that an interrupted (killed) writer left in ``folders``.

    A leftover is stale when the process that made it (the PID in its name) is no longer running, or
    when it is older than a day (the PID may have been reused). Call it while holding the project lock,
    so that no other workbench command of this project is writing. Returns what was removed.
    """
    say = progress or (lambda _m: None)
    now = time.time() if now is None else now
    removed = []
    for folder in folders:
        try:
            entries = sorted(Path(folder).iterdir())
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            m = LEFTOVER.match(entry.name)
            if not m or int(m["pid"]) == os.getpid():
                continue
            try:
                old = now - entry.lstat().st_mtime > LEFTOVER_MAX_AGE
                if not old and _pid_running(int(m["pid"])):
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                say(f"warning: {entry}: could not remove this leftover of an interrupted run ({exc.strerror}). "
                    "Remove it by hand.")
                continue
            removed.append(entry)
    if removed:
        say(f"removed {len(removed)} leftover(s) of interrupted runs: " + ", ".join(str(p) for p in removed[:5])
            + (" ..." if len(removed) > 5 else ""))
    return removed


def _pid_running(pid: int) -> bool:
    import psutil

    try:
        return psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _os_lock(fd: int, holder: dict | None) -> bool:
    """Lock ``fd`` without waiting; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks that readers can pass; judge by the holder's PID
        return not (holder and holder.get("pid") != os.getpid() and holder.get("host") == socket.gethostname()
                    and _pid_running(int(holder.get("pid", 0))))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def _same_file(path: Path, fd: int) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _read_lock(fd: int) -> dict | None:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = b""
    while chunk := os.read(fd, 65536):
        raw += chunk
    if not raw.strip():
        return None
    try:
        info = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"pid": "?", "command": "unknown (the lock file is damaged)"}
    return info if isinstance(info, dict) else {"pid": "?", "command": "unknown (the lock file is damaged)"}


def _who(info: dict) -> str:
    host = f" on {info['host']}" if info.get("host") and info.get("host") != socket.gethostname() else ""
    started = str(info.get("started", "?")).replace("T", " ")
    return f"PID {info.get('pid', '?')}{host}, `{info.get('command', '?')}`, started {started}"


def _held_message(path: Path, holder: dict | None) -> str:
    who = _who(holder) if holder else "a process that has not yet written its name"
    return (f"{path}: another workbench command is running in this project ({who}). Wait until it has finished "
            f"and run this one again; if that process is gone, delete {path}.")
