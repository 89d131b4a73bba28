"""Checks for exercises whose answer is a value or a small function: the ReLU (07_relu_net,
11_review), the error rate (06_optimizer) and the 3×3 grid (11_review)."""
import torch

from .verdict import Verdict, _explain_error, _say, _still_none
from .solutions import exercise


def _changed_in_place(x):
    """Whether tensor `x` was changed in place since it was made: PyTorch counts every in-place
    operation on a tensor (relu_, clamp_, x[x < 0] = 0, ...) in its version counter, as autograd does to
    refuse a gradient through a changed tensor. A tensor made in inference mode has no counter."""
    try:
        return x._version > 0
    except RuntimeError:
        return False


@exercise("relu_values")
def check_relu(got, x, name="relu_values", original=None):
    """The ReLU exercise (introduced in 07_relu_net): is `got` max(x, 0) for every number in x, a tensor
    of any shape? Says whether it is missing, not a tensor (or the result of `.max(0)`), True/False or
    whole numbers, the wrong shape, keeps or flips the negative part, changes the positive part, or is
    right. The answer must leave `x` as it was: with `original` (x's numbers before the answer ran) the
    check compares x with it and judges against it; without, an x that was changed in place since it was
    made is wrong (as in the exercise, where the cell makes x just before the answer).
    Used in: 07_relu_net, 11_review."""
    if got is None:
        return _still_none(name)
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x)
    if original is not None:
        original = torch.as_tensor(original)
        changed = x.shape != original.shape or not torch.equal(x.detach().cpu().float(), original.cpu().float())
        x = original
    else:
        changed = _changed_in_place(x)
    if changed:
        return _say(False, f"your code changed x itself: a method whose name ends in _ (like relu_, clamp_, abs_) "
                           f"works in place. Run the cell again with a version without the _, so that x stays as it "
                           f"was and {name} is a new tensor.")
    if type(got).__module__ == "torch.return_types":
        return _say(False, f"{name} came from `.max(0)` (or a similar call): with a plain 0, `max` finds the largest "
                           "number along axis 0 and where it is. Compare every number with zero instead: "
                           "x.max(torch.tensor(0.0)), or without max, torch.where(x > 0, x, 0.0).")
    if not isinstance(got, torch.Tensor):
        return _say(False, f"{name} is a {type(got).__name__}, not a tensor. Compute it from the tensor x with "
                           "tensor operations, so that every number is done at once.")
    if got.dtype == torch.bool:
        return _say(False, f"{name} holds True/False: that is the test x > 0, not the ReLU. Use the test to keep "
                           "x where it passes and put 0 elsewhere, e.g. with torch.where or by multiplying.")
    if got.shape != x.shape:
        more = (" It is a single number: did something add up or pick one value from the whole tensor?"
                if got.ndim == 0 else "")
        return _say(False, f"{name} has shape {tuple(got.shape)}, expected {tuple(x.shape)} like x: one value for "
                           f"every number in x.{more}")
    if not got.is_floating_point():
        return _say(False, f"{name} holds whole numbers ({got.dtype}), so 0.5 would become 0: keep the decimals "
                           "(no .int() or .long()).")
    g, xs = got.detach().cpu().double().reshape(-1), x.detach().cpu().double().reshape(-1)
    right = torch.isclose(g, xs.clamp(min=0), atol=1e-6)  # the reference ReLU, number by number
    neg = xs < 0

    def first(wrong):
        i = int(wrong.nonzero()[0, 0])
        return f"at x = {xs[i].item():.4g} {name} is {g[i].item():.4g}", xs[i].item()
    if not right[neg].all():
        where, _ = first(neg & ~right)
        if torch.isclose(g[neg], xs[neg], atol=1e-6).all():
            return _say(False, f"you kept the negative part: {where}, but ReLU turns every negative number into 0.")
        if torch.isclose(g[neg], -xs[neg], atol=1e-6).all():
            return _say(False, f"the negative numbers became positive (like abs): {where}, but ReLU turns them into 0.")
        return _say(False, f"the negative part is wrong: {where}, but ReLU gives 0 for every negative number.")
    if not right.all():
        where, should = first(~right)
        return _say(False, f"the negative part is right, but the positive numbers changed: {where}; ReLU leaves "
                           f"them as they are, so it should be {should:.4g}.")
    return _say(True, f"Right! {name} is 0 wherever x is negative and equal to x everywhere else.")


