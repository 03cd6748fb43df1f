"""The signed result channel: what the child writes, the parent keeps only when it verifies and comes in order."""
import os

import pytest

from loopkata.containment import channel


def pipe_writer(key: bytes):
    """A Writer on a fresh pipe; read back with `drain(read_fd)`."""
    read_fd, write_fd = os.pipe()
    return channel.Writer(key, write_fd), read_fd, write_fd


def drain(read_fd: int, write_fd: int) -> bytes:
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as f:
        return f.read()


def test_records_come_through_in_order():
    writer, r, w = pipe_writer(b"k" * 32)
    writer.send({"kind": "a"})
    writer.send({"kind": "b", "n": [1, 2]})
    reader = channel.Reader(b"k" * 32)
    data = drain(r, w)
    reader.add(data[:7])  # in pieces, as a pipe may deliver them
    reader.add(data[7:])
    assert [(r["kind"], r["seq"]) for r in reader.records] == [("a", 1), ("b", 2)]
    assert reader.records[1]["n"] == [1, 2] and reader.rejected == 0


def test_a_line_signed_with_another_key_is_rejected():
    writer, r, w = pipe_writer(b"other key".ljust(32))
    writer.send({"kind": "test", "outcome": "passed"})
    reader = channel.Reader(b"k" * 32)
    reader.add(drain(r, w))
    assert reader.records == [] and reader.rejected == 1


def test_a_replayed_line_is_rejected():
    writer, r, w = pipe_writer(b"k" * 32)
    writer.send({"kind": "test", "outcome": "passed"})
    line = drain(r, w)
    reader = channel.Reader(b"k" * 32)
    reader.add(line + line)
    assert len(reader.records) == 1 and reader.rejected == 1


@pytest.mark.parametrize("line", [b"garbage\n", b"0000 {\"seq\": 1}\n", b"\n"])
def test_lines_that_are_not_signed_records_are_rejected(line):
    reader = channel.Reader(b"k" * 32)
    reader.add(line)
    assert reader.records == [] and reader.rejected == 1


def test_past_the_size_limit_nothing_more_is_read(monkeypatch):
    monkeypatch.setattr(channel, "REPORT_LIMIT", 100)
    writer, r, w = pipe_writer(b"k" * 32)
    for n in range(5):
        writer.send({"kind": "padding", "n": "x" * 40})
    reader = channel.Reader(b"k" * 32)
    for piece in drain(r, w).splitlines(keepends=True):
        reader.add(piece)
    assert len(reader.records) < 5 and reader.rejected > 0


def test_the_key_is_read_once_and_its_pipe_closed():
    key_read, key_write = os.pipe()
    os.write(key_write, b"s" * 32)
    os.close(key_write)
    result_read, result_write = os.pipe()
    writer = channel.open_writer(key_read, result_write)
    with pytest.raises(OSError):
        os.read(key_read, 1)  # closed: code that runs later cannot read the key
    writer.send({"kind": "x"})
    reader = channel.Reader(b"s" * 32)
    reader.add(drain(result_read, result_write))
    assert reader.records == [{"seq": 1, "kind": "x"}]


def test_channel_args_name_both_descriptors():
    assert channel.channel_args(["-q"], 7, 9) == ["-q", "--report-fd=9", "--report-key-fd=7"]
