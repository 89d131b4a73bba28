"""helpers.decoded: a folder decoded once, read back while nothing changed, decoded again when anything did."""
import os
import stat

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import decoded


@pytest.fixture
def folder(tmp_path):
    "A tiny mnist_png-like folder: training/0 and training/1, three 28×28 PNGs each."
    root = tmp_path / "data" / "mnist_png"
    rng = np.random.default_rng(0)
    for digit in range(2):
        (root / "training" / str(digit)).mkdir(parents=True)
        for k in range(3):
            pixels = rng.integers(0, 256, (28, 28), dtype=np.uint8)
            Image.fromarray(pixels).save(root / "training" / str(digit) / f"{k}.png")
    return root


def counting_loader(folder):
    "A loader as notebook 9 writes it, and the list of splits it was really called for."
    calls = []

    def load_split(split):
        calls.append(split)
        images, labels = [], []
        for digit in range(2):
            files = sorted((folder / split / str(digit)).iterdir())
            images += [np.asarray(Image.open(f)) for f in files]
            labels += [digit] * len(files)
        return torch.from_numpy(np.stack(images)), torch.tensor(labels)
    return load_split, calls


def test_decoded_once_then_read_back_unchanged(folder, capsys):
    load, calls = counting_loader(folder)
    first = decoded.decode_once(load, "training", folder)
    second = decoded.decode_once(load, "training", folder)
    assert calls == ["training"]                     # the second call decoded nothing
    assert all(torch.equal(a, b) for a, b in zip(first, second)) and len(second) == 2
    assert second[0].dtype == torch.uint8 and second[0].shape == (6, 28, 28)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("training: 6 images decoded, kept in .mnist_png.training.load_split.decoded.pt")
    assert out[1] == ("training: 6 images read back from .mnist_png.training.load_split.decoded.pt, "
                      "decoded on an earlier run")
    assert decoded.cache_file(folder, "training", load).parent == folder.parent   # beside the folder, not in it
    assert sorted(p.name for p in folder.iterdir()) == ["training"]


def test_a_changed_folder_is_decoded_again(folder):
    load, calls = counting_loader(folder)
    decoded.decode_once(load, "training", folder, quiet=True)
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(folder / "training" / "1" / "9.png")   # a new file
    again = decoded.decode_once(load, "training", folder, quiet=True)
    assert calls == ["training", "training"] and len(again[0]) == 7
    (folder / "training" / "0" / "0.png").rename(folder / "training" / "0" / "5.png")        # a renamed one
    decoded.decode_once(load, "training", folder, quiet=True)
    assert len(calls) == 3
    target = folder / "training" / "1" / "0.png"                                               # one rewritten
    directory_time = os.stat(target.parent).st_mtime_ns                                        # in place
    Image.fromarray(np.full((28, 28), 7, np.uint8)).save(target)
    os.utime(target, ns=(os.stat(target).st_atime_ns, os.stat(target).st_mtime_ns + 10**9))
    os.utime(target.parent, ns=(directory_time, directory_time))   # its folder looks untouched
    again = decoded.decode_once(load, "training", folder, quiet=True)
    assert len(calls) == 4 and bool((again[0] == 7).all(dim=(1, 2)).any())


def test_two_loaders_keep_a_copy_each(folder):
    "notebook 9's load_split and helpers.ladder's loader must not take turns replacing one file."
    load, calls = counting_loader(folder)

    def decode_split(split):
        calls.append("other")
        return load(split)
    for _ in range(2):
        decoded.decode_once(load, "training", folder, quiet=True)
        decoded.decode_once(decode_split, "training", folder, quiet=True)
    assert calls == ["training", "other", "training"]   # each decoded once, then both read back
    assert decoded.cache_file(folder, "training", load) != decoded.cache_file(folder, "training", decode_split)


def test_changed_loading_code_is_decoded_again(folder):
    load, calls = counting_loader(folder)
    decoded.decode_once(load, "training", folder, quiet=True)

    def load_split(split):   # same name, other code: the student edited the cell
        calls.append("edited")
        x, y = load(split)
        return x.flip(1), y
    flipped = decoded.decode_once(load_split, "training", folder, quiet=True)
    assert calls == ["training", "edited", "training"]   # decoded again through the edited code
    assert torch.equal(flipped[0], load("training")[0].flip(1))


