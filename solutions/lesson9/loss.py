"""Step 2: log-softmax, logsumexp, negative log-likelihood and accuracy (notebook 03).

Spec: spec/02_loss.md
"""
from torch import Tensor

# BEGIN SOLUTION
import torch
# END SOLUTION


def logsumexp(x: Tensor) -> Tensor:
    """Return log(sum(exp(x))) over the last dimension, stable for large inputs."""
    # BEGIN SOLUTION
    m = x.max(dim=-1, keepdim=True).values
    # exp(x - m) never overflows: its largest term is exp(0) = 1
    return m.squeeze(-1) + (x - m).exp().sum(dim=-1).log()
    # END SOLUTION


def log_softmax(x: Tensor) -> Tensor:
    """Return log(softmax(x)) over the last dimension, stable for large inputs."""
    # BEGIN SOLUTION
    return x - logsumexp(x).unsqueeze(-1)
    # END SOLUTION


def nll(input: Tensor, target: Tensor) -> Tensor:
    """Return the mean of -input[i, target[i]] over the batch."""
    # BEGIN SOLUTION
    return -input[torch.arange(target.shape[0]), target].mean()
    # END SOLUTION


def cross_entropy(input: Tensor, target: Tensor) -> Tensor:
    """Return nll(log_softmax(input), target)."""
    # BEGIN SOLUTION
    return nll(log_softmax(input), target)
    # END SOLUTION


def accuracy(out: Tensor, yb: Tensor) -> Tensor:
    """Return the fraction of rows whose argmax is the target, as a 0-dim float tensor."""
    # BEGIN SOLUTION
    return (out.argmax(dim=-1) == yb).float().mean()
    # END SOLUTION
