"""A drawing canvas for handwritten digits: the student draws with a mouse, a finger or a pen, and
Python gets the strokes, and from them an MNIST-like picture (bright ink on a 0 background) for the
models to judge. Built on anywidget: the front end is the small ES module canvas.js next to this file
(no build step), so the same widget runs in JupyterLab, classic Jupyter and Colab, with ipywidgets 8
or 7.7. Introduced in 10_your_own_digits.

The drawing lives in Python as `strokes`: one list of [x, y] points (canvas pixels) per stroke. The
browser adds a stroke each time the pen lifts; `image()` draws the strokes again with PIL, so what
the models see never depends on a browser, and the tests need none.
"""
import math
import sys
from pathlib import Path

import ipywidgets
import numpy as np
import torch
import traitlets
from PIL import Image, ImageDraw

try:
    import anywidget
except ImportError:   # then DrawCanvas is a line that says how to install it; everything else here still works
    anywidget = None

SIZE = 280  # the canvas side in pixels: ten screen pixels for each of MNIST's 28
PEN = 18    # pen width for a 280-px canvas: strokes about as thick, relative to the digit, as MNIST's
BAD_STROKES = "strokes must be a list of strokes, each a list of [x, y] points"
NO_ANYWIDGET = ("No drawing box: the anywidget package is not installed here. Install it (`%pip install anywidget`) "
                "and restart the kernel to draw; until then the notebook uses its example digits, and section 8 "
                "lets you upload a photo of a digit or pick a test image.")


def enable_colab_widgets() -> bool:
    """On Colab, let custom widgets (anywidget's DrawCanvas) be drawn: Colab shows only its own
    widgets until `google.colab.output.enable_custom_widget_manager()` is called (anywidget calls it
    too, once; calling it again does no harm). Elsewhere nothing happens. Returns whether it was called.
    Used in: 10_your_own_digits."""
    if "google.colab" not in sys.modules:
        return False
    from google.colab import output
    output.enable_custom_widget_manager()
    return True


def _point(p, where):
    "One point as [x, y], floats rounded to 1 decimal; a ValueError that says where, if it is not one."
    if isinstance(p, (list, tuple)) and len(p) == 2 and \
            all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in p):
        return [round(float(p[0]), 1), round(float(p[1]), 1)]
    raise ValueError(f"{BAD_STROKES}: {where} is {p!r}")


def checked_strokes(value) -> list:
    """`value` as a list of strokes, each a non-empty list of [x, y] points (floats rounded to 1
    decimal; tuples become lists). Anything else raises a one-line ValueError that names the first
    bad stroke or point.
    Used in: 10_your_own_digits."""
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{BAD_STROKES}, not {type(value).__name__} {value!r:.40}")
    strokes = []
    for i, stroke in enumerate(value):
        if not isinstance(stroke, (list, tuple)) or not stroke:
            raise ValueError(f"{BAD_STROKES}: stroke {i} is {stroke!r:.40}")
        strokes.append([_point(p, f"stroke {i}, point {j}") for j, p in enumerate(stroke)])
    return strokes


def rasterise(strokes, size=SIZE, pen_width=PEN) -> torch.Tensor:
    """Draw `strokes` (lists of [x, y] points in canvas pixels) as a size × size uint8 tensor, 0
    background and 255 ink: each stroke is line segments `pen_width` wide with a disc of that
    diameter on every point, so corners and ends are round, as the browser draws them.
    Used in: 10_your_own_digits."""
    picture = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(picture)
    r = pen_width / 2
    for stroke in strokes:
        # A point (x, y) from the browser is measured from the canvas's corner, so the middle of
        # pixel i is at i + 0.5; PIL puts the middle of pixel i at i.
        points = [(x - 0.5, y - 0.5) for x, y in stroke]
        if len(points) > 1:
            draw.line(points, fill=255, width=pen_width)
        for x, y in points:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    return torch.from_numpy(np.array(picture, dtype=np.uint8))


