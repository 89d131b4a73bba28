"""Turn your own handwriting, a drawing from the canvas (bright ink on a 0 background) or a photo or
scan of a digit on paper (usually dark ink on light paper), into a 28×28 input made the way MNIST
was made: the ink bright on a black background, anti-aliased grey, the digit scaled so that its
longer side fits a 20×20 box (keeping its shape), then placed in a 28×28 frame so that its centre of
mass, the average position of the ink weighted by its brightness, is at the centre of the frame.
`to_mnist` does every step; each step is also a function of its own, so a notebook can show what
each one does, and `naive` shows what a model gets without them. Introduced in 10_your_own_digits.
"""
import io

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps

BOX, SIZE = 20, 28  # MNIST: the digit fits a 20×20 box, inside a 28×28 frame
INK = 1 / 510       # brighter than half an 8-bit grey step (1/255) counts as ink: MNIST's faintest grey does
MAX_SIDE = 1000     # to_mnist first shrinks larger photos: plenty for a 20-px result, and quick
NO_INK = ("No ink found: draw a digit first (or, for a photo, write it dark and large on light, "
          "evenly lit paper).")


def _to_float(a: np.ndarray) -> np.ndarray:
    "Values as floats in 0..1: whole numbers are 0..255 (0..65535 if larger), floats above 1 are 0..255."
    if a.dtype == bool:
        return a.astype(np.float32)
    if not np.issubdtype(a.dtype, np.floating):
        return a.astype(np.float32) / (255 if a.max(initial=0) <= 255 else 65535)
    a = a.astype(np.float32)
    return a / 255 if a.max(initial=0) > 1 else a


def to_grey(image) -> torch.Tensor:
    """`image` as an H×W float tensor of greys from 0 (black) to 1 (white). It may be a PIL image, a
    numpy array or a tensor: grey (H×W), or with colour channels last (H×W×3, H×W×4) or first (3×H×W,
    as PyTorch keeps them); uint8 0..255 or float 0..1. Colours become grey the way PIL does it
    (0.299 red + 0.587 green + 0.114 blue). Transparent pixels become background: black behind light
    ink, white behind dark ink, so the ink stands out either way.
    Used in: 10_your_own_digits."""
    if isinstance(image, Image.Image):
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            image = image.convert("RGBA")
        elif image.mode not in ("1", "L", "I", "I;16", "F"):   # greys (16-bit, float too) stay as they are
            image = image.convert("RGB")
    a = image.detach().cpu().numpy() if torch.is_tensor(image) else np.asarray(image)
    while a.ndim > 3 and a.shape[0] == 1:              # a batch of one: 1×3×H×W
        a = a[0]
    if a.ndim == 3 and a.shape[-1] not in (1, 2, 3, 4) and a.shape[0] in (1, 2, 3, 4):
        a = np.moveaxis(a, 0, -1)                      # channels first → channels last
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3:
        raise ValueError(f"expected a picture (H×W, H×W×3 or H×W×4), not an array of shape {a.shape}")
    a = _to_float(a)
    colour, alpha = (a[..., :-1], a[..., -1]) if a.shape[-1] in (2, 4) else (a, None)
    grey = colour[..., 0] if colour.shape[-1] == 1 else colour[..., :3] @ np.float32([0.299, 0.587, 0.114])
    if alpha is not None:
        ink_is_light = (grey * alpha).sum() > 0.5 * alpha.sum()
        grey = grey * alpha + (0.0 if ink_is_light else 1.0) * (1 - alpha)
    return torch.from_numpy(np.ascontiguousarray(grey, dtype=np.float32)).clamp(0, 1)


