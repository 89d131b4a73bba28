"""helpers/broadcast.py: the broadcasting picture shows the right shapes, piles and difference."""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from helpers.broadcast import broadcast_figure, show_broadcast


@pytest.fixture
def stack():
    g = torch.Generator().manual_seed(0)
    return torch.rand(7, 5, 4, generator=g)


def dashed(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_linestyle() == "--"]


def test_three_piles_with_titles_that_give_the_shapes(stack):
    fig = broadcast_figure(stack, stack.mean(0), "big", "small")
    piles = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in piles] == [
        "big: shape (7, 5, 4)", "small: shape (5, 4), used as (7, 5, 4)", "big - small: shape (7, 5, 4)"]
    assert "reused for all 7 images" in fig._suptitle.get_text()
    signs = [t.get_text() for ax in fig.axes if not ax.get_title() for t in ax.texts]
    assert signs == ["−", "="]
    plt.close(fig)


def test_only_the_small_tensor_is_drawn_as_reused(stack):
    fig = broadcast_figure(stack, stack.mean(0), "big", "small")
    big, small, result = [ax for ax in fig.axes if ax.get_title()]
    assert not dashed(big) and not dashed(result) and len(dashed(small)) == 7  # 8 slices: front + 7 behind
    assert any("reused\n(7 times)" in t.get_text() for t in small.texts)
    assert any("0 to 6" in t.get_text() for t in big.texts)
    plt.close(fig)


def test_front_slices_show_the_first_image_the_mean_and_their_difference(stack):
    mean = stack.mean(0)
    fig = broadcast_figure(stack, mean)
    fronts = [[a for a in ax.get_children() if isinstance(a, AxesImage)][0].get_array()
              for ax in fig.axes if ax.get_title()]
    for got, want in zip(fronts, [stack[0], mean, stack[0] - mean]):
        np.testing.assert_allclose(np.asarray(got), want.numpy(), rtol=0, atol=1e-7)
    plt.close(fig)


def test_shapes_that_do_not_match_are_refused(stack):
    with pytest.raises(ValueError, match=r"stack of \(4, 5\) images"):
        broadcast_figure(stack, torch.zeros(4, 5))


def test_show_returns_nothing_so_the_notebook_prints_no_text(stack):
    assert show_broadcast(stack, stack.mean(0)) is None
    plt.close("all")
