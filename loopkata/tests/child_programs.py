"""Tiny programs for the containment tests to run as contained children (`run_module`), without torch.

`main(["--report-fd=N", "--report-key-fd=N", BEHAVIOUR, ...])` does one thing a
child may do, sending signed records over the channel as it goes.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from loopkata.containment.channel import open_writer

LEFTOVER_MARK = "987656"  # a sleep this long marks a process a child leaves behind


def main(argv: list[str]) -> int:
    options = dict(a.removeprefix("--").split("=", 1) for a in argv if a.startswith("--"))
    behaviour, *rest = [a for a in argv if not a.startswith("--")]
    send = open_writer(int(options["report-key-fd"]), int(options["report-fd"])).send
    send({"kind": "started", "behaviour": behaviour})
    if behaviour == "records":
        for n in range(int(rest[0])):
            send({"kind": "item", "n": n})
    elif behaviour == "sleep":
        time.sleep(3600)
    elif behaviour == "flood":
        chunk = b"x" * 65536
        for _ in range(int(rest[0])):
            os.write(1, chunk)
    elif behaviour == "exit":
        os._exit(int(rest[0]))
    elif behaviour == "kill-self":
        os.kill(os.getpid(), signal.SIGKILL)
    elif behaviour == "leave-a-process":  # in a session of its own: the process group kill misses it
        subprocess.Popen(["sleep", LEFTOVER_MARK], start_new_session=True)
    elif behaviour == "allocate":
        try:
            hog = bytearray(int(rest[0]) * 2**20)
            print(f"allocated {len(hog)} bytes")
        except MemoryError:
            print("MemoryError")
    elif behaviour == "write-file":
        try:
            with open("big", "wb") as f:
                f.write(b"x" * int(rest[0]) * 2**20)
            print("wrote the file")
        except OSError as e:
            print(f"OSError: {e.strerror}")
    elif behaviour == "forge":  # lines of its own on every descriptor it can find
        for fd in range(3, 64):
            try:
                os.write(fd, b'0000 {"seq": 2, "kind": "item", "n": 99}\n')
            except OSError:
                pass
    elif behaviour == "environment":
        send({"kind": "environment", "keys": sorted(os.environ)})
    send({"kind": "done"})
    sys.stdout.flush()
    return 0
