"""Warm kernels: a run's notebook kernels are forked from one process that has imported the libraries once.

Every page's kernel imports IPython's kernel, pandas, matplotlib, scikit-learn and this package before its first
figure: 2-4 s of CPU per page (a third of the demo month). A local run therefore starts one *fork server*: a
process that imports all of that once and then waits on a Unix socket. Each kernel is a fork of it, handed the
kernel's command, environment, working folder and standard output and error (the page's log) by the worker
that runs the notebook; jupyter_client then talks to it exactly as to a kernel it started itself.

Kept as a normal start (a new interpreter) whenever a fork is not the same thing: another kernel than this
interpreter's own IPython kernel, a system other than Linux (Windows has no fork, macOS frameworks are not
safe to fork), a server that did not start or holds more than one thread (BLAS threads do not survive a
fork), or ``run.warm_kernels: false``. The pages are the same either way (compared on the demo month).

A forked kernel behaves as a started one: its own session (Ctrl+C at the terminal does not reach it), SIGCHLD
and SIGINT as usual, and it exits when the worker that asked for it is gone (a started kernel watches its
parent the same way).
"""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

#: what the kernels import before their first page cell: IPython's kernel and the libraries the notebooks use.
#: Not analysis.charts (it selects matplotlib's Agg backend as it is imported) nor matplotlib's inline backend
#: (it hooks into IPython as it is imported, and there is no IPython in the server): a notebook that plots
#: without them gets its figures inline, as in a started kernel. pyplot itself leaves the backend for later.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "matplotlib.pyplot",
           "matplotlib.ticker", "matplotlib.font_manager", "analysis.report", "analysis.cadence",
           "analysis.churn", "analysis.complaints", "analysis.coverage", "analysis.excel", "analysis.grading",
           "analysis.leads", "analysis.model_cache", "analysis.modeling", "analysis.quality",
           "analysis.requirements", "analysis.returns", "analysis.sales", "analysis.satisfaction",
           "analysis.workdays")

#: how long the runner waits for the server to bind its socket, and a worker for the server's answer (which
#: comes once its imports are done: seconds, more on a busy machine)
STARTUP_SECONDS, ANSWER_SECONDS = 30, 120

#: servers that failed this worker once: its next kernels start the usual way at once
_failed: set[str] = set()

#: the socket of this worker's run's fork server (set by the runner's worker before papermill starts a kernel)
server: str | None = None


def available() -> bool:
    """Linux only: macOS frameworks are not safe to fork (Python's own process pools spawn there), Windows
    has no fork."""
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds")


