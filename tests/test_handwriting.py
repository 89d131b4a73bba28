"""helpers/handwriting.py: drawings and photos made into MNIST-style 28×28 inputs, the upload helper,
and real MNIST digits, which the steps should leave as they are."""
import datetime
import io
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFilter

from helpers import handwriting as hw

MNIST_PNG = Path.home() / ".fastai" / "data" / "mnist_png"
CENTRE = (14.0, 14.0)  # where MNIST's digits have their centre of mass (measured: 14.00, 14.01)


def canvas(draw_on, size=280):
    "A size×size uint8 tensor, 0 background, with white ink drawn by `draw_on(ImageDraw)`, as the canvas gives it."
    picture = Image.new("L", (size, size), 0)
    draw_on(ImageDraw.Draw(picture))
    return torch.from_numpy(np.array(picture))


def seven(d):
    d.line([(70, 60), (190, 60), (110, 230)], fill=255, width=22, joint="curve")


def photo_of(ink, seed=0, noise=0.06):
    """`ink` (a uint8 drawing, white on black) as a phone might photograph it, saved as a JPEG: dark
    ink (a little blurred) on light grey paper, with grain, a texture and a shadow to one corner."""
    h, w = ink.shape
    yy, xx = np.mgrid[:h, :w] / max(h, w)
    paper = 0.9 - 0.6 * xx * yy + 0.03 * np.sin(17 * xx + 5 * yy)    # 0.9 top left, about 0.3 bottom right
    blurred = np.asarray(Image.fromarray(ink.numpy()).filter(ImageFilter.GaussianBlur(1.5)), np.float32) / 255
    grey = paper * (1 - 0.85 * blurred) + np.random.default_rng(seed).normal(0, noise, (h, w))
    rgb = np.stack([grey, 0.97 * grey, 0.9 * grey], -1)               # a yellowish light
    buffer = io.BytesIO()
    Image.fromarray((rgb.clip(0, 1) * 255).astype(np.uint8)).save(buffer, "JPEG", quality=80)
    return Image.open(buffer)


def check_mnist_like(x):
    "28×28, 0..1, the ink's box 20 px on its longer side, the centre of mass at MNIST's; returns the box."
    assert x.shape == (28, 28) and x.dtype == torch.float32
    assert 0 <= x.min() and x.max() <= 1 and x.max() > 0.9
    top, bottom, left, right = hw.ink_box(x)
    assert max(bottom - top, right - left) in (19, 20, 21)
    row, col = hw.centre_of_mass(x)
    assert abs(row - CENTRE[0]) <= 0.5 and abs(col - CENTRE[1]) <= 0.5
    return top, bottom, left, right


# ---------------------------------------------------------------- drawings
def test_a_thick_vertical_stroke_in_a_corner_becomes_a_centred_20_px_bar():
    bar = canvas(lambda d: d.line([(40, 20), (40, 130)], fill=255, width=16))   # top left
    x = hw.to_mnist(bar)
    top, bottom, left, right = check_mnist_like(x)
    assert bottom - top == 20 and right - left <= 4       # tall and thin: its shape kept
    columns = x.sum(0)
    assert columns[12:17].sum() > 0.95 * columns.sum()    # the ink is in the middle columns


def test_a_small_circle_in_a_corner_is_centred_and_fills_the_box():
    ring = canvas(lambda d: d.ellipse([200, 200, 265, 265], outline=255, width=7))   # bottom right
    top, bottom, left, right = check_mnist_like(hw.to_mnist(ring))
    assert bottom - top == right - left == 20


def test_the_steps_are_named_pictures_in_order():
    steps = hw.to_mnist(canvas(seven), steps=True)
    assert list(steps) == ["grey", "ink on black", "cropped", "fitted 20×20", "centred 28×28"]
    assert steps["grey"].shape == steps["ink on black"].shape == (280, 280)
    # The 7's ink: rows 50 to 234 (the 22-px pen reaches 11 above the bar at y=60, 5 below the
    # slanted end at y=230), columns 70 (where the bar starts) to 200 (11 past the corner at x=190).
    assert steps["cropped"].shape == (235 - 50, 201 - 70)
    assert max(steps["fitted 20×20"].shape) == 20
    assert torch.equal(steps["centred 28×28"], hw.to_mnist(canvas(seven)))


def test_a_blank_drawing_or_photo_says_to_draw_a_digit():
    nothing = torch.zeros(280, 280, dtype=torch.uint8)
    for blank in (nothing, Image.new("L", (50, 50), 255), photo_of(nothing), photo_of(nothing, noise=0.15)):
        with pytest.raises(ValueError, match="No ink found: draw a digit first"):
            hw.to_mnist(blank)


