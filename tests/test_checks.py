"""helpers/checks.py: each kind of wrong answer gets its own message; a right one says so."""
import numpy as np
import torch

from helpers.checks import check_tensor

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
    wrong = T.clone(); wrong[1, 2, 3] = 0
    ok, msg = verdict(wrong)
    assert not ok and "1 of 60 values differ" in msg and "(1, 2, 3)" in msg and "expected 33" in msg


# check_list (introduced in 02_pixel_similarity): the list-comprehension exercise
from helpers.checks import check_list

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


def test_checkpoint_missed_raises_with_advice():
    import pytest
    from helpers.checks import CheckpointError, check_accuracy
    with pytest.raises(CheckpointError, match=r"accuracy 0.5000 is below the expected 0.968\. Re-run"):
        check_accuracy(0.5, at_least=0.968)
    with pytest.raises(CheckpointError, match="NaN: training diverged. Lower the learning rate"):
        check_accuracy(float("nan"), at_least=0.9)
    with pytest.raises(CheckpointError, match="should be a number, got str"):
        check_accuracy("high", at_least=0.9)
    assert CheckpointError("x")._render_traceback_() == ["✗ Checkpoint missed: x"]
