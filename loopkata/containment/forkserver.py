"""A fork server: import pytest and torch once, then fork a contained child for every run.

Starting Python and importing torch takes seconds; grading a submission runs
a child per step, and a batch runs hundreds. The server imports the spec's
dependencies once and forks each child from that state; only our own code
ever runs in the server, and learner code only in the forked children.

Protocol, over a Unix socket pair: the parent sends one JSON request with the
child's three file descriptors attached (stdout/stderr, the key pipe, the
result pipe); the server forks, answers {"pid": ...}, waits for the child,
and answers {"status": ...}. One run at a time per server.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import traceback
from pathlib import Path

from loopkata.containment.channel import channel_args
from loopkata.containment.child import apply_limits, run

# torch._dynamo: the first torch.optim optimiser a process makes imports it, 2 s every child otherwise
PRELOAD = ("torch", "torch._dynamo", "hypothesis", "numpy", "matplotlib.pyplot", "pytest", "pytest_timeout",
           "loopkata.testing", "loopkata.containment.reporter", "loopkata.kata.mnist")


class ForkServer:
    """The parent's handle on a server process."""

    def __init__(self, env: dict[str, str], cwd: Path):
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._file = self._sock.makefile("r")
        self.proc = subprocess.Popen(  # in a folder of ours: what imports write lands there, not in the caller's
            [sys.executable, "-m", "loopkata.containment.forkserver", str(theirs.fileno())],
            cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),), start_new_session=True,
        )
        theirs.close()
        self._status: int | None = None
        ready = self._read()
        if ready.get("ready") is not True:
            raise OSError("the fork server did not start")

    def _read(self) -> dict:
        line = self._file.readline()
        if not line:
            raise OSError("the fork server is gone")
        return json.loads(line)

    def start(self, request: dict, fds: list[int]) -> int:
        """Fork a child for `request`; return its pid."""
        self._status = None
        socket.send_fds(self._sock, [json.dumps(request).encode() + b"\n"], fds)
        return int(self._read()["pid"])

    def poll(self) -> int | None:
        """The exit status of the child started last once it has ended (negative: killed by that
        signal), else None."""
        if self._status is None and select.select([self._sock], [], [], 0)[0]:
            self._status = int(self._read()["status"])
        return self._status

    def wait(self) -> int:
        if self._status is None:
            self._status = int(self._read()["status"])
        return self._status

    def close(self) -> None:
        self._sock.close()
        self.proc.kill()
        self.proc.wait()


def _child(request: dict, fds: list[int], server_fd: int) -> None:
    """In the forked child: contain ourselves, then run pytest (or the module asked for). Never returns."""
    code = 70
    try:
        os.close(server_fd)
        os.setsid()
        out, key_fd, result_fd = fds  # this process's numbers for them, not the parent's
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.chdir(request["cwd"])
        os.environ.update(request["env"])
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
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
        import ctypes

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


def _reap_leftovers() -> None:
    """Kill whatever a finished child left running (its processes are now ours to reap)."""
    for _ in range(20):  # each round kills one generation; their orphans come to us next
        leftovers = _children()
        if not leftovers:
            return
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def serve(fd: int) -> None:
    _become_subreaper()
    for name in PRELOAD:
        __import__(name)
    sock = socket.socket(fileno=fd)
    sock.sendall(b'{"ready": true}\n')
    buffer = b""
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 1 << 16, 8)
        if not message:
            return
        buffer += message
        if not buffer.endswith(b"\n"):
            continue
        request, buffer = json.loads(buffer), b""
        Path(request["cwd"]).mkdir(parents=True, exist_ok=True)
        pid = os.fork()
        if pid == 0:
            _child(request, fds, fd)
        for f in fds:
            os.close(f)
        sock.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        _, status = os.waitpid(pid, 0)
        _reap_leftovers()
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        sock.sendall(json.dumps({"status": code}).encode() + b"\n")


if __name__ == "__main__":
    serve(int(sys.argv[1]))
