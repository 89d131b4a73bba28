"""Sums of ReLUs: bend a straight line, piece by piece, into (almost) any curve. Introduced in 07_relu_net.

The maths are pure functions on NumPy arrays (`relu_sum`, `mse`, `fit_slopes`, `formula`); the widget
`ReluSum` only draws what they return, on one Blitter (helpers/drawing.py: one reused matplotlib
Figure, no pyplot), and uses only widgets that ipywidgets 7.7 (Colab) and 8 share.
"""
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np

from . import drawing
from .drawing import Blitter, PictureWidget

LO, HI = -3.0, 3.0            # the interval the curves live on
X = np.linspace(LO, HI, 241)  # where curves are evaluated (steps of 0.025)
MAX_PIECES = 40               # the widget's limit
Y_RANGE = (-2.0, 3.5)         # the widget's y axis: holds every target, so changing target redraws little
TARGETS = {  # key: (label, function)
    "wave": ("a wave: sin(2x)", lambda x: np.sin(2 * x)),
    "bump": ("a bump: 2·exp(−x²)", lambda x: 2 * np.exp(-x**2)),
    "parabola": ("a parabola: x²/3", lambda x: x**2 / 3),
}


def relu(x):
    "max(x, 0) for every number in x."
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def pieces(x, hinges, slopes):
    "One row per piece: slope_i · relu(x − hinge_i), a line that is flat (0) left of its hinge."
    x, h, a = (np.asarray(v, dtype=float).reshape(-1) for v in (x, hinges, slopes))
    return a[:, None] * relu(x[None, :] - h[:, None])


def relu_sum(x, hinges, slopes, bias=0.0):
    "bias + Σ slope_i · relu(x − hinge_i), at every number in x. Used in: 07_relu_net."
    return bias + pieces(x, hinges, slopes).sum(axis=0)


def mse(pred, target):
    "The mean squared error between two curves (same points). Used in: 07_relu_net."
    d = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
    return float(np.mean(d * d))


def fit_slopes(x, y, hinges):
    """The bias and slopes that bring bias + Σ slope_i · relu(x − hinge_i) closest to y (least
    squares), for hinges that stay where they are. Returns (bias, slopes). Used in: 07_relu_net."""
    x = np.asarray(x, dtype=float).reshape(-1)
    A = np.column_stack([np.ones_like(x), relu(x[:, None] - np.asarray(hinges, dtype=float)[None, :])])
    sol = np.linalg.lstsq(A, np.asarray(y, dtype=float).reshape(-1), rcond=None)[0]
    return float(sol[0]), sol[1:]


def even_hinges(n, lo=LO, hi=HI):
    "n hinges spread evenly from lo (included) towards hi, one every (hi − lo)/n. Used in: 07_relu_net."
    return lo + (hi - lo) * np.arange(n) / n


def _num(v):
    "A number for a formula: its size to 2 decimals, trailing zeros dropped (1.50 → 1.5, −2.00 → 2)."
    return f"{abs(v):.2f}".rstrip("0").rstrip(".")


def terms(hinges, slopes, bias=0.0):
    """The formula's terms with their signs, e.g. ['0.5', '+ 1·relu(x + 2)', '− 2·relu(x − 1.5)'] (a zero bias
    is left out)."""
    parts = [(bias, "")] if _num(bias) != "0" else []
    for h, a in zip(hinges, slopes):
        parts.append((a, "·relu(x)" if _num(h) == "0" else f"·relu(x {'−' if h > 0 else '+'} {_num(h)})"))
    out = []
    for k, (v, what) in enumerate(parts):
        minus = v < 0 and _num(v) != "0"
        out.append((("−" if minus else "") if k == 0 else ("− " if minus else "+ ")) + _num(v) + what)
    return out or ["0"]


def formula(hinges, slopes, bias=0.0):
    "The sum of ReLUs written out, e.g. '0.5 + 1·relu(x + 2) − 2·relu(x − 1.5)' (a zero bias is left out)."
    return " ".join(terms(hinges, slopes, bias))


def formula_html(hinges, slopes, bias=0.0):
    "The formula as HTML that may wrap between its terms but never inside one."
    return " ".join(f'<span style="white-space:nowrap">{t}</span>' for t in terms(hinges, slopes, bias))


def largest_gap(hinges, lo=LO, hi=HI):
    "The middle of the widest stretch of [lo, hi] with no hinge in it: where a new piece goes."
    edges = np.sort(np.concatenate([[lo, hi], np.clip(hinges, lo, hi)]))
    k = int(np.argmax(np.diff(edges)))
    return float(round((edges[k] + edges[k + 1]) / 2 / 0.05) * 0.05)


