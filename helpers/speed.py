"""Measure how fast a model trains in each setting on this machine, and pick the fastest that does the job.

Introduced in 08_resnet18; reused in 09_full_mnist.

A *setting* changes how the arithmetic is done, not what the model learns: the memory layout of the
images (channels-first, PyTorch's default, or channels-last), the precision of the big matrix
products (float32, or bfloat16 / float16 under `torch.autocast`) and the batch size. Which one is
fastest depends on the processor, so the notebooks time them here rather than trust a rule. The
optimizer's arithmetic is one more such choice: `fused_adam` is fastai's Adam done in fewer, larger
operations, and `time_optimizer` times one optimizer against another. `time_pass` times one layer's forward
and backward pass (08 compares a convolution with helpers.padding's matrix product this way).
"""
import gc
import statistics
import time
from dataclasses import dataclass
from typing import NamedTuple, Optional

import torch
from torch import nn
from fastai.callback.core import Callback, CancelFitException
from fastai.callback.channelslast import ChannelsLast
from fastai.callback.fp16 import MixedPrecision
from fastai.optimizer import OptimWrapper


@dataclass(frozen=True)
class Setting:
    "One way to train: channels-last or not, the autocast precision (None: plain float32), the batch size."
    channels_last: bool = False
    dtype: Optional[torch.dtype] = None
    bs: int = 64

    def __str__(self):
        precision = {None: "float32", torch.bfloat16: "bfloat16", torch.float16: "float16"}[self.dtype]
        return f"{precision}, {'channels-last' if self.channels_last else 'channels-first'}, batch {self.bs}"


