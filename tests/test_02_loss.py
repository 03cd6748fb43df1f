"""Spec of step 2: logsumexp, log_softmax, nll, cross_entropy, accuracy (spec/02_loss.md).

torch.nn.functional is the oracle: values and gradients must agree with it to
1e-5 on random input, and stay finite (and right) for logits of magnitude 1e4.
"""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from conftest import expect_from_its_parts, off_limits
from loopkata.testing import expect_close, fail, mismatch, show, under_test

pytestmark = pytest.mark.step("loss")
loss = under_test("loss")

# Rows at very different scales: one max for the whole batch would underflow the
# rows far below it, and exp() of any of these without the max trick overflows.
LARGE = torch.tensor([
    [1e4, 1e4 - 1, 1e4 - 3, 1e4 - 0.5],
    [-1e4, -1e4 + 2, -1e4 - 5, -1e4 + 0.25],
    [0.0, 1e4, -1e4, 5e3],
])
LARGE_TARGET = torch.tensor([0, 1, 2])
# In float32 the values near 1e4 are only stored to ~1e-3, whichever way the sum is rounded.
LARGE_ATOL = 2e-3

# 2-D batches, and the other ranks together: the notebook's logsumexp handles 2-D batches only
SHAPES = [[(3, 5)], [(4, 4)], [(5,), (2, 3, 5)]]
SHAPE_IDS = ["3x5", "square-4x4", "1-D-and-3-D"]


TORCH_LOGSUMEXP = [(torch, "logsumexp", "torch.logsumexp"), (torch.special, "logsumexp", "torch.special.logsumexp"),
                   (torch.Tensor, "logsumexp", "Tensor.logsumexp")]
TORCH_LOG_SOFTMAX = [(F, "log_softmax", "F.log_softmax"), (torch, "log_softmax", "torch.log_softmax"),
                     (torch.special, "log_softmax", "torch.special.log_softmax"),
                     (torch.Tensor, "log_softmax", "Tensor.log_softmax")]
TORCH_NLL = [(F, "nll_loss", "F.nll_loss"), (F, "cross_entropy", "F.cross_entropy")]


def shape_text(shape):
    return "×".join(str(s) for s in shape)


@st.composite
def logits(draw, max_rows=6, max_cols=7):
    """(x, description): a float64 batch of random logits at a scale from 1 to 1e4."""
    rows, cols = draw(st.integers(1, max_rows)), draw(st.integers(1, max_cols))
    scale = draw(st.sampled_from([1.0, 10.0, 1e2, 1e3, 1e4]))
    seed = draw(st.integers(0, 2**31 - 1))
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(rows, cols, generator=g, dtype=torch.float64) * scale
    return x, f"= randn({rows}, {cols}) * {scale:g} in float64, {show(x, limit=12)}"


def expect_grad_close(fn, oracle, x, call, why, *args):
    """The gradient of (fn(x) * weights).sum() must match the oracle's."""
    __tracebackhide__ = True
    x1 = x.clone().requires_grad_()
    x2 = x.clone().requires_grad_()
    out = fn(x1, *args)
    if not isinstance(out, torch.Tensor) or out.grad_fn is None:
        fail(f"{call}\n  returned: {show(out)} with no autograd graph\n"
             "  expected: a tensor that autograd can differentiate (no .item(), .detach() or .data on the way)")
    expected = oracle(x2, *args)
    weights = torch.linspace(0.5, 1.5, expected.numel()).reshape(expected.shape)
    (expected * weights).sum().backward()
    (out * weights).sum().backward()
    expect_close(x1.grad, x2.grad, f"the gradient of {call} (weighted sum, backward)", why)


# --- logsumexp ---------------------------------------------------------------

def test_logsumexp_matches_torch():
    x = torch.randn(8, 10) * 3
    expect_close(loss.logsumexp(x), torch.logsumexp(x, dim=-1),
                 "lesson9.loss.logsumexp(x) with x of shape 8×10", "torch.logsumexp(x, dim=-1)")


