"""Step 4: Dataset, Sampler, collate and DataLoader (notebook 03).

Spec: spec/04_data.md
"""
from collections.abc import Callable, Iterator, Sequence

from torch import Tensor

# BEGIN SOLUTION
import operator

import torch
# END SOLUTION


class Dataset:
    """Pairs of (x[i], y[i]), indexable by an int, a slice or an index tensor."""

    def __init__(self, x: Tensor, y: Tensor):
        # BEGIN SOLUTION
        self.x, self.y = x, y
        # END SOLUTION

    def __len__(self) -> int:
        # BEGIN SOLUTION
        return len(self.x)
        # END SOLUTION

    def __getitem__(self, i) -> tuple[Tensor, Tensor]:
        # BEGIN SOLUTION
        return self.x[i], self.y[i]
        # END SOLUTION


class Sampler:
    """Batches of indices covering the dataset once, in order or freshly shuffled each pass."""

    def __init__(self, ds, bs: int, shuffle: bool = False):
        # BEGIN SOLUTION
        self.n, self.bs, self.shuffle = len(ds), _positive_int(bs), shuffle
        # END SOLUTION

    def __iter__(self) -> Iterator[Tensor]:
        # BEGIN SOLUTION
        # a new permutation on every pass, so every epoch sees another order
        idxs = torch.randperm(self.n) if self.shuffle else torch.arange(self.n)
        for i in range(0, self.n, self.bs):
            yield idxs[i : i + self.bs]
        # END SOLUTION

    def __len__(self) -> int:
        """The number of batches, counting a shorter last one."""
        # BEGIN SOLUTION
        return (self.n + self.bs - 1) // self.bs
        # END SOLUTION


# BEGIN SOLUTION
def _positive_int(bs) -> int:
    try:
        value = operator.index(bs)  # accepts ints and int-like scalars, refuses 2.5 and "3"
    except TypeError:
        raise ValueError(f"bs must be a positive int, got {bs!r}") from None
    if value < 1:
        raise ValueError(f"bs must be a positive int, got {bs!r}")
    return value
# END SOLUTION


def collate(b: Sequence[tuple[Tensor, Tensor]]) -> tuple[Tensor, Tensor]:
    """Turn a list of (x, y) pairs into (stacked xs, stacked ys)."""
    # BEGIN SOLUTION
    xs, ys = zip(*b)
    return torch.stack(xs), torch.stack(ys)
    # END SOLUTION


class DataLoader:
    """Yield collate_fn([ds[i] for i in idx]) for every batch of indices the sampler gives."""

    def __init__(self, ds, sampler: Sampler, collate_fn: Callable = collate):
        # BEGIN SOLUTION
        self.ds, self.sampler, self.collate_fn = ds, sampler, collate_fn
        # END SOLUTION

    @property
    def dataset(self):
        """The dataset this loader reads."""
        # BEGIN SOLUTION
        return self.ds
        # END SOLUTION

    def __len__(self) -> int:
        # BEGIN SOLUTION
        return len(self.sampler)
        # END SOLUTION

    def __iter__(self) -> Iterator:
        # BEGIN SOLUTION
        fast = self.collate_fn is collate and isinstance(self.ds, Dataset)
        for idx in self.sampler:
            if fast:  # one indexing call gives the same tensors as stacking the items one by one
                yield self.ds[idx]
            else:
                yield self.collate_fn([self.ds[i] for i in idx])
        # END SOLUTION


def get_dls(train_ds, valid_ds, bs: int, **kwargs) -> tuple[DataLoader, DataLoader]:
    """Return a shuffled training loader of `bs` and an ordered validation loader of `2*bs`."""
    # BEGIN SOLUTION
    return (
        DataLoader(train_ds, Sampler(train_ds, bs, shuffle=True), **kwargs),
        DataLoader(valid_ds, Sampler(valid_ds, bs * 2, shuffle=False), **kwargs),
    )
    # END SOLUTION
