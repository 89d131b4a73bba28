"""Self-checks for the "Try it" exercises: a friendly, specific message instead of a traceback.

Introduced in 01_pixels. A check returns a Verdict, which shows itself as one line (✓ or ✗ and
what it found) and is true or false; it never raises, so "Run all" goes on past an exercise that
is not done yet.
"""
import math

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


def _not_a_list(name, got, why, otherwise):
    "A list was expected: name what `got` is instead, with the advice `why` has for that kind of thing."
    kind = type(got).__name__
    return Verdict(False, f"{name} is a {kind}, not a list. " + why.get(kind, otherwise))


def _still_none(name):
    "The answer to an exercise the student has not done yet."
    return Verdict(False, f"{name} is still None: replace it with your code and run the cell again.")


def check_tensor(got, expected, name="your answer", hint=""):
    """Compare a student's tensor with the expected one: says whether it is missing, not a tensor,
    the wrong shape, the wrong kind of number, or has wrong values (and where), or right."""
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
    `seconds` (the training time) is only recorded for `make bench`; it is not checked."""
    got = _as_accuracy(acc, what)
    if isinstance(got, CheckpointError):
        _record(what, float("nan"), at_least)
        raise got
    _record(what, got, at_least)
    if seconds is not None: _record("training seconds", float(seconds))
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
    import json, os
    path = os.environ.get("DIGITS_BENCH_FILE")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"what": what, "value": value, "floor": floor}) + "\n")


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


def check_zip(pairs):
    "The 04_mnist_loss exercise: `pairs` should be what zip makes of [1, 2, 3, 4] and 'abcd', as a list."
    return check_pairs(pairs, list(zip([1, 2, 3, 4], "abcd")), name="pairs")


def _sgd_problem():
    "A tiny fixed problem for check_sgd_step: 8 inputs with 3 features, labels 1 or 0, small weights."
    g = torch.Generator().manual_seed(0)
    xb = torch.rand(8, 3, generator=g)
    yb = torch.tensor([[1], [0], [1], [0], [1], [1], [0], [0]])
    return xb, yb, torch.randn(3, 1, generator=g) * 0.5, torch.zeros(1)


def _sgd_loss(preds, targets):
    "mnist_loss, as 04_mnist_loss defines it, so the check does not depend on the notebook's copy."
    preds = preds.sigmoid()
    return torch.where(targets == 1, 1 - preds, preds).mean()


def _sgd_reference(steps, lr, zero=True):
    "The parameters (weights and bias, joined) after each of `steps` correct steps (or never zeroed)."
    xb, yb, w0, b0 = _sgd_problem()
    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    path = []
    for _ in range(steps):
        _sgd_loss(xb @ w + b, yb).backward()
        with torch.no_grad():
            for p in (w, b):
                p -= lr * p.grad
                if zero: p.grad.zero_()
        path.append(torch.cat([w.detach().flatten(), b.detach()]).clone())
    return path


def _explain_error(e, name):
    "A friendly line for an exception raised inside a student's training step."
    text = str(e)
    if isinstance(e, RuntimeError) and "leaf Variable" in text and "in-place" in text:
        return (f"{name} stopped with PyTorch's error \"a leaf Variable that requires grad is being used in an "
                "in-place operation\": PyTorch would have to record the update as part of the model. Change the "
                "parameters outside the record: p.data -= lr * p.grad, or inside `with torch.no_grad():`.")
    if isinstance(e, RuntimeError) and "does not require grad" in text:
        return (f"{name} stopped because backward() found nothing to differentiate: compute the loss from "
                "model(xb), with the parameters that require gradients.")
    if isinstance(e, (TypeError, AttributeError)) and "NoneType" in text:
        return (f"{name} used p.grad while it was still None ({type(e).__name__}: {text}). A gradient appears "
                "only after loss.backward(), and only for parameters the loss was computed from: predict with "
                "model(xb), call loss.backward(), then step.")
    if isinstance(e, NameError):
        return (f"{name} uses a name that does not exist here ({text}). If it is mnist_loss, run the cell that "
                "defines it first.")
    return f"{name} stopped with {type(e).__name__}: {text}"


def _other_setting(first, second, what):
    """The verdict of a check run with two settings `what` (two learning rates, epoch counts, batch
    orders): the first one's if it is wrong; if only the second is wrong, a message naming the constant."""
    if first and not second:
        return _say(False, f"right with {what[0]}, but not with {what[1]}: {second.message[2:]} Does your code use "
                           "a fixed number where it should use what it is given?")
    return first