class ReluFigure(Blitter):
    """The widget's picture on one reused Figure: the target (wide, pale), each piece (faint; the
    one being edited in orange, its hinge dotted), their sum (bold) and the error in the title.
    The axes are drawn once; `use(y)` sets the target and `show(...)` redraws the curves over them."""

    def __init__(self, x=X, figsize=(7.5, 4.2), dpi=80):
        super().__init__(figsize, dpi)
        self.x, fig = x, self.fig
        ax = self.ax = fig.add_subplot()
        self.target, = ax.plot(x, np.zeros_like(x), color="tab:green", lw=6, alpha=0.35, label="target")
        self.lines = [ax.plot([], [], color="tab:blue", lw=1, alpha=0.45)[0] for _ in range(MAX_PIECES)]
        self.lines[0].set_label("pieces")
        self.chosen, = ax.plot([], [], color="tab:orange", lw=2.2, label="the piece you edit")
        self.chosen_hinge, = ax.plot([], [], color="tab:orange", ls=":", lw=1.2)
        self.total, = ax.plot([], [], color="k", lw=2.2, label="sum: bias + pieces")
        self.kinks, = ax.plot([], [], "o", color="k", ms=4)
        self.title = ax.set_title(" ")
        ax.axhline(0, color="0.8", lw=0.8, zorder=0)
        ax.set(xlim=(x[0], x[-1]), ylim=Y_RANGE, xlabel="x", ylabel="y")
        fig.legend(loc="lower center", ncol=4, fontsize=9, frameon=False)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
        self.moving = [*self.lines, self.target, self.chosen, self.chosen_hinge, self.total, self.kinks, self.title]
        self.freeze()

    def use(self, y):
        "Show a new target curve (from the next `show` on)."
        self.target.set_ydata(y)

    def show(self, hinges, slopes, bias, chosen, title):
        "Draw the pieces, their sum and the title over the background; returns PNG bytes."
        x, n = self.x, len(hinges)
        rows = pieces(x, hinges, slopes)
        for i, line in enumerate(self.lines):
            line.set_data((x, rows[i]) if i < n else ([], []))
        total = bias + rows.sum(axis=0)
        self.total.set_data(x, total)
        h = np.asarray(hinges, dtype=float)
        inside = (h >= x[0]) & (h <= x[-1])
        self.kinks.set_data(h[inside], relu_sum(h[inside], hinges, slopes, bias))
        if 0 <= chosen < n:
            self.chosen.set_data(x, rows[chosen])
            self.chosen_hinge.set_data([hinges[chosen]] * 2, Y_RANGE)
        else:
            self.chosen.set_data([], [])
            self.chosen_hinge.set_data([], [])
        self.title.set_text(title)
        return self.frame([self.target, *self.lines[:n], self.chosen, self.chosen_hinge, self.total, self.kinks,
                           self.title])


