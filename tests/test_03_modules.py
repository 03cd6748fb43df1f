"""Spec of step 3: DummyModule, SequentialModel, Optimizer (spec/03_modules.md).

Models, layers and data here come from torch itself; torch.optim.SGD is the
oracle for Optimizer.
"""
import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from loopkata.testing import expect_close, expect_equal, fail, mismatch, show, under_test

pytestmark = pytest.mark.step("modules")
modules = under_test("modules")


def registry_of(dm, call):
    """The dict that the contract names: `self._modules`."""
    __tracebackhide__ = True
    registry = getattr(dm, "_modules", None)
    if not hasattr(registry, "keys"):
        fail(f"{call}\n  has self._modules = {show(registry)}\n"
             "  expected: a dict recording every attribute whose name does not start with '_' (the contract)")
    return registry


def expect_same_objects(got, expected, call, why):
    """got and expected hold the very same objects (identity, not equal values), in order."""
    __tracebackhide__ = True
    got = list(got)
    if len(got) != len(expected) or any(g is not e for g, e in zip(got, expected)):
        mismatch(call, [tuple(p.shape) for p in got], [tuple(p.shape) for p in expected],
                 why + " (the very same Parameter objects, in this order)")


def call_dummy(dm, x, call):
    """dm(x), or a learner-grade failure when a DummyModule cannot be called."""
    __tracebackhide__ = True
    try:
        return dm(x)
    except TypeError as e:
        if "not callable" not in str(e):
            raise
        problem = str(e)
    fail(f"{call}\n  raised TypeError: {problem}\n"
         "  expected: l2(relu(l1(x))) (the contract asks DummyModule to be callable, like the nn.Module it "
         "imitates; the notebook's is not: see 'Where this spec differs from the notebook')")


def no_graph_left(params):
    return all(p.is_leaf and p.grad_fn is None and p.requires_grad for p in params)


# --- DummyModule -------------------------------------------------------------

def test_dummy_module_makes_two_linear_layers():
    dm = modules.DummyModule(4, 3, 2)
    for name, n_in, n_out in [("l1", 4, 3), ("l2", 3, 2)]:
        layer = getattr(dm, name, None)
        if not (isinstance(layer, nn.Linear) and layer.in_features == n_in and layer.out_features == n_out):
            mismatch(f"lesson9.modules.DummyModule(4, 3, 2).{name}", layer, nn.Linear(n_in, n_out),
                     "the contract: l1 = nn.Linear(n_in, nh), l2 = nn.Linear(nh, n_out)")


def test_dummy_module_registers_l1_and_l2_in_order():
    dm = modules.DummyModule(4, 3, 2)
    call = "lesson9.modules.DummyModule(4, 3, 2)"
    registry = registry_of(dm, call)
    expect_equal(list(registry.keys()), ["l1", "l2"], call + ": list(self._modules)",
                 "__setattr__ records l1, then l2, as __init__ sets them")
    if registry["l1"] is not dm.l1 or registry["l2"] is not dm.l2:
        fail(f"{call}: self._modules = {show(dict(registry))}\n"
             "  expected: self._modules['l1'] is self.l1 and self._modules['l2'] is self.l2 (the same objects)")


def test_dummy_module_records_attributes_set_later():
    dm = modules.DummyModule(4, 3, 2)
    l3 = nn.Linear(2, 2)
    dm.l3 = l3
    call = "dm = lesson9.modules.DummyModule(4, 3, 2); dm.l3 = nn.Linear(2, 2)"
    registry = registry_of(dm, call)
    expect_equal(list(registry.keys()), ["l1", "l2", "l3"], call + "; list(dm._modules)",
                 "__setattr__ records every public attribute, whenever it is set")
    if registry["l3"] is not l3 or getattr(dm, "l3", None) is not l3:
        fail(f"{call}\n  expected: dm.l3 and dm._modules['l3'] to be that very layer "
             "(record it, then still set the attribute with super().__setattr__)")


