"""tools/bench.py: a partial run (--only) never replaces the full table in bench/latest.md or the README."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import bench  # noqa: E402


def fake_run(monkeypatch, tmp_path):
    "bench with its notebook runs, widget timings and files replaced by fakes under tmp_path."
    monkeypatch.setattr(bench, "run_notebook", lambda nb, runs, seeded=False, first=0: {
        "seconds": 1.0, "runs": runs, "peak_mb": 10, "figures": {},
        "seeds": [42 + 1000 * i for i in range(runs)] if seeded else None})
    monkeypatch.setattr(bench, "widget_frames", lambda: {})
    monkeypatch.setattr(bench, "OUT", tmp_path / "latest.md")
    monkeypatch.setattr(bench, "PARTIAL", tmp_path / "partial.md")
    written = []
    monkeypatch.setattr(bench, "write_between", lambda *a: written.append(a))
    (tmp_path / "latest.md").write_text("the last full table\n")
    return written


def test_only_writes_the_partial_table(monkeypatch, tmp_path):
    written = fake_run(monkeypatch, tmp_path)
    assert bench.main(["--only", "01_pixels", "--no-classic"]) == 0
    assert (tmp_path / "latest.md").read_text() == "the last full table\n"
    assert "| 01_pixels (3 runs) | 1.0 |" in (tmp_path / "partial.md").read_text()
    assert "02_pixel_similarity" not in (tmp_path / "partial.md").read_text()
    assert written == []


def test_full_run_writes_latest_and_readme(monkeypatch, tmp_path):
    written = fake_run(monkeypatch, tmp_path)
    assert bench.main(["--no-classic", "--no-sweep"]) == 0
    text = (tmp_path / "latest.md").read_text()
    assert "| 01_pixels (3 runs) | 1.0 |" in text and "| 11_review (3 runs) | 1.0 |" in text
    assert "| 08_resnet18 (3 runs, seeds 42, 1042, 2042) | 1.0 |" in text   # 08's runs each have their own seed
    assert not (tmp_path / "partial.md").exists()
    assert len(written) == 1 and written[0][0] == ROOT / "README.md"


def test_08_and_the_classic_path_run_in_turns(monkeypatch, tmp_path):
    "Each pair is measured close together, in alternating order, and the ratio is the median of the pairs'."
    fake_run(monkeypatch, tmp_path)
    calls, drift = [], iter(range(1, 100))   # the machine gets slower with every run: 1, 2, 3, ... times

    def notebook(nb, runs, seeded=False, first=0):
        if nb.stem != "08_resnet18":
            return {"seconds": 1.0, "runs": runs, "peak_mb": 10, "figures": {}, "seeds": None}
        calls.append(("08", first))
        return {"seconds": 30.0, "runs": 1, "peak_mb": 10, "seeds": [42 + 1000 * first],
                "figures": {"training seconds": 10.0 * next(drift), "accuracy": 0.998 - first / 1000}}

    def classic(seeds=bench.CLASSIC_SEEDS):
        calls.append(("classic", seeds[0]))
        return {"seconds": 20.0 * next(drift), "accuracy": 0.996, "accuracies": [0.996], "peak_mb": 9, "runs": 1}
    monkeypatch.setattr(bench, "run_notebook", notebook)
    monkeypatch.setattr(bench, "classic_resnet", classic)
    assert bench.main(["--no-sweep"]) == 0
    assert calls == [("08", 0), ("classic", 42), ("classic", 1042), ("08", 1), ("08", 2), ("classic", 2042)]
    # pairs: 20*2/(10*1) = 4.0, 20*3/(10*4) = 1.5, 20*6/(10*5) = 2.4; median 2.4 (a ratio of medians would give 1.5)
    row = next(line for line in (tmp_path / "latest.md").read_text().splitlines() if line.startswith("| 08_resnet18"))
    assert row.endswith("| 2.4× (pairs 1.5–4.0×) |"), row
    assert "seeds 42, 1042, 2042" in row and "| 0.9960 |" in row   # the lowest accuracy of the three seeds
    assert "| classic fastai ResNet18 path (bs 64, fp32, fit_one_cycle(1, 0.1); 3 seeds) | | 60.0 |" in \
        (tmp_path / "latest.md").read_text()


def test_a_failed_classic_run_is_reported_not_divided(monkeypatch, tmp_path):
    fake_run(monkeypatch, tmp_path)
    monkeypatch.setattr(bench, "run_notebook", lambda nb, runs, seeded=False, first=0: {
        "seconds": 1.0, "runs": runs, "peak_mb": 10, "seeds": [42] if seeded else None,
        "figures": {"training seconds": 5.0} if seeded else {}})
    monkeypatch.setattr(bench, "classic_resnet", lambda seeds=bench.CLASSIC_SEEDS: {"error": "no data"})
    assert bench.main(["--no-sweep"]) == 0
    text = (tmp_path / "latest.md").read_text()
    assert "| classic fastai ResNet18 path | failed: no data |" in text
    assert "×" not in next(line for line in text.splitlines() if line.startswith("| 08_resnet18"))


def test_a_seeded_run_shifts_the_seed_of_each_run(tmp_path):
    import nbformat
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "import torch\nfrom helpers.checks import check_accuracy\ntorch.manual_seed(42)\n"
        "check_accuracy(torch.rand(1).item(), at_least=0.0, what='draw')")]), path)
    seeded, plain = bench.run_notebook(path, 2, seeded=True), bench.run_notebook(path, 2)
    import torch
    torch.manual_seed(42)
    first = torch.rand(1).item()
    torch.manual_seed(1042)
    second = torch.rand(1).item()
    assert second < first   # so a run that ignored the shift would give `first`, and fail below
    assert abs(seeded["figures"]["draw"] - second) < 1e-7   # the lowest of seeds 42 and 1042
    assert abs(plain["figures"]["draw"] - first) < 1e-7                  # both plain runs: seed 42
