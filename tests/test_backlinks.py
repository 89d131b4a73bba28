"""tools/backlinks.py: every public helper's `Used in:` line names exactly the notebooks that use it;
the check fails, naming the helper and the notebook, when a line misses a notebook or lists one too many."""
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import backlinks  # noqa: E402 (tools/ is not a package: it is put on the path above)
import notebooks as gen  # noqa: E402


def test_the_helpers_backlinks_are_right():
    found = backlinks.problems()
    assert found == [], "Fix the helpers' `Used in:` lines:\n" + "\n".join(found)


def test_every_helper_a_notebook_imports_has_a_used_in_line():
    defs, users = backlinks.users()
    imported = [key for key, by in users.items() if None in by.values()]
    assert len(imported) > 40  # the notebooks import dozens of helpers: the parser finds them
    for key in imported:
        assert backlinks.used_in(defs[key][0]), key


@pytest.mark.parametrize("doc,listed", [
    ("Does a thing.\n    Used in: 03_gradient_descent, 05_minibatches.", ["03_gradient_descent", "05_minibatches"]),
    ("Does a thing. Used in: 10_your_own_digits.", ["10_your_own_digits"]),
    ("Does a thing.\nUsed in: 01_pixels, 02_pixel_similarity,\n    03_gradient_descent.",
     ["01_pixels", "02_pixel_similarity", "03_gradient_descent"]),
    ("Does a thing. Used in: tools only.", backlinks.TOOLS_ONLY),
    ("Does a thing.", None), (None, None), ("Used in: 01_pixels. And then more.", None)])
def test_used_in_reads_the_last_line(doc, listed):
    assert backlinks.used_in(doc) == listed


# --- a small made-up series: two notebooks and a helpers folder ------------------------------------

def notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# from helpers.tiny import never  (markdown: not code)")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)


TINY = '''
from . import base


def shown(x):
    """Shows x. Used in: 01_first, 02_second."""
    return base.helper(x)


def plain(x):
    "Used in: 02_second."
    return x


def for_tools():
    "Used in: tools only."
'''
BASE = '''
def helper(x):
    "Called by tiny.shown, so used wherever that is. Used in: 01_first, 02_second."
    return x


class Quiet:
    "No line: nothing imports it."
'''
GATHER = '''
from .tiny import shown, plain  # noqa: F401 (gathered here)
'''


@pytest.fixture
def series(tmp_path):
    nbs, helpers, tools = tmp_path / "notebooks", tmp_path / "helpers", tmp_path / "tools"
    for d in (nbs, helpers, tools):
        d.mkdir()
    (helpers / "tiny.py").write_text(TINY)
    (helpers / "base.py").write_text(BASE)
    (helpers / "gather.py").write_text(GATHER)
    (tools / "tool.py").write_text("from helpers.tiny import for_tools\nfor_tools()\n")
    notebook(nbs / "01_first.ipynb", "%matplotlib inline\nfrom helpers.tiny import shown\nshown(1)")
    notebook(nbs / "02_second.ipynb", "from helpers import gather as g", "g.shown(2); g.plain(3)",
             "%%bash\necho not python", "from helpers.tiny import for_tools +  # a cell that is not Python")

    def check():
        return backlinks.problems(nbs, helpers, others=(tools,))
    return nbs, helpers, check


def test_the_made_up_series_is_right(series):
    assert series[2]() == []


def test_a_notebook_missing_from_a_line_fails(series):
    nbs, helpers, check = series
    (helpers / "tiny.py").write_text(TINY.replace("Used in: 01_first, 02_second.", "Used in: 01_first.", 1))
    assert check() == ["helpers/tiny.py:5 shown: 02_second uses it, but its `Used in:` line does not list 02_second"]


def test_an_extra_notebook_in_a_line_fails(series):
    nbs, helpers, check = series
    (helpers / "tiny.py").write_text(TINY.replace('"Used in: 02_second."', '"Used in: 01_first, 02_second."'))
    assert check() == ["helpers/tiny.py:10 plain: its `Used in:` line lists 01_first, but 01_first does not use it"]
    (helpers / "tiny.py").write_text(TINY.replace('"Used in: 02_second."', '"Used in: 02_second, 07_gone."'))
    assert check() == ["helpers/tiny.py:10 plain: its `Used in:` line lists 07_gone, but 07_gone does not use it "
                       "(there is no such notebook)"]


def test_a_notebook_that_stops_using_a_helper_fails(series):
    nbs, helpers, check = series
    notebook(nbs / "02_second.ipynb", "from helpers import gather as g", "g.shown(2)")
    assert check() == ["helpers/tiny.py:10 plain: its `Used in:` line lists 02_second, but 02_second does not use it"]


def test_a_helper_used_through_another_must_list_its_notebooks_too(series):
    nbs, helpers, check = series
    (helpers / "base.py").write_text(BASE.replace("Used in: 01_first, 02_second.", "Used in: 01_first."))
    assert check() == ["helpers/base.py:2 helper: 02_second uses it (through shown), but its `Used in:` line "
                       "does not list 02_second"]


def test_an_imported_helper_without_a_line_fails(series):
    nbs, helpers, check = series
    (helpers / "tiny.py").write_text(TINY.replace('"Used in: 02_second."', '"Returns x."'))
    assert check() == ["helpers/tiny.py:10 plain: 02_second imports it, but its docstring does not end with "
                       "`Used in: 02_second.`"]


def test_a_line_out_of_order_fails(series):
    nbs, helpers, check = series
    (helpers / "tiny.py").write_text(TINY.replace("Used in: 01_first, 02_second.", "Used in: 02_second, 01_first."))
    assert check() == ["helpers/tiny.py:5 shown: list each notebook once, in order: `Used in: 01_first, 02_second.`"]


def test_tools_only_is_checked_both_ways(series):
    nbs, helpers, check = series
    notebook(nbs / "01_first.ipynb", "from helpers.tiny import shown, for_tools\nshown(1); for_tools()")
    assert check() == ["helpers/tiny.py:15 for_tools: says `Used in: tools only.`, but 01_first uses it"]
    notebook(nbs / "01_first.ipynb", "from helpers.tiny import shown\nshown(1)")
    (nbs.parent / "tools" / "tool.py").write_text("print('no helper here')\n")
    assert check() == ["helpers/tiny.py:15 for_tools: says `Used in: tools only.`, but nothing in tools/ uses it"]


def test_notebooks_check_fails_on_a_wrong_backlink(series, monkeypatch, capsys):
    "`python tools/notebooks.py --check` runs the backlink check and exits 1, naming the helper and the notebook."
    nbs, helpers, check = series
    (helpers / "tiny.py").write_text(TINY.replace("Used in: 01_first, 02_second.", "Used in: 01_first.", 1))
    real = backlinks.problems
    monkeypatch.setattr(backlinks, "problems",
                        lambda nb_dir, helpers_dir: real(nbs, helpers, others=(nbs.parent / "tools",)))
    assert gen.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert ("backlink: helpers/tiny.py:5 shown: 02_second uses it, but its `Used in:` line does not list "
            "02_second") in out
