"""Reading the spec pages: the bullets of a section, such as "Pitfalls the tests catch"."""
from __future__ import annotations

import re

PITFALLS = "## Pitfalls the tests catch"
DIFFERS = "## Where this spec differs from the notebook"
BULLET = re.compile(r"^- \*\*(.+?)\*\*\s*(?:[—-]\s*)?(.*?)(?=^- \*\*|\Z)", re.MULTILINE | re.DOTALL)


def section(page: str, heading: str) -> str:
    """The text under `heading`, up to the next `## ` heading ('' when the page has none)."""
    _, found, rest = page.partition(heading)
    return re.split(r"^## ", rest, maxsplit=1, flags=re.MULTILINE)[0] if found else ""


def bullets(page: str, heading: str) -> list[tuple[str, str]]:
    """(bold name, the rest of its text on one line) for every `- **name** ...` bullet of the section."""
    return [(name, " ".join(text.split())) for name, text in BULLET.findall(section(page, heading))]
