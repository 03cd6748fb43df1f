"""`loopkata watch`: re-run the current step whenever a workspace file is saved; move on when it passes.

File events come from watchdog (inotify and friends; `--poll` polls instead,
for network and container file systems that deliver no events). Pressing
Enter re-runs the step by hand in every case, so the loop works even where
no file event ever arrives.
"""
from __future__ import annotations

import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from loopkata.containment.forkserver import ForkServer
from loopkata.containment.sandbox import child_env, fork_server_works
from loopkata.kata.steps import STEPS, Step
from loopkata.learner import checking, progress

DEBOUNCE_SECONDS = 0.3  # editors write a file in several steps; wait for them to settle


def is_save(event) -> bool:
    """A watchdog event that means a .py file or a notebook was saved (editors may write a new file and
    move it in; Jupyter's own checkpoints are not saves of the notebook)."""
    path = str(getattr(event, "dest_path", "") or event.src_path)
    return (path.endswith((".py", ".ipynb")) and ".ipynb_checkpoints" not in path
            and event.event_type in ("modified", "created", "moved", "closed"))


def _start_observer(folder: Path, changed: threading.Event, poll: bool):
    """Watch folder for saved .py files; None (and a note) where file events are unavailable."""
    try:  # here, not at the top: every other command would pay for importing watchdog
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        return None

    class OnSave(FileSystemEventHandler):
        def on_any_event(self, event):
            if is_save(event):
                changed.set()

    observer = PollingObserver(timeout=1) if poll else Observer()
    try:
        observer.schedule(OnSave(), str(folder), recursive=True)
        observer.start()
    except OSError:  # e.g. the system's limit on inotify watches
        return None
    return observer


def _read_keys(changed: threading.Event, quit_: threading.Event) -> None:
    """Enter re-runs; q then Enter quits. Ends quietly when stdin closes."""
    for line in sys.stdin:
        if line.strip().lower() in ("q", "quit", "exit"):
            quit_.set()
            changed.set()
            return
        changed.set()


def next_step(after: Step) -> Step | None:
    index = STEPS.index(after)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def watch_loop(start: Step, check: Callable[[Step], progress.StepState],
               wait: Callable[[], bool], say: Callable[[str], None], color: bool) -> int:
    """The loop itself: check the step; on a pass move on, else wait for a change (or a quit)."""
    step: Step | None = start
    while step is not None:
        say(progress.paint(f"--- {step.label}: {step.title} ---", "bold", color))
        state = check(step)
        say(progress.render_check(state, color))
        if state.state == progress.PASSING:
            step = next_step(step)
            if step is not None:
                say(progress.paint(f"\nOn to {step.label}: read {progress.page(step)}\n", progress.PASSING, color))
            continue
        say("\nWaiting for you to save a file (Enter re-runs, q then Enter quits)...")
        if not wait():
            return 0
    say(progress.paint("Every step passes: the whole lesson-9 loop is yours.", progress.PASSING, color))
    return 0


def _say(text: str) -> None:
    print(text, flush=True)  # a pipe (an editor's terminal, a test) must see each line at once


def _fork_server(folder: Path) -> ForkServer | None:
    """A fork server for the re-runs: torch imported once, each re-run forked in a fraction of a second."""
    if not fork_server_works():
        return None
    try:
        return ForkServer(child_env(folder, "fork-server"), folder)
    except OSError:
        return None


def watch(workspace: Path, start: Step | None, poll: bool, color: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="loopkata-watch-") as tmp:
        server = _fork_server(Path(tmp))
        try:
            return _watch(workspace, start, poll, color, server)
        finally:
            if server is not None:
                server.close()


def _watch(workspace: Path, start: Step | None, poll: bool, color: bool, server: ForkServer | None) -> int:
    changed, quit_ = threading.Event(), threading.Event()
    watched = workspace / "lesson9" if (workspace / "lesson9").is_dir() else workspace  # or its notebooks
    observer = _start_observer(watched, changed, poll)
    if observer is None:
        _say("File events are not available here: press Enter to re-run after each save.")
    threading.Thread(target=_read_keys, args=(changed, quit_), daemon=True).start()

    def check(step: Step) -> progress.StepState:
        checked = checking.check(workspace, [step], server=server)
        if checked.problem:
            _say(progress.paint(f"Note: {checked.problem}", progress.FAILING, color))
        return checked.states[0]

    def wait() -> bool:
        changed.wait()
        while changed.is_set() and not quit_.is_set():  # let a burst of saves settle
            changed.clear()
            changed.wait(DEBOUNCE_SECONDS)
        return not quit_.is_set()

    if start is None:
        checked = checking.check(workspace, list(STEPS), stop_at_failure=True, server=server)
        first = progress.first_unfinished(checked.states)
        if first is None:
            _say(progress.paint("Every step passes already.", progress.PASSING, color))
            return 0
        start = first.step
    try:
        return watch_loop(start, check, wait, _say, color)
    finally:
        if observer is not None:
            observer.stop()