@pytest.mark.parametrize("shapes", SHAPES, ids=SHAPE_IDS)
def test_logsumexp_reduces_the_last_dim_of_any_shape(shapes):
    for shape in shapes:
        x = torch.randn(shape) * 3
        expect_close(loss.logsumexp(x), torch.logsumexp(x, dim=-1),
                     f"lesson9.loss.logsumexp(x) with x of shape {shape_text(shape)}",
                     "torch.logsumexp(x, dim=-1): one value per row, each row's own max subtracted from that row "
                     "(keep the max's dimension: the notebook's m[:,None] lines up with 2-D batches only)")


def test_logsumexp_is_stable_for_large_logits():
    got = loss.logsumexp(LARGE)
    call = f"lesson9.loss.logsumexp(x) with rows around 1e4, -1e4 and both: x = {LARGE.tolist()}"
    if not isinstance(got, torch.Tensor) or not torch.isfinite(got).all():
        mismatch(call, got, torch.logsumexp(LARGE, -1),
                 "exp(1e4) overflows to inf: subtract each row's max before exp()")
    expect_close(got, torch.logsumexp(LARGE, dim=-1), call, "torch.logsumexp(x, dim=-1)", atol=LARGE_ATOL)


@given(logits())
def test_logsumexp_matches_torch_at_any_scale(case):
    x, text = case
    expect_close(loss.logsumexp(x), torch.logsumexp(x, dim=-1), f"lesson9.loss.logsumexp(x) with x {text}",
                 "torch.logsumexp(x, dim=-1)")


def test_logsumexp_does_not_call_torchs_logsumexp(monkeypatch):
    x = torch.randn(6, 5) * 3
    expected = torch.logsumexp(x, dim=-1)
    called = off_limits(monkeypatch, loss.logsumexp, TORCH_LOGSUMEXP)
    got = expect_from_its_parts(lambda: loss.logsumexp(x), called, "lesson9.loss.logsumexp(x) with x of shape 6×5",
                                "the max-subtraction trick written yourself: m + log(sum(exp(x - m)))",
                                "spec/02_loss.md")
    expect_close(got, expected, "lesson9.loss.logsumexp(x) with x of shape 6×5", "torch.logsumexp(x, dim=-1)")


def test_logsumexp_gradient_matches_torch():
    x = torch.randn(5, 7) * 3
    expect_grad_close(loss.logsumexp, lambda t: torch.logsumexp(t, dim=-1), x,
                      "lesson9.loss.logsumexp(x), x of shape 5×7", "torch.logsumexp's gradient, softmax(x)")


# --- log_softmax -------------------------------------------------------------

def test_log_softmax_matches_torch():
    x = torch.randn(8, 10) * 3
    expect_close(loss.log_softmax(x), F.log_softmax(x, dim=-1),
                 "lesson9.loss.log_softmax(x) with x of shape 8×10", "F.log_softmax(x, dim=-1)")


@pytest.mark.parametrize("shapes", SHAPES, ids=SHAPE_IDS)
def test_log_softmax_works_on_the_last_dim_of_any_shape(shapes):
    for shape in shapes:
        x = torch.randn(shape) * 3
        expect_close(loss.log_softmax(x), F.log_softmax(x, dim=-1),
                     f"lesson9.loss.log_softmax(x) with x of shape {shape_text(shape)}",
                     "F.log_softmax(x, dim=-1): each row minus that row's logsumexp (keep the dim to broadcast)")


def test_log_softmax_is_stable_for_large_logits():
    got = loss.log_softmax(LARGE)
    call = f"lesson9.loss.log_softmax(x) with rows around 1e4, -1e4 and both: x = {LARGE.tolist()}"
    if not isinstance(got, torch.Tensor) or not torch.isfinite(got).all():
        mismatch(call, got, F.log_softmax(LARGE, -1),
                 "exp(1e4) overflows to inf: use the stable logsumexp, not log(exp(x) / exp(x).sum())")
    expect_close(got, F.log_softmax(LARGE, dim=-1), call, "F.log_softmax(x, dim=-1)", atol=LARGE_ATOL)


