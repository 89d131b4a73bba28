"""Notebook 10's ladder and its widgets, with small stand-in models (fast): every way in (the live
canvas, a picked test image, an upload) ends in the same answers; the pipeline checkpoint fails when
the preparation changes what a model reads."""
import ast
import datetime
import inspect
import json
from pathlib import Path

import pytest
import torch

from helpers import ladder
from helpers.checkpoint import CheckpointError
from helpers.handwriting import EXAMPLES


@pytest.fixture(scope="module")
def models():
    torch.manual_seed(0)
    x = (torch.rand(40, 28, 28) * 255).to(torch.uint8)
    y = torch.tensor([3, 7] * 20)
    cnn = ladder.Softmaxed("ten-digit CNN", "9", ladder.make_cnn().eval(), tuple(range(10)), lambda b: b[:, None])
    linear = ladder.ThreeOrSeven("linear model", "5", torch.nn.Linear(784, 1))
    return [ladder.MeanDigits(x, y), linear, cnn]


def test_every_model_answers_with_one_of_its_classes(models):
    img = torch.rand(28, 28)
    got = ladder.judge(models, img)
    assert [a.model for a in got] == ["mean 3 and mean 7", "linear model", "ten-digit CNN"]
    assert got[0].answer in (3, 7) and got[0].sure is None
    assert got[1].answer in (3, 7) and 0.5 <= got[1].sure <= 1
    assert got[2].answer in range(10) and abs(models[2].probs(img[None]).sum().item() - 1) < 1e-5


def test_accuracy_counts_only_3s_and_7s_for_the_two_digit_models(models):
    x, y = torch.rand(6, 28, 28), torch.tensor([3, 7, 1, 3, 5, 7])
    answers = models[1].answers(x[[0, 1, 3, 5]])
    assert ladder.accuracy(models[1], x, y) == pytest.approx((answers == y[[0, 1, 3, 5]]).float().mean().item())
    assert 0 <= ladder.accuracy(models[2], x, y) <= 1


def test_the_pipeline_checkpoint_fails_on_a_real_difference():
    ladder.check_pipeline({"a": (0.95, 0.954), "b": (0.99, 0.99)})
    for wrong in ({"a": (0.95, 0.94)}, {"a": (0.95, 0.95), "b": (0.99, 0.96)}, {"a": (0.90, 0.906)},
                  {"a": (0.95, float("nan"))}, {"a": (float("nan"), 0.95)}):
        with pytest.raises(CheckpointError, match="points"):
            ladder.check_pipeline(wrong)


def test_answers_html_names_the_last_models_reading(models):
    text = judge_widgets().answers_html(ladder.judge(models, torch.rand(28, 28)))
    assert "reads it as <b>" in text and "<script" not in text


def judge_widgets():
    from helpers import judge_widgets
    return judge_widgets


@pytest.mark.widgets
def test_live_panel_judges_every_stroke_and_says_so_when_cleared(models):
    from helpers.canvas import DrawCanvas
    canvas = DrawCanvas()
    panel, judged = judge_widgets().live_panel(models, canvas)
    assert judged.preview.value == b"" and "yet" in judged.answers.value
    canvas.strokes = EXAMPLES["3"]
    assert judged.preview.value[:4] == b"\x89PNG" and "reads it as" in judged.answers.value
    first = judged.preview.value
    canvas.strokes = EXAMPLES["5"]
    assert judged.preview.value != first
    canvas.clear()
    assert judged.answers.value == "Draw a digit in the box."


@pytest.mark.widgets
def test_the_live_panel_starts_from_a_drawing_already_there(models):
    from helpers.canvas import DrawCanvas
    canvas = DrawCanvas(strokes=EXAMPLES["3"])
    _, judged = judge_widgets().live_panel(models, canvas)
    assert "reads it as" in judged.answers.value


@pytest.mark.widgets
def test_pick_a_test_image_without_a_canvas(models):
    from helpers.canvas import rasterise
    from helpers.handwriting import to_mnist
    three, five = [(to_mnist(rasterise(EXAMPLES[d])) * 255).round().to(torch.uint8) for d in "35"]  # MNIST-like
    images, labels = torch.stack([three, five, three, five, three]), torch.tensor([3, 5, 3, 5, 3])
    box, pick, judged = judge_widgets().pick_panel(models, images, labels)
    assert "reads it as" in judged.answers.value
    pick.value = 1
    assert "its label: 5" in box.children[0].children[1].value