class ForkServer:
    """The runner's handle on its fork server (a context manager; the server ends with it)."""

    def __init__(self, env: dict[str, str], cwd: str):
        import tempfile

        # a Unix socket path must stay under ~100 bytes, so not in the (possibly deep) project folder
        self.folder = tempfile.mkdtemp(prefix="workbench-warm-")
        self.path = os.path.join(self.folder, "s")
        # started from the kernels' working folder, so that its sys.path[0] is theirs as well
        self.proc = subprocess.Popen([sys.executable, "-m", "analysis.warm", self.path], env=env, cwd=cwd,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        # it binds the socket before its imports: from then on a kernel asked for waits in the socket's queue
        import select

        ready, _, _ = select.select([self.proc.stdout], [], [], STARTUP_SECONDS)
        line = self.proc.stdout.readline() if ready else b""
        if line.strip() != b"bound":
            self.close()
            raise OSError("the warm-kernel server did not start")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


@functools.cache
def kernel_manager_class():
    """jupyter_client's kernel manager, starting this interpreter's IPython kernels as forks of the server."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class WarmProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            if server and server not in _failed and _own_ipython_kernel(cmd):
                try:
                    pid = _fork_kernel(server, cmd, kwargs.get("env") or dict(os.environ),
                                       kwargs.get("cwd") or os.getcwd())
                except (OSError, ValueError) as exc:
                    _failed.add(server)
                    # on the page's log (the worker's standard error, which a kernel would write to)
                    os.write(2, f"warm kernel unavailable ({exc}); starting the kernel the usual way\n".encode())
                else:
                    self.process = _Forked(pid)
                    self.pid = self.pgid = pid  # the kernel leads its own session and process group
                    return self.connection_info
            return await super().launch_kernel(cmd, **kwargs)

    class WarmKernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None:
                import uuid

                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = WarmProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                   parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return WarmKernelManager


# ----------------------------------------------------------------------------- the worker's side

def _own_ipython_kernel(cmd: list[str]) -> bool:
    """Whether the kernel command starts this interpreter's IPython kernel (what the server has imported)."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return False
    try:
        return os.path.samefile(cmd[0], sys.executable)
    except OSError:
        return False


def _fork_kernel(path: str, cmd: list[str], env: dict, cwd: str) -> int:
    """Ask the server for a kernel; the new kernel's process ID. Standard output and error are this process's."""
    # the kernel ends with this worker, as a started kernel ends with its parent (JPY_PARENT_PID)
    env = {**env, "JPY_PARENT_PID": str(os.getpid())}  # what jupyter_client's launcher sets (kernels say less)
    request = json.dumps({"cmd": cmd, "env": env, "cwd": cwd, "worker": os.getpid()}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(ANSWER_SECONDS)
        conn.connect(path)
        socket.send_fds(conn, [request], [1, 2])
        conn.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    answer = json.loads(reply or b"{}")
    if "pid" not in answer:
        raise ValueError(answer.get("error", "no answer"))
    return int(answer["pid"])


class _Forked:
    """What jupyter_client needs of a kernel process (poll, wait, signals) for one that is not our child.

    The server reaps its kernels as they end, so a kernel is alive while its process ID is in use. The exit
    status is the server's to see: an ended kernel reports 0.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not _alive(self.pid):
            self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: ours has ended and the number was reused
        return False
    return True


# ----------------------------------------------------------------------------- the server's side

def serve(path: str) -> None:
    """Bind the socket, import what the kernels import, then fork a kernel for each request."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the runner's to handle; it ends this server
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # the runner's close(): end through the finally below
    try:
        _serve(path)
    finally:
        import shutil

        shutil.rmtree(os.path.dirname(path), ignore_errors=True)  # the socket's own folder (ForkServer's)


def _serve(path: str) -> None:
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]  # as ipykernel_launcher does (IPython puts the kernel's folder back as it starts)
    runner = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    print("bound", flush=True)
    # what ipykernel sets before a kernel's first import of matplotlib (read once, when matplotlib is imported)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    from analysis.runner import fast_jupyter_imports

    fast_jupyter_imports()
    import importlib

    for name in PRELOAD:
        if os.getppid() != runner:  # the runner is gone (killed): so is the run
            return
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the kernel will import it itself (and say what is wrong)
            pass
    threads = _threads()
    # ended kernels are reaped at once (waited for, not ignored: their CPU time and peak memory then count in
    # the run's own, as a started kernel's do)
    signal.signal(signal.SIGCHLD, _reap)
    listener.settimeout(1.0)
    while True:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            _reap()
            if os.getppid() != runner:  # the runner is gone (killed): so is the run
                return
            continue
        with conn:
            conn.settimeout(30)
            try:
                request, fds = _receive(conn)
            except (OSError, ValueError) as exc:
                _reply(conn, {"error": f"bad request: {exc}"})
                continue
            if threads != 1:
                _reply(conn, {"error": f"the server holds {threads} threads; a fork would lose them"})
                for fd in fds:
                    os.close(fd)
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()  # the worker reads the answer to its end: the kernel must not hold it open
                _become_kernel(request, fds)  # never returns
            for fd in fds:
                os.close(fd)
            _reply(conn, {"pid": pid})


def _reap(*_signal) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 2)
    while chunk := conn.recv(1 << 20):
        data += chunk
    if len(fds) != 2:
        for fd in fds:
            os.close(fd)
        raise ValueError("expected the kernel's standard output and error")
    return json.loads(data), fds


def _reply(conn: socket.socket, answer: dict) -> None:
    try:
        conn.sendall(json.dumps(answer).encode())
    except OSError:
        pass


#: threads that survive a fork by design: jemalloc (loaded with pyarrow) stops its background thread in a
#: forked child and starts it again when needed
FORK_SAFE_THREADS = ("jemalloc_bg_thd",)


def _threads() -> int:
    """This process's threads, not counting those that are safe to fork."""
    try:
        tasks = [t for t in os.listdir("/proc/self/task") if int(t) != os.getpid()]
        names = [Path(f"/proc/self/task/{t}/comm").read_text().strip() for t in tasks]
        return 1 + sum(name not in FORK_SAFE_THREADS for name in names)
    except (OSError, ValueError):
        import threading

        return threading.active_count()


def _become_kernel(request: dict, fds: list[int]) -> None:
    """In the forked child: take the kernel's session, streams, environment and folder, then run the kernel."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        import atexit

        atexit._clear()  # the server's exit handlers are the server's (matplotlib's temporary folder, ...)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in fds:
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        _threads_as_asked(request["env"])
        _exit_with(int(request.get("worker") or 0))
        cmd = request["cmd"]
        # ipykernel read JPY_PARENT_PID when the server imported it: the worker's is given as an argument
        argv = [*cmd[3:], f"--IPKernelApp.parent_handle={int(request.get('worker') or 0)}"]
        sys.argv = [cmd[0], *argv]
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on the page's log, as a started kernel's would be
        import traceback

        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def _threads_as_asked(env: dict) -> None:
    """Give the kernel the BLAS/OpenMP threads its environment asks for. The server imported the libraries with
    one thread (more would not survive the fork); a started kernel's libraries read the count as they load."""
    try:
        threads = int(env.get("OMP_NUM_THREADS") or 0)
    except ValueError:
        return
    if threads > 1:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)


def _exit_with(worker: int) -> None:
    """End this kernel when the worker that asked for it ends (a started kernel's parent poller does the same)."""
    if worker <= 1:
        return
    import threading

    def watch():
        while _alive(worker):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="workbench-parent-watch", daemon=True).start()


if __name__ == "__main__":
    serve(sys.argv[1])
