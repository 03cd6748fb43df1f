import random, torch

class Dataset():
    def __init__(self, x, y): self.x,self.y = x,y
    def __len__(self): return len(self.x)
    def __getitem__(self, i): return self.x[i],self.y[i]

class Sampler():
    def __init__(self, ds, bs, shuffle=False):
        if not isinstance(bs, int) or bs < 1: raise ValueError(f"bs must be a positive int, got {bs!r}")
        self.n,self.bs,self.shuffle = len(ds),bs,shuffle

    def __iter__(self):
        idxs = random.sample(range(self.n), self.n) if self.shuffle else list(range(self.n))
        for i in range(0, self.n, self.bs): yield torch.tensor(idxs[i:i+self.bs])

    def __len__(self): return -(-self.n // self.bs)

def collate(b): return list(map(torch.stack, zip(*b)))

class DataLoader():
    def __init__(self, ds, sampler, collate_fn=collate): self.ds,self.sampler,self.collate_fn = ds,sampler,collate_fn
    @property
    def dataset(self): return self.ds
    def __len__(self): return len(self.sampler)
    def __iter__(self):
        for s in self.sampler: yield self.collate_fn([self.ds[i] for i in s])

def get_dls(train_ds, valid_ds, bs, **kwargs):
    return (DataLoader(train_ds, Sampler(train_ds, bs, shuffle=True), **kwargs),
            DataLoader(valid_ds, Sampler(valid_ds, bs*2), **kwargs))
