"""Prose that any re-run confirms (README: Robustness sweep): the figures a notebook's markdown quotes from its
training runs are the ranges the last robustness sweep (`make sweep`, bench/sweep.json) measured,
never one run's number; every checkpoint's "Expected:" sentence names the floor its check uses; and
the sweep is up to date with the notebooks' code."""
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SWEEP = ROOT / "bench" / "sweep.json"
sys.path.insert(0, str(ROOT / "tools"))
import sweep as sweep_tool  # noqa: E402  (tools/sweep.py: which notebooks have checkpoints, their code hash)

ACCURACY = r"0\.9\d{2,}|1\.0{3,}|(?:9\d|100)\.\d+\s?%"               # 0.9697, 1.0000, 98.2 %
TIMING = r"\d+(?:\.\d+)?\s(?:s|seconds|ms)\b"                      # 11 s, 0.4 s (not "3s", a plural)
RANGE = r"({x}|\d+(?:\.\d+)?)\s*(?:to|and|–|-)\s*({x})"   # "35 to 75 s": the first end may be bare
# Figures in prose that no training run produces: each with the reason it may stand as one number.
DETERMINISTIC = {
    "0.9511": "the pixel-similarity baseline of 02, which is exact on every machine (02 checks it)",
}


def cells(path):
    return json.loads(path.read_text())["cells"]


def text(cell):
    return "".join(cell["source"])


NOTEBOOKS = sweep_tool.checkpointed()
FLOOR_CALL = re.compile(r"check_accuracy\([^)]*?at_least\s*=\s*([0-9.]+)")


def floors(path):
    return [float(f) for c in cells(path) if c["cell_type"] == "code" for f in FLOOR_CALL.findall(text(c))]


def value(s):
    s = s.replace(" ", "")
    return float(s[:-1]) / 100 if s.endswith("%") else float(s)


def unit(s):
    "Half of the last digit's place: how far a rounded figure may be from what it rounds."
    digits = s.rstrip("% ").split(".")[1] if "." in s else ""
    return 0.5 * 10 ** -len(digits) / (100 if s.rstrip().endswith("%") else 1)


@pytest.fixture(scope="module")
def sweep():
    assert SWEEP.exists(), "bench/sweep.json is missing: run `make sweep`"
    return json.loads(SWEEP.read_text())


def test_sweep_is_up_to_date_with_the_notebooks_code(sweep):
    for path in NOTEBOOKS:
        got = sweep["notebooks"].get(path.stem)
        assert got, f"{path.name} has checkpoints but no sweep results: run `make sweep`"
        assert got["code"] == sweep_tool.code_hash(path), \
            f"{path.name}'s code changed since the last sweep: run `python tools/sweep.py --only {path.stem}`"
        assert sorted(r["floor"] for r in got["checkpoints"].values()) == sorted(floors(path))


def test_every_margin_is_at_least_a_tenth_of_a_point(sweep):
    for name, got in sweep["notebooks"].items():
        for what, r in got["checkpoints"].items():
            assert len(r["values"]) >= 10, f"{name} {what}: only {len(r['values'])} runs in the sweep"
            assert r["min"] >= r["floor"] + 0.001 - 1e-9, \
                f"{name} {what}: the sweep's worst run {r['min']:.4f} is within 0.1 point of the floor {r['floor']}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_expected_sentence_names_the_floor_of_its_check(path):
    nb, pending = cells(path), None
    for i, c in enumerate(nb):
        if c["cell_type"] == "markdown" and "Expected:" in text(c):
            pending = (i, text(c))
        if c["cell_type"] == "code":
            for f in FLOOR_CALL.findall(text(c)):
                assert pending, f"{path.name} cell {i}: a checkpoint with no 'Expected:' sentence before it"
                named = {float(x) for x in re.findall(r"at least \**\s*(\d\.\d+)", pending[1])}
                assert float(f) in named, \
                    f"{path.name} cell {pending[0]} says 'Expected: at least {sorted(named)}', but cell {i} checks {f}"


def quoted(path, pattern):
    "(cell index, the figure as written, is it one end of a range) for each figure in the markdown."
    found = []
    for i, c in enumerate(cells(path)):
        if c["cell_type"] != "markdown":
            continue
        s, ranged = text(c), set()
        for m in re.finditer(RANGE.format(x=pattern), s):
            ranged |= {m.start(1), m.start(2)}
        found += [(i, m.group(0), m.start() in ranged) for m in re.finditer(pattern, s)]
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_accuracies_in_prose_are_floors_or_the_sweeps_range(path, sweep):
    ours = set(floors(path))
    spans = [(r["min"], r["max"]) for got in sweep["notebooks"].values() for r in got["checkpoints"].values()]
    for i, s, ranged in quoted(path, ACCURACY):
        v = value(s)
        if any(abs(v - f) < 1e-9 for f in ours) or s in DETERMINISTIC:
            continue
        assert ranged, (f"{path.name} cell {i} quotes {s} as one number: state the sweep's range "
                        "('between A and B over N runs') or let a cell print it")
        assert any(lo - 2 * unit(s) - 1e-9 <= v <= hi + 2 * unit(s) + 1e-9 for lo, hi in spans), \
            f"{path.name} cell {i}: {s} is outside every range the last sweep measured"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_timings_in_prose_are_the_sweeps_range(path, sweep):
    secs = [s for r in sweep["notebooks"].get(path.stem, {}).get("checkpoints", {}).values() for s in r["seconds"]]
    for i, s, ranged in quoted(path, TIMING):
        assert ranged and secs, (f"{path.name} cell {i} quotes a time, {s!r}, as one number: times differ "
                                 "from machine to machine; let a cell print it, or quote the sweep's range")
        v = float(s.split()[0]) / (1000 if s.endswith("ms") else 1)
        assert min(secs) - 1 <= v <= max(secs) + 1, (
            f"{path.name} cell {i}: {s} is outside the training times the last sweep measured "
            f"({min(secs):.0f}–{max(secs):.0f} s)")


def test_the_figure_finder_tells_ranges_from_single_numbers(tmp_path):
    import nbformat
    path = tmp_path / "x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "We got 0.9980 in 31 s. Over the sweep it ended between 0.9975 and 1.0000, 35 to 75 s; "
        "about 98.2% in 3s and 7s.")]), path)
    assert quoted(path, ACCURACY) == [(0, "0.9980", False), (0, "0.9975", True), (0, "1.0000", True),
                                      (0, "98.2%", False)]
    assert quoted(path, TIMING) == [(0, "31 s", False), (0, "75 s", True)]
    assert FLOOR_CALL.findall("check_accuracy(acc, at_least=0.968, seconds=s)") == ["0.968"]
