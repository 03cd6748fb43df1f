"""Which folders are submissions: a kata tree is one, another folder holds one per sub-folder."""
from __future__ import annotations

from pathlib import Path

from loopkata.kata import paths


def unwrap(path: Path) -> Path:
    """The folder holding lesson9/: path itself, or its one sub-folder that does (an upload wrapped once more)."""
    if paths.is_kata_tree(path) or not path.is_dir():
        return path
    inside = [p for p in path.iterdir() if p.is_dir() and paths.is_kata_tree(p)]
    return inside[0] if len(inside) == 1 else path


def submissions_in(paths_given: list[Path]) -> list[tuple[str, Path]]:
    """(name, folder) of every submission under the paths, names made unique."""
    found: list[tuple[str, Path]] = []
    for path in paths_given:
        if paths.is_kata_tree(path):
            found.append((path.resolve().name, path))
        else:
            found += [(p.name, unwrap(p)) for p in sorted(path.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    names: dict[str, int] = {}
    unique = []
    for name, path in found:
        names[name] = names.get(name, 0) + 1
        unique.append((name if names[name] == 1 else f"{name}-{names[name]}", path))
    return unique
