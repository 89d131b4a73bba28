"""The ladder of the series, trained again in seconds, so that one digit can be shown to every model:
the mean 3 and mean 7 (notebook 2), the linear model (notebooks 4-6), `simple_net` (notebook 7),
ResNet18 for 3s and 7s (notebook 8) and the ten-digit CNN (notebook 9). Each `train_*` function
repeats its notebook's recipe, shortened where it says so; every model answers with `judge`, from one
28×28 image (0 to 1, ink bright, as MNIST and `helpers.handwriting.to_mnist` make them).
Introduced in 10_your_own_digits.
"""
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from . import padding, speed
from .decoded import decode_once


def load_mnist(path):
    """The full MNIST from the mnist_png folder `path`: training and test images (uint8, n × 28 × 28) and
    labels, each digit's files in sorted order, as notebook 9 loads them, and decoded once as there
    (helpers.decoded keeps a copy beside the data folder for later runs). Used in: 10_your_own_digits."""
    def decode_split(name):
        images, labels = [], []
        for digit in range(10):
            files = sorted((path / name / str(digit)).iterdir())
            images += [np.asarray(Image.open(f)) for f in files]
            labels += [digit] * len(files)
        return torch.from_numpy(np.stack(images)), torch.tensor(labels)
    return (*decode_once(decode_split, "training", path, quiet=True),
            *decode_once(decode_split, "testing", path, quiet=True))


@dataclass
class Answer:
    "What one model says about one image: its answer, how sure it is (a probability, or None) and why."
    model: str
    notebook: str
    answer: int
    sure: object   # the probability of `answer`, or None for the mean digits, which give no probability
    detail: str


class MeanDigits:
    "Notebook 2's baseline: the digit, 3 or 7, whose mean image is nearer (mean absolute difference)."
    name, notebook = "mean 3 and mean 7", "2"

    def __init__(self, x, y):
        self.means = torch.stack([x[y == 3].float().mean(0) / 255, x[y == 7].float().mean(0) / 255])

    def answers(self, x):
        "The answer, 3 or 7, for each of the images `x` (n × 28 × 28)."
        d = (x[:, None] - self.means).abs().mean(dim=(2, 3))
        return torch.tensor((3, 7))[d.argmin(dim=1)]

    def judge(self, img):
        d = (img[None] - self.means).abs().mean(dim=(1, 2))
        return Answer(self.name, self.notebook, (3, 7)[d.argmin()], None,
                       f"distance to the mean 3: {d[0]:.3f}, to the mean 7: {d[1]:.3f}")


class ThreeOrSeven:
    "A model with one output, the probability of a 3 after sigmoid (notebooks 4-7)."
    def __init__(self, name, notebook, model):
        self.name, self.notebook, self.model = name, notebook, model

    def answers(self, x):
        "The answer, 3 or 7, for each of the images `x` (n × 28 × 28)."
        with torch.no_grad():
            return torch.where(self.model(x.reshape(-1, 784))[:, 0] >= 0, 3, 7)

    def judge(self, img):
        with torch.no_grad():
            p3 = torch.sigmoid(self.model(img.reshape(1, 784))).item()
        answer, sure = (3, p3) if p3 >= 0.5 else (7, 1 - p3)
        return Answer(self.name, self.notebook, answer, sure, f"probability of a 3: {p3:.3f}")


def _mnist_loss(preds, targets):
    "Notebook 4's loss: how far sigmoid(prediction) is from the target, 1 for a 3 and 0 for a 7."
    p = torch.sigmoid(preds)
    return torch.where(targets == 1, 1 - p, p).mean()


def _sgd(model, x, y, lr, epochs, bs=256):
    "Notebook 5's loop: shuffled batches of `bs`, mnist_loss, a plain SGD step of `lr` on every parameter."
    for _ in range(epochs):
        for idx in torch.randperm(len(x)).split(bs):
            loss = _mnist_loss(model(x[idx]), y[idx])
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                    p.grad = None
    return model


def three_seven(x, y):
    "The 3s and 7s of uint8 images `x`: rows of 784 decimals (0 to 1) and targets 1 for a 3, 0 for a 7."
    keep = (y == 3) | (y == 7)
    return x[keep].reshape(-1, 784).float() / 255, (y[keep] == 3).float()[:, None]


