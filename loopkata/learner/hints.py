"""The steps' hints: data that only `loopkata hint` serves, one at a time, and what each workspace was shown.

The hints live in one file, spec/hints.toml (`paths.HINTS_FILE`), never on a
page: an array of tables per step id, served in the file's order, from a
nudge to nearly the answer:

    [[loss]]
    tests = ["test_nll_matches_torch"]   # the spec tests it helps with; a bare name covers every case
    text = \"\"\"What `nll` picks out of each row...\"\"\"

`check` names the hint that fits the first failing test (`pointer`). A
student release carries the file inside its tool only when it was made with
hints; without it, `hint` says so in one line.
"""
from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

from loopkata.kata import paths
from loopkata.kata.compat import tomllib
from loopkata.kata.errors import UsageError
from loopkata.kata.steps import BY_ID, Step
from loopkata.learner.workspace import state_dir

KEYS = {"text", "tests"}


class HintsError(UsageError):
    """The hints file is missing or malformed: one line saying where and what."""


class NoHints(UsageError):
    """A student release made without hints (`loopkata release --no-hints`)."""


@dataclass(frozen=True)
class Hint:
    number: int  # 1 for the first served
    text: str
    tests: tuple[str, ...]  # spec tests it helps with: `test_x` (every case of it) or `test_x[case]`

    def covers(self, test: str) -> bool:
        """Whether the hint helps with `test`, a test's name as a run reports it (`test_x[case]`)."""
        return test in self.tests or test.split("[", 1)[0] in self.tests

    def wrapped(self, indent: str = "  ", width: int = 88) -> str:
        """The text for a terminal: each paragraph wrapped and indented."""
        paragraphs = [" ".join(p.split()) for p in self.text.split("\n\n") if p.strip()]
        return "\n\n".join(textwrap.fill(p, width, initial_indent=indent, subsequent_indent=indent)
                           for p in paragraphs)


def parse(text: str, where: str = paths.HINTS_FILE) -> dict[str, list[Hint]]:
    """Step id -> its hints, in order; HintsError, one line, for anything malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise HintsError(f"{where} is not valid TOML: {e}") from None
    result: dict[str, list[Hint]] = {}
    for step_id, items in data.items():
        if step_id not in BY_ID:
            raise HintsError(f"{where}: unknown step {step_id!r}; the steps are {', '.join(BY_ID)}")
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise HintsError(f"{where}: {step_id} must be an array of tables, one [[{step_id}]] per hint")
        hints = []
        for n, item in enumerate(items, 1):
            at = f"{where}: hint {n} of {step_id}"
            if set(item) - KEYS:
                raise HintsError(f"{at} has unknown keys {sorted(set(item) - KEYS)}; a hint has {sorted(KEYS)}")
            text, tests = item.get("text"), item.get("tests", [])
            if not isinstance(text, str) or not text.strip():
                raise HintsError(f"{at} has no text")
            if not isinstance(tests, list) or not all(isinstance(t, str) and t.startswith("test_") for t in tests):
                raise HintsError(f"{at}: tests must be a list of test names (test_...)")
            hints.append(Hint(n, text.strip(), tuple(tests)))
        result[step_id] = hints
    return result


def load() -> dict[str, list[Hint]]:
    """Every step's hints from the kata's hints file; NoHints in a release made without them."""
    file = paths.hints_file()
    try:
        text = file.read_text()
    except FileNotFoundError:
        if paths.in_release() and paths.release_manifest().get("hints") is False:
            raise NoHints("this release of the kata was made without hints (`loopkata release --no-hints`): "
                          "the step's page and the failure messages are your guide") from None
        raise HintsError(f"no hints file: {file} is missing") from None
    except (OSError, UnicodeDecodeError) as e:
        raise HintsError(f"cannot read {file}: {e}") from None
    return parse(text, str(file))


def hints_of(step: Step) -> list[Hint]:
    """The step's hints, in the order they are served ([] when the file has none for it)."""
    return load().get(step.id, [])


def _state_file(workspace: Path) -> Path:
    return state_dir(workspace) / "hints.json"


def shown(workspace: Path) -> dict[str, int]:
    """Step id -> how many of its hints the workspace was shown (hints 1 to that number)."""
    try:
        data = json.loads(_state_file(workspace).read_text())
        return {k: int(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError, TypeError):
        return {}


def remember(workspace: Path, step: Step, count: int) -> None:
    """Remember that the workspace was shown the step's hints up to number `count` (0: none)."""
    state = shown(workspace)
    state[step.id] = count
    path = _state_file(workspace)
    try:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(state, indent=1) + "\n")
    except OSError:  # a read-only workspace: hints still show, from the first each time
        pass


def pointer(step: Step, test: str, seen: int, hints: list[Hint]) -> str | None:
    """One line naming the hint about `test`: the first one not seen yet (`seen`: hints 1 to seen were
    shown), or, when every one about it was seen, the last of them; None when no hint names the test."""
    about = [h for h in hints if h.covers(test)]
    if not about:
        return None
    new = [h for h in about if h.number > seen]
    if new:
        return f"Stuck on {test}? `loopkata hint {step.id} {new[0].number}` is about it."
    last = about[-1]
    return (f"Stuck on {test}? Hint {last.number}, which you have seen, is about it "
            f"(`loopkata hint {step.id} {last.number}` shows it again).")


def pointer_for(workspace: Path, step: Step, test: str) -> str | None:
    """`pointer` for the workspace; None too when there are no hints to point at (a release without
    them, a broken file: `check` goes on without the line)."""
    try:
        hints = hints_of(step)
    except UsageError:
        return None
    return pointer(step, test, shown(workspace).get(step.id, 0), hints)
