"""helpers/learner.py: our own Learner on tiny synthetic problems, and that it is the notebook's code."""
import ast
import inspect
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from helpers.learner import Learner

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "06_optimizer.ipynb"


class BasicOptim:
    "The notebook's hand-written optimizer: plain gradient descent."
    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        with torch.no_grad():
            for p in self.params:
                p -= self.lr * p.grad

    def zero_grad(self):
        for p in self.params:
            p.grad = None


def mnist_loss(predictions, targets):
    predictions = predictions.sigmoid()
    return torch.where(targets == 1, 1 - predictions, predictions).mean()


def batch_accuracy(predictions, targets):
    return ((predictions > 0.0) == targets).float().mean()


def two_blobs(n=300, seed=0):
    "Points around (2, 2) (label 1) and (-2, -2) (label 0), as x (n, 2) and y (n, 1)."
    g = torch.Generator().manual_seed(seed)
    y = (torch.rand(n, 1, generator=g) > 0.5).long()
    x = torch.randn(n, 2, generator=g) + (4 * y - 2).float()
    return x, y


def dls_for(x, y, bs, valid_share=0.3):
    "A training and a validation DataLoader (PyTorch's), behind .train and .valid."
    cut = int(len(x) * (1 - valid_share))
    return SimpleNamespace(train=DataLoader(TensorDataset(x[:cut], y[:cut]), batch_size=bs, shuffle=True),
                           valid=DataLoader(TensorDataset(x[cut:], y[cut:]), batch_size=bs))


def test_loss_goes_down_and_accuracy_goes_up(capsys):
    torch.manual_seed(0)
    learn = Learner(dls_for(*two_blobs(), bs=32), nn.Linear(2, 1), BasicOptim, mnist_loss, batch_accuracy)
    before_loss, before_acc = learn.validate()
    learn.fit(5, lr=1.0)
    after_loss, after_acc = learn.validate()
    assert after_loss < before_loss and after_acc > before_acc and after_acc > 0.95
    assert learn.history[-1][1] < learn.history[0][1]   # training loss, last epoch vs first
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].split() == ["epoch", "train_loss", "valid_loss", "batch_accuracy"]
    assert len(rows) == 6 and rows[-1].split()[0] == "4"


def test_history_rows_and_fit_continues():
    torch.manual_seed(0)
    learn = Learner(dls_for(*two_blobs(), bs=32), nn.Linear(2, 1), torch.optim.SGD, mnist_loss, batch_accuracy)
    learn.fit(2, lr=0.5)
    learn.fit(3, lr=0.5)
    assert [row[0] for row in learn.history] == [0, 1, 2, 3, 4]
    assert all(len(row) == 4 and all(isinstance(v, (int, float)) for v in row) for row in learn.history)


def test_accuracy_counts_each_image_once_with_an_uneven_last_batch():
    "The metric is the exact share over the validation set, not an average of batch averages."
    x, y = two_blobs(n=100, seed=1)
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    learn = Learner(dls_for(x, y, bs=16, valid_share=0.37), model, BasicOptim, mnist_loss, batch_accuracy)
    vx, vy = x[63:], y[63:]   # 37 images: batches of 16, 16 and 5
    loss, acc = learn.validate()
    with torch.no_grad():
        assert acc == pytest.approx(batch_accuracy(model(vx), vy).item(), abs=1e-6)
        assert loss == pytest.approx(mnist_loss(model(vx), vy).item(), abs=1e-6)


def test_any_model_loss_and_metric():
    "Three classes, a two-layer model, cross-entropy, an argmax accuracy, PyTorch's SGD."
    g = torch.Generator().manual_seed(2)
    y = torch.randint(0, 3, (300,), generator=g)
    centres = torch.tensor([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    x = centres[y] + 0.7 * torch.randn(300, 2, generator=g)

    def accuracy(preds, targets):
        return (preds.argmax(dim=1) == targets).float().mean()

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    learn = Learner(dls_for(x, y, bs=50), model, torch.optim.SGD, F.cross_entropy, accuracy)
    learn.fit(10, lr=0.2)
    assert learn.history[-1][3] > 0.95
    assert learn.history[-1][2] < learn.history[0][2]


def test_metric_without_a_name_and_metric_returning_a_float(capsys):
    learn = Learner(dls_for(*two_blobs(), bs=64), nn.Linear(2, 1), BasicOptim, mnist_loss,
                    lambda p, t: float(((p > 0) == t).float().mean()))
    learn.fit(1, lr=1.0)
    assert "<lambda>" in capsys.readouterr().out
    assert 0.0 <= learn.history[0][3] <= 1.0


def test_model_is_in_train_mode_for_training_and_eval_mode_for_validation():
    seen = []

    class Spy(nn.Linear):
        def forward(self, x):
            seen.append(self.training)
            return super().forward(x)

    learn = Learner(dls_for(*two_blobs(n=64), bs=64), Spy(2, 1), BasicOptim, mnist_loss, batch_accuracy)
    learn.fit(1, lr=0.1)
    assert seen == [True, False]


def devices():
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", devices())
def test_batches_go_to_the_model_device(device):
    "The DataLoaders hand out CPU tensors; the Learner moves each batch to where the model is."
    torch.manual_seed(0)
    model = nn.Linear(2, 1).to(device)
    learn = Learner(dls_for(*two_blobs(), bs=32), model, BasicOptim, mnist_loss, batch_accuracy)
    assert all(xb.device.type == device and yb.device.type == device for xb, yb in learn.batches(learn.dls.train))
    learn.fit(3, lr=1.0)
    assert learn.history[-1][3] > 0.95
    assert next(model.parameters()).device.type == device


# --- the notebook and the helper are the same code --------------------------------------------

def normalised(source):
    return " ".join(source.split())


def test_notebook_cells_are_the_helper_class():
    """06_optimizer builds the class in pieces (`class Learner:`, then `class Learner(Learner):` with
    one method each); helpers/learner.py writes it as one class. Each piece must be the same code."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    pieces = [c for c in cells if c.lstrip().startswith(("class Learner:", "class Learner(Learner):"))]
    assert sum(c.lstrip().startswith("class Learner:") for c in pieces) == 1, (
        "06_optimizer should have exactly one cell that starts the class (`class Learner:`)")
    methods = {}
    for piece in pieces:
        tree = ast.parse(piece)
        (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        for node in cls.body:
            if isinstance(node, ast.FunctionDef):
                assert node.name not in methods, f"06_optimizer defines Learner.{node.name} twice"
                methods[node.name] = "\n".join(piece.splitlines()[node.lineno - 1:node.end_lineno])  # with comments
    helper = {name: inspect.getsource(getattr(Learner, name)) for name, f in vars(Learner).items()
              if inspect.isfunction(f)}
    assert set(methods) == set(helper), f"methods differ: notebook {sorted(methods)}, helper {sorted(helper)}"
    for name in helper:
        assert normalised(methods[name]) == normalised(helper[name]), (
            f"Learner.{name} in notebooks/06_optimizer.ipynb and in helpers/learner.py differ: change both together")
