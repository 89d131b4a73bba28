"""`make bench`: time the series on this machine and write the table to bench/latest.md and README.

For each notebook: run it top to bottom in a fresh kernel (several times where cheap), take the
median wall time, the largest kernel peak memory and the checkpoint figures it reached. Also: the
frame time of each widget (one slider move -> new picture), and the classic fastai ResNet18 path
(tools/classic_resnet.py) that notebook 08's speed is compared with: its runs and 08's are taken in turns,
seed by seed, and the ratio is the median of the pairs' ratios (see `paired`).

    python tools/bench.py [--runs 3] [--only 01_pixels ...] [--no-classic]

A run with --only measures part of the series: its table goes to bench/partial.md (not committed), and
bench/latest.md and the README keep the last full run's table, so a partial run never replaces it.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from execute import machine, write_between  # noqa: E402
OUT = ROOT / "bench" / "latest.md"
PARTIAL = ROOT / "bench" / "partial.md"  # a run with --only writes here
MARKERS = ("<!-- bench:start (written by make bench) -->", "<!-- bench:end -->")
SLOW = {"09_full_mnist.ipynb"}  # run once: it takes most of a minute (08 runs three times: its ratio matters)
CLASSIC_SEEDS = (42, 1042, 2042)
# Run k of these gets seed 42 + 1000 k (the sweep's seed shift, threads left alone), so that the table gives
# the lowest accuracy over as many seeds as the classic path's; the others run their own seed every time.
SEEDED = {"08_resnet18.ipynb"}


def run_notebook(path, runs, seeded=False, first=0):
    """Median seconds, max peak MB and the checkpoint figures of `runs` fresh-kernel runs (`seeded`: run i gets
    seed 42 + 1000 i, counting from i = `first`)."""
    from sweep import SEED_SHIFT, with_prologue
    secs, peaks, figures = [], [], {}
    for i in range(first, first + runs):
        with tempfile.TemporaryDirectory() as tmp, tempfile.NamedTemporaryFile("r", suffix=".jsonl") as rec:
            run = with_prologue(path, SEED_SHIFT.format(shift=1000 * i), tmp) if seeded else path
            env = dict(os.environ, DIGITS_BENCH_FILE=rec.name)
            r = subprocess.run([sys.executable, str(ROOT / "tools" / "execute.py"), "--child", "--no-save",
                                "--cwd", str(path.parent), str(run)], capture_output=True, text=True, env=env)
            if r.returncode != 0:
                return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1]}
            res = json.loads(r.stdout.strip().splitlines()[-1])
            secs.append(res["seconds"])
            peaks.append(res["peak_mb"])
            run_fig = {}
            for line in Path(rec.name).read_text().splitlines():
                d = json.loads(line)
                if d["what"] == "training seconds":  # a notebook may train more than once: add them up
                    run_fig[d["what"]] = run_fig.get(d["what"], 0) + d["value"]
                else:
                    run_fig[d["what"]] = d["value"]
            for k, v in run_fig.items():
                figures.setdefault(k, []).append(v)
    seeds = [42 + 1000 * i for i in range(first, first + runs)] if seeded else None   # the notebooks' seed 42, shifted
    return _summary(secs, peaks, figures, seeds)


def _summary(secs, peaks, figures, seeds):
    "Runs' seconds, peaks and figures (a list per figure) as one result: medians, the max peak, the lowest accuracies."
    return {"seconds": statistics.median(secs), "runs": len(secs), "peak_mb": max(peaks), "seeds": seeds,
            "figures": {k: statistics.median(v) if k == "training seconds" else min(v) for k, v in figures.items()}}


def widget_frames():
    "Median milliseconds per widget update, for each widget module that has frame_times()."
    import importlib
    from helpers.noise import quiet_library_warnings
    quiet_library_warnings()
    rows = {}
    for name, label in [("pixels", "pixel explorer (01)"), ("gd_widgets", "learning-rate animation (03)"),
                        ("relu", "sum of ReLUs (07)"), ("judge_widgets", "stroke → every model's answer (10)")]:
        try:
            mod = importlib.import_module(f"helpers.{name}")
        except ImportError:
            continue
        if hasattr(mod, "frame_times"):
            times = mod.frame_times(50)
            rows[label] = 1000 * statistics.median(times[5:])  # the first updates warm caches
    return rows


def classic_resnet(seeds=CLASSIC_SEEDS):
    "The classic path over `seeds`: median training seconds, min accuracy, max peak MB."
    runs = []
    for seed in seeds:
        r = subprocess.run([sys.executable, str(ROOT / "tools" / "classic_resnet.py"), str(seed)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1]}
        runs.append(json.loads(r.stdout.strip().splitlines()[-1]))
    return _classic_summary(runs)


def _classic_summary(runs):
    "The classic path's runs (each with seconds, accuracy, peak_mb) as one result."
    return {"seconds": statistics.median(r["seconds"] for r in runs), "accuracy": min(r["accuracy"] for r in runs),
            "accuracies": [r["accuracy"] for r in runs], "peak_mb": max(r["peak_mb"] for r in runs), "runs": len(runs)}


def paired(nb, runs):
    """08's runs and the classic path's, taken in turns (08 then classic, classic then 08, ...), seed by seed.
    The machine's speed drifts over minutes, by two or three times in a day, so a ratio of two medians measured
    minutes apart says more about the drift than about the recipe; each pair is measured within a couple of
    minutes, and alternating the order cancels a steady drift. Returns 08's result, with the pairs' ratios
    (classic training seconds / 08's) added, and the classic path's result (either may be {"error": ...})."""
    parts, classics = [], []
    for i, seed in enumerate(CLASSIC_SEEDS[:runs]):
        for which in ("08", "classic") if i % 2 == 0 else ("classic", "08"):
            if which == "08":
                parts.append(run_notebook(nb, 1, seeded=True, first=i))
            else:
                classics.append(classic_resnet([seed]))
        if any("error" in r for r in parts + classics):
            break
    failed = next((r for r in parts if "error" in r), None)
    classic_failed = next((r for r in classics if "error" in r), None)
    classic = classic_failed or (_classic_summary(classics) if classics else None)
    if failed or not parts:
        return failed or {"error": "no runs asked for"}, classic
    figures = {}
    for r in parts:   # each part is one run, so its figures are that run's own
        for k, v in r["figures"].items():
            figures.setdefault(k, []).append(v)
    result = _summary([r["seconds"] for r in parts], [r["peak_mb"] for r in parts], figures,
                      [s for r in parts for s in r["seeds"]])
    trained = figures.get("training seconds", [])
    if not classic_failed and len(trained) == len(classics):
        result["pair_ratios"] = [c["seconds"] / t for c, t in zip(classics, trained)]
    return result, classic


def table(results, frames, classic):
    import torch
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {machine()}, Python {platform.python_version()}, "
             f"torch {torch.__version__}; seconds are medians of fresh-kernel runs, accuracies the lowest run.", "",
             "| stage | seconds | training seconds | accuracy | kernel peak MB | classic path ÷ this |",
             "|---|---|---|---|---|---|"]
    classic_s = classic.get("seconds") if classic and "error" not in classic else None
    for name, r in results.items():
        if "error" in r:
            lines.append(f"| {name} | failed: {r['error']} | | | | |")
            continue
        figs = dict(r["figures"])
        train = figs.pop("training seconds", None)
        accs = ", ".join(f"{v:.4f}" for v in figs.values()) or "—"
        ratio = f"{classic_s / train:.1f}×" if classic_s and train and name == "08_resnet18" else ""
        if r.get("pair_ratios"):   # measured in turns with the classic path: the median pair, and the range
            pr = r["pair_ratios"]
            ratio = f"{statistics.median(pr):.1f}× (pairs {min(pr):.1f}–{max(pr):.1f}×)"
        runs = f"{r['runs']} run{'s' if r['runs'] > 1 else ''}"
        if r.get("seeds"):
            runs += ", seeds " + ", ".join(map(str, r["seeds"]))
        lines.append(f"| {name} ({runs}) | {r['seconds']:.1f} | "
                     f"{f'{train:.1f}' if train else ''} | {accs} | {r['peak_mb']} | {ratio} |")
    if classic:
        if "error" in classic:
            lines.append(f"| classic fastai ResNet18 path | failed: {classic['error']} | | | | |")
        else:
            lines.append(f"| classic fastai ResNet18 path (bs 64, fp32, fit_one_cycle(1, 0.1); {classic['runs']} "
                         f"seeds) | | {classic['seconds']:.1f} | {classic['accuracy']:.4f} | {classic['peak_mb']} "
                         "| 1.0× |")
    for label, ms in frames.items():
        lines.append(f"| widget frame (median): {label} | {ms / 1000:.3f} | | | | |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs of each quick notebook (default 3)")
    ap.add_argument("--only", nargs="*", help="notebook names (without .ipynb) to run")
    ap.add_argument("--no-classic", action="store_true",
                    help="skip the classic ResNet18 path (3 seeds, ~2 min; run in turns with 08's runs when 08 runs)")
    ap.add_argument("--no-sweep", action="store_true", help="skip the robustness sweep (make sweep, ~25 min)")
    args = ap.parse_args(argv)
    results, classic = {}, None
    with_classic = not args.no_classic and (ROOT / "tools" / "classic_resnet.py").exists()
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if args.only and nb.stem not in args.only:
            continue
        runs = 1 if nb.name in SLOW else args.runs
        if nb.name in SEEDED and with_classic:
            runs = min(runs, len(CLASSIC_SEEDS))
            print(f"running {nb.name} x{runs}, in turns with the classic fastai ResNet18 path ...", flush=True)
            results[nb.stem], classic = paired(nb, runs)
            continue
        print(f"running {nb.name} x{runs} ...", flush=True)
        results[nb.stem] = run_notebook(nb, runs, seeded=nb.name in SEEDED)
    print("timing widget updates ...", flush=True)
    frames = widget_frames()
    if with_classic and classic is None:
        print("running the classic fastai ResNet18 path ...", flush=True)
        classic = classic_resnet()
    text = table(results, frames, classic)
    if not args.no_sweep and not args.only:
        print("running the robustness sweep (tools/sweep.py) ...", flush=True)
        import sweep
        swept = sweep.main([])
    else:
        swept = 0
    out = PARTIAL if args.only else OUT
    out.parent.mkdir(exist_ok=True)
    out.write_text(text + "\n")
    print("\n" + text)
    if args.only:
        print(f"\npart of the series only: written to {out.name} in {out.parent}; bench/latest.md and the README "
              "keep the last full run's table")
    else:
        write_between(ROOT / "README.md", MARKERS, text)
    return 1 if swept or any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
