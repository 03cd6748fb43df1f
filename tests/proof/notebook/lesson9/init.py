"""Step 1 the way notebooks 02a and 02b have it.

The notebook works the fans out in cells rather than in a function (adapted
here as fan_in_fan_out), writes only a uniform fill, `kaiming2`, which fills
`w.data` and returns nothing, and for the normal fill calls PyTorch's own.
"""
import math

from torch.nn import init


def stats(x): return x.mean(), x.std()

def gain(a): return math.sqrt(2.0 / (1 + a**2))

# adapter: the notebook computes rec_fs, fan_in and fan_out in three cells
def fan_in_fan_out(w):
    nf, ni, *_ = w.shape
    rf = w[0, 0].numel()
    return ni*rf, nf*rf

# the notebook writes no normal fill: it calls torch.nn.init's
def kaiming_normal_(w, a=0., use_fan_out=False):
    return init.kaiming_normal_(w, a=a, mode='fan_out' if use_fan_out else 'fan_in')

# the notebook's kaiming2, under the kata's name
def kaiming_uniform_(w, a=0., use_fan_out=False):
    nf, ni, *_ = w.shape
    rf = w[0, 0].shape.numel()
    fan = nf*rf if use_fan_out else ni*rf
    bound = math.sqrt(3.) * gain(a) / math.sqrt(fan)
    w.data.uniform_(-bound, bound)
