"""Generate skeletons/ from solutions/, and check that the two have not drifted apart.

A solution region is a block of lines between `# BEGIN SOLUTION` and
`# END SOLUTION` (each on a line of its own, at the same indentation), as in
nbgrader and otter-grader. Inside a function the region becomes
`raise NotImplementedError(...)` naming the step and its spec page; outside any
function (a private helper, a module constant) the region is dropped.
"""
from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

from loopkata.kata import paths
from loopkata.kata.errors import EXIT_FAILED, EXIT_OK, UsageError
from loopkata.kata.regions import BEGIN, END
from loopkata.kata.steps import BY_ID



class MarkerError(UsageError):
    """The solution regions of a reference file are malformed."""


def _owners(tree: ast.AST) -> list[tuple[int, int, str]]:
    """(first line, last line, name) of every top-level function or method, nested ones folded in."""
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((child.lineno, child.end_lineno or child.lineno, prefix + child.name))

    visit(tree, "")
    return found


def _message(module: str, owner: str) -> str:
    step = BY_ID[module] if module in BY_ID else None
    where = f"{step.label}, see {step.page}" if step else f"lesson9/{module}.py"
    return f"{owner}: {where}"


def make_skeleton(source: str, module: str, filename: str = "<solution>") -> str:
    """Return the skeleton of one reference module's source."""
    owners = _owners(ast.parse(source, filename))
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        if text == END:
            raise MarkerError(f"{filename}:{i + 1}: {END} without a {BEGIN}")
        if text != BEGIN:
            out.append(lines[i])
            i += 1
            continue
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() in (BEGIN, END)), None)
        if end is None or lines[end].strip() != END:
            raise MarkerError(f"{filename}:{i + 1}: {BEGIN} is not closed by {END} before the next region")
        if not lines[end].startswith(indent + END):
            raise MarkerError(f"{filename}:{end + 1}: {END} is not at the indentation of its {BEGIN}")
        owner = next((name for first, last, name in owners if first < i + 1 <= last), None)
        if owner is not None:
            out.append(f'{indent}raise NotImplementedError("{_message(module, owner)}")\n')
        i = end + 1
    skeleton = re.sub(r"\n{4,}", "\n\n\n", "".join(out))  # a dropped region leaves no gap
    ast.parse(skeleton, filename)  # a region that emptied a class body would fail here
    return skeleton


def expected_skeletons(solutions: Path) -> dict[str, str]:
    """Relative path -> skeleton text, for every file of solutions/lesson9."""
    result = {}
    for path in sorted((solutions / "lesson9").rglob("*.py")):
        rel = path.relative_to(solutions).as_posix()
        result[rel] = make_skeleton(path.read_text(), path.stem, str(path))
    return result


def write_skeletons(solutions: Path, skeletons: Path) -> list[str]:
    """Regenerate skeletons/ from solutions/; return the relative paths written."""
    expected = expected_skeletons(solutions)
    for stale in drift(solutions, skeletons, expected):
        if stale.startswith("extra: "):
            (skeletons / stale.removeprefix("extra: ")).unlink()
    for rel, text in expected.items():
        target = skeletons / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return list(expected)


def drift(solutions: Path, skeletons: Path, expected: dict[str, str] | None = None) -> list[str]:
    """Differences between skeletons/ and what solutions/ generates, one line each."""
    expected = expected_skeletons(solutions) if expected is None else expected
    actual = {
        p.relative_to(skeletons).as_posix(): p
        for p in sorted((skeletons / "lesson9").rglob("*.py"))
    } if (skeletons / "lesson9").is_dir() else {}
    problems = [f"missing: {rel}" for rel in expected if rel not in actual]
    problems += [f"extra: {rel}" for rel in actual if rel not in expected]
    problems += [
        f"differs: {rel}"
        for rel, text in expected.items()
        if rel in actual and actual[rel].read_text() != text
    ]
    return problems


def cmd_skeletons(args) -> int:
    solutions, skeletons = paths.reference_tree(), paths.skeleton_tree()
    if args.check:
        problems = drift(solutions, skeletons)
        for line in problems:
            kind, rel = line.split(": ", 1)
            print(f"skeletons/{rel}: {kind}")
        if problems:
            print("skeletons/ has drifted from solutions/: run `loopkata skeletons` to regenerate it")
            return EXIT_FAILED
        print("skeletons/ matches solutions/")
        return EXIT_OK
    written = write_skeletons(solutions, skeletons)
    print(f"wrote {len(written)} files to {skeletons}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add `loopkata skeletons` to the command line."""
    p = sub.add_parser("skeletons", help="regenerate skeletons/ from solutions/ (maintainers)")
    p.add_argument("--check", action="store_true", help="only check that skeletons/ is up to date")
    p.set_defaults(func=cmd_skeletons)
