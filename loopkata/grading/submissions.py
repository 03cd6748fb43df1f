"""Which folders are submissions: a kata tree (or a folder of notebooks) is one; another folder holds one
per sub-folder."""
from __future__ import annotations

from pathlib import Path

from loopkata.kata.notebooks import is_workspace


def unwrap(path: Path) -> Path:
    """The submission: path itself, or its one sub-folder that is one (an upload wrapped once more)."""
    if is_workspace(path) or not path.is_dir():
        return path
    inside = [p for p in path.iterdir() if p.is_dir() and is_workspace(p)]
    return inside[0] if len(inside) == 1 else path


def submissions_in(paths_given: list[Path]) -> list[tuple[str, Path]]:
    """(name, folder) of every submission under the paths, names made unique."""
    found: list[tuple[str, Path]] = []
    for path in paths_given:
        if is_workspace(path):
            found.append((path.resolve().name, path))
        else:
            found += [(p.name, unwrap(p)) for p in sorted(path.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    names: dict[str, int] = {}
    unique = []
    for name, path in found:
        names[name] = names.get(name, 0) + 1
        unique.append((name if names[name] == 1 else f"{name}-{names[name]}", path))
    return unique
