"""The committed notebooks as a student sees them: executed in order, no errors, no noise."""
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
NOISE = [(r"Warning|warn\(", "a warning"), (r"(/home/|/root/|/tmp/|/Users/)\w", "a machine path"),
         (r"\b0x[0-9a-fA-F]{6,}\b", "a memory address")]


def code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def shown_text(out):
    if out["output_type"] == "stream":
        return "".join(out["text"])
    data = out.get("data", {})
    if "image/png" in data or "application/vnd.jupyter.widget-view+json" in data:
        return ""
    return "".join(data.get("text/plain", "")) + "".join(data.get("text/html", ""))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_executed_in_order_without_errors(path):
    cells = [c for c in code_cells(path) if "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in cells]
    assert None not in counts, "a code cell was never run: run the notebook top to bottom"
    assert counts == list(range(1, len(cells) + 1)), "run it top to bottom from a fresh kernel"
    assert not [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_noise_in_outputs(path):
    for c in code_cells(path):
        for o in c["outputs"]:
            text = shown_text(o)
            for pattern, what in NOISE:
                assert not re.search(pattern, text), f"{what} in the output of: {''.join(c['source'])[:60]!r}"
            assert o.get("name") != "stderr", f"stderr output in: {''.join(c['source'])[:60]!r}"
            plain = "".join(o.get("data", {}).get("text/plain", ""))
            assert not re.search(r"<(table|div|style)\b", plain), \
                f"raw HTML in the plain-text output of: {''.join(c['source'])[:60]!r} (tools/execute.py tidies it)"


TIMING = re.compile(r"\b\d+(?:\.\d+)?(?:\s?ms|\ss|\sseconds?)\b")   # 27.9 ms, 3.4 s (not "3s", a plural)


def _sanitizer():
    "The (regex, replacement) pairs of tests/nbval_sanitize.cfg, read once."
    import configparser
    cfg = configparser.ConfigParser()
    cfg.read(Path(__file__).resolve().parent / "nbval_sanitize.cfg")
    return [(cfg[section]["regex"], cfg[section]["replace"]) for section in cfg.sections()]


SANITIZER = _sanitizer()


def sanitized(text):
    "`text` as nbval compares it: with the replacements of tests/nbval_sanitize.cfg applied, as nbval applies them."
    for regex, replace in SANITIZER:
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_compared_outputs_hold_no_timings(path):
    "A time differs on every run: a cell that prints one is tagged nbval-ignore-output, or nbval fails elsewhere."
    for c in code_cells(path):
        if {"nbval-ignore-output", "nbval-skip"} & set(c.get("metadata", {}).get("tags", [])):
            continue
        for o in c["outputs"]:
            text = "".join(o.get("text", "")) if o["output_type"] == "stream" else "".join(
                o.get("data", {}).get("text/plain", ""))
            found = TIMING.search(sanitized(text))
            assert not found, (f"{found.group(0)!r} in the compared output of {''.join(c['source'])[:60]!r}: "
                               "tag the cell nbval-ignore-output")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_widget_cells_are_not_compared_by_nbval(path):
    for c in code_cells(path):
        if any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c["outputs"]):
            assert "nbval-ignore-output" in c["metadata"].get("tags", []), ''.join(c["source"])[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_book_build_markup(path):
    for c in json.loads(path.read_text())["cells"]:
        assert not re.match(r"#\s*(hide|id|export)\b", "".join(c["source"])), "book-build markup in a cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_plot_has_a_title_and_axis_labels(path):
    for c in code_cells(path):
        src = "".join(c["source"])
        if "plt.subplots" in src:
            assert re.search(r"set_title|title=", src) and re.search(r"xlabel", src) and re.search(r"ylabel", src), \
                src[:80]
