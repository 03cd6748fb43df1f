"""A fork server: import torch and pytest once, then fork a contained child for every run, several at a time.

Starting Python and importing torch takes seconds; grading a submission runs
a child per step, and a batch runs hundreds. The server imports the spec's
dependencies once and forks each child from that state; only our own code
ever runs in the server, and learner code only in the forked children.

Protocol, over a Unix socket pair of packets (one message each): the parent
sends a request `{"id": n, ...}` with the child's three file descriptors
attached (stdout/stderr, the key pipe, the result pipe); the server forks,
answers `{"id": n, "pid": ...}`, and once that child has ended,
`{"id": n, "status": ...}` (negative: killed by that signal). Any number of
children may run at once; the parent's `ForkServer` is shared by threads.

The server is a child subreaper (Linux): whatever a child leaves running is
re-parented to the server when its parent ends, and killed there.
"""
from __future__ import annotations

import ctypes
import gc
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from loopkata.containment.channel import channel_args
from loopkata.containment.child import apply_limits, run

# torch._dynamo: the first torch.optim optimiser a process makes imports it, 2 s every child otherwise
PRELOAD = ("torch", "torch._dynamo", "hypothesis", "numpy", "matplotlib.pyplot", "pytest", "pytest_timeout",
           "loopkata.testing", "loopkata.containment.reporter", "loopkata.kata.mnist")
MESSAGE_BYTES = 1 << 16  # a request (arguments and environment) is far smaller


class ForkServer:
    """The parent's handle on a server process; `start` may be called from several threads at once."""

    def __init__(self, env: dict[str, str], cwd: Path, preload: tuple[str, ...] = PRELOAD):
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(  # in a folder of ours: what imports write lands there, not in the caller's
            [sys.executable, "-m", "loopkata.containment.forkserver", str(theirs.fileno()), ",".join(preload)],
            cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),), start_new_session=True,
        )
        theirs.close()
        self._answers: dict[int, dict] = {}  # request id -> what the server said of it so far
        self._changed = threading.Condition()
        self._next_id = 0
        self._gone = False
        ready = self._sock.recv(MESSAGE_BYTES)
        if json.loads(ready or b"{}").get("ready") is not True:
            self.close()
            raise OSError("the fork server did not start")
        threading.Thread(target=self._read_answers, daemon=True).start()

    def _read_answers(self) -> None:
        while True:
            try:
                message = self._sock.recv(MESSAGE_BYTES)
            except OSError:
                message = b""
            with self._changed:
                if not message:
                    self._gone = True
                    self._changed.notify_all()
                    return
                answer = json.loads(message)
                self._answers.setdefault(answer["id"], {}).update(answer)
                self._changed.notify_all()

    def _await(self, request_id: int, key: str, timeout: float | None = None) -> int | None:
        with self._changed:
            self._changed.wait_for(lambda: key in self._answers.get(request_id, {}) or self._gone, timeout)
            answer = self._answers.get(request_id, {})
            if key in answer:
                return int(answer[key])
            if self._gone:
                raise OSError("the fork server is gone")
            return None

    def start(self, request: dict, fds: list[int]) -> tuple[int, int]:
        """Fork a child for `request`; return (request id, the child's pid)."""
        with self._changed:
            self._next_id += 1
            request_id = self._next_id
        socket.send_fds(self._sock, [json.dumps({**request, "id": request_id}).encode()], fds)
        return request_id, self._await(request_id, "pid")

    def poll(self, request_id: int) -> int | None:
        """The child's exit status once it has ended, else None."""
        return self._await(request_id, "status", timeout=0)

    def wait(self, request_id: int) -> int:
        status = self._await(request_id, "status")
        with self._changed:
            self._answers.pop(request_id, None)
        return status

    def close(self) -> None:
        self._sock.close()
        self.proc.kill()
        self.proc.wait()


