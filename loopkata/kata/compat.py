"""What differs between the Pythons and systems loopkata runs on."""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Gradescope's default image has Python 3.10
    import tomli as tomllib

__all__ = ["tomllib", "available_cpus"]


def _cgroup_cpus() -> float | None:
    """The CPU quota of this process's container (cgroup v2 or v1), in CPUs, or None without one."""
    for quota_file, period_file in (("/sys/fs/cgroup/cpu.max", None),
                                    ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us")):
        try:
            text = Path(quota_file).read_text().split()
            quota, period = (text[0], text[1]) if period_file is None else (text[0], Path(period_file).read_text())
            if quota not in ("max", "-1"):
                return int(quota) / int(period)
        except (OSError, IndexError, ValueError):
            continue
    return None


def available_cpus() -> int:
    """The cores this process may really use: its CPU affinity, capped by a container's CPU quota."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = _cgroup_cpus()
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return max(1, cpus)
