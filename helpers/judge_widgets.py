"""The widgets of notebook 10 that show a digit to every model of the ladder: the live panel (draw on
the canvas; after every stroke the 28×28 preview and every model's answer update), and the two ways in
when the canvas cannot be drawn: upload a photo or scan, or pick a test image. All three end in the
same place, `answers_html`. Introduced in 10_your_own_digits.
"""
import html

import ipywidgets as widgets

from . import ladder
from .drawing import SavedAsAdvice
from .handwriting import image_from_upload, to_mnist, to_png


class _Row(SavedAsAdvice, widgets.HBox):
    pass


class _Column(SavedAsAdvice, widgets.VBox):
    pass


def _named(box, name):
    box.saved_name = name
    return box


def answers_html(answers) -> str:
    """Every model's answer as a small HTML table, and the ten-digit model's reading in one sentence
    ("… reads it as 5"). Used in: 10_your_own_digits."""
    rows = "".join(
        f"<tr><td>{html.escape(a.model)} <small>(notebook {a.notebook})</small></td><td><b>{a.answer}</b></td>"
        f"<td>{'' if a.sure is None else f'{a.sure:.0%} sure'}</td></tr>" for a in answers)
    last = answers[-1]
    return (f"<table>{rows}</table><p>The {html.escape(last.model)} reads it as <b>{last.answer}</b>"
            f"{'' if last.sure is None else f' ({last.sure:.0%} sure)'}.</p>")


class Judged:
    "A 28×28 preview and every model's answer, for whatever image `show` is given."
    def __init__(self, models):
        self.models = models
        self.preview = widgets.Image(format="png", width=112, height=112).add_class("digits-preview")
        self.answers = widgets.HTML("Nothing to judge yet.").add_class("digits-prediction")

    def show(self, image):
        "Prepare `image` (a drawing, a photo, a test image) as MNIST was made and let every model judge it."
        try:
            x = to_mnist(image)
        except ValueError as e:   # an empty canvas, a photo without ink: say so, keep the last preview
            self.answers.value = html.escape(str(e))
            return None
        self.preview.value = to_png(x)
        self.answers.value = answers_html(ladder.judge(self.models, x))
        return x

    def box(self):
        return widgets.VBox([self.preview, self.answers])


def live_panel(models, canvas):
    """The canvas next to the preview and the answers; every stroke (and every undo or clear) judges the
    drawing again. Used in: 10_your_own_digits."""
    judged = Judged(models)
    canvas.on_stroke(lambda c: judged.show(c.image()) if c.strokes else
                     setattr(judged.answers, "value", "Draw a digit in the box."))
    if canvas.strokes:
        judged.show(canvas.image())
    return _named(_Row([canvas, judged.box()]), "Live panel").add_class("digits-live"), judged


def upload_panel(models):
    """An Upload button for a photo or scan of one handwritten digit, and what every model reads in it.
    Used in: 10_your_own_digits."""
    judged = Judged(models)
    upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload")

    def uploaded(change):
        try:
            judged.show(image_from_upload(upload.value))
        except ValueError as e:
            judged.answers.value = html.escape(str(e))
    upload.observe(uploaded, names="value")
    return _named(_Column([upload, judged.box()]), "Upload"), upload, judged


def pick_panel(models, images, labels):
    """A slider that picks one of `images` (uint8 test images), and what every model reads in it.
    Used in: 10_your_own_digits."""
    judged = Judged(models)
    pick = widgets.IntSlider(0, min=0, max=len(images) - 1, description="test image")
    label = widgets.Label()

    def picked(change=None):
        label.value = f"its label: {labels[pick.value].item()}"
        judged.show(images[pick.value])
    pick.observe(picked, names="value")
    picked()
    return _named(_Column([widgets.HBox([pick, label]), judged.box()]), "Pick-a-test-image"), pick, judged


def frame_times(n=50):
    """Seconds from a stroke to every model's answer in the live panel, `n` strokes (for `make bench`).
    The models have the ladder's architectures, untrained: the arithmetic per answer is the same."""
    import time
    import torch
    from fastai.vision.learner import create_vision_model
    from torchvision.models import resnet18
    from .canvas import DrawCanvas
    from .handwriting import EXAMPLES
    x, y = (torch.rand(20, 28, 28) * 255).to(torch.uint8), torch.tensor([3, 7] * 10)
    simple = torch.nn.Sequential(torch.nn.Linear(784, 30), torch.nn.ReLU(), torch.nn.Linear(30, 1))
    models = [ladder.MeanDigits(x, y), ladder.ThreeOrSeven("linear model", "5", torch.nn.Linear(784, 1)),
              ladder.ThreeOrSeven("simple_net", "7", simple),
              ladder.Softmaxed("ResNet18", "8", create_vision_model(resnet18, 2, pretrained=False), (3, 7),
                               lambda b: b[:, None].expand(-1, 3, -1, -1)),
              ladder.Softmaxed("ten-digit CNN", "9", ladder.make_cnn(), tuple(range(10)), lambda b: b[:, None])]
    canvas = DrawCanvas()
    live_panel(models, canvas)
    strokes = EXAMPLES["3"] + EXAMPLES["5"]
    times = []
    for i in range(n):
        drawing = strokes[:i % len(strokes) + 1]   # one more stroke each time, then start again
        start = time.perf_counter()
        canvas.strokes = drawing
        times.append(time.perf_counter() - start)
    return times
