"""Gradient descent you can watch: the descent as a pure function, a learning-rate animation, a
quadratic to fit by hand, and the still figures of the lesson. Introduced in 03_gradient_descent.

`descend` does the computing and nothing else; the widgets only draw what it returns. Each widget
draws on one reused matplotlib Figure with blitting (no pyplot), like helpers/pixels.py, and uses
only widgets that ipywidgets 7.7 (Colab) and 8 share.
"""
import math
import time
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .checks import Verdict
from .pixels import png_bytes

STEPS = 50  # how many steps the animation runs


def roller_coaster(n=20, seed=7):
    "The roller coaster's speed at n moments, time running from -1 to 1: 12t² − 2t + 3 plus noise."
    t = torch.linspace(-1, 1, n)
    return t, 12 * t**2 - 2 * t + 3 + torch.randn(n, generator=torch.Generator().manual_seed(seed))


@dataclass
class Problem:
    """A loss to go down: the mean squared error of predictions `features(x) @ params` against y.
    (x² is the case of one parameter, one feature equal to 1 and a target of 0.)"""
    name: str
    params: tuple   # the parameters' names
    start: tuple    # a bad first guess
    features: object  # x -> matrix with one column per parameter
    x: torch.Tensor
    y: torch.Tensor
    view: tuple     # the parameters the landscape shows (1 or 2 of them)

    def best(self):
        "The parameters with the lowest loss, solved exactly (least squares)."
        return torch.linalg.lstsq(self.features(self.x).double(), self.y.double()[:, None]).solution[:, 0].numpy()

    def losses(self, grid):
        "The loss of each row of `grid` (numpy, one row per set of parameters), all at once."
        X, y = self.features(self.x).double().numpy(), self.y.double().numpy()
        return (((grid @ X.T) - y) ** 2).mean(axis=1)


def _line_x():
    return torch.linspace(-1, 2, 7)  # -1, -0.5, ..., 2: exact in float32


PROBLEMS = {
    "x²": Problem("x²", ("x",), (3.0,), lambda x: torch.ones(len(x), 1), torch.zeros(1), torch.zeros(1), (0,)),
    "line": Problem("line", ("a1", "a2"), (-1.0, 3.0), lambda x: torch.stack([x, torch.ones_like(x)], 1),
                    _line_x(), 3 * _line_x() + 2, (0, 1)),
    "quadratic": Problem("quadratic", ("a", "b", "c"), (0.0, 0.0, 0.0),
                         lambda t: torch.stack([t**2, t, torch.ones_like(t)], 1), *roller_coaster(), (0, 2)),
}
LABELS = {"x²": "x²", "line": "the line (a1, a2)", "quadratic": "the quadratic (roller coaster: a, b, c)"}
NAMES = {"x²": "x²", "line": "the line", "quadratic": "the roller coaster"}


@dataclass
class Descent:
    "What `descend` found: the parameters and loss at each step done, and a verdict."
    problem: str
    lr: float
    steps: int          # steps asked for
    path: np.ndarray    # (steps done + 1) x (number of parameters); finite numbers only
    losses: np.ndarray  # the loss at each of those points
    status: str         # "converging", "oscillating", "diverging" or "diverged"
    message: str        # one friendly sentence

    def __repr__(self):
        return f"Descent({self.problem}, lr={self.lr:.3g}): {self.message}"


