"""The numbered hints of each spec page, shown one at a time."""
from __future__ import annotations

import json
import re
from pathlib import Path

from loopkata.kata import paths
from loopkata.kata.steps import Step
from loopkata.learner.workspace import state_dir

_ITEM = re.compile(r"^(\d+)\.\s+(.*)")


def hints_of(step: Step, root: Path | None = None) -> list[str]:
    """The items of the page's `## Hints` section, in order."""
    page = (root or paths.kata_root()) / step.page
    hints: list[str] = []
    inside = False
    for line in page.read_text().splitlines():
        if line.startswith("## "):
            inside = line.strip().lower() == "## hints"
            continue
        if not inside:
            continue
        match = _ITEM.match(line)
        if match:
            hints.append(match.group(2).strip())
        elif hints and line.strip():
            hints[-1] += " " + line.strip()  # a wrapped line of the same item
    return hints


def _state_file(workspace: Path) -> Path:
    return state_dir(workspace) / "hints.json"


def shown(workspace: Path) -> dict[str, int]:
    try:
        data = json.loads(_state_file(workspace).read_text())
        return {k: int(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def remember(workspace: Path, step: Step, count: int) -> None:
    state = shown(workspace)
    state[step.id] = count
    path = _state_file(workspace)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(state, indent=1) + "\n")