def check_sgd_step(sgd_step, lr=0.1, steps=3, name="sgd_step"):
    """Run a student's `sgd_step(xb, yb, model, params, lr)` three times on a tiny problem, with the
    learning rate `lr` and again with 3 × lr (so a learning rate written into the function cannot pass),
    and compare the parameters with correct SGD steps: says whether it is not written yet, raises an error
    (explained), leaves the parameters alone, steps uphill (the loss went up), forgets the learning rate,
    makes them NaN or inf, moves them more and more (gradients never zeroed), or is right. Introduced in
    05_minibatches."""
    first = _sgd_step_verdict(sgd_step, lr, steps, name)
    if not first:
        return first
    return _other_setting(first, _sgd_step_verdict(sgd_step, 3 * lr, steps, name), (f"lr = {lr:g}", f"lr = {3 * lr:g}"))


def _sgd_step_verdict(sgd_step, lr, steps, name):
    "check_sgd_step for one learning rate."
    if sgd_step is None:
        return _say(False, f"{name} is still None: write the function and run the cell again.")
    if not callable(sgd_step):
        return _say(False, f"{name} is not a function but a {type(sgd_step).__name__}: define it with def {name}(...).")
    xb, yb, w0, b0 = _sgd_problem()
    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    model = lambda x: x @ w + b
    loss_of = lambda: _sgd_loss(model(xb), yb).item()
    start, right, never_zeroed = loss_of(), _sgd_reference(steps, lr), _sgd_reference(steps, lr, zero=False)
    before, path = torch.cat([w0.flatten(), b0]), []
    for k in range(steps):
        try:
            sgd_step(xb, yb, model, [w, b], lr)
        except Exception as e:  # the point of a check: explain, never a traceback
            return _say(False, _explain_error(e, name))
        path.append(torch.cat([w.detach().flatten(), b.detach()]).clone())
        if not torch.isfinite(path[-1]).all():
            return _say(False, f"after step {k + 1} the parameters hold NaN or inf: the step blew up. Step by "
                               "lr * p.grad (not divided by it), and only with gradients from loss.backward().")
        if k == 0:
            step, good = path[0] - before, right[0] - before
            close = lambda a, c: torch.allclose(a, c, rtol=1e-3, atol=1e-6)
            if torch.equal(path[0], before):
                grads = [p.grad for p in (w, b) if p.grad is not None]
                if not grads:
                    return _say(False, f"{name} is not written yet: it left the parameters as they were. Write its "
                                       "body (predict, loss, backward, step, zero the gradients) and run the cell again.")
                if all(bool((g == 0).all()) for g in grads):
                    return _say(False, f"{name} zeroed the gradients before using them, so the parameters did not "
                                       "move: step first (p.data -= lr * p.grad), then zero the gradients.")
                return _say(False, f"{name} computed the gradients but the parameters did not move. Change each "
                                   "parameter in place, p.data -= lr * p.grad: `p = p - ...` only makes a new tensor.")
            if loss_of() > start and close(step, -good):
                return _say(False, f"the loss went up, from {start:.4f} to {loss_of():.4f}, after one step: {name} "
                                   "stepped uphill. Subtract the gradient (p.data -= lr * p.grad), don't add it.")
            if lr != 1 and close(step, good / lr):
                return _say(False, f"the first step was {1 / lr:g} times too long: multiply the gradient by the "
                                   "learning rate that is passed in, p.data -= lr * p.grad.")
            if close(step[:-1], good[:-1]) and not close(step[-1:], good[-1:]):
                return _say(False, "the weights moved correctly but the bias did not: step every parameter in params.")
            if not close(step, good):
                if loss_of() > start:
                    return _say(False, f"the loss went up, from {start:.4f} to {loss_of():.4f}, after one step: check "
                                       "the sign of the step (p.data -= lr * p.grad).")
                return _say(False, f"the parameters moved, but not as one SGD step would move them: predict with "
                                   "model(xb), take mnist_loss(preds, yb), call backward(), then p.data -= lr * p.grad "
                                   "for every p in params.")
    if all(torch.allclose(p, q, rtol=1e-3, atol=1e-6) for p, q in zip(path, right)):
        return _say(True, f"Right! {steps} steps on a tiny problem moved the weights and the bias exactly as SGD "
                          f"should, and the loss fell from {start:.4f} to {loss_of():.4f}.")
    lengths = [(p - q).norm().item() for p, q in zip(path, [before] + path[:-1])]
    if all(torch.allclose(p, q, rtol=1e-3, atol=1e-6) for p, q in zip(path, never_zeroed)):
        return _say(False, "the parameters move more and more: the steps were " + ", ".join(f"{n:.4f}" for n in lengths)
                    + " long, but should stay about the same. The gradients were never zeroed, so each backward() "
                    "added to the old ones: zero them after the step (p.grad.zero_()).")
    return _say(False, "the first step was right, but the next ones were not (step lengths "
                + ", ".join(f"{n:.4f}" for n in lengths) + "): zero the gradients after each step, and compute "
                "the gradients afresh each time.")


