"""Spec of step 5: DataBunch, get_model, Learner and fit with a validation pass (spec/05_databunch.md).

The loaders here come from torch or are plain stand-ins (anything iterable with
a len and a .dataset), never from the tree's lesson9.data, so that this step is
judged on its own code. The oracle for fit is a hand-written SGD loop in torch
and the metrics of the whole validation set computed in one go.
"""
import copy
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
import torch.utils.data as tud
from torch import nn, optim

from loopkata.testing import expect_close, expect_equal, fail, show, under_test

pytestmark = pytest.mark.step("databunch")
databunch = under_test("databunch")

N_IN, C = 6, 3
# validation batches of one size, where only the per-sample average's own tests need a short last batch
EVEN = (3, 3, 3)


class ToyDataset(tud.TensorDataset):
    """A dataset as the lesson has it, made from torch's own: len, (x[i], y[i]), and the tensors as x and y."""

    @property
    def x(self):
        return self.tensors[0]

    @property
    def y(self):
        return self.tensors[1]

    def __repr__(self):
        return f"<a dataset of {len(self)} items>"


class ToyLoader:
    """Just enough of a data loader: fixed batches in a fixed order, a len and a .dataset."""

    def __init__(self, sizes, n_in=N_IN, c=C):
        self.batches = [(torch.randn(n, n_in), torch.randint(0, c, (n,))) for n in sizes]
        self.dataset = ToyDataset(torch.cat([xb for xb, _ in self.batches]), torch.cat([yb for _, yb in self.batches]))

    def __iter__(self):
        return iter(self.batches)

    def __len__(self):
        return len(self.batches)

    def __repr__(self):
        return f"<a loader of {len(self)} batches>"


def toy_data(train_sizes=(4, 4, 4), valid_sizes=(4, 4, 1), n_in=N_IN, c=C):
    """A DataBunch-shaped namespace built without the tree's DataBunch."""
    train_dl, valid_dl = ToyLoader(train_sizes, n_in, c), ToyLoader(valid_sizes, n_in, c)
    return SimpleNamespace(train_dl=train_dl, valid_dl=valid_dl, train_ds=train_dl.dataset,
                           valid_ds=valid_dl.dataset, c=c)


def toy_learn(data, lr=0.1, loss_func=F.cross_entropy, model=None):
    """A Learner-shaped namespace: model, opt, loss_func, data."""
    if model is None:
        model = nn.Sequential(nn.Linear(N_IN, 5), nn.ReLU(), nn.Linear(5, C))
    return SimpleNamespace(model=model, opt=optim.SGD(model.parameters(), lr=lr), loss_func=loss_func, data=data)


def whole_set_metrics(model, ds, loss_func=F.cross_entropy):
    """Loss and accuracy of the whole validation set in one go: the per-sample averages fit must return."""
    with torch.no_grad():
        out = model(ds.x)
        return loss_func(out, ds.y).item(), (out.argmax(dim=1) == ds.y).float().mean().item()


def train_by_hand(model, lr, batches, epochs):
    """Plain SGD, batch by batch, with the gradients zeroed after every step."""
    opt = optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        model.train()
        for xb, yb in batches:
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
            opt.zero_grad()


def run_fit(epochs, learn, call):
    """Call the tree's fit and unpack its (valid_loss, valid_acc), failing readably if it is not a pair."""
    __tracebackhide__ = True
    result = databunch.fit(epochs, learn)
    try:
        loss, acc = result
    except (TypeError, ValueError):
        fail(f"{call} returned {show(result)}\n  expected a pair (valid_loss, valid_acc)")
    return loss, acc


