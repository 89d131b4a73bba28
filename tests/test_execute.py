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


def test_tidy_turns_a_raw_html_table_in_text_plain_into_a_plain_table():
    html = ('<div><table class="fastprogress"><thead><tr><th>epoch</th><th>train_loss</th><th>time</th></tr></thead>'
            '<tbody><tr><td>0</td><td>0.058563</td><td>00:00</td></tr><tr><td>10</td><td>0.0196</td><td>00:01</td>'
            '</tr></tbody></table></div>')
    other, bold = "<IPython.core.display.HTML object>", "<b>no table</b>"
    cells = [nbformat.v4.new_code_cell("learn.fit(1)", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": html}),
        nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": other}),
        nbformat.v4.new_output("display_data", data={"text/html": bold, "text/plain": bold})])]
    outs = execute.tidy(nbformat.v4.new_notebook(cells=cells)).cells[0].outputs
    assert outs[0].data["text/html"] == html
    assert outs[0].data["text/plain"] == ("epoch  train_loss   time\n"
                                          "    0    0.058563  00:00\n"
                                          "   10      0.0196  00:01")
    assert outs[1].data["text/plain"] == other                     # not raw HTML: left as it was
    assert outs[2].data["text/plain"] == "<b>no table</b>"         # no table to render: left as it was


def test_plain_table_reads_ragged_rows_and_answers_none_without_a_table():
    assert execute.plain_table("<p>text</p>") is None
    assert execute.plain_table("<table><tr><td>a</td><td>bb</td></tr><tr><td>ccc</td></tr></table>") == "  a  bb\nccc"
