"""Spec of step 10: DeviceCallback and CudaCallback (spec/10_device.md).

The device logic is tested on the CPU with torch's 'meta' device, a second
device every machine has: tensors there have a shape and a dtype but no values.
The tests marked `cuda` train on a real GPU and skip where torch sees none.
"""
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from conftest import make_batches, make_learn
from loopkata.testing import expect_equal, fail, under_test

pytestmark = pytest.mark.step("device")
device = under_test("device")
runner = under_test("runner")


def watch_devices(learn):
    """Record the device of every input the model sees, and of every target the loss function sees."""
    seen = SimpleNamespace(inputs=[], targets=[])
    learn.model.register_forward_pre_hook(lambda module, args: seen.inputs.append(args[0].device.type))
    loss_func = learn.loss_func

    def watched_loss(pred, yb):
        seen.targets.append(yb.device.type)
        return loss_func(pred, yb)

    learn.loss_func = watched_loss
    return seen


def fit_on(cb, learn, epochs=1):
    """Fit `learn` with `cb` in the tree's Runner; a failure names the callback and the error."""
    __tracebackhide__ = True
    run = runner.Runner(cbs=[cb])
    error = None
    try:
        run.fit(epochs, learn)
    except NotImplementedError:
        raise
    except Exception as e:
        error = f"{type(e).__name__}: {e}"
    if error is not None:
        fail(f"Runner(cbs=[{type(cb).__name__}(...)]).fit({epochs}, learn) raised {error}\n"
             "  expected the model and every batch on the callback's device, so that they meet there")
    return run


def devices_of(model):
    return sorted({p.device.type for p in model.parameters()})


# --- DeviceCallback, on the CPU with torch's meta device ---------------------------------

@pytest.mark.parametrize("where", ["meta", torch.device("meta")], ids=["str", "torch.device"])
def test_fit_moves_the_model_to_the_device(where):
    learn = make_learn()
    fit_on(device.DeviceCallback(where), learn)
    expect_equal(devices_of(learn.model), ["meta"],
                 f"Runner(cbs=[DeviceCallback({where!r})]).fit(1, learn); the devices of the model's parameters",
                 "begin_fit moves the model to the device")


def test_model_sees_every_batch_on_the_device():
    learn = make_learn(n_train=3, n_valid=2)
    seen = watch_devices(learn)
    fit_on(device.DeviceCallback("meta"), learn)
    expect_equal(seen.inputs, ["meta"] * 5,
                 "Runner(cbs=[DeviceCallback('meta')]).fit(1, learn), 3 training and 2 validation batches; "
                 "the device of each input the model saw",
                 "begin_batch moves xb before the model sees it, in training and in validation")


def test_loss_sees_every_target_on_the_device():
    learn = make_learn(n_train=3, n_valid=2)
    seen = watch_devices(learn)
    fit_on(device.DeviceCallback("meta"), learn)
    expect_equal(seen.targets, ["meta"] * 5,
                 "Runner(cbs=[DeviceCallback('meta')]).fit(1, learn), 3 training and 2 validation batches; "
                 "the device of each target the loss function saw", "begin_batch moves yb too")


def test_begin_fit_moves_the_model():
    model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    fake = SimpleNamespace(model=model, learn=SimpleNamespace(model=model), in_train=False)
    cb = device.DeviceCallback("meta")
    cb.set_runner(fake)
    cb.begin_fit()
    expect_equal(devices_of(fake.learn.model), ["meta"],
                 "DeviceCallback('meta').begin_fit() on a runner holding a CPU model; "
                 "the devices of the model's parameters", "begin_fit moves the model to the device")


def test_begin_batch_puts_the_moved_batch_on_the_runner():
    (xb, yb), = make_batches(1, bs=4, n_in=6)
    fake = SimpleNamespace(xb=xb, yb=yb, in_train=True)
    cb = device.DeviceCallback("meta")
    cb.set_runner(fake)
    cb.begin_batch()
    got = [(t.device.type, tuple(t.shape), t.dtype) for t in (fake.xb, fake.yb)]
    want = [("meta", (4, 6), torch.float32), ("meta", (4,), torch.int64)]
    expect_equal(got, want, "DeviceCallback('meta').begin_batch() on a runner with CPU xb (4×6 float) and yb "
                            "(4 int64); (device, shape, dtype) of run.xb and run.yb afterwards",
                 "the runner's own xb and yb replaced by copies on the device: Tensor.to is not in place, and "
                 "setting self.xb on the callback leaves the runner's batch where it was")