def check_relu(got, x, name="relu_values", original=None):
    """The ReLU exercise (introduced in 07_relu_net): is `got` max(x, 0) for every number in x? Says
    whether it is missing, not a tensor (or the result of `.max(0)`), True/False or whole numbers,
    the wrong shape, keeps or flips the negative part, changes the positive part, or is right. The
    answer must leave `x` as it was: it is compared with `original` (default: the exercise's 41 numbers
    from −2 to 2, when x has 41), never with an x that the answer may have changed in place."""
    if got is None:
        return _still_none(name)
    if original is None and isinstance(x, torch.Tensor) and x.shape == (41,):
        original = torch.linspace(-2, 2, 41)
    if original is not None and isinstance(x, torch.Tensor):
        changed, x = x.shape != original.shape or not torch.equal(x.detach().cpu().float(), original.float()), original
    else:
        changed = False
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
    g, xs = got.detach().cpu().double(), x.detach().cpu().double()
    right = torch.isclose(g, xs.clamp(min=0), atol=1e-6)
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


def check_error_rate(error_rate, name="error_rate"):
    """The metric exercise of 06_optimizer: call the student's `error_rate(predictions, targets)` on a
    fixed batch of raw outputs, and again with every label flipped (the right error rate then becomes
    1 − itself), and say whether it is not written yet, raises an error (explained), gives several
    numbers instead of one, ignores the labels, the accuracy instead of the error rate, uses the 0.5
    threshold on raw outputs, counts instead of averaging, or is right. A numpy or PyTorch number is fine."""
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
                           "(expected 0.7): compare (predictions > 0.0) with the targets, then take the share that differ.")
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


# --- The coding exercises of 10_review: the 3×3 tensor, the ReLU and its plot, a training loop,
# --- your own Learner (the list comprehension and zip reuse check_list and check_zip) ------------

def _same_tensor(a, b):
    "Whether two tensors have the same shape and the same values (whatever their kinds of number)."
    return a.shape == b.shape and torch.equal(a.detach().cpu().double(), b.double())


def _kind_of_number(t):
    "None for whole numbers; otherwise what the tensor holds instead, in words."
    if t.dtype == torch.bool: return "True/False values"
    if t.is_floating_point() or t.is_complex(): return f"decimals ({str(t.dtype).replace('torch.', '')})"
    return None


def check_grid(t, corner):
    """The 3×3 exercise of 10_review: `t` should hold the whole numbers 1 to 9 in 3 rows, and `corner`
    the bottom-right 2×2 of t doubled. Says which is missing, not a tensor, the wrong shape, the wrong
    kind of number, or which values are off (0 to 8, column by column, not doubled, another corner), or
    that both are right."""
    want = torch.arange(1, 10).view(3, 3)
    if t is None:
        return _say(False, "t is still None: make the 3×3 tensor of the numbers 1 to 9 and run the cell again.")
    if isinstance(t, (list, tuple)):
        return _say(False, f"t is a Python {type(t).__name__}, not a tensor: wrap it in torch.tensor(...).")
    if not isinstance(t, torch.Tensor):
        return _say(False, f"t is a {type(t).__name__}, not a tensor: make it with torch.arange(...) or torch.tensor(...).")
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
        return _say(False, f"corner has shape {tuple(corner.shape)}, expected (2, 2): two rows and two columns, [1:, 1:].")
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


def check_relu_function(relu, plot=True):
    """The ReLU exercise of 10_review: call the student's `relu` on 41 numbers from −2 to 2. Says whether
    it is missing, raises an error (explained), returns nothing, changes its input in place, or gives the
    wrong shape, kind of number or values (as check_relu); when it is right, draws its plot on [−2, 2]."""
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