def descend(problem="x²", lr=0.1, steps=STEPS, start=None):
    """Take `steps` steps of gradient descent with learning rate `lr` from `start` (default: the
    problem's bad first guess), using PyTorch's autograd for the gradient. A pure function: it never
    raises for a bad learning rate; if the numbers overflow it stops and says after how many steps."""
    p = PROBLEMS[problem] if isinstance(problem, str) else problem
    w = torch.tensor(p.start if start is None else start, dtype=torch.float32).reshape(-1).requires_grad_()
    X, y = p.features(p.x), p.y
    path, losses = [], []
    for k in range(steps + 1):
        loss = ((X @ w - y) ** 2).mean()  # predict, then the mean squared error
        if not (torch.isfinite(loss) and torch.isfinite(w).all()):
            break  # overflow: keep only the finite part
        path.append(w.detach().numpy().astype(float)); losses.append(loss.item())
        if k == steps: break
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad = None
    path, losses = np.array(path), np.array(losses)
    best = float(p.losses(p.best()[None])[0])
    status, message = verdict(path, losses, steps, best=best if best > 1e-9 * losses[0] else 0.0)
    return Descent(p.name, float(lr), steps, path, losses, status, message)


def verdict(path, losses, steps, best=0.0):
    "Converging, oscillating, diverging or diverged, and a sentence that says so, from a descent's numbers."
    done = len(losses) - 1
    if done < steps:
        n = done + 1
        return "diverged", (f"diverged after {n} step{'s' * (n != 1)}: the numbers grew too big for the "
                            "computer (overflow), so it stopped there. Try a smaller learning rate.")
    first, last = losses[0], losses[-1]
    fmt = lambda v: f"{v:.3g}"
    if steps == 0:
        return "converging", f"no steps taken yet: the loss is {fmt(first)}."
    if steps > 1 and last > losses[-2] * (1 + 1e-4) + 1e-12:
        return "diverging", (f"diverging: each step overshoots further, and the loss is growing "
                             f"({fmt(first)} at the start, {fmt(last)} after {steps} steps).")
    moves = np.diff(path, axis=0)
    size = np.linalg.norm(moves, axis=1)
    real = size > 1e-6 * (size.max() if len(size) else 0) + 1e-12
    pairs = [(a, b) for a, b, ra, rb in zip(moves, moves[1:], real, real[1:]) if ra and rb]
    back = sum(float(a @ b) < 0 for a, b in pairs)
    if pairs and back >= len(pairs) / 2:
        if last < first * 0.99:
            return "oscillating", (f"oscillating: each step jumps across the valley to the other side, but the "
                                   f"loss still falls ({fmt(first)} to {fmt(last)} in {steps} steps).")
        return "oscillating", f"oscillating: it bounces from side to side and the loss stays at {fmt(last)}."
    if first > best and (max(last - best, 0) / (first - best)) ** (1 / steps) > 0.9:  # < 10% better per step
        return "converging", (f"converging, but slowly: in {steps} steps the loss only went from {fmt(first)} to "
                              f"{fmt(last)} (its lowest is {fmt(best)}). A bigger learning rate gets there sooner.")
    return "converging", f"converging: the loss fell from {fmt(first)} to {fmt(last)} in {steps} steps."


def example_lrs(problem):
    """Four learning rates for `problem`: too small, good, bouncy and diverging. They are fractions
    of the largest one that still converges, 2 / (the loss's largest curvature)."""
    p = PROBLEMS[problem]
    X = p.features(p.x).double()
    top = float(torch.linalg.eigvalsh(2 * X.T @ X / len(p.x)).max())
    return {name: float(f"{f * 2 / top:.3g}") for name, f in
            [("too small", 0.02), ("good", 0.3), ("bouncy", 0.9), ("diverging", 1.05)]}


# ---------------------------------------------------------------------------------------------
# Drawing. One Figure per widget; the parts that never move are drawn once and kept as a
# background, and each update redraws only the moving artists on top of it (blitting).

class Blitter:
    "A Figure drawn once; `frame()` redraws only the artists in `moving` and returns PNG bytes."

    def __init__(self, figsize, dpi=80):
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.moving = []
        self.width = f"{round(figsize[0] * dpi)}px"  # show the picture at its own size, never stretched

    def freeze(self):
        "Draw the still parts once and keep them."
        for a in self.moving: a.set_animated(True)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def frame(self):
        self.canvas.restore_region(self.background)
        for a in self.moving: self.fig.draw_artist(a)
        return png_bytes(self.canvas)


