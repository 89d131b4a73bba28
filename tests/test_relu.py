"""helpers/relu.py: the sum-of-ReLUs maths against hand-computed values, and the widget by setting values."""
import numpy as np
import pytest

import re

from helpers.relu import (MAX_PIECES, TARGETS, X, ReluSum, even_hinges, fit_slopes, formula, formula_html,
                          largest_gap, mse, pieces, relu, relu_sum, terms)

pytestmark = pytest.mark.widgets


# --- the pure maths ---------------------------------------------------------------------------

def test_relu_zeroes_the_negative_part_only():
    np.testing.assert_array_equal(relu([-1.5, 0.0, 2.0]), [0.0, 0.0, 2.0])


def test_sum_of_relus_by_hand():
    # 0.5 + 2·relu(x + 1) − 3·relu(x − 1) at x = −3, −1, 0, 1, 2
    got = relu_sum([-3, -1, 0, 1, 2], hinges=[-1, 1], slopes=[2, -3], bias=0.5)
    np.testing.assert_allclose(got, [0.5, 0.5, 2.5, 4.5, 3.5])


def test_pieces_are_one_row_each_and_add_up():
    rows = pieces([-3, -1, 0, 1, 2], [-1, 1], [2, -3])
    np.testing.assert_allclose(rows, [[0, 0, 2, 4, 6], [0, 0, 0, 0, -3]])
    np.testing.assert_allclose(0.5 + rows.sum(0), relu_sum([-3, -1, 0, 1, 2], [-1, 1], [2, -3], 0.5))


def test_no_pieces_is_just_the_bias():
    np.testing.assert_allclose(relu_sum([-1, 0, 3], [], [], bias=1.25), [1.25] * 3)
    assert pieces([-1, 0, 3], [], []).shape == (0, 3)


def test_mean_squared_error_by_hand():
    assert mse([1, 2, 3], [1, 2, 5]) == pytest.approx(4 / 3)
    assert mse(np.zeros(4), np.zeros(4)) == 0.0


def test_fit_slopes_by_hand():
    # one hinge at 0 over x = 0, 1, 2: the model is bias + a·x, i.e. a straight-line fit
    bias, slopes = fit_slopes([0, 1, 2], [1, 3, 5], hinges=[0])
    assert bias == pytest.approx(1) and slopes == pytest.approx([2])
    bias, slopes = fit_slopes([0, 1, 2], [0, 1, 0], hinges=[0])  # best line through a peak: flat at 1/3
    assert bias == pytest.approx(1 / 3) and slopes == pytest.approx([0], abs=1e-12)


def test_fit_slopes_recovers_a_sum_of_relus_exactly():
    y = relu_sum(X, [-1.0, 1.0], [2.0, -3.0], 0.5)
    bias, slopes = fit_slopes(X, y, [-1.0, 1.0])
    assert bias == pytest.approx(0.5) and slopes == pytest.approx([2.0, -3.0])
    assert mse(relu_sum(X, [-1.0, 1.0], slopes, bias), y) < 1e-20


def test_more_pieces_fit_better_toward_zero():
    y = TARGETS["wave"][1](X)
    errors = []
    for n in (4, 8, 16, 32):
        h = even_hinges(n)
        b, a = fit_slopes(X, y, h)
        errors.append(mse(relu_sum(X, h, a, b), y))
    assert all(later < earlier / 4 for earlier, later in zip(errors, errors[1:]))
    assert errors[-1] < 1e-4


def test_even_hinges_and_largest_gap():
    np.testing.assert_allclose(even_hinges(4, -3, 3), [-3, -1.5, 0, 1.5])
    assert largest_gap([-2.0, 0.0, 1.5], -3, 3) == pytest.approx(-1.0)  # middle of the gap from −2 to 0
    assert largest_gap([], -3, 3) == pytest.approx(0.0)


def test_formula_reads_like_maths():
    assert formula([-2, 1.5, 0], [1, -2, 0.5], -0.5) == "−0.5 + 1·relu(x + 2) − 2·relu(x − 1.5) + 0.5·relu(x)"
    assert formula([-2], [-1.004], 0.001) == "−1·relu(x + 2)"  # a zero bias is left out
    assert formula([], [], 0.0) == "0" and formula([], [], 1.25) == "1.25"


def test_formula_html_wraps_between_terms_only():
    assert terms([-2, 1.5], [1, -2], -0.5) == ["−0.5", "+ 1·relu(x + 2)", "− 2·relu(x − 1.5)"]
    html = formula_html([-2, 1.5], [1, -2], -0.5)
    spans = re.findall(r'<span style="white-space:nowrap">(.*?)</span>', html)
    assert spans == terms([-2, 1.5], [1, -2], -0.5) and text(html) == formula([-2, 1.5], [1, -2], -0.5)


# --- the widget, driven by setting values (no kernel needed) ---------------------------------

def text(html):
    "What HTML shows, without its tags."
    return re.sub(r"<[^>]+>", "", html)


def expected_error(w, target="wave"):
    return mse(relu_sum(X, w.hinges, w.slopes, w.bias.value), TARGETS[target][1](X))


def test_initial_state():
    w = ReluSum()
    assert w.hinges == [-2.0, 0.0, 1.5] and w.slopes == [1.0, -2.0, 1.5]
    assert [v for _, v in w.piece.options] == [0, 1, 2] and w.piece.value == 2
    assert w.hinge.value == 1.5 and w.slope.value == 1.5
    assert f"3 pieces: mean squared error {expected_error(w):.4f}" in w.status.value
    assert "1·relu(x + 2) − 2·relu(x) + 1.5·relu(x − 1.5)" in text(w.status.value)
    assert w.picture.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "digits-relu-slider" in w.hinge._dom_classes and "digits-relu-picture" in w.picture._dom_classes


