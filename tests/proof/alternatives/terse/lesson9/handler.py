import torch

class Callback():
    def begin_fit(self, learn):
        self.learn = learn
        return True
    def after_fit(self): return True
    def begin_epoch(self, epoch):
        self.epoch=epoch
        return True
    def begin_validate(self): return True
    def after_epoch(self): return True
    def begin_batch(self, xb, yb):
        self.xb,self.yb = xb,yb
        return True
    def after_loss(self, loss):
        self.loss = loss
        return True
    def after_backward(self): return True
    def after_step(self): return True

class CallbackHandler():
    def __init__(self,cbs=None): self.cbs = cbs or []
    def _all(self, f, *args): return all([getattr(cb, f)(*args) for cb in self.cbs])

    def begin_fit(self, learn):
        self.learn,self.in_train = learn,True
        learn.stop = False
        return self._all('begin_fit', learn)
    def after_fit(self): return self._all('after_fit')
    def begin_epoch(self, epoch):
        self.learn.model.train()
        self.in_train=True
        return self._all('begin_epoch', epoch)
    def begin_validate(self):
        self.learn.model.eval()
        self.in_train=False
        return self._all('begin_validate')
    def after_epoch(self): return self._all('after_epoch')
    def begin_batch(self, xb, yb): return self._all('begin_batch', xb, yb)
    def after_loss(self, loss): return self._all('after_loss', loss) and self.in_train
    def after_backward(self): return self._all('after_backward')
    def after_step(self): return self._all('after_step')
    def do_stop(self):
        try:     return self.learn.stop
        finally: self.learn.stop = False

def one_batch(xb, yb, cb):
    if not cb.begin_batch(xb,yb): return
    loss = cb.learn.loss_func(cb.learn.model(xb), yb)
    if not cb.after_loss(loss): return
    loss.backward()
    if cb.after_backward(): cb.learn.opt.step()
    if cb.after_step(): cb.learn.opt.zero_grad()

def all_batches(dl, cb):
    for xb,yb in dl:
        one_batch(xb, yb, cb)
        if cb.do_stop(): return

def fit(epochs, learn, cb):
    if not cb.begin_fit(learn): return
    for epoch in range(epochs):
        if not cb.begin_epoch(epoch): continue
        all_batches(learn.data.train_dl, cb)
        if cb.begin_validate():
            with torch.no_grad(): all_batches(learn.data.valid_dl, cb)
        if cb.do_stop() or not cb.after_epoch(): break
    cb.after_fit()

class TestCallback(Callback):
    __test__ = False
    def begin_fit(self,learn):
        super().begin_fit(learn)
        self.n_iters = 0
        return True

    def after_step(self):
        self.n_iters += 1
        if self.n_iters>=10: self.learn.stop = True
        return True