def test_dummy_module_reassigning_an_attribute_replaces_its_entry():
    dm = modules.DummyModule(4, 3, 2)
    new_l1 = nn.Linear(4, 3)
    dm.l1 = new_l1
    call = "dm = lesson9.modules.DummyModule(4, 3, 2); dm.l1 = nn.Linear(4, 3)"
    registry = registry_of(dm, call)
    expect_equal(list(registry.keys()), ["l1", "l2"], call + "; list(dm._modules)",
                 "a dict keyed by attribute name keeps one entry per name, in its first place")
    if registry["l1"] is not new_l1 or dm.l1 is not new_l1:
        fail(f"{call}\n  expected: both dm.l1 and dm._modules['l1'] to be the new layer")


def test_dummy_module_does_not_record_private_attributes():
    dm = modules.DummyModule(4, 3, 2)
    dm._cache = 5
    call = "dm = lesson9.modules.DummyModule(4, 3, 2); dm._cache = 5"
    registry = registry_of(dm, call)
    expect_equal(list(registry.keys()), ["l1", "l2"], call + "; list(dm._modules)",
                 "names starting with '_' are not recorded (that is how self._modules itself stays out)")
    expect_equal(getattr(dm, "_cache", None), 5, call + "; dm._cache", "the attribute is still set")


def test_dummy_module_repr_shows_the_registry():
    dm = modules.DummyModule(4, 3, 2)
    text = repr(dm)
    call = "repr(lesson9.modules.DummyModule(4, 3, 2))"
    pieces = ["l1", repr(dm.l1), "l2", repr(dm.l2)]
    positions = [text.find(piece) for piece in pieces]
    if -1 in positions or positions != sorted(positions):
        mismatch(call, text, repr({"l1": dm.l1, "l2": dm.l2}),
                 "the registry, as the notebook prints it: each name with its layer, l1 before l2")


def test_dummy_module_parameters_in_registration_order():
    dm = modules.DummyModule(4, 3, 2)
    expect_same_objects(dm.parameters(), [dm.l1.weight, dm.l1.bias, dm.l2.weight, dm.l2.bias],
                        "list(lesson9.modules.DummyModule(4, 3, 2).parameters()), shapes",
                        "l1.weight, l1.bias, l2.weight, l2.bias")


def test_dummy_module_parameters_include_attributes_set_later():
    dm = modules.DummyModule(4, 3, 2)
    dm.l3 = nn.Linear(2, 5)
    expect_same_objects(dm.parameters(),
                        [dm.l1.weight, dm.l1.bias, dm.l2.weight, dm.l2.bias, dm.l3.weight, dm.l3.bias],
                        "dm = lesson9.modules.DummyModule(4, 3, 2); dm.l3 = nn.Linear(2, 5); "
                        "list(dm.parameters()), shapes",
                        "every registered module's parameters, read from the registry at each call")


def test_dummy_module_parameters_can_be_read_twice():
    dm = modules.DummyModule(4, 3, 2)
    first, second = list(dm.parameters()), list(dm.parameters())
    expect_same_objects(second, first, "list(dm.parameters()) called a second time, shapes",
                        "each call gives a fresh iterator over all 4 parameters")


def test_dummy_module_call_is_l2_of_relu_of_l1():
    dm = modules.DummyModule(4, 3, 2)
    x = torch.randn(16, 4) * 3
    assert (dm.l1(x) < 0).any(), "the test's input must make ReLU matter"
    expected = dm.l2(F.relu(dm.l1(x)))
    call = "lesson9.modules.DummyModule(4, 3, 2)(x) with x of shape 16×4"
    expect_close(call_dummy(dm, x, call), expected, call, "dm.l2(F.relu(dm.l1(x)))")


def test_dummy_module_output_trains_every_parameter():
    dm = modules.DummyModule(4, 3, 2)
    call_dummy(dm, torch.randn(16, 4) * 3, "lesson9.modules.DummyModule(4, 3, 2)(x)").sum().backward()
    missing = [tuple(p.shape) for p in (dm.l1.weight, dm.l1.bias, dm.l2.weight, dm.l2.bias) if p.grad is None]
    if missing:
        fail(f"dm(x).sum().backward() with dm = lesson9.modules.DummyModule(4, 3, 2)\n"
             f"  left no gradient on the parameters of shapes {missing}\n"
             "  expected: every parameter of l1 and l2 gets a gradient (keep the forward pass in autograd)")


