"""Dataset, Sampler, collate, DataLoader and get_dls, without torch.utils.data."""
import math
import numbers
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import Tensor


class Dataset:
    """Inputs `x` and labels `y`, read as pairs by an int, a slice or an index tensor."""

    def __init__(self, x: Tensor, y: Tensor):
        self.x = x
        self.y = y

    def __len__(self) -> int:
        return self.x.shape[0]

    def __getitem__(self, i) -> tuple[Tensor, Tensor]:
        return self.x[i], self.y[i]


def _checked_batch_size(bs) -> int:
    """Return `bs` as an int, or raise ValueError when it is not a positive whole number."""
    if isinstance(bs, bool) or not isinstance(bs, numbers.Integral):
        raise ValueError(f"Sampler: bs must be a positive int, not {bs!r} ({type(bs).__name__})")
    if bs <= 0:
        raise ValueError(f"Sampler: bs must be a positive int, not {bs!r}")
    return int(bs)


class Sampler:
    """Batches of int64 indices that cover the dataset once, shuffled afresh on each pass if asked."""

    def __init__(self, ds, bs: int, shuffle: bool = False):
        self.dataset_length: int = len(ds)
        self.batch_size: int = _checked_batch_size(bs)
        self.shuffle: bool = shuffle

    def __iter__(self) -> Iterator[Tensor]:
        if self.dataset_length == 0:
            return
        if self.shuffle:
            order = torch.randperm(self.dataset_length)
        else:
            order = torch.arange(self.dataset_length)
        # split cuts the whole order into views of batch_size, the last one shorter if need be
        for batch_indices in torch.split(order, self.batch_size):
            yield batch_indices

    def __len__(self) -> int:
        """The number of batches, a shorter last one included."""
        return math.ceil(self.dataset_length / self.batch_size)


def collate(b: Sequence[tuple[Tensor, Tensor]]) -> tuple[Tensor, Tensor]:
    """Stack the xs and the ys of a list of (x, y) pairs."""
    inputs = torch.stack([pair[0] for pair in b])
    targets = torch.stack([pair[1] for pair in b])
    return inputs, targets


class DataLoader:
    """Yields collate_fn([ds[i] for i in batch]) for every batch of indices of the sampler."""

    def __init__(self, ds, sampler: Sampler, collate_fn: Callable = collate):
        self.dataset = ds
        self.sampler = sampler
        self.collate_fn = collate_fn

    def _can_index_in_one_go(self) -> bool:
        # For our own Dataset and the default collate, ds[indices] gives exactly the stacked pairs.
        return self.collate_fn is collate and type(self.dataset).__getitem__ is Dataset.__getitem__

    def __len__(self) -> int:
        return len(self.sampler)

    def __iter__(self) -> Iterator:
        index_in_one_go = self._can_index_in_one_go()
        for batch_indices in self.sampler:
            if index_in_one_go:
                yield self.dataset[batch_indices]
            else:
                items = [self.dataset[index] for index in batch_indices]
                yield self.collate_fn(items)


def get_dls(train_ds, valid_ds, bs: int, **kwargs) -> tuple[DataLoader, DataLoader]:
    """Return a shuffled training loader of `bs` and an ordered validation loader of `2*bs`."""
    train_sampler = Sampler(train_ds, bs, shuffle=True)
    valid_sampler = Sampler(valid_ds, 2 * bs, shuffle=False)
    train_loader = DataLoader(train_ds, train_sampler, **kwargs)
    valid_loader = DataLoader(valid_ds, valid_sampler, **kwargs)
    return train_loader, valid_loader