@pytest.mark.widgets
def test_an_empty_drawing_or_a_bad_upload_gets_a_message_not_a_traceback(models):
    jw = judge_widgets()
    judged = jw.Judged(models)
    assert judged.show(torch.zeros(280, 280, dtype=torch.uint8)) is None
    assert "No ink found" in judged.answers.value
    box, upload, judged = jw.upload_panel(models)
    try:
        upload.value = ({"name": "notes.txt", "type": "text/plain", "size": 5, "content": memoryview(b"hello"),
                         "last_modified": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)},)
    except Exception:   # ipywidgets 7 keeps a dict: set it the way that version stores an upload
        upload.set_trait("value", {"notes.txt": {"content": b"hello", "metadata": {"name": "notes.txt"}}})
    assert "not a picture" in judged.answers.value


@pytest.mark.widgets
def test_panels_saved_without_a_kernel_say_how_to_bring_them_back(models):
    """Where no front end draws a widget (a reloaded page, GitHub), its text/plain is what shows: a
    line that says to run the cell, not `HBox(children=…)`."""
    from helpers.canvas import DrawCanvas
    from helpers.judge_widgets import live_panel, pick_panel, upload_panel
    boxes = [live_panel(models, DrawCanvas())[0], upload_panel(models)[0],
             pick_panel(models, torch.zeros(3, 28, 28, dtype=torch.uint8), torch.tensor([1, 2, 3]))[0]]
    for box in boxes:
        assert "run this cell" in repr(box) and "children" not in repr(box)


def test_the_ladders_cnn_is_notebook_9s():
    "ladder.make_cnn repeats notebook 9's make_model: the same layers, the same 45,274 parameters 09 prints."
    nb = json.loads((Path(__file__).parent.parent / "notebooks" / "09_full_mnist.ipynb").read_text())
    printed = [o.get("text", "") for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
               if "parameters," in "".join(o.get("text", ""))]
    assert printed and "".join(printed[0]).startswith("45,274 parameters")
    assert sum(p.numel() for p in ladder.make_cnn().parameters()) == 45_274


def _code_without_docstring(fn):
    "The code of function node `fn` as ast.unparse writes it (comments dropped), without its docstring."
    if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant):
        fn.body = fn.body[1:]
    return ast.unparse(fn)


def test_the_ladders_shifts_are_notebook_9s():
    "ladder.shift_randomly is the code of 09's shift_randomly (docstrings aside), and moves each image by ≤ 1 pixel."
    nb = json.loads((Path(__file__).parent.parent / "notebooks" / "09_full_mnist.ipynb").read_text())
    theirs = [n for c in nb["cells"] if c["cell_type"] == "code" for n in ast.parse("".join(c["source"])).body
              if isinstance(n, ast.FunctionDef) and n.name == "shift_randomly"]
    assert len(theirs) == 1, "09_full_mnist should define shift_randomly exactly once"
    ours = ast.parse(inspect.getsource(ladder.shift_randomly)).body[0]
    assert _code_without_docstring(theirs[0]) == _code_without_docstring(ours), \
        "shift_randomly in notebooks/09_full_mnist.ipynb and in helpers/ladder.py differ: change both together"
    torch.manual_seed(0)
    xb = torch.zeros(200, 28, 28, dtype=torch.uint8)
    xb[:, 10:18, 12:16] = 255                      # a block of ink away from the edges
    moved = ladder.shift_randomly(xb)
    assert moved.dtype == xb.dtype and moved.shape == xb.shape
    assert (moved.sum(dim=(1, 2)) == xb.sum(dim=(1, 2))).all()   # nothing falls off, nothing is added
    found = set()
    for before, after in zip(xb, moved):
        hits = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                if torch.equal(torch.roll(before, (dr, dc), dims=(0, 1)), after)]
        assert len(hits) == 1
        found |= set(hits)
    assert found == {(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)}   # all nine positions occur
