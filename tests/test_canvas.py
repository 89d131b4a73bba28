"""helpers/canvas.py: the drawing canvas, tested by setting its strokes from Python (no browser needed;
tests/test_browser.py draws on it with a mouse)."""
import sys
from pathlib import Path

import pytest
import torch

from helpers import canvas as canvas_module
from helpers.canvas import BAD_STROKES, DrawCanvas, checked_strokes, enable_colab_widgets, rasterise

pytestmark = [pytest.mark.widgets,
              # ipywidgets 7.7 (Colab) asks traitlets for metadata the old way when anywidget adds its traits
              pytest.mark.filterwarnings("ignore:Deprecated in traitlets 4.1:DeprecationWarning")]

ACROSS = [[40, 140.5], [240, 140.5]]  # a horizontal stroke across the middle


def lit_rows(image):
    return (image > 0).any(dim=1).nonzero().flatten().tolist()


def lit_cols(image):
    return (image > 0).any(dim=0).nonzero().flatten().tolist()


def test_defaults():
    c = DrawCanvas()
    assert c.strokes == [] and c.size == 280 and c.pen_width == 18 and c.rendered is False
    image = c.image()
    assert image.dtype == torch.uint8 and image.shape == (280, 280) and image.sum() == 0


def test_a_horizontal_line_lights_the_right_rows_and_nothing_else():
    c = DrawCanvas(strokes=[ACROSS])
    image = c.image()
    rows, cols = lit_rows(image), lit_cols(image)
    assert rows == list(range(rows[0], rows[-1] + 1)), "the line has a gap"
    assert 131 <= rows[0] <= 132 and 148 <= rows[-1] <= 149  # 140.5 ± 9: pen width 18
    assert 30 <= cols[0] <= 31 and 248 <= cols[-1] <= 249    # round ends: 40 - 9 and 240 + 9
    assert (image[136:146, 40:240] == 255).all(), "the middle of the line is not full ink"
    assert set(image.unique().tolist()) == {0, 255}, "ink 255 on a 0 background, nothing in between"


def test_pen_width_changes_the_thickness():
    thin, thick = DrawCanvas(strokes=[ACROSS], pen_width=4), DrawCanvas(strokes=[ACROSS], pen_width=30)
    assert abs(len(lit_rows(thin.image())) - 4) <= 1
    assert abs(len(lit_rows(thick.image())) - 30) <= 1
    thin.pen_width = 30
    assert torch.equal(thin.image(), thick.image())


def test_a_tap_is_a_dot_and_corners_are_round():
    dot = rasterise([[[100, 100]]], size=280, pen_width=18)
    assert abs(len(lit_rows(dot)) - 18) <= 1 and abs(len(lit_cols(dot)) - 18) <= 1
    corner = rasterise([[[50, 50], [200, 50], [200, 200]]], size=280, pen_width=18)
    assert corner[45:55, 195:205].eq(255).all(), "a gap at the corner"


def test_several_strokes_and_a_small_canvas():
    c = DrawCanvas(size=28, pen_width=2, strokes=[[[4, 4.5], [24, 4.5]], [[4, 20.5], [24, 20.5]]])
    image = c.image()
    assert image.shape == (28, 28)
    assert image[4].max() == 255 and image[20].max() == 255 and image[12].max() == 0


def test_undo_removes_the_last_stroke_and_clear_empties():
    c = DrawCanvas(strokes=[ACROSS, [[140, 40], [140, 240]]])
    c.undo()
    assert c.strokes == [ACROSS]
    c.clear()
    assert c.strokes == [] and c.image().sum() == 0
    c.undo()  # on an empty canvas: nothing to take back, no error
    assert c.strokes == []


def test_strokes_are_rounded_lists_of_floats():
    c = DrawCanvas(strokes=[[(10.04, 20.06), (30, 40)]])
    assert c.strokes == [[[10.0, 20.1], [30.0, 40.0]]]
    assert all(isinstance(v, float) for p in c.strokes[0] for v in p)


