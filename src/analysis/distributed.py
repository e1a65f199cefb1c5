"""Past one machine: send independent notebook executions to an existing Dask distributed cluster.

The workers must see the project folder at the same path (a shared file system) and have
the project installed; each task is one notebook of one month (or one branch).
"""

from __future__ import annotations

from typing import Callable, Iterator

from .errors import ConfigError


def _answers(scheduler: str) -> None:
    """Refuse at once an address where nothing listens (Dask's client would retry it for its whole timeout)."""
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(scheduler if "://" in scheduler else f"tcp://{scheduler}")
    try:
        port = address.port
    except ValueError:
        port = None
    if address.scheme not in ("tcp", "tls") or not address.hostname or not port:
        return  # another transport (inproc, ucx...) or an odd address: Dask's own client says what is wrong
    try:
        socket.create_connection((address.hostname, port), timeout=5).close()
    except OSError as exc:
        raise ConfigError(f"--scheduler {scheduler}: no Dask scheduler answers there ({exc}). Start one with "
                          "`dask scheduler` and workers with `dask worker ADDRESS`, or check the address.") from None


def run_on_dask(scheduler: str | None, function: Callable[..., dict], jobs: list[dict]) -> Iterator[dict]:
    """Submit ``function(**job)`` for every job to the scheduler; yield results as they complete."""
    if not scheduler:
        raise ConfigError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786), the address of "
                          "a running Dask scheduler.")
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ConfigError("--executor dask needs the dask distributed package: pip install 'dask[distributed]' "
                          "(or pip install -e '.[dask]').") from None
    _answers(scheduler)
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"--scheduler {scheduler}: no Dask scheduler answers there ({exc}). Start one with "
                          "`dask scheduler` and workers with `dask worker ADDRESS`, or check the address.") from None
    try:
        futures = [client.submit(function, pure=False, key=f"workbench-{job['name']}-{job['month']}-{i}", **job)
                   for i, job in enumerate(jobs)]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
