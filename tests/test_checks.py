"""helpers/checks.py: each kind of wrong answer gets its own message; a right one says so."""
import pytest
import numpy as np
import torch

from helpers.checks import _sgd_loss as mnist_loss
from helpers.checks import (check_error_rate, check_grid, check_learner, check_list, check_pairs, check_relu_function,
                            check_sgd_step, check_tensor, check_train_epoch)

T = torch.arange(60, dtype=torch.uint8).reshape(3, 4, 5)


def verdict(got, expected=T):
    v = check_tensor(got, expected, name="x")
    return bool(v), repr(v)


def test_right_answer():
    ok, msg = verdict(T.clone())
    assert ok and msg.startswith("✓ Right!") and "(3, 4, 5)" in msg


def test_not_answered():
    ok, msg = verdict(None)
    assert not ok and "still None" in msg


def test_not_a_tensor():
    ok, msg = verdict(T.numpy())
    assert not ok and "is a ndarray, not a tensor" in msg


def test_wrong_rank():
    ok, msg = verdict(T[0])
    assert not ok and "shape (4, 5), expected (3, 4, 5)" in msg and "2 axes" in msg


def test_off_by_one_slice():
    ok, msg = verdict(T[:, :3])
    assert not ok and "Axis 1 has 3 entries instead of 4" in msg and "stops just before" in msg


def test_swapped_axes():
    ok, msg = verdict(T.transpose(1, 2))
    assert not ok and "swapped" in msg


def test_wrong_kind_of_number():
    ok, msg = verdict(T.float())
    assert not ok and "decimal (float)" in msg


def test_wrong_values_points_at_the_first():
    wrong = T.clone()
    wrong[1, 2, 3] = 0
    ok, msg = verdict(wrong)
    assert not ok and "1 of 60 values differ" in msg and "(1, 2, 3)" in msg and "expected 33" in msg


# check_list (introduced in 02_pixel_similarity): the list-comprehension exercise

NUMBERS = [3, 8, 11, 4, 7, 10, 1]
ODD_DOUBLED = [6, 22, 14, 2]


def list_verdict(got, expected=ODD_DOUBLED):
    v = check_list(got, expected, name="odd_doubled")
    return bool(v), repr(v)


def test_list_right_answer():
    ok, msg = list_verdict([2 * n for n in NUMBERS if n % 2 == 1])
    assert ok and msg == "✓ Right! odd_doubled is [6, 22, 14, 2]."


def test_list_floats_with_the_same_values_are_right():
    assert list_verdict([6.0, 22.0, 14.0, 2.0])[0]


def test_list_not_answered():
    ok, msg = list_verdict(None)
    assert not ok and "still None" in msg


def test_list_generator_tuple_set_and_other_kinds():
    ok, msg = list_verdict(2 * n for n in NUMBERS if n % 2)
    assert not ok and "is a generator, not a list" in msg and "square brackets" in msg
    ok, msg = list_verdict(tuple(ODD_DOUBLED))
    assert not ok and "is a tuple, not a list" in msg
    ok, msg = list_verdict(set(ODD_DOUBLED))
    assert not ok and "is a set, not a list" in msg
    ok, msg = list_verdict(torch.tensor(ODD_DOUBLED))
    assert not ok and "is a Tensor, not a list" in msg and "[expression for item in items if condition]" in msg


def test_list_too_long_when_the_filter_is_missing():
    ok, msg = list_verdict([2 * n for n in NUMBERS])
    assert not ok and "has 7 items, expected 4" in msg and "leave out" in msg


def test_list_too_short():
    ok, msg = list_verdict([6, 22])
    assert not ok and "has 2 items, expected 4" in msg and "fewer" in msg


def test_list_wrong_values_points_at_the_first():
    ok, msg = list_verdict([n for n in NUMBERS if n % 2 == 1])  # forgot to double
    assert not ok and "4 of 4 items differ" in msg and "item 0: got 3, expected 6" in msg
    ok, msg = list_verdict([6, 22, 15, 2])
    assert not ok and "1 of 4 items differ" in msg and "item 2: got 15, expected 14" in msg


def test_list_right_items_in_another_order():
    ok, msg = list_verdict(sorted(ODD_DOUBLED))
    assert not ok and "another order" in msg


def test_list_items_that_cannot_be_compared_are_wrong_not_a_crash():
    ok, msg = list_verdict([torch.tensor([6, 6]), 22, 14, 2])
    assert not ok and "item 0" in msg


def test_checkpoint_passes_and_says_so(capsys):
    from helpers.checks import check_accuracy
    check_accuracy(torch.tensor(0.9712), at_least=0.968)
    assert capsys.readouterr().out.strip() == "✓ Checkpoint reached: accuracy is at least 0.968"


