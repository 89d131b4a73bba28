"""tools/notebooks.py: headers, setup cells, the contents table and the README come from series.toml."""
import json
import sys
from pathlib import Path

import pytest

from helpers.cards import load_cards, load_terms

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
    if i > 0:
        assert f"]({files[i - 1]})" in header
    if i < len(files) - 1:
        assert f"]({files[i + 1]}) →" in header
    if entry["file"] != "00_index.ipynb":
        assert "[Contents](00_index.ipynb)" in header


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
    exec(src, {})
    exec(src, {})
    assert calls == [["git", "clone", "--quiet", "--depth=1", SERIES["repo"]]]
    assert str(tmp_path / "digits-under-the-hood") in sys.path
    sys.path.remove(str(tmp_path / "digits-under-the-hood"))


def test_check_mode_reports_a_stale_header(tmp_path):
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for n in SERIES["notebook"][:2]:
        (nb_dir / n["file"]).write_text((ROOT / "notebooks" / n["file"]).read_text())
    p = nb_dir / "01_pixels.ipynb"
    nb = json.loads(p.read_text())
    nb["cells"][0]["source"] = ["# an old title\n"]
    p.write_text(json.dumps(nb))
    readme = tmp_path / "README.md"
    readme.write_text("no markers")
    stale = gen.sync(check=True, nb_dir=nb_dir, readme=readme)
    assert "01_pixels.ipynb: the header cell is out of date" in stale
    assert json.loads(p.read_text())["cells"][0]["source"] == ["# an old title\n"]  # check changes nothing
    gen.sync(nb_dir=nb_dir, readme=readme)
    assert gen.sync(check=True, nb_dir=nb_dir, readme=readme) == ["README.md: has no badges markers",
                                                                  "README.md: has no runtimes markers"]


# --- the questions cells and 11_review's glossary, generated from helpers/cards.toml -------------

CARDS, TERMS = load_cards(), load_terms()
WITH_CARDS = [n for n in PRESENT if any(c["notebook"] == n["file"] for c in CARDS)]


def _cell_tagged(path, tag):
    nb = json.loads(path.read_text())
    return next((c for c in nb["cells"] if tag in c["metadata"].get("tags", [])), None)


@pytest.mark.parametrize("entry", WITH_CARDS, ids=[n["file"] for n in WITH_CARDS])
def test_a_notebooks_questions_are_its_cards(entry):
    cell = _cell_tagged(ROOT / "notebooks" / entry["file"], "questions")
    assert cell is not None, f"{entry['file']} has cards but no questions cell"
    text = "".join(cell["source"])
    assert cell["cell_type"] == "markdown" and text.startswith("## Questions\n")
    mine = [c for c in CARDS if c["notebook"] == entry["file"]]
    for i, c in enumerate(mine, start=1):
        assert f"\n{i}. {' '.join(c['question'].split())}" in text
    assert f"\n{len(mine) + 1}. " not in text
    assert "(11_review.ipynb#Flashcards)" in text and f'Deck("{entry["file"]}")' in text
    assert f"**{entry['file'][:2]} " in text  # which filter to choose in the deck's menu


def test_every_needed_notebook_that_exists_has_a_questions_cell():
    needed = gen.needs_questions(SERIES, CARDS)
    assert gen.REVIEW in needed and "00_index.ipynb" not in needed
    for entry in PRESENT:
        if entry["file"] in needed:
            assert _cell_tagged(ROOT / "notebooks" / entry["file"], "questions"), entry["file"]


def test_which_notebooks_need_questions_follows_the_cards():
    "The notebooks with cards, and the review: a notebook's first card makes it need a questions cell."
    assert gen.needs_questions(SERIES, CARDS) == {c["notebook"] for c in CARDS} | {gen.REVIEW}
    card = dict(CARDS[0], id="a-new-card", notebook="10_your_own_digits.ipynb")
    assert "10_your_own_digits.ipynb" not in gen.needs_questions(SERIES, CARDS)
    assert "10_your_own_digits.ipynb" in gen.needs_questions(SERIES, CARDS + [card])
    assert gen.needs_questions(SERIES, []) == {gen.REVIEW}


