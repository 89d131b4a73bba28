"""tools/sweep.py: the robustness sweep varies seeds and threads without touching a notebook's code,
and summarises each checkpoint (floor, min, median, max, margin in images)."""
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sweep  # noqa: E402

NOTEBOOK = f"""import sys, random, torch
sys.path.insert(0, {str(ROOT)!r})
from helpers.checks import check_accuracy
from fastai.torch_core import set_seed
torch.manual_seed(42)
first = torch.rand(1).item()
set_seed(42)
second = random.random()
torch.set_num_threads(2)   # the sweep's thread count wins
check_accuracy(first, at_least=0.0, what="torch draw")
check_accuracy(second, at_least=0.0, what="python draw")
check_accuracy(torch.get_num_threads() / 10, at_least=0.0, what="threads", seconds=1.5)
"""


def test_a_run_shifts_every_seed_and_pins_the_threads(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(NOTEBOOK)]), path)
    runs = {k: {f["what"]: f["value"] for f in sweep.run_once(path, k, threads=1)[0]} for k in (0, 1)}
    assert runs[0]["threads"] == runs[1]["threads"] == 0.1
    assert runs[0]["torch draw"] != runs[1]["torch draw"] and runs[0]["python draw"] != runs[1]["python draw"]
    import random
    import torch
    torch.manual_seed(42)
    random.seed(42)
    assert abs(runs[0]["torch draw"] - torch.rand(1).item()) < 1e-7   # index 0 is the notebook's own seed
    assert abs(runs[0]["python draw"] - random.random()) < 1e-12
    assert [c.source for c in nbformat.read(path, 4).cells] == [NOTEBOOK]  # the notebook itself is untouched


def test_summary_per_checkpoint_counts_the_margin_in_images():
    runs = [{"seed_index": k, "threads": t, "figures": [
        {"what": "accuracy", "value": v, "floor": 0.968}, {"what": "accuracy", "value": v + 0.01, "floor": 0.97},
        {"what": "training seconds", "value": 2.0 + t, "floor": None}]}
        for k, (t, v) in enumerate([(1, 0.970), (1, 0.975), (2, 0.972)])]
    rows = sweep.summarise(runs, images=2038)
    assert set(rows) == {"accuracy", "accuracy (2)"}
    r = rows["accuracy"]
    assert (r["min"], r["median"], r["max"], r["floor"]) == (0.970, 0.972, 0.975, 0.968)
    assert r["margin_images"] == round(0.002 * 2038, 1) and r["seconds"] == [3.0, 3.0, 4.0]
    assert rows["accuracy (2)"]["floor"] == 0.97
    data = {"date": "d", "machine": "m", "torch": "t", "seeds": [0, 1], "threads": [1, 2],
            "notebooks": {"05_minibatches": {"code": "x", "checkpoints": rows}}}
    row = "| 05_minibatches | accuracy | 0.968 | 3 | 0.9700 | 0.9720 | 0.9750 | +4.1 of 2,038 | 3.0–4.0 |"
    assert row in sweep.table(data)


def test_every_notebook_with_a_checkpoint_is_swept():
    names = [p.stem for p in sweep.checkpointed()]
    assert {"05_minibatches", "06_optimizer", "07_relu_net", "08_resnet18", "09_full_mnist"} <= set(names)


def _entry(code, machine, values, floor=0.968, seconds=None):
    vals = [{"seed_index": k, "threads": 1, "value": v, "machine": machine} for k, v in enumerate(values)]
    row = sweep.restate({"floor": floor, "images": 2038, "values": vals,
                         "seconds": seconds if seconds is not None else [10.0] * len(values)})
    return {"code": code, "checkpoints": {"accuracy": row}}


def test_add_merges_other_machines_runs_of_the_same_code_and_replaces_this_machines_own():
    old = _entry("abc", "intel", [0.975, 0.971], seconds=[20.0, 21.0])
    old["checkpoints"]["accuracy"]["values"].append({"seed_index": 9, "threads": 2, "value": 0.969, "machine": "amd"})
    old["checkpoints"]["accuracy"]["seconds"].append(99.0)
    got = sweep.merge(old, _entry("abc", "amd", [0.980, 0.973], seconds=[30.0, 31.0]), "amd", "intel")
    r = got["checkpoints"]["accuracy"]
    # amd's earlier run (0.969) is replaced by its new ones; intel's are kept with their seconds
    assert sorted((v["machine"], v["value"]) for v in r["values"]) == [
        ("amd", 0.973), ("amd", 0.980), ("intel", 0.971), ("intel", 0.975)]
    assert (r["min"], r["max"], r["median"]) == (0.971, 0.980, (0.973 + 0.975) / 2)
    assert r["margin_images"] == round((0.971 - 0.968) * 2038, 1) and sorted(r["seconds"]) == [20.0, 21.0, 30.0, 31.0]
    data = {"date": "d", "machine": "amd", "torch": "t", "seeds": [0, 1], "threads": [1],
            "notebooks": {"05_minibatches": got}}
    text = sweep.table(data)
    assert "A: amd; B: intel" in text and "| A 0.9730, B 0.9710 |" in text


def test_add_never_mixes_runs_of_changed_code_or_another_floor():
    new = _entry("new", "amd", [0.980])
    assert sweep.merge(_entry("old", "intel", [0.960]), new, "amd", "intel")["checkpoints"]["accuracy"]["min"] == 0.98
    other_floor = sweep.merge(_entry("new", "intel", [0.960], floor=0.95), _entry("new", "amd", [0.980]), "amd", "x")
    assert [v["machine"] for v in other_floor["checkpoints"]["accuracy"]["values"]] == ["amd"]


def test_values_written_before_they_named_a_machine_count_as_the_files_machine():
    old = _entry("abc", None, [0.972])
    del old["checkpoints"]["accuracy"]["values"][0]["machine"]
    got = sweep.merge(old, _entry("abc", "amd", [0.99]), "amd", "intel")
    assert {v["machine"] for v in got["checkpoints"]["accuracy"]["values"]} == {"intel", "amd"}
    assert got["checkpoints"]["accuracy"]["min"] == 0.972