def test_on_stroke_callbacks_fire_with_the_canvas_and_can_be_removed():
    c, seen = DrawCanvas(), []
    def callback(canvas):
        seen.append((canvas, len(canvas.strokes)))
    c.on_stroke(callback)
    c.on_stroke(callback)  # registered once, not twice
    c.strokes = [ACROSS]
    c.strokes = c.strokes + [ACROSS]
    c.undo()
    c.clear()
    assert seen == [(c, 1), (c, 2), (c, 1), (c, 0)]
    c.on_stroke(callback, remove=True)
    c.strokes = [ACROSS]
    assert len(seen) == 4


@pytest.mark.parametrize("bad", [
    "abc", 5, None, [[1, 2]], [[[1, 2, 3]]], [[["a", 2]]], [[]], [[[1, float("nan")]]], [[[True, 2]]]])
def test_bad_strokes_raise_one_clear_value_error(bad):
    c = DrawCanvas(strokes=[ACROSS])
    with pytest.raises(ValueError, match=r"^strokes must be a list of strokes, each a list of \[x, y\] points"):
        c.strokes = bad
    assert c.strokes == [ACROSS], "a bad value must leave the drawing as it was"
    with pytest.raises(ValueError, match=BAD_STROKES.replace("[", r"\[").replace("]", r"\]")):
        checked_strokes(bad)


def test_bad_pen_width_and_size():
    with pytest.raises(ValueError, match="pen_width must be between 1 and 140"):
        DrawCanvas(pen_width=0)
    with pytest.raises(ValueError, match="size must be between"):
        DrawCanvas(size=5)


def test_the_front_end_is_canvas_js_and_sync_traits_are_there():
    js = Path(canvas_module.__file__).with_name("canvas.js")
    assert js.is_file() and DrawCanvas._esm == js.read_text()
    text = js.read_text()
    assert "export default" in text and "digits-canvas" in text and 'createElement("canvas")' in text
    assert "pointerdown" in text and "pointerup" in text and '"rendered", true' in text
    state = DrawCanvas().get_state()
    assert {"strokes", "pen_width", "size", "rendered", "_esm"} <= set(state)
    assert "touch-action: none" in DrawCanvas._css


def test_the_package_ships_the_front_end():
    import tomllib
    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    data = pyproject["tool"]["setuptools"]["package-data"]["helpers"]
    assert {"*.js", "*.css", "*.toml"} <= set(data)


def test_colab_widgets_only_on_colab(monkeypatch):
    assert enable_colab_widgets() is False  # not on Colab: nothing to do
    calls = []
    output = type(sys)("google.colab.output")
    output.enable_custom_widget_manager = lambda: calls.append(1)
    colab = type(sys)("google.colab")
    colab.output = output
    monkeypatch.setitem(sys.modules, "google", type(sys)("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    assert enable_colab_widgets() is True and calls == [1]
    monkeypatch.undo()
    made = []
    monkeypatch.setattr(canvas_module, "enable_colab_widgets", lambda: made.append(1))
    DrawCanvas()
    assert made == [1], "DrawCanvas() must enable Colab's widgets itself"


WITHOUT_ANYWIDGET = r'''
import sys
sys.modules["anywidget"] = None          # as if it were not installed: importing it raises ImportError
import torch
from helpers import ladder
from helpers.canvas import NO_ANYWIDGET, DrawCanvas
from helpers.judge_widgets import live_panel
canvas = DrawCanvas()
assert canvas.strokes == [] and repr(canvas) == NO_ANYWIDGET and canvas.value == NO_ANYWIDGET
seen = []
canvas.on_stroke(seen.append)
canvas.strokes = [[[40, 140.5], [240, 140.5]]]
assert canvas.image().shape == (280, 280) and canvas.image().max() == 255 and seen == [canvas]
canvas.undo()
assert canvas.strokes == [] and len(seen) == 2
model = ladder.MeanDigits((torch.rand(4, 28, 28) * 255).to(torch.uint8), torch.tensor([3, 7, 3, 7]))
panel, judged = live_panel([model], DrawCanvas())   # the notebook's live panel still builds
print("ok")
'''


def test_without_anywidget_the_canvas_says_how_to_get_it_and_everything_else_runs():
    import subprocess
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", WITHOUT_ANYWIDGET], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
    assert "pip install anywidget" in canvas_module.NO_ANYWIDGET
