"""Spec of step 1: stats, gain, fan_in_fan_out, kaiming_normal_, kaiming_uniform_ (spec/01_init.md).

Random fills are judged statistically, on tensors large enough (tens of
thousands of values) that a correct fill lands well inside the tolerances
whatever numbers it happens to draw, while a wrong scale, a wrong fan or a
wrong distribution lands far outside them.
"""
import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from conftest import expect_from_its_parts, off_limits
from loopkata.testing import expect_close, expect_equal, fail, mismatch, show, under_test

pytestmark = pytest.mark.step("init")
init = under_test("init")

STD_RTOL = 0.03  # a sample std over >= 18k values is within ~0.5% of the true one
SQRT5 = math.sqrt(5.0)


def torch_gain(a):
    return nn.init.calculate_gain("leaky_relu", a)


def as_float(value, call):
    """float(value), or a learner-grade failure when it is not one number."""
    __tracebackhide__ = True
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        pass  # fail outside the except block, so pytest shows no chained traceback
    fail(f"{call}\n  returned: {show(value)}\n  expected: a single number (a 0-dim tensor or a float)")


def as_pair(value, call):
    """A 2-tuple from whatever sequence came back, or a learner-grade failure."""
    __tracebackhide__ = True
    try:
        first, second = value
        return first, second
    except (TypeError, ValueError):
        pass
    fail(f"{call}\n  returned: {show(value)}\n  expected: a pair (two values)")


def filled(fill, shape, **kwargs):
    """A tensor of `shape`, full of 3.0 beforehand, after `fill(w, **kwargs)`."""
    w = torch.full(shape, 3.0)
    fill(w, **kwargs)
    return w


def call_text(name, shape, **kwargs):
    args = "".join(f", {k}={v:.4g}" if isinstance(v, float) else f", {k}={v}" for k, v in kwargs.items())
    return f"lesson9.init.{name}(w{args}) with w of shape {tuple(shape)}"


# --- stats -------------------------------------------------------------------

def test_stats_returns_mean_and_std():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    call = "lesson9.init.stats(tensor([1., 2., 3., 4.]))"
    mean, std = as_pair(init.stats(x), call)
    expect_close(as_float(mean, call), 2.5, call + ", the mean", "(1+2+3+4)/4")
    std = as_float(std, call)
    unbiased, biased = x.std().item(), x.std(unbiased=False).item()
    if not (math.isclose(std, unbiased, rel_tol=1e-5) or math.isclose(std, biased, rel_tol=1e-5)):
        mismatch(call + ", the std", std, unbiased,
                 f"x.std() is {unbiased:.6g}; the biased std {biased:.6g} is accepted too")


def test_stats_covers_every_element_of_a_matrix():
    x = torch.arange(12.0).reshape(3, 4)
    call = "lesson9.init.stats(torch.arange(12.).reshape(3, 4))"
    mean, std = as_pair(init.stats(x), call)
    expect_close(as_float(mean, call), 5.5, call + ", the mean",
                 "one mean over all 12 elements, not one per row or column")
    std = as_float(std, call)
    if not (math.isclose(std, x.std().item(), rel_tol=1e-5)
            or math.isclose(std, x.std(unbiased=False).item(), rel_tol=1e-5)):
        mismatch(call + ", the std", std, x.std().item(), "one std over all 12 elements (biased or unbiased)")


@given(st.lists(st.floats(-100, 100, width=32), min_size=2, max_size=40))
def test_stats_matches_torch_mean_and_std(values):
    x = torch.tensor(values)
    call = f"lesson9.init.stats(torch.tensor({values}))"
    mean, std = as_pair(init.stats(x), call)
    expect_close(as_float(mean, call), x.mean().item(), call + ", the mean", "x.mean()", atol=1e-3, rtol=1e-4)
    std = as_float(std, call)
    unbiased, biased = x.std().item(), x.std(unbiased=False).item()
    if not (math.isclose(std, unbiased, rel_tol=1e-4, abs_tol=1e-3)
            or math.isclose(std, biased, rel_tol=1e-4, abs_tol=1e-3)):
        mismatch(call + ", the std", std, unbiased, f"x.std(); the biased std {biased:.6g} is accepted too")