def train_linear(x, y):
    """Notebook 5's linear model: 784 weights and a bias, lr 2.0, 20 epochs of batches of 256.
    Used in: 10_your_own_digits."""
    return ThreeOrSeven("linear model", "5", _sgd(nn.Linear(784, 1), *three_seven(x, y), lr=2.0, epochs=20))


def train_simple_net(x, y):
    """Notebook 7's simple_net (784 → 30 ReLUs → 1), lr 1.0, batches of 256, for 20 epochs instead of the
    notebook's 40. Used in: 10_your_own_digits."""
    net = nn.Sequential(nn.Linear(784, 30), nn.ReLU(), nn.Linear(30, 1))
    return ThreeOrSeven("simple_net", "7", _sgd(net, *three_seven(x, y), lr=1.0, epochs=20))


class Softmaxed:
    "A model with one output per class; softmax turns them into probabilities (notebooks 8 and 9)."
    def __init__(self, name, notebook, model, classes, prepare):
        self.name, self.notebook, self.model, self.classes, self.prepare = name, notebook, model, classes, prepare

    def probs(self, x):
        "The probability of each of `classes` for each of the images `x` (n × 28 × 28)."
        device = next(self.model.parameters()).device
        with torch.no_grad():
            return torch.cat([torch.softmax(self.model.eval()(self.prepare(xb).to(device)).float(), dim=1).cpu()
                              for xb in x.split(500)])

    def answers(self, x):
        "The answer for each of the images `x` (n × 28 × 28)."
        return torch.tensor(self.classes)[self.probs(x).argmax(dim=1)]

    def judge(self, img):
        p = self.probs(img[None])[0]
        k = p.argmax().item()
        detail = " · ".join(f"{c}: {q:.3f}" for c, q in zip(self.classes, p)) if len(p) == 2 else \
            "top three: " + ", ".join(f"{self.classes[i]} ({p[i]:.3f})" for i in p.argsort(descending=True)[:3])
        return Answer(self.name, self.notebook, self.classes[k], p[k].item(), detail)


def train_resnet18(x, y, device, bs=128):
    """Notebook 8's ResNet18 for 3s and 7s (fastai's vision_learner, no pretrained weights, inputs
    normalized, three identical channels, the fused optimizer, the one-pixel convolutions skipping the
    padding), trained with fit_one_cycle for 1 epoch at 1e-2 instead of the notebook's 2. It takes, without
    measuring again, the setting notebook 8 chose on the test machines: bfloat16 with channels-last where
    the device computes bfloat16 natively, else float32 (as `train_cnn` does). Used in: 10_your_own_digits."""
    from fastai.data.core import DataLoaders
    from fastai.data.transforms import IntToFloatTensor, Normalize
    from fastai.torch_core import TensorCategory, TensorImage
    from fastai.vision.learner import vision_learner
    from torchvision.models import resnet18
    import fastai.callback.schedule  # noqa: F401  (adds fit_one_cycle)
    keep = (y == 3) | (y == 7)
    images, labels = x[keep][:, None].expand(-1, 3, -1, -1), (y[keep] == 7).long()
    mean, std = images.double().mean().item() / 255, images.double().std().item() / 255
    pairs = [(TensorImage(a), TensorCategory(b)) for a, b in zip(images, labels)]
    dls = DataLoaders.from_dsets(pairs, pairs[:bs], bs=bs, num_workers=0, device=device,
                                 after_batch=[IntToFloatTensor(), Normalize.from_stats(mean, std)])
    setting = speed.Setting(True, torch.bfloat16, bs) if speed.bf16_fast(device) else speed.Setting(bs=bs)
    learn = vision_learner(dls, resnet18, pretrained=False, n_out=2, loss_func=F.cross_entropy,
                           opt_func=speed.fused_adam, cbs=speed.callbacks(setting, device))
    padding.skip_padding(learn.model)
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(1, 1e-2)
    return Softmaxed("ResNet18", "8", learn.model, (3, 7),
                     lambda x: ((x - mean) / std)[:, None].expand(-1, 3, -1, -1))