class _SpyOptimizer:
    "torch.optim.SGD that also notes what was called, and whether there were gradients at each step."

    def __init__(self, params, lr):
        self.params, self.lr, self.calls = list(params), lr, []
        self.sgd = torch.optim.SGD(self.params, lr=lr)
        self.param_groups = self.sgd.param_groups

    def step(self):
        has = any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in self.params)
        self.calls.append("step" if has else "empty step")
        self.sgd.step()

    def zero_grad(self, set_to_none=True):
        has = any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in self.params)
        self.calls.append("zero_grad" if has else "empty zero_grad")
        self.sgd.zero_grad(set_to_none=set_to_none)


class _Swapped(Exception):
    "loss_func was called with the labels first."


def _loop_problem():
    "A tiny fixed problem for the loop checks: 3 training batches (3, 3, 2 items) and 1 validation batch."
    xb, yb, w0, b0 = _sgd_problem()
    g = torch.Generator().manual_seed(1)
    train = [(xb[:3], yb[:3]), (xb[3:6], yb[3:6]), (xb[6:], yb[6:])]
    valid = [(torch.rand(4, 3, generator=g), torch.tensor([[1], [0], [0], [1]]))]
    return train, valid, w0, b0


def _loop_model(w0, b0):
    model = torch.nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(w0.T); model.bias.copy_(b0)
    return model


def _flat(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()]).clone()


def _loop_reference(batches, epochs, lr, zero=True, one_step=False):
    "The parameters after `epochs` passes of SGD over `batches` (or never zeroed, or one step per pass)."
    *_, w0, b0 = _loop_problem()
    model = _loop_model(w0, b0)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        for xb, yb in batches:
            _sgd_loss(model(xb), yb).backward()
            if not one_step:
                opt.step()
                if zero: opt.zero_grad()
        if one_step:
            opt.step(); opt.zero_grad()
    return _flat(model)


def _spy_loss(calls):
    def loss_func(preds, targets):
        if isinstance(preds, torch.Tensor) and not preds.is_floating_point():
            raise _Swapped()
        calls.append(len(targets))
        return _sgd_loss(preds, targets)
    return loss_func


def _loop_diagnosis(name, after, before, right, calls, losses, n_batches, never_zeroed, one_step):
    "What went wrong in a training loop, from where the parameters ended and what it called (None if right)."
    close = lambda a, b: torch.allclose(a, b, rtol=1e-4, atol=1e-6)
    if close(after, right):
        return None
    steps, empty = calls.count("step"), calls.count("empty step")
    if torch.equal(after, before):
        if not losses:
            return (f"{name} is not written yet: it never called loss_func and left the parameters as they were. "
                    "For every batch: loss = loss_func(model(xb), yb), loss.backward(), opt.step(), opt.zero_grad().")
        if not steps and not empty:
            return f"{name} computes the loss but never steps: after loss.backward(), call opt.step(), then opt.zero_grad()."
        if empty and not steps:
            if all(i and calls[i - 1] == "zero_grad" for i, c in enumerate(calls) if c == "empty step"):
                return (f"{name} zeroes the gradients just before each step, so every step found no gradient: "
                        "call opt.step() first, then opt.zero_grad().")
            return f"{name} calls opt.step(), but there were no gradients to step with: call loss.backward() first."
    if 0 < len(losses) < n_batches:
        return (f"{name} looked at {len(losses)} of the {n_batches} training batches: loop over all of them, "
                "for xb, yb in dl.")
    if close(after, one_step):
        return (f"{name} took one step for the whole epoch instead of one per batch ({n_batches} batches): put "
                "opt.step() and opt.zero_grad() inside the loop over the batches.")
    if close(after, never_zeroed):
        return (f"{name} never zeroes the gradients, so each backward() added to the old ones and the steps grew: "
                "call opt.zero_grad() after opt.step().")
    return None if close(after, right) else ""


