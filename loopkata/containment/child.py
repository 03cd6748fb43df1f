"""The child's side of a contained run: apply the limits to this process, then run pytest
(or a module of ours, such as `loopkata.learner.traced_run`).

`python -m loopkata.containment.child CONFIG` is the child where no fork server
runs (the learner commands); a fork server's children call `apply_limits` and
`run` themselves. A plain child (`"plain"` in CONFIG: macOS, Windows) reads its
key from stdin and writes its results to a file, and has no limits of its own
where the system has no `resource` module.
"""
from __future__ import annotations

import importlib
import json
import os
import signal
import sys

from loopkata.containment.channel import KEY_BYTES, channel_args

try:
    import resource
except ImportError:  # Windows
    resource = None


def _limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def apply_limits(memory_mb: int, file_bytes: int) -> None:
    if resource is None:
        return
    # RLIMIT_DATA caps what the process allocates (heap and anonymous maps); unlike RLIMIT_AS
    # it leaves out shared libraries, which a CUDA build of torch maps by the gigabyte
    _limit(resource.RLIMIT_DATA, memory_mb * 2**20)
    _limit(resource.RLIMIT_FSIZE, file_bytes)
    _limit(resource.RLIMIT_CORE, 0)
    # past the file size cap a write fails with an error the test reports, instead of a kill
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def run(args: list[str], module: str | None = None) -> int:
    """`pytest args`, or `module.main(args)` when the request names a module."""
    if module is not None:
        return int(importlib.import_module(module).main(args))
    import pytest

    return int(pytest.main(args))


def _plain_channel(config: dict) -> list[str]:
    """A plain child's channel: the key from stdin, handed on through a pipe; results into a file."""
    key = sys.stdin.buffer.read(KEY_BYTES)
    key_read, key_write = os.pipe()
    os.write(key_write, key)
    os.close(key_write)
    result_fd = os.open(config["results"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return channel_args(config["args"], key_read, result_fd)


def main() -> None:
    config = json.loads(sys.argv[1])
    args = _plain_channel(config) if config.get("plain") else config["args"]
    apply_limits(config["memory_mb"], config["file_bytes"])
    code = run(args, config.get("module"))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))  # skip interpreter shutdown: no atexit handler of learner code runs


if __name__ == "__main__":
    main()