def bf16_fast(device) -> bool:
    """Whether `device` computes bfloat16 natively, so that autocast to it can pay off (08, 09).
    A GPU says so through `torch.cuda.is_bf16_supported`. For a CPU PyTorch has no public question
    (torch 2.14): `torch.cpu._is_avx512_bf16_supported` (AVX512-BF16 or AMX) is internal, so
    `getattr` falls back to "no" should a later version rename it.
    Used in: 08_resnet18, 09_full_mnist, 10_your_own_digits."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return bool(getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)())


def candidate_settings(device, batch_sizes=(64, 128)) -> list:
    """The settings worth timing on `device`, each batch size with each (08, 09): float32, float32 +
    channels-last, and autocast + channels-last where it can pay off: bfloat16 on a CPU that computes
    it natively; on a GPU bfloat16 where supported, else float16. Used in: 08_resnet18, 09_full_mnist."""
    device = torch.device(device)
    kinds = [(False, None), (True, None)]
    if device.type == "cuda":
        kinds.append((True, torch.bfloat16 if bf16_fast(device) else torch.float16))
    elif bf16_fast(device):
        kinds.append((True, torch.bfloat16))
    return [Setting(cl, dtype, bs) for bs in batch_sizes for cl, dtype in kinds]


# ---------------------------------------------------------------- putting a model in a setting
def _to_float(x):
    return x.float() if torch.is_tensor(x) and x.is_floating_point() else x


class Autocast(Callback):
    "fastai callback (08): the forward pass and the loss inside `torch.autocast` on the batch's device, CPU or GPU."
    order = 10  # where fastai's MixedPrecision sits

    def __init__(self, dtype=torch.bfloat16): self.dtype = dtype
    def before_batch(self):
        self.ctx = torch.autocast(self.x.device.type, dtype=self.dtype)
        self.ctx.__enter__()
    def after_pred(self): self.learn.pred = _to_float(self.pred)
    def after_loss(self): self.ctx.__exit__(None, None, None)


def callbacks(setting, device) -> list:
    """fastai callbacks that put a `Learner` in `setting` (08): fastai's own `ChannelsLast`; for the
    precision, fastai's `MixedPrecision` on a GPU (it autocasts CUDA only, with a gradient scaler for
    float16), and on a CPU our `Autocast` callback, which autocasts whatever device the batch is on.
    Used in: 08_resnet18, 10_your_own_digits."""
    cbs = [ChannelsLast()] if setting.channels_last else []
    if setting.dtype is not None:
        if torch.device(device).type == "cuda":
            cbs.append(MixedPrecision("bf16" if setting.dtype == torch.bfloat16 else "fp16"))
        else:
            cbs.append(Autocast(setting.dtype))
    return cbs


class InPrecision(nn.Module):
    "Runs `model` inside torch.autocast in `dtype` on the input's device; hands back float32 activations (09)."
    def __init__(self, model, dtype=torch.bfloat16):
        super().__init__()
        self.model, self.dtype = model, dtype

    def forward(self, x):
        with torch.autocast(x.device.type, dtype=self.dtype):
            return _to_float(self.model(x))


def prepare(model, setting, device) -> nn.Module:
    """`model` on `device` in `setting`'s memory layout, wrapped in `InPrecision` if it autocasts:
    for a training loop without callbacks, such as our own Learner of notebook 6 (09).
    Used in: 09_full_mnist, 10_your_own_digits."""
    fmt = torch.channels_last if setting.channels_last else torch.contiguous_format
    model = model.to(device, memory_format=fmt)
    return InPrecision(model, setting.dtype) if setting.dtype is not None else model


# ---------------------------------------------------------------- timing and choosing
class Timing(NamedTuple):
    "Seconds per epoch estimated from the median step; low and high from the quartiles of the steps."
    per_epoch: float
    low: float
    high: float
    steps: int


def _sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def time_setting(learn, seconds=2.0, warmup=3, min_steps=5) -> Timing:
    """Train fastai Learner `learn` (already in its setting) for `warmup` untimed steps, then for
    `seconds` and at least `min_steps` steps (or one epoch, if shorter); time every step, and scale the
    median step to one epoch of `learn.dls.train` (08, 09).
    The median ignores steps slowed down by other programs; the quartiles show how noisy it was.
    The model trains, so give it a throw-away copy. Used in: 08_resnet18, 09_full_mnist."""
    times = []

    class Clock(Callback):
        def before_batch(self):
            _sync(self.x.device)
            self.t = time.perf_counter()

        def after_batch(self):
            _sync(self.x.device)
            if self.iter >= warmup:
                times.append(time.perf_counter() - self.t)
            enough = sum(times) >= seconds and len(times) >= min_steps
            if enough or self.iter + 1 == self.n_iter:
                raise CancelFitException()

    with learn.no_bar(), learn.no_logging():
        learn.fit(1, cbs=[Clock()])
    q1, med, q3 = statistics.quantiles(times, n=4) if len(times) >= 2 else times * 3
    n = len(learn.dls.train)
    return Timing(med * n, q1 * n, q3 * n, len(times))


def measure(settings, make_learner, seconds=2.0) -> dict:
    """{setting: Timing} for each of `settings`, timing a fresh `make_learner(setting)` each time (08, 09).
    Used in: 08_resnet18, 09_full_mnist."""
    timings = {}
    for s in settings:
        timings[s] = time_setting(make_learner(s), seconds)
        gc.collect()   # a Learner refers to itself through its callbacks: free each before the next
    return timings


def choose(timings, reaches_goal=lambda setting: True, baseline=None):
    """The fastest setting (by median seconds per epoch) among those for which `reaches_goal(setting)`
    is true (08, 09). With a `baseline` (say plain float32), another setting wins only if it is faster
    beyond the noise: its slower quartile below the baseline's faster one. Raises ValueError if no
    setting reaches the goal. Used in: 08_resnet18, 09_full_mnist."""
    ok = {s: t for s, t in timings.items() if reaches_goal(s)}
    if not ok:
        raise ValueError("no setting reaches the goal: loosen the goal or add settings to try")
    best = min(ok, key=lambda s: ok[s].per_epoch)
    if baseline in ok and not ok[best].high < ok[baseline].low:
        return baseline
    return best


def fastest_threads(time_one, counts=None) -> int:
    """Time `time_one()` (seconds, smaller is better) with each thread count in `counts` (1, 2 and the
    default), leave PyTorch on the fastest and return it (09). On a busy machine two threads can be
    far slower than one, since each waits for the other at every operation. Used in: 08_resnet18, 09_full_mnist."""
    counts = sorted(set(counts or {1, 2, torch.get_num_threads()}))
    seconds = {}
    for n in counts:
        torch.set_num_threads(n)
        seconds[n] = time_one()
    best = min(seconds, key=seconds.get)
    torch.set_num_threads(best)
    return best


def show(timings, chosen=None):
    """Print the timings as a table, one row per setting, fastest first, the chosen one marked (08, 09).
    Used in: 08_resnet18, 09_full_mnist."""
    print(f"{'setting':40} {'s/epoch':>8} {'(middle half of the steps)':>28}")
    for s, t in sorted(timings.items(), key=lambda kv: kv[1].per_epoch):
        mark = "  ← chosen" if s == chosen else ""
        print(f"{str(s):40} {t.per_epoch:8.1f} {f'{t.low:.1f} to {t.high:.1f}':>28}{mark}")


# ---------------------------------------------------------------- the optimizer's arithmetic
def _flat(params) -> list:
    "The parameters of a fastai splitter's groups (a list of lists), or of a plain list, as one list."
    params = list(params)
    return params if not params or torch.is_tensor(params[0]) else [p for group in params for p in group]


class _NoDecayOn1D(OptimWrapper):
    "fastai's OptimWrapper that keeps weight decay off the group of 1-D parameters, whatever `wd` fit sets."
    def _set_hyper(self, k, v):
        super()._set_hyper(k, v)
        for group in self.opt.param_groups:
            if all(p.ndim <= 1 for p in group["params"]):
                group["weight_decay"] = 0.0


def fused_adam(params, lr, mom=0.9, sqr_mom=0.99, eps=1e-5, wd=0.01):
    """fastai's default optimizer, Adam with fastai's settings, computed by PyTorch's `AdamW(fused=True)`
    (08): the same update, done in one pass over each parameter tensor instead of several small operations
    one after another. Like fastai's Learner, it puts no weight decay on 1-D parameters (batch-norm
    weights and biases, the only 1-D parameters of the series' models), also when `fit` is given a `wd`.
    A fastai `opt_func`: the Learner calls it with its parameter groups and learning rate, and
    `fit_one_cycle` schedules `lr` and `mom` through fastai's `OptimWrapper`. The parameters are regrouped
    (with and without weight decay), so a `slice` of learning rates for the body and the head would not
    mean what it says; the series never uses one. Where PyTorch has no fused AdamW for the device, its
    default one. Used in: 08_resnet18, 10_your_own_digits."""
    ps = _flat(params)
    groups = [{"params": [p for p in ps if p.ndim > 1], "weight_decay": wd},
              {"params": [p for p in ps if p.ndim <= 1], "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    settings = dict(lr=lr, betas=(mom, sqr_mom), eps=eps)
    try:
        opt = torch.optim.AdamW(groups, fused=True, **settings)
    except RuntimeError:   # no fused kernel for these parameters' device or dtype
        opt = torch.optim.AdamW(groups, **settings)
    return _NoDecayOn1D(opt=opt)


def time_optimizer(opt_func, model, device=None, steps=20, warmup=3) -> float:
    """Median milliseconds of one step of the optimizer `opt_func` makes, over a copy of `model`'s
    parameters (on `device`, if given, where training will run) with made-up gradients (08): the
    optimizer's own cost, apart from the forward and backward passes. `model` itself is not changed.
    Used in: 08_resnet18."""
    params = [p.detach().to(device).clone().requires_grad_() for p in model.parameters()]
    for p in params:
        p.grad = torch.randn_like(p) * 1e-3
    opt = opt_func([params], lr=1e-3)
    return _median_ms(opt.step, params[0].device, steps, warmup)


def _median_ms(run, device, repeats, warmup) -> float:
    "Median milliseconds of `run()` over `repeats` calls after `warmup` untimed ones, waiting for `device` each time."
    times = []
    for i in range(warmup + repeats):
        _sync(device)
        start = time.perf_counter()
        run()
        _sync(device)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


# ---------------------------------------------------------------- one layer's pass
def time_pass(compute, x, dtype=None, repeats=10, warmup=2) -> float:
    """Median milliseconds of one forward and backward pass of `compute(x)` (08): a copy of `x` that
    takes gradients, `compute` inside `torch.autocast` to `dtype` if one is given, then the backward
    pass of the outputs' sum (which adds to the `.grad` of any parameters `compute` uses, as training
    would). Used in: 08_resnet18."""
    x = x.detach().clone().requires_grad_()

    def one_pass():
        with torch.autocast(x.device.type, dtype=dtype, enabled=dtype is not None):
            out = compute(x)
        out.float().sum().backward()
    return _median_ms(one_pass, x.device, repeats, warmup)
