"""Checks for the training-loop exercises: one SGD step (05_minibatches), one epoch and your own
Learner (11_review). Each runs the student's code on a tiny problem it makes itself, with two settings
(learning rates, epoch counts, batch orders), and compares the parameters with correct SGD."""
import torch

from .verdict import _explain_error, _say
from .solutions import exercise


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
                if zero:
                    p.grad.zero_()
        path.append(torch.cat([w.detach().flatten(), b.detach()]).clone())
    return path


def _other_setting(first, second, what):
    """The verdict of a check run with two settings `what` (two learning rates, epoch counts, batch
    orders): the first one's if it is wrong; if only the second is wrong, a message naming the constant."""
    if first and not second:
        return _say(False, f"right with {what[0]}, but not with {what[1]}: {second.message[2:]} Does your code use "
                           "a fixed number where it should use what it is given?")
    return first


@exercise("sgd_step")
def check_sgd_step(sgd_step, lr=0.1, steps=3, name="sgd_step"):
    """Run a student's `sgd_step(xb, yb, model, params, lr)` three times on a tiny problem, with the
    learning rate `lr` and again with 3 × lr (so a learning rate written into the function cannot pass),
    and compare the parameters with correct SGD steps: says whether it is not written yet, raises an error
    (explained), leaves the parameters alone, steps uphill (the loss went up), forgets the learning rate,
    makes them NaN or inf, moves them more and more (gradients never zeroed), or is right.
    Used in: 05_minibatches."""
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
    def model(x):
        return x @ w + b
    def loss_of():
        return _sgd_loss(model(xb), yb).item()
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
            def close(a, c):
                return torch.allclose(a, c, rtol=1e-3, atol=1e-6)
            if torch.equal(path[0], before):
                grads = [p.grad for p in (w, b) if p.grad is not None]
                if not grads:
                    return _say(False, f"{name} is not written yet: it left the parameters as they were. Write its "
                                       "body (predict, loss, backward, step, zero the gradients) and run the cell "
                                       "again.")
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
                return _say(False, "the parameters moved, but not as one SGD step would move them: predict with "
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
        model.weight.copy_(w0.T)
        model.bias.copy_(b0)
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
                if zero:
                    opt.zero_grad()
        if one_step:
            opt.step()
            opt.zero_grad()
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
    def close(a, b):
        return torch.allclose(a, b, rtol=1e-4, atol=1e-6)
    if close(after, right):
        return None
    steps, empty = calls.count("step"), calls.count("empty step")
    if torch.equal(after, before):
        if not losses:
            return (f"{name} is not written yet: it never called loss_func and left the parameters as they were. "
                    "For every batch: loss = loss_func(model(xb), yb), loss.backward(), opt.step(), opt.zero_grad().")
        if not steps and not empty:
            return (f"{name} computes the loss but never steps: after loss.backward(), call opt.step(), then "
                    "opt.zero_grad().")
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


@exercise("train_epoch")
def check_train_epoch(train_epoch, name="train_epoch"):
    """The training-loop exercise of 11_review: run the student's `train_epoch(model, dl, opt, loss_func)`
    for one epoch on a tiny problem (3 mini-batches, SGD with lr 0.5), and again with lr 0.2 and the
    batches in the other order (so a loop that makes its own optimizer or fixes the order cannot pass),
    and compare the parameters with a correct epoch. Says whether it is missing, raises an error
    (explained), never computes the loss, never steps, steps without gradients, zeroes before stepping,
    skips batches, steps once per epoch, never zeroes, or is right. Used in: 11_review."""
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
    import contextlib
    import io
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
        return _say(False, "after one epoch the parameters hold NaN or inf: the steps blew up. Use opt.step() "
                           "(it steps by the optimizer's own learning rate) after loss.backward().")
    if not opt.calls and not torch.equal(after, before):
        return _say(False, f"{name} trained the model without the opt it was given (it never called opt.step()): "
                           "use opt, so the caller chooses the optimizer and its learning rate.")
    why = _loop_diagnosis(name, after, before, right, opt.calls, losses, len(train),
                          _loop_reference(train, 1, lr, zero=False), _loop_reference(train, 1, lr, one_step=True))
    if why is None:
        return _say(True, f"Right! One epoch over {len(train)} mini-batches moved the parameters exactly as SGD "
                          "should: predict, loss, backward, step and zero, for every batch.")
    return _say(False, why or "the parameters moved, but not as one epoch of SGD would: for each xb, yb in dl, "
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


@exercise("Learner")
def check_learner(Learner, epochs=2, lr=0.5):
    """The "your own Learner" exercise of 11_review: as _learner_verdict, with fit(epochs, lr) and then
    fit(epochs + 1, 0.4 × lr) on a fresh model, so a fit that fixes the epochs or the learning rate cannot pass.
    Used in: 11_review."""
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
    import contextlib
    import io
    train, valid, w0, b0 = _loop_problem()
    model, losses, made, measured = _loop_model(w0, b0), [], [], []

    def opt_func(params, lr):
        made.append(_SpyOptimizer(params, lr))
        return made[-1]

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