def test_fit_on_the_device_keeps_the_events_going():
    learn = make_learn(n_train=3, n_valid=2)
    events = []

    class Probe(runner.Callback):
        _order = 5

        def after_loss(self):
            events.append((self.in_train, self.loss.device.type))

    run = runner.Runner(cbs=[device.DeviceCallback("meta"), Probe()])
    run.fit(2, learn)
    expect_equal(events, ([(True, "meta")] * 3 + [(False, "meta")] * 2) * 2,
                 "Runner(cbs=[DeviceCallback('meta'), probe]).fit(2, learn); (in_train, loss device) at each after_loss",
                 "every batch of both epochs runs, its loss computed on the device")


# --- CudaCallback, on any machine, with stand-ins that record where they were sent ---------

class Recording:
    """Stands in for a model or a tensor; .to(...) and .cuda(...) record their target device."""

    def __init__(self, label, log, where="cpu"):
        self.label, self.log, self.where = label, log, where

    def _move(self, target):
        try:
            target = torch.device(target)
        except (TypeError, RuntimeError):
            fail(f"{self.label}.to(...) was called with {target!r}; expected a device")
        if target.type == "cuda" and target.index is None:
            target = torch.device("cuda", 0)  # 'cuda' means the current GPU; the tests assume the first
        self.log.append((self.label, target))
        return self if self.label == "model" else Recording(self.label, self.log, target)

    def to(self, *args, **kwargs):
        target = kwargs.get("device", args[0] if args else None)
        if isinstance(target, torch.Tensor):
            target = target.device
        if isinstance(target, torch.dtype) or target is None:
            return self
        return self._move(target)

    def cuda(self, device=None, non_blocking=False):
        return self._move("cuda" if device is None else torch.device("cuda", device) if isinstance(device, int)
                          else device)

    def __repr__(self):
        return f"<{self.label} on {self.where}>"


def test_cuda_callback_is_named_cuda():
    expect_equal(device.CudaCallback().name, "cuda", "CudaCallback().name", "the Runner makes it reachable as run.cuda")


def test_cuda_callback_sends_the_model_to_cuda():
    log = []
    model = Recording("model", log)
    fake = SimpleNamespace(model=model, learn=SimpleNamespace(model=model), in_train=False)
    cb = device.CudaCallback()
    cb.set_runner(fake)
    cb.begin_fit()
    expect_equal(log, [("model", torch.device("cuda", 0))],
                 "CudaCallback().begin_fit() on a runner holding a stand-in model; where the model was sent",
                 "model.to('cuda') or model.cuda(), once")


def test_cuda_callback_sends_each_batch_to_cuda():
    log = []
    fake = SimpleNamespace(xb=Recording("xb", log), yb=Recording("yb", log), in_train=True)
    cb = device.CudaCallback()
    cb.set_runner(fake)
    cb.begin_batch()
    cuda = torch.device("cuda", 0)
    expect_equal(sorted(log, key=lambda item: item[0]), [("xb", cuda), ("yb", cuda)],
                 "CudaCallback().begin_batch() on a runner holding stand-in xb and yb; where each was sent",
                 "xb.to('cuda') (or .cuda()) and the same for yb")
    got = [getattr(fake.xb, "where", "cpu"), getattr(fake.yb, "where", "cpu")]
    expect_equal([str(w) for w in got], ["cuda:0", "cuda:0"],
                 "the same; where run.xb and run.yb are afterwards",
                 "the runner's xb and yb replaced by the moved copies")