def _box(p):
    "The landscape's view: limits around the best point that hold the start and its mirror image."
    best, start = p.best()[list(p.view)], np.array(p.start)[list(p.view)]
    half = np.full(len(best), max(1.3 * np.abs(start - best).max(), 1.0))  # same scale on both axes
    return best - half, best + half


def _landscape(ax, p, box):
    "Draw the loss curve (one parameter) or its contours (two) on ax, for the views of `p`."
    (lo, hi), best = box, p.best()
    if len(p.view) == 1:
        xs = np.linspace(lo[0], hi[0], 200)
        grid = np.repeat(best[None], len(xs), 0); grid[:, p.view[0]] = xs
        ax.plot(xs, p.losses(grid), color="0.5")
        ax.set(xlim=(lo[0], hi[0]), ylim=(-0.05 * p.losses(grid).max(), 1.05 * p.losses(grid).max()),
               xlabel=p.params[p.view[0]], ylabel=f"loss {p.name}" if p.name == "x²" else "loss")
        ax.plot([best[0]], [p.losses(best[None])[0]], "*", color="tab:green", ms=12)
        return
    i, j = p.view
    A, B = np.meshgrid(np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120))
    grid = np.repeat(best[None], A.size, 0); grid[:, i], grid[:, j] = A.ravel(), B.ravel()
    L = p.losses(grid).reshape(A.shape)
    floor = p.losses(best[None])[0]
    levels = floor + (L.max() - floor) * np.geomspace(2e-3, 1, 12)
    ax.contourf(A, B, L, levels=levels, cmap="Blues_r", alpha=0.5)
    ax.contour(A, B, L, levels=levels, colors="0.55", linewidths=0.6)
    ax.plot([best[i]], [best[j]], "*", color="tab:green", ms=12)
    hidden = [n for k, n in enumerate(p.params) if k not in p.view]
    note = f"   (contours: {', '.join(hidden)} at its best)" if hidden else ""
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel=p.params[i] + note, ylabel=p.params[j])


def _points(p, path, box):
    "The path's points in the landscape's coordinates, pulled in so that huge values stay drawable."
    lo, hi = box
    span = hi - lo
    v = np.clip(path[:, list(p.view)], lo - 2 * span, hi + 2 * span)
    if len(p.view) == 1:
        return v[:, 0], p.losses(np.clip(path, lo - 2 * span, hi + 2 * span))
    return v[:, 0], v[:, 1]