def _error_rate_batch():
    "A fixed batch for check_error_rate: 10 raw outputs and labels, 3 wrong at 0.0 and 4 wrong at 0.5."
    preds = torch.tensor([[-2.0], [0.3], [0.7], [-0.2], [1.5], [-1.0], [0.1], [2.0], [0.4], [-0.6]])
    targets = torch.tensor([[0], [1], [1], [1], [1], [0], [0], [0], [1], [0]])
    return preds, targets


def _one_rate(error_rate, preds, targets, name):
    "The student's error rate on one batch as a float, or the Verdict that says why there is none."
    try:
        got = error_rate(preds.clone(), targets.clone())
    except Exception as e:  # explain, never a traceback
        if isinstance(e, RuntimeError) and "Bool" in str(e):
            return _say(False, f"{name} took the mean of True/False values, which PyTorch refuses: turn them "
                               "into 1.0 and 0.0 first with .float(), then .mean().")
        return _say(False, _explain_error(e, name))
    if got is None:
        return _say(False, f"{name} returns None: replace `return None` with your code and run the cell again.")
    if hasattr(got, "numel") or hasattr(got, "size") and not isinstance(got, (int, float)):
        n = got.numel() if hasattr(got, "numel") else got.size
        if n != 1:
            return _say(False, f"{name} gives {n} values, one per image: average them with .mean() "
                               "to get one share for the batch.")
    if isinstance(got, (bool, str, bytes)) or getattr(got, "dtype", None) in (torch.bool, bool) \
            or not hasattr(got, "__float__"):
        return _say(False, f"{name} gives a {type(got).__name__}, expected one number from 0 to 1.")
    got = float(got)
    if got != got or got in (float("inf"), float("-inf")):
        return _say(False, f"{name} gives {got}: not a share of images. Does it divide by zero?")
    return got


@exercise("error_rate")
def check_error_rate(error_rate, name="error_rate"):
    """The metric exercise of 06_optimizer: call the student's `error_rate(predictions, targets)` on a
    fixed batch of raw outputs, and again with every label flipped (the right error rate then becomes
    1 − itself), and say whether it is not written yet, raises an error (explained), gives several
    numbers instead of one, ignores the labels, the accuracy instead of the error rate, uses the 0.5
    threshold on raw outputs, counts instead of averaging, or is right. A numpy or PyTorch number is fine.
    Used in: 06_optimizer."""
    if error_rate is None or not callable(error_rate):
        return _say(False, f"{name} is not a function yet: define it with def {name}(predictions, targets):")
    preds, targets = _error_rate_batch()
    got, flipped = (_one_rate(error_rate, preds, t, name) for t in (targets, 1 - targets))
    for v in (got, flipped):
        if isinstance(v, Verdict):
            return v
    if abs(got - flipped) < 1e-6 and abs(got - 0.5) > 1e-6:  # (a rule that is right half the time gives 0.5 twice)
        return _say(False, f"{name} gives {got:.4g} whatever the labels are (the same with every label flipped): "
                           "it must compare the predictions with the targets, (predictions > 0.0) != targets.")
    if abs(got - 0.3) < 1e-6 and abs(flipped - 0.7) > 1e-6:
        return _say(False, f"{name} gives 0.3 on the test batch, but {flipped:.4g} with every label flipped "
                           "(expected 0.7): compare (predictions > 0.0) with the targets, then take the share that "
                           "differ.")
    known = {0.3: None,
             0.7: "the accuracy (the share right); the error rate is the share wrong, 1 − accuracy.",
             0.4: "what you get with the raw outputs split at 0.5. Raw outputs are split at 0.0 "
                  "(0.5 is only for outputs after sigmoid).",
             0.6: "the accuracy with the raw outputs split at 0.5: the error rate is the share wrong, and raw "
                  "outputs are split at 0.0 (0.5 is only after sigmoid).",
             3: "the number of wrong answers: divide by the number of images (.float().mean() does both).",
             4: "the number of wrong answers, with the raw outputs split at 0.5: split them at 0.0, and take "
                "the share (.float().mean()) rather than the count."}
    for value, why in known.items():
        if abs(got - value) < 1e-6:
            if why is None:
                return _say(True, f"Right! {name} gives 0.3 on a test batch of 10 raw outputs, 3 of them on "
                                  "the wrong side of 0.0.")
            return _say(False, f"{name} gives {got:.4g} on a test batch of 10, which is {why}")
    return _say(False, f"{name} gives {got:.4g} on a test batch of 10 raw outputs, expected 0.3 (3 of the 10 are "
                       "wrong). Compare (predictions > 0.0) with targets, then take the share that differ.")