def test_checkpoint_missed_says_how_far_and_what_to_change():
    import pytest
    from helpers.checks import CheckpointError, check_accuracy
    with pytest.raises(CheckpointError, match=r"accuracy 0.9660 is below the expected 0.968: 0.20 percentage "
                                              r"points short, about 5 of the 2,038 images\. Running it again gives "
                                              r"the same number .* so change something: train for more epochs"):
        check_accuracy(0.966, at_least=0.968, n=2038)
    with pytest.raises(CheckpointError, match="change something: use batch 128") as e:
        check_accuracy(0.5, at_least=0.968, advice="use batch 128")
    assert "Re-run the notebook" not in str(e.value)
    assert CheckpointError("x")._render_traceback_() == ["✗ Checkpoint missed: x"]


# Not an accuracy: each must be rejected, with the kind of message it gets.
NOT_AN_ACCURACY = [
    (float("nan"), "NaN: training diverged. Lower the learning rate"),
    (float("inf"), "inf: not an accuracy"),
    (float("-inf"), "-inf: not an accuracy"),
    (97.0, "is it a percentage"),
    (99.5, "is it a percentage"),
    (2017, "count of right answers"),
    (-0.1, "lies between 0 and 1"),
    (True, "yes/no value"),
    (torch.tensor(True), "yes/no value"),
    ("0.99", "should be a number, got str"),
    ("high", "should be a number, got str"),
    (None, "should be a number, got NoneType"),
    ([0.99], "should be a number, got list"),
    (torch.tensor([0.98, 0.99]), "one number, got a tensor of shape \\(2,\\)"),
]


@pytest.mark.parametrize("acc,kind", NOT_AN_ACCURACY, ids=[repr(a) for a, _ in NOT_AN_ACCURACY])
def test_checkpoint_rejects_what_is_not_an_accuracy(acc, kind, capsys):
    from helpers.checks import CheckpointError, check_accuracy
    with pytest.raises(CheckpointError, match=kind):
        check_accuracy(acc, at_least=0.9)
    assert "reached" not in capsys.readouterr().out


@pytest.mark.parametrize("acc", [0.97, torch.tensor(0.97), torch.tensor([0.97]), np.float32(0.97), np.float64(0.97),
                                 torch.tensor(0.97, dtype=torch.bfloat16), 1, 1.0])
def test_checkpoint_accepts_every_form_of_a_right_accuracy(acc, capsys):
    from helpers.checks import check_accuracy
    check_accuracy(acc, at_least=0.968)
    assert capsys.readouterr().out.startswith("✓ Checkpoint reached")


def test_checkpoint_records_figure_and_floor_even_when_missed(tmp_path, monkeypatch):
    import json
    from helpers.checks import CheckpointError, check_accuracy
    rec = tmp_path / "rec.jsonl"
    monkeypatch.setenv("DIGITS_BENCH_FILE", str(rec))
    check_accuracy(0.99, at_least=0.98, seconds=3.5)
    with pytest.raises(CheckpointError):
        check_accuracy(0.5, at_least=0.98, what="fastai's accuracy")
    lines = [json.loads(line) for line in rec.read_text().splitlines()]
    assert lines == [{"what": "accuracy", "value": 0.99, "floor": 0.98},
                     {"what": "training seconds", "value": 3.5, "floor": None},
                     {"what": "fastai's accuracy", "value": 0.5, "floor": 0.98}]


# check_pairs (introduced in 04_mnist_loss): the zip exercise

PAIRS = [(1, "a"), (2, "b"), (3, "c"), (4, "d")]


def pairs_verdict(got):
    v = check_pairs(got, PAIRS)
    return bool(v), repr(v)


def test_pairs_right_answer():
    ok, msg = pairs_verdict(list(zip([1, 2, 3, 4], "abcd")))
    assert ok and msg == "✓ Right! pairs is [(1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')]: one (x, y) tuple per position."


def test_pairs_not_answered():
    ok, msg = pairs_verdict(None)
    assert not ok and "still None" in msg


def test_pairs_zip_object_and_other_kinds():
    ok, msg = pairs_verdict(zip([1, 2, 3, 4], "abcd"))
    assert not ok and "is a zip, not a list" in msg and "list(...)" in msg
    ok, msg = pairs_verdict(dict(PAIRS))
    assert not ok and "is a dict, not a list" in msg
    ok, msg = pairs_verdict("1a2b3c4d")
    assert not ok and "is a str, not a list" in msg


def test_pairs_wrong_length():
    ok, msg = pairs_verdict(PAIRS[:3])
    assert not ok and "has 3 items, expected 4" in msg and "shorter input" in msg
    ok, msg = pairs_verdict(PAIRS + [(5, "e")])
    assert not ok and "has 5 items, expected 4" in msg