class LRFigure(Blitter):
    """The learning-rate widget's picture: the path on the loss landscape, the fit (or, for x², x
    at each step) and the loss at each step. `use(problem)` draws the still parts for a problem;
    `show(descent, k)` draws step k of a descent."""

    def __init__(self, steps=STEPS):
        super().__init__(figsize=(11, 3.5))
        self.steps, self.problem = steps, None

    def use(self, name):
        p = self.problem = PROBLEMS[name]
        fig = self.fig
        fig.clear()
        land, fit, loss = (fig.add_subplot(1, 3, i) for i in (1, 2, 3))
        self.box = _box(p)
        _landscape(land, p, self.box)
        faint = dict(color="tab:orange", alpha=0.35, lw=1, marker=".", ms=3)
        bold = dict(color="tab:red", lw=1.6, marker="o", ms=3)
        self.land_all, = land.plot([], [], **faint)
        self.land_now, = land.plot([], [], **bold)
        self.land_dot, = land.plot([], [], "o", color="tab:red", ms=9, mec="k")
        self.land_title = land.set_title(" ")
        if p.name == "x²":  # no data to fit: show x itself going to 0
            fit.axhline(0, color="tab:green", lw=1)
            fit.set(xlim=(0, self.steps), ylim=(self.box[0][0], self.box[1][0]), xlabel="step", ylabel="x")
            self.fit_all, = fit.plot([], [], **faint)
            self.fit_now, = fit.plot([], [], **bold)
        else:
            x, y = p.x.numpy(), p.y.numpy()
            self.xs = np.linspace(x.min(), x.max(), 100)
            self.X = p.features(torch.tensor(self.xs, dtype=torch.float32)).double().numpy()
            fit.plot(x, y, "o", color="tab:blue", ms=4, label="data")
            pad = 0.5 * (y.max() - y.min())
            fit.set(xlim=(x.min() - 0.1, x.max() + 0.1), ylim=(y.min() - pad, y.max() + pad),
                    xlabel="x1" if p.name == "line" else "time t", ylabel="y" if p.name == "line" else "speed")
            self.fit_all, = fit.plot([], [])  # unused for data problems
            self.fit_now, = fit.plot([], [], color="tab:red", lw=2)
        self.fit_title = fit.set_title(" ")
        L0, floor = p.losses(np.array(p.start)[None])[0], p.losses(p.best()[None])[0]
        self.loss_lim = (max(floor * 0.5, L0 * 1e-7), L0 * 1e4)
        loss.set(yscale="log", xlim=(0, self.steps), ylim=self.loss_lim, xlabel="step", ylabel="loss (log scale)",
                 title="loss at each step")
        if floor > 0: loss.axhline(floor, color="tab:green", lw=1, ls="--")
        self.loss_all, = loss.plot([], [], **faint)
        self.loss_now, = loss.plot([], [], **bold)
        fig.tight_layout()
        self.moving = [self.land_all, self.land_now, self.land_dot, self.land_title, self.fit_all, self.fit_now,
                       self.fit_title, self.loss_all, self.loss_now]
        self.freeze()

    def show(self, d, k):
        "Draw step k (or the last step done, if it diverged earlier) of descent `d`; returns PNG bytes."
        p, n = self.problem, len(d.losses) - 1
        k = min(k, n)
        u, v = _points(p, d.path, self.box)
        self.land_all.set_data(u, v)
        self.land_now.set_data(u[:k + 1], v[:k + 1])
        self.land_dot.set_data(u[k:k + 1], v[k:k + 1])
        self.land_title.set_text(f"learning rate {d.lr:.3g}: {d.message.split(':')[0]}")  # e.g. "diverged after 13 steps"
        steps = np.arange(n + 1)
        if p.name == "x²":
            x = np.clip(d.path[:, 0], 3 * self.box[0][0], 3 * self.box[1][0])
            self.fit_all.set_data(steps, x)
            self.fit_now.set_data(steps[:k + 1], x[:k + 1])
            self.fit_title.set_text(f"x = {d.path[k, 0]:.3g} after step {k}")
        else:
            pred = self.X @ d.path[k]
            self.fit_now.set_data(self.xs, np.clip(pred, -1e6, 1e6))
            lo, hi = self.fit_now.axes.get_ylim()
            off = " (off the chart)" if pred.max() < lo or pred.min() > hi else ""
            self.fit_title.set_text(f"the fit after step {k}{off}")
        lo, hi = self.loss_lim
        losses = np.clip(d.losses, lo / 10, hi * 10)
        self.loss_all.set_data(steps, losses)
        self.loss_now.set_data(steps[:k + 1], losses[:k + 1])
        return self.frame()


COLOURS = {"converging": "#1a7f37", "oscillating": "#b35900", "diverging": "#c0392b", "diverged": "#c0392b"}


