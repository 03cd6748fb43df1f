"""Trees of files held in memory: read once, written fresh wherever a run needs them."""
from __future__ import annotations

import hashlib
from pathlib import Path

Files = dict[str, bytes]  # path relative to the tree's root -> content


def read_files(root: Path, pattern: str = "**/*", skip: tuple[str, ...] = ()) -> Files:
    """Every regular file under root matching pattern, except under a folder named in skip."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.glob(pattern))
        if path.is_file() and not path.is_symlink() and not set(path.relative_to(root).parts) & set(skip)
    }


def write_files(files: Files, dest: Path) -> Path:
    for rel, data in files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    return dest


def fingerprint(files: Files) -> str:
    """A hash of every file's path and content."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        digest.update(rel.encode() + b"\0" + files[rel] + b"\0")
    return digest.hexdigest()