# ---------------------------------------------------------------- photos
def test_a_photo_is_inverted_its_paper_and_shadow_become_0_and_it_matches_the_drawing():
    ink = canvas(seven)
    photo = photo_of(ink)
    steps = hw.to_mnist(photo, steps=True)
    assert steps["grey"][0].median() > 0.5                          # light paper...
    on_black = steps["ink on black"]
    assert on_black[ink > 0].mean() > 0.8                           # ...so inverted: the ink is bright
    near_ink = F.max_pool2d(ink[None].float(), 9, stride=1, padding=4)[0] > 0
    assert on_black[~near_ink].max() == 0                           # paper, grain and shadow: 0
    border = torch.cat([on_black[0], on_black[-1], on_black[:, 0], on_black[:, -1]])
    assert border.max() == 0
    drawn = hw.to_mnist(ink)
    assert (steps["centred 28×28"] - drawn).abs().mean() < 0.03     # measured: 0.013
    assert (hw.naive(photo) - drawn).abs().mean() > 0.3             # without the steps: far off


def test_a_photo_is_robust_to_its_noise():
    drawn = hw.to_mnist(canvas(seven))
    for seed, noise in [(1, 0.02), (2, 0.1), (3, 0.15)]:
        x = hw.to_mnist(photo_of(canvas(seven), seed, noise))
        check_mnist_like(x)
        assert (x - drawn).abs().mean() < 0.03                   # measured: 0.013 to 0.015


def test_naive_squashes_without_inverting_or_centring():
    photo = photo_of(canvas(seven))
    x = hw.naive(photo)
    assert x.shape == (28, 28) and x.median() > 0.5                 # still light paper
    wide = hw.naive(torch.ones(50, 200))
    assert wide.shape == (28, 28)


# ---------------------------------------------------------------- the steps one by one
def test_to_grey_takes_pil_numpy_and_tensors_alike():
    ink = canvas(seven)
    grey = ink.float() / 255
    as_rgb = Image.fromarray(ink.numpy()).convert("RGB")
    for image in (ink, ink.numpy(), grey, grey.numpy(), Image.fromarray(ink.numpy()), as_rgb,
                  np.asarray(as_rgb), torch.from_numpy(np.array(as_rgb)).permute(2, 0, 1)):
        assert torch.allclose(hw.to_grey(image), grey, atol=1 / 255)
    assert torch.allclose(hw.to_grey(np.float32([[0.0, 255.0]])), torch.tensor([[0.0, 1.0]]))


def test_transparent_pixels_become_the_background_behind_either_ink():
    for ink, paper in ((255, 0), (0, 255)):                       # white or black strokes on nothing
        rgba = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
        ImageDraw.Draw(rgba).line([(50, 10), (50, 90)], fill=(ink, ink, ink, 255), width=8)
        grey = hw.to_grey(rgba)
        assert grey[5, 5] == paper / 255 and grey[50, 50] == ink / 255
        check_mnist_like(hw.to_mnist(rgba))


def test_fit_box_keeps_the_shape_and_centre_by_mass_keeps_all_the_ink():
    assert hw.fit_box(torch.ones(100, 50)).shape == (20, 10)
    assert hw.fit_box(torch.ones(5, 10)).shape == (10, 20)        # small crops are enlarged
    assert hw.fit_box(torch.ones(300, 3)).shape == (20, 1)
    corner = torch.zeros(20, 20)
    corner[0, 0] = 1                                              # all the mass in one corner
    frame = hw.centre_by_mass(corner)
    assert frame.sum() == 1 and frame[8, 8] == 1                  # clamped: pushed as far as it goes
    dot = torch.ones(2, 2)
    assert hw.centre_of_mass(hw.centre_by_mass(dot)) == (14.5, 14.5)   # a tie, 0.5 px off either way: rounded up
    with pytest.raises(ValueError, match="fit_box it first"):
        hw.centre_by_mass(torch.ones(30, 10))


# ---------------------------------------------------------------- uploads
def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_uploads_in_ipywidgets_8_and_7_formats_give_the_picture():
    data = png_bytes(Image.fromarray(canvas(seven).numpy()))
    when = datetime.datetime(2025, 1, 1)
    v8 = ({"name": "seven.png", "type": "image/png", "size": len(data), "content": memoryview(data),
           "last_modified": when},)
    v7 = {"seven.png": {"metadata": {"name": "seven.png", "type": "image/png", "size": len(data),
                                     "lastModified": 1735689600000}, "content": data}}
    for value in (v8, list(v8), v7):
        image = hw.image_from_upload(value)
        assert image.size == (280, 280)
        assert torch.equal(hw.to_mnist(image), hw.to_mnist(canvas(seven)))