class LearningRateExplorer(widgets.VBox):
    """Pick a problem and a learning rate (log scale); watch gradient descent's path on the loss
    landscape, the fit and the loss, step by step (play, or step by hand), with a verdict:
    converging, oscillating or diverging."""

    def __init__(self, problem="x²", lr=0.1, steps=STEPS):
        self.problem = widgets.Dropdown(options=[(v, k) for k, v in LABELS.items()], value=problem,
                                        description="problem", layout=widgets.Layout(width="360px"))
        # a fine step: the browser snaps the value to the slider's grid, and 0.9 should stay (almost) 0.9
        self.lr = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=1e-4, description="learning rate",
                                         readout_format=".3g", style={"description_width": "initial"},
                                         layout=widgets.Layout(width="420px"))
        self.lr.add_class("digits-lr-slider")
        self.play = widgets.Play(value=steps, min=0, max=steps, step=1, interval=150)
        self.step = widgets.IntSlider(value=steps, min=0, max=steps, description="step")
        widgets.jslink((self.play, "value"), (self.step, "value"))
        self.back = widgets.Button(description="◀ back", layout=widgets.Layout(width="80px"))
        self.forward = widgets.Button(description="next ▶", layout=widgets.Layout(width="80px"))
        self.back.on_click(lambda _: self._move(-1))
        self.forward.on_click(lambda _: self._move(+1))
        self.status = widgets.HTML()
        self.drawing = LRFigure(steps)
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width=self.drawing.width))
        self.picture.add_class("digits-lr-picture")
        self.drawing.use(problem)
        self.descent = None
        self.problem.observe(self._new_problem, names="value")
        self.lr.observe(self._new_lr, names="value")
        self.step.observe(self._draw, names="value")
        super().__init__([widgets.HBox([self.problem, self.lr]),
                          widgets.HBox([self.play, self.step, self.back, self.forward]),
                          self.status, self.picture])
        self._new_lr()

    def _move(self, by):
        self.step.value = min(max(self.step.value + by, 0), self.step.max)

    def _new_problem(self, change=None):
        self.drawing.use(self.problem.value)
        self._new_lr()

    def _new_lr(self, change=None):
        self.descent = descend(self.problem.value, self.lr.value, self.step.max)
        self._draw()

    def _draw(self, change=None):
        d, k = self.descent, self.step.value
        shown = min(k, len(d.losses) - 1)
        params = ", ".join(f"{n} = {v:.4g}" for n, v in zip(PROBLEMS[d.problem].params, d.path[shown]))
        self.status.value = (f'<b style="color:{COLOURS[d.status]}">{d.message}</b><br>'
                             f"step {shown}: {params}, loss {d.losses[shown]:.4g}")
        self.picture.value = self.drawing.show(d, k)

    def snapshot(self):
        "The current picture as a plain image, for readers without a live kernel (GitHub, nbviewer)."
        from IPython.display import Image as PNG
        return PNG(data=self.picture.value)


def frame_times(n=50, problem="x²"):
    """Build the learning-rate widget, move its learning-rate slider `n` times across its range and
    return the seconds each update took (slider move to new picture). For benchmarks."""
    w = LearningRateExplorer(problem)
    times = []
    for lr in np.geomspace(10 ** w.lr.min, 10 ** w.lr.max, n):
        t0 = time.perf_counter()
        w.lr.value = float(lr)
        times.append(time.perf_counter() - t0)
    return times


# ---------------------------------------------------------------------------------------------
# By hand first: a quadratic with three sliders and the loss in the title.

