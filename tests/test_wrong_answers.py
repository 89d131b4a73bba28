"""The catalogue of wrong answers: for every self-check, wrong answers that must be rejected,
each with the kind of message it must get, and equivalent right answers that must pass. The checks
verify against values they compute themselves and call student functions with two settings, so an
answer that changes its input in place or writes in a constant cannot pass. (More cases per check live
beside each check's own tests in test_checks.py, test_gd.py.)"""
import numpy as np
import pytest
import torch

from helpers.checks import _sgd_loss as mnist_loss
from helpers.checks import check_learner, check_relu, check_sgd_step, check_train_epoch
from helpers.gd import check_params
from tests.test_checks import RightLearner, right_epoch


def verdict(v):
    return bool(v), repr(v)


# --- check_relu (07_relu_net): relu_values computed from x = torch.linspace(-2, 2, 41) ---------------
RELU_WRONG = {
    "sigmoid_ in place": (lambda x: x.sigmoid_(), "changed x itself"),
    "abs_ in place": (lambda x: x.abs_(), "changed x itself"),
    "relu_ in place": (lambda x: x.relu_(), "changed x itself"),
    "clamp_ in place": (lambda x: x.clamp_(min=0), "changed x itself"),
    "x changed, then a copy": (lambda x: (x.mul_(2), x.clamp(min=0))[1], "changed x itself"),
    "abs": (lambda x: x.abs(), "like abs"),
    "x itself": (lambda x: x, "kept the negative part"),
    "sigmoid": (lambda x: x.sigmoid(), "negative part is wrong"),
    "max(0)": (lambda x: x.max(0), "came from `.max(0)`"),
    "the test": (lambda x: x > 0, "True/False"),
    "whole numbers": (lambda x: x.clamp(min=0).long(), "whole numbers"),
    "one number": (lambda x: x.clamp(min=0).sum(), "single number"),
    "a list": (lambda x: x.clamp(min=0).tolist(), "not a tensor"),
    "positive part doubled": (lambda x: 2 * x.clamp(min=0), "positive numbers changed"),
}
RELU_RIGHT = {"clamp": lambda x: x.clamp(min=0), "torch.relu": torch.relu, "F.relu": torch.nn.functional.relu,
              "x * (x > 0)": lambda x: x * (x > 0), "where": lambda x: torch.where(x > 0, x, 0.0),
              "(x + |x|) / 2": lambda x: (x + x.abs()) / 2, "max with a tensor": lambda x: x.max(torch.tensor(0.0)),
              "clone then relu_": lambda x: x.clone().relu_()}


@pytest.mark.parametrize("answer,kind", RELU_WRONG.values(), ids=RELU_WRONG)
def test_relu_wrong(answer, kind):
    x = torch.linspace(-2, 2, 41)
    ok, msg = verdict(check_relu(answer(x), x))
    assert not ok and kind in msg, msg


@pytest.mark.parametrize("answer", RELU_RIGHT.values(), ids=RELU_RIGHT)
def test_relu_right(answer):
    x = torch.linspace(-2, 2, 41)
    ok, msg = verdict(check_relu(answer(x), x))
    assert ok, msg


# The check judges any x against the reference ReLU, whatever its shape or numbers: not only the exercise's 41.
OTHER_X = {"41 other numbers": lambda: torch.linspace(-1, 3, 41), "3 numbers": lambda: torch.tensor([-1.5, 0.5, 3.0]),
           "3 × 4": lambda: torch.linspace(-2, 2, 12).reshape(3, 4),
           "2 × 3 × 5": lambda: torch.linspace(-3, 1, 30).reshape(2, 3, 5)}


@pytest.mark.parametrize("make_x", OTHER_X.values(), ids=OTHER_X)
@pytest.mark.parametrize("answer,kind", RELU_WRONG.values(), ids=RELU_WRONG)
def test_relu_wrong_for_any_x(answer, kind, make_x):
    x = make_x()
    ok, msg = verdict(check_relu(answer(x), x))
    assert not ok and kind in msg, msg


@pytest.mark.parametrize("make_x", OTHER_X.values(), ids=OTHER_X)
@pytest.mark.parametrize("answer", RELU_RIGHT.values(), ids=RELU_RIGHT)
def test_relu_right_for_any_x(answer, make_x):
    x = make_x()
    ok, msg = verdict(check_relu(answer(x), x))
    assert ok, msg


def test_relu_with_original_judges_against_it():
    "Given `original`, an x that differs from it was changed, and the answer is judged against the original."
    x = torch.tensor([-1.0, 2.0])
    ok, msg = verdict(check_relu(torch.tensor([0.0, 2.0]), x, original=torch.tensor([-1.0, 2.0])))
    assert ok, msg
    ok, msg = verdict(check_relu(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 2.0]), original=x))
    assert not ok and "changed x itself" in msg, msg