class ModeProbe(nn.Module):
    """Records, for every forward pass, the batch size, the training flag and whether autograd is on."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append((x.shape[0], self.training, torch.is_grad_enabled()))
        return x


def probed_fit(epochs=2):
    """fit on training batches of 4 rows and validation batches of 3 and 2 rows.

    Returns what the model saw, in order: ("train" or "valid", model.training, torch.is_grad_enabled()).
    """
    probe = ModeProbe()
    model = nn.Sequential(probe, nn.Linear(N_IN, 5), nn.ReLU(), nn.Linear(5, C))
    databunch.fit(epochs, toy_learn(toy_data(train_sizes=(4, 4), valid_sizes=(3, 2)), model=model))
    return [("train" if rows == 4 else "valid", training, grad) for rows, training, grad in probe.seen]


def seen_in(kind, epochs=2):
    """(model.training, torch.is_grad_enabled()) for every forward pass of one kind in a probed fit."""
    __tracebackhide__ = True
    seen = [(training, grad) for k, training, grad in probed_fit(epochs) if k == kind]
    if not seen:
        fail(f"fit({epochs}, learn) never ran the model on a {kind} batch")
    return seen


# ---------------------------------------------------------------- DataBunch


def test_databunch_keeps_the_loaders_and_c():
    train_dl, valid_dl = ToyLoader([4]), ToyLoader([2])
    data = databunch.DataBunch(train_dl, valid_dl, c=3)
    got = (data.train_dl, data.valid_dl, data.c)
    if got[0] is not train_dl or got[1] is not valid_dl or got[2] != 3:
        fail(f"DataBunch(train_dl, valid_dl, c=3) has (train_dl, valid_dl, c) = {show(got)}\n"
             "  expected the two loaders given, in that order, and c=3")


def test_databunch_c_defaults_to_none():
    data = databunch.DataBunch(ToyLoader([4]), ToyLoader([2]))
    if data.c is not None:
        fail(f"DataBunch(train_dl, valid_dl).c is {show(data.c)}\n  expected None (the contract: c=None by default)")


def test_databunch_datasets_are_the_loaders_datasets():
    train_dl, valid_dl = ToyLoader([4]), ToyLoader([2])
    data = databunch.DataBunch(train_dl, valid_dl, c=3)
    got = (data.train_ds, data.valid_ds)
    if got[0] is not train_dl.dataset or got[1] is not valid_dl.dataset:
        fail(f"DataBunch(train_dl, valid_dl).train_ds, .valid_ds are {show(got)}\n"
             f"  expected (train_dl.dataset, valid_dl.dataset) = {show((train_dl.dataset, valid_dl.dataset))}")


def test_databunch_datasets_follow_a_replaced_loader():
    data = databunch.DataBunch(ToyLoader([4]), ToyLoader([2]), c=3)
    new_train, new_valid = ToyLoader([5]), ToyLoader([1])
    data.train_dl, data.valid_dl = new_train, new_valid
    if data.train_ds is not new_train.dataset or data.valid_ds is not new_valid.dataset:
        fail("after data.train_dl, data.valid_dl = other loaders, data.train_ds and data.valid_ds are "
             f"{show((data.train_ds, data.valid_ds))}\n  expected the new loaders' datasets "
             f"{show((new_train.dataset, new_valid.dataset))}: train_ds and valid_ds are properties that read "
             "the loaders' .dataset")


def test_databunch_works_with_torch_dataloaders():
    train_ds = tud.TensorDataset(torch.randn(8, N_IN), torch.randint(0, C, (8,)))
    valid_ds = tud.TensorDataset(torch.randn(4, N_IN), torch.randint(0, C, (4,)))
    data = databunch.DataBunch(tud.DataLoader(train_ds, batch_size=4), tud.DataLoader(valid_ds, batch_size=8), c=C)
    if data.train_ds is not train_ds or data.valid_ds is not valid_ds:
        fail("DataBunch over two torch DataLoaders: train_ds and valid_ds are "
             f"{show((data.train_ds, data.valid_ds))}\n  expected the loaders' datasets")


# ---------------------------------------------------------------- get_model


def test_get_model_is_the_lessons_mlp():
    data = toy_data(train_sizes=(4, 3), n_in=5, c=4)
    model, _ = databunch.get_model(data, nh=9)
    call = "get_model(data with train_ds.x of shape 7×5 and c=4, nh=9)[0]"
    layers = list(model) if isinstance(model, nn.Sequential) else None
    kinds = [type(layer).__name__ for layer in layers or []]
    if layers is None or kinds != ["Linear", "ReLU", "Linear"]:
        fail(f"{call} is {show(model)}\n  expected nn.Sequential(nn.Linear(5, 9), nn.ReLU(), nn.Linear(9, 4))")
    shapes = [(layers[0].in_features, layers[0].out_features), (layers[2].in_features, layers[2].out_features)]
    expect_equal(shapes, [(5, 9), (9, 4)], f"(in_features, out_features) of the two Linear layers of {call}",
                 "Linear(m, nh) then Linear(nh, data.c), m being the width of data.train_ds.x (its shape[1])")


def test_get_model_defaults_to_50_hidden_units():
    model, _ = databunch.get_model(toy_data(n_in=5, c=4))
    expect_equal(model[0].out_features, 50, "get_model(data)[0][0].out_features", "the contract: nh=50 by default")


def test_get_model_optimiser_is_sgd_over_the_models_parameters():
    model, opt = databunch.get_model(toy_data(n_in=5, c=4), lr=0.3)
    call = "get_model(data, lr=0.3)"
    if not isinstance(opt, optim.SGD):
        fail(f"{call}[1] is {show(opt)}\n  expected a torch.optim.SGD")
    in_opt = [p for group in opt.param_groups for p in group["params"]]
    if {id(p) for p in in_opt} != {id(p) for p in model.parameters()} or len(in_opt) != len(list(model.parameters())):
        fail(f"{call}: the optimiser holds {len(in_opt)} tensors\n"
             f"  expected exactly the {len(list(model.parameters()))} parameters of the model it returns")
    expect_equal([group["lr"] for group in opt.param_groups], [0.3], f"the learning rates of {call}[1]", "lr=0.3")


def test_get_model_default_learning_rate_is_one_half():
    _, opt = databunch.get_model(toy_data(n_in=5, c=4))
    expect_equal([group["lr"] for group in opt.param_groups], [0.5], "the learning rates of get_model(data)[1]",
                 "the contract: lr=0.5 by default")


# ---------------------------------------------------------------- Learner


def test_learner_holds_model_opt_loss_func_and_data():
    data = toy_data()
    model = nn.Linear(N_IN, C)
    opt = optim.SGD(model.parameters(), lr=0.1)
    learn = databunch.Learner(model, opt, F.cross_entropy, data)
    got = (learn.model, learn.opt, learn.loss_func, learn.data)
    if any(g is not e for g, e in zip(got, (model, opt, F.cross_entropy, data))):
        fail(f"Learner(model, opt, loss_func, data) has (.model, .opt, .loss_func, .data) = {show(got)}\n"
             "  expected the four objects given, in that order")


# ---------------------------------------------------------------- fit


def test_fit_returns_two_python_floats():
    loss, acc = run_fit(1, toy_learn(toy_data()), "fit(1, learn)")
    for name, value in (("valid_loss", loss), ("valid_acc", acc)):
        if not isinstance(value, float):
            fail(f"fit(1, learn) returned {name} = {show(value)} ({type(value).__name__})\n"
                 "  expected a Python float (use .item(); the notebook's fit returns 0-dim tensors)")


def test_fit_validation_loss_is_averaged_over_samples():
    # lr=0 leaves the model as it is, so the whole validation set can be scored in one go
    valid = tud.TensorDataset(torch.randn(9, N_IN), torch.randint(0, C, (9,)))
    data = toy_data()
    data.valid_dl = tud.DataLoader(valid, batch_size=4)
    data.valid_ds = valid
    learn = toy_learn(data, lr=0.0)
    expected, _ = whole_set_metrics(learn.model, ToyDataset(*valid.tensors))
    loss, _ = run_fit(1, learn, "fit(1, learn)")
    expect_close(loss, expected, "fit(1, learn)[0] with validation batches of 4, 4 and 1 (and lr=0)",
                 "the loss over all 9 validation samples: each batch's mean loss weighted by its size, "
                 "so the last batch counts as 1 sample, not as a whole batch (as the notebook's tot_loss / nv has it)")


def test_fit_validation_accuracy_is_averaged_over_samples():
    valid = tud.TensorDataset(torch.randn(9, N_IN), torch.randint(0, C, (9,)))
    data = toy_data()
    data.valid_dl = tud.DataLoader(valid, batch_size=4)
    data.valid_ds = valid
    learn = toy_learn(data, lr=0.0)
    _, expected = whole_set_metrics(learn.model, ToyDataset(*valid.tensors))
    _, acc = run_fit(1, learn, "fit(1, learn)")
    expect_close(acc, expected, "fit(1, learn)[1] with validation batches of 4, 4 and 1 (and lr=0)",
                 "the accuracy over all 9 validation samples: each batch's accuracy weighted by its size, "
                 "not the notebook's tot_acc / nv")


def test_fit_uses_the_learners_loss_func():
    def double_cross_entropy(out, yb):
        return 2 * F.cross_entropy(out, yb)

    learn = toy_learn(toy_data(valid_sizes=EVEN), lr=0.0, loss_func=double_cross_entropy)
    expected, _ = whole_set_metrics(learn.model, learn.data.valid_ds, double_cross_entropy)
    loss, _ = run_fit(1, learn, "fit(1, learn) with learn.loss_func = 2 * cross_entropy")
    expect_close(loss, expected, "fit(1, learn)[0] with learn.loss_func = 2 * cross_entropy (and lr=0)",
                 "learn.loss_func over the whole validation set")


def test_fit_trains_with_the_learners_loss_func():
    def double_cross_entropy(out, yb):
        return 2 * F.cross_entropy(out, yb)

    # twice the loss at half the learning rate takes exactly the steps of plain cross_entropy at lr 0.5
    learn = toy_learn(toy_data(), lr=0.25, loss_func=double_cross_entropy)
    by_hand = copy.deepcopy(learn.model)
    databunch.fit(1, learn)
    train_by_hand(by_hand, 0.5, learn.data.train_dl.batches, epochs=1)
    for (name, got), expected in zip(learn.model.named_parameters(), by_hand.parameters()):
        expect_close(got, expected, f"model parameter {name} after fit(1, learn) with learn.loss_func = "
                     "2 * cross_entropy and SGD(lr=0.25)",
                     "the same steps as cross_entropy at lr 0.5: training must use learn.loss_func too")


def test_fit_trains_like_plain_sgd():
    learn = toy_learn(toy_data(train_sizes=(4, 4, 4, 2)), lr=0.5)
    by_hand = copy.deepcopy(learn.model)
    databunch.fit(2, learn)
    train_by_hand(by_hand, 0.5, learn.data.train_dl.batches, epochs=2)
    for (name, got), expected in zip(learn.model.named_parameters(), by_hand.parameters()):
        expect_close(got, expected, f"model parameter {name} after fit(2, learn) with SGD(lr=0.5) over 4 batches",
                     "a hand-written loop: per batch loss.backward(), opt.step(), opt.zero_grad(); "
                     "no step in validation. A difference here often means gradients were not zeroed "
                     "and piled up from batch to batch")


def test_fit_returns_the_last_epochs_validation():
    learn = toy_learn(toy_data(valid_sizes=EVEN), lr=0.5)
    loss, acc = run_fit(3, learn, "fit(3, learn)")
    expected = whole_set_metrics(learn.model, learn.data.valid_ds)
    expect_close(loss, expected[0], "fit(3, learn)[0] with SGD(lr=0.5)",
                 "the validation loss of the model as it is after the last epoch (totals start again every epoch)")
    expect_close(acc, expected[1], "fit(3, learn)[1] with SGD(lr=0.5)",
                 "the validation accuracy of the model as it is after the last epoch")


def test_fit_trains_and_validates_every_epoch():
    seen = probed_fit(epochs=3)
    kinds = [kind for kind, _, _ in seen]
    # each epoch: the two training batches once each, then the two validation batches (at least once each)
    epochs, k = 0, 0
    while k < len(kinds) and kinds[k : k + 2] == ["train", "train"] and kinds[k + 2 : k + 4] == ["valid", "valid"]:
        k += 4
        while k < len(kinds) and kinds[k] == "valid":
            k += 1
        epochs += 1
    if epochs != 3 or k != len(kinds):
        fail(f"fit(3, learn) with 2 training and 2 validation batches ran the model on, in order: {kinds}\n"
             "  expected three times: the 2 training batches, then the 2 validation batches "
             "(every epoch trains once over the training set, then validates)")


def test_fit_trains_in_train_mode():
    train = seen_in("train")
    if not all(training for training, _ in train):
        fail(f"fit(2, learn): model.training during the training batches was {[t for t, _ in train]}\n"
             "  expected True for every training batch of every epoch: call model.train() at the start of each epoch")


def test_fit_trains_with_gradients_enabled():
    train = seen_in("train")
    if not all(grad for _, grad in train):
        fail(f"fit(2, learn): torch.is_grad_enabled() during the training batches was {[g for _, g in train]}\n"
             "  expected True for every training batch: only the validation runs under torch.no_grad()")


def test_fit_validates_in_eval_mode():
    valid = seen_in("valid")
    if any(training for training, _ in valid):
        fail(f"fit(2, learn): model.training during the validation batches was {[t for t, _ in valid]}\n"
             "  expected False for every validation batch: call model.eval() before validating")


def test_fit_validates_without_gradients():
    valid = seen_in("valid")
    if any(grad for _, grad in valid):
        fail(f"fit(2, learn): torch.is_grad_enabled() during the validation batches was {[g for _, g in valid]}\n"
             "  expected False for every validation batch: validate inside `with torch.no_grad():`")