def test_pairs_items_that_are_not_2_tuples():
    ok, msg = pairs_verdict([list(p) for p in PAIRS])
    assert not ok and "item 0 of pairs is a list" in msg and "zip gives tuples" in msg
    ok, msg = pairs_verdict([p + (0,) for p in PAIRS])
    assert not ok and "has 3 parts, expected 2" in msg


def test_pairs_the_wrong_way_round():
    ok, msg = pairs_verdict(list(zip("abcd", [1, 2, 3, 4])))
    assert not ok and "wrong way round" in msg and "('a', 1)" in msg


def test_check_zip_is_the_exercise():
    from helpers.checks import check_zip
    assert check_zip(list(zip([1, 2, 3, 4], "abcd"))) and not check_zip(list(zip("abcd", [1, 2, 3, 4])))


def test_pairs_wrong_values_point_at_the_first():
    ok, msg = pairs_verdict([(1, "a"), (2, "b"), (3, "x"), (4, "d")])
    assert not ok and "1 of 4 pairs are wrong" in msg and "item 2: got (3, 'x'), expected (3, 'c')" in msg


# check_sgd_step (introduced in 05_minibatches): the training-loop exercise


def sgd_verdict(fn):
    v = check_sgd_step(fn)
    return bool(v), repr(v)


def right_step(xb, yb, model, params, lr):
    loss = mnist_loss(model(xb), yb)
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
        p.grad.zero_()


def test_sgd_right_answers():
    ok, msg = sgd_verdict(right_step)
    assert ok and msg.startswith("✓ Right! 3 steps") and "the loss fell from 0.4601 to 0.4594" in msg

    def with_no_grad(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb).backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
    assert sgd_verdict(with_no_grad)[0]

    def zero_first(xb, yb, model, params, lr):
        for p in params:
            if p.grad is not None:
                p.grad.zero_()
        mnist_loss(model(xb), yb).backward()
        for p in params:
            p.data -= lr * p.grad
    assert sgd_verdict(zero_first)[0]


def test_sgd_not_written_yet():
    def sgd_step(xb, yb, model, params, lr):
        ...
    ok, msg = sgd_verdict(sgd_step)
    assert not ok and "not written yet" in msg
    assert "still None" in sgd_verdict(None)[1]
    assert "not a function but a int" in sgd_verdict(3)[1]


def test_sgd_forgot_to_zero_the_gradients():
    def never_zeroed(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb).backward()
        for p in params:
            p.data -= lr * p.grad
    ok, msg = sgd_verdict(never_zeroed)
    assert not ok and "move more and more" in msg and "0.0048, 0.0095, 0.0143" in msg and "zero" in msg


def test_sgd_stepped_uphill():
    def uphill(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb).backward()
        for p in params:
            p.data += lr * p.grad
            p.grad.zero_()
    ok, msg = sgd_verdict(uphill)
    assert not ok and "the loss went up, from 0.4601 to 0.4603" in msg and "uphill" in msg


def test_sgd_forgot_data_or_no_grad():
    def in_place(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb).backward()
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
    ok, msg = sgd_verdict(in_place)
    assert not ok and "leaf Variable" in msg and "p.data -= lr * p.grad" in msg and "torch.no_grad()" in msg


def test_sgd_other_mistakes():
    def no_lr(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb).backward()
        for p in params:
            p.data -= p.grad
            p.grad.zero_()
    assert "10 times too long" in sgd_verdict(no_lr)[1]

    def rebinds(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb).backward()
        for p in params:
            p = p - lr * p.grad
    assert "did not move" in sgd_verdict(rebinds)[1] and "new tensor" in sgd_verdict(rebinds)[1]

    def zero_too_soon(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb).backward()
        for p in params:
            p.grad.zero_()
            p.data -= lr * p.grad
    assert "zeroed the gradients before using them" in sgd_verdict(zero_too_soon)[1]

    def no_backward(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb)
        for p in params:
            p.data -= lr * p.grad
    assert "still None" in sgd_verdict(no_backward)[1] and "loss.backward()" in sgd_verdict(no_backward)[1]

    def weights_only(xb, yb, model, params, lr):
        mnist_loss(model(xb), yb).backward()
        params[0].data -= lr * params[0].grad
        params[0].grad.zero_()
    assert "bias did not" in sgd_verdict(weights_only)[1]

    def other_loss(xb, yb, model, params, lr):
        ((model(xb) - yb) ** 2).mean().backward()
        for p in params:
            p.data -= lr * p.grad
            p.grad.zero_()
    assert "not as one SGD step" in sgd_verdict(other_loss)[1]

    def typo(xb, yb, model, params, lr):
        mnist_los(model(xb), yb)  # noqa: F821
    assert "name 'mnist_los' is not defined" in sgd_verdict(typo)[1]


