"""Spec of step 4: Dataset, Sampler, collate, DataLoader and get_dls (spec/04_data.md).

torch.utils.data is the oracle: the batches its DataLoader gives for the same
data and batch size, in order, are the batches the tree's loader must give.
"""
import math

import pytest
import torch
import torch.utils.data as tud
from hypothesis import given
from hypothesis import strategies as st

from conftest import expect_from_its_parts, off_limits
from loopkata.testing import expect_equal, fail, mismatch, show, under_test

pytestmark = pytest.mark.step("data")
data = under_test("data")

BAD_BATCH_SIZES = {"zero-or-negative": [0, -1], "not-an-int": [2.5, "3"]}
# torch's loader and collate, put off limits where the step asks for the tree's own
TORCH_LOADER = [(tud.DataLoader, method, "torch.utils.data.DataLoader")
                for method in ("__init__", "__iter__", "__len__")]
TORCH_COLLATE = [(module, "default_collate", "torch.utils.data.default_collate")
                 for module in (tud, tud.dataloader, tud._utils.collate)]


def toy_tensors(n, n_in=2):
    """Inputs whose first column is the row number, and labels equal to it: a batch shows which rows it holds."""
    x = torch.arange(n, dtype=torch.float32)[:, None].repeat(1, n_in)
    x[:, 1:] += torch.randn(n, n_in - 1)
    return x, torch.arange(n)


def sized(n):
    """A stand-in dataset for the Sampler, torch's own: the Sampler needs only its length."""
    return tud.TensorDataset(*toy_tensors(n))


def as_pair(batch, call):
    """Unpack a loader's batch into (xb, yb), failing with a readable message if it is not a pair."""
    __tracebackhide__ = True
    try:
        xb, yb = batch
    except (TypeError, ValueError):
        fail(f"{call} yielded {show(batch)}\n  expected a pair (xb, yb)")
    return xb, yb


def expect_same_index_batches(got, expected, call, why):
    __tracebackhide__ = True
    if len(got) != len(expected):
        mismatch(call, got, expected, f"{why}; {len(got)} batches, expected {len(expected)}")
    for k, (g, e) in enumerate(zip(got, expected)):
        expect_equal(g, e, f"{call}: batch {k}", why)


def expect_same_loader_batches(got, expected, call, why):
    """got and expected: lists of (xb, yb) batches, compared batch by batch and tensor by tensor."""
    __tracebackhide__ = True
    if len(got) != len(expected):
        fail(f"{call} gave {len(got)} batches\n  expected {len(expected)} ({why})")
    for k, (g, (ex, ey)) in enumerate(zip(got, expected)):
        gx, gy = as_pair(g, f"{call}: batch {k}")
        expect_equal(gx, ex, f"{call}: xb of batch {k}", why)
        expect_equal(gy, ey, f"{call}: yb of batch {k}", why)


def torch_batches(x, y, bs):
    """The batches torch's own DataLoader gives, in order, for the same data and batch size."""
    return [(xb, yb) for xb, yb in tud.DataLoader(tud.TensorDataset(x, y), batch_size=bs, shuffle=False)]


