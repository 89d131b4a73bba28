"""The widgets of 03_gradient_descent: the learning-rate animation and the quadratic fitted by hand.

They only draw what helpers/gd.py computes (`descend`), each on one Blitter (helpers/drawing.py), with
widgets that ipywidgets 7.7 (Colab) and 8 share. Notebook 03 imports them from here; helpers/gd.py has
the maths and never imports this module.
"""
import ipywidgets as widgets
import numpy as np
import torch

from . import drawing
from .drawing import Blitter, PictureWidget, fixed_lines, labelled_play
from .gd import LABELS, PROBLEMS, STEPS, _box, _landscape, _points, descend, roller_coaster


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
        # An exact fit (floor 0) sends the loss down forever on a log scale: the axis stops 10 decades
        # below the start, and the title says when the curve runs off its bottom.
        self.loss_lim = (max(floor * 0.5, L0 * 1e-10), L0 * 1e4)
        loss.set(yscale="log", xlim=(0, self.steps), ylim=self.loss_lim, xlabel="step", ylabel="loss (log scale)")
        self.loss_title = loss.set_title(" ")
        if floor > 0:
            loss.axhline(floor, color="tab:green", lw=1, ls="--")
        self.loss_all, = loss.plot([], [], **faint)
        self.loss_now, = loss.plot([], [], **bold)
        fig.tight_layout()
        self.moving = [self.land_all, self.land_now, self.land_dot, self.land_title, self.fit_all, self.fit_now,
                       self.fit_title, self.loss_all, self.loss_now, self.loss_title]
        self.freeze()

    def show(self, d, k):
        "Draw step k (or the last step done, if it diverged earlier) of descent `d`; returns PNG bytes."
        p, n = self.problem, len(d.losses) - 1
        k = min(k, n)
        u, v = _points(p, d.path, self.box)
        self.land_all.set_data(u, v)
        self.land_now.set_data(u[:k + 1], v[:k + 1])
        self.land_dot.set_data(u[k:k + 1], v[k:k + 1])
        # e.g. "learning rate 1.05: diverged after 13 steps"
        self.land_title.set_text(f"learning rate {d.lr:.3g}: {d.message.split(':')[0]}")
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
        losses = np.clip(d.losses, lo, hi * 10)
        self.loss_all.set_data(steps, losses)
        self.loss_now.set_data(steps[:k + 1], losses[:k + 1])
        under = np.flatnonzero(np.asarray(d.losses[:k + 1]) < lo)
        self.loss_title.set_text(f"loss (below {lo:.0e} from step {under[0]})" if len(under)
                                 else "loss at each step")
        return self.frame()


COLOURS = {"converging": "#1a7f37", "oscillating": "#b35900", "diverging": "#c0392b", "diverged": "#c0392b"}


MANTISSAS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)


def rates(also=None, lo=-3, hi=1):
    """The learning rates the slider offers, from 10^lo to 10^hi: round numbers about 20 % apart (and
    `also`, if it is not one of them)."""
    out = {float(f"{m}e{k}") for k in range(lo, hi) for m in MANTISSAS} | {float(f"1e{hi}")}
    if also is not None:
        out.add(float(also))
    return sorted(out)