def check_train_epoch(train_epoch, name="train_epoch"):
    """The training-loop exercise of 10_review: run the student's `train_epoch(model, dl, opt, loss_func)`
    for one epoch on a tiny problem (3 mini-batches, SGD with lr 0.5), and again with lr 0.2 and the
    batches in the other order (so a loop that makes its own optimizer or fixes the order cannot pass),
    and compare the parameters with a correct epoch. Says whether it is missing, raises an error
    (explained), never computes the loss, never steps, steps without gradients, zeroes before stepping,
    skips batches, steps once per epoch, never zeroes, or is right."""
    if train_epoch is None or not callable(train_epoch):
        return _say(False, f"{name} is not a function yet: define it with def {name}(model, dl, opt, loss_func):")
    first = _train_epoch_verdict(train_epoch, 0.5, False, name)
    if not first:
        return first
    return _other_setting(first, _train_epoch_verdict(train_epoch, 0.2, True, name),
                          ("an optimizer at lr 0.5", "one at lr 0.2 and the batches in another order"))


def _train_epoch_verdict(train_epoch, lr, reverse, name):
    "check_train_epoch for one learning rate and batch order."
    train, _, w0, b0 = _loop_problem()
    train = train[::-1] if reverse else train
    model, losses = _loop_model(w0, b0), []
    opt, before = _SpyOptimizer(model.parameters(), lr=lr), _flat(_loop_model(w0, b0))
    import contextlib, io
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            train_epoch(model, list(train), opt, _spy_loss(losses))
    except _Swapped:
        return _say(False, f"{name} called loss_func(targets, predictions): it takes the model's predictions "
                           "first and the labels second, loss_func(model(xb), yb).")
    except TypeError as e:
        if "positional argument" in str(e) and name in str(e):
            return _say(False, f"{name} should take four things, in this order: (model, dl, opt, loss_func) ({e}).")
        return _say(False, _explain_error(e, name))
    except Exception as e:  # explain, never a traceback
        return _say(False, _explain_error(e, name))
    after, right = _flat(model), _loop_reference(train, 1, lr)
    if not torch.isfinite(after).all():
        return _say(False, f"after one epoch the parameters hold NaN or inf: the steps blew up. Use opt.step() "
                           "(it steps by the optimizer's own learning rate) after loss.backward().")
    if not opt.calls and not torch.equal(after, before):
        return _say(False, f"{name} trained the model without the opt it was given (it never called opt.step()): "
                           "use opt, so the caller chooses the optimizer and its learning rate.")
    why = _loop_diagnosis(name, after, before, right, opt.calls, losses, len(train),
                          _loop_reference(train, 1, lr, zero=False), _loop_reference(train, 1, lr, one_step=True))
    if why is None:
        return _say(True, f"Right! One epoch over {len(train)} mini-batches moved the parameters exactly as SGD "
                          "should: predict, loss, backward, step and zero, for every batch.")
    return _say(False, why or f"the parameters moved, but not as one epoch of SGD would: for each xb, yb in dl, "
                              "loss = loss_func(model(xb), yb), loss.backward(), opt.step(), opt.zero_grad().")


def _explain_fit_error(e):
    "A friendly line for an exception raised inside a student's Learner.fit."
    text = str(e)
    if isinstance(e, AttributeError) and "'opt'" in text:
        return ("Learner.fit uses self.opt before making it: start fit with "
                "self.opt = self.opt_func(self.model.parameters(), lr).")
    if isinstance(e, AttributeError) and "SimpleNamespace" in text:
        return (f"Learner.fit asked the DataLoaders for something they do not have ({text}): dls has "
                "dls.train, the training batches, and dls.valid, the validation batches.")
    return _explain_error(e, "Learner.fit")


def check_learner(Learner, epochs=2, lr=0.5):
    """The "your own Learner" exercise of 10_review: as _learner_verdict, with fit(epochs, lr) and then
    fit(epochs + 1, 0.4 × lr) on a fresh model, so a fit that fixes the epochs or the learning rate cannot pass."""
    first = _learner_verdict(Learner, epochs, lr)
    if not first:
        return first
    again = (epochs + 1, round(0.4 * lr, 6))
    return _other_setting(first, _learner_verdict(Learner, *again), (f"fit({epochs}, {lr})", f"fit{again}"))