class ReluSum(PictureWidget):
    """Approximate a target curve with bias + a sum of ReLU pieces: add a piece, pick one to edit,
    move its hinge and change its slope, remove it, or let least squares fit all the slopes. The
    title shows the mean squared error between the sum and the target; the formula is written out
    below the picture, so that a long one never pushes the picture down. Used in: 07_relu_net."""

    def __init__(self, target="wave", hinges=(-2.0, 0.0, 1.5), slopes=(1.0, -2.0, 1.5), bias=0.0):
        self.hinges, self.slopes = [float(h) for h in hinges], [float(a) for a in slopes]
        wide = widgets.Layout(width="330px")
        self.target = widgets.Dropdown(options=[(label, k) for k, (label, _) in TARGETS.items()], value=target,
                                       description="target", layout=wide)
        self.piece = widgets.Dropdown(options=[("none", -1)], value=-1, description="edit", layout=wide)
        self.hinge = widgets.FloatSlider(value=0.0, min=LO, max=HI, step=0.05, description="hinge", layout=wide)
        self.slope = widgets.FloatSlider(value=0.0, min=-5.0, max=5.0, step=0.05, description="slope", layout=wide)
        self.bias = widgets.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.05, description="bias", layout=wide)
        self.hinge.add_class("digits-relu-slider")
        self.add = widgets.Button(description="add a piece", icon="plus")
        self.remove = widgets.Button(description="remove this piece", icon="minus",
                                     layout=widgets.Layout(width="180px"))
        self.fit = widgets.Button(description="fit the slopes for me", layout=widgets.Layout(width="180px"))
        self.drawing = ReluFigure()
        self.status = widgets.HTML(layout=widgets.Layout(width=self.drawing.width))
        self.status.add_class("digits-relu-status")
        self.picture_for(self.drawing, "digits-relu-picture")
        self._busy = False
        self._set(self.bias, bias)
        self.target.observe(self._new_target, names="value")
        self.piece.observe(self._select, names="value")
        for s in (self.hinge, self.slope):
            s.observe(self._edit, names="value")
        self.bias.observe(self._draw, names="value")
        self.add.on_click(self._add)
        self.remove.on_click(self._remove)
        self.fit.on_click(self._fit)
        super().__init__([widgets.HBox([self.target, self.add, self.fit]),
                          widgets.HBox([self.piece, self.remove]),
                          widgets.HBox([self.hinge, self.slope]), self.bias, self.picture, self.status])
        self.add_class("digits-relu-sum")
        self.drawing.use(self.y())
        self._choose(len(self.hinges) - 1)

    # --- state -----------------------------------------------------------------------------
    def y(self):
        "The target curve at the points X."
        return TARGETS[self.target.value][1](X)

    def curve(self):
        "The current sum of ReLUs at the points X."
        return relu_sum(X, self.hinges, self.slopes, self.bias.value)

    def error(self):
        "The mean squared error between the sum and the target."
        return mse(self.curve(), self.y())

    @contextmanager
    def _quiet(self):
        "Set widget values without their observers reacting."
        busy, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = busy

    @staticmethod
    def _widen(slider, v):
        "Widen a slider's range to hold v (least squares may find steep slopes)."
        if v > slider.max:
            slider.max = float(np.ceil(v))
        if v < slider.min:
            slider.min = float(np.floor(v))

    def _set(self, slider, v):
        "Set a slider's value, widening its range first if v lies outside it."
        self._widen(slider, v)
        slider.value = float(v)

    def _choose(self, i):
        "Rebuild the list of pieces and select piece i (or none)."
        n = len(self.hinges)
        with self._quiet():
            self.piece.options = [(f"piece {k + 1}", k) for k in range(n)] or [("none: add a piece", -1)]
            self.piece.value = i if n else -1
        self._select()

    # --- reactions -------------------------------------------------------------------------
    def _select(self, change=None):
        if self._busy:
            return
        i = self.piece.value
        with self._quiet():
            if i >= 0:
                self._set(self.hinge, self.hinges[i])
                self._set(self.slope, self.slopes[i])
        self.hinge.disabled = self.slope.disabled = self.remove.disabled = i < 0
        self.add.disabled = len(self.hinges) >= MAX_PIECES
        self.fit.disabled = False
        self._draw()

    def _edit(self, change=None):
        if self._busy or self.piece.value < 0:
            return
        i = self.piece.value
        self.hinges[i], self.slopes[i] = float(self.hinge.value), float(self.slope.value)
        self._draw()

    def _add(self, button=None):
        if len(self.hinges) >= MAX_PIECES:
            return
        self.hinges.append(largest_gap(self.hinges))
        self.slopes.append(0.0)
        self._choose(len(self.hinges) - 1)

    def _remove(self, button=None):
        i = self.piece.value
        if i < 0:
            return
        del self.hinges[i], self.slopes[i]
        self._choose(min(i, len(self.hinges) - 1))

    def _fit(self, button=None):
        b, s = fit_slopes(X, self.y(), self.hinges)
        self.slopes = [float(a) for a in s]
        with self._quiet():
            for a in self.slopes:
                self._widen(self.slope, a)
            self._set(self.bias, b)
        self._select()

    def _new_target(self, change=None):
        self.drawing.use(self.y())
        self._draw()

    def _draw(self, change=None):
        if self._busy:
            return
        n, err = len(self.hinges), self.error()
        title = f"{n} piece{'s' * (n != 1)}: mean squared error {err:.4f}"
        self.status.value = (f'<div style="line-height:20px"><b>{title}</b><br>'
                             f"<code>y = {formula_html(self.hinges, self.slopes, self.bias.value)}</code></div>")
        self.picture.value = self.drawing.show(self.hinges, self.slopes, self.bias.value, self.piece.value, title)


def frame_times(n=60):
    """Build the widget, move the hinge slider `n` times across its range and return the seconds
    each update took (slider move to new picture). For measuring, not for tests."""
    w = ReluSum()
    return drawing.frame_times(w.hinge, [float(h) for h in np.linspace(LO, HI, n)])
