"""The signed result channel from a contained child to its parent.

The parent makes a random key and writes it into a pipe; the child reads it
once (`open_writer`), closes that pipe before any learner code runs, and
signs every record it sends on the result pipe: a line `<hmac> <json>`, the
HMAC keyed with that key over the JSON, which carries a sequence number. The
parent (`Reader`) keeps only lines that verify and arrive in sequence, and
counts the rest: a submission that writes lines of its own, or replays ours,
is caught.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os

REPORT_LIMIT = 8 * 2**20  # bytes of result lines accepted from one child
KEY_BYTES = 32  # fits in a pipe's buffer: the parent writes it before the child starts


def channel_args(args: list[str], key_fd: int, result_fd: int) -> list[str]:
    """The child's arguments, with the two descriptors it reads its key from and writes results to."""
    return [*args, f"--report-fd={result_fd}", f"--report-key-fd={key_fd}"]


def _sign(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).hexdigest().encode()


class Writer:
    """The child's end: signs and sends one record per line."""

    def __init__(self, key: bytes, fd: int):
        self._key, self._fd, self._seq = key, fd, 0

    def send(self, record: dict) -> None:
        self._seq += 1
        body = json.dumps({"seq": self._seq, **record}, separators=(",", ":")).encode()
        data = _sign(self._key, body) + b" " + body + b"\n"
        while data:  # a pipe may take a long line in pieces
            data = data[os.write(self._fd, data):]


def open_writer(key_fd: int, result_fd: int) -> Writer:
    """Read the key once and close its pipe (later code cannot read it again); write to result_fd."""
    with os.fdopen(key_fd, "rb") as f:
        key = f.read()
    return Writer(key, result_fd)


class Reader:
    """The parent's end: feed it the bytes as they come; it keeps the records that verify."""

    def __init__(self, key: bytes, on_record=None):
        self.key, self.buffer, self.size = key, bytearray(), 0
        self.on_record = on_record  # called with each record as it verifies: a live view of the run
        self.records: list[dict] = []
        self.rejected = 0  # lines that failed the signature or the sequence check, or came past the limit

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > REPORT_LIMIT:
            self.rejected += 1
            return
        self.buffer += data
        *lines, rest = self.buffer.split(b"\n")
        self.buffer = bytearray(rest)
        for line in lines:
            self._line(line)

    def _line(self, line: bytes) -> None:
        mac, _, body = line.partition(b" ")
        try:
            record = json.loads(body) if hmac.compare_digest(mac, _sign(self.key, body)) else None
        except ValueError:
            record = None
        if not isinstance(record, dict) or record.get("seq") != len(self.records) + 1:
            self.rejected += 1
            return
        self.records.append(record)
        if self.on_record is not None:
            self.on_record(record)