# --- gain --------------------------------------------------------------------

@pytest.mark.parametrize("a, expected", [
    (1.0, 1.0),
    (0.0, 1.4142135623730951),
    (0.01, 1.4141428569978354),
    (0.1, 1.4071950894605838),
    (SQRT5, 0.5773502691896257),
], ids=["1", "0", "0.01", "0.1", "sqrt5"])
def test_gain_gives_the_notebook_values(a, expected):
    expect_close(init.gain(a), expected, f"lesson9.init.gain({a:.6g})",
                 "the values printed in notebook 02a; gain(sqrt(5)) is 1/sqrt(3)", atol=1e-12, rtol=1e-9)


@given(st.floats(-10, 10))
def test_gain_matches_torch_calculate_gain(a):
    expect_close(init.gain(a), torch_gain(a), f"lesson9.init.gain({a!r})",
                 "nn.init.calculate_gain('leaky_relu', a), i.e. sqrt(2 / (1 + a**2))", atol=1e-12, rtol=1e-9)


# --- fan_in_fan_out ----------------------------------------------------------

def fans_of(w):
    call = f"lesson9.init.fan_in_fan_out(w) with w of shape {tuple(w.shape)}"
    fan_in, fan_out = as_pair(init.fan_in_fan_out(w), call)
    return (as_float(fan_in, call), as_float(fan_out, call)), call


def test_fan_in_fan_out_of_a_linear_weight():
    w = nn.Linear(3, 7).weight  # shape (out, in) = (7, 3)
    got, call = fans_of(w)
    expect_equal(got, (3, 7), call, "nn.Linear(3, 7).weight has shape (out=7, in=3): fan_in is 3, fan_out is 7")


def test_fan_in_fan_out_of_the_notebook_conv():
    w = nn.Conv2d(1, 32, 5).weight  # (nf=32, ni=1, 5, 5)
    got, call = fans_of(w)
    expect_equal(got, (25, 800), call,
                 "notebook 02a: receptive field 5*5 = 25, fan_in = ni*25 = 25, fan_out = nf*25 = 800")


@pytest.mark.parametrize("shape", [(8, 3, 2, 5), (6, 4, 7), (5, 2, 3, 1, 4)],
                         ids=["conv2d-2x5", "conv1d-7", "conv3d-3x1x4"])
def test_fan_in_fan_out_uses_the_whole_receptive_field(shape):
    nf, ni, *kernel = shape
    receptive_field = math.prod(kernel)
    got, call = fans_of(torch.empty(shape))
    expect_equal(got, (ni * receptive_field, nf * receptive_field), call,
                 f"receptive field = product of the kernel dims {tuple(kernel)} = {receptive_field}; "
                 f"fan_in = ni * {receptive_field}, fan_out = nf * {receptive_field}")


@given(st.lists(st.integers(1, 6), min_size=2, max_size=5))
def test_fan_in_fan_out_for_any_weight_shape(shape):
    nf, ni, *kernel = shape
    receptive_field = math.prod(kernel)
    got, call = fans_of(torch.empty(shape))
    expect_equal(got, (ni * receptive_field, nf * receptive_field), call,
                 "the contract: fan_in = ni * receptive field, fan_out = nf * receptive field")


# --- kaiming_normal_ ---------------------------------------------------------

