"""Step 2 the way notebook 03 has it: its last log_softmax uses PyTorch's logsumexp,
and its own logsumexp lines the row maxes up with `m[:,None]`, for 2-D batches only."""
import torch


def logsumexp(x):
    m = x.max(-1)[0]
    return m + (x - m[:, None]).exp().sum(-1).log()

def log_softmax(x): return x - x.logsumexp(-1, keepdim=True)

def nll(input, target): return -input[range(target.shape[0]), target].mean()

# adapter: the notebook checks nll(log_softmax(pred), y) against F.cross_entropy without naming it
def cross_entropy(input, target): return nll(log_softmax(input), target)

def accuracy(out, yb): return (torch.argmax(out, dim=1) == yb).float().mean()