# --- check_relu (07_relu_net) ---------------------------------------------------------------

GRID = torch.linspace(-2, 2, 41)


def relu_verdict(got):
    from helpers.checks import check_relu
    v = check_relu(got, GRID)
    return bool(v), repr(v)


def test_relu_right_answers():
    for got in (GRID.max(torch.tensor(0.0)), torch.where(GRID > 0, GRID, 0.0), GRID * (GRID > 0),
                (GRID + GRID.abs()) / 2, torch.nn.functional.relu(GRID)):
        ok, msg = relu_verdict(got)
        assert ok and msg.startswith("✓ Right! relu_values is 0 wherever x is negative")


def test_relu_not_answered_or_not_a_tensor():
    ok, msg = relu_verdict(None)
    assert not ok and "still None" in msg
    ok, msg = relu_verdict([max(v, 0) for v in GRID.tolist()])
    assert not ok and "is a list, not a tensor" in msg


def test_relu_max_with_a_plain_zero_is_explained():
    ok, msg = relu_verdict(GRID.max(0))  # the largest value along axis 0, not max(x, 0)
    assert not ok and "`.max(0)`" in msg and "largest number along axis 0" in msg


def test_relu_true_false_and_whole_numbers():
    ok, msg = relu_verdict(GRID > 0)
    assert not ok and "holds True/False" in msg
    ok, msg = relu_verdict(GRID.clamp(min=0).int())
    assert not ok and "whole numbers" in msg


def test_relu_wrong_shape():
    ok, msg = relu_verdict(GRID.clamp(min=0)[:20])
    assert not ok and "has shape (20,), expected (41,)" in msg
    ok, msg = relu_verdict(GRID.clamp(min=0).sum())
    assert not ok and "has shape ()" in msg and "single number" in msg


def test_relu_negative_part_kept_flipped_or_wrong():
    ok, msg = relu_verdict(GRID.clone())
    assert not ok and msg.startswith("✗ you kept the negative part: at x = -2 relu_values is -2")
    ok, msg = relu_verdict(GRID.abs())
    assert not ok and "became positive (like abs)" in msg and "at x = -2 relu_values is 2" in msg
    ok, msg = relu_verdict(GRID.clamp(min=0) - 0.5 * (GRID < -1))
    assert not ok and "the negative part is wrong: at x = -2 relu_values is -0.5" in msg


def test_relu_positive_part_changed():
    ok, msg = relu_verdict(torch.zeros(41))
    assert not ok and "positive numbers changed: at x = 0.1 relu_values is 0" in msg and "should be 0.1" in msg
    ok, msg = relu_verdict(2 * GRID.clamp(min=0))
    assert not ok and "at x = 0.1 relu_values is 0.2" in msg


# --- check_error_rate (06_optimizer) ---------------------------------------------------------


def error_rate_verdict(fn):
    v = check_error_rate(fn)
    return bool(v), repr(v)


def test_error_rate_right_answers():
    for fn in [lambda p, t: ((p > 0.0) != t).float().mean(),
               lambda p, t: 1 - ((p.sigmoid() > 0.5) == t).float().mean(),
               lambda p, t: float(((p > 0) != t).float().mean())]:
        ok, msg = error_rate_verdict(fn)
        assert ok and msg.startswith("✓ Right! error_rate gives 0.3"), msg


def test_error_rate_not_written():
    for fn in [None, 0.3]:
        ok, msg = error_rate_verdict(fn)
        assert not ok and "not a function yet" in msg
    ok, msg = error_rate_verdict(lambda p, t: None)
    assert not ok and "returns None" in msg


def test_error_rate_errors_are_explained():
    ok, msg = error_rate_verdict(lambda p, t: ((p > 0) != t).mean())
    assert not ok and "True/False" in msg and ".float()" in msg
    ok, msg = error_rate_verdict(lambda p, t: undefined_name)  # noqa: F821
    assert not ok and "does not exist here" in msg


