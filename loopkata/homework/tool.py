"""The loopkata package as a folder to ship: its source (without its own tests), and a pyproject to install it.

Both a student release and a Gradescope bundle carry the tool this way, so
that one `pip install` on a machine that has never seen this checkout gives
the same `loopkata` command.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import loopkata
from loopkata.kata import VERSION, paths
from loopkata.kata.compat import tomllib

PACKAGE = Path(loopkata.__file__).resolve().parent
LEFT_OUT = ("tests", "__pycache__", "*.pyc", paths.RELEASE_ROOT.name)  # the tooling's tests; a release's content

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "loopkata"
version = "{version}"
description = "{description}"
requires-python = "{python}"
dependencies = [
{dependencies}
]

[project.scripts]
loopkata = "loopkata.cli:main"

[project.entry-points.pytest11]
loopkata = "loopkata.testing.plugin"

[tool.setuptools.packages.find]
include = ["loopkata*"]

[tool.setuptools.package-data]
"loopkata.kata" = ["data/*", "release/**/*"]
"loopkata.grading" = ["points.toml"]
"""


def copy_package(dest: Path) -> Path:
    """The loopkata package's source, without its tests, at dest/loopkata."""
    shutil.copytree(PACKAGE, dest / "loopkata", ignore=shutil.ignore_patterns(*LEFT_OUT))
    return dest / "loopkata"


def write_pyproject(dest: Path) -> None:
    """A pyproject.toml installing the copied package with the checkout's own dependencies."""
    project = tomllib.loads((paths.kata_root() / "pyproject.toml").read_text())["project"]
    dependencies = ",\n".join(f'    "{d}"' for d in project["dependencies"])
    (dest / "pyproject.toml").write_text(PYPROJECT.format(
        version=VERSION, description=project["description"].replace('"', "'"),
        python=project["requires-python"], dependencies=dependencies))
