"""The parent's side of a contained run: start a child, read it, stop it, and leave nothing behind.

The child gets a session of its own (so the whole process group can be
killed), a memory cap, a cap on the size of files it writes, a wall-clock
limit, a minimal environment, and a private working folder. Its stdout and
stderr are kept up to a cap (head and tail); results come back over the
signed channel (`loopkata.containment.channel`). When the child ends, or its
time is up, every process of its group, and any process still carrying this
run's marker in its environment, is killed.

This contains mistakes and casual cheating (a hang, a crash, `sys.exit`,
`os._exit`, a fork left running, a flood of output, a fake results file); it
is not a security boundary against a determined attacker: grade untrusted
work inside a container, one submission per container, as Gradescope does.
"""
from __future__ import annotations

import json
import os
import secrets
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from loopkata.containment.channel import KEY_BYTES, Reader, channel_args
from loopkata.containment.forkserver import ForkServer

GRACE_SECONDS = 0.5  # after the child exits, how long its pipes may stay open


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 60.0
    test_seconds: float = 10.0  # per test, enforced inside the child (`loopkata.testing.hangs`)
    import_seconds: float = 5.0  # per module of the tree, imported before the first test
    memory_mb: int = 2048
    output_bytes: int = 64_000  # of stdout/stderr kept for the report (head and tail)
    file_bytes: int = 64 * 2**20  # largest file the child may write


@dataclass
class ChildRun:
    returncode: int | None  # None when it was stopped at its time limit, or its fork server is gone
    timed_out: bool
    output: str
    records: list[dict] = field(default_factory=list)  # what came over the channel and verified
    rejected: int = 0  # result lines that failed the signature or sequence check


def stopped(child: ChildRun, limits: Limits, finished: bool) -> str | None:
    """Why a child's run did not reach its end, in words ('it was ...'); None when it did."""
    if child.timed_out:
        return f"it was still running after {limits.wall_seconds:g} s (an endless loop?)"
    if child.returncode is not None and child.returncode < 0:
        return f"it was killed by signal {-child.returncode} (a crash, or memory exhausted?)"
    if not finished:
        return (f"it ended early with exit code {child.returncode} "
                "(sys.exit, os._exit or pytest.exit in the code under test?)")
    return None


class _Capped:
    """Keep the head and the tail of a stream, never more than `limit` bytes."""

    def __init__(self, limit: int):
        self.half = limit // 2
        self.head = bytearray()
        self.tail = bytearray()
        self.cut = False

    def add(self, data: bytes) -> None:
        room = self.half - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self.half:
                self.cut = True
                del self.tail[: len(self.tail) - self.half]

    def text(self) -> str:
        middle = b"\n... (output cut) ...\n" if self.cut else b""
        return (bytes(self.head) + middle + bytes(self.tail)).decode("utf-8", "replace")


PLAIN = "LOOPKATA_PLAIN_CHILD"  # set to 1: the plain child even where full containment works (tests)


def full_containment() -> bool:
    """Whether the grader's containment works here: Linux (process groups and their kill, resource
    limits, /proc to find leftovers, a fork server). Elsewhere a plain child runs, with the same time
    limits: macOS forks badly once torch is loaded, and Windows has no fork, no `resource`, no /proc."""
    return sys.platform == "linux" and not os.environ.get(PLAIN)


def fork_server_works() -> bool:
    """Whether children can be forked from a fork server here."""
    return full_containment()


