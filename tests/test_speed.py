"""helpers/speed.py: the settings, the callback and wrapper that apply them, timing and choosing (tiny models)."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers import speed
from helpers.speed import Setting, Timing


def tiny_model():
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(4, 2))


def tiny_learner(setting=Setting(), n=64):
    from fastai.data.core import DataLoaders
    from fastai.learner import Learner
    torch.manual_seed(0)
    x, y = torch.rand(n, 3, 8, 8), torch.randint(0, 2, (n,))
    ds = list(zip(x, y))
    dls = DataLoaders.from_dsets(ds, ds[:16], bs=setting.bs, num_workers=0, device="cpu")
    return Learner(dls, tiny_model(), loss_func=F.cross_entropy, cbs=speed.callbacks(setting, "cpu"))


def test_settings_lack_bfloat16_where_it_is_not_fast(monkeypatch):
    monkeypatch.setattr(speed, "bf16_fast", lambda device: False)
    settings = speed.candidate_settings("cpu", batch_sizes=(64, 128))
    assert {s.dtype for s in settings} == {None}
    assert {(s.channels_last, s.bs) for s in settings} == {(False, 64), (True, 64), (False, 128), (True, 128)}


def test_settings_add_bfloat16_channels_last_where_it_is_fast(monkeypatch):
    monkeypatch.setattr(speed, "bf16_fast", lambda device: True)
    settings = speed.candidate_settings("cpu", batch_sizes=(96,))
    assert Setting(True, torch.bfloat16, 96) in settings and len(settings) == 3
    assert str(Setting(True, torch.bfloat16, 96)) == "bfloat16, channels-last, batch 96"


def test_bf16_fast_answers_a_bool_for_the_cpu():
    assert speed.bf16_fast("cpu") in (True, False)


def test_choose_picks_the_fastest_that_reaches_the_goal():
    a, b, c = Setting(bs=64), Setting(True, None, 128), Setting(True, torch.bfloat16, 256)
    timings = {a: Timing(20, 19, 21, 9), b: Timing(12, 11, 13, 9), c: Timing(8, 7, 9, 9)}
    assert speed.choose(timings) == c
    assert speed.choose(timings, reaches_goal=lambda s: s.bs <= 128) == b
    with pytest.raises(ValueError):
        speed.choose(timings, reaches_goal=lambda s: False)


def test_choose_keeps_the_baseline_unless_another_is_faster_beyond_the_noise():
    base, fast, noisy = Setting(bs=128), Setting(True, torch.bfloat16, 128), Setting(True, None, 128)
    assert speed.choose({base: Timing(20, 19, 21, 9), fast: Timing(12, 11, 13, 9)}, baseline=base) == fast
    assert speed.choose({base: Timing(20, 15, 25, 9), noisy: Timing(18, 12, 24, 9)}, baseline=base) == base


def test_wrapper_runs_under_autocast_and_hands_back_float32():
    seen = {}
    model = tiny_model()
    model[0].register_forward_hook(lambda m, i, o: seen.update(dtype=o.dtype))
    wrapped = speed.prepare(model, Setting(True, torch.bfloat16), "cpu")
    out = wrapped(torch.rand(2, 3, 8, 8))
    assert seen["dtype"] == torch.bfloat16 and out.dtype == torch.float32
    assert model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert speed.prepare(tiny_model(), Setting(), "cpu")[0].weight.is_contiguous()


def test_callbacks_put_a_fastai_learner_in_the_setting():
    seen = []
    learn = tiny_learner(Setting(True, torch.bfloat16, 16))
    learn.model[0].register_forward_hook(lambda m, i, o: seen.append(o.dtype) and None)
    with learn.no_bar(), learn.no_logging():
        learn.fit(1)
    assert seen and set(seen) == {torch.bfloat16}
    assert learn.model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert not torch.is_autocast_enabled("cpu")          # left again after every batch
    assert learn.recorder.values[-1][0] == learn.recorder.values[-1][0]   # the training loss is not NaN


def test_time_setting_scales_the_median_step_to_an_epoch():
    learn = tiny_learner(Setting(bs=8))
    t = speed.time_setting(learn, seconds=0.05, warmup=1)
    assert t.steps >= 1 and t.low <= t.per_epoch <= t.high and t.per_epoch > 0
    timings = speed.measure([Setting(bs=8), Setting(True, None, 16)], tiny_learner, seconds=0.05)
    assert set(timings) == {Setting(bs=8), Setting(True, None, 16)}
    speed.show(timings, chosen=speed.choose(timings))


def test_fastest_threads_keeps_the_fastest(monkeypatch):
    before = torch.get_num_threads()
    try:
        best = speed.fastest_threads(lambda: 1.0 / torch.get_num_threads(), counts=[1, 2])
        assert best == 2 and torch.get_num_threads() == 2
        assert speed.fastest_threads(lambda: float(torch.get_num_threads()), counts=[1, 2]) == 1
    finally:
        torch.set_num_threads(before)


# ---------------------------------------------------------------- fused_adam is fastai's Adam, computed faster
def bn_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(4, 2))


def steps_of(opt_func, model, learner=True, n=15, wd=None):
    """The parameters after `n` steps of `opt_func` on a copy of `model`, with the same made-up gradients
    and a changing momentum (as fit_one_cycle sets it); `learner`: made by a fastai Learner, which exempts
    batch-norm weights and biases from weight decay."""
    import copy
    from fastai.data.core import DataLoaders
    from fastai.learner import Learner
    model = copy.deepcopy(model)
    if learner:
        ds = [(torch.rand(3, 8, 8), 0)] * 4
        learn = Learner(DataLoaders.from_dsets(ds, ds, bs=2, device="cpu"), model, loss_func=F.cross_entropy,
                        opt_func=opt_func, lr=0.01)
        learn.create_opt()
        opt = learn.opt
    else:
        opt = opt_func([list(model.parameters())], lr=0.01)
    if wd is not None:
        opt.set_hyper("wd", wd)   # as Learner.fit(..., wd=wd) does
    g = torch.Generator().manual_seed(1)
    for i in range(n):
        for p in model.parameters():
            p.grad = torch.randn(p.shape, generator=g)
        opt.set_hyper("mom", 0.95 - 0.01 * i)
        opt.set_hyper("lr", 0.01 * (1 + i % 3))
        opt.step()
    return [p.detach() for p in model.parameters()]


def test_fused_adam_takes_the_steps_fastais_adam_takes_in_a_learner():
    from fastai.optimizer import Adam
    model = bn_model()
    ours, fastais = steps_of(speed.fused_adam, model), steps_of(Adam, model)
    for a, b, start in zip(ours, fastais, model.parameters()):
        assert not torch.equal(a, start.detach())                    # every parameter moved
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_a_weight_decay_given_to_fit_spares_batch_norm_and_biases_too():
    from fastai.optimizer import Adam
    model = bn_model()
    ours, fastais = steps_of(speed.fused_adam, model, wd=0.3), steps_of(Adam, model, wd=0.3)
    for a, b in zip(ours, fastais):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert not all(torch.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(ours, steps_of(Adam, model)))


def test_the_comparison_sees_weight_decay_on_batch_norm_and_biases():
    "fastai's Adam outside a Learner decays every parameter: the check above must tell that apart."
    from fastai.optimizer import Adam
    model = bn_model()
    ours, everywhere = steps_of(speed.fused_adam, model), steps_of(Adam, model, learner=False)
    differ = [a.ndim <= 1 and not torch.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(ours, everywhere)]
    assert any(differ)
    assert all(torch.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(ours, everywhere) if a.ndim > 1)


def test_fused_adam_takes_a_flat_list_or_groups_and_other_settings_change_it():
    from fastai.optimizer import Adam
    model = bn_model()
    params = list(model.parameters())
    flat, grouped = speed.fused_adam(params, lr=0.1), speed.fused_adam([params[:2], params[2:]], lr=0.1)
    assert sum(len(g["params"]) for g in flat.opt.param_groups) == len(params)
    assert sum(len(g["params"]) for g in grouped.opt.param_groups) == len(params)
    no_wd = steps_of(lambda ps, lr: speed.fused_adam(ps, lr, wd=0.0), model)
    other_eps = steps_of(lambda ps, lr: speed.fused_adam(ps, lr, eps=1e-8), model)
    fastais = steps_of(Adam, model)
    assert not all(torch.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(no_wd, fastais))
    assert not all(torch.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(other_eps, fastais))


def test_fused_adam_trains_a_learner_with_one_cycle():
    from fastai.callback.schedule import fit_one_cycle  # noqa: F401  (adds Learner.fit_one_cycle)
    learn = tiny_learner()
    learn.opt_func = speed.fused_adam
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(2, 1e-2)
    assert learn.opt.opt.defaults["fused"] is True       # PyTorch has a fused AdamW for the CPU
    assert len(learn.recorder.losses) == 2 * len(learn.dls.train)


def test_time_optimizer_times_a_step_and_leaves_the_model_alone():
    from fastai.optimizer import Adam
    model = bn_model()
    before = [p.detach().clone() for p in model.parameters()]
    ms = speed.time_optimizer(Adam, model, steps=5, warmup=1)
    assert 0 < ms < 1000
    assert all(torch.equal(a, p) for a, p in zip(before, model.parameters()))
    assert all(p.grad is None for p in model.parameters())


def test_time_optimizer_copies_the_parameters_to_the_device_it_is_given():
    seen = []

    class Recorder:   # an optimizer that only notes where its parameters are
        def __init__(self, groups, lr):
            seen.extend(p.device.type for group in groups for p in group)

        def step(self):
            pass
    model = bn_model()
    speed.time_optimizer(Recorder, model, torch.device("meta"), steps=1, warmup=0)
    assert seen and set(seen) == {"meta"}
    assert all(p.device.type == "cpu" for p in model.parameters())


def test_time_pass_times_a_forward_and_backward_pass():
    x = torch.randn(8, 3, 4, 4)
    conv = nn.Conv2d(3, 2, 3, padding=1)
    assert 0 < speed.time_pass(conv, x, repeats=3, warmup=1) < 1000
    assert conv.weight.grad is not None and not x.requires_grad   # the backward pass ran; x is untouched
    assert 0 < speed.time_pass(conv, x, dtype=torch.bfloat16, repeats=3, warmup=1) < 1000
