"""Writing the spec: the pytest plugin (`loopkata.testing.plugin`) and the helpers spec tests import.

Who uses it: the spec in tests/, and an instructor's held-out tests, as
`from loopkata.testing import under_test, expect_close, ...`. It runs in
whatever process runs the spec, a contained child included, and imports only
`loopkata.kata`.

The helpers import the tree under test lazily and fail with learner-grade
messages: what was called, what came back and what was expected; the plugin
adds the step's spec page. Every name in `__all__` is guarded during a graded
run: code under test that replaces one of them makes that run count for
nothing (see `loopkata.containment.reporter`).
"""
from __future__ import annotations

import math
import re
import struct
from typing import Any, NoReturn

import pytest

from loopkata.kata.steps import BY_ID
from loopkata.testing import tree

__all__ = ["fail", "under_test", "show", "show_pair", "mismatch", "expect_equal", "expect_close"]


def fail(message: str) -> NoReturn:
    """Fail the current test with `message` alone, no traceback of ours."""
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)


class ModuleUnderTest:
    """`lesson9.<module>` of the tree under test, imported when a test first needs a name from it.

    A missing module, a syntax error or a missing name fails the test that
    needed it, with a message naming the file and the name, instead of
    breaking the collection of the whole file. It fails with
    `tree.Unavailable`, which Hypothesis does not retry: no example can help
    (`tree.NotWrittenYet`, a step not started, when the module runs code not
    written yet at import).
    """

    def __init__(self, module: str):
        self._name = module

    @property
    def _file(self) -> str:
        return f"lesson9/{self._name}.py"

    def _load(self) -> Any:
        __tracebackhide__ = True
        try:
            return tree.import_module(self._name)
        except tree.ImportProblem as e:
            problem, unwritten = str(e), isinstance(e, tree.RunsUnwrittenCode)
        # outside the except: the message alone, no chained traceback
        raise (tree.NotWrittenYet if unwritten else tree.Unavailable)(problem)

    def __getattr__(self, name: str) -> Any:
        __tracebackhide__ = True
        if name.startswith("_"):  # never a kata name; keeps introspection (pytest, inspect) harmless
            raise AttributeError(name)
        module = self._load()
        try:
            return getattr(module, name)
        except AttributeError:
            step = BY_ID.get(self._name)
            page = f" ({step.page})" if step else ""
            problem = f"{self._file} defines no `{name}`; the spec asks for it{page}"
        raise tree.Unavailable(problem)

    def __repr__(self) -> str:
        return f"<lesson9.{self._name} of the tree under test>"


def under_test(module: str) -> ModuleUnderTest:
    """The tree under test's `lesson9.<module>`, imported lazily."""
    return ModuleUnderTest(module)


def show(value: Any, limit: int = 8, digits: int = 6) -> str:
    """A short, readable description of a value for a failure message (floats to `digits` significant digits)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        torch = None
    if torch is not None and isinstance(value, torch.Tensor):
        if value.dim() == 0:
            return f"tensor({_fmt(value.item(), digits)})" + _tensor_extras(value)
        flat = value.detach().flatten()
        items = ", ".join(_fmt(v.item(), digits) for v in flat[:limit])
        more = ", ..." if flat.numel() > limit else ""
        shape = "×".join(str(s) for s in value.shape)
        return f"tensor of shape {shape} [{items}{more}]" + _tensor_extras(value)
    if isinstance(value, float):
        return _fmt(value, digits)
    if isinstance(value, (list, tuple)) and len(value) > limit:
        inner = ", ".join(show(v, digits=digits) for v in value[:limit])
        return f"{type(value).__name__} of {len(value)}: [{inner}, ...]"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(show(v, digits=digits) for v in value)
        return f"({inner},)" if isinstance(value, tuple) and len(value) == 1 else (
            f"({inner})" if isinstance(value, tuple) else f"[{inner}]")
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def show_pair(got: Any, expected: Any) -> tuple[str, str]:
    """Both values with as few digits as tell them apart (6 at least, 17 at most)."""
    for digits in range(6, 18):
        a, b = show(got, digits=digits), show(expected, digits=digits)
        if a != b:
            break
    return a, b


_LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{9,}(?:e[-+]?\d+)?")


def _as_float32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def _shortest(literal: str) -> str:
    """A float32 value written out as a double (0.10000000149011612, from a tensor's tolist()) as the
    fewest digits that give the same float32 (0.1); any other float as it is: its digits all count."""
    x = float(literal)
    if not math.isfinite(x) or _as_float32(x) != x:
        return literal
    return next(f"{x:.{d}g}" for d in range(1, 10) if _as_float32(float(f"{x:.{d}g}")) == x)


def _round_floats(text: str) -> str:
    return _LONG_FLOAT.sub(lambda m: _shortest(m[0]), text)


def _fmt(x: Any, digits: int = 6) -> str:
    return f"{x:.{digits}g}" if isinstance(x, float) else repr(x)


def _tensor_extras(t: Any) -> str:
    extras = []
    if t.dtype.is_floating_point is False:
        extras.append(f"dtype={str(t.dtype).removeprefix('torch.')}")
    if t.device.type != "cpu":
        extras.append(f"device={t.device}")
    return f" ({', '.join(extras)})" if extras else ""


def mismatch(call: str, got: Any, expected: Any, why: str = "") -> NoReturn:
    """Fail with: what was called, what came back, what was expected (and why)."""
    __tracebackhide__ = True
    returned, wanted = show_pair(got, expected)
    lines = [_round_floats(call), f"  returned: {returned}", f"  expected: {wanted}"]
    if why:
        lines.append(f"  ({_round_floats(why)})")
    fail("\n".join(lines))


def expect_equal(got: Any, expected: Any, call: str, why: str = "") -> None:
    """Fail unless got == expected (exactly, for tensors: same shape and values)."""
    __tracebackhide__ = True
    import torch

    if isinstance(expected, torch.Tensor):
        same = (
            isinstance(got, torch.Tensor)
            and got.shape == expected.shape
            and bool(torch.equal(got.detach().cpu().to(expected.dtype), expected.detach().cpu()))
        )
    else:
        same = got == expected
    if not same:
        mismatch(call, got, expected, why)


def expect_close(got: Any, expected: Any, call: str, why: str = "", *,
                 atol: float = 1e-5, rtol: float = 1e-5) -> None:
    """Fail unless got is within atol + rtol*|expected| of expected, same shape for tensors."""
    __tracebackhide__ = True
    import torch

    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            mismatch(call, got, expected, f"expected a tensor, got a {type(got).__name__}")
        if got.shape != expected.shape:
            mismatch(call, got, expected,
                     f"shape {tuple(got.shape)}, expected shape {tuple(expected.shape)}")
        g, e = got.detach().cpu().double(), expected.detach().cpu().double()
        if not torch.allclose(g, e, atol=atol, rtol=rtol, equal_nan=False):
            worst = (g - e).abs().nan_to_num(float("inf")).max().item()
            mismatch(call, got, expected, (why + "; " if why else "") + f"largest difference {worst:.3g}")
        return
    try:
        value = float(got)
    except (TypeError, ValueError):
        mismatch(call, got, expected, f"expected a number, got a {type(got).__name__}")
    if not math.isclose(value, float(expected), abs_tol=atol, rel_tol=rtol):
        mismatch(call, got, expected, why)