@pytest.mark.parametrize("damage", ["cut short", "not ours", "other key", "no tensors", "unpaired", "empty"])
def test_a_damaged_copy_is_decoded_again_and_replaced(folder, damage, capsys):
    load, calls = counting_loader(folder)
    right = decoded.decode_once(load, "training", folder, quiet=True)
    file = decoded.cache_file(folder, "training", load)
    key = decoded.fingerprint(load, folder, "training")
    if damage == "cut short":
        file.write_bytes(file.read_bytes()[:200])
    elif damage == "not ours":
        file.write_text("a note the student saved here")
    else:
        kept = {"other key": {"key": "0" * 64, "tensors": [torch.zeros(6, 28, 28, dtype=torch.uint8), torch.zeros(6)]},
                "no tensors": {"key": key, "tensors": "images"},
                "unpaired": {"key": key, "tensors": [torch.zeros(6, 28, 28, dtype=torch.uint8), torch.zeros(5)]},
                "empty": {"key": key, "tensors": []}}[damage]
        torch.save(kept, file)
    got = decoded.decode_once(load, "training", folder)
    assert calls == ["training", "training"]
    assert all(torch.equal(a, b) for a, b in zip(got, right))
    assert "images decoded, kept in" in capsys.readouterr().out
    assert decoded.decode_once(load, "training", folder, quiet=True) and calls == ["training", "training"]


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root can write anywhere")
def test_a_read_only_data_folder_still_gives_the_images(folder, capsys):
    load, calls = counting_loader(folder)
    parent = folder.parent
    parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        got = decoded.decode_once(load, "training", folder)
    finally:
        parent.chmod(stat.S_IRWXU)
    assert len(got[0]) == 6
    assert "not kept for the next run" in capsys.readouterr().out
    assert not decoded.cache_file(folder, "training", load).exists()


def test_a_folder_we_may_not_write_in_still_gives_the_images(folder, capsys, monkeypatch):
    "The same as above for any user, root included: creating the file is refused."
    load, calls = counting_loader(folder)

    def refused(*a, **k):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(decoded, "write_file", refused)
    assert len(decoded.decode_once(load, "training", folder)[0]) == 6
    assert "not kept for the next run (Permission denied)" in capsys.readouterr().out
    assert sorted(p.name for p in folder.parent.iterdir()) == ["mnist_png"]


def test_a_failed_write_leaves_no_file_and_says_so(folder, capsys, monkeypatch):
    load, calls = counting_loader(folder)

    def disk_full(obj, f, *a, **k):
        f.write(b"partial")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(decoded.torch, "save", disk_full)
    got = decoded.decode_once(load, "training", folder)
    assert len(got[0]) == 6
    assert "not kept for the next run (No space left on device)" in capsys.readouterr().out
    assert sorted(p.name for p in folder.parent.iterdir()) == ["mnist_png"]   # no copy, no temporary file


def test_an_interrupted_write_leaves_no_file(folder, monkeypatch):
    load, calls = counting_loader(folder)

    def interrupted(obj, f, *a, **k):
        f.write(b"partial")
        raise KeyboardInterrupt
    monkeypatch.setattr(decoded.torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        decoded.decode_once(load, "training", folder)
    assert sorted(p.name for p in folder.parent.iterdir()) == ["mnist_png"]


def test_a_loader_without_source_is_never_kept(folder, capsys):
    load, calls = counting_loader(folder)
    namespace = {}
    exec("def no_source(split): return LOAD(split)", {"LOAD": load}, namespace)   # no file holds its code
    decoded.decode_once(namespace["no_source"], "training", folder)
    decoded.decode_once(namespace["no_source"], "training", folder)
    assert calls == ["training", "training"]
    assert not decoded.cache_file(folder, "training", namespace["no_source"]).exists()
    assert "cannot be read" in capsys.readouterr().out


def test_a_missing_folder_gives_the_loaders_own_error(tmp_path):
    load, _ = counting_loader(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError):
        decoded.decode_once(load, "training", tmp_path / "nowhere")
