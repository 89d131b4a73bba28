"""tools/execute.py: saved notebooks carry no fastprogress noise (a lone <style> output, a raw-HTML
markdown copy of the table), and everything else is kept."""
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import execute  # noqa: E402


def test_tidy_drops_style_outputs_and_html_markdown_copies_only():
    out = nbformat.v4.new_output
    cell = nbformat.v4.new_code_cell("learn.fit(1)", outputs=[
        out("display_data", data={"text/html": "\n<style>\n progress {}\n</style>\n",
                                  "text/plain": "<IPython.core.display.HTML object>"}),
        out("display_data", data={"text/html": "<table></table>", "text/markdown": "```html\n<table></table>\n```",
                                  "text/plain": "<IPython.core.display.HTML object>"}),
        out("display_data", data={"text/markdown": "**bold**", "text/plain": "bold"}),
        out("stream", name="stdout", text="trained in 3 s\n")])
    nb = execute.tidy(nbformat.v4.new_notebook(cells=[cell]))
    kept = nb.cells[0].outputs
    assert [sorted(o.get("data", {})) for o in kept] == [["text/html", "text/plain"], ["text/markdown", "text/plain"],
                                                         []]
    assert kept[2].text == "trained in 3 s\n"


def test_machine_names_cores_and_cpu():
    assert "cores of" in execute.machine()


def test_write_between_replaces_only_what_stands_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("a\n<!-- x -->\nold\ntable\n<!-- y -->\nb\n")
    execute.write_between(readme, ("<!-- x -->", "<!-- y -->"), "new")
    assert readme.read_text() == "a\n<!-- x -->\nnew\n<!-- y -->\nb\n"
    execute.write_between(readme, ("<!-- missing -->", "<!-- y -->"), "other")
    assert "other" not in readme.read_text()
