"""helpers/gd.py: the descent against closed forms, its verdicts, and the widgets by setting values."""
import re

import numpy as np
import pytest
import torch

from helpers.gd import (PROBLEMS, check_one_step_lr, check_params, descend, example_lrs, plot_learning_rates,
                        roller_coaster, seven_steps)
from helpers.gd_widgets import LearningRateExplorer, QuadraticByHand, frame_times, rates


# --- the pure computation -------------------------------------------------------------------

@pytest.mark.parametrize("lr", [0.01, 0.1, 0.3, 0.45, 0.5, 0.7, 0.9, 1.0, 1.05])
def test_x2_path_is_the_closed_form(lr):
    d = descend("x²", lr, steps=30, start=2.0)
    expected = 2.0 * (1 - 2 * lr) ** np.arange(31)
    assert d.path.shape == (31, 1)
    np.testing.assert_allclose(d.path[:, 0], expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(d.losses, expected**2, rtol=2e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["line", "quadratic"])
def test_least_squares_path_is_the_closed_form(name):
    "For a mean squared error, w_k = w* + (I − lr·H)^k (w_0 − w*), with H the loss's curvature."
    p, lr, k = PROBLEMS[name], 0.2, 25
    X = p.features(p.x).double().numpy()
    H = 2 * X.T @ X / len(X)
    best, start = p.best(), np.array(p.start)
    expected = best + np.linalg.matrix_power(np.eye(len(best)) - lr * H, k) @ (start - best)
    np.testing.assert_allclose(descend(name, lr, steps=k).path[-1], expected, rtol=1e-4, atol=1e-4)


def test_the_line_recovers_its_true_parameters():
    np.testing.assert_allclose(descend("line", 0.2, steps=200).path[-1], [3, 2], atol=1e-4)


@pytest.mark.parametrize("lr, status", [(0.1, "converging"), (0.9, "oscillating"), (1.1, "diverging")])
def test_verdicts_on_x2(lr, status):
    d = descend("x²", lr, steps=30)
    assert d.status == status and d.message.startswith(status)


def test_edge_cases_never_raise():
    assert descend("x²", 0.1, steps=0).path.shape == (1, 1)
    assert descend("quadratic", 0.5, steps=300).status == "converging"  # at the floor, float32 noise and all
    assert descend("x²", float("nan")).status == "diverged"


def test_slow_and_stuck_are_said_so():
    assert "slowly" in descend("x²", 0.001).message
    d = descend("x²", 1.0)  # jumps between 3 and −3 forever
    assert d.status == "oscillating" and "stays at 9" in d.message


@pytest.mark.parametrize("lr", [1e20, 1e30, float("inf")])
def test_overflow_is_a_message_with_drawable_data(lr):
    d = descend("x²", lr)
    assert d.status == "diverged" and d.message.startswith("diverged after 1 step:")
    assert len(d.path) == len(d.losses) == 1 and np.isfinite(d.path).all() and np.isfinite(d.losses).all()


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_overflow_after_some_steps(name):
    d = descend(name, 10.0, steps=50)
    n = len(d.losses)  # the steps before it overflowed, plus the start
    assert 1 < n < 51 and d.message.startswith(f"diverged after {n} steps")
    assert np.isfinite(d.path).all() and np.isfinite(d.losses).all() and d.path.shape[0] == n


def test_x2_overflow_happens_where_float32_runs_out():
    # |x_k| = 3·19^k, and x_k² passes float32's largest number (3.4e38) at step 15
    assert descend("x²", 10.0).message.startswith("diverged after 15 steps")


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_example_learning_rates_tell_the_story(name):
    lrs = example_lrs(name)
    assert list(lrs) == ["too small", "good", "bouncy", "diverging"]
    got = {k: descend(name, lr, steps=50) for k, lr in lrs.items()}
    assert got["too small"].status == "converging" and "slowly" in got["too small"].message
    assert got["good"].status == "converging" and "slowly" not in got["good"].message
    assert got["bouncy"].status == "oscillating"
    assert got["diverging"].status == "diverging"


def test_example_learning_rates_of_x2():
    assert example_lrs("x²") == {"too small": 0.02, "good": 0.3, "bouncy": 0.9, "diverging": 1.05}


def test_roller_coaster_is_the_same_every_time():
    (t1, s1), (t2, s2) = roller_coaster(), roller_coaster()
    assert t1.shape == s1.shape == (20,) and torch.equal(t1, t2) and torch.equal(s1, s2)
    assert float(t1[0]) == -1 and float(t1[-1]) == 1


def test_descend_does_not_touch_the_global_random_state():
    torch.manual_seed(0)
    a = torch.rand(1)
    torch.manual_seed(0)
    descend("quadratic", 0.3)
    b = torch.rand(1)
    assert torch.equal(a, b)


# --- the learning-rate widget, driven by setting values -------------------------------------
# (marked `widgets`: they also run under ipywidgets 7.7.1, in the Colab-like environment)

widget = pytest.mark.widgets


@pytest.fixture
def explorer():
    return LearningRateExplorer()


def is_png(b):
    return b[:8] == b"\x89PNG\r\n\x1a\n"


@widget
def test_initial_state(explorer):
    assert explorer.problem.value == "x²" and explorer.lr.value == pytest.approx(0.1)
    assert explorer.step.value == explorer.step.max == explorer.play.max == 50
    assert "converging" in explorer.status.value and "step 50: x = " in explorer.status.value
    assert is_png(explorer.picture.value)


@widget
def test_css_classes_for_the_browser_test(explorer):
    assert "digits-lr-slider" in explorer.lr._dom_classes
    assert "digits-lr-picture" in explorer.picture._dom_classes
    assert "digits-play" in explorer.play._dom_classes and "digits-lr-status" in explorer.status._dom_classes


@widget
def test_play_buttons_have_words_and_no_repeat(explorer):
    assert explorer.play.show_repeat is False
    row = explorer.children[1].children
    assert row[0] is explorer.play
    style = row[1].value  # the HTML next to the Play gives its buttons words
    for icon, word in [("fa-play", "play"), ("fa-pause", "pause"), ("fa-stop", "stop")]:
        assert f'.digits-play i.{icon}::after {{ content: "{word}"; }}' in style


@widget
def test_arrow_keys_move_the_learning_rate_visibly(explorer):
    "One notch of the slider (what an arrow key moves) is the next round rate, about 20 % on; not 0.02 %."
    every = [v for _, v in explorer.lr.options]
    assert every == rates() and every[0] == 0.001 and every[-1] == 10 and len(every) == 49
    assert all(1.11 <= b / a <= 1.34 for a, b in zip(every, every[1:]))
    assert {0.02, 0.3, 0.5, 0.9, 1.0, 1.2} <= set(every) and all(label == f"{v:g}" for label, v in explorer.lr.options)
    i = every.index(0.9)
    explorer.lr.index = i + 5  # five presses of the right arrow
    assert explorer.lr.value == 2.5 and explorer.descent.lr == 2.5 and "diverg" in explorer.status.value


@widget
def test_a_rate_off_the_grid_is_kept_as_given():
    w = LearningRateExplorer(lr=0.95)
    assert w.lr.value == 0.95 and w.descent.lr == 0.95 and 0.95 in [v for _, v in w.lr.options]


@widget
def test_the_status_never_changes_height(explorer):
    "The verdict takes three fixed lines at the picture's width, whatever its length: the picture never moves."
    heights = set()
    for lr in [0.001, 0.1, 0.9, 1.2, 10]:
        explorer.lr.value = lr
        heights.add(re.search(r"(?<!-)height:(\d+)px", explorer.status.value).group(1))
    assert heights == {"60"} and "overflow:hidden" in explorer.status.value
    assert explorer.status.layout.width == explorer.picture.layout.width == "880px"


@widget
def test_lr_slider_updates_verdict_and_picture(explorer):
    before = explorer.picture.value
    explorer.lr.value = 0.9
    assert explorer.descent.lr == pytest.approx(0.9) and explorer.descent.status == "oscillating"
    assert "oscillating" in explorer.status.value and explorer.picture.value != before
    explorer.lr.value = 1.2
    assert "diverging" in explorer.status.value


@widget
def test_overflowing_lr_shows_a_message_and_a_picture(explorer):
    explorer.lr.value = 10
    assert "diverged after 15 steps" in explorer.status.value
    assert "step 14: x = " in explorer.status.value  # the last finite step is shown
    assert is_png(explorer.picture.value) and len(explorer.picture.value) > 5000
    explorer.step.value = 3  # stepping through a diverged run still works
    assert "step 3: x = " in explorer.status.value


@widget
def test_step_slider_and_buttons(explorer):
    before = explorer.picture.value
    explorer.step.value = 3
    assert "step 3: x = 1.536" in explorer.status.value and explorer.picture.value != before
    explorer.forward.click()
    assert explorer.step.value == 4 and "step 4: x = 1.229" in explorer.status.value
    explorer.back.click()
    explorer.back.click()
    assert explorer.step.value == 2
    explorer.step.value = 0
    explorer.back.click()
    assert explorer.step.value == 0
    explorer.step.value = 50
    explorer.forward.click()
    assert explorer.step.value == 50


@widget
@pytest.mark.parametrize("name, shown", [("line", "a1 = "), ("quadratic", "b = ")])
def test_problem_dropdown(explorer, name, shown):
    before = explorer.picture.value
    explorer.problem.value = name
    assert explorer.descent.problem == name and shown in explorer.status.value
    assert explorer.picture.value != before and is_png(explorer.picture.value)
    explorer.lr.value = 0.3
    assert explorer.descent.status == "converging"


@widget
def test_no_leak_after_500_updates(explorer):
    import matplotlib.pyplot as plt
    figures = len(plt.get_fignums())
    fig = explorer.drawing.fig
    artists = len(fig.findobj())
    lrs = [v for _, v in explorer.lr.options]
    for i in range(500):
        if i % 2:
            explorer.lr.value = lrs[i % len(lrs)]
        else:
            explorer.step.value = i % 51
    assert explorer.drawing.fig is fig and len(plt.get_fignums()) == figures
    assert len(fig.findobj()) == artists
    for name in ["line", "quadratic", "x²"]:
        explorer.problem.value = name
    assert explorer.drawing.fig is fig and len(fig.findobj()) == artists and len(plt.get_fignums()) == figures


@widget
def test_frame_times_returns_one_time_per_move():
    times = frame_times(n=3)
    assert len(times) == 3 and all(t > 0 for t in times)


@widget
def test_snapshot_is_the_current_picture(explorer):
    explorer.lr.value = 0.5
    assert explorer.snapshot().data == explorer.picture.value


# --- by hand first ------------------------------------------------------------------------

@widget
def test_by_hand_loss_and_title():
    h = QuadraticByHand()
    t, s = roller_coaster()
    assert h.loss() == pytest.approx(float((s**2).mean()))
    first = h.picture.value
    h.a.value, h.c.value = 12.0, 3.0
    assert h.loss() == pytest.approx(float(((12 * t**2 + 3 - s) ** 2).mean()), rel=1e-5)
    assert "better" in h.title.get_text() and h.picture.value != first
    h.a.value = 30.0
    assert "worse" in h.title.get_text()
    assert h.snapshot().data == h.picture.value
    assert h.picture.layout.width == "440px"  # shown at its own size


@widget
def test_by_hand_compares_with_the_loss_before_this_slider_moved():
    "A drag sends many values; 'before you moved a' is the loss before the drag began, not at its last point."
    h = QuadraticByHand()
    start = h.loss()
    assert "before" not in h.title.get_text()
    for a in (2.0, 4.0, 6.0, 8.0):  # one drag of a, in four updates
        h.a.value = a
    assert f"was {start:.2f} before you moved a: better" in h.title.get_text()
    h.a.value = 7.0  # still a: the same reference
    assert f"was {start:.2f} before you moved a" in h.title.get_text()
    after_a = h.loss()
    h.c.value = 4.0  # another slider: its reference is the loss it started from
    assert f"was {after_a:.2f} before you moved c: better" in h.title.get_text()
    h.c.value = 19.0
    assert f"was {after_a:.2f} before you moved c: worse" in h.title.get_text()


# --- still figures and checks ---------------------------------------------------------------

def test_still_figures_have_titles():
    import matplotlib.pyplot as plt
    fig = seven_steps()
    assert "seven steps" in fig.axes[0].get_title()
    fig2 = plot_learning_rates("line")
    *panels, bar = fig2.axes  # four pictures and one colour bar that says what loss each shade is
    assert len(panels) == 4 and all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in panels)
    assert bar.get_ylabel() == "loss"
    plt.close(fig)
    plt.close(fig2)


