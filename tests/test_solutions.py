"""Solutions on request: a hint after the first wrong answer, the way to the worked solution after the
second, and show_solution only after a real try; every exercise in the notebooks has both."""
import json
import re
from pathlib import Path

import torch

from helpers import solutions
from helpers.checks import check_list, check_relu, check_relu_function, check_sgd_step, show_solution

ROOT = Path(__file__).resolve().parent.parent


def test_hint_after_the_first_wrong_answer_then_the_way_to_the_solution():
    x = torch.linspace(-2, 2, 41)
    first, second = check_relu(x.abs(), x), check_relu(x.abs(), x)
    hint = solutions.load()["relu_values"]["hint"]
    assert not first and first.message.endswith(f"Hint: {hint}")
    assert not second and second.message.endswith('Stuck? show_solution("relu_values") shows a worked solution.')
    right = check_relu(x.clamp(min=0), x)
    assert right and "Hint" not in right.message and "Stuck" not in right.message


def test_a_blank_answer_is_no_try():
    assert "still None" in repr(check_relu(None, torch.linspace(-2, 2, 41)))
    v = show_solution("relu_values")
    assert not v and "Have a go first" in v.message


def test_solution_only_after_a_try_and_shown_as_markdown():
    assert "Have a go first" in repr(show_solution("odd_doubled"))
    check_list([6, 22, 14], [6, 22, 14, 2], name="odd_doubled")
    shown = show_solution("odd_doubled")
    assert "[2 * n for n in numbers if n % 2 == 1]" in shown._repr_markdown_()
    assert repr(shown).startswith("A worked solution for odd_doubled:")


def test_a_right_answer_also_unlocks_the_solution_to_compare():
    def sgd_step(xb, yb, model, params, lr):
        solutions_loss = ((model(xb).sigmoid() - yb.float()) ** 2).mean()  # not mnist_loss: wrong
        solutions_loss.backward()
        for p in params:
            p.data -= lr * p.grad
            p.grad.zero_()
    assert not check_sgd_step(sgd_step)
    assert "def sgd_step" in show_solution("sgd_step")._repr_markdown_()


def test_nested_checks_count_once_under_the_outer_name():
    check_relu_function(lambda x: x.abs())
    assert solutions.tries == {"relu": 1}


def test_unknown_exercise_is_named():
    v = show_solution("bottom_row")
    assert not v and "no exercise called 'bottom_row'" in v.message and "bottom_rows" in v.message


def test_every_exercise_in_the_notebooks_has_a_hint_and_a_solution():
    entries = solutions.load()
    calls = {"check_zip": "pairs", "check_one_step_lr": "my_lr", "check_sgd_step": "sgd_step",
             "check_error_rate": "error_rate", "check_relu": "relu_values", "check_grid": "corner",
             "check_relu_function": "relu", "check_train_epoch": "train_epoch", "check_learner": "Learner"}
    found = set()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] != "code":
                continue
            for fn, key in calls.items():
                if re.search(rf"\b{fn}\(", src):
                    found.add(key)
            found |= set(re.findall(r"check_(?:tensor|list)\(.*name=\"(\w+)\"", src))
    assert found and found <= set(entries), found - set(entries)
    for key, e in entries.items():
        assert e["hint"].strip() and e["solution"].strip() and (ROOT / "notebooks" / e["notebook"]).exists(), key
