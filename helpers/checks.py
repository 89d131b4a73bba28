"""Self-checks for the "Try it" exercises: a friendly, specific message instead of a traceback.

Introduced in 01_pixels. Here: the comparators (a tensor, a list, a list of pairs). Every notebook
imports its checks from this module, which gathers them from where they live: checkpoint.py
(check_accuracy, check_exact), exercise_checks.py (ReLU, error rate, grid) and loop_checks.py
(training loops). A check returns a Verdict, which shows itself as one line (✓ or ✗ and
what it found) and is true or false; it never raises, so "Run all" goes on past an exercise that
is not done yet.
"""
import torch

from .checkpoint import CheckpointError, check_accuracy, check_exact  # noqa: F401 (gathered here)
from .exercise_checks import _changed_in_place, check_error_rate, check_grid, check_relu, check_relu_function  # noqa: F401
from .loop_checks import _sgd_loss, check_learner, check_sgd_step, check_train_epoch  # noqa: F401
from .verdict import Verdict, _not_a_list, _say, _still_none  # noqa: F401
from .solutions import exercise, show_solution  # noqa: F401 (show_solution: gathered here)


@exercise("answer")
def check_tensor(got, expected, name="your answer", hint=""):
    """Compare a student's tensor with the expected one: says whether it is missing, not a tensor,
    the wrong shape, the wrong kind of number, or has wrong values (and where), or right. Used in: 01_pixels."""
    if got is None:
        return _still_none(name)
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
        return _say(False, f"{name} has shape {tuple(got.shape)}, expected {tuple(expected.shape)}.{more} "
                           f"{hint}".rstrip())
    if got.dtype.is_floating_point != expected.dtype.is_floating_point:
        def kind(t):
            return "decimal (float)" if t.dtype.is_floating_point else "whole (integer)"
        return _say(False, f"{name} holds {kind(got)} numbers but should hold {kind(expected)} numbers.")
    same = torch.isclose(got.float(), expected.float(), atol=1e-6) if got.numel() else torch.ones(0, dtype=torch.bool)
    if not bool(same.all()):
        where = tuple(int(i) for i in (~same).nonzero()[0])
        return _say(False, f"{name} has the right shape, but {int((~same).sum())} of {got.numel()} values differ; "
                           f"the first at index {where}: got {got[where].item()}, expected {expected[where].item()}. "
                           f"{hint}".rstrip())
    return _say(True, f"Right! {name} has shape {tuple(got.shape)} and the expected values.")


def _same(a, b):
    "Whether two list items are equal (numbers compare by value, so 6 and 6.0 are the same)."
    try:
        return bool(a == b)
    except Exception:  # e.g. a tensor with several values: not one item of the expected kind
        return False


@exercise("answer")
def check_list(got, expected, name="your answer", hint=""):
    """Compare a student's list with the expected one: says whether it is missing, not a list (and
    what it is instead), too long or too short, has the right items in another order, or which item
    is wrong, or that it is right. Introduced in 02_pixel_similarity (the list-comprehension exercise).
    Used in: 02_pixel_similarity, 11_review."""
    if got is None:
        return _still_none(name)
    if not isinstance(got, list):
        return _not_a_list(name, got, {
            "generator": "Round brackets ( ) make a generator; a list comprehension uses square brackets [ ].",
            "tuple": "Round brackets ( ) make a tuple; a list comprehension uses square brackets [ ].",
            "set": "Curly brackets { } make a set; a list comprehension uses square brackets [ ]."},
            "Write it as [expression for item in items if condition].")
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


def check_pairs(got, expected, name="pairs"):
    """Compare a student's list of (x, y) tuples with the expected one: says whether it is missing, a
    zip object or another kind of thing instead of a list, the wrong length, holds items that are not
    2-tuples, has the parts of each tuple the wrong way round, or which pair is wrong; or that it is
    right. Introduced in 04_mnist_loss (the `zip` exercise)."""
    if got is None:
        return _still_none(name)
    if not isinstance(got, list):
        return _not_a_list(name, got, {
            "zip": "zip hands out its pairs one at a time, only when asked; wrap it in list(...) to get them all.",
            "dict": "dict(...) keeps one value per key, not a list of pairs; use list(zip(...)).",
            "tuple": "That is a tuple of pairs; use list(zip(...)) to make a list of them."},
            "Make it with list(zip(...)).")
    if len(got) != len(expected):
        more = ("zip makes one pair per position, and stops at the end of the shorter input"
                if len(got) < len(expected) else "zip makes exactly one pair per position")
        return _say(False, f"{name} has {len(got)} items, expected {len(expected)}: {more}.")
    for i, (g, e) in enumerate(zip(got, expected)):
        if not isinstance(g, tuple):
            return _say(False, f"item {i} of {name} is a {type(g).__name__} ({g!r}), not a tuple: "
                               f"zip gives tuples, like {e!r}.")
        if len(g) != len(e):
            return _say(False, f"item {i} of {name} has {len(g)} parts, expected {len(e)}: {g!r} instead of {e!r}.")
    if all(_same(tuple(reversed(g)), e) for g, e in zip(got, expected)):
        return _say(False, f"the parts are the wrong way round: item 0 is {got[0]!r}, expected {expected[0]!r}. "
                           "zip(a, b) puts the item from a first, so pass the inputs in the other order.")
    wrong = [i for i, (g, e) in enumerate(zip(got, expected)) if not _same(g, e)]
    if wrong:
        i = wrong[0]
        return _say(False, f"{name} has the right shape, but {len(wrong)} of {len(expected)} pairs are wrong; "
                           f"the first is item {i}: got {got[i]!r}, expected {expected[i]!r}.")
    return _say(True, f"Right! {name} is {got!r}: one (x, y) tuple per position.")


@exercise("pairs")
def check_zip(pairs):
    """The 04_mnist_loss exercise: `pairs` should be what zip makes of [1, 2, 3, 4] and 'abcd', as a list.
    Used in: 04_mnist_loss, 11_review."""
    return check_pairs(pairs, list(zip([1, 2, 3, 4], "abcd")), name="pairs")


@exercise("bottom_rows")
def check_bottom_rows(bottom_rows, stacked_threes):
    """The slicing exercise of 01_pixels: the bottom four rows of the first ten 3s, every column. The
    expected slice is made here, from `stacked_threes`, so the exercise cell does not show the answer.
    An answer that changed `stacked_threes` itself (`mul_`, an assignment into a slice) is wrong: the
    expected slice would be made from the changed images. Used in: 01_pixels."""
    if _changed_in_place(stacked_threes):
        return _say(False, "stacked_threes itself was changed (by an in-place operation such as mul_ or an "
                           "assignment into a slice). Run the cell that builds stacked_threes again, then "
                           "slice it without changing it.")
    return check_tensor(bottom_rows, stacked_threes[:10, -4:], name="bottom_rows")


@exercise("odd_doubled")
def check_odd_doubled(odd_doubled, numbers):
    """The list-comprehension exercise: the odd items of `numbers`, each doubled, in their order. The
    expected list is made here from `numbers`, so the exercise cell does not show the answer.
    Used in: 02_pixel_similarity, 11_review."""
    return check_list(odd_doubled, [2 * n for n in numbers if n % 2 == 1], name="odd_doubled")