@pytest.mark.parametrize("a", [0.0, 1.0, SQRT5], ids=["a=0", "a=1", "a=sqrt5"])
def test_kaiming_normal_std_matches_torch(a):
    shape = (256, 512)  # fan_in 512
    w = filled(init.kaiming_normal_, shape, a=a)
    oracle = nn.init.kaiming_normal_(torch.empty(shape), a=a, mode="fan_in", nonlinearity="leaky_relu")
    expect_close(w.std().item(), oracle.std().item(), call_text("kaiming_normal_", shape, a=a) + ": w.std()",
                 f"the std of nn.init.kaiming_normal_(a={a:.4g}) on the same shape; "
                 f"in theory gain(a)/sqrt(fan_in) = {torch_gain(a) / math.sqrt(512):.4g}",
                 rtol=STD_RTOL, atol=0)


def test_kaiming_normal_is_centred_on_zero():
    shape = (256, 512)
    w = filled(init.kaiming_normal_, shape)
    std = math.sqrt(2 / 512)
    expect_close(w.mean().item(), 0.0, call_text("kaiming_normal_", shape) + ": w.mean()",
                 f"a normal distribution of mean 0 (std {std:.4g}); the mean of 131072 draws "
                 "lies within a few thousandths of the std from 0", atol=0.02 * std, rtol=0)


def test_kaiming_normal_draws_from_a_normal_distribution():
    shape = (256, 512)
    w = filled(init.kaiming_normal_, shape)
    std = math.sqrt(2 / 512)
    beyond = (w.abs() > 2 * std).float().mean().item()
    if not 0.035 < beyond < 0.056:
        mismatch(call_text("kaiming_normal_", shape) + ": fraction of |w| beyond 2 std",
                 beyond, 0.0455,
                 "about 4.55% of a normal distribution lies beyond 2 std; a uniform one never goes that far")


def test_kaiming_normal_on_a_conv_weight_uses_its_fan_in():
    layer = nn.Conv2d(64, 128, 3)  # weight (128, 64, 3, 3): fan_in 576, fan_out 1152
    init.kaiming_normal_(layer.weight)
    expect_close(layer.weight.std().item(), math.sqrt(2 / 576),
                 "lesson9.init.kaiming_normal_(nn.Conv2d(64, 128, 3).weight): weight.std()",
                 "sqrt(2 / fan_in) with fan_in = 64 * 3 * 3 = 576 (as nn.init.kaiming_normal_ gives)",
                 rtol=STD_RTOL, atol=0)


@pytest.mark.parametrize("shape", [(64, 1024), (16, 128, 3, 3)], ids=["linear", "conv2d"])
def test_kaiming_normal_use_fan_out(shape):
    w = filled(init.kaiming_normal_, shape, use_fan_out=True)
    oracle = nn.init.kaiming_normal_(torch.empty(shape), mode="fan_out")
    nf, ni, *kernel = shape
    expect_close(w.std().item(), oracle.std().item(),
                 call_text("kaiming_normal_", shape, use_fan_out=True) + ": w.std()",
                 f"nn.init.kaiming_normal_(mode='fan_out'): sqrt(2 / fan_out), fan_out = {nf * math.prod(kernel)}",
                 rtol=STD_RTOL, atol=0)


# --- kaiming_uniform_ --------------------------------------------------------

@pytest.mark.parametrize("a", [0.0, 1.0, SQRT5], ids=["a=0", "a=1", "a=sqrt5"])
def test_kaiming_uniform_fills_the_whole_symmetric_range(a):
    shape = (256, 512)
    w = filled(init.kaiming_uniform_, shape, a=a)
    bound = math.sqrt(3) * torch_gain(a) / math.sqrt(512)
    call = call_text("kaiming_uniform_", shape, a=a)
    why = (f"U(-bound, bound) with bound = sqrt(3) * gain(a) / sqrt(fan_in) = {bound:.5g}, "
           "the bound nn.init.kaiming_uniform_ uses")
    lo, hi = w.min().item(), w.max().item()
    if hi > bound * (1 + 1e-5) or lo < -bound * (1 + 1e-5):
        mismatch(call + ": (w.min(), w.max())", (lo, hi), (-bound, bound), "no value may leave the bound; " + why)
    if hi < 0.99 * bound or lo > -0.99 * bound:
        mismatch(call + ": (w.min(), w.max())", (lo, hi), (-bound, bound),
                 "131072 uniform draws come within 0.1% of both ends; " + why)


