"""A picture of broadcasting: a stack of images minus one image that is reused for every slice.

Introduced in 02_pixel_similarity. The stacks are drawn the way 01_pixels draws one: a pile of
slices going back along dim 0, the front slice showing its image.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Rectangle

from .drawing import to_numpy

BACK = (0.75, 0.6)  # how far right and up the last slice of a pile sits, in face widths


def draw_pile(ax, front, n, title, reused=False, slices=8, **imshow_kw):
    """Draw on `ax` a rank-3 tensor of `n` images as a pile of `slices` slices with the 2-D image
    `front` on the front one. With `reused=True` the slices behind it are dashed outlines: the same
    image, used again for each of the `n` positions along dim 0 but never stored n times."""
    h, w = front.shape
    for k in range(slices - 1, 0, -1):  # back to front, so front slices cover back ones
        x, y = BACK[0] * k / (slices - 1), BACK[1] * k / (slices - 1)
        style = dict(facecolor="none", edgecolor="tab:blue", linestyle="--") if reused else \
                dict(facecolor="#ececec", edgecolor="#999")
        ax.add_patch(Rectangle((x, y), 1, 1, linewidth=0.8, zorder=1, **style))
    ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="none", zorder=2))
    ax.imshow(to_numpy(front), extent=(0, 1, 0, 1), interpolation="nearest", zorder=3, **imshow_kw)
    ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="tab:blue" if reused else "#555",
                           linewidth=1.2, zorder=4))
    colour = "tab:blue" if reused else "k"
    ax.add_patch(FancyArrowPatch((1.02, 0), (1.02 + BACK[0], BACK[1]), arrowstyle="->",
                                 mutation_scale=10, color=colour))
    dim0 = f"dim 0: reused\n({n} times)" if reused else f"dim 0: image\n(0 to {n - 1})"
    ax.text(1.08 + BACK[0], BACK[1], dim0, fontsize=9, va="top", color=colour)
    ax.text(0.5, -0.04, f"dim 2: column (0 to {w - 1})", ha="center", va="top", fontsize=9)
    ax.text(-0.04, 0.5, f"dim 1: row\n(0 to {h - 1})", ha="right", va="center", fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-0.62, 2.6)
    ax.set_ylim(-0.4, 1.65)
    ax.set_aspect("equal")
    ax.axis("off")


def broadcast_figure(stack, image, stack_name="stack", image_name="image"):
    """The figure `stack - image` = result: a (n, h, w) stack, the (h, w) image drawn as reused along
    dim 0, and the (n, h, w) difference (red: more ink than `image`, blue: less). Pixel values are
    expected from 0 to 1. Returns the Figure."""
    n = len(stack)
    if tuple(stack.shape[1:]) != tuple(image.shape):
        raise ValueError(f"expected a stack of {tuple(image.shape)} images, got shape {tuple(stack.shape)}")
    fig, (a, minus, b, equals, c) = plt.subplots(1, 5, figsize=(12, 3.5),
                                                 gridspec_kw={"width_ratios": [6, 1.1, 6, 1.1, 6]})
    axs = [a, b, c]
    for ax, sign in [(minus, "−"), (equals, "=")]:
        ax.text(0.5, 0.45, sign, fontsize=28, ha="center", va="center")
        ax.axis("off")
    grey = dict(cmap="Greys", vmin=0, vmax=1)
    draw_pile(axs[0], stack[0], n, f"{stack_name}: shape {tuple(stack.shape)}", **grey)
    draw_pile(axs[1], image, n, f"{image_name}: shape {tuple(image.shape)}, used as {(n, *image.shape)}",
              reused=True, **grey)
    draw_pile(axs[2], stack[0] - image, n, f"{stack_name} - {image_name}: shape {(n, *image.shape)}",
              cmap="bwr", vmin=-1, vmax=1)
    axs[2].text(0.5, -0.2, f"red: more ink than {image_name}, blue: less", ha="center", va="top", fontsize=9)
    fig.suptitle(f"Broadcasting: one {tuple(image.shape)} image is reused for all {n} images of the stack")
    fig.subplots_adjust(left=0.03, right=0.99, bottom=0.02, top=0.84, wspace=0.02)
    return fig


def show_broadcast(stack, image, stack_name="stack", image_name="image"):
    """Draw `broadcast_figure` in the notebook and show it (returns nothing, so no text is printed).
    Used in: 02_pixel_similarity."""
    broadcast_figure(stack, image, stack_name, image_name)
    plt.show()
