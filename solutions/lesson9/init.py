"""Step 1: initialisation (notebooks 02a_why_sqrt5 and 02b_initializing).

Spec: spec/01_init.md
"""
from torch import Tensor

# BEGIN SOLUTION
import math

import torch
# END SOLUTION


def stats(x: Tensor) -> tuple[Tensor, Tensor]:
    """Return the mean and the standard deviation of `x`."""
    # BEGIN SOLUTION
    return x.mean(), x.std()
    # END SOLUTION


def gain(a: float) -> float:
    """Return the Kaiming gain for a leaky ReLU of negative slope `a`."""
    # BEGIN SOLUTION
    return math.sqrt(2.0 / (1 + a**2))
    # END SOLUTION


def fan_in_fan_out(w: Tensor) -> tuple[int, int]:
    """Return (fan_in, fan_out) of a Linear weight (out, in) or a conv weight (nf, ni, *kernel)."""
    # BEGIN SOLUTION
    nf, ni, *kernel = w.shape
    receptive_field = math.prod(kernel)  # 1 for a Linear weight, which has no kernel dims
    return ni * receptive_field, nf * receptive_field
    # END SOLUTION


def kaiming_normal_(w: Tensor, a: float = 0.0, use_fan_out: bool = False) -> Tensor:
    """Fill `w` in place from N(0, gain(a)/sqrt(fan)) and return it."""
    # BEGIN SOLUTION
    fan_in, fan_out = fan_in_fan_out(w)
    std = gain(a) / math.sqrt(fan_out if use_fan_out else fan_in)
    with torch.no_grad():  # w is usually a Parameter: in-place ops on it must not be recorded
        return w.normal_(0.0, std)
    # END SOLUTION


def kaiming_uniform_(w: Tensor, a: float = 0.0, use_fan_out: bool = False) -> Tensor:
    """Fill `w` in place from U(-bound, bound), bound = sqrt(3) * gain(a)/sqrt(fan), and return it."""
    # BEGIN SOLUTION
    fan_in, fan_out = fan_in_fan_out(w)
    std = gain(a) / math.sqrt(fan_out if use_fan_out else fan_in)
    bound = math.sqrt(3.0) * std  # U(-b, b) has standard deviation b / sqrt(3)
    with torch.no_grad():
        return w.uniform_(-bound, bound)
    # END SOLUTION
