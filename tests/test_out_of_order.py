"""Cells run out of order: a checkpoint (or any cell) run before the cell that makes its names shows one
line that says what to do (helpers.setup.friendly_name_errors), not a traceback; other errors are untouched."""
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import execute  # noqa: E402


def test_a_name_error_after_setup_is_one_line_and_other_errors_stay(tmp_path):
    cells = [f"import sys; sys.path.insert(0, {str(ROOT)!r})\nfrom helpers.setup import setup\ndevice = setup(data='')",
             "from helpers.checks import check_accuracy\ncheck_accuracy(valid_accs[-1], at_least=0.968)",
             "1 / 0"]
    path = tmp_path / "order.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    execute.run_one(path, allow_errors=True)
    nb = nbformat.read(path, 4)
    (err,) = nb.cells[1].outputs
    assert err.ename == "NameError" and err.traceback == [
        "✗ name 'valid_accs' is not defined: the cell that makes it has not run yet. Run the cells above in order "
        "(or Kernel → Restart and Run All); if you typed the name yourself, check its spelling."]
    (zero,) = nb.cells[2].outputs
    assert zero.ename == "ZeroDivisionError" and len(zero.traceback) > 1