class QuadraticByHand(widgets.VBox):
    """Three sliders for a, b and c of a·t² + b·t + c, drawn over the roller-coaster data with the
    mean squared error in the title: gradient descent done by a human."""

    def __init__(self, a=0.0, b=0.0, c=0.0):
        self.t, self.speed = roller_coaster()
        make = lambda name, v, lo, hi: widgets.FloatSlider(value=v, min=lo, max=hi, step=0.1, description=name)
        self.a, self.b, self.c = make("a", a, -10, 30), make("b", b, -15, 15), make("c", c, -10, 20)
        self.drawing = d = Blitter(figsize=(5.5, 3.6))
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width=d.width))
        ax = d.fig.add_subplot()
        t, s = self.t.numpy(), self.speed.numpy()
        ax.plot(t, s, "o", color="tab:blue", ms=4)
        ax.set(xlim=(-1.1, 1.1), ylim=(s.min() - 8, s.max() + 8), xlabel="time t", ylabel="speed")
        self.ts = np.linspace(-1.1, 1.1, 100)
        self.curve, = ax.plot([], [], color="tab:red", lw=2)
        self.gaps = [ax.plot([], [], color="tab:red", lw=0.8, alpha=0.6)[0] for _ in t]
        self.title = ax.set_title(" \n ")  # two lines, so that tight_layout leaves room for them
        d.fig.tight_layout()
        d.moving = [self.curve, *self.gaps, self.title]
        d.freeze()
        self.before = None
        for s_ in (self.a, self.b, self.c): s_.observe(self._update, names="value")
        super().__init__([widgets.HBox([self.a, self.b, self.c]), self.picture])
        self._update()

    def loss(self):
        "The mean squared error of the current a, b, c on the data."
        pred = self.a.value * self.t**2 + self.b.value * self.t + self.c.value
        return float(((pred - self.speed) ** 2).mean())

    def _update(self, change=None):
        a, b, c = self.a.value, self.b.value, self.c.value
        self.curve.set_data(self.ts, a * self.ts**2 + b * self.ts + c)
        for g, t, s in zip(self.gaps, self.t.tolist(), self.speed.tolist()):
            g.set_data([t, t], [s, a * t * t + b * t + c])
        now = self.loss()
        show = lambda v: f"{round(v, 1) + 0.0:.1f}"  # + 0.0 turns -0.0 into 0.0
        said = f"a = {show(a)}, b = {show(b)}, c = {show(c)}\nloss (MSE) = {now:.2f}"
        if self.before is not None and abs(now - self.before) > 1e-9:
            said += f", was {self.before:.2f}: {'better' if now < self.before else 'worse'}"
        self.before = now
        self.title.set_text(said)
        self.picture.value = self.drawing.frame()

    def snapshot(self):
        "The current picture as a plain image."
        from IPython.display import Image as PNG
        return PNG(data=self.picture.value)


# ---------------------------------------------------------------------------------------------
# Still figures (pyplot, for the notebook's saved outputs).

def seven_steps():
    "The seven steps of gradient descent as a diagram of boxes and arrows; returns the Figure."
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    boxes = [("1 initialize", "start from\nrandom weights"), ("2 predict", "run the model\non the inputs"),
             ("3 loss", "how wrong are\nthe predictions?"), ("4 gradient", "which way is\ndownhill for\neach weight?"),
             ("5 step", "weights −=\nlr × gradient"), ("7 stop", "good enough,\nor out of time")]
    fig, ax = plt.subplots(figsize=(10, 3.2))
    xs = np.arange(len(boxes)) * 1.7
    arrow = dict(arrowstyle="-|>", mutation_scale=15)
    for x, (name, what) in zip(xs, boxes):
        colour = "#fde2c0" if name[0] in "17" else "#d6e6f5"
        ax.add_patch(FancyBboxPatch((x - 0.66, -0.3), 1.32, 0.6, boxstyle="round,pad=0.05", fc=colour, ec="0.3"))
        ax.text(x, 0, name, ha="center", va="center", fontsize=12, weight="bold")
        ax.text(x, -0.5, what, ha="center", va="top", fontsize=9, color="0.25")
    for a, b in zip(xs, xs[1:]):
        ax.add_patch(FancyArrowPatch((a + 0.72, 0), (b - 0.72, 0), color="0.2", **arrow))
    ax.add_patch(FancyArrowPatch((xs[4], 0.38), (xs[1], 0.38), connectionstyle="arc3,rad=0.25",
                                 color="tab:red", lw=1.5, **arrow))
    ax.text((xs[1] + xs[4]) / 2, 1.12, "6 repeat: predict, loss, gradient, step, again and again",
            ha="center", va="bottom", color="tab:red", fontsize=11, weight="bold")
    ax.set(xlim=(-0.8, xs[-1] + 0.8), ylim=(-1.3, 1.5))
    ax.set_title("The seven steps of gradient descent", fontsize=13)
    ax.axis("off")
    fig.subplots_adjust(left=0, right=1, bottom=0, top=0.9)
    return fig


