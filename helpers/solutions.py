"""Hints and worked solutions on request, for every "Try it" exercise (01-07 and 11_review).

The checks are wrapped with `exercise(...)`: after the first wrong answer a check adds a hint to its
message, after the second it points to `show_solution("id")`, which shows the worked solution once the
exercise has been tried (before that it says to have a go first). Hints and solutions live in
helpers/solutions.toml, keyed by the name of the answer each exercise asks for.
"""
import functools
import inspect
import tomllib
from pathlib import Path

from .verdict import Verdict


SOLUTIONS = Path(__file__).with_name("solutions.toml")
NOT_TRIED = ("still None", "not written yet", "not a function yet", "returns None")  # a blank answer is no try
tries = {}   # exercise id -> how many real answers were checked in this kernel
_depth = [0]


def load(path=SOLUTIONS):
    return tomllib.loads(path.read_text(encoding="utf-8"))


def exercise(default_id):
    """Wrap a check: its answer's id is its `name` argument when it has one, else `default_id`."""
    def wrap(check):
        sig = inspect.signature(check)

        @functools.wraps(check)
        def checked(*args, **kwargs):
            bound = sig.bind_partial(*args, **kwargs)
            key = bound.arguments.get("name") or (sig.parameters["name"].default if "name" in sig.parameters
                                                  else default_id)
            _depth[0] += 1
            try:
                verdict = check(*args, **kwargs)
            finally:
                _depth[0] -= 1
            if _depth[0] == 0 and isinstance(verdict, Verdict):
                _note(key, verdict)
            return verdict
        return checked
    return wrap


def _note(key, verdict):
    "Count a real try; on a wrong one, add the hint (first time) or the way to the solution (later)."
    if not verdict and any(s in verdict.message for s in NOT_TRIED):
        return
    tries[key] = tries.get(key, 0) + 1
    if verdict:
        return
    wrong = tries[key]
    entry = load().get(key)
    if entry is None:
        return
    if wrong == 1:
        verdict.message += f" Hint: {entry['hint']}"
    else:
        verdict.message += f' Stuck? show_solution("{key}") shows a worked solution.'


class Solution:
    "A worked solution: shown as Markdown in a notebook, as plain text elsewhere."

    def __init__(self, key, text):
        self.key, self.text = key, text.strip()

    def _repr_markdown_(self):
        return f"**A worked solution for `{self.key}`**\n\n{self.text}"

    def __repr__(self):
        return f"A worked solution for {self.key}:\n{self.text}"


def show_solution(key):
    """The worked solution of the exercise whose answer is called `key` ("bottom_rows", "sgd_step", ...),
    once it has been tried in this kernel; before that, a line that says to have a go first.
    Used in: 01_pixels, 02_pixel_similarity, 03_gradient_descent, 04_mnist_loss, 05_minibatches, 06_optimizer,
    07_relu_net, 11_review."""
    solutions = load()
    if key not in solutions:
        return Verdict(False, f"There is no exercise called {key!r}. The exercises are: {', '.join(solutions)}.")
    if not tries.get(key):
        return Verdict(False, f"Have a go first: write your answer in the exercise cell above and run it. After one "
                              f"try, run this cell again for a worked solution of {key}.")
    return Solution(key, solutions[key]["solution"])