# --- SequentialModel ---------------------------------------------------------

def make_layers():
    return [nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4)]


def test_sequential_model_registers_its_layers_as_an_nn_module():
    layers = make_layers()
    model = modules.SequentialModel(layers)
    call = "list(lesson9.modules.SequentialModel([nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4)]).parameters()), shapes"
    if not isinstance(model, nn.Module):
        fail(f"{call}\n  the model is a {type(model).__name__}, expected an nn.Module")
    expect_same_objects(model.parameters(), [layers[0].weight, layers[0].bias, layers[2].weight, layers[2].bias],
                        call, "nn.ModuleList registers the layers, so nn.Module.parameters() finds theirs")


def test_sequential_model_applies_the_layers_in_order():
    layers = make_layers()
    model = modules.SequentialModel(layers)
    x = torch.randn(8, 4) * 3
    expected = layers[2](layers[1](layers[0](x)))
    expect_close(model(x), expected,
                 "lesson9.modules.SequentialModel([lin1, nn.ReLU(), lin2])(x) with x of shape 8×4",
                 "lin2(relu(lin1(x))): each layer in turn, first to last")


def test_sequential_model_accepts_any_iterable_of_layers():
    layers = make_layers()
    model = modules.SequentialModel(layer for layer in layers)
    x = torch.randn(8, 4) * 3
    expected = layers[2](layers[1](layers[0](x)))
    expect_close(model(x), expected,
                 "lesson9.modules.SequentialModel(a generator of [lin1, nn.ReLU(), lin2])(x)",
                 "lin2(relu(lin1(x))); nn.ModuleList(layers) takes any iterable, read once")


def test_sequential_model_train_and_eval_reach_every_layer():
    layers = make_layers()
    model = modules.SequentialModel(layers)
    model.eval()
    still_training = [type(layer).__name__ for layer in layers if layer.training]
    if still_training:
        fail("model.eval() on lesson9.modules.SequentialModel([lin1, nn.ReLU(), lin2])\n"
             f"  left these layers in training mode: {still_training}\n"
             "  expected: every layer switched, as registered sub-modules are")


# --- Optimizer ---------------------------------------------------------------

def model_with_grads(seed=1):
    torch.manual_seed(seed)
    model = nn.Linear(3, 2)
    model(torch.randn(5, 3)).pow(2).sum().backward()
    return model


def expected_after_steps(model, lr, n=1):
    return [(p - n * lr * p.grad).detach().clone() for p in model.parameters()]


def test_optimizer_step_moves_each_parameter_against_its_gradient():
    model = model_with_grads()
    expected = expected_after_steps(model, 0.1)
    opt = modules.Optimizer(list(model.parameters()), lr=0.1)
    opt.step()
    for name, p, e in zip(["weight", "bias"], model.parameters(), expected):
        expect_close(p, e, f"model.{name} after lesson9.modules.Optimizer(params, lr=0.1).step()",
                     "p -= p.grad * lr with the optimiser's own lr (not a global one, as the lecture's notebook "
                     "had it), changing the model's own parameters in place")


def test_optimizer_default_learning_rate_is_half():
    model = model_with_grads()
    expected = expected_after_steps(model, 0.5)
    opt = modules.Optimizer(list(model.parameters()))
    opt.step()
    for name, p, e in zip(["weight", "bias"], model.parameters(), expected):
        expect_close(p, e, f"model.{name} after lesson9.modules.Optimizer(params).step()",
                     "the default lr is 0.5: p -= p.grad * 0.5")


def test_optimizer_given_a_generator_still_updates_on_the_second_step():
    model = model_with_grads()
    expected = expected_after_steps(model, 0.5, n=2)
    opt = modules.Optimizer(model.parameters(), lr=0.5)  # a generator, as in the notebook
    opt.step()
    opt.step()  # the same gradients again
    for name, p, e in zip(["weight", "bias"], model.parameters(), expected):
        expect_close(p, e, f"model.{name} after opt = lesson9.modules.Optimizer(model.parameters(), lr=0.5); "
                     "opt.step(); opt.step()",
                     "two steps of p -= p.grad * lr; a generator is empty after one pass, so keep list(params)")