def _same_tensor(a, b):
    "Whether two tensors have the same shape and the same values (whatever their kinds of number)."
    return a.shape == b.shape and torch.equal(a.detach().cpu().double(), b.double())


def _kind_of_number(t):
    "None for whole numbers; otherwise what the tensor holds instead, in words."
    if t.dtype == torch.bool:
        return "True/False values"
    if t.is_floating_point() or t.is_complex():
        return f"decimals ({str(t.dtype).replace('torch.', '')})"
    return None


@exercise("corner")
def check_grid(t, corner):
    """The 3×3 exercise of 11_review: `t` should hold the whole numbers 1 to 9 in 3 rows, and `corner`
    the bottom-right 2×2 of t doubled. Says which is missing, not a tensor, the wrong shape, the wrong
    kind of number, or which values are off (0 to 8, column by column, not doubled, another corner), or
    that both are right. Used in: 11_review."""
    want = torch.arange(1, 10).view(3, 3)
    if t is None:
        return _say(False, "t is still None: make the 3×3 tensor of the numbers 1 to 9 and run the cell again.")
    if isinstance(t, (list, tuple)):
        return _say(False, f"t is a Python {type(t).__name__}, not a tensor: wrap it in torch.tensor(...).")
    if not isinstance(t, torch.Tensor):
        return _say(False, f"t is a {type(t).__name__}, not a tensor: make it with torch.arange(...) or "
                           "torch.tensor(...).")
    if t.shape != (3, 3):
        if t.numel() == 9:
            return _say(False, f"t holds 9 numbers but has shape {tuple(t.shape)}, expected (3, 3): "
                               ".view(3, 3) lays them out as 3 rows of 3.")
        return _say(False, f"t has shape {tuple(t.shape)} ({t.numel()} numbers), expected (3, 3): nine numbers in "
                           "3 rows of 3.")
    if _kind_of_number(t):
        return _say(False, f"t holds {_kind_of_number(t)}, but 1 to 9 are whole numbers: torch.arange(1, 10) or "
                           "whole numbers in torch.tensor(...) make integers.")
    if not _same_tensor(t, want):
        if _same_tensor(t, want - 1):
            return _say(False, "t holds 0 to 8: torch.arange(1, 10) starts at 1 and stops just before 10.")
        if _same_tensor(t, want.T):
            return _say(False, "t holds 1 to 9 column by column: they go row by row, so 1, 2, 3 is the first row.")
        if _same_tensor(t, want * 2):
            return _say(False, "t is already doubled: keep t as the numbers 1 to 9, and double it to make corner.")
        where = tuple(int(i) for i in (t.cpu() != want).nonzero()[0])
        return _say(False, f"t has the right shape, but at index {where} it holds {t[where].item()}, expected "
                           f"{want[where].item()}: the numbers 1 to 9, row by row.")
    doubled, right = want * 2, (want * 2)[1:, 1:]
    if corner is None:
        return _say(False, "t is right. corner is still None: double t and take its bottom-right 2×2.")
    if not isinstance(corner, torch.Tensor):
        return _say(False, f"t is right, but corner is a {type(corner).__name__}, not a tensor: index the doubled "
                           "tensor itself, (t * 2)[rows, columns].")
    if corner.shape != (2, 2):
        if _same_tensor(corner, doubled):
            return _say(False, "corner is all of t doubled: now keep only its bottom-right 2×2, with [1:, 1:].")
        if _same_tensor(corner, want):
            return _say(False, "corner is t itself: double it (t * 2), then keep its bottom-right 2×2 with [1:, 1:].")
        if corner.numel() == 1:
            return _say(False, f"corner has shape {tuple(corner.shape)}, a single number: a slice a:b stops just "
                               "before b, so rows 1 and 2 are 1:3 (or just 1:), and the same for columns.")
        if corner.ndim == 1:
            return _say(False, f"corner has shape {tuple(corner.shape)}, one axis: slice rows and columns both, "
                               "[1:, 1:], to keep a 2×2 block.")
        return _say(False, f"corner has shape {tuple(corner.shape)}, expected (2, 2): two rows and two columns, "
                           "[1:, 1:].")
    if _kind_of_number(corner):
        return _say(False, f"corner holds {_kind_of_number(corner)}: multiplying by 2.0 (or dividing) makes "
                           "decimals; t * 2 keeps whole numbers.")
    if _same_tensor(corner, right):
        return _say(True, "Right! t holds 1 to 9 in 3 rows, and corner is [[10, 12], [16, 18]]: the bottom-right "
                          "2×2 of t doubled.")
    if _same_tensor(corner, want[1:, 1:]):
        return _say(False, "corner is the right part of t, but not doubled: multiply by 2.")
    for part, sl in [("top-left", (slice(0, 2), slice(0, 2))), ("top-right", (slice(0, 2), slice(1, 3))),
                     ("bottom-left", (slice(1, 3), slice(0, 2)))]:
        if _same_tensor(corner, doubled[sl]) or _same_tensor(corner, want[sl]):
            return _say(False, f"corner is the {part} 2×2: the bottom-right one is [1:, 1:] (or [-2:, -2:]).")
    return _say(False, f"corner has the right shape, but holds {corner.tolist()}, expected [[10, 12], [16, 18]]: "
                       "double t (t * 2), then take [1:, 1:].")