def _learner_verdict(Learner, epochs, lr):
    """Build the student's Learner(dls, model, opt_func,
    loss_func, metric) on a tiny problem, call fit(epochs, lr), and compare the parameters with correct
    epochs of SGD on the training batches. Says whether it is missing, cannot be built with the five
    things (explained), has no fit, raises in fit (explained), does not train, ignores the learning
    rate, trains for one epoch only or also on the validation batches, never zeroes the gradients,
    never measures the metric on the validation batches, or is right."""
    if Learner is None:
        return _say(False, "Learner is still None: define it with class Learner: and run the cell again.")
    if not callable(Learner):
        return _say(False, f"Learner is a {type(Learner).__name__}, not a class: define it with class Learner:")
    from types import SimpleNamespace
    import contextlib, io
    train, valid, w0, b0 = _loop_problem()
    model, losses, made, measured = _loop_model(w0, b0), [], [], []

    def opt_func(params, lr):
        made.append(_SpyOptimizer(params, lr)); return made[-1]

    def metric(preds, targets):
        measured.append(any(targets is yb or (targets.shape == yb.shape and torch.equal(targets, yb))
                            for _, yb in valid))
        return ((preds > 0) == targets).float().mean()
    before = _flat(_loop_model(w0, b0))
    with contextlib.redirect_stdout(io.StringIO()):  # its printed table would pile up under the check
        try:
            learn = Learner(SimpleNamespace(train=train, valid=valid), model, opt_func, _spy_loss(losses), metric)
        except TypeError as e:
            return _say(False, "Learner(dls, model, opt_func, loss_func, metric) should take the five things, in "
                               f"that order, as the arguments of __init__ ({e}).")
        except Exception as e:
            return _say(False, f"Learner(dls, model, opt_func, loss_func, metric) stopped with {type(e).__name__}: {e}")
        if not callable(getattr(learn, "fit", None)):
            return _say(False, "your Learner has no fit method: add def fit(self, epochs, lr): to the class.")
        try:
            learn.fit(epochs, lr)
        except _Swapped:
            return _say(False, "Learner.fit called the loss with the labels first: it takes the predictions first, "
                               "self.loss_func(self.model(xb), yb).")
        except Exception as e:  # explain, never a traceback
            return _say(False, _explain_fit_error(e))
    after = _flat(model)
    calls = [c for o in made for c in o.calls]
    if made and any(o.lr != lr for o in made) and not torch.equal(after, before):
        return _say(False, f"fit({epochs}, {lr}) made its optimizer with lr = {made[0].lr}: pass on the lr that fit "
                           "receives, self.opt_func(self.model.parameters(), lr).")
    right, close = _loop_reference(train, epochs, lr), lambda a, b: torch.allclose(a, b, rtol=1e-4, atol=1e-6)
    if torch.equal(after, before) and not made and not losses:
        why = ("Learner.fit is not written yet: it left the model as it was. Make the optimizer, then for every "
               "epoch train on self.dls.train (loss, backward, step, zero_grad) and measure on self.dls.valid.")
    elif close(after, right):
        why = None
    elif close(after, _loop_reference(train, 1, lr)):
        why = f"fit({epochs}, {lr}) trained for one epoch only: loop over the epochs, for epoch in range(epochs)."
    elif close(after, _loop_reference(train + valid, epochs, lr)):
        why = ("fit also trained on the validation batches: take steps only on self.dls.train; on "
               "self.dls.valid only measure, inside torch.no_grad().")
    else:
        why = _loop_diagnosis("Learner.fit", after, before, right, calls, losses, len(train) * epochs,
                              _loop_reference(train, epochs, lr, zero=False),
                              _loop_reference(train, epochs, lr, one_step=True))
        why = why or (f"fit({epochs}, {lr}) ran, but the parameters did not end where {epochs} epochs of SGD on "
                      "the training batches would put them: for every epoch and every batch of self.dls.train, "
                      "loss, backward, self.opt.step(), self.opt.zero_grad().")
    if why:
        return _say(False, why)
    if not any(measured):
        return _say(False, "fit trains correctly, but never measures on the validation batches: after each epoch, "
                           "compute self.metric(self.model(xb), yb) for the batches of self.dls.valid (inside "
                           "torch.no_grad()) and show it.")
    return _say(True, f"Right! fit({epochs}, {lr}) trained exactly as {epochs} epochs of SGD on the training "
                      "batches, and measured the metric on the validation batches.")


def check_exact(got, expected, decimals=4, advice=None):
    """Checkpoint for figures that nothing random changes (introduced in 02_pixel_similarity): `got`
    and `expected` map names to numbers, compared at `decimals` places. Prints one line if they all
    match; else raises CheckpointError naming each figure that differs and what to check (`advice`)."""
    off = []
    for name, want in expected.items():
        value = got.get(name) if isinstance(got, dict) else None
        try:
            if isinstance(value, (str, bytes, bool)): raise TypeError
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
