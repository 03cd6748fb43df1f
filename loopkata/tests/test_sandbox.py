"""Contained runs, parent side: limits, output, endings and leftovers, on tiny children without torch.

Each child is `loopkata.tests.child_programs`, run by `run_module` as a new
Python (a tenth of a second), or forked from a fork server that preloads nothing.
"""
import subprocess
import threading

import pytest

from loopkata.containment import sandbox
from loopkata.containment.forkserver import ForkServer, SharedServer
from loopkata.containment.sandbox import Limits, run_module, stopped
from loopkata.tests.child_programs import LEFTOVER_MARK

PROGRAM = "loopkata.tests.child_programs"
QUICK = Limits(wall_seconds=20)


def run(tmp_path, *args, limits=QUICK, server=None):
    return run_module(PROGRAM, list(args), tmp_path / "work", limits, server)


def kinds(child):
    return [r["kind"] for r in child.records]


def test_a_child_that_finishes_sends_its_records(tmp_path):
    child = run(tmp_path, "records", "3")
    assert kinds(child) == ["started", "item", "item", "item", "done"]
    assert child.returncode == 0 and not child.timed_out and child.rejected == 0
    assert stopped(child, QUICK, finished=True) is None


def test_a_child_past_its_wall_clock_is_stopped_and_says_so(tmp_path):
    limits = Limits(wall_seconds=0.5)
    child = run(tmp_path, "sleep", limits=limits)
    assert child.timed_out and child.returncode is None and kinds(child) == ["started"]
    assert stopped(child, limits, finished=False) == "it was still running after 0.5 s (an endless loop?)"


def test_output_is_kept_to_its_cap_head_and_tail(tmp_path):
    child = run(tmp_path, "flood", "64", limits=Limits(wall_seconds=20, output_bytes=2000))
    assert "... (output cut) ..." in child.output
    assert len(child.output) < 2100 and kinds(child)[-1] == "done"


def test_an_early_exit_is_told_with_its_code(tmp_path):
    child = run(tmp_path, "exit", "3")
    assert child.returncode == 3 and "done" not in kinds(child)
    assert stopped(child, QUICK, finished=False) == (
        "it ended early with exit code 3 (sys.exit, os._exit or pytest.exit in the code under test?)")


def test_a_killed_child_is_told_with_its_signal(tmp_path):
    child = run(tmp_path, "kill-self")
    assert stopped(child, QUICK, finished=False) == "it was killed by signal 9 (a crash, or memory exhausted?)"


def leftovers():
    return [line for line in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()
            if line.strip() == f"sleep {LEFTOVER_MARK}"]


def test_a_process_left_behind_in_a_session_of_its_own_is_killed(tmp_path):
    child = run(tmp_path, "leave-a-process")
    assert kinds(child)[-1] == "done"
    assert leftovers() == []


def test_memory_is_capped(tmp_path):
    child = run(tmp_path, "allocate", "600", limits=Limits(wall_seconds=20, memory_mb=300))
    assert "MemoryError" in child.output


def test_file_size_is_capped(tmp_path):
    child = run(tmp_path, "write-file", "8", limits=Limits(wall_seconds=20, file_bytes=2**20))
    assert "OSError: File too large" in child.output


def test_lines_forged_on_the_result_pipe_are_counted_and_dropped(tmp_path):
    child = run(tmp_path, "forge")
    assert child.rejected >= 1 and kinds(child) == ["started", "done"]


def test_the_child_gets_a_minimal_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOPKATA_TEST_SECRET", "not for the child")
    child = run(tmp_path, "environment")
    keys = next(r["keys"] for r in child.records if r["kind"] == "environment")
    assert "LOOPKATA_TEST_SECRET" not in keys
    assert {"PYTEST_DISABLE_PLUGIN_AUTOLOAD", "LOOPKATA_RUN", "HOME", "TMPDIR"} <= set(keys)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server")
    server = ForkServer(sandbox.child_env(folder, "fork-server"), folder, preload=())
    yield server
    server.close()


