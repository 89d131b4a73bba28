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
    _record(what, acc)
    print(f"✓ Checkpoint reached: {what} is at least {at_least}")


def _record(what, value):
    "For `make bench`: when $DIGITS_BENCH_FILE is set, append the figure reached to it (one JSON line)."
    import json, os
    path = os.environ.get("DIGITS_BENCH_FILE")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"what": what, "value": value}) + "\n")


def check_pairs(got, expected, name="pairs"):
    """Compare a student's list of (x, y) tuples with the expected one: says whether it is missing, a
    zip object or another kind of thing instead of a list, the wrong length, holds items that are not
    2-tuples, has the parts of each tuple the wrong way round, or which pair is wrong; or that it is
    right. Introduced in 04_mnist_loss (the `zip` exercise)."""
    if got is None:
        return _say(False, f"{name} is still None: replace it with your code and run the cell again.")
    if not isinstance(got, list):
        kind = type(got).__name__
        why = {"zip": "zip hands out its pairs one at a time, only when asked; wrap it in list(...) to get them all.",
               "dict": "dict(...) keeps one value per key, not a list of pairs; use list(zip(...)).",
               "tuple": "That is a tuple of pairs; use list(zip(...)) to make a list of them."}
        return _say(False, f"{name} is a {kind}, not a list. " + why.get(kind, "Make it with list(zip(...))."))
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


def check_sgd_step(sgd_step, lr=0.1, steps=3, name="sgd_step"):
    """Run a student's `sgd_step(xb, yb, model, params, lr)` three times on a tiny problem and compare the
    parameters with correct SGD steps: says whether it is not written yet, raises an error (explained),
    leaves the parameters alone, steps uphill (the loss went up), forgets the learning rate, moves the
    parameters more and more (gradients never zeroed), or is right. Introduced in 05_minibatches."""
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
            if close(step, good / lr):
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


def check_relu(got, x, name="relu_values"):
    """The ReLU exercise (introduced in 07_relu_net): is `got` max(x, 0) for every number in x? Says
    whether it is missing, not a tensor (or the result of `.max(0)`), True/False or whole numbers,
    the wrong shape, keeps or flips the negative part, changes the positive part, or is right."""
    if got is None:
        return _say(False, f"{name} is still None: replace it with your code and run the cell again.")
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


def check_error_rate(error_rate, name="error_rate"):
    """The metric exercise of 06_optimizer: call the student's `error_rate(predictions, targets)` on a
    fixed batch of raw outputs and say whether it is not written yet, raises an error (explained),
    gives several numbers instead of one, the accuracy instead of the error rate, uses the 0.5
    threshold on raw outputs, counts instead of averaging, or is right."""
    if error_rate is None or not callable(error_rate):
        return _say(False, f"{name} is not a function yet: define it with def {name}(predictions, targets):")
    preds, targets = _error_rate_batch()
    try:
        got = error_rate(preds.clone(), targets.clone())
    except Exception as e:  # explain, never a traceback
        if isinstance(e, RuntimeError) and "Bool" in str(e):
            return _say(False, f"{name} took the mean of True/False values, which PyTorch refuses: turn them "
                               "into 1.0 and 0.0 first with .float(), then .mean().")
        return _say(False, _explain_error(e, name))
    if got is None:
        return _say(False, f"{name} returns None: replace `return None` with your code and run the cell again.")
    if isinstance(got, torch.Tensor):
        if got.numel() != 1:
            return _say(False, f"{name} gives {got.numel()} values, one per image: average them with .mean() "
                               "to get one share for the batch.")
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return _say(False, f"{name} gives a {type(got).__name__}, expected one number from 0 to 1.")
    known = {0.3: None,
             0.7: "the accuracy (the share right); the error rate is the share wrong, 1 − accuracy.",
             0.4: "it looks like the raw outputs were split at 0.5. Raw outputs are split at 0.0 "
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