def make_cnn():
    "Notebook 9's small CNN: five 3×3 convolutions with batchnorm and ReLU, then a linear layer."
    def conv(c_in, c_out, stride):
        return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
                             nn.BatchNorm2d(c_out), nn.ReLU())
    return nn.Sequential(conv(1, 16, 2), conv(16, 16, 1), conv(16, 32, 2), conv(32, 32, 1), conv(32, 64, 2),
                         nn.Flatten(), nn.Linear(64 * 4 * 4, 10))


def shift_randomly(xb):
    """Each image of the batch `xb` (n × 28 × 28) moved by up to one pixel up or down and left or right, at
    random: notebook 9's data augmentation, the very code of its cell but for this docstring
    (tests/test_judge_widgets.py checks). Used in: 10_your_own_digits."""
    padded = F.pad(xb, (1, 1, 1, 1))                             # a border of zeros: n × 30 × 30
    where = torch.randint(0, 9, (len(xb),), device=xb.device)   # one of 9 corners for each image
    moved = torch.empty_like(xb)
    for k in range(9):
        r, c = divmod(k, 3)                                      # the corner of the 28 × 28 window
        moved[where == k] = padded[where == k, r:r + 28, c:c + 28]
    return moved


def train_cnn(x, y, device, epochs=2, lr=0.01, bs=256):
    """Notebook 9's ten-digit CNN: Adam with a one-cycle learning rate up to 0.01, batches of 256 with
    every image moved at random by up to a pixel (`shift_randomly`), 2 epochs, in bfloat16 where the
    processor computes it natively (notebook 9 measured that it pays). Used in: 10_your_own_digits."""
    setting = speed.Setting(True, torch.bfloat16 if speed.bf16_fast(device) else None, bs)
    model = speed.prepare(make_cnn(), setting, device)
    opt = torch.optim.Adam(model.parameters(), lr)
    steps = epochs * ((len(x) + bs - 1) // bs)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(x)).split(bs):
            xb = shift_randomly(x[idx].to(device))[:, None].float() / 255
            loss = F.cross_entropy(model(xb), y[idx].to(device))
            loss.backward()
            opt.step()
            opt.zero_grad()
            schedule.step()
    return Softmaxed("ten-digit CNN", "9", model, tuple(range(10)), lambda x: x[:, None])


def train_all(x, y, device):
    """Every model of the ladder, trained on training images `x` (uint8) and labels `y`; prints how long
    each took. Returns them in the order of the series. Used in: 10_your_own_digits."""
    models = []
    for make in (lambda: MeanDigits(x, y), lambda: train_linear(x, y), lambda: train_simple_net(x, y),
                 lambda: train_resnet18(x, y, device), lambda: train_cnn(x, y, device)):
        start = time.perf_counter()
        models.append(make())
        print(f"{models[-1].name:18} (notebook {models[-1].notebook}) ready in {time.perf_counter() - start:4.1f} s")
    return models


def judge(models, img):
    "What every model in `models` says about one 28×28 image (0 to 1, ink bright). Used in: 10_your_own_digits."
    return [m.judge(img) for m in models]


def accuracy(model, x, y):
    """The share of images `x` (n × 28 × 28, decimals 0 to 1) that `model` reads as their label `y`: for a
    3-or-7 model only the 3s and 7s count. Used in: 10_your_own_digits."""
    keep = torch.ones(len(y), dtype=torch.bool) if getattr(model, "classes", ()) == tuple(range(10)) \
        else (y == 3) | (y == 7)
    return (model.answers(x[keep]) == y[keep]).float().mean().item()


def check_pipeline(table, tolerance=0.005):
    """Checkpoint: for every model, the accuracy on test images as MNIST stores them and on the same
    images after `to_mnist` differ by at most `tolerance` (half a point); `table` maps a model's name to
    the two accuracies. Proof that the preprocessing makes images the way MNIST made them.
    Used in: 10_your_own_digits."""
    from .checkpoint import CheckpointError
    off = {name: b - a for name, (a, b) in table.items() if not abs(b - a) <= tolerance}   # NaN fails too
    if off:
        raise CheckpointError("The preprocessing changes what the models read: " + ", ".join(
            f"{name} {d * 100:+.1f} points" for name, d in off.items()) +
            f" (at most ±{tolerance * 100:.1f} allowed). Check the steps of section 3 on a test image.")
    print(f"✓ Checkpoint reached: every model reads the prepared test images as well as the originals "
          f"(within {tolerance * 100:.1f} points)")
