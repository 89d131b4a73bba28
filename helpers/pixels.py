"""The pixel explorer: one digit, the numbers under a region of it, and where that slice sits in the
rank-3 stack of images. Introduced in 01_pixels.

Works with ipywidgets 7.7 (Colab) and 8: it uses only sliders, number boxes, HTML and Image widgets,
and draws on one Blitter (helpers/drawing.py): one reused matplotlib Figure, no pyplot.
"""
import ipywidgets as widgets
from matplotlib.patches import Polygon, Rectangle

from . import drawing
from .drawing import Blitter, PictureWidget, png_bytes  # noqa: F401 (png_bytes: its old home was here)


def region_code(name, index, rows, cols):
    """The indexing expression that picks `rows` x `cols` of image `index`, e.g. `threes[3, 4:10, 5:12]`.
    Used in: 01_pixels."""
    return f"{name}[{index}, {rows[0]}:{rows[1]}, {cols[0]}:{cols[1]}]"


def pixel_table_html(values, row0=0, col0=0):
    """An HTML table of a 2-D tensor/array of pixels, each cell shaded by its value, with the row
    and column numbers of the full image as headers."""
    v = values.tolist() if hasattr(values, "tolist") else values
    flat = [x for r in v for x in r]
    top = max(flat) if flat and max(flat) > 1 else 1  # 0-255 bytes or 0-1 floats
    fmt = (lambda x: f"{x:.2f}") if any(isinstance(x, float) and not float(x).is_integer() for x in flat) else \
          (lambda x: f"{int(x)}")
    cell = "padding:1px 3px;text-align:right;font:11px monospace;"
    head = "".join(f'<th style="{cell}color:#888">{col0 + j}</th>' for j in range(len(v[0]) if v else 0))
    body = []
    for i, r in enumerate(v):
        tds = []
        for x in r:
            shade = 255 - round(255 * min(max(x / top, 0), 1))
            ink = "#fff" if shade < 128 else "#000"
            tds.append(f'<td style="{cell}background:rgb({shade},{shade},{shade});color:{ink}">{fmt(x)}</td>')
        body.append(f'<tr><th style="{cell}color:#888">{row0 + i}</th>{"".join(tds)}</tr>')
    return f'<table style="border-collapse:collapse"><tr><th></th>{head}</tr>{"".join(body)}</table>'


class ExplorerFigure(Blitter):
    """The explorer's picture, on one reused Figure: left, one image with the region outlined;
    right, the rank-3 stack as a pile of slices with that image and region highlighted.
    Built once; `show` only moves artists, so an update stays fast."""

    def __init__(self, stack, name="stack", figsize=(9, 3.8), dpi=80):
        super().__init__(figsize, dpi)
        self.n, self.h, self.w = n, h, w = stack.shape
        self.stack = stack = drawing.to_numpy(stack)
        fig = self.fig
        left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        self.image = left.imshow(stack[0], cmap="Greys", interpolation="nearest", vmin=0, vmax=float(stack.max()) or 1)
        self.box = left.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="tab:red", linewidth=2))
        self.title = left.set_title("")
        left.set_xlabel("column (dim 2)")
        left.set_ylabel("row (dim 1)")
        # slices of the stack, from the back to the front so the front ones cover the back ones
        for k in sorted({round(i * (n - 1) / 9) for i in range(10)}, reverse=True):
            right.add_patch(self._face(k, 0, h, 0, w, facecolor="#ececec", edgecolor="#999", linewidth=0.6))
        self.slice = right.add_patch(self._face(0, 0, h, 0, w, facecolor="#ffd8a8", edgecolor="tab:orange",
                                                linewidth=1.5, alpha=0.85))
        self.part = right.add_patch(self._face(0, 0, 1, 0, 1, facecolor="tab:red", alpha=0.7))
        right.annotate("", xy=self._corner(n - 1, h, w), xytext=self._corner(0, h, w),
                       arrowprops=dict(arrowstyle="->", color="k"))
        right.text(*self._corner(n - 1, h, w), f"  dim 0: image\n  (0 to {n - 1})", fontsize=9, va="top")
        right.text(0.5, -0.1, f"dim 2: column (0 to {w - 1})", ha="center", va="top", fontsize=9)
        right.text(-0.05, 0.5, f"dim 1: row\n(0 to {h - 1})", va="center", ha="right", fontsize=9)
        right.set_xlim(-0.45, 2.2)
        right.set_ylim(-0.3, 1.8)
        right.axis("off")
        right.set_title(f"{name}: shape {tuple(stack.shape)}")
        self.name = name
        fig.tight_layout()
        self.moving = [self.image, *left.spines.values(), self.box, self.title, self.slice, self.part]
        self.freeze()

    def _corner(self, k, r, c):
        "Where pixel (row r, column c) of slice k lands: slice k sits k/n of the way back and up."
        depth = k / max(self.n - 1, 1)
        return (c / self.w + 0.9 * depth, 1 - r / self.h + 0.7 * depth)

    def _xy(self, k, r0, r1, c0, c1):
        return [self._corner(k, r0, c0), self._corner(k, r0, c1), self._corner(k, r1, c1), self._corner(k, r1, c0)]

    def _face(self, k, r0, r1, c0, c1, **kw):
        return Polygon(self._xy(k, r0, r1, c0, c1), **kw)

    def show(self, index, rows, cols):
        self.image.set_data(self.stack[index])
        self.box.set_bounds(cols[0] - 0.5, rows[0] - 0.5, cols[1] - cols[0], rows[1] - rows[0])
        self.title.set_text(f"{self.name}[{index}]  (indexes 0 to {self.n - 1})")
        self.slice.set_xy(self._xy(index, 0, self.h, 0, self.w))
        self.part.set_xy(self._xy(index, rows[0], rows[1], cols[0], cols[1]))
        return self.frame()


