"""Shared test fixtures: small, generated MNIST-like IDX files so data tests stay fast and offline."""
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest


def write_idx(path, array):
    "Write `array` (uint8) in the IDX format MNIST uses: magic, sizes, then the bytes."
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    Path(path).write_bytes(header + array.tobytes())


def make_raw(folder, n_train=40, n_test=20, seed=0):
    """Four small raw files: digit d is an image filled with the value 10*d + the image's index,
    so tests can tell images apart. Returns the checksum table {name: (sha256, size)}."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table = {}
    for prefix, n in [("train", n_train), ("t10k", n_test)]:
        labels = np.concatenate([np.arange(10), rng.integers(0, 10, n - 10)]).astype(np.uint8)
        images = np.stack([np.full((28, 28), (10 * int(label) + i) % 256) for i, label in enumerate(labels)])
        write_idx(folder / f"{prefix}-images-idx3-ubyte", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", labels)
    for f in sorted(folder.iterdir()):
        table[f.name] = (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_size)
    return table


@pytest.fixture
def small_raw(tmp_path):
    "A folder with four small raw files, and their checksum table."
    raw = tmp_path / "raw"
    return raw, make_raw(raw)


@pytest.fixture(autouse=True)
def fresh_tries():
    "Each test starts as a student who has not tried any exercise yet (helpers/solutions.py counts tries)."
    from helpers import solutions
    solutions.tries.clear()
    yield
    solutions.tries.clear()


@pytest.fixture
def deck_home(tmp_path, monkeypatch):
    "The flashcard deck's progress file under tmp_path, with HOME there too (test_flashcards, test_progress)."
    from helpers import progress
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / "progress" / "flashcards.json"
    monkeypatch.setenv(progress.ENV_VAR, str(path))
    return path