def child_env(workdir: Path, marker: str) -> dict[str, str]:
    """A minimal, predictable environment: same code, same result, every time."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "LOOPKATA_RUN": marker,
    }


def run_pytest(args: list[str], workdir: Path, limits: Limits, server: ForkServer | None = None) -> ChildRun:
    """Run `pytest args` in a contained child whose working folder is `workdir`.

    With a fork server the child is forked from it; without one, a new Python starts.
    """
    return _run({"args": args}, workdir, limits, server)


def run_module(module: str, args: list[str], workdir: Path, limits: Limits,
               server: ForkServer | None = None, on_record=None) -> ChildRun:
    """Run `module.main(args)`, a module of ours, in a contained child, as `run_pytest` runs pytest.

    Its args end with `--report-fd=N --report-key-fd=N`, as pytest's do: it signs its
    result lines with the key it reads from the one and writes them to the other.
    `on_record` is called with each record as it arrives (with a plain child: at the end).
    """
    return _run({"args": args, "module": module}, workdir, limits, server, on_record)


def _run(request: dict, workdir: Path, limits: Limits, server: ForkServer | None, on_record=None) -> ChildRun:
    workdir.mkdir(parents=True, exist_ok=True)
    if not full_containment():
        return _run_plain(request, workdir, limits, on_record)
    key, marker = secrets.token_bytes(KEY_BYTES), secrets.token_hex(16)
    key_read, key_write = os.pipe()
    result_read, result_write = os.pipe()
    out_read, out_write = os.pipe()
    os.write(key_write, key)  # fits in the pipe's buffer: no reader needed yet
    os.close(key_write)
    config = {
        **request,
        "memory_mb": limits.memory_mb,
        "file_bytes": limits.file_bytes,
        "cwd": str(workdir),
        "env": child_env(workdir, marker),
    }
    deadline = time.monotonic() + limits.wall_seconds
    try:
        child = _start(server, config, out_write, key_read, result_write)
    finally:
        for fd in (key_read, result_write, out_write):
            os.close(fd)
    output, results = _Capped(limits.output_bytes), Reader(key, on_record)
    try:
        timed_out = _pump(child, {out_read: output.add, result_read: results.add}, deadline)
    finally:  # also on Ctrl-C: no child outlives its run
        returncode = _kill_all(child, marker)
        os.close(out_read)
        os.close(result_read)
    return ChildRun(returncode=None if timed_out else returncode, timed_out=timed_out, output=output.text(),
                    records=results.records, rejected=results.rejected)


def _run_plain(request: dict, workdir: Path, limits: Limits, on_record=None) -> ChildRun:
    """A plain child, where the full containment does not work: the key on its stdin, its results in a
    file, its output read by a thread, and its process (group, on POSIX) killed at the time limit."""
    key = secrets.token_bytes(KEY_BYTES)
    results_file = workdir / "results.signed"
    config = {**request, "plain": True, "results": str(results_file), "memory_mb": limits.memory_mb,
              "file_bytes": limits.file_bytes, "cwd": str(workdir), "env": child_env(workdir, secrets.token_hex(16))}
    if os.name == "posix":
        group: dict = {"start_new_session": True}
    else:  # Windows: a group of its own, and the variable Python needs to start there
        group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        config["env"]["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
    proc = subprocess.Popen([sys.executable, "-m", "loopkata.containment.child", json.dumps(config)],
                            cwd=workdir, env=config["env"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, **group)
    output = _Capped(limits.output_bytes)
    reader = threading.Thread(target=_read_into, args=(proc.stdout, output), daemon=True)
    reader.start()
    try:
        proc.stdin.write(key)
        proc.stdin.close()
        proc.wait(timeout=limits.wall_seconds)
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
    except BrokenPipeError:  # it ended before reading its key
        timed_out = False
    finally:  # also on Ctrl-C: no child outlives its run
        _kill_plain(proc)
        reader.join(GRACE_SECONDS)
    results = Reader(key, on_record)
    if results_file.is_file():
        results.add(results_file.read_bytes())
    return ChildRun(returncode=None if timed_out else proc.returncode, timed_out=timed_out, output=output.text(),
                    records=results.records, rejected=results.rejected)


def _read_into(stream, output: _Capped) -> None:
    for chunk in iter(lambda: stream.read1(65536), b""):
        output.add(chunk)


def _kill_plain(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass
    proc.wait()


def _start(server: ForkServer | None, config: dict, out: int, key_fd: int, result_fd: int):
    if server is not None:
        try:
            return _ForkedChild(server, config, [out, key_fd, result_fd])
        except OSError:  # the fork server is gone (killed for memory?): start a new Python instead
            pass
    return _SpawnedChild(config, out, key_fd, result_fd)


class _SpawnedChild:
    """A new Python running `loopkata.containment.child`."""

    def __init__(self, config: dict, out: int, key_fd: int, result_fd: int):
        config = {**config, "args": channel_args(config["args"], key_fd, result_fd)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "loopkata.containment.child", json.dumps(config)],
            cwd=config["cwd"], env=config["env"], stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            pass_fds=(key_fd, result_fd), start_new_session=True,
        )
        self.pid = self.proc.pid

    def poll(self) -> int | None:
        return self.proc.poll()

    def wait(self) -> int:
        return self.proc.wait()


class _ForkedChild:
    """A child forked by the fork server."""

    def __init__(self, server: ForkServer, config: dict, fds: list[int]):
        self.server = server
        self.request_id, self.pid = server.start(config, fds)

    def poll(self) -> int | None:
        return self.server.poll(self.request_id)

    def wait(self) -> int:
        return self.server.wait(self.request_id)


def _pump(proc, sinks: dict, deadline: float) -> bool:
    """Feed the child's pipes to their sinks until both close; True if the deadline came first."""
    with selectors.DefaultSelector() as sel:
        for fd in sinks:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
        exited_at = None
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                return True
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > GRACE_SECONDS:
                break  # a grandchild holds the pipes open; it is killed next
            for key, _ in sel.select(timeout=0.1):
                try:
                    data = os.read(key.fd, 65536)
                except BlockingIOError:
                    continue
                if data:
                    sinks[key.fd](data)
                else:
                    sel.unregister(key.fd)
    return False


def _kill_all(child, marker: str) -> int | None:
    """Kill the child's process group, then any process still carrying this run's marker.

    Returns the child's exit status (None if it cannot be known: its fork server is gone).
    """
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        status = child.wait()
    except OSError:
        status = None
    _sweep(marker)
    return status


def _sweep(marker: str) -> None:
    needle = f"LOOPKATA_RUN={marker}".encode()
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():  # not Linux: the process group kill is all we can do
        return
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue
