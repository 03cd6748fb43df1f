"""Step 2: log-softmax, logsumexp, negative log-likelihood and accuracy (notebook 03).

Spec: spec/02_loss.md
"""
from torch import Tensor


def logsumexp(x: Tensor) -> Tensor:
    """Return log(sum(exp(x))) over the last dimension, stable for large inputs."""
    raise NotImplementedError("logsumexp: step 2 (loss), see spec/02_loss.md")


def log_softmax(x: Tensor) -> Tensor:
    """Return log(softmax(x)) over the last dimension, stable for large inputs."""
    raise NotImplementedError("log_softmax: step 2 (loss), see spec/02_loss.md")


def nll(input: Tensor, target: Tensor) -> Tensor:
    """Return the mean of -input[i, target[i]] over the batch."""
    raise NotImplementedError("nll: step 2 (loss), see spec/02_loss.md")


def cross_entropy(input: Tensor, target: Tensor) -> Tensor:
    """Return nll(log_softmax(input), target)."""
    raise NotImplementedError("cross_entropy: step 2 (loss), see spec/02_loss.md")


def accuracy(out: Tensor, yb: Tensor) -> Tensor:
    """Return the fraction of rows whose argmax is the target, as a 0-dim float tensor."""
    raise NotImplementedError("accuracy: step 2 (loss), see spec/02_loss.md")
