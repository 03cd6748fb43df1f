"""The MNIST loaders: the shipped subset and the course's own mnist.pkl.gz."""
import gzip
import pickle

import numpy as np
import pytest
import torch

from loopkata.kata import mnist


def test_the_shipped_subset_has_the_courses_layout():
    x_train, y_train, x_valid, y_valid = mnist.get_data()
    assert x_train.shape == (4000, 784) and x_valid.shape == (1000, 784)
    assert x_train.dtype == torch.float32 and y_train.dtype == torch.int64
    assert 0.0 <= float(x_train.min()) and float(x_train.max()) == 1.0
    assert y_train.bincount().tolist() == [400] * 10
    assert y_valid.bincount().tolist() == [100] * 10


def test_the_subset_round_trips_through_its_format(tmp_path):
    x = torch.randint(0, 256, (3, 784), dtype=torch.uint8)
    y = torch.tensor([1, 2, 3], dtype=torch.uint8)
    path = tmp_path / "tiny.bin.gz"
    mnist.write_subset(path, x, y, x[:1], y[:1])
    x_train, y_train, x_valid, y_valid = mnist.load_subset(path)
    assert torch.equal(x_train, x.float() / 255) and y_train.tolist() == [1, 2, 3]
    assert x_valid.shape == (1, 784) and y_valid.tolist() == [1]


def test_a_truncated_subset_file_is_refused(tmp_path):
    path = tmp_path / "cut.bin.gz"
    with gzip.open(path, "wb") as f:
        f.write(mnist.MAGIC + (2).to_bytes(4, "little") + (1).to_bytes(4, "little") + b"\0" * 10)
    with pytest.raises(ValueError, match="truncated"):
        mnist.load_subset(path)


def test_a_file_of_another_format_is_refused(tmp_path):
    path = tmp_path / "other.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"something else entirely")
    with pytest.raises(ValueError, match="not a loopkata MNIST subset"):
        mnist.load_subset(path)


def write_course_pickle(path, n_train=5, n_valid=3):
    """A tiny file in the format of the course's mnist.pkl.gz (numpy arrays, pickled, gzipped)."""
    rng = np.random.default_rng(0)
    split = lambda n: (rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64))
    with gzip.open(path, "wb") as f:
        pickle.dump((split(n_train), split(n_valid), split(2)), f, protocol=2)


def test_the_courses_pickle_is_read_as_tensors(tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    write_course_pickle(path)
    x_train, y_train, x_valid, y_valid = mnist.get_data(path)
    assert isinstance(x_train, torch.Tensor) and x_train.shape == (5, 784) and x_train.dtype == torch.float32
    assert y_train.shape == (5,) and y_train.dtype == torch.int64
    assert x_valid.shape == (3, 784) and y_valid.shape == (3,)


def test_a_pickle_holding_anything_but_arrays_is_refused(tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    with gzip.open(path, "wb") as f:
        pickle.dump(((pickle.loads, None), (None, None), (None, None)), f)
    with pytest.raises(pickle.UnpicklingError, match="unexpected object"):
        mnist.get_data(path)
