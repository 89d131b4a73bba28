"""The exercises keep their expected answers inside the checks: an exercise cell shows only the data
and the blank to fill, so copying a literal from the cell into the blank is never the way to pass.
Also the catalogues of wrong and right answers for check_bottom_rows and check_odd_doubled."""
import ast
import json
import re
from pathlib import Path

import pytest
import torch

from helpers.checks import check_bottom_rows, check_odd_doubled

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
BLANK = re.compile(r"^\s*\w+\s*=\s*None\s*#\s*your\b", re.M)   # `answer = None   # your ... here`


def exercise_cells():
    for path in NOTEBOOKS:
        for i, c in enumerate(json.loads(path.read_text())["cells"]):
            source = "".join(c["source"])
            if c["cell_type"] == "code" and BLANK.search(source):
                yield f"{path.stem} cell {i}", source


@pytest.mark.parametrize("where,source", list(exercise_cells()), ids=lambda v: v if " cell " in str(v) else "")
def test_no_check_call_in_an_exercise_cell_is_given_the_answer(where, source):
    """Every argument of a `check_…(…)` call in an exercise cell is a plain name (the student's answer
    or the data it is made from), or a keyword such as `name=` with a constant: never a slice, a list
    or a computation that is the expected answer."""
    calls = [n for n in ast.walk(ast.parse(source))
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id.startswith("check_")]
    assert calls, f"{where}: an exercise cell without a check"
    for call in calls:
        for arg in call.args:
            assert isinstance(arg, ast.Name), (
                f"{where}: {call.func.id} is given `{ast.unparse(arg)}`, which shows the expected answer: "
                "compute it inside the check")
        for kw in call.keywords:
            assert isinstance(kw.value, (ast.Constant, ast.Name)), f"{where}: {call.func.id}({kw.arg}=…)"


def test_the_catalogue_finds_the_known_exercise_cells():
    names = {where.split(" cell ")[0] for where, _ in exercise_cells()}
    assert {"01_pixels", "02_pixel_similarity", "11_review"} <= names


# --- check_bottom_rows (01_pixels) -------------------------------------------------------------------

@pytest.fixture
def threes():
    return torch.rand(30, 28, 28, generator=torch.Generator().manual_seed(3))


@pytest.mark.parametrize("answer", [lambda t: t[:10, -4:], lambda t: t[:10, 24:28], lambda t: t[0:10, 24:, :],
                                    lambda t: t[:10][:, -4:], lambda t: t.clone()[:10, -4:]])
def test_bottom_rows_right_answers_pass(threes, answer):
    assert check_bottom_rows(answer(threes), threes)


def test_bottom_rows_that_change_the_images_in_place_fail(threes):
    "Scaling the slice in place changes `stacked_threes` too, so the expected slice would agree: refused."
    answer = threes[:10, -4:].mul_(2)
    v = check_bottom_rows(answer, threes)
    assert not v and "in-place" in v.message


@pytest.mark.parametrize("answer", [lambda t: torch.zeros(10, 4, 28), lambda t: torch.full((10, 4, 28), float("nan")),
                                    lambda t: t[:10, -4:] + 1e-3])
def test_bottom_rows_constants_nan_and_near_misses_fail(threes, answer):
    assert not check_bottom_rows(answer(threes), threes)


@pytest.mark.parametrize("answer", [lambda t: None, lambda t: t[:10, :4], lambda t: t[:10, -5:], lambda t: t[:9, -4:],
                                    lambda t: t[:10, :, -4:], lambda t: t[-10:, -4:], lambda t: t[:10, -4:].tolist(),
                                    lambda t: t[:10, -4:].transpose(1, 2), lambda t: (t[:10, -4:] * 255).round()])
def test_bottom_rows_wrong_answers_fail(threes, answer):
    assert not check_bottom_rows(answer(threes), threes)


# --- check_odd_doubled (02_pixel_similarity, 11_review) ----------------------------------------------

@pytest.mark.parametrize("numbers", [[3, 8, 11, 4, 7, 10, 1], [5, 2, 9, 12, 1, 6, 7], [2, 4, 6], [-3, 0, 13, 13]])
def test_odd_doubled_right_answers_pass_on_any_numbers(numbers):
    assert check_odd_doubled([2 * n for n in numbers if n % 2 == 1], numbers)
    assert check_odd_doubled([n + n for n in numbers if n % 2], numbers)


@pytest.mark.parametrize("answer", [None, [6, 22, 14, 2], [16, 8, 20], [3, 11, 7, 1], [2, 14, 22, 6], (6, 22, 14, 2),
                                    [6, 22, 14], [6, 22, 14, 2, 2], [float("nan")] * 4, [6.5, 22, 14, 2]])
def test_odd_doubled_wrong_answers_fail(answer):
    """On other numbers than 02's, its literal [6, 22, 14, 2] is wrong too: only the comprehension passes."""
    numbers = [3, 8, 11, 4, 7, 10, 1] if answer != [6, 22, 14, 2] else [5, 2, 9, 12, 1, 6, 7]
    assert not check_odd_doubled(answer, numbers)


def test_the_exercises_numbers_cannot_be_changed_by_the_answer():
    """02 and 11 give `numbers` as a tuple: an answer cannot sort or change it in place, so the list the
    check expects is always made from the numbers the exercise gave."""
    for path in NOTEBOOKS:
        for c in json.loads(path.read_text())["cells"]:
            source = "".join(c["source"])
            if c["cell_type"] == "code" and "check_odd_doubled(" in source:
                assert re.search(r"^numbers = \(", source, re.M), f"{path.name}: numbers should be a tuple"
