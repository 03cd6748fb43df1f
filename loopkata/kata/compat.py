"""What differs between the Pythons and systems loopkata runs on."""
from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Gradescope's default image has Python 3.10
    import tomli as tomllib

__all__ = ["tomllib"]