def expected_sizes(n, bs):
    return [bs] * (n // bs) + ([n % bs] if n % bs else [])


# ---------------------------------------------------------------- Dataset



def test_dataset_keeps_its_inputs_and_labels_as_x_and_y():
    x, y = torch.randn(5, 3), torch.arange(5)
    ds = data.Dataset(x, y)
    for name, want in (("x", x), ("y", y)):
        got = getattr(ds, name, None)
        if got is not want:
            fail(f"Dataset(x, y).{name} is {show(got)}; expected the very tensor passed as {name}\n"
                 "  (step 5's get_model reads the input width from data.train_ds.x)")


def test_dataset_len_is_the_number_of_rows():
    x, y = toy_tensors(7)
    expect_equal(len(data.Dataset(x, y)), 7, "len(Dataset(x, y)) with 7 rows", "one item per row of x")


@pytest.mark.parametrize("index", [3, slice(1, 5), torch.tensor([5, 0, 2])], ids=["int", "slice", "tensor"])
def test_dataset_item_is_the_pair_of_rows(index):
    x, y = toy_tensors(7)
    ds = data.Dataset(x, y)
    got = ds[index]
    call = f"Dataset(x, y)[{show(index)}]"
    gx, gy = as_pair(got, call)
    expect_equal(gx, x[index], f"{call}[0]", "the contract: ds[i] is (x[i], y[i])")
    expect_equal(gy, y[index], f"{call}[1]", "the contract: ds[i] is (x[i], y[i])")


# ---------------------------------------------------------------- Sampler


def test_sampler_notebook_example():
    got = list(data.Sampler(sized(10), 3))
    expected = [torch.tensor([0, 1, 2]), torch.tensor([3, 4, 5]), torch.tensor([6, 7, 8]), torch.tensor([9])]
    expect_same_index_batches(got, expected, "list(Sampler(ds of 10 items, 3))", "notebook 03's output")


@given(n=st.integers(1, 40), bs=st.integers(1, 45))
def test_sampler_in_order_matches_torch_batch_sampler(n, bs):
    got = list(data.Sampler(sized(n), bs))
    expected = [torch.tensor(b) for b in tud.BatchSampler(tud.SequentialSampler(range(n)), bs, drop_last=False)]
    expect_same_index_batches(got, expected, f"list(Sampler(ds of {n} items, {bs}))",
                              "BatchSampler(SequentialSampler(ds), bs, drop_last=False) gives these")


@given(n=st.integers(1, 40), bs=st.integers(1, 45), shuffle=st.booleans())
def test_sampler_yields_1d_int64_index_tensors(n, bs, shuffle):
    for k, idx in enumerate(data.Sampler(sized(n), bs, shuffle=shuffle)):
        call = f"Sampler(ds of {n} items, {bs}, shuffle={shuffle}): batch {k}"
        if not isinstance(idx, torch.Tensor) or idx.dim() != 1 or idx.dtype != torch.int64:
            fail(f"{call} is {show(idx)}\n  expected a 1-D tensor of dtype int64 (the contract), "
                 "e.g. a slice of torch.arange(n) or torch.randperm(n)")


@given(n=st.integers(1, 40), bs=st.integers(1, 45))
def test_sampler_shuffled_covers_every_index_once_in_batches_of_bs(n, bs):
    call = f"list(Sampler(ds of {n} items, {bs}, shuffle=True))"
    got = list(data.Sampler(sized(n), bs, shuffle=True))
    sizes = [len(idx) for idx in got]
    expect_equal(sizes, expected_sizes(n, bs), f"batch sizes of {call}",
                 "the contract: batches of bs, only the last may be shorter")
    seen = torch.cat([torch.as_tensor(idx) for idx in got]).sort().values
    expect_equal(seen, torch.arange(n), f"sorted indices of {call}", "every index of the dataset exactly once")


def test_sampler_with_shuffle_is_not_in_order():
    got = torch.cat(list(data.Sampler(sized(30), 4, shuffle=True)))
    if torch.equal(got, torch.arange(30)):
        fail("Sampler(ds of 30 items, 4, shuffle=True) gave the indices 0, 1, ..., 29 in order\n"
             "  expected a random permutation (the contract: shuffled with shuffle=True)")


def test_sampler_shuffles_anew_on_every_iteration():
    sampler = data.Sampler(sized(30), 4, shuffle=True)
    first = torch.cat(list(sampler))
    second = torch.cat(list(sampler))
    if torch.equal(first, second):
        fail("iterating the same Sampler(ds of 30 items, 4, shuffle=True) twice gave the same order twice:\n"
             f"  {show(first, 30)}\n"
             "  expected a new permutation on every iteration (each epoch sees the data in another order)")


def test_sampler_without_shuffle_gives_the_same_order_every_time():
    sampler = data.Sampler(sized(10), 3)
    first, second = list(sampler), list(sampler)
    expect_same_index_batches(second, first, "a second iteration of Sampler(ds of 10 items, 3)",
                              "the first iteration; without shuffle the order never changes")


@given(n=st.integers(1, 40), bs=st.integers(1, 45), shuffle=st.booleans())
def test_sampler_len_is_the_number_of_batches(n, bs, shuffle):
    sampler = data.Sampler(sized(n), bs, shuffle=shuffle)
    expect_equal(len(sampler), math.ceil(n / bs), f"len(Sampler(ds of {n} items, {bs}, shuffle={shuffle}))",
                 "the number of batches, a shorter last one included")
    expect_equal(len(list(sampler)), len(sampler), f"the number of batches Sampler(ds of {n} items, {bs}) yields",
                 "len(sampler)")


def sampler_refuses(bs):
    """None when Sampler(ds, bs), made and iterated, raises a ValueError; else what happened instead."""
    try:
        list(data.Sampler(sized(10), bs))
    except ValueError:
        return None
    except NotImplementedError:
        raise
    except Exception as e:  # reported by the caller, outside this except block, without a chained traceback
        return f"{type(e).__name__}: {e}"
    return "nothing"


@pytest.mark.parametrize("sizes", list(BAD_BATCH_SIZES.values()), ids=list(BAD_BATCH_SIZES))
def test_sampler_rejects_a_batch_size_that_is_not_a_positive_int(sizes):
    for bs in sizes:
        raised = sampler_refuses(bs)
        if raised is not None:
            fail(f"Sampler(ds of 10 items, {bs!r}) (then iterating it) raised {raised}\n"
                 "  expected a ValueError (the contract: bs must be a positive int, checked when the Sampler is "
                 "made; the notebook's Sampler takes any bs)")


# ---------------------------------------------------------------- collate


def test_collate_stacks_the_xs_and_the_ys():
    x, y = toy_tensors(6, n_in=3)
    b = [(x[i], y[i]) for i in [4, 1, 3]]
    got = data.collate(b)
    xs, ys = tud.default_collate(b)
    call = "collate([(x[4], y[4]), (x[1], y[1]), (x[3], y[3])])"
    gx, gy = as_pair(got, call)
    expect_equal(gx, xs, f"{call}[0]", "torch's default_collate on the same list: the xs stacked")
    expect_equal(gy, ys, f"{call}[1]", "torch's default_collate on the same list: the ys stacked")


def test_collate_does_not_call_torchs_default_collate(monkeypatch):
    x, y = toy_tensors(6, n_in=3)
    b = [(x[i], y[i]) for i in [4, 1, 3]]
    xs, ys = tud.default_collate(b)
    called = off_limits(monkeypatch, data.collate, TORCH_COLLATE)
    call = "collate([(x[4], y[4]), (x[1], y[1]), (x[3], y[3])])"
    got = expect_from_its_parts(lambda: data.collate(b), called, call,
                                "the pairs split with zip(*b), then the xs and the ys each stacked with torch.stack",
                                "spec/04_data.md")
    gx, gy = as_pair(got, call)
    expect_equal(gx, xs, f"{call}[0]", "the xs stacked")
    expect_equal(gy, ys, f"{call}[1]", "the ys stacked")


def test_collate_of_one_pair_keeps_the_batch_dimension():
    x, y = toy_tensors(6, n_in=3)
    gx, gy = as_pair(data.collate([(x[2], y[2])]), "collate([(x[2], y[2])])")
    expect_equal(tuple(gx.shape), (1, 3), "collate([(x[2], y[2])])[0].shape", "a batch of one row of 3 inputs")
    expect_equal(tuple(gy.shape), (1,), "collate([(x[2], y[2])])[1].shape", "a batch of one label")


# ---------------------------------------------------------------- DataLoader


def test_dataloader_follows_the_samplers_batches():
    x, y = toy_tensors(10)
    sampler = [torch.tensor([7, 2, 5]), torch.tensor([0]), torch.tensor([9, 1])]
    got = list(data.DataLoader(data.Dataset(x, y), sampler))
    expected = [(x[idx], y[idx]) for idx in sampler]
    expect_same_loader_batches(got, expected, "list(DataLoader(ds, sampler=[[7, 2, 5], [0], [9, 1]]))",
                               "ds[idx] for each batch of indices, in the sampler's order")


@given(n=st.integers(1, 30), bs=st.integers(1, 35))
def test_dataloader_with_ordered_sampler_matches_torch_dataloader(n, bs):
    x, y = toy_tensors(n)
    ds = data.Dataset(x, y)
    got = list(data.DataLoader(ds, data.Sampler(ds, bs)))
    expect_same_loader_batches(got, torch_batches(x, y, bs),
                               f"list(DataLoader(ds of {n} items, Sampler(ds, {bs})))",
                               f"torch.utils.data.DataLoader(TensorDataset(x, y), batch_size={bs}) on the same data")


def test_dataloader_len_is_the_samplers_len():
    x, y = toy_tensors(10)
    sampler = [torch.tensor([7, 2, 5]), torch.tensor([0]), torch.tensor([9, 1])]
    expect_equal(len(data.DataLoader(data.Dataset(x, y), sampler)), 3,
                 "len(DataLoader(ds of 10 items, sampler of 3 batches))", "the contract: len(loader) = len(sampler)")


def test_dataloader_dataset_is_the_dataset_given():
    x, y = toy_tensors(10)
    ds = data.Dataset(x, y)
    dl = data.DataLoader(ds, data.Sampler(ds, 3))
    if dl.dataset is not ds:
        fail(f"DataLoader(ds, sampler).dataset is {show(dl.dataset)}\n  expected ds itself "
             "(the contract; DataBunch.train_ds reads it)")


def test_dataloader_hands_collate_fn_a_list_of_pairs_and_yields_its_result():
    x, y = toy_tensors(10)
    ds = data.Dataset(x, y)
    sampler = [torch.tensor([7, 2, 5]), torch.tensor([0])]
    received = []

    def collate_fn(b):
        received.append(b)
        return f"batch {len(received)}"

    call = "list(DataLoader(ds, sampler=[[7, 2, 5], [0]], collate_fn=my_collate))"
    got = list(data.DataLoader(ds, sampler, collate_fn=collate_fn))
    expect_equal(got, ["batch 1", "batch 2"], call, "whatever collate_fn returns, once per batch")
    for b, idx in zip(received, sampler):
        what = f"{call}: the argument of my_collate for indices {idx.tolist()}"
        if not isinstance(b, (list, tuple)) or len(b) != len(idx):
            fail(f"{what} was {show(b)}\n  expected a list of {len(idx)} (x, y) pairs: [ds[i] for i in idx]")
        for pair, i in zip(b, idx.tolist()):
            px, py = as_pair(pair, f"{what}: item for index {i}")
            expect_equal(px, x[i], f"{what}: x of the item for index {i}", "ds[i] = (x[i], y[i])")
            expect_equal(py, y[i], f"{what}: y of the item for index {i}", "ds[i] = (x[i], y[i])")


def test_dataloader_can_be_iterated_more_than_once():
    x, y = toy_tensors(7)
    ds = data.Dataset(x, y)
    dl = data.DataLoader(ds, data.Sampler(ds, 3))
    list(dl)
    expect_same_loader_batches(list(dl), torch_batches(x, y, 3), "a second pass over DataLoader(ds of 7, Sampler(ds, 3))",
                               "a full pass again: every epoch iterates the loader anew")


def test_dataloader_does_not_use_torch_dataloader(monkeypatch):
    x, y = toy_tensors(7)
    ds = data.Dataset(x, y)
    expected = torch_batches(x, y, 3)
    called = off_limits(monkeypatch, data.DataLoader, TORCH_LOADER)
    call = "list(DataLoader(ds of 7 items, Sampler(ds, 3)))"
    got = expect_from_its_parts(lambda: list(data.DataLoader(ds, data.Sampler(ds, 3))), called, call,
                                "a loop over the sampler's batches of indices yielding "
                                "collate_fn([ds[i] for i in idx])", "spec/04_data.md")
    expect_same_loader_batches(got, expected, call, "the batches of torch's loader, in order")


# ---------------------------------------------------------------- get_dls


def loader_labels(dl, call):
    """The labels of every batch of a pass over dl (with toy_tensors, the row numbers)."""
    return [as_pair(batch, call)[1] for batch in dl]


def test_get_dls_training_loader_gives_batches_of_bs_covering_the_set():
    train_ds, valid_ds = data.Dataset(*toy_tensors(20)), data.Dataset(*toy_tensors(7))
    train_dl, _ = data.get_dls(train_ds, valid_ds, 3)
    call = "a pass over get_dls(train_ds of 20, valid_ds of 7, 3)[0]"
    labels = loader_labels(train_dl, call)
    expect_equal([len(yb) for yb in labels], expected_sizes(20, 3), f"batch sizes of {call}",
                 "batches of bs; only the last may be shorter")
    expect_equal(torch.cat(labels).sort().values, torch.arange(20), f"sorted labels of {call}",
                 "every training item exactly once")


def test_get_dls_training_loader_is_shuffled_anew_every_pass():
    train_ds, valid_ds = data.Dataset(*toy_tensors(20)), data.Dataset(*toy_tensors(7))
    train_dl, _ = data.get_dls(train_ds, valid_ds, 3)
    call = "a pass over get_dls(train_ds of 20, valid_ds of 7, 3)[0]"
    first, second = torch.cat(loader_labels(train_dl, call)), torch.cat(loader_labels(train_dl, call))
    if torch.equal(first, torch.arange(20)):
        fail(f"{call} gave the items in order 0, 1, ..., 19\n  expected a shuffled training loader (the contract)")
    if torch.equal(first, second):
        fail(f"two passes over get_dls(train_ds of 20, valid_ds of 7, 3)[0] gave the same order:\n  {show(first, 20)}\n"
             "  expected a new order on every pass (the training sampler shuffles on each iteration)")


def test_get_dls_validation_loader_is_in_order_with_twice_bs():
    valid_x, valid_y = toy_tensors(15)
    _, valid_dl = data.get_dls(data.Dataset(*toy_tensors(20)), data.Dataset(valid_x, valid_y), 3)
    expect_same_loader_batches(list(valid_dl), torch_batches(valid_x, valid_y, 6),
                               "a pass over get_dls(train_ds of 20, valid_ds of 15, 3)[1]",
                               "torch's DataLoader(valid_ds, batch_size=2*bs, shuffle=False): in order, batches of 2*bs")


def test_get_dls_does_not_use_torch_dataloader(monkeypatch):
    train_ds, valid_ds = data.Dataset(*toy_tensors(20)), data.Dataset(*toy_tensors(15))
    called = off_limits(monkeypatch, data.get_dls, TORCH_LOADER)
    call = "get_dls(train_ds of 20, valid_ds of 15, 3), then a pass over each loader"
    passes = expect_from_its_parts(lambda: [loader_labels(dl, call) for dl in data.get_dls(train_ds, valid_ds, 3)],
                                   called, call,
                                   "your own loaders: DataLoader(train_ds, Sampler(train_ds, bs, shuffle=True)) and "
                                   "DataLoader(valid_ds, Sampler(valid_ds, 2 * bs)); the notebook's get_dls makes "
                                   "PyTorch's", "spec/04_data.md")
    got = [torch.cat(labels).sort().values for labels in passes]
    expect_equal(len(got), 2, f"the number of loaders {call} gave", "a training and a validation loader")
    expect_equal(got[0], torch.arange(20), f"sorted labels of the training loader of {call}",
                 "every training item once")
    expect_equal(got[1], torch.arange(15), f"sorted labels of the validation loader of {call}",
                 "every validation item once")


def test_get_dls_passes_keyword_arguments_to_both_loaders():
    train_ds, valid_ds = data.Dataset(*toy_tensors(20)), data.Dataset(*toy_tensors(15))
    calls = []

    def collate_fn(b):
        calls.append(len(b))
        return "collated"

    train_dl, valid_dl = data.get_dls(train_ds, valid_ds, 3, collate_fn=collate_fn)
    call = "get_dls(train_ds of 20, valid_ds of 15, 3, collate_fn=my_collate)"
    expect_equal(list(train_dl), ["collated"] * 7, f"a pass over the training loader of {call}",
                 "my_collate's result for each of the 7 batches: keyword arguments go to both loaders")
    expect_equal(list(valid_dl), ["collated"] * 3, f"a pass over the validation loader of {call}",
                 "my_collate's result for each of the 3 batches: keyword arguments go to both loaders")