class LearningRateExplorer(PictureWidget):
    """Pick a problem and a learning rate (log scale); watch gradient descent's path on the loss
    landscape, the fit and the loss, step by step (play, or step by hand), with a verdict:
    converging, oscillating or diverging. Used in: 03_gradient_descent."""

    def __init__(self, problem="x²", lr=0.1, steps=STEPS):
        self.problem = widgets.Dropdown(options=[(v, k) for k, v in LABELS.items()], value=problem,
                                        description="problem", layout=widgets.Layout(width="360px"))
        # round rates on a log scale: one notch (an arrow key) is the next of 1, 1.2, 1.5, 2, 2.5, 3, 4, … 9 × 10^k
        self.lr = widgets.SelectionSlider(options=[(f"{v:g}", v) for v in rates(lr)], value=lr,
                                          description="learning rate", style={"description_width": "initial"},
                                          layout=widgets.Layout(width="480px"))
        self.lr.add_class("digits-lr-slider")
        self.play, play_words = labelled_play(value=steps, min=0, max=steps, step=1, interval=150)
        self.step = widgets.IntSlider(value=steps, min=0, max=steps, description="step")
        widgets.jslink((self.play, "value"), (self.step, "value"))
        self.back = widgets.Button(description="◀ back", layout=widgets.Layout(width="80px"))
        self.forward = widgets.Button(description="next ▶", layout=widgets.Layout(width="80px"))
        self.back.on_click(lambda _: self._move(-1))
        self.forward.on_click(lambda _: self._move(+1))
        self.drawing = LRFigure(steps)
        # the verdict always takes three lines at the picture's width, so the picture never moves
        self.status = widgets.HTML(layout=widgets.Layout(width=self.drawing.width))
        self.status.add_class("digits-lr-status")
        self.picture_for(self.drawing, "digits-lr-picture")
        self.drawing.use(problem)
        self.descent = None
        self.problem.observe(self._new_problem, names="value")
        self.lr.observe(self._new_lr, names="value")
        self.step.observe(self._draw, names="value")
        super().__init__([widgets.HBox([self.problem, self.lr]),
                          widgets.HBox([self.play, play_words, self.step, self.back, self.forward]),
                          self.status, self.picture])
        self.add_class("digits-lr-explorer")
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
        self.status.value = fixed_lines(f'<b style="color:{COLOURS[d.status]}">{d.message}</b><br>'
                                        f"step {shown}: {params}, loss {d.losses[shown]:.4g}", lines=3)
        self.picture.value = self.drawing.show(d, k)


def frame_times(n=50, problem="x²"):
    """Build the learning-rate widget, move its learning-rate slider `n` times across its range and
    return the seconds each update took (slider move to new picture). For benchmarks."""
    w = LearningRateExplorer(problem)
    every = [v for _, v in w.lr.options]
    return drawing.frame_times(w.lr, [every[round(i)] for i in np.linspace(0, len(every) - 1, n)])


# ---------------------------------------------------------------------------------------------
# By hand first: a quadratic with three sliders and the loss in the title.

class QuadraticByHand(PictureWidget):
    """Three sliders for a, b and c of a·t² + b·t + c, drawn over the roller-coaster data with the
    mean squared error in the title: gradient descent done by a human. The title compares the loss
    with the one before the slider now moving was touched (not with the last point of a drag).
    Used in: 03_gradient_descent."""

    def __init__(self, a=0.0, b=0.0, c=0.0):
        self.t, self.speed = roller_coaster()
        def make(name, v, lo, hi):
            return widgets.FloatSlider(value=v, min=lo, max=hi, step=0.1, description=name)
        self.a, self.b, self.c = make("a", a, -10, 30), make("b", b, -15, 15), make("c", c, -10, 20)
        self.drawing = d = Blitter(figsize=(5.5, 3.6))
        self.picture_for(d, "digits-by-hand-picture")
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
        self.moved, self.before, self.shown = None, None, self.loss()  # slider moving now; loss before it moved
        for s_ in (self.a, self.b, self.c):
            s_.observe(self._update, names="value")
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
        name = change["owner"].description if change else None
        if name is not None and name != self.moved:  # another slider: its move starts from the loss shown
            self.moved, self.before = name, self.shown
        self.shown = now
        def show(v):
            return f"{round(v, 1) + 0.0:.1f}"  # + 0.0 turns -0.0 into 0.0
        said = f"a = {show(a)}, b = {show(b)}, c = {show(c)}\nloss (MSE) = {now:.2f}"
        if self.before is not None and abs(now - self.before) > 1e-9:
            said += (f", was {self.before:.2f} before you moved {self.moved}: "
                     f"{'better' if now < self.before else 'worse'}")
        self.title.set_text(said)
        self.picture.value = self.drawing.frame()
