"""Shared set-up for the tooling's tests."""
# pytester's in-process runs forget the modules imported during a run, and numpy (under torch and
# Hypothesis, whose pytest plugin imports it at every run's end) cannot be imported twice in one
# process: import them here, once, before any in-process run
import hypothesis  # noqa: F401
import pytest
import torch  # noqa: F401

from loopkata.containment.forkserver import ForkServer
from loopkata.containment.sandbox import child_env

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def fork_server(tmp_path_factory):
    """One fork server (torch and pytest imported once) for every test that grades or traces in-process."""
    folder = tmp_path_factory.mktemp("fork-server")
    server = ForkServer(child_env(folder, "fork-server"), folder)
    yield server
    server.close()