def test_moving_a_piece_changes_only_that_piece():
    w = ReluSum()
    png, status = w.picture.value, w.status.value
    w.hinge.value = 0.5
    w.slope.value = -1.0
    assert w.hinges == [-2.0, 0.0, 0.5] and w.slopes == [1.0, -2.0, -1.0]
    assert w.picture.value != png and w.status.value != status
    assert f"mean squared error {expected_error(w):.4f}" in w.status.value


def test_choosing_another_piece_shows_its_values_and_edits_it():
    w = ReluSum()
    w.piece.value = 0
    assert w.hinge.value == -2.0 and w.slope.value == 1.0
    assert w.hinges == [-2.0, 0.0, 1.5]  # choosing alone changes nothing
    w.hinge.value = -2.5
    assert w.hinges == [-2.5, 0.0, 1.5]


def test_adding_a_piece_puts_it_in_the_widest_gap_with_slope_zero():
    w = ReluSum()
    png, before = w.picture.value, w.error()
    w.add.click()
    assert w.hinges == [-2.0, 0.0, 1.5, -1.0] and w.slopes[-1] == 0.0
    assert w.piece.value == 3 and len(w.piece.options) == 4 and w.hinge.value == -1.0 and w.slope.value == 0.0
    assert w.error() == pytest.approx(before)          # slope 0 changes nothing yet...
    assert w.picture.value != png and "4 pieces" in w.status.value  # ...but it is drawn


def test_removing_pieces_down_to_none():
    w = ReluSum()
    w.piece.value = 1
    w.remove.click()
    assert w.hinges == [-2.0, 1.5] and w.slopes == [1.0, 1.5] and w.piece.value == 1 and w.hinge.value == 1.5
    w.remove.click()
    w.remove.click()
    assert w.hinges == [] and w.piece.value == -1
    assert w.hinge.disabled and w.slope.disabled and w.remove.disabled and not w.add.disabled
    assert "0 pieces" in w.status.value and text(w.status.value).endswith("y = 0")
    assert w.error() == pytest.approx(mse(np.zeros_like(X), np.sin(2 * X)))
    w.remove.click()  # nothing left to remove: no error
    w.add.click()
    assert w.hinges == [0.0] and w.piece.value == 0 and not w.hinge.disabled


def test_fit_the_slopes_is_least_squares():
    w = ReluSum()
    for _ in range(5):
        w.add.click()
    before = w.error()
    w.fit.click()
    bias, slopes = fit_slopes(X, np.sin(2 * X), w.hinges)
    assert w.slopes == pytest.approx(list(slopes)) and w.bias.value == pytest.approx(bias)
    assert w.error() < before / 10 and f"mean squared error {w.error():.4f}" in w.status.value
    assert w.slope.value == pytest.approx(slopes[w.piece.value])


def test_fit_with_steep_slopes_widens_the_slider():
    w = ReluSum(hinges=(-0.1, 0.0, 0.1), slopes=(0, 0, 0))  # close hinges need steep slopes
    w.fit.click()
    assert max(abs(a) for a in w.slopes) > 5
    assert w.slope.min <= min(w.slopes) and w.slope.max >= max(w.slopes)
    assert w.slope.value == pytest.approx(w.slopes[w.piece.value])


def test_changing_the_target_and_the_bias():
    w = ReluSum()
    png = w.picture.value
    w.target.value = "bump"
    assert f"mean squared error {expected_error(w, 'bump'):.4f}" in w.status.value
    assert w.picture.value != png
    png = w.picture.value
    w.bias.value = 1.0
    assert w.curve() == pytest.approx(relu_sum(X, w.hinges, w.slopes, 1.0))
    assert w.picture.value != png and "y = 1 + 1·relu(x + 2)" in text(w.status.value)


def test_no_more_than_max_pieces():
    w = ReluSum(hinges=[], slopes=[])
    for _ in range(MAX_PIECES + 3):
        w.add.click()
    assert len(w.hinges) == MAX_PIECES and w.add.disabled


def test_updates_reuse_one_figure_without_pyplot():
    import matplotlib.pyplot as plt
    w = ReluSum()
    open_before, fig = len(plt.get_fignums()), w.drawing.fig
    for h in np.linspace(-3, 3, 25):
        w.hinge.value = float(h)
    w.target.value = "parabola"
    w.add.click()
    w.fit.click()
    assert w.drawing.fig is fig and len(plt.get_fignums()) == open_before


def test_snapshot_is_the_current_picture():
    w = ReluSum()
    w.hinge.value = -0.5
    assert w.snapshot().data == w.picture.value


def test_browsing_fitted_pieces_shows_each_slope():
    w = ReluSum(hinges=(-0.1, 0.0, 0.1), slopes=(0, 0, 0))
    w.fit.click()
    for i in range(3):
        w.piece.value = i
        assert w.slope.value == pytest.approx(w.slopes[i]) and w.hinge.value == pytest.approx(w.hinges[i])


def test_the_picture_is_its_own_size_and_the_formula_below_it():
    "A flex box stretched the 600-px picture to 964 px; a long formula above it pushed it down."
    w = ReluSum()
    assert w.picture.layout.width == "600px" and w.status.layout.width == "600px"
    assert w.children.index(w.picture) < w.children.index(w.status) == len(w.children) - 1
    for _ in range(20):
        w.add.click()
    w.fit.click()
    assert text(w.status.value).count("relu(") == 23 and w.status.value.count("nowrap") == 24  # bias + 23 terms
