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