def test_the_review_lists_every_question_and_every_term():
    review = ROOT / "notebooks" / gen.REVIEW
    if not review.exists():
        pytest.skip("11_review is not written yet")
    questions = "".join(_cell_tagged(review, "questions")["source"])
    for c in CARDS:
        assert " ".join(c["question"].split()) in questions, c["id"]
    glossary = "".join(_cell_tagged(review, "glossary")["source"])
    rows = [line for line in glossary.splitlines() if line.startswith("| **")]
    assert len(rows) == len(TERMS)
    names = [r.split("**")[1] for r in rows]
    def key(name):
        return "".join(ch for ch in name.lower() if ch.isalnum() or ch == " ").strip()
    assert names == sorted(names, key=key), "the glossary is in alphabetical order"
    for row in rows:
        link = row.rsplit("|", 2)[1]
        assert ".ipynb)" in link or "*(in preparation)*" in link, row


def test_glossary_links_only_to_notebooks_that_exist(tmp_path):
    (tmp_path / "01_pixels.ipynb").write_text("{}")
    table = gen.glossary_source(SERIES, nb_dir=tmp_path)
    assert "| **pixel** | One number" in table and "[1. Pixels](01_pixels.ipynb) |" in table
    assert "| 9. All ten digits *(in preparation)* |" in table and "](09_full_mnist.ipynb)" not in table


def _copy(names, nb_dir):
    nb_dir.mkdir(exist_ok=True)
    for name in names:
        (nb_dir / name).write_text((ROOT / "notebooks" / name).read_text())


def _edit(path, change):
    nb = json.loads(path.read_text())
    change(nb)
    path.write_text(json.dumps(nb))


def test_check_mode_reports_stale_and_missing_questions_cells(tmp_path):
    nb_dir = tmp_path / "notebooks"
    _copy(["00_index.ipynb", "01_pixels.ipynb", "02_pixel_similarity.ipynb"], nb_dir)
    readme = tmp_path / "README.md"
    base = set(gen.sync(check=True, nb_dir=nb_dir, readme=readme))  # the headers of a 3-notebook series
    def stale_question(nb):
        cell = next(c for c in nb["cells"] if "questions" in c["metadata"].get("tags", []))
        cell["source"] = ["## Questions\n", "\n", "1. An old question?\n"]
    _edit(nb_dir / "02_pixel_similarity.ipynb", stale_question)
    _edit(nb_dir / "01_pixels.ipynb",
          lambda nb: nb.update(cells=[c for c in nb["cells"] if c.get("id") != "questions"]))
    found = set(gen.sync(check=True, nb_dir=nb_dir, readme=readme)) - base
    assert found == {"02_pixel_similarity.ipynb: the questions cell is out of date",
                     "01_pixels.ipynb: has no questions cell (a markdown cell tagged 'questions')"}
    assert "An old question?" in (nb_dir / "02_pixel_similarity.ipynb").read_text()  # check changes nothing
    gen.sync(nb_dir=nb_dir, readme=readme)
    assert set(gen.sync(check=True, nb_dir=nb_dir, readme=readme)) - base == {
        "01_pixels.ipynb: has no questions cell (a markdown cell tagged 'questions')"}  # never inserted
    assert "An old question?" not in (nb_dir / "02_pixel_similarity.ipynb").read_text()


def test_a_notebook_without_questions_is_reported_then_filled(tmp_path):
    "A notebook with no cell tagged 'questions' is reported (not changed); once it has one, it is filled."
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    entry = next(n for n in SERIES["notebook"] if n["file"] == "09_full_mnist.ipynb")
    import nbformat
    nbformat.write(gen.new_notebook(SERIES, entry), nb_dir / entry["file"])
    readme = tmp_path / "README.md"
    assert "09_full_mnist.ipynb: has no questions cell (a markdown cell tagged 'questions')" in \
        gen.sync(check=True, nb_dir=nb_dir, readme=readme)
    _edit(nb_dir / entry["file"], lambda nb: nb["cells"].append(
        {"cell_type": "markdown", "id": "q", "metadata": {"tags": ["questions"]}, "source": []}))
    gen.sync(nb_dir=nb_dir, readme=readme)
    text = "".join(_cell_tagged(nb_dir / entry["file"], "questions")["source"])
    assert "1. What does softmax do" in text and "choose **09 full mnist**" in text