class PixelExplorer(PictureWidget):
    """Pick an image with a slider (or type its number) and a region with two range sliders; see the
    digit, the numbers under the region, the code that selects it and its place in the rank-3 `stack`.
    Used in: 01_pixels."""

    def __init__(self, stack, name="stack", rows=(4, 12), cols=(6, 16)):
        n, h, w = stack.shape
        self.stack, self.name = stack, name
        # a long slider to sweep through the images, and a box to type one image's number (or step
        # with its arrows): with thousands of images, one pixel of slider skips dozens of them
        self.index = widgets.IntSlider(value=0, min=0, max=n - 1, description="image", readout=False,
                                       layout=widgets.Layout(width="520px"))
        self.number = widgets.BoundedIntText(value=0, min=0, max=n - 1,
                                             description=f"or type its number (0 to {n - 1})",
                                             style={"description_width": "initial"},
                                             layout=widgets.Layout(width="320px"))
        widgets.link((self.index, "value"), (self.number, "value"))
        self.rows = widgets.IntRangeSlider(value=rows, min=0, max=h, description="rows")
        self.cols = widgets.IntRangeSlider(value=cols, min=0, max=w, description="columns")
        self.code = widgets.HTML()
        self.table = widgets.HTML()
        self.drawing = ExplorerFigure(stack, name)
        self.picture_for(self.drawing, "digits-explorer-picture")
        for s in (self.index, self.rows, self.cols):
            s.observe(self._update, names="value")
        super().__init__([widgets.HBox([self.index, self.number]), widgets.HBox([self.rows, self.cols]), self.code,
                          widgets.HBox([self.picture, self.table],  # the table goes below when there is no room
                                       layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))])
        # names for the browser test (tests/test_browser.py) to find the parts by
        self.add_class("digits-pixel-explorer")
        self.index.add_class("digits-image-slider")
        self.number.add_class("digits-image-number")
        self._update()

    def selection(self):
        "The tensor slice now selected."
        (r0, r1), (c0, c1) = self.rows.value, self.cols.value
        return self.stack[self.index.value, r0:r1, c0:c1]

    def _update(self, change=None):
        i, rows, cols = self.index.value, self.rows.value, self.cols.value
        part = self.selection()
        self.code.value = (f"<code>{region_code(self.name, i, rows, cols)}</code> &rarr; "
                           f"shape <code>{tuple(part.shape)}</code> (rank {part.ndim})")
        self.table.value = pixel_table_html(part, rows[0], cols[0]) if part.numel() else "<i>empty region</i>"
        self.picture.value = self.drawing.show(i, rows, cols)


def frame_times(n=50, seed=0):
    "Seconds per update when the image slider moves, `n` times (for `make bench`, not for tests)."
    import torch
    g = torch.Generator().manual_seed(seed)
    e = PixelExplorer(torch.randint(0, 256, (6131, 28, 28), dtype=torch.uint8, generator=g))
    return drawing.frame_times(e.index, [(i * 97 + 1) % 6131 for i in range(n)])