def test_a_forked_child_behaves_as_a_new_one(tmp_path, server):
    child = run(tmp_path, "records", "2", server=server)
    assert kinds(child) == ["started", "item", "item", "done"] and child.returncode == 0


def test_a_fork_server_runs_children_at_the_same_time(tmp_path, server):
    results = {}

    def one(name, *args):
        results[name] = run(tmp_path / name, *args, limits=Limits(wall_seconds=1), server=server)

    threads = [threading.Thread(target=one, args=("sleeper", "sleep")),
               threading.Thread(target=one, args=("quick", "records", "1"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["sleeper"].timed_out and not results["quick"].timed_out
    assert kinds(results["quick"])[-1] == "done"


def test_a_forked_child_that_dies_is_told_and_what_it_left_is_reaped(tmp_path, server):
    left = run(tmp_path / "left", "leave-a-process", server=server)
    died = run(tmp_path / "died", "kill-self", server=server)
    assert kinds(left)[-1] == "done" and leftovers() == []
    assert died.returncode == -9


def test_a_run_falls_back_to_a_new_python_when_its_fork_server_is_gone(tmp_path):
    folder = tmp_path / "server"
    folder.mkdir()
    gone = ForkServer(sandbox.child_env(folder, "fork-server"), folder, preload=())
    gone.close()
    child = run(tmp_path, "records", "1", server=gone)
    assert kinds(child)[-1] == "done"



@pytest.fixture
def plain(monkeypatch):
    """The plain child of macOS and Windows, forced here on Linux."""
    monkeypatch.setenv(sandbox.PLAIN, "1")
    assert not sandbox.full_containment() and not sandbox.fork_server_works()


def test_a_plain_child_sends_its_records_over_the_same_signed_channel(tmp_path, plain):
    child = run(tmp_path, "records", "2")
    assert kinds(child) == ["started", "item", "item", "done"] and child.returncode == 0 and child.rejected == 0


def test_a_plain_child_is_stopped_at_its_time_limit(tmp_path, plain):
    limits = Limits(wall_seconds=0.5)
    child = run(tmp_path, "sleep", limits=limits)
    assert child.timed_out and stopped(child, limits, finished=False).startswith("it was still running after 0.5 s")


def test_a_plain_childs_output_is_capped_and_its_exit_told(tmp_path, plain):
    flood = run(tmp_path / "flood", "flood", "64", limits=Limits(wall_seconds=20, output_bytes=2000))
    assert "... (output cut) ..." in flood.output and len(flood.output) < 2100
    assert run(tmp_path / "exit", "exit", "3").returncode == 3


def test_lines_forged_into_a_plain_childs_results_are_dropped(tmp_path, plain):
    child = run(tmp_path, "forge")
    assert child.rejected >= 1 and kinds(child) == ["started", "done"]


class _FakeServer(ForkServer):
    def __init__(self):  # no process: only what SharedServer sees of a server
        self.closed = False

    def close(self):
        self.closed = True


def test_a_shared_server_starts_once_and_closes_when_retired_and_unused():
    started = []
    shared = SharedServer(lambda: started.append(_FakeServer()) or started[-1])
    first = shared.get(use=True)
    assert shared.get() is first and len(started) == 1
    shared.retire()
    assert not first.closed, "closed while a run was using it"
    shared.done()
    assert first.closed
    assert shared.get() is None and len(started) == 1, "a server started after retire"


def test_a_retired_shared_server_never_starts_and_a_given_one_is_never_closed():
    never = SharedServer(lambda: pytest.fail("started after retire"))
    never.retire()
    assert never.get() is None
    given = _FakeServer()
    borrowed = SharedServer(lambda: pytest.fail("started though given one"), given=given)
    assert borrowed.get() is given
    borrowed.retire()
    assert not given.closed