class Strokes(traitlets.TraitType):
    """A trait that holds a drawing: every value set, from Python or from the browser, goes through
    `checked_strokes` (so a bad one raises its ValueError and leaves the drawing as it was).
    Used in: 10_your_own_digits."""
    info_text = "a list of strokes, each a list of [x, y] points"

    def validate(self, obj, value):
        return checked_strokes(value)


class DrawCanvas(anywidget.AnyWidget if anywidget else ipywidgets.HTML):
    """A square canvas to draw a digit on, white ink on black like MNIST, with Clear and Undo buttons
    and a pen-width slider under it. `strokes` holds the drawing (one list of [x, y] points per
    stroke, added when the pen lifts), `image()` gives it as an MNIST-like uint8 tensor, and
    `on_stroke(f)` calls `f(canvas)` after every change. `rendered` turns True once a browser has
    drawn the widget: a notebook can check it to tell whether custom widgets work where it runs.
    Without the anywidget package it is an `ipywidgets.HTML` line saying how to install it, with the same
    traits and methods (the drawing stays empty unless strokes are set from Python), so every cell of
    notebook 10 still runs. Used in: 10_your_own_digits."""

    _esm = Path(__file__).with_name("canvas.js").read_text()
    _css = Path(__file__).with_name("canvas.css").read_text()

    strokes = Strokes().tag(sync=True)                 # [[[x, y], ...], ...], canvas pixels
    pen_width = traitlets.Int(PEN).tag(sync=True)      # pixels
    size = traitlets.Int(SIZE).tag(sync=True)          # the canvas side, pixels
    rendered = traitlets.Bool(False).tag(sync=True)    # set by the front end once it has drawn

    def __repr__(self):   # the text saved where no front end draws the widget: no memory address
        if anywidget is None:
            return NO_ANYWIDGET
        return "DrawCanvas (a drawing box shows here when this cell runs in a live notebook)"

    def __init__(self, **kwargs):
        self._stroke_handlers = {}
        if anywidget is None:
            super().__init__(value=NO_ANYWIDGET, **kwargs)
            return
        enable_colab_widgets()
        super().__init__(**kwargs)

    @traitlets.default("strokes")
    def _no_strokes(self):
        return []

    @traitlets.validate("pen_width")
    def _valid_pen_width(self, proposal):
        w = proposal["value"]
        if not 1 <= w <= self.size // 2:
            raise ValueError(f"pen_width must be between 1 and {self.size // 2} pixels, not {w}")
        return w

    @traitlets.validate("size")
    def _valid_size(self, proposal):
        if not 28 <= proposal["value"] <= 2000:
            raise ValueError(f"size must be between 28 and 2000 pixels, not {proposal['value']}")
        return proposal["value"]

    def image(self) -> torch.Tensor:
        """The drawing at full resolution: a size × size uint8 tensor, 0 background, 255 ink.
        Used in: 10_your_own_digits."""
        return rasterise(self.strokes, self.size, self.pen_width)

    def clear(self):
        """Wipe the drawing (the Clear button).
        Used in: 10_your_own_digits."""
        self.strokes = []

    def undo(self):
        """Take back the last stroke (the Undo button); nothing happens on an empty canvas.
        Used in: 10_your_own_digits."""
        self.strokes = self.strokes[:-1]

    def on_stroke(self, callback, remove=False):
        """Call `callback(canvas)` every time `strokes` changes: a stroke drawn, Clear, Undo, or a
        new value set from Python. `remove=True` stops calling it.
        Used in: 10_your_own_digits."""
        if remove:
            handler = self._stroke_handlers.pop(callback, None)
            if handler is not None:
                self.unobserve(handler, names="strokes")
            return
        if callback not in self._stroke_handlers:
            self._stroke_handlers[callback] = lambda change: callback(self)
            self.observe(self._stroke_handlers[callback], names="strokes")
