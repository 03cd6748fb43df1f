"""The classification loss, written out: logsumexp, log-softmax, nll, cross-entropy, accuracy."""
import torch
from torch import Tensor


def logsumexp(x: Tensor) -> Tensor:
    """Return log(sum(exp(x))) over the last dimension, shifting by each row's max first."""
    row_max = x.amax(dim=-1, keepdim=True).detach()  # the max's own gradient cancels out
    shifted_exponentials = torch.exp(x - row_max)
    log_of_sum = torch.log(shifted_exponentials.sum(dim=-1, keepdim=True))
    return (row_max + log_of_sum).squeeze(-1)


def log_softmax(x: Tensor) -> Tensor:
    """Return log(softmax(x)) over the last dimension, stable for large logits."""
    row_max = x.amax(dim=-1, keepdim=True).detach()
    shifted = x - row_max
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def nll(input: Tensor, target: Tensor) -> Tensor:
    """Return the mean over rows of -input[row, target[row]]."""
    picked_scores = torch.gather(input, dim=1, index=target.long().unsqueeze(1)).squeeze(1)
    return -picked_scores.mean()


def cross_entropy(input: Tensor, target: Tensor) -> Tensor:
    """Return nll(log_softmax(input), target)."""
    log_probabilities = log_softmax(input)
    return nll(log_probabilities, target)


def accuracy(out: Tensor, yb: Tensor) -> Tensor:
    """Return the fraction of rows whose highest score is at the target, as a 0-dim float tensor."""
    predicted_classes = torch.argmax(out, dim=-1)
    correct = torch.eq(predicted_classes, yb)
    return correct.to(torch.get_default_dtype()).mean()
