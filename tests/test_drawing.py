"""helpers/drawing.py: the drawing base of every widget figure, and what a widget shows where it cannot be drawn."""
import ipywidgets as widgets
import pytest
import torch

from helpers.drawing import RERUN, Blitter, PictureWidget, fixed_lines, frame_times, labelled_play, png_bytes
from helpers.gd_widgets import LearningRateExplorer, QuadraticByHand
from helpers.pixels import PixelExplorer
from helpers.relu import ReluSum

pytestmark = pytest.mark.widgets

WIDGETS = [LearningRateExplorer, QuadraticByHand, ReluSum,
           lambda: PixelExplorer(torch.zeros(3, 28, 28, dtype=torch.uint8))]


def shown(w, monkeypatch):
    """The mime bundle a notebook saves for widget `w`: ipywidgets 8 builds it in `_repr_mimebundle_`,
    7.7 in `_ipython_display_`, which hands it to IPython's `display`."""
    if callable(getattr(w, "_repr_mimebundle_", None)):
        return w._repr_mimebundle_()
    import ipywidgets.widgets.widget as module
    got = []
    monkeypatch.setattr(module, "display", lambda data, raw=False, **kw: got.append(data))
    w._ipython_display_()
    return got[0]


@pytest.mark.parametrize("make", WIDGETS, ids=["lr", "by-hand", "relu", "pixels"])
def test_without_a_kernel_the_text_says_to_run_the_cell(make, monkeypatch):
    "A reloaded page or GitHub shows the text/plain part: a sentence that says what to do, not `VBox(children=…)`."
    w = make()
    bundle = shown(w, monkeypatch)
    name = type(w).__name__
    assert bundle["text/plain"] == RERUN.format(name) == repr(w)  # whole: ipywidgets cuts it at 110 characters
    assert bundle["text/plain"].startswith(f"{name} widget: run this cell") and len(bundle["text/plain"]) <= 110
    assert "children" not in bundle["text/plain"]
    view = bundle["application/vnd.jupyter.widget-view+json"]  # and the live widget is still there
    assert view["model_id"] == w.model_id and view["version_major"] == 2


@pytest.mark.parametrize("make", WIDGETS, ids=["lr", "by-hand", "relu", "pixels"])
def test_every_widget_picture_is_a_blitter_shown_at_its_own_size(make):
    w = make()
    assert isinstance(w, PictureWidget) and isinstance(w.drawing, Blitter)
    assert w.picture.layout.width == w.drawing.width == f"{round(w.drawing.fig.get_figwidth() * w.drawing.fig.dpi)}px"
    assert w.snapshot().data == w.picture.value and w.picture.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_blitter_redraws_only_what_moves():
    b = Blitter(figsize=(2, 1))
    ax = b.fig.add_subplot()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    line, = ax.plot([], [])
    b.moving = [line]
    b.freeze()
    empty = b.frame()
    line.set_data([0, 1], [0, 1])
    drawn = b.frame()
    assert drawn != empty and b.frame([]) == empty == png_bytes(b.canvas)  # no artists: the background alone
    assert b.width == "160px"


def test_labelled_play_and_fixed_lines():
    play, style = labelled_play(value=0, min=0, max=5)
    assert isinstance(play, widgets.Play) and not play.show_repeat and "digits-play" in play._dom_classes
    assert "<style>" in style.value and 'content: "play"' in style.value and 'content: "stop"' in style.value
    html = fixed_lines("a<br>b", lines=3)
    assert "line-height:20px;height:60px;overflow:hidden" in html and "a<br>b" in html


def test_frame_times_one_per_value():
    s = widgets.IntSlider()
    times = frame_times(s, [1, 2, 3])
    assert len(times) == 3 and all(t >= 0 for t in times) and s.value == 3


def test_running_a_widget_cell_again_closes_the_widget_it_made_before(monkeypatch):
    "Re-running a cell 30 times keeps one live figure, not 30; a widget made by another cell stays."
    import gc
    from matplotlib.figure import Figure
    from helpers import drawing
    from helpers.relu import ReluSum

    def live():
        gc.collect()
        return sum(isinstance(o, Figure) for o in gc.get_objects())
    start = live()
    monkeypatch.setattr(drawing, "_creating_cell", lambda: "/tmp/ipykernel_1/cell_a.py")
    for _ in range(30):
        first = ReluSum()
    assert live() == start + 1
    monkeypatch.setattr(drawing, "_creating_cell", lambda: "/tmp/ipykernel_1/cell_b.py")
    second = ReluSum()
    assert live() == start + 2 and first.children and second.children


def test_outside_a_notebook_nothing_is_closed():
    from helpers import drawing
    assert drawing._creating_cell() is None
