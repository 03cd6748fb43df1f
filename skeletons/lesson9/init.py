"""Step 1: initialisation (notebooks 02a_why_sqrt5 and 02b_initializing).

Spec: spec/01_init.md
"""
from torch import Tensor


def stats(x: Tensor) -> tuple[Tensor, Tensor]:
    """Return the mean and the standard deviation of `x`."""
    raise NotImplementedError("stats: step 1 (init), see spec/01_init.md")


def gain(a: float) -> float:
    """Return the Kaiming gain for a leaky ReLU of negative slope `a`."""
    raise NotImplementedError("gain: step 1 (init), see spec/01_init.md")


def fan_in_fan_out(w: Tensor) -> tuple[int, int]:
    """Return (fan_in, fan_out) of a Linear weight (out, in) or a conv weight (nf, ni, *kernel)."""
    raise NotImplementedError("fan_in_fan_out: step 1 (init), see spec/01_init.md")


def kaiming_normal_(w: Tensor, a: float = 0.0, use_fan_out: bool = False) -> Tensor:
    """Fill `w` in place from N(0, gain(a)/sqrt(fan)) and return it."""
    raise NotImplementedError("kaiming_normal_: step 1 (init), see spec/01_init.md")


def kaiming_uniform_(w: Tensor, a: float = 0.0, use_fan_out: bool = False) -> Tensor:
    """Fill `w` in place from U(-bound, bound), bound = sqrt(3) * gain(a)/sqrt(fan), and return it."""
    raise NotImplementedError("kaiming_uniform_: step 1 (init), see spec/01_init.md")