def test_optimizer_step_leaves_the_gradients_alone():
    model = model_with_grads()
    grads = [p.grad.clone() for p in model.parameters()]
    modules.Optimizer(list(model.parameters()), lr=0.1).step()
    for name, p, g in zip(["weight", "bias"], model.parameters(), grads):
        expect_close(p.grad, g, f"model.{name}.grad after lesson9.modules.Optimizer(params, lr=0.1).step()",
                     "step() only updates the parameters; clearing gradients is zero_grad()'s job")


def test_optimizer_step_builds_no_graph():
    model = model_with_grads()
    opt = modules.Optimizer(list(model.parameters()), lr=0.1)
    call = "lesson9.modules.Optimizer(list(model.parameters()), lr=0.1).step()"
    try:
        opt.step()
    except RuntimeError as e:
        if "in-place" not in str(e):
            raise
        fail(f"{call}\n  raised RuntimeError: {e}\n"
             "  expected: the update done under torch.no_grad(), where in-place changes to parameters are allowed")
    if not no_graph_left(model.parameters()):
        fail(f"{call}\n  left parameters with grad_fn {[p.grad_fn for p in model.parameters()]}\n"
             "  expected: leaf parameters that still require grad and have no grad_fn (update under torch.no_grad())")
    if not torch.is_grad_enabled():
        fail(f"{call}\n  left gradient recording switched off (torch.is_grad_enabled() is False)\n"
             "  expected: use `with torch.no_grad():`, which switches it back on afterwards")


def test_optimizer_trains_like_torch_sgd():
    torch.manual_seed(2)
    ours = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    theirs = copy.deepcopy(ours)
    opt = modules.Optimizer(ours.parameters(), lr=0.5)
    sgd = torch.optim.SGD(theirs.parameters(), lr=0.5)
    batches = [(torch.randn(8, 6), torch.randint(0, 3, (8,))) for _ in range(4)]
    for model, optimizer in [(ours, opt), (theirs, sgd)]:
        for xb, yb in batches:
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
            optimizer.zero_grad()
    for i, (p, q) in enumerate(zip(ours.parameters(), theirs.parameters())):
        expect_close(p, q, f"parameter {i} after 4 batches of backward, "
                     "lesson9.modules.Optimizer(lr=0.5).step(), .zero_grad()",
                     "the same 4 batches with torch.optim.SGD(lr=0.5)")


def test_zero_grad_clears_every_gradient():
    model = model_with_grads()
    opt = modules.Optimizer(list(model.parameters()))
    opt.zero_grad()
    for name, p in zip(["weight", "bias"], model.parameters()):
        if p.grad is not None and bool(p.grad.any()):
            mismatch(f"model.{name}.grad after lesson9.modules.Optimizer(params).zero_grad()", p.grad,
                     torch.zeros_like(p), "zeroed (setting it to None is fine too)")


def test_zero_grad_skips_parameters_without_a_gradient():
    used, unused = nn.Linear(3, 2), nn.Linear(3, 2)
    opt = modules.Optimizer([*used.parameters(), *unused.parameters()])
    call = "lesson9.modules.Optimizer(params).zero_grad()"
    for when in ["before any backward pass", "after a backward pass that used only some parameters"]:
        try:
            opt.zero_grad()
        except (AttributeError, TypeError) as e:
            fail(f"{call} {when}\n  raised {type(e).__name__}: {e}\n"
                 "  expected: parameters whose .grad is None are skipped")
        used(torch.randn(4, 3)).sum().backward()
    opt.zero_grad()
    if any(p.grad is not None and bool(p.grad.any()) for p in used.parameters()):
        fail(f"{call}\n  left non-zero gradients on the parameters that had one\n"
             "  expected: those zeroed (or set to None)")