def _resize(x: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """`x` resized to h×w. Shrinking averages the pixels that each new pixel covers (torch's "area"
    mode: what a camera's pixel does, so edges come out grey, anti-aliased); enlarging is bilinear."""
    if (h, w) == tuple(x.shape):
        return x.clone()
    shrinking = h <= x.shape[0] and w <= x.shape[1]
    extra = {} if shrinking else {"align_corners": False}
    out = F.interpolate(x[None, None], size=(h, w), mode="area" if shrinking else "bilinear", **extra)
    return out[0, 0].clamp(0, 1)


def _paper_level(x: torch.Tensor, work=32, rounds=4) -> torch.Tensor:
    """The paper's brightness at every pixel of `x` (ink bright), shadows included: a smooth curved
    surface, a + b·row + c·col + d·row² + e·row·col + f·col², fitted by least squares to a copy about
    `work` pixels across. Ink would pull the surface up, so each round fits only the pixels that the
    last round showed to be paper: those less than 2.5 × their spread above the typical one."""
    h, w = x.shape
    scale = min(1.0, work / min(h, w))
    small = _resize(x, max(1, round(h * scale)), max(1, round(w * scale)))

    def terms(rows, cols):                             # positions from -1 to 1, pixel centres
        r, c = torch.meshgrid((torch.arange(rows) + 0.5) / rows * 2 - 1,
                              (torch.arange(cols) + 0.5) / cols * 2 - 1, indexing="ij")
        return torch.stack([torch.ones_like(r), r, c, r * r, r * c, c * c], -1).view(-1, 6)

    a, values = terms(*small.shape), small.reshape(-1, 1)
    paper = torch.ones(len(values), dtype=torch.bool)
    for _ in range(rounds):
        fit = torch.linalg.lstsq(a[paper], values[paper]).solution
        above = values[:, 0] - (a @ fit)[:, 0]
        middle, spread = _robust_spread(above[paper])
        paper = above <= middle + 2.5 * spread
    return (terms(h, w) @ fit).view(h, w)


def _smooth(x: torch.Tensor) -> torch.Tensor:
    """`x` averaged over a small square, about 1/150 of the picture across (3 px for 280 px, none
    below 150 px): it quiets a camera's pixel noise and loses nothing, as each of the final 20×20
    pixels averages many more pixels of the photo than that anyway."""
    k = 2 * round(min(x.shape) / 300) + 1
    return x if k == 1 else F.avg_pool2d(x[None, None], k, stride=1, padding=k // 2,
                                         count_include_pad=False)[0, 0]


def _robust_spread(v: torch.Tensor):
    """The middle value of `v` (its median) and its spread: 1.4826 × the median distance from the
    middle, which for Gaussian noise is its standard deviation, and which a few ink pixels hardly move."""
    middle = v.median()
    return middle, 1.4826 * (v - middle).abs().median()


def ink_on_black(grey) -> torch.Tensor:
    """`grey` (greys in 0..1, as `to_grey` gives them) with the ink bright, up to 1, on a 0 background.
    1. If the border is mostly light (its median above 0.5), it is dark ink on light paper: invert.
    2. An even border (every pixel alike) means a drawing, from the canvas or MNIST itself: take
       away that level and stretch, so that the brightest ink is 1. There is no noise to remove, so
       the faint grey at the ink's edges stays.
    3. An uneven border means a photo or scan. Smooth it a little (`_smooth`) and take away the
       paper's level, measured as a smooth surface across the page (`_paper_level`), so that uneven
       light goes too. Then take away the noise, the paper's grain. It is measured, not guessed (a
       fixed cut such as 0.2 would be too much for a clean scan, too little for a grainy photo): most
       pixels are paper, so the typical pixel + 5 × the pixels' spread (`_robust_spread`) is the
       noise's ceiling. That becomes 0, and the typical inked pixel (the median of those above half
       the brightest, as the brightest is noise) becomes 1. Ink that does not stand out from the
       noise (less than twice its ceiling) counts as none. A shadow with a sharp edge (a hand's) is
       no smooth surface: it adds to the measured noise, and a deep one hides the ink.
    Used in: 10_your_own_digits."""
    x = to_grey(grey)
    border = torch.cat([x[0], x[-1], x[1:-1, 0], x[1:-1, -1]])
    if border.median() > 0.5:
        x, border = 1 - x, 1 - border
    level, spread = _robust_spread(border)
    if spread == 0:                                    # a drawing
        x = (x - level).clamp(min=0)
        return x / x.max() if x.max() > 0 else x
    x = _smooth(x) - _paper_level(x)                   # a photo or scan: paper now 0, ± its noise
    level, spread = _robust_spread(x)
    ceiling = level + 5 * spread
    ink = x[x > x.max() / 2].median() if x.max() > 0 else 0.0
    if ink <= 2 * ceiling:
        return torch.zeros_like(x)                     # nothing but paper: crop_to_ink will say so
    return ((x - ceiling) / (ink - ceiling)).clamp(0, 1)


def ink_box(img, threshold=INK):
    """(top, bottom, left, right) of the smallest rectangle that holds every pixel of `img` brighter
    than `threshold` (bottom and right one past the last ink, as in slices), or None if there is no ink.
    Used in: 10_your_own_digits."""
    ink = torch.as_tensor(img) > threshold
    rows, cols = ink.any(1).nonzero()[:, 0], ink.any(0).nonzero()[:, 0]
    if len(rows) == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def crop_to_ink(img, threshold=INK) -> torch.Tensor:
    """`img` (ink bright, background 0) cut down to the bounding box of its ink: the pixels brighter
    than `threshold`, so the faintest grey of an 8-bit picture counts. A ValueError if there is no ink.
    Used in: 10_your_own_digits."""
    box = ink_box(img, threshold)
    if box is None:
        raise ValueError(NO_INK)
    top, bottom, left, right = box
    return torch.as_tensor(img, dtype=torch.float32)[top:bottom, left:right]


def fit_box(img, box=BOX) -> torch.Tensor:
    """`img` (cropped to its ink) scaled so that its longer side is `box` pixels, keeping its shape
    (its aspect ratio): a tall 1 stays thin. Shrinking averages the pixels each new pixel covers
    (torch's `F.interpolate(..., mode="area")`, not PIL), which gives the grey, anti-aliased edges
    MNIST has; a crop smaller than the box is enlarged bilinearly.
    Used in: 10_your_own_digits."""
    img = torch.as_tensor(img, dtype=torch.float32)
    h, w = img.shape
    scale = box / max(h, w)
    return _resize(img, max(1, round(h * scale)), max(1, round(w * scale)))


def centre_of_mass(img) -> tuple:
    """(row, column) of the centre of mass of `img`: the average pixel position, each pixel weighted
    by its brightness, 0-based (the top left pixel is (0, 0)).
    Used in: 10_your_own_digits."""
    img = torch.as_tensor(img, dtype=torch.float64)
    total = img.sum()
    if total <= 0:
        raise ValueError(NO_INK)
    rows, cols = torch.arange(img.shape[0]), torch.arange(img.shape[1])
    return float((img.sum(1) * rows).sum() / total), float((img.sum(0) * cols).sum() / total)


def centre_by_mass(img, size=SIZE) -> torch.Tensor:
    """A size×size frame (0 background) with `img` placed so that its centre of mass lands at
    (size/2, size/2): (14, 14) for MNIST. That is where MNIST's digits have it: on 10,000 training
    images the centre of mass averages (14.00, 14.01), not the frame's middle (13.5, 13.5), with a
    standard deviation of 0.29 px, just what rounding to whole pixels gives (1/√12); sub-pixel shifts
    would give 0. So the shift is whole pixels, as in MNIST, and no resampling blurs the digit: of
    MNIST's 10,000 test digits, `to_mnist` puts 9,997 exactly where they were. If the shift would
    push ink out of the frame, it is clamped so that all the ink stays inside.
    Used in: 10_your_own_digits."""
    img = torch.as_tensor(img, dtype=torch.float32)
    h, w = img.shape
    if h > size or w > size:
        raise ValueError(f"a {h}×{w} picture does not fit a {size}×{size} frame: fit_box it first")
    row, col = centre_of_mass(img)
    top = min(max(int(np.floor(size / 2 - row + 0.5)), 0), size - h)   # rounded, halves up
    left = min(max(int(np.floor(size / 2 - col + 0.5)), 0), size - w)
    frame = torch.zeros(size, size)
    frame[top:top + h, left:left + w] = img
    return frame


def to_mnist(image, steps=False):
    """`image` (a drawing, a photo or a scan: anything `to_grey` takes) as MNIST would have it: a
    28×28 float tensor, 0..1, ink bright on a 0 background, the digit fitted to a 20×20 box and
    centred by its centre of mass. With `steps=True`, a dict of the pictures along the way, in
    order: "grey", "ink on black", "cropped", "fitted 20×20", "centred 28×28" (the result).
    A photo larger than MAX_SIDE (1000 px) is first shrunk so that its longer side is 1000 px.
    Used in: 10_your_own_digits."""
    grey = to_grey(image)
    h, w = grey.shape
    if max(h, w) > MAX_SIDE:
        scale = MAX_SIDE / max(h, w)
        grey = _resize(grey, max(1, round(h * scale)), max(1, round(w * scale)))
    pictures = {"grey": grey}
    pictures["ink on black"] = ink_on_black(grey)
    pictures["cropped"] = crop_to_ink(pictures["ink on black"])
    pictures["fitted 20×20"] = fit_box(pictures["cropped"], BOX)
    pictures["centred 28×28"] = centre_by_mass(pictures["fitted 20×20"], SIZE)
    return pictures if steps else pictures["centred 28×28"]


def naive(image) -> torch.Tensor:
    """What a model gets WITHOUT the MNIST steps: the grey picture simply shrunk to 28×28 (the same
    averaging as `fit_box`), not inverted, not cropped, squashed if it is not square, not centred.
    Used in: 10_your_own_digits."""
    return _resize(to_grey(image), SIZE, SIZE)


def _uploaded_files(value) -> list:
    "[(name, bytes)] from a FileUpload value: ipywidgets 8 (a tuple of dicts) or 7.7 (a dict name → dict)."
    if not value:
        return []
    if isinstance(value, (bytes, bytearray, memoryview)):
        return [("the file", bytes(value))]
    if isinstance(value, dict):
        if "content" in value:                         # one file's entry on its own
            entries = [value]
        else:                                          # ipywidgets 7.7: {name: {"metadata": ..., "content": ...}}
            entries = [{"name": name, **entry} for name, entry in value.items()]
    else:                                              # ipywidgets 8: ({"name": ..., "content": ...}, ...)
        entries = list(value)
    return [(str(e.get("name") or e.get("metadata", {}).get("name") or "the file"), bytes(e["content"]))
            for e in entries]


def image_from_upload(value) -> Image.Image:
    """The picture from a `FileUpload` widget's `value` as a PIL image, turned upright if the camera
    recorded that it was held sideways (EXIF). Works with ipywidgets 8 (a tuple of dicts) and 7.7
    (a dict from file name to a dict); of several files, the first. A ValueError, in words, if no file
    was uploaded yet or the file is not a picture.
    Used in: 10_your_own_digits."""
    files = _uploaded_files(value)
    if not files:
        raise ValueError("No file uploaded yet: click Upload and choose a photo or scan of one digit.")
    name, data = files[0]
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        return ImageOps.exif_transpose(image)
    except Exception:                                  # PIL's many complaints all mean one thing here
        raise ValueError(f"{name!r} is not a picture Python can read: upload a photo or scan "
                         "(PNG or JPEG) of one digit.") from None


# Two digits written as the canvas stores a drawing (strokes of [x, y] points on a 280 × 280 canvas),
# so that notebook 10 has an input before anyone draws, and the same one on every run.
EXAMPLES = {
    "3": [[[88, 62], [112, 44], [146, 38], [176, 48], [190, 72], [182, 100], [160, 118], [132, 126]],
          [[132, 126], [166, 134], [190, 156], [196, 186], [182, 214], [150, 232], [112, 234], [82, 218]]],
    "5": [[[192, 44], [112, 44], [102, 126], [132, 112], [166, 114], [192, 134], [202, 168], [192, 202],
           [164, 228], [124, 234], [88, 216]]],
}


def to_png(img, scale=4) -> bytes:
    """A 28×28 image (0 to 1, ink bright) as PNG bytes, dark ink on white and `scale` times larger, the way
    the notebooks' plots show digits. Used in: 10_your_own_digits."""
    pixels = (255 - torch.as_tensor(img).clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    big = Image.fromarray(pixels).resize((pixels.shape[1] * scale, pixels.shape[0] * scale), Image.NEAREST)
    buf = io.BytesIO()
    big.save(buf, "png")
    return buf.getvalue()