@pytest.mark.parametrize("a", [0.0, SQRT5], ids=["a=0", "a=sqrt5"])
def test_kaiming_uniform_std_matches_torch(a):
    shape = (256, 512)
    w = filled(init.kaiming_uniform_, shape, a=a)
    oracle = nn.init.kaiming_uniform_(torch.empty(shape), a=a, mode="fan_in", nonlinearity="leaky_relu")
    expect_close(w.std().item(), oracle.std().item(), call_text("kaiming_uniform_", shape, a=a) + ": w.std()",
                 f"the std of nn.init.kaiming_uniform_(a={a:.4g}) on the same shape, gain(a)/sqrt(fan_in)",
                 rtol=STD_RTOL, atol=0)


def test_kaiming_uniform_is_centred_on_zero():
    shape = (256, 512)
    w = filled(init.kaiming_uniform_, shape)
    std = math.sqrt(2 / 512)
    expect_close(w.mean().item(), 0.0, call_text("kaiming_uniform_", shape) + ": w.mean()",
                 "U(-bound, bound) has mean 0", atol=0.02 * std, rtol=0)


@pytest.mark.parametrize("shape", [(64, 1024), (16, 128, 3, 3)], ids=["linear", "conv2d"])
def test_kaiming_uniform_use_fan_out(shape):
    w = filled(init.kaiming_uniform_, shape, use_fan_out=True)
    nf, ni, *kernel = shape
    fan_out = nf * math.prod(kernel)
    bound = math.sqrt(3) * math.sqrt(2 / fan_out)
    call = call_text("kaiming_uniform_", shape, use_fan_out=True) + ": w.abs().max()"
    expect_close(w.abs().max().item(), bound, call,
                 f"nn.init.kaiming_uniform_(mode='fan_out'): bound sqrt(3) * sqrt(2 / fan_out), fan_out = {fan_out}",
                 rtol=0.01, atol=0)


@pytest.mark.parametrize("make", [lambda: nn.Linear(500, 300), lambda: nn.Conv2d(32, 64, 5)],
                         ids=["Linear(500, 300)", "Conv2d(32, 64, 5)"])
def test_kaiming_uniform_with_sqrt5_gives_pytorchs_default_bound(make):
    fresh = make()  # PyTorch's own default init of this layer
    fan_in = fresh.weight[0].numel()
    layer = make()
    init.kaiming_uniform_(layer.weight, a=SQRT5)
    call = (f"lesson9.init.kaiming_uniform_(layer.weight, a=math.sqrt(5)) on a {type(layer).__name__}: "
            "weight.abs().max()")
    expect_close(layer.weight.abs().max().item(), 1 / math.sqrt(fan_in), call,
                 f"PyTorch's default init draws from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = {fan_in} "
                 f"(a fresh layer's weight reaches {fresh.weight.abs().max().item():.5g}): the 'why sqrt(5)' finding",
                 rtol=0.01, atol=0)


# --- both fills --------------------------------------------------------------

FILLS = ["kaiming_normal_", "kaiming_uniform_"]


@pytest.mark.parametrize("name", FILLS)
def test_kaiming_default_is_the_relu_gain_on_fan_in(name):
    shape = (128, 256)
    w = torch.full(shape, 3.0)
    getattr(init, name)(w)  # no a, no use_fan_out
    expect_close(w.std().item(), math.sqrt(2 / 256), f"lesson9.init.{name}(w) with w of shape {shape}: w.std()",
                 "the defaults a=0, use_fan_out=False: std = gain(0) / sqrt(fan_in) = sqrt(2 / 256)",
                 rtol=STD_RTOL, atol=0)


