"""Checkpoints after a training run or an exact computation: one line when the figure is reached, a
CheckpointError (shown by IPython as one line, failing nbval) with what to change when it is not.
check_exact is introduced in 02_pixel_similarity, check_accuracy in 05_minibatches (used in 05-09)."""
import math

import torch


class CheckpointError(AssertionError):
    "A checkpoint was missed: nbval fails on it, and IPython shows only the friendly message."

    def _render_traceback_(self):
        return [f"✗ Checkpoint missed: {self}"]


def _as_accuracy(acc, what):
    "`acc` as a float between 0 and 1, or the CheckpointError that says what is wrong with it."
    if isinstance(acc, bool) or (isinstance(acc, torch.Tensor) and acc.dtype == torch.bool):
        return CheckpointError(f"{what} is {acc}, a yes/no value, not a fraction: pass the accuracy itself.")
    if isinstance(acc, torch.Tensor) and acc.numel() != 1:
        return CheckpointError(f"{what} should be one number, got a tensor of shape {tuple(acc.shape)}: "
                               "take the mean over the images (for example `.float().mean()`).")
    if isinstance(acc, (str, bytes)) or not hasattr(acc, "__float__"):
        return CheckpointError(f"{what} should be a number, got {type(acc).__name__}.")
    acc = float(acc)
    if acc != acc:  # NaN: the training diverged
        return CheckpointError(f"{what} is NaN: training diverged. Lower the learning rate, re-run the "
                               "setup cell (it seeds) and train again from freshly made parameters.")
    if acc in (float("inf"), float("-inf")):
        return CheckpointError(f"{what} is {acc}: not an accuracy. Training diverged or something divided by 0.")
    if 1 < acc <= 100:
        return CheckpointError(f"{what} is {acc:g}, more than 1: is it a percentage? Pass a fraction "
                               f"between 0 and 1 (here {acc / 100:g}).")
    if not 0 <= acc <= 1:
        more = " Is it a count of right answers? Divide it by the number of images." if acc > 1 else ""
        return CheckpointError(f"{what} is {acc:g}, but an accuracy lies between 0 and 1.{more}")
    return acc


def check_accuracy(acc, at_least, what="accuracy", seconds=None, n=None, advice=None):
    """Checkpoint after a training run (introduced in 05_minibatches; used in 05-09): says the expected
    figure was reached, in words that do not change from run to run (so nbval can compare them).
    If it falls short, raises CheckpointError saying how far off it is (in images too, when `n`, the
    number of images measured, is given) and what to change (`advice`, else a general hint); a seeded
    re-run on the same computer gives the same number again, so "re-run" is never the advice. Not a
    fraction between 0 and 1 (NaN, inf, a percentage, a count, a bool, a string) is an error too.
    `seconds` (the training time) is only recorded for `make bench`; it is not checked.
    Used in: 05_minibatches, 06_optimizer, 07_relu_net, 08_resnet18, 09_full_mnist."""
    got = _as_accuracy(acc, what)
    if isinstance(got, CheckpointError):
        _record(what, float("nan"), at_least)
        raise got
    _record(what, got, at_least)
    if seconds is not None:
        _record("training seconds", float(seconds))
    if got < at_least:
        short = at_least - got
        images = f", about {math.ceil(short * n - 1e-9)} of the {n:,} images" if n else ""
        raise CheckpointError(
            f"{what} {got:.4f} is below the expected {at_least}: {100 * short:.2f} percentage points short"
            f"{images}. Running it again gives the same number (the setup cell seeds every run), so change "
            f"something: {advice or 'train for more epochs, or try a somewhat lower or higher learning rate'}. "
            "If you trained twice in a row, make fresh parameters first (or Kernel → Restart and Run All).")
    print(f"✓ Checkpoint reached: {what} is at least {at_least}")


def _record(what, value, floor=None):
    """For `make bench` and `make sweep`: when $DIGITS_BENCH_FILE is set, append the figure reached
    (and the floor it was checked against) to it, one JSON line."""
    import json
    import os
    path = os.environ.get("DIGITS_BENCH_FILE")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"what": what, "value": value, "floor": floor}) + "\n")


def check_exact(got, expected, decimals=4, advice=None):
    """Checkpoint for figures that nothing random changes (introduced in 02_pixel_similarity): `got`
    and `expected` map names to numbers, compared at `decimals` places. Prints one line if they all
    match; else raises CheckpointError naming each figure that differs and what to check (`advice`).
    Used in: 02_pixel_similarity."""
    off = []
    for name, want in expected.items():
        value = got.get(name) if isinstance(got, dict) else None
        try:
            if isinstance(value, (str, bytes, bool)):
                raise TypeError
            value = float(value)
        except (TypeError, ValueError):
            off.append(f"{name} is {value!r}, not a number")
            continue
        if value != value or round(value, decimals) != round(want, decimals):
            off.append(f"{name} is {value:.{decimals}f}, expected {want:.{decimals}f}")
    shown = ", ".join(f"{name} {want:.{decimals}f}" for name, want in expected.items())
    if off:
        raise CheckpointError("; ".join(off) + ". Nothing here is random, so the figures must match exactly: "
                              + (advice or "check the cells above against the text before them") + ".")
    print(f"✓ Checkpoint reached: {shown}, exactly as expected")
