"""Gradient descent you can watch: the descent as a pure function, the still figures of the lesson and
its checks. Introduced in 03_gradient_descent.

`descend` does the computing and nothing else; the widgets (the learning-rate animation, the quadratic
by hand: helpers/gd_widgets.py, also importable from here) only draw what it returns.
"""
import math
from dataclasses import dataclass

import numpy as np
import torch

from .checks import Verdict
from .drawing import Blitter, png_bytes  # noqa: F401 (their old home was here)
from .solutions import exercise

STEPS = 50  # how many steps the animation runs


def roller_coaster(n=20, seed=7):
    """The roller coaster's speed at n moments, time running from -1 to 1: 12t² − 2t + 3 plus noise.
    Used in: 03_gradient_descent."""
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
    raises for a bad learning rate; if the numbers overflow it stops and says after how many steps.
    Used in: 03_gradient_descent."""
    p = PROBLEMS[problem] if isinstance(problem, str) else problem
    w = torch.tensor(p.start if start is None else start, dtype=torch.float32).reshape(-1).requires_grad_()
    X, y = p.features(p.x), p.y
    path, losses = [], []
    for k in range(steps + 1):
        loss = ((X @ w - y) ** 2).mean()  # predict, then the mean squared error
        if not (torch.isfinite(loss) and torch.isfinite(w).all()):
            break  # overflow: keep only the finite part
        path.append(w.detach().numpy().astype(float))
        losses.append(loss.item())
        if k == steps:
            break
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
    def fmt(v):
        return f"{v:.3g}"
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
    of the largest one that still converges, 2 / (the loss's largest curvature). Used in: 03_gradient_descent."""
    p = PROBLEMS[problem]
    X = p.features(p.x).double()
    top = float(torch.linalg.eigvalsh(2 * X.T @ X / len(p.x)).max())
    return {name: float(f"{f * 2 / top:.3g}") for name, f in
            [("too small", 0.02), ("good", 0.3), ("bouncy", 0.9), ("diverging", 1.05)]}


# ---------------------------------------------------------------------------------------------
# Drawing the loss landscape and a path on it: for the widgets (helpers/gd_widgets.py) and the still
# figures below.

def _box(p):
    "The landscape's view: limits around the best point that hold the start and its mirror image."
    best, start = p.best()[list(p.view)], np.array(p.start)[list(p.view)]
    half = np.full(len(best), max(1.3 * np.abs(start - best).max(), 1.0))  # same scale on both axes
    return best - half, best + half


def _landscape(ax, p, box, bar=True):
    """Draw the loss curve (one parameter) or its contours (two) on ax, for the views of `p`; `bar`
    adds the contours' colour bar."""
    (lo, hi), best = box, p.best()
    if len(p.view) == 1:
        xs = np.linspace(lo[0], hi[0], 200)
        grid = np.repeat(best[None], len(xs), 0)
        grid[:, p.view[0]] = xs
        ax.plot(xs, p.losses(grid), color="0.5")
        ax.set(xlim=(lo[0], hi[0]), ylim=(-0.05 * p.losses(grid).max(), 1.05 * p.losses(grid).max()),
               xlabel=p.params[p.view[0]], ylabel=f"loss {p.name}" if p.name == "x²" else "loss")
        ax.plot([best[0]], [p.losses(best[None])[0]], "*", color="tab:green", ms=12)
        return
    i, j = p.view
    A, B = np.meshgrid(np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120))
    grid = np.repeat(best[None], A.size, 0)
    grid[:, i], grid[:, j] = A.ravel(), B.ravel()
    L = p.losses(grid).reshape(A.shape)
    floor = p.losses(best[None])[0]
    # Geometric levels crowd near the bottom, where the path ends; the first band starts at the
    # lowest loss, so the valley floor is shaded too (not left white).
    levels = floor + (L.max() - floor) * np.concatenate([[0], np.geomspace(2e-3, 1, 12)])
    levels[0] = min(floor, L.min()) - 1e-9 * (1 + abs(floor))
    filled = ax.contourf(A, B, L, levels=levels, cmap="Blues_r", alpha=0.5)
    ax.contour(A, B, L, levels=levels[1:], colors="0.55", linewidths=0.6)
    if bar:
        ax.figure.colorbar(filled, ax=ax, ticks=levels[[1, 5, 9, 12]], format="%.3g", fraction=0.08,
                           pad=0.02).set_label("loss", labelpad=2)
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


# The widgets (LRFigure, LearningRateExplorer, QuadraticByHand, frame_times) live in helpers/gd_widgets.py,
# which imports this module (and not the other way round).


# ---------------------------------------------------------------------------------------------
# Still figures (pyplot, for the notebook's saved outputs).

def seven_steps():
    """The seven steps of gradient descent as a diagram of boxes and arrows; returns the Figure.
    Used in: 03_gradient_descent."""
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
    diverging, side by side (a still version of the widget). Returns the Figure. Used in: 03_gradient_descent."""
    import matplotlib.pyplot as plt
    p = PROBLEMS[problem]
    fig, axs = plt.subplots(1, 4, figsize=(12, 3.1))
    box = _box(p)
    for k, (ax, (name, lr)) in enumerate(zip(axs, example_lrs(problem).items())):
        d = descend(problem, lr, steps)
        _landscape(ax, p, box, bar=k == 3)  # one colour bar, on the right, serves all four
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
    A friendly one-line verdict; missing, the wrong number of values, NaN, inf or not numbers are wrong.
    Used in: 03_gradient_descent."""
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


@exercise("my_lr")
def check_one_step_lr(lr):
    "The Try-it check: does this learning rate take x² from 3 to exactly 0 in one step? Used in: 03_gradient_descent."
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
