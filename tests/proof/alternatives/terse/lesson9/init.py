import math
from torch.nn import init

def stats(x): return x.mean(),x.std()
def gain(a): return math.sqrt(2.0 / (1 + a**2))

def fan_in_fan_out(w):
    rec_fs = w[0][0].numel()
    return w.shape[1]*rec_fs, w.shape[0]*rec_fs

def _std(w, a, use_fan_out): return gain(a) / math.sqrt(fan_in_fan_out(w)[bool(use_fan_out)])

def kaiming_normal_(w, a=0., use_fan_out=False): return init.normal_(w, 0., _std(w, a, use_fan_out))

def kaiming_uniform_(w, a=0., use_fan_out=False):
    b = math.sqrt(3.) * _std(w, a, use_fan_out)
    return init.uniform_(w, -b, b)