def test_error_rate_kinds_of_wrong():
    cases = {"one per image": lambda p, t: ((p > 0) != t).float(),
             "the accuracy (the share right)": lambda p, t: ((p > 0) == t).float().mean(),
             "split at 0.5": lambda p, t: ((p > 0.5) != t).float().mean(),
             "the accuracy with the raw outputs split at 0.5": lambda p, t: ((p > 0.5) == t).float().mean(),
             "the number of wrong answers: divide": lambda p, t: ((p > 0) != t).sum(),
             "the number of wrong answers, with the raw outputs split at 0.5":
                 lambda p, t: ((p > 0.5) != t).sum().item(),
             "expected 0.3": lambda p, t: ((p > 1.0) != t).float().mean(),
             "whatever the labels are": lambda p, t: torch.tensor(0.25),
             "whatever the labels are (the same": lambda p, t: (p > 0).float().mean(),   # ignores the targets
             "gives 0.3 on the test batch, but": lambda p, t: torch.tensor(0.3) if t[0] == 0 else torch.tensor(0.5),
             "gives a str": lambda p, t: "0.3",
             "gives a bool": lambda p, t: True,
             "gives nan": lambda p, t: float("nan"),
             "gives inf": lambda p, t: ((p > 0) != t).float().sum() / 0}
    for expected, fn in cases.items():
        ok, msg = error_rate_verdict(fn)
        assert not ok and expected in msg, (expected, msg)


@pytest.mark.parametrize("form", [lambda p, t: ((p > 0.0).float() != t).float().mean(),
                                  lambda p, t: 1 - ((p > 0) == t).float().mean(),
                                  lambda p, t: ((p > 0).long() != t).sum().item() / len(t),
                                  lambda p, t: np.float32(((p > 0).float() != t).float().mean().item()),
                                  lambda p, t: np.float64(0.0) + ((p > 0).float() != t).float().mean().numpy()])
def test_error_rate_equivalent_right_forms(form):
    ok, msg = error_rate_verdict(form)
    assert ok, msg



# --- the coding exercises of 11_review ---------------------------------------------------------

T9 = torch.arange(1, 10).view(3, 3)


def grid_verdict(t, corner):
    v = check_grid(t, corner)
    return bool(v), repr(v)


def test_grid_right_answers():
    for t in (T9, torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), torch.arange(1, 10, dtype=torch.int32).view(3, 3)):
        for corner in ((t * 2)[1:, 1:], (t * 2)[-2:, -2:], t[1:, 1:] * 2):
            ok, msg = grid_verdict(t, corner)
            assert ok and msg.startswith("✓ Right! t holds 1 to 9") and "[[10, 12], [16, 18]]" in msg


def test_grid_not_done_yet():
    assert "t is still None" in grid_verdict(None, None)[1]
    ok, msg = grid_verdict(T9, None)
    assert not ok and "t is right. corner is still None" in msg


def test_grid_not_a_tensor():
    ok, msg = grid_verdict([[1, 2, 3], [4, 5, 6], [7, 8, 9]], None)
    assert not ok and "t is a Python list, not a tensor" in msg and "torch.tensor" in msg
    ok, msg = grid_verdict(np.arange(1, 10).reshape(3, 3), None)
    assert not ok and "t is a ndarray, not a tensor" in msg
    ok, msg = grid_verdict(T9, [[10, 12], [16, 18]])
    assert not ok and "corner is a list, not a tensor" in msg


def test_grid_wrong_shape():
    ok, msg = grid_verdict(torch.arange(1, 10), None)
    assert not ok and "shape (9,)" in msg and ".view(3, 3)" in msg
    ok, msg = grid_verdict(torch.arange(1, 17).view(4, 4), None)
    assert not ok and "shape (4, 4) (16 numbers), expected (3, 3)" in msg
    ok, msg = grid_verdict(T9, T9 * 2)
    assert not ok and "all of t doubled" in msg and "[1:, 1:]" in msg
    ok, msg = grid_verdict(T9, (T9 * 2)[2:, 2:])
    assert not ok and "single number" in msg and "stops just before" in msg
    ok, msg = grid_verdict(T9, (T9 * 2)[2, 1:])
    assert not ok and "shape (2,), one axis" in msg
    ok, msg = grid_verdict(T9, (T9 * 2)[:, 1:])
    assert not ok and "shape (3, 2), expected (2, 2)" in msg


def test_grid_wrong_kind_of_number():
    ok, msg = grid_verdict(torch.linspace(1, 9, 9).view(3, 3), None)
    assert not ok and "t holds decimals (float32)" in msg and "whole numbers" in msg
    ok, msg = grid_verdict(T9 > 0, None)
    assert not ok and "True/False" in msg
    ok, msg = grid_verdict(T9, (T9 * 2.0)[1:, 1:])
    assert not ok and "corner holds decimals (float32)" in msg and "t * 2" in msg