@pytest.mark.parametrize("name", FILLS)
def test_kaiming_fills_a_parameter_in_place_and_returns_it(name):
    w = nn.Parameter(torch.full((64, 128), 3.0))
    call = f"lesson9.init.{name}(w) with w = nn.Parameter(torch.full((64, 128), 3.))"
    try:
        result = getattr(init, name)(w)
    except RuntimeError as e:
        if "in-place" not in str(e):
            raise
        error = str(e)
    else:
        error = None
    if error is not None:
        fail(f"{call}\n  raised RuntimeError: {error}\n"
             "  expected: w filled in place; torch refuses in-place changes to a Parameter while it "
             "records operations, so fill it under torch.no_grad()")
    if result is not w:
        fail(f"{call}\n  returned: {show(result)}" + (" (a different tensor object)" if result is not None else "") +
             "\n  expected: w itself, filled in place (the contract; w.data, or a new tensor, is another object; "
             "the notebook's kaiming2 returns nothing)")
    if (w == 3.0).float().mean().item() > 0.001:
        mismatch(call + ": w afterwards", w, "w overwritten with random values",
                 "w must be filled in place, not a new tensor made")
    if not (w.requires_grad and w.is_leaf and w.grad_fn is None):
        fail(f"{call}\n  left w with requires_grad={w.requires_grad}, grad_fn={w.grad_fn}\n"
             "  expected: still a leaf Parameter that requires grad (fill it under torch.no_grad())")


@pytest.mark.parametrize("name", FILLS)
def test_kaiming_fill_keeps_the_parameter_trainable(name):
    layer = nn.Linear(20, 10)
    getattr(init, name)(layer.weight)
    layer(torch.randn(4, 20)).sum().backward()
    if layer.weight.grad is None or layer.weight.grad.shape != (10, 20):
        fail(f"lesson9.init.{name}(layer.weight) on nn.Linear(20, 10), then a forward and backward pass:\n"
             f"  layer.weight.grad is {show(layer.weight.grad)}\n"
             "  expected: a (10, 20) gradient, as for any parameter")


# --- from its parts ----------------------------------------------------------------------------

# torch.nn.init's gains, fans and Kaiming fills; its plain fills (normal_, uniform_) stay allowed
TORCH_INIT = [(nn.init, name, f"torch.nn.init.{name}") for name in (
    "calculate_gain", "_calculate_fan_in_and_fan_out", "_calculate_correct_fan",
    "kaiming_normal_", "kaiming_uniform_", "kaiming_normal", "kaiming_uniform")]

FROM_PARTS = {
    "gain": ("gain(math.sqrt(5))", lambda: init.gain(SQRT5), "math.sqrt(2 / (1 + a**2)), written out"),
    "fan_in_fan_out": ("fan_in_fan_out(w) with w of shape (8, 3, 2, 5)",
                       lambda: init.fan_in_fan_out(torch.empty(8, 3, 2, 5)),
                       "the shape unpacked: the receptive field times ni and times nf"),
    "kaiming_normal_": ("kaiming_normal_(w) with w of shape (64, 32)",
                        lambda: init.kaiming_normal_(torch.empty(64, 32)),
                        "std = gain(a) / sqrt(fan) from your own gain and fans, then w.normal_(0, std)"),
    "kaiming_uniform_": ("kaiming_uniform_(w, a=math.sqrt(5)) with w of shape (64, 32)",
                         lambda: init.kaiming_uniform_(torch.empty(64, 32), a=SQRT5),
                         "bound = sqrt(3) * gain(a) / sqrt(fan) from your own gain and fans, then "
                         "w.uniform_(-bound, bound)"),
}


@pytest.mark.parametrize("name", list(FROM_PARTS))
def test_init_is_written_from_its_parts(name, monkeypatch):
    text, run, parts = FROM_PARTS[name]
    called = off_limits(monkeypatch, getattr(init, name), TORCH_INIT)
    expect_from_its_parts(run, called, f"lesson9.init.{text}", parts, "spec/01_init.md")
