"""tools/notebooks.py: headers, setup cells, the contents table and the README come from series.toml."""
import json, sys, tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as gen  # noqa: E402

SERIES = gen.load_series()
PRESENT = gen.existing(SERIES)


def test_nothing_is_out_of_date():
    stale = gen.sync(check=True)
    assert stale == [], "Run `make notebooks` to regenerate:\n" + "\n".join(stale)


def test_series_lists_every_notebook_file_once():
    files = [n["file"] for n in SERIES["notebook"]]
    assert len(files) == len(set(files))
    on_disk = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert set(on_disk) <= set(files), "a notebook is not listed in series.toml"
    for f in files:
        assert f[:2].isdigit() and f[2] == "_" and f.endswith(".ipynb")


def test_repository_address_is_written_in_one_place():
    address = SERIES["repo"].rstrip("/").split("github.com/")[1]
    hand_written = [p for p in ROOT.rglob("*") if p.is_file() and p.suffix in {".py", ".toml", ".yml", ".md", ".cfg"}
                    and ".venv" not in p.parts and address in p.read_text(errors="ignore")
                    and p.name not in {"series.toml", "README.md"}]
    assert hand_written == []
    readme = (ROOT / "README.md").read_text()
    a, b = gen._markers("badges")
    assert readme.count(address) == readme[readme.index(a):readme.index(b)].count(address)


@pytest.mark.parametrize("entry", PRESENT, ids=[n["file"] for n in PRESENT])
def test_header_has_title_badges_and_navigation(entry):
    nb = json.loads((ROOT / "notebooks" / entry["file"]).read_text())
    header = "".join(nb["cells"][0]["source"])
    assert nb["cells"][0]["cell_type"] == "markdown" and header.startswith(f"# {entry['title']}\n")
    assert gen.colab_url(SERIES, entry["file"]) in header and gen.binder_url(SERIES, entry["file"]) in header
    files = [n["file"] for n in PRESENT]
    i = files.index(entry["file"])
    if i > 0: assert f"]({files[i - 1]})" in header
    if i < len(files) - 1: assert f"]({files[i + 1]}) →" in header
    if entry["file"] != "00_index.ipynb": assert "[Contents](00_index.ipynb)" in header


def test_navigation_skips_notebooks_not_written_yet(tmp_path):
    (tmp_path / "00_index.ipynb").write_text("{}")
    (tmp_path / "02_pixel_similarity.ipynb").write_text("{}")
    entry = SERIES["notebook"][0]
    header = gen.header_source(SERIES, entry, nb_dir=tmp_path)
    assert "02_pixel_similarity.ipynb) →" in header and "01_pixels" not in header
    assert "*(in preparation)*" in gen.contents_source(SERIES, nb_dir=tmp_path)


@pytest.mark.parametrize("entry", PRESENT[1:], ids=[n["file"] for n in PRESENT[1:]])
def test_setup_cell_is_the_first_code_cell_and_ignored_by_nbval(entry):
    nb = json.loads((ROOT / "notebooks" / entry["file"]).read_text())
    first_code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "setup" in first_code["metadata"]["tags"] and "nbval-ignore-output" in first_code["metadata"]["tags"]
    src = "".join(first_code["source"])
    assert f'data="{entry["data"]}"' in src and "pip install" not in src


def test_setup_cell_runs_outside_colab_from_the_notebooks_folder(tmp_path, monkeypatch, capsys):
    "The generated code finds helpers/ from the notebooks folder, as Jupyter and nbval run it."
    monkeypatch.chdir(ROOT / "notebooks")
    monkeypatch.setattr(sys, "path", [p for p in sys.path if Path(p).resolve() != ROOT])
    for m in [m for m in sys.modules if m == "helpers" or m.startswith("helpers.")]:
        monkeypatch.delitem(sys.modules, m)
    entry = dict(SERIES["notebook"][1], data="")
    scope = {}
    exec(gen.setup_source(SERIES, entry), scope)
    assert str(scope["device"]) in {"cpu", "cuda"}
    assert capsys.readouterr().out.strip() == f"seed 42 · device: {scope['device'].type}"


def test_setup_cell_on_colab_clones_once(monkeypatch, tmp_path):
    "On Colab the cell clones the repository (and only if it is not there yet); it installs nothing."
    calls = []
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "google.colab", object())
    import subprocess

    def fake_run(cmd, check):
        calls.append(cmd)
        (tmp_path / cmd[-1].rsplit("/", 1)[1] / "helpers").mkdir(parents=True)
    monkeypatch.setattr(subprocess, "run", fake_run)
    src = gen.setup_source(SERIES, SERIES["notebook"][1]).split("from helpers.setup")[0]
    exec(src, {}); exec(src, {})
    assert calls == [["git", "clone", "--quiet", "--depth=1", SERIES["repo"]]]
    assert str(tmp_path / "digits-under-the-hood") in sys.path
    sys.path.remove(str(tmp_path / "digits-under-the-hood"))


def test_check_mode_reports_a_stale_header(tmp_path):
    nb_dir = tmp_path / "notebooks"; nb_dir.mkdir()
    for n in SERIES["notebook"][:2]:
        (nb_dir / n["file"]).write_text((ROOT / "notebooks" / n["file"]).read_text())
    p = nb_dir / "01_pixels.ipynb"
    nb = json.loads(p.read_text()); nb["cells"][0]["source"] = ["# an old title\n"]; p.write_text(json.dumps(nb))
    readme = tmp_path / "README.md"; readme.write_text("no markers")
    stale = gen.sync(check=True, nb_dir=nb_dir, readme=readme)
    assert "01_pixels.ipynb: the header cell is out of date" in stale
    assert json.loads(p.read_text())["cells"][0]["source"] == ["# an old title\n"]  # check changes nothing
    gen.sync(nb_dir=nb_dir, readme=readme)
    assert gen.sync(check=True, nb_dir=nb_dir, readme=readme) == ["README.md: has no badges markers",
                                                                  "README.md: has no runtimes markers"]