def test_grid_wrong_values():
    ok, msg = grid_verdict(torch.arange(9).view(3, 3), None)
    assert not ok and "t holds 0 to 8" in msg and "stops just before 10" in msg
    ok, msg = grid_verdict(T9.T, None)
    assert not ok and "column by column" in msg
    ok, msg = grid_verdict(T9 * 2, None)
    assert not ok and "already doubled" in msg
    wrong = T9.clone()
    wrong[2, 0] = 0
    ok, msg = grid_verdict(wrong, None)
    assert not ok and "at index (2, 0) it holds 0, expected 7" in msg
    ok, msg = grid_verdict(T9, T9[1:, 1:])
    assert not ok and "not doubled" in msg
    ok, msg = grid_verdict(T9, (T9 * 2)[:2, :2])
    assert not ok and "the top-left 2×2" in msg and "[-2:, -2:]" in msg
    ok, msg = grid_verdict(T9, (T9 * 2)[1:, :2])
    assert not ok and "the bottom-left 2×2" in msg
    ok, msg = grid_verdict(T9, (T9 ** 2)[1:, 1:])
    assert not ok and "holds [[25, 36], [64, 81]], expected [[10, 12], [16, 18]]" in msg


def relu_fn_verdict(fn):
    v = check_relu_function(fn, plot=False)
    return bool(v), repr(v)


def test_relu_function_right_answers():
    for fn in (lambda x: torch.where(x > 0, x, 0.0), lambda x: x.clamp(min=0), lambda x: x * (x > 0),
               lambda x: x.max(torch.tensor(0.0)), torch.relu):
        ok, msg = relu_fn_verdict(fn)
        assert ok and msg.startswith("✓ Right! relu(x) is 0 wherever x is negative"), msg


def test_relu_function_draws_its_plot_when_right():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.close("all")
    assert check_relu_function(lambda x: x.clamp(min=0))
    ax = plt.gcf().axes[0]
    assert ax.get_title() == "your relu on [−2, 2]" and ax.get_xlabel() == "x" and len(ax.lines) == 1
    plt.close("all")
    assert not check_relu_function(lambda x: x) and not plt.get_fignums()  # no plot for a wrong answer


def test_relu_function_not_written():
    assert "relu is still None" in relu_fn_verdict(None)[1]
    assert "is a int, not a function" in relu_fn_verdict(3)[1]
    ok, msg = relu_fn_verdict(lambda x: None)
    assert not ok and "relu returns None" in msg


def test_relu_function_that_raises_is_explained():
    def with_if(x):
        return x if x > 0 else 0
    ok, msg = relu_fn_verdict(with_if)
    assert not ok and "`if x > 0`" in msg and "torch.where" in msg
    ok, msg = relu_fn_verdict(lambda x: max(x, 0))
    assert not ok and "max(x, 0) look at one number" in msg
    ok, msg = relu_fn_verdict(lambda x: undefined_relu(x))  # noqa: F821
    assert not ok and "does not exist here" in msg
    ok, msg = relu_fn_verdict(lambda x: x.relu_not_a_method())
    assert not ok and "relu(x) stopped with AttributeError" in msg


def test_relu_function_in_place_is_caught():
    ok, msg = relu_fn_verdict(lambda x: x.clamp_(min=0))
    assert not ok and "changed x itself (in place" in msg

    def zero_negatives(x):
        x[x < 0] = 0
        return x
    assert "in place" in relu_fn_verdict(zero_negatives)[1]


def test_relu_function_wrong_shape_kind_and_values():
    ok, msg = relu_fn_verdict(lambda x: x.clamp(min=0).sum())
    assert not ok and "has shape ()" in msg
    ok, msg = relu_fn_verdict(lambda x: x.clamp(min=0).long())
    assert not ok and "whole numbers" in msg
    ok, msg = relu_fn_verdict(lambda x: x > 0)
    assert not ok and "True/False" in msg
    ok, msg = relu_fn_verdict(lambda x: x.abs())
    assert not ok and "like abs" in msg
    ok, msg = relu_fn_verdict(lambda x: x.tolist())
    assert not ok and "is a list, not a tensor" in msg


# check_train_epoch: the training-loop exercise

def epoch_verdict(fn):
    v = check_train_epoch(fn)
    return bool(v), repr(v)


