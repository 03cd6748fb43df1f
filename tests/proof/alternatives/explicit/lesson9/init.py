"""Initialisation helpers: statistics, the Kaiming gain, fans and the two Kaiming fills."""
import math

import torch
from torch import Tensor


def stats(x: Tensor) -> tuple[float, float]:
    """Return the mean and the (biased) standard deviation over every element of `x`, as floats."""
    variance, mean = torch.var_mean(x.detach(), correction=0)
    return mean.item(), math.sqrt(variance.item())


def gain(a: float) -> float:
    """Return the Kaiming gain for a leaky ReLU whose negative slope is `a`."""
    negative_slope_squared = a * a
    return math.sqrt(2.0 / (1.0 + negative_slope_squared))


def fan_in_fan_out(w: Tensor) -> tuple[int, int]:
    """Return (fan_in, fan_out) of a weight shaped (out, in) or (nf, ni, *kernel)."""
    shape = w.shape
    receptive_field_size = shape[2:].numel()  # the empty trailing shape of a Linear weight has numel 1
    number_of_inputs = shape[1]
    number_of_outputs = shape[0]
    return number_of_inputs * receptive_field_size, number_of_outputs * receptive_field_size


def _kaiming_std(w: Tensor, a: float, use_fan_out: bool) -> float:
    fan_in, fan_out = fan_in_fan_out(w)
    chosen_fan = fan_out if use_fan_out else fan_in
    return gain(a) / math.sqrt(chosen_fan)


def kaiming_normal_(w: Tensor, a: float = 0.0, use_fan_out: bool = False) -> Tensor:
    """Overwrite `w` with draws from N(0, gain(a)/sqrt(fan)) and return `w` itself."""
    standard_deviation = _kaiming_std(w, a, use_fan_out)
    draws = torch.randn(w.shape, dtype=w.dtype, device=w.device) * standard_deviation
    with torch.no_grad():
        w.copy_(draws)
    return w


def kaiming_uniform_(w: Tensor, a: float = 0.0, use_fan_out: bool = False) -> Tensor:
    """Overwrite `w` with draws from U(-bound, bound), bound = sqrt(3) * std, and return `w`."""
    bound = math.sqrt(3.0) * _kaiming_std(w, a, use_fan_out)
    unit_draws = torch.rand(w.shape, dtype=w.dtype, device=w.device)  # in [0, 1)
    with torch.no_grad():
        w.copy_(unit_draws * (2.0 * bound) - bound)
    return w