def test_contours_shade_the_valley_floor_and_the_loss_axis_says_when_it_is_left():
    """The lowest band of the contour map starts at the lowest loss (the minimum was left white),
    and a loss that falls below the log axis is named in the panel's title, not silently cut."""
    from helpers.gd_widgets import LRFigure
    fig = LRFigure()
    fig.use("line")
    filled = [c for c in fig.fig.axes[0].collections if getattr(c, "levels", None) is not None][0]
    floor = PROBLEMS["line"].losses(PROBLEMS["line"].best()[None])[0]
    assert filled.levels[0] <= floor
    fig.show(descend("line", 0.18, 50), 50)
    assert "below" in fig.loss_title.get_text() and "from step" in fig.loss_title.get_text()
    fig.show(descend("line", 0.18, 50), 5)
    assert fig.loss_title.get_text() == "loss at each step"


def test_checks_are_friendly():
    assert check_params(torch.tensor([3.001, 1.999]), (3, 2))
    v = check_params([2.0, 2.0], (3, 2))
    assert not v and "1 away" in repr(v)
    assert "still None" in repr(check_one_step_lr(None))
    assert check_one_step_lr(0.5) and "Right" in repr(check_one_step_lr(0.5))
    assert "same side" in repr(check_one_step_lr(0.1))
    assert "other side" in repr(check_one_step_lr(0.8))
    assert not check_one_step_lr(1e30)
