"""How a command ends: its exit codes, and the one error every command turns into a one-line message."""
from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2  # 1: what was checked does not pass; 2: the call is wrong


class UsageError(Exception):
    """The call or its input is wrong (a missing folder, an unknown step...): one line, exit 2."""
