"""The work of every notebook's setup cell: seed, pick the device, make sure the data is there.

Introduced in 01_pixels.
"""
import random

from .noise import quiet_library_warnings


def friendly_name_errors():
    """In a notebook, a NameError (a cell run before the one that makes the name) shows as one line that
    says what to do, instead of a traceback. PyTorch's and the student's other errors are left alone."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return

    def one_line(shell, etype, value, tb, tb_offset=None):
        stb = [f"✗ {value}: the cell that makes it has not run yet. Run the cells above in order (or Kernel → "
               "Restart and Run All); if you typed the name yourself, check its spelling."]
        shell._showtraceback(etype, value, stb)  # shown as the cell's error, in one line
        return stb
    shell.set_custom_exc((NameError,), one_line)


def setup(seed=42, data="mnist_sample"):
    """Seed Python, NumPy and PyTorch with `seed`, pick the GPU if there is one (else the CPU), make
    sure the `data` folder is there ("mnist_sample", "mnist_png" or "" for none), print one line
    saying so, and return the device.
    Used in: 01_pixels, 02_pixel_similarity, 03_gradient_descent, 04_mnist_loss, 05_minibatches, 06_optimizer,
    07_relu_net, 08_resnet18, 09_full_mnist, 10_your_own_digits, 11_review."""
    quiet_library_warnings()
    friendly_name_errors()
    import numpy as np
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    said = [f"seed {seed}", f"device: {device.type}"]
    if data:
        from .data import ensure, folder_counts
        path = ensure(data, quiet=False)
        said.append(f"{data}: ready ({sum(folder_counts(path).values()):,} images)")
    print(" · ".join(said))
    return device