def plot_learning_rates(problem="x²", steps=20):
    """Small multiples: the same descent with a learning rate that is too small, good, bouncy and
    diverging, side by side (a still version of the widget). Returns the Figure."""
    import matplotlib.pyplot as plt
    p = PROBLEMS[problem]
    fig, axs = plt.subplots(1, 4, figsize=(12, 3.1))
    box = _box(p)
    for ax, (name, lr) in zip(axs, example_lrs(problem).items()):
        d = descend(problem, lr, steps)
        _landscape(ax, p, box)
        u, v = _points(p, d.path, box)
        ax.plot(u, v, color="tab:red", lw=1.3, marker="o", ms=3)
        ax.plot(u[:1], v[:1], "o", color="k", ms=6)
        ax.set_title(f"{name}: lr = {lr:g}\n{d.status}, loss {d.losses[-1]:.2g}", fontsize=10)
    fig.suptitle(f"Gradient descent on {NAMES[problem]}: {steps} steps from the black dot; "
                 "the star marks the lowest loss", fontsize=11)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# Self-checks for the notebook's checkpoints and "Try it".

def check_params(got, expected, tol=0.01, name="params"):
    """Are the fitted parameters within `tol` of the expected ones (03_gradient_descent's checkpoints)?
    A friendly one-line verdict; missing, the wrong number of values, NaN, inf or not numbers are wrong."""
    if got is None:
        return Verdict(False, f"{name} is still None: run the cells above that make and fit it.")
    try:
        values = got.detach().reshape(-1).tolist() if hasattr(got, "detach") else list(got)
    except TypeError:
        return Verdict(False, f"{name} is {got!r}, not a list or tensor of {len(expected)} numbers.")
    if any(isinstance(v, (bool, str, bytes)) or not hasattr(v, "__float__") for v in values):
        return Verdict(False, f"{name} should hold {len(expected)} numbers, but holds {values!r}.")
    values = [float(v) for v in values]
    if len(values) != len(expected):
        return Verdict(False, f"{name} holds {len(values)} number{'s' * (len(values) != 1)}, expected {len(expected)} "
                              f"(one per parameter): {tuple(expected)}.")
    if not all(math.isfinite(v) for v in values):
        return Verdict(False, f"{name} holds NaN or inf ({', '.join(map(str, values))}): the steps blew up. Lower the "
                              "learning rate, make fresh parameters and run the loop again.")
    off = max(abs(g - e) for g, e in zip(values, expected))
    shown = ", ".join(f"{g:.3f}" for g in values)
    if off <= tol:
        return Verdict(True, f"On track: {name} = ({shown}), within {tol} of {tuple(expected)}.")
    return Verdict(False, f"{name} = ({shown}) is {off:.3g} away from {tuple(expected)}: run the loop again, "
                          "or check the learning rate and the number of steps.")


def check_one_step_lr(lr):
    "The Try-it check: does this learning rate take x² from 3 to exactly 0 in one step?"
    if lr is None:
        return Verdict(False, "my_lr is still None: replace it with a number and run the cell again.")
    d = descend("x²", float(lr), 1)
    if d.status == "diverged":
        return Verdict(False, f"lr = {lr} is far too big: the numbers overflow in the first step.")
    x1 = d.path[-1, 0]
    if abs(x1) < 1e-6:
        return Verdict(True, f"Right! With lr = {lr}, one step takes x from 3 to 0: 1 − 2·lr = 0.")
    side = "stopped short, still on the same side" if x1 > 0 else "jumped past 0 to the other side"
    return Verdict(False, f"With lr = {lr}, one step takes x from 3 to {x1:.3g}: it {side}. "
                          f"Use x₁ = (1 − 2·lr)·x₀ and solve for x₁ = 0.")
