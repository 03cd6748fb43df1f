"""Reading the spec pages: the bullets of a section, such as "Pitfalls the tests catch"."""
from __future__ import annotations

import re

PITFALLS = "## Pitfalls the tests catch"
DIFFERS = "## Where this spec differs from the notebook"
BULLET = re.compile(r"^- \*\*(.+?)\*\*")


def section(page: str, heading: str) -> str:
    """The text under `heading`, up to the next `## ` heading ('' when the page has none)."""
    _, found, rest = page.partition(heading)
    return re.split(r"^## ", rest, maxsplit=1, flags=re.MULTILINE)[0] if found else ""


def bullets(page: str, heading: str) -> list[tuple[str, str]]:
    """(bold name, its whole text on one line) of each `- **name** ...` bullet under the heading. A bullet
    runs on over its indented continuation lines, up to a blank line, a paragraph, another bullet or the
    next heading."""
    found: list[tuple[str, list[str]]] = []
    going_on = False  # whether the line before belongs to a bullet that the next indented line continues
    for line in section(page, heading).splitlines():
        start = BULLET.match(line)
        if start:
            found.append((start.group(1), [line]))
        elif going_on and line.startswith(" ") and line.strip():
            found[-1][1].append(line)
        going_on = bool(start) or (going_on and line.startswith(" ") and bool(line.strip()))
    return [(name, " ".join(" ".join(lines).split())) for name, lines in found]
