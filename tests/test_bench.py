"""tools/bench.py: a partial run (--only) never replaces the full table in bench/latest.md or the README."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import bench  # noqa: E402


def fake_run(monkeypatch, tmp_path):
    "bench with its notebook runs, widget timings and files replaced by fakes under tmp_path."
    monkeypatch.setattr(bench, "run_notebook", lambda nb, runs, seeded=False: {
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