@given(logits())
def test_log_softmax_matches_torch_at_any_scale(case):
    x, text = case
    expect_close(loss.log_softmax(x), F.log_softmax(x, dim=-1), f"lesson9.loss.log_softmax(x) with x {text}",
                 "F.log_softmax(x, dim=-1)")


def test_log_softmax_gradient_matches_torch():
    x = torch.randn(5, 7) * 3
    expect_grad_close(loss.log_softmax, lambda t: F.log_softmax(t, dim=-1), x,
                      "lesson9.loss.log_softmax(x), x of shape 5×7", "F.log_softmax's gradient")


def test_log_softmax_does_not_call_torchs_log_softmax_or_logsumexp(monkeypatch):
    x = torch.randn(6, 5) * 3
    expected = F.log_softmax(x, dim=-1)
    called = off_limits(monkeypatch, loss.log_softmax, TORCH_LOG_SOFTMAX + TORCH_LOGSUMEXP)
    got = expect_from_its_parts(lambda: loss.log_softmax(x), called,
                                "lesson9.loss.log_softmax(x) with x of shape 6×5",
                                "x minus your own logsumexp(x), kept as a column (the notebook's last version "
                                "uses x.logsumexp, PyTorch's)", "spec/02_loss.md")
    expect_close(got, expected, "lesson9.loss.log_softmax(x) with x of shape 6×5", "F.log_softmax(x, dim=-1)")


# --- nll ---------------------------------------------------------------------

def test_nll_matches_torch():
    logp = F.log_softmax(torch.randn(6, 4), dim=-1)
    target = torch.tensor([0, 3, 1, 1, 2, 0])
    expect_close(loss.nll(logp, target), F.nll_loss(logp, target),
                 "lesson9.loss.nll(log_probs, target) on 6 rows of 4 classes", "F.nll_loss on the same input")


def test_nll_takes_each_rows_target_from_any_scores():
    scores = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [-1.0, 0.5, 2.0]])
    target = torch.tensor([2, 0, 1, 1])
    expect_close(loss.nll(scores, target), torch.tensor(-(3.0 + 4.0 + 8.0 + 0.5) / 4),
                 f"lesson9.loss.nll(input, target) with input = {scores.tolist()}, target = {target.tolist()}",
                 "mean of -input[i, target[i]] = -(3 + 4 + 8 + 0.5) / 4, as F.nll_loss gives; nll applies no "
                 "softmax of its own")


def test_nll_of_a_single_row():
    logp = F.log_softmax(torch.randn(1, 5), dim=-1)
    target = torch.tensor([3])
    expect_close(loss.nll(logp, target), F.nll_loss(logp, target),
                 "lesson9.loss.nll(log_probs, target) on 1 row of 5 classes", "F.nll_loss on the same input")


def test_nll_gradient_matches_torch():
    logp = F.log_softmax(torch.randn(6, 4), dim=-1)
    target = torch.tensor([0, 3, 1, 1, 2, 0])
    expect_grad_close(loss.nll, F.nll_loss, logp, "lesson9.loss.nll(log_probs, target), 6 rows of 4 classes",
                      "F.nll_loss's gradient: -1/6 at each row's target, 0 elsewhere", target)


def test_nll_does_not_call_torchs_nll_loss(monkeypatch):
    logp = F.log_softmax(torch.randn(6, 4), dim=-1)
    target = torch.tensor([0, 3, 1, 1, 2, 0])
    expected = F.nll_loss(logp, target)
    called = off_limits(monkeypatch, loss.nll, TORCH_NLL)
    got = expect_from_its_parts(lambda: loss.nll(logp, target), called,
                                "lesson9.loss.nll(log_probs, target) on 6 rows of 4 classes",
                                "-input[i, target[i]], picked with integer-array indexing, then the mean",
                                "spec/02_loss.md")
    expect_close(got, expected, "lesson9.loss.nll(log_probs, target) on 6 rows of 4 classes",
                 "F.nll_loss on the same input")


# --- cross_entropy -----------------------------------------------------------

