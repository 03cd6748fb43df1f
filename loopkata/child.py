"""The child side of `loopkata.sandbox`: apply the limits to this process, then run pytest.

Used where no fork server runs (the learner commands); see `loopkata.forkserver`.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import sys


def _limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def apply_limits(memory_mb: int, file_bytes: int) -> None:
    _limit(resource.RLIMIT_AS, memory_mb * 2**20)
    _limit(resource.RLIMIT_FSIZE, file_bytes)
    _limit(resource.RLIMIT_CORE, 0)
    # past the file size cap a write fails with an error the test reports, instead of a kill
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def main() -> None:
    config = json.loads(sys.argv[1])
    apply_limits(config["memory_mb"], config["file_bytes"])

    import pytest

    code = pytest.main(config["args"])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))  # skip interpreter shutdown: no atexit handler of learner code runs


if __name__ == "__main__":
    main()
