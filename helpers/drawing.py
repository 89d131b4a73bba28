"""The drawing base of every widget figure (01_pixels, 03_gradient_descent, 07_relu_net): blitting, a still
picture, frame timing.

`Blitter` draws a Figure once and redraws only its moving artists at each update (no pyplot, so
nothing piles up in memory). `PictureWidget` is the box a widget builds around it: the picture at
its own size, a `snapshot()` for readers without a kernel, and a text line that says to run the cell
where a widget cannot be drawn (a reloaded page, GitHub). Only API that ipywidgets 7.7 (Colab) and 8
share is used.
"""
import io
import time
import weakref

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

RERUN = "{} widget: run this cell to bring it back (widgets need a live Python kernel)."


class SavedAsAdvice:
    """Mixin for a widget: ipywidgets 7.7 and 8 both use repr() as the output's text/plain, which is
    what shows where the widget cannot be drawn (a reloaded page without its kernel, GitHub, nbviewer):
    a line that says to run the cell, not `VBox(children=…)`. `saved_name` names the widget there."""
    saved_name = None

    def __repr__(self):
        return RERUN.format(self.saved_name or type(self).__name__)


def to_numpy(t):
    "`t` as a NumPy array: a tensor is detached and copied to the CPU first; anything else is returned as it is."
    return t.detach().cpu().numpy() if hasattr(t, "detach") else t


def png_bytes(canvas) -> bytes:
    "The Agg canvas's pixels as PNG bytes (fast compression: these are redrawn on every update)."
    buf = io.BytesIO()
    Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).save(buf, "png", compress_level=1)
    return buf.getvalue()


class Blitter:
    """A Figure drawn once; `frame()` redraws only the artists in `moving` over the kept background
    and returns PNG bytes. Subclasses draw their still parts, fill `moving`, then call `freeze()`."""

    def __init__(self, figsize, dpi=80):
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.moving = []
        self.width = f"{round(figsize[0] * dpi)}px"  # show the picture at its own size, never stretched

    def freeze(self):
        "Draw the still parts once and keep them."
        for a in self.moving:
            a.set_animated(True)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def frame(self, artists=None):
        "Redraw `artists` (default: all of `moving`) over the background; returns PNG bytes."
        self.canvas.restore_region(self.background)
        for a in self.moving if artists is None else artists:
            self.fig.draw_artist(a)
        return png_bytes(self.canvas)


def _creating_cell():
    """The notebook cell whose code is making a widget now (IPython names each cell's code by a hash of
    its text, so running the same cell again gives the same name), or None outside a notebook."""
    import inspect
    for frame in inspect.stack(context=0):
        name = frame.filename
        if "ipykernel_" in name or name.startswith("<ipython-input"):
            return name
    return None


def close_all(widget):
    """Close `widget`, every widget inside it and their layouts and styles, so the kernel lets go of them
    (ipywidgets keeps a widget alive until it is closed), and of any pyplot figure one holds."""
    for child in getattr(widget, "children", ()):
        close_all(child)
    fig = getattr(widget, "figure", None)
    if fig is not None:
        import matplotlib.pyplot as plt
        plt.close(fig)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, widgets.Widget):
            part.close()
    widget.close()


class PictureWidget(SavedAsAdvice, widgets.VBox):
    """A widget around one Blitter picture. `picture_for(drawing)` makes the Image, shown at the
    drawing's own width (a flex box would otherwise stretch it and blur it). Running the cell that
    made one again closes the one it made before, so re-runs do not pile up live figures."""

    _made_by_cell = {}   # (widget class, creating cell) -> a weak reference to the widget it made last

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cell = _creating_cell()
        if cell is None:
            return
        key = (type(self).__name__, cell)
        before = PictureWidget._made_by_cell.get(key)
        before = before() if before else None
        if before is not None and before is not self:
            close_all(before)
        PictureWidget._made_by_cell[key] = weakref.ref(self)

    def picture_for(self, drawing, css_class=None):
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width=drawing.width, min_width=drawing.width))
        if css_class:
            self.picture.add_class(css_class)
        return self.picture

    def snapshot(self):
        "The current picture as a plain image, for readers without a live kernel (GitHub, nbviewer)."
        from IPython.display import Image as PNG
        return PNG(data=self.picture.value)


# Play's buttons show only icons (and the repeat icon reads as "stop"): give them words. The style
# lives in an HTML widget next to the Play, so it travels with the widget's own output.
PLAY_LABELS = """<style>
.digits-play i.fa::after { font-family: var(--jp-ui-font-family, sans-serif); font-weight: normal; padding-left: 4px; }
.digits-play i.fa-play::after { content: "play"; }
.digits-play i.fa-pause::after { content: "pause"; }
.digits-play i.fa-stop::after { content: "stop"; }
</style>"""


def labelled_play(**kw):
    "A Play widget with words on its buttons (play, pause, stop) and no repeat button; returns (play, its style)."
    play = widgets.Play(show_repeat=False, layout=widgets.Layout(width="220px"), **kw)
    play.add_class("digits-play")
    style = widgets.HTML(PLAY_LABELS, layout=widgets.Layout(width="0px", margin="0px"))
    return play, style


def fixed_lines(html, lines, line_px=20):
    "HTML that always takes `lines` lines of `line_px` pixels, so text below it never moves."
    return (f'<div style="line-height:{line_px}px;height:{lines * line_px}px;overflow:hidden">{html}</div>')


def frame_times(control, values):
    "Set `control.value` to each of `values` in turn; the seconds each update took (for `make bench`)."
    times = []
    for v in values:
        t0 = time.perf_counter()
        control.value = v
        times.append(time.perf_counter() - t0)
    return times
