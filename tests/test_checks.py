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
