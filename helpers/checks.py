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


def _same(a, b):
    "Whether two list items are equal (numbers compare by value, so 6 and 6.0 are the same)."
    try:
        return bool(a == b)
    except Exception:  # e.g. a tensor with several values: not one item of the expected kind
        return False


def check_list(got, expected, name="your answer", hint=""):
    """Compare a student's list with the expected one: says whether it is missing, not a list (and
    what it is instead), too long or too short, has the right items in another order, or which item
    is wrong, or that it is right. Introduced in 02_pixel_similarity (the list-comprehension exercise)."""
    if got is None:
        return _say(False, f"{name} is still None: replace it with your code and run the cell again.")
    if not isinstance(got, list):
        kind = type(got).__name__
        why = {"generator": "Round brackets ( ) make a generator; a list comprehension uses square brackets [ ].",
               "tuple": "Round brackets ( ) make a tuple; a list comprehension uses square brackets [ ].",
               "set": "Curly brackets { } make a set; a list comprehension uses square brackets [ ]."}
        return _say(False, f"{name} is a {kind}, not a list. "
                           + why.get(kind, "Write it as [expression for item in items if condition]."))
    if len(got) != len(expected):
        more = ("more: does it keep items it should leave out (the `if` part)?" if len(got) > len(expected)
                else "fewer: does it leave out items it should keep (the `if` part)?")
        return _say(False, f"{name} has {len(got)} items, expected {len(expected)}; that is {more} {hint}".rstrip())
    wrong = [i for i, (a, b) in enumerate(zip(got, expected)) if not _same(a, b)]
    if wrong:
        if sorted(map(repr, got)) == sorted(map(repr, expected)):
            return _say(False, f"{name} has the right items in another order: keep the order of the original list.")
        i = wrong[0]
        return _say(False, f"{name} has the right length, but {len(wrong)} of {len(expected)} items differ; "
                           f"the first is item {i}: got {got[i]!r}, expected {expected[i]!r}. {hint}".rstrip())
    return _say(True, f"Right! {name} is {got!r}.")


class CheckpointError(AssertionError):
    "A checkpoint was missed: nbval fails on it, and IPython shows only the friendly message."

    def _render_traceback_(self):
        return [f"✗ Checkpoint missed: {self}"]


def check_accuracy(acc, at_least, what="accuracy"):
    """Checkpoint after a training run (introduced in 05_minibatches): says the expected figure was
    reached (in words that do not change from run to run, so nbval can compare them); raises
    CheckpointError, with advice, if it falls short or is not a number."""
    try:
        acc = float(acc)
    except (TypeError, ValueError):
        raise CheckpointError(f"{what} should be a number, got {type(acc).__name__}.") from None
    if acc != acc:  # NaN: the training diverged
        raise CheckpointError(f"{what} is NaN: training diverged. Lower the learning rate, re-run the "
                              "setup cell (it seeds) and train again from freshly made parameters.")
    if acc < at_least:
        raise CheckpointError(f"{what} {acc:.4f} is below the expected {at_least}. Re-run the notebook from "
                              "the top (Kernel → Restart and Run All): the setup cell seeds every run, and "
                              "training twice without re-making the parameters changes the result.")
    print(f"✓ Checkpoint reached: {what} is at least {at_least}")