class SharedServer:
    """A fork server for several threads: started by the first that asks, closed once retired and unused.

    `start` makes the server; `given`, a server someone else opened, is used and never closed here.
    """

    def __init__(self, start: Callable[[], ForkServer], given: ForkServer | None = None):
        self._start, self._own = start, given is None
        self._lock = threading.Lock()
        self._state: ForkServer | str | None = given  # the server, or why there is none; None: not started
        self._in_use = 0
        self._retired = False

    @property
    def ready(self) -> bool:
        return isinstance(self._state, ForkServer)

    def get(self, use: bool = False) -> ForkServer | None:
        """The server (waiting while another thread starts it), or None; with `use`, in use until `done`."""
        with self._lock:
            if self._state is None and not self._retired:
                try:
                    self._state = self._start()
                except OSError as e:
                    self._state = str(e)
            if not isinstance(self._state, ForkServer):
                return None
            self._in_use += use
            return self._state

    def done(self) -> None:
        with self._lock:
            self._in_use -= 1
            self._close_if_retired()

    def retire(self) -> None:
        """Close the server now if no run uses it, else when the last one is done; start none after."""
        with self._lock:
            self._retired = True
            self._close_if_retired()

    def _close_if_retired(self) -> None:
        if self._retired and self._in_use == 0:
            if isinstance(self._state, ForkServer) and self._own:
                self._state.close()
            self._state = "closed"


# --- the server process ------------------------------------------------------------------------

def _child(request: dict, fds: list[int], closing: list[int]) -> None:
    """In the forked child: contain ourselves, then run pytest (or the module asked for). Never returns."""
    code = 70
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in closing:  # the server's socket and wake-up pipe are not the child's business
            os.close(fd)
        os.setsid()
        out, key_fd, result_fd = fds  # this process's numbers for them, not the parent's
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        apply_limits(request["memory_mb"], request["file_bytes"])
        code = run(channel_args(request["args"], key_fd, result_fd), request.get("module"))
    except BaseException:  # ours, before pytest took over: say what, on the child's captured output
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _become_subreaper() -> None:
    """Orphans of our children become ours (Linux), so that none outlives its run."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _children() -> list[int]:
    me, found = os.getpid(), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            found.append(int(stat.parent.name))
    return found


def _kill_leftovers(running: dict[int, int]) -> None:
    """Kill every process of ours that is not a running child: what a finished child left behind."""
    for pid in _children():
        if pid not in running:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _reap(running: dict[int, int], sock: socket.socket) -> None:
    """Collect every process that has ended; answer for the children among them."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        request_id = running.pop(pid, None)
        if request_id is None:
            continue  # a leftover, killed earlier
        _kill_leftovers(running)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        sock.sendall(json.dumps({"id": request_id, "status": code}).encode())


def serve(fd: int, preload: tuple[str, ...]) -> None:
    _become_subreaper()
    for name in preload:
        __import__(name)
    gc.freeze()  # what the preload made stays out of every child's garbage collections (and pages stay shared)
    sock = socket.socket(fileno=fd)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)  # SIGCHLD wakes the select below
    signal.signal(signal.SIGCHLD, lambda *_: None)
    running: dict[int, int] = {}  # pid -> request id
    sock.sendall(b'{"ready": true}')
    while True:
        ready, _, _ = select.select([sock, wake_read], [], [])
        if wake_read in ready:
            while True:
                try:
                    if not os.read(wake_read, 512):
                        break
                except BlockingIOError:
                    break
            _reap(running, sock)
        if sock in ready:
            message, fds, _, _ = socket.recv_fds(sock, MESSAGE_BYTES, 8)
            if not message:  # the parent has gone: so do its children
                for pid in running:
                    _kill_group(pid)
                return
            request = json.loads(message)
            Path(request["cwd"]).mkdir(parents=True, exist_ok=True)
            pid = os.fork()
            if pid == 0:
                _child(request, fds, [fd, wake_read, wake_write])
            running[pid] = request["id"]
            for f in fds:
                os.close(f)
            sock.sendall(json.dumps({"id": request["id"], "pid": pid}).encode())


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


if __name__ == "__main__":
    serve(int(sys.argv[1]), tuple(name for name in sys.argv[2].split(",") if name))