def sent_to_cuda(monkeypatch, learn):
    """Make .to() and .cuda() of modules and tensors record a move to a cuda device and stay on the CPU.

    Returns the list of what was sent there, in order: 'model' for learn.model, ('xb', k) and
    ('yb', k) for the tensors of learn's k-th batch (training batches first, then validation).
    Moves to any other device go ahead as usual.
    """
    sent = []
    names = {id(learn.model): "model"}
    for k, (xb, yb) in enumerate(learn.data.train_dl + learn.data.valid_dl):
        names[id(xb)], names[id(yb)] = ("xb", k), ("yb", k)
    module_to, tensor_to = torch.nn.Module.to, torch.Tensor.to

    def to_cuda(original):
        def to(self, *args, **kwargs):
            target = torch._C._nn._parse_to(*args, **kwargs)[0]
            if target is None or target.type != "cuda":
                return original(self, *args, **kwargs)
            sent.append(names.get(id(self), type(self).__name__))
            return self
        return to

    def cuda(self, device=None, *args, **kwargs):
        sent.append(names.get(id(self), type(self).__name__))
        return self

    monkeypatch.setattr(torch.nn.Module, "to", to_cuda(module_to))
    monkeypatch.setattr(torch.Tensor, "to", to_cuda(tensor_to))
    monkeypatch.setattr(torch.nn.Module, "cuda", cuda)
    monkeypatch.setattr(torch.Tensor, "cuda", cuda)
    return sent


def test_cuda_callback_sends_the_model_and_every_batch_to_cuda_in_a_fit(monkeypatch):
    learn = make_learn(n_train=3, n_valid=2)
    sent = sent_to_cuda(monkeypatch, learn)
    fit_on(device.CudaCallback(), learn)
    batches = [sorted(item for item in sent if item != "model" and item[1] == k) for k in range(5)]
    expect_equal((sent.count("model"), batches), (1, [[("xb", k), ("yb", k)] for k in range(5)]),
                 "Runner(cbs=[CudaCallback()]).fit(1, learn), 3 training and 2 validation batches, with .to() and "
                 ".cuda() recording what is sent to a cuda device; (times the model was sent, what of each batch was)",
                 "the model once, at begin_fit; then xb and yb of every batch, at its begin_batch")


# --- on a real GPU ------------------------------------------------------------------------

def separable_learn(n_batches=8, bs=16):
    """A model that can learn: labels set by the sign of the first two inputs."""
    def batches(n):
        out = []
        for _ in range(n):
            x = torch.randn(bs, 6)
            out.append((x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long()))
        return out

    learn = make_learn(lr=0.5)
    learn.data.train_dl, learn.data.valid_dl = batches(n_batches), batches(2)
    return learn


def total_loss(learn, where):
    with torch.no_grad():
        return sum(F.cross_entropy(learn.model(xb.to(where)), yb.to(where)).item() for xb, yb in learn.data.valid_dl)


@pytest.mark.cuda
def test_cuda_fit_trains_on_the_gpu():
    learn = separable_learn()
    before = total_loss(learn, "cpu")
    seen = watch_devices(learn)
    fit_on(device.CudaCallback(), learn, epochs=5)
    expect_equal(devices_of(learn.model), ["cuda"], "Runner(cbs=[CudaCallback()]).fit(5, learn); the devices "
                                                     "of the model's parameters", "begin_fit moves the model to cuda")
    held = sorted({p.device.type for group in learn.opt.param_groups for p in group["params"]})
    expect_equal(held, ["cuda"], "the same fit; the devices of the parameters the optimiser updates",
                 "the model moved in place (nn.Module.to): the optimiser made before the fit still holds "
                 "its parameters")
    expect_equal(sorted(set(seen.inputs + seen.targets)), ["cuda"],
                 "the same fit; the devices of every xb the model saw and every yb the loss saw",
                 "begin_batch moves each batch to cuda")
    after = total_loss(learn, "cuda")
    if not after < before * 0.9:
        fail(f"Runner(cbs=[CudaCallback()]).fit(5, learn) on a learnable problem: validation loss {before:.4g} "
             f"before, {after:.4g} after\n  expected training on the GPU to reduce it")


@pytest.mark.cuda
def test_device_callback_trains_on_a_named_gpu():
    learn = separable_learn()
    seen = watch_devices(learn)
    fit_on(device.DeviceCallback(torch.device("cuda", 0)), learn)
    expect_equal(sorted(set(seen.inputs + seen.targets + devices_of(learn.model))), ["cuda"],
                 "Runner(cbs=[DeviceCallback(torch.device('cuda', 0))]).fit(1, learn); the devices of the "
                 "parameters and of every batch", "everything on the GPU")
