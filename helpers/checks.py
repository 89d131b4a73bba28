"""Self-checks for the "Try it" exercises: a friendly, specific message instead of a traceback.

Introduced in 01_pixels. A check returns a Verdict, which shows itself as one line (✓ or ✗ and
what it found) and is true or false; it never raises, so "Run all" goes on past an exercise that
is not done yet.
"""
import torch


class Verdict:
    "The outcome of a check: true if right; shows as one friendly line."

    def __init__(self, ok, message):
        self.ok, self.message = bool(ok), ("✓ " if ok else "✗ ") + message

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return self.message


def _say(ok, msg):
    return Verdict(ok, msg)


def check_tensor(got, expected, name="your answer", hint=""):
    """Compare a student's tensor with the expected one: says whether it is missing, not a tensor,
    the wrong shape, the wrong kind of number, or has wrong values (and where), or right."""
    if got is None:
        return _say(False, f"{name} is still None: replace it with your code and run the cell again.")
    if not isinstance(got, torch.Tensor):
        return _say(False, f"{name} is a {type(got).__name__}, not a tensor. "
                           "Index into the tensor itself so the result stays a tensor.")
    if got.shape != expected.shape:
        more = ""
        if got.ndim != expected.ndim:
            more = f" It has {got.ndim} axes (rank {got.ndim}) but should have {expected.ndim}."
        elif sorted(got.shape) == sorted(expected.shape):
            more = " The same sizes in another order: are rows and columns swapped?"
        else:
            off = [i for i, (a, b) in enumerate(zip(got.shape, expected.shape)) if a != b]
            more = f" Axis {off[0]} has {got.shape[off[0]]} entries instead of {expected.shape[off[0]]}: " \
                   "remember that a slice a:b stops just before b."
        return _say(False, f"{name} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}.{more} {hint}".rstrip())
    if got.dtype.is_floating_point != expected.dtype.is_floating_point:
        kind = lambda t: "decimal (float)" if t.dtype.is_floating_point else "whole (integer)"
        return _say(False, f"{name} holds {kind(got)} numbers but should hold {kind(expected)} numbers.")
    same = torch.isclose(got.float(), expected.float(), atol=1e-6) if got.numel() else torch.ones(0, dtype=torch.bool)
    if not bool(same.all()):
        where = tuple(int(i) for i in (~same).nonzero()[0])
        return _say(False, f"{name} has the right shape, but {int((~same).sum())} of {got.numel()} values differ; "
                           f"the first at index {where}: got {got[where].item()}, expected {expected[where].item()}. {hint}".rstrip())
    return _say(True, f"Right! {name} has shape {tuple(got.shape)} and the expected values.")
