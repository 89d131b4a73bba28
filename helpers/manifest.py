"""The manifest of a data folder that helpers/data.py built: every file's size and hash.

Used by every notebook's setup cell (introduced in 01_pixels). It is written when a folder is built
(`.mnist_sample.manifest.json` beside the folder, so fastai's layout stays as `untar_data` makes
it) and checked at every setup. The check is cheap: a file whose size, modification time and
change time are what the manifest recorded is trusted; only a file whose stat changed is read and
hashed. So a damaged, replaced or missing image is noticed, and a student's own extra image is
told apart from ours, in well under a second for the 70,000 images of full MNIST.
"""
import hashlib
import json
import os
import stat
import struct
from pathlib import Path
from typing import NamedTuple

VERSION = 1
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def path_of(folder) -> Path:
    "Where the manifest of `folder` is kept: `.NAME.manifest.json` beside it."
    folder = Path(folder)
    return folder.parent / f".{folder.name}.manifest.json"


def digest(data: bytes) -> str:
    "The hash the manifest records: the first 16 hex digits of the SHA-256."
    return hashlib.sha256(data).hexdigest()[:16]


def looks_like_png(data: bytes, size=(28, 28)) -> bool:
    "Whether `data` starts like a PNG image of `size` (width, height): signature and IHDR chunk."
    return data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR" and struct.unpack(">II", data[16:24]) == size


def write_file(path, data: bytes):
    "Write `data` to `path` through a temporary file in the same folder and os.replace."
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _entries(folder, names=()):
    """(relative name, DirEntry) of the files a data folder holds: its top-level files and everything
    in its `split/label` folders. Hidden names (`.ipynb_checkpoints`, our temporary files) are skipped."""
    folder = Path(folder)
    try:
        top = list(os.scandir(folder))
    except OSError:
        return
    for e in top:
        if e.name.startswith("."):
            continue
        if not e.is_dir() or e.name in names:
            yield e.name, e
            continue
        for label in os.scandir(e.path):
            if label.name.startswith(".") or not label.is_dir():
                continue
            for f in os.scandir(label.path):
                if not f.name.startswith("."):
                    yield f"{e.name}/{label.name}/{f.name}", f


def _seen(st):
    return [st.st_mtime_ns, st.st_ctime_ns]


def write(folder, hashes, source="built"):
    """Write the manifest of `folder` from `hashes` (relative name -> (size, digest)), with each file's
    stat as it is now. `source`: "built" (by data.py, so one file can be rebuilt from the raw files)
    or "adopted" (a folder found complete, e.g. unpacked by fastai)."""
    _dump(folder, _stamped(folder, hashes), source)


def _stamped(folder, hashes):
    "Manifest entries [size, digest, mtime_ns, ctime_ns] of `hashes`, with each file's stat now."
    files = {}
    for name, (size, h) in hashes.items():
        try:
            files[name] = [size, h, *_seen(os.stat(Path(folder) / name))]
        except OSError:
            files[name] = [size, h, 0, 0]
    return files


def _dump(folder, files, source):
    text = json.dumps({"version": VERSION, "source": source, "files": files}, separators=(",", ":"))
    write_file(path_of(folder), text.encode())


def read(folder):
    "The manifest of `folder` as a dict (version, source, files), or None if there is none or it is unusable."
    try:
        data = json.loads(path_of(folder).read_bytes())
        if data.get("version") == VERSION and isinstance(data.get("files"), dict):
            return data
    except (OSError, ValueError, AttributeError):
        pass
    return None


def adopt(folder, source="adopted", png_size=(28, 28)):
    """Hash every file of a folder that has no manifest yet and write one. A `.png` that is not a
    PNG image of `png_size` is recorded as damaged (size -1), so the next check reports it.
    Returns the manifest. Writing it is skipped, quietly, when the folder cannot be written."""
    hashes = {}
    for name, e in _entries(folder):
        try:
            data = Path(e.path).read_bytes()
        except OSError:
            continue
        ok = not name.endswith(".png") or looks_like_png(data, png_size)
        hashes[name] = (len(data), digest(data)) if ok else (-1, "")
    files = _stamped(folder, hashes)
    try:
        _dump(folder, files, source)
    except OSError:
        pass
    return {"version": VERSION, "source": source, "files": files}


class Check(NamedTuple):
    "What `check` found, as relative names."
    missing: list   # in the manifest, not in the folder
    damaged: list   # in both, but not the bytes we wrote (or not a file)
    extra: list     # PNGs in the folder that the manifest does not know: a student's own


def check(folder, found):
    """Compare `folder` with its manifest `found` (from `read`). Files whose stat is unchanged are
    trusted; the others are hashed, and if their bytes are still right the manifest learns their
    new stat (rewritten quietly; skipped if the folder is read-only)."""
    files = found["files"]
    seen, damaged, extra, relearned = set(), [], [], {}
    for name, e in _entries(folder, files):
        want = files.get(name)
        if want is None:
            if name.endswith(".png"):
                extra.append(name)
            continue
        seen.add(name)
        try:
            st = e.stat()
        except OSError:
            damaged.append(name)
            continue
        if not stat.S_ISREG(st.st_mode):
            damaged.append(name)
            continue
        if st.st_size == want[0] and _seen(st) == want[2:4]:
            continue
        try:
            data = Path(e.path).read_bytes()
        except OSError:
            damaged.append(name)
            continue
        if len(data) == want[0] and digest(data) == want[1]:
            relearned[name] = [want[0], want[1], *_seen(st)]
        else:
            damaged.append(name)
    if relearned:
        try:
            _dump(folder, {**files, **relearned}, found.get("source", "built"))
        except OSError:
            pass
    missing = [n for n in files if n not in seen]
    return Check(sorted(missing), sorted(damaged), sorted(extra))


def update(folder, found, hashes):
    "Record new `hashes` (name -> (size, digest)) for some files, e.g. ones just rebuilt."
    found["files"].update(_stamped(folder, hashes))
    _dump(folder, found["files"], found.get("source", "built"))


def only_ours(folder, files) -> bool:
    """Whether every file under `folder` is one the manifest `files` describes, byte for byte (same
    size and hash): then deleting `folder` deletes nothing that we did not build."""
    for dirpath, _, names in os.walk(folder):
        for n in names:
            p = Path(dirpath) / n
            want = files.get(p.relative_to(folder).as_posix())
            try:
                if want is None or p.stat().st_size != want[0] or digest(p.read_bytes()) != want[1]:
                    return False
            except OSError:
                return False
    return True