def _explain_relu_error(e):
    "A friendly line for an exception raised inside a student's relu(x)."
    if isinstance(e, RuntimeError) and "ambiguous" in str(e):
        return ("relu(x) stopped: Python's `if x > 0` and max(x, 0) look at one number, but x holds 41. Use an "
                "operation that works on every number at once: torch.where(x > 0, x, 0.0) or x.clamp(min=0).")
    if isinstance(e, NameError):
        return f"relu(x) uses a name that does not exist here ({e}): import it first, e.g. import torch."
    return f"relu(x) stopped with {type(e).__name__}: {e}"


@exercise("relu")
def check_relu_function(relu, plot=True):
    """The ReLU exercise of 11_review: call the student's `relu` on 41 numbers from −2 to 2. Says whether
    it is missing, raises an error (explained), returns nothing, changes its input in place, or gives the
    wrong shape, kind of number or values (as check_relu); when it is right, draws its plot on [−2, 2].
    Used in: 11_review."""
    if relu is None:
        return _say(False, "relu is still None: define it with def relu(x): ... and run the cell again.")
    if not callable(relu):
        return _say(False, f"relu is a {type(relu).__name__}, not a function: define it with def relu(x):")
    x = torch.linspace(-2, 2, 41)
    given = x.clone()
    try:
        got = relu(given)
    except Exception as e:  # explain, never a traceback
        return _say(False, _explain_relu_error(e))
    if got is None:
        return _say(False, "relu returns None: replace `return None` with the ReLU of x, and run the cell again.")
    if not torch.equal(given, x):
        return _say(False, "relu changed x itself (in place: a method ending in _, or x[x < 0] = 0), so "
                           "plt.plot(x, relu(x)) would draw the changed x. Make a new tensor instead: "
                           "torch.where(x > 0, x, 0.0) or x.clamp(min=0).")
    verdict = check_relu(got, x, name="relu(x)")
    if verdict and plot:
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.plot(x, got.detach().cpu(), lw=2)
        ax.set(title="your relu on [−2, 2]", xlabel="x", ylabel="relu(x)")
        ax.grid(alpha=0.3)
        plt.show()
    return verdict