def right_epoch(model, dl, opt, loss_func):
    for xb, yb in dl:
        loss = loss_func(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()


def test_train_epoch_right_answers():
    ok, msg = epoch_verdict(right_epoch)
    assert ok and msg.startswith("✓ Right! One epoch over 3 mini-batches")

    def zero_first(model, dl, opt, loss_func):
        for xb, yb in dl:
            opt.zero_grad()
            loss_func(model(xb), yb).backward()
            opt.step()
    assert epoch_verdict(zero_first)[0]

    def model_zero_grad_and_prints(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss = loss_func(model(xb), yb)
            loss.backward()
            opt.step()
            model.zero_grad()
            print("loss", loss.item())  # swallowed by the check
    assert epoch_verdict(model_zero_grad_and_prints)[0]


def test_train_epoch_not_written():
    for fn in (None, "train_epoch"):
        ok, msg = epoch_verdict(fn)
        assert not ok and "not a function yet" in msg

    def train_epoch(model, dl, opt, loss_func):
        ...
    ok, msg = epoch_verdict(train_epoch)
    assert not ok and "not written yet" in msg and "never called loss_func" in msg


def test_train_epoch_that_raises_is_explained():
    def train_epoch(model, dl, opt):
        pass
    ok, msg = epoch_verdict(train_epoch)
    assert not ok and "should take four things" in msg and "(model, dl, opt, loss_func)" in msg

    def swapped(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss_func(yb, model(xb))
    ok, msg = epoch_verdict(swapped)
    assert not ok and "predictions first and the labels second" in msg

    def in_place(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss_func(model(xb), yb).backward()
            for p in model.parameters():
                p -= 0.5 * p.grad
    ok, msg = epoch_verdict(in_place)
    assert not ok and "leaf Variable" in msg

    def typo(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss_fn(model(xb), yb)  # noqa: F821
    ok, msg = epoch_verdict(typo)
    assert not ok and "does not exist here" in msg and "loss_fn" in msg


def test_train_epoch_kinds_of_wrong_loops():
    def no_step(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss_func(model(xb), yb).backward()
            opt.zero_grad()
    assert "never steps" in epoch_verdict(no_step)[1]

    def no_backward(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss_func(model(xb), yb)
            opt.step()
            opt.zero_grad()
    assert "no gradients to step with: call loss.backward() first" in epoch_verdict(no_backward)[1]

    def zero_before_step(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss_func(model(xb), yb).backward()
            opt.zero_grad()
            opt.step()
    assert "zeroes the gradients just before each step" in epoch_verdict(zero_before_step)[1]

    def never_zeroed(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss_func(model(xb), yb).backward()
            opt.step()
    ok, msg = epoch_verdict(never_zeroed)
    assert not ok and "never zeroes the gradients" in msg

    def step_after_loop(model, dl, opt, loss_func):
        for xb, yb in dl:
            loss_func(model(xb), yb).backward()
        opt.step()
        opt.zero_grad()
    assert "one step for the whole epoch" in epoch_verdict(step_after_loop)[1]

    def first_batch_only(model, dl, opt, loss_func):
        xb, yb = dl[0]
        loss_func(model(xb), yb).backward()
        opt.step()
        opt.zero_grad()
    assert "looked at 1 of the 3 training batches" in epoch_verdict(first_batch_only)[1]

    def other_loss(model, dl, opt, loss_func):
        for xb, yb in dl:
            ((model(xb) - yb) ** 2).mean().backward()
            opt.step()
            opt.zero_grad()
    ok, msg = epoch_verdict(other_loss)
    assert not ok and "not as one epoch of SGD would" in msg


# check_learner: "your own Learner"

class RightLearner:
    def __init__(self, dls, model, opt_func, loss_func, metric):
        self.dls, self.model, self.opt_func, self.loss_func, self.metric = dls, model, opt_func, loss_func, metric

    def fit(self, epochs, lr):
        self.opt = self.opt_func(self.model.parameters(), lr)
        for epoch in range(epochs):
            self.train_epoch()
            print(epoch, self.validate())

    def train_epoch(self):
        for xb, yb in self.dls.train:
            self.loss_func(self.model(xb), yb).backward()
            self.opt.step()
            self.opt.zero_grad()

    def validate(self):
        with torch.no_grad():
            return float(torch.stack([self.metric(self.model(xb), yb) for xb, yb in self.dls.valid]).mean())


def learner_verdict(cls):
    v = check_learner(cls)
    return bool(v), repr(v)


def variant(**methods):
    return type("Learner", (RightLearner,), methods)


def test_learner_right_answers(capsys):
    ok, msg = learner_verdict(RightLearner)
    assert ok and msg.startswith("✓ Right! fit(2, 0.5) trained exactly as 2 epochs of SGD")
    assert capsys.readouterr().out == ""  # the student's table is not printed under the check
    from helpers.learner import Learner  # the series' own, from 06_optimizer
    assert learner_verdict(Learner)[0]


def test_learner_not_written():
    assert "still None" in learner_verdict(None)[1]
    assert "is a int, not a class" in learner_verdict(5)[1]

    class Learner:
        def __init__(self, dls, model, opt_func, loss_func, metric): ...
        def fit(self, epochs, lr): ...
    ok, msg = learner_verdict(Learner)
    assert not ok and "Learner.fit is not written yet" in msg


def test_learner_that_cannot_be_built_or_raises_is_explained():
    class TooFew:
        def __init__(self, dls, model): ...
    ok, msg = learner_verdict(TooFew)
    assert not ok and "should take the five things" in msg and "positional arguments" in msg

    class NoFit:
        def __init__(self, *args): ...
    assert "has no fit method" in learner_verdict(NoFit)[1]

    def fit(self, epochs, lr):
        for xb, yb in self.dls.train:
            self.loss_func(self.model(xb), yb).backward()
            self.opt.step()
    ok, msg = learner_verdict(variant(fit=fit))
    assert not ok and "uses self.opt before making it" in msg

    def fit_wrong_name(self, epochs, lr):
        self.opt = self.opt_func(self.model.parameters(), lr)
        for xb, yb in self.dls.training:
            pass
    ok, msg = learner_verdict(variant(fit=fit_wrong_name))
    assert not ok and "dls.train" in msg and "'training'" in msg

    def broken_init(self, dls, model, opt_func, loss_func, metric):
        raise ValueError("oops")
    ok, msg = learner_verdict(variant(__init__=broken_init))
    assert not ok and "stopped with ValueError: oops" in msg


def test_learner_kinds_of_wrong_training():
    def one_epoch(self, epochs, lr):
        self.opt = self.opt_func(self.model.parameters(), lr)
        self.train_epoch()
        self.validate()
    assert "one epoch only" in learner_verdict(variant(fit=one_epoch))[1]

    def also_valid(self):
        for xb, yb in list(self.dls.train) + list(self.dls.valid):
            self.loss_func(self.model(xb), yb).backward()
            self.opt.step()
            self.opt.zero_grad()
    assert "also trained on the validation batches" in learner_verdict(variant(train_epoch=also_valid))[1]

    def never_zeroed(self):
        for xb, yb in self.dls.train:
            self.loss_func(self.model(xb), yb).backward()
            self.opt.step()
    assert "never zeroes the gradients" in learner_verdict(variant(train_epoch=never_zeroed))[1]

    def fixed_lr(self, epochs, lr):
        self.opt = self.opt_func(self.model.parameters(), 0.1)
        for _ in range(epochs):
            self.train_epoch()
            self.validate()
    ok, msg = learner_verdict(variant(fit=fixed_lr))
    assert not ok and "made its optimizer with lr = 0.1" in msg

    def no_step(self):
        for xb, yb in self.dls.train:
            self.loss_func(self.model(xb), yb).backward()
            self.opt.zero_grad()
    assert "never steps" in learner_verdict(variant(train_epoch=no_step))[1]

    def swapped(self):
        for xb, yb in self.dls.train:
            self.loss_func(yb, self.model(xb))
    assert "labels first" in learner_verdict(variant(train_epoch=swapped))[1]


def test_learner_that_never_measures_on_the_validation_set():
    ok, msg = learner_verdict(variant(validate=lambda self: None))
    assert not ok and "never measures on the validation batches" in msg

    def on_training_batches(self):
        with torch.no_grad():
            return [self.metric(self.model(xb), yb) for xb, yb in self.dls.train]
    assert "never measures on the validation batches" in learner_verdict(variant(validate=on_training_batches))[1]


# check_exact (02_pixel_similarity): figures nothing random changes
EXACT = {"3s": 0.9168, "7s": 0.9854, "mean": 0.9511}


def test_exact_checkpoint_passes_on_equal_figures_in_any_number_type(capsys):
    from helpers.checks import check_exact
    check_exact({"3s": torch.tensor(0.91683), "7s": np.float32(0.9854), "mean": 0.95112}, EXACT)
    assert capsys.readouterr().out.startswith("✓ Checkpoint reached: 3s 0.9168, 7s 0.9854, mean 0.9511")


@pytest.mark.parametrize("got,kind", [({"3s": 0.9167, "7s": 0.9854, "mean": 0.9511}, "3s is 0.9167, expected 0.9168"),
                                      ({"3s": float("nan"), "7s": 0.9854, "mean": 0.9511}, "3s is nan"),
                                      ({"7s": 0.9854, "mean": 0.9511}, "3s is None, not a number"),
                                      ({"3s": "0.9168", "7s": 0.9854, "mean": 0.9511}, "3s is '0.9168', not a number"),
                                      ({"3s": True, "7s": 0.9854, "mean": 0.9511}, "3s is True, not a number"),
                                      ([0.9168, 0.9854, 0.9511], "not a number")])
def test_exact_checkpoint_rejects_what_differs(got, kind):
    from helpers.checks import CheckpointError, check_exact
    with pytest.raises(CheckpointError, match=kind.replace("(", r"\(")):
        check_exact(got, EXACT)