def test_an_upload_from_a_phone_held_sideways_is_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6                                              # "rotate 90° to view"
    buffer = io.BytesIO()
    Image.new("L", (40, 20), 255).save(buffer, "JPEG", exif=exif.tobytes())
    image = hw.image_from_upload(({"name": "phone.jpg", "content": buffer.getvalue()},))
    assert image.size == (20, 40)


def test_no_upload_yet_and_a_file_that_is_no_picture_say_so_in_words():
    for empty in ((), [], {}, None):
        with pytest.raises(ValueError, match="No file uploaded yet: click Upload"):
            hw.image_from_upload(empty)
    for value in (({"name": "notes.txt", "content": memoryview(b"my digit is a 7")},),
                  {"notes.txt": {"metadata": {"name": "notes.txt"}, "content": b"my digit is a 7"}}):
        with pytest.raises(ValueError) as caught:
            hw.image_from_upload(value)
        message = str(caught.value)
        assert "'notes.txt'" in message and "photo or scan (PNG or JPEG) of one digit" in message
        assert caught.value.__cause__ is None and caught.value.__suppress_context__   # no PIL traceback


# ---------------------------------------------------------------- real MNIST digits
def load(split, per_digit):
    "The first `per_digit` images of each digit (by file name) of mnist_png's `split`: (N×28×28 floats, labels)."
    folder = MNIST_PNG / split
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing (`make data`, or `python -m helpers.data full`, fetches it)")
    images, labels = [], []
    for digit in range(10):
        for path in sorted((folder / str(digit)).glob("*.png"))[:per_digit]:
            images.append(np.asarray(Image.open(path)))
            labels.append(digit)
    return torch.from_numpy(np.stack(images)).float() / 255, torch.tensor(labels)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    "Small tensors are quicker on one thread, above all on a busy machine; the setting is put back after."
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def models():
    "The ten mean digits and a linear model trained for 5 epochs, both from 10,000 training images."
    x, y = load("training", 1000)
    means = torch.stack([x[y == d].mean(0) for d in range(10)])
    torch.manual_seed(0)
    linear = torch.nn.Linear(784, 10)
    optimiser = torch.optim.Adam(linear.parameters(), lr=0.01)
    flat = x.view(len(x), -1)
    for epoch in range(5):
        for batch in torch.randperm(len(x)).split(100):
            optimiser.zero_grad()
            F.cross_entropy(linear(flat[batch]), y[batch]).backward()
            optimiser.step()
    return {"mean digits": lambda x: (x[:, None] - means).abs().mean((2, 3)).argmin(1),
            "linear": lambda x: linear(x.view(len(x), -1)).argmax(1)}


def percent_right(predict, labels, *image_sets):
    "The model's accuracy, in percent, on each set of images (all with the same labels)."
    with torch.no_grad():
        return [(predict(images) == labels).float().mean().item() * 100 for images in image_sets]


def test_mnist_digits_come_through_the_steps_as_they_were(models):
    x, y = load("testing", 100)
    piped = torch.stack([hw.to_mnist(image) for image in x])
    difference = (piped - x).abs().mean()
    print(f"\nmean absolute difference to the originals: {difference:.6f}")
    assert difference < 0.005                                     # measured: 0.00005
    for name, predict in models.items():
        before, after = percent_right(predict, y, x, piped)
        print(f"{name}: {before:.1f}% on the originals, {after:.1f}% after to_mnist")
        assert abs(after - before) <= 0.5


def test_mnist_digits_drawn_ten_times_larger_off_centre_come_back_mnist_like(models):
    x, y = load("testing", 100)
    x, y = x.view(10, 100, 28, 28)[:, :30].reshape(-1, 28, 28), y.view(10, 100)[:, :30].reshape(-1)
    pen = F.interpolate(x[:, None], scale_factor=8, mode="bilinear", align_corners=False)[:, 0] > 0.4
    drawings = torch.zeros(len(x), 280, 280)
    drawings[:, 10:234, 40:264] = pen.float()            # 224 px, up and to the right, crisp
    piped = torch.stack([hw.to_mnist(d) for d in drawings])
    squashed = torch.stack([hw.naive(d) for d in drawings])
    difference = (piped - x).abs().mean()
    print(f"\ndrawn large: mean absolute difference to the originals {difference:.3f}")
    assert difference < 0.05                                      # measured: 0.028
    for name, predict in models.items():
        before, after, naive = percent_right(predict, y, x, piped, squashed)
        print(f"{name}: {before:.1f}% on the originals, {after:.1f}% drawn large after to_mnist, "
              f"{naive:.1f}% with naive")
        assert after >= before - 3 and naive < before - 15
