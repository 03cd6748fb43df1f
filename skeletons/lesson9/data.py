"""Step 4: Dataset, Sampler, collate and DataLoader (notebook 03).

Spec: spec/04_data.md
"""
from collections.abc import Callable, Iterator, Sequence

from torch import Tensor


class Dataset:
    """Pairs of (x[i], y[i]), indexable by an int, a slice or an index tensor."""

    def __init__(self, x: Tensor, y: Tensor):
        raise NotImplementedError("Dataset.__init__: step 4 (data), see spec/04_data.md")

    def __len__(self) -> int:
        raise NotImplementedError("Dataset.__len__: step 4 (data), see spec/04_data.md")

    def __getitem__(self, i) -> tuple[Tensor, Tensor]:
        raise NotImplementedError("Dataset.__getitem__: step 4 (data), see spec/04_data.md")


class Sampler:
    """Batches of indices covering the dataset once, in order or freshly shuffled each pass."""

    def __init__(self, ds, bs: int, shuffle: bool = False):
        raise NotImplementedError("Sampler.__init__: step 4 (data), see spec/04_data.md")

    def __iter__(self) -> Iterator[Tensor]:
        raise NotImplementedError("Sampler.__iter__: step 4 (data), see spec/04_data.md")

    def __len__(self) -> int:
        """The number of batches, counting a shorter last one."""
        raise NotImplementedError("Sampler.__len__: step 4 (data), see spec/04_data.md")


def collate(b: Sequence[tuple[Tensor, Tensor]]) -> tuple[Tensor, Tensor]:
    """Turn a list of (x, y) pairs into (stacked xs, stacked ys)."""
    raise NotImplementedError("collate: step 4 (data), see spec/04_data.md")


class DataLoader:
    """Yield collate_fn([ds[i] for i in idx]) for every batch of indices the sampler gives."""

    def __init__(self, ds, sampler: Sampler, collate_fn: Callable = collate):
        raise NotImplementedError("DataLoader.__init__: step 4 (data), see spec/04_data.md")

    @property
    def dataset(self):
        """The dataset this loader reads."""
        raise NotImplementedError("DataLoader.dataset: step 4 (data), see spec/04_data.md")

    def __len__(self) -> int:
        raise NotImplementedError("DataLoader.__len__: step 4 (data), see spec/04_data.md")

    def __iter__(self) -> Iterator:
        raise NotImplementedError("DataLoader.__iter__: step 4 (data), see spec/04_data.md")


def get_dls(train_ds, valid_ds, bs: int, **kwargs) -> tuple[DataLoader, DataLoader]:
    """Return a shuffled training loader of `bs` and an ordered validation loader of `2*bs`."""
    raise NotImplementedError("get_dls: step 4 (data), see spec/04_data.md")
