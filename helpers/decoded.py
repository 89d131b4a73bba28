"""Decode a folder of images once: keep what a loading function made of it in one file beside the data
folder, and read that file back on later runs, for as long as the folder and the function stay the same.

Introduced in 09_full_mnist, whose 70,000 PNG files take seconds to open and decode (many more when
the files are no longer in the computer's memory); reused in 10_your_own_digits through helpers.ladder.
"""
import hashlib
import inspect
import io
import os
from pathlib import Path

import torch

from .manifest import write_file


def cache_file(folder, split, load) -> Path:
    """Where the decoded copy of `folder`/`split` made by the function `load` is kept: beside `folder`, as a
    hidden file, so that the folder itself stays exactly as fastai's `untar_data` made it. The function's
    name is part of the file's, so two loaders (notebook 9's, helpers.ladder's) keep a copy each, while an
    edited function replaces its own. Used in: 09_full_mnist, 10_your_own_digits."""
    folder = Path(folder)
    return folder.parent / f".{folder.name}.{split}.{getattr(load, '__name__', 'load')}.decoded.pt"


def hash_of(items) -> str:
    "A SHA-256 of the text of `items`."
    return hashlib.sha256(repr(items).encode()).hexdigest()


def fingerprint(load, folder, split):
    """What the decoded copy depends on, as one hash: the code of `load`, the folder, and for each of its
    sub-folders the time it last changed (adding, removing or renaming a file changes it) and the name,
    size and time of change of every file in it (so a file rewritten in place counts too). None when
    `load`'s code cannot be read: then nothing is kept.
    Used in: 09_full_mnist, 10_your_own_digits."""
    try:
        code = inspect.getsource(load)
    except (OSError, TypeError):   # a built-in, or code typed where Python keeps no source
        return None
    root = Path(folder) / split
    parts = [code, str(root.resolve())]
    try:
        for entry in sorted(os.scandir(root), key=lambda e: e.name):
            if entry.is_dir():
                files = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in os.scandir(entry.path)]
                parts.append(f"{entry.name} {entry.stat().st_mtime_ns} {hash_of(sorted(files))}")
    except OSError:   # no such folder: `load` itself will say what is wrong
        return None
    return hash_of(parts)


def _read(file, key):
    "The tensors kept in `file` if it is a decoded copy made with `key`, else None (missing, damaged, stale)."
    try:
        kept = torch.load(file, weights_only=True)
    except Exception:   # missing, cut short, or not ours: decode again
        return None
    if not (isinstance(kept, dict) and kept.get("key") == key and isinstance(kept.get("tensors"), list)):
        return None
    tensors = kept["tensors"]
    if not tensors or not all(isinstance(t, torch.Tensor) and t.ndim >= 1 for t in tensors):
        return None
    if len({len(t) for t in tensors}) != 1:   # images and labels must pair up
        return None
    return tuple(tensors)


def _write(file, key, tensors):
    """Save `tensors` to `file` (through helpers.manifest's write_file: a temporary file and a rename, so a
    half-written copy never exists); None if it worked, else why not."""
    buffer = io.BytesIO()
    try:
        torch.save({"key": key, "tensors": list(tensors)}, buffer)
        write_file(file, buffer.getvalue())
        return None
    except (OSError, RuntimeError) as e:   # torch.save reports a failed write as a RuntimeError
        why = getattr(e, "strerror", None) or (str(e).splitlines() or [e.__class__.__name__])[0]
        return why[:80]


def decode_once(load, split, folder, quiet=False):
    """`load(split)`, the tensors (images, labels, ...) that `load` makes of the images in `folder`/`split`,
    computed only the first time. The result is kept in one file beside `folder` (`cache_file`) and read
    back on later runs while `fingerprint` stays the same: change `load`'s code or the folder's files and it
    is decoded again. A damaged copy is decoded again and replaced; if the copy cannot be written (a
    read-only or full disk) the images are still returned, with a note. Prints one line unless `quiet`.
    Used in: 09_full_mnist, 10_your_own_digits."""
    folder = Path(folder)
    key = fingerprint(load, folder, split)
    file = cache_file(folder, split, load)
    kept = _read(file, key) if key else None
    if kept is not None:
        if not quiet:
            print(f"{split}: {len(kept[0]):,} images read back from {file.name}, decoded on an earlier run")
        return kept
    result = load(split)
    if not (isinstance(result, tuple) and result and all(isinstance(t, torch.Tensor) for t in result)):
        return result   # not tensors: nothing we can keep
    why = _write(file, key, result) if key else "the code of the loading function cannot be read"
    if not quiet:
        kept_where = f"kept in {file.name} beside the data folder" if why is None else \
            f"not kept for the next run ({why}), so the next run decodes them again"
        print(f"{split}: {len(result[0]):,} images decoded, {kept_where}")
    return result
