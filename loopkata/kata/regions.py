"""Solution regions: how the reference marks the code a skeleton leaves out, and the answer lines they hold.

A region is the lines between `# BEGIN SOLUTION` and `# END SOLUTION`, each
on a line of its own (as in nbgrader and otter-grader). `loopkata skeletons`
cuts them out; a student release is checked never to contain their lines.
"""
from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
from pathlib import Path

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
# names that carry no answer on their own: `return True` or `super().__init__()` gives nothing away
PLAIN_NAMES = set(keyword.kwlist) | set(dir(builtins)) | {"self", "cls"}


def _telling(line: str) -> bool:
    if re.match(r"(import|from|with)\s", line):  # an import, or entering a context, gives nothing away
        return False
    try:
        names = [t.string for t in tokenize.generate_tokens(io.StringIO(line + "\n").readline)
                 if t.type == tokenize.NAME]
    except (tokenize.TokenError, SyntaxError):
        names = re.findall(r"[A-Za-z_]\w*", line)
    return len([n for n in names if n not in PLAIN_NAMES]) >= 2


def answer_lines(solutions: Path, skeletons: Path) -> set[str]:
    """Every line of a solution region that is not also in its skeleton, stripped; comments, imports,
    `with` lines and lines with fewer than two names of their own left out."""
    found = set()
    for path in sorted((solutions / "lesson9").glob("*.py")):
        skeleton = {line.strip() for line in (skeletons / "lesson9" / path.name).read_text().splitlines()}
        inside = False
        for line in path.read_text().splitlines():
            text = line.strip()
            if text in (BEGIN, END):
                inside = text == BEGIN
            elif inside and text and not text.startswith("#") and text not in skeleton and _telling(text):
                found.add(text)
    return found