@given(logits(max_rows=8), st.data())
def test_cross_entropy_matches_torch(case, data):
    x, text = case
    target = torch.tensor(data.draw(st.lists(st.integers(0, x.shape[1] - 1), min_size=x.shape[0],
                                             max_size=x.shape[0])))
    expect_close(loss.cross_entropy(x, target), F.cross_entropy(x, target),
                 f"lesson9.loss.cross_entropy(x, target) with x {text}, target {target.tolist()}",
                 "F.cross_entropy on the same input")


def test_cross_entropy_is_stable_for_large_logits():
    got = loss.cross_entropy(LARGE, LARGE_TARGET)
    expected = F.cross_entropy(LARGE, LARGE_TARGET)
    call = f"lesson9.loss.cross_entropy(x, target) with x = {LARGE.tolist()}, target = {LARGE_TARGET.tolist()}"
    expect_close(got, expected, call, "F.cross_entropy on the same input; it stays finite at 1e4",
                 atol=LARGE_ATOL)


def test_cross_entropy_gradient_matches_torch():
    x = torch.randn(6, 4) * 2
    target = torch.tensor([0, 3, 1, 1, 2, 0])
    expect_grad_close(loss.cross_entropy, F.cross_entropy, x,
                      "lesson9.loss.cross_entropy(x, target), 6 rows of 4 classes", "F.cross_entropy's gradient",
                      target)


def test_cross_entropy_does_not_call_torchs_cross_entropy(monkeypatch):
    x = torch.randn(6, 4) * 2
    target = torch.tensor([0, 3, 1, 1, 2, 0])
    expected = F.cross_entropy(x, target)
    # torch's logsumexp is log_softmax's business (its own test): here only the loss functions are off limits
    called = off_limits(monkeypatch, loss.cross_entropy, TORCH_NLL + TORCH_LOG_SOFTMAX)
    got = expect_from_its_parts(lambda: loss.cross_entropy(x, target), called,
                                "lesson9.loss.cross_entropy(x, target) on 6 rows of 4 classes",
                                "nll(log_softmax(x), target), with your own nll and log_softmax",
                                "spec/02_loss.md")
    expect_close(got, expected, "lesson9.loss.cross_entropy(x, target) on 6 rows of 4 classes",
                 "F.cross_entropy on the same input")


# --- accuracy ----------------------------------------------------------------

def test_accuracy_counts_rows_whose_argmax_is_the_target():
    out = torch.tensor([[0.1, 0.7, 0.2], [2.0, -1.0, 0.5], [0.3, 0.3, 0.9], [5.0, 6.0, 1.0]])
    yb = torch.tensor([1, 2, 2, 0])  # argmaxes are 1, 0, 2, 1: rows 0 and 2 are right
    expect_close(loss.accuracy(out, yb), torch.tensor(0.5),
                 f"lesson9.loss.accuracy(out, yb) with out = {out.tolist()}, yb = {yb.tolist()}",
                 "the argmaxes are [1, 0, 2, 1]: 2 of 4 rows match")


def test_accuracy_is_a_0dim_float_tensor():
    out, yb = torch.randn(10, 4), torch.randint(0, 4, (10,))
    got = loss.accuracy(out, yb)
    if not isinstance(got, torch.Tensor) or got.dim() != 0 or not got.dtype.is_floating_point:
        kind = (f"a tensor of shape {tuple(got.shape)} and dtype {got.dtype}" if isinstance(got, torch.Tensor)
                else f"a {type(got).__name__}")
        fail(f"lesson9.loss.accuracy(out, yb) on 10 rows of 4 classes\n  returned: {show(got)}, {kind}\n"
             "  expected: a 0-dim float tensor, as (preds == yb).float().mean() gives")


@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**31 - 1))
def test_accuracy_matches_the_argmax_of_each_row(rows, cols, seed):
    g = torch.Generator().manual_seed(seed)
    out = torch.randn(rows, cols, generator=g)
    yb = torch.randint(0, cols, (rows,), generator=g)
    expected = (out.argmax(dim=1) == yb).float().mean()
    expect_close(loss.accuracy(out, yb), expected,
                 f"lesson9.loss.accuracy(out, yb) with out = {out.tolist()}, yb = {yb.tolist()}",
                 "the fraction of rows whose argmax over the classes (the last dim) equals the target")