# --- check_params (03_gradient_descent) --------------------------------------------------------------
PARAMS_WRONG = {"nan second": ([3.0, float("nan")], "NaN or inf"), "nan first": ([float("nan"), 2.0], "NaN or inf"),
                "inf": (torch.tensor([3.0, float("inf")]), "NaN or inf"), "too short": ([3.0], "holds 1 number,"),
                "too long": ([3, 2, 99], "holds 3 numbers"), "empty": ([], "holds 0 numbers"),
                "None": (None, "still None"), "a number": (5, "not a list or tensor"),
                "strings": (["3", "2"], "should hold 2 numbers"), "bools": ([True, 2], "should hold 2 numbers"),
                "far off": ([2.5, 2.0], "away from")}


@pytest.mark.parametrize("answer,kind", PARAMS_WRONG.values(), ids=PARAMS_WRONG)
def test_params_wrong(answer, kind):
    ok, msg = verdict(check_params(answer, (3, 2), tol=0.01))
    assert not ok and kind in msg, msg


@pytest.mark.parametrize("answer", [torch.tensor([3.0, 2.0], requires_grad=True), [3.004, 1.996], (3, 2),
                                    np.array([3.0, 2.0], dtype=np.float32), [np.float32(3), np.float64(2)]])
def test_params_right(answer):
    ok, msg = verdict(check_params(answer, (3, 2), tol=0.01))
    assert ok, msg


# --- check_sgd_step (05_minibatches): constants and blow-ups -----------------------------------------
def sgd(fixed_lr=None, factor=1.0, blow_up=False):
    def sgd_step(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb).backward()
        for p in params:
            p.data -= (p.grad / 0 if blow_up else (fixed_lr or lr) * factor * p.grad)
            p.grad.zero_()
    return sgd_step


def test_sgd_step_with_a_fixed_learning_rate_fails():
    ok, msg = verdict(check_sgd_step(sgd(fixed_lr=0.1)))
    assert not ok and "right with lr = 0.1, but not with lr = 0.3" in msg and "fixed number" in msg


def test_sgd_step_that_blows_up_says_nan():
    ok, msg = verdict(check_sgd_step(sgd(blow_up=True)))
    assert not ok and "NaN or inf" in msg


def test_sgd_step_right_at_every_learning_rate():
    for lr in (0.1, 0.05, 1.0):
        ok, msg = verdict(check_sgd_step(sgd(), lr=lr))
        assert ok, msg


# --- check_train_epoch (11_review): the loop must use the opt and dl it is given ----------------------
def own_optimizer(model, dl, opt, loss_func):
    mine = torch.optim.SGD(model.parameters(), lr=0.5)
    for xb, yb in dl:
        loss_func(model(xb), yb).backward()
        mine.step()
        mine.zero_grad()


def fixed_order(model, dl, opt, loss_func):
    for xb, yb in sorted(dl, key=lambda b: -len(b[0])):
        loss_func(model(xb), yb).backward()
        opt.step()
        opt.zero_grad()


def test_train_epoch_with_its_own_optimizer_fails():
    ok, msg = verdict(check_train_epoch(own_optimizer))
    assert not ok and "without the opt it was given" in msg


def test_train_epoch_wrong_in_the_second_setting_names_it():
    calls = []

    def first_call_only(model, dl, opt, loss_func):
        calls.append(1)
        if len(calls) == 1:
            right_epoch(model, dl, opt, loss_func)
    ok, msg = verdict(check_train_epoch(first_call_only))
    assert not ok and "but not with one at lr 0.2" in msg


def test_train_epoch_blow_up_says_nan():
    def blow_up(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss_func(model(xb), yb).backward()
            with torch.no_grad():
                for p in model.parameters():
                    p /= 0
            opt.zero_grad()
    ok, msg = verdict(check_train_epoch(blow_up))
    assert not ok and "NaN or inf" in msg


# --- check_learner (11_review): fit must use the epochs and lr it is given -----------------------------
def learner(fixed_epochs=None, fixed_lr=None):
    class Fixed(RightLearner):
        def fit(self, epochs, lr):
            RightLearner.fit(self, fixed_epochs or epochs, fixed_lr or lr)
    return Fixed


@pytest.mark.parametrize("cls,kind", [(learner(fixed_epochs=2), "but not with fit(3, 0.2)"),
                                      (learner(fixed_lr=0.5), "but not with fit(3, 0.2)")],
                         ids=["2 epochs written in", "lr 0.5 written in"])
def test_learner_with_constants_fails(cls, kind, capsys):
    ok, msg = verdict(check_learner(cls))
    assert not ok and kind in msg, msg


def test_learner_right_passes_both_settings(capsys):
    ok, msg = verdict(check_learner(RightLearner))
    assert ok, msg
