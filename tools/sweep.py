"""`make sweep`: the robustness sweep (README: Robustness sweep). Every notebook with a trained checkpoint runs top
to bottom, unchanged, for several seeds × thread counts; the figures its `check_accuracy` calls reach
are collected, and per checkpoint the floor, min, median, max and the margin (min − floor, in
images) are written to bench/sweep.md, bench/sweep.json and the README.

How a run is varied without touching the notebook: a prologue cell, put before the notebook's first
cell in the copy that runs (the student never sees it), pins PyTorch to the run's thread count
(later `torch.set_num_threads` calls do nothing) and shifts every seed the notebook sets
(`setup(seed=42)`, `torch.manual_seed(42)`, fastai's `set_seed(42)`) by 1000 × the run's seed
index, so index 0 is the committed run and the others are new seeds through the same code.

    python tools/sweep.py [--seeds 5] [--threads 1 2] [--only 05_minibatches ...] [--add]

With `--add`, this machine's runs join the committed ones of every notebook whose code has not changed
since (a run of an earlier session on another CPU, say): each checkpoint's min, median and max are then
over every machine, and the table gives each machine's worst run too. A machine's own earlier runs are
replaced, never counted twice; a notebook whose code changed starts afresh.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from execute import machine, write_between  # noqa: E402

JSON, MD = ROOT / "bench" / "sweep.json", ROOT / "bench" / "sweep.md"
MARKERS = ("<!-- sweep:start (written by make sweep) -->", "<!-- sweep:end -->")
# How many images each data set's checkpoints are measured on (to turn a margin into images).
IMAGES = {"mnist_sample": 2038, "mnist_png": 10000}

SEED_SHIFT = """\
import random, numpy, torch
def _shifted(seed_fn, by={shift}):
    return lambda s, *a, **k: seed_fn(s + by if isinstance(s, int) else s, *a, **k)
random.seed, numpy.random.seed, torch.manual_seed = map(_shifted, (random.seed, numpy.random.seed, torch.manual_seed))
"""
PROLOGUE = """\
# Robustness-sweep prologue (tools/sweep.py): threads pinned, every seed shifted.
import torch
torch.set_num_threads({threads})
torch.set_num_threads = lambda n: None
""" + SEED_SHIFT


def checkpointed(nb_dir=ROOT / "notebooks"):
    "The notebooks with at least one trained checkpoint (a `check_accuracy(` call in a code cell)."
    import nbformat
    return [p for p in sorted(nb_dir.glob("*.ipynb"))
            if any(c.cell_type == "code" and "check_accuracy(" in c.source for c in nbformat.read(p, 4).cells)]


def code_hash(path):
    "A fingerprint of the notebook's code cells: the sweep is stale once it changes (tests check)."
    import hashlib
    import nbformat
    code = "\n\0".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "code")
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def with_prologue(path, prologue, folder):
    "A copy of the notebook at `path`, in `folder`, with the code cell `prologue` first (tools/bench.py uses it too)."
    import nbformat
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(prologue))
    copy = Path(folder) / path.name
    nbformat.write(nb, copy)
    return copy


def run_once(path, seed_index, threads, timeout=900):
    "Run the notebook at `path` with the prologue; the list of recorded figures (dicts) and the seconds."
    with tempfile.TemporaryDirectory() as tmp:
        copy = with_prologue(path, PROLOGUE.format(threads=threads, shift=1000 * seed_index), tmp)
        rec = Path(tmp) / "figures.jsonl"
        env = dict(os.environ, DIGITS_BENCH_FILE=str(rec), OMP_NUM_THREADS=str(threads))
        start = time.perf_counter()
        r = subprocess.run([sys.executable, str(ROOT / "tools" / "execute.py"), "--child", "--no-save",
                            "--allow-errors", "--cwd", str(path.parent), str(copy)],
                           capture_output=True, text=True, env=env, timeout=timeout)
        seconds = time.perf_counter() - start
        if r.returncode != 0:
            raise RuntimeError(f"{path.name} (seed index {seed_index}, {threads} threads) failed: "
                               + "\n".join(r.stderr.strip().splitlines()[-5:]))
        figures = [json.loads(line) for line in rec.read_text().splitlines()] if rec.exists() else []
    return figures, seconds


def summarise(runs, images):
    "Per checkpoint of one notebook: floor, min, median, max, margin in images, training seconds."
    rows = {}
    for run in runs:
        train = [f["value"] for f in run["figures"] if f["what"] == "training seconds"]
        seen = {}
        for f in run["figures"]:
            if f["what"] == "training seconds":
                continue
            seen[f["what"]] = seen.get(f["what"], 0) + 1  # a notebook may check "accuracy" more than once
            label = f["what"] + (f" ({seen[f['what']]})" if seen[f["what"]] > 1 else "")
            row = rows.setdefault(label, {"floor": f["floor"], "values": [], "seconds": []})
            row["values"].append({"seed_index": run["seed_index"], "threads": run["threads"], "value": f["value"]})
        for row in rows.values():
            if train:
                row["seconds"].append(sum(train))
    for row in rows.values():
        row["images"] = images
        restate(row)
    return rows


def restate(row):
    "Compute a checkpoint row's min, median, max and margin from its values (after the runs, and after a merge)."
    vals = [v["value"] for v in row["values"]]
    row.update(min=min(vals), median=statistics.median(vals), max=max(vals),
               margin_images=round((min(vals) - row["floor"]) * row["images"], 1))
    return row


def merge(old_entry, new_entry, here, old_machine):
    """`new_entry` (this machine's runs of one notebook) with the runs of `old_entry` that came from other
    machines, for the same code; each value says its machine (`old_machine` for files written before values
    did). A checkpoint the new runs did not reach keeps only its new state (nothing)."""
    if not old_entry or old_entry["code"] != new_entry["code"]:
        return new_entry
    for what, row in new_entry["checkpoints"].items():
        before = old_entry["checkpoints"].get(what)
        if not before or before["floor"] != row["floor"]:
            continue
        kept = [dict(v, machine=v.get("machine", old_machine)) for v in before["values"]]
        kept_secs = [s for v, s in zip(kept, before["seconds"]) if v["machine"] != here] \
            if len(before["seconds"]) == len(kept) else []
        kept = [v for v in kept if v["machine"] != here]
        row["values"] = kept + row["values"]
        row["seconds"] = kept_secs + row["seconds"]
        restate(row)
    return new_entry


def machines_of(data):
    "The machines a sweep's values came from, in first-seen order."
    seen = [data["machine"]]
    for got in data["notebooks"].values():
        for r in got["checkpoints"].values():
            seen += [v.get("machine", data["machine"]) for v in r["values"]]
    return list(dict.fromkeys(seen))


def table(data):
    runs = f"{len(data['seeds'])} seeds × {{{', '.join(map(str, data['threads']))}}} threads"
    ms = machines_of(data)
    if len(ms) == 1:
        where = f"on {ms[0]}, torch {data['torch']}: every checkpoint over {runs} " \
                f"({len(data['seeds']) * len(data['threads'])} runs each)"
    else:
        where = (f"latest on {data['machine']}, torch {data['torch']}: every checkpoint over {runs} on each of "
                 f"{len(ms)} machines (" + "; ".join(f"{chr(65 + i)}: {m}" for i, m in enumerate(ms)) + ")")
    lines = [f"Robustness sweep, {data['date']}, {where}, through the notebooks' own code.", "",
             "| notebook | checkpoint | floor | runs | min | median | max | margin (images) | training s (min–max) |"
             + (" worst run per machine |" if len(ms) > 1 else ""),
             "|---|---|---|---|---|---|---|---|---|" + ("---|" if len(ms) > 1 else "")]
    for name, got in data["notebooks"].items():
        for what, r in got["checkpoints"].items():
            secs = f"{min(r['seconds']):.1f}–{max(r['seconds']):.1f}" if r["seconds"] else ""
            line = (f"| {name} | {what} | {r['floor']} | {len(r['values'])} | {r['min']:.4f} | "
                    f"{r['median']:.4f} | {r['max']:.4f} | {r['margin_images']:+.1f} of {r['images']:,} | "
                    f"{secs} |")
            if len(ms) > 1:
                worst = {}
                for v in r["values"]:
                    m = v.get("machine", data["machine"])
                    worst[m] = min(worst.get(m, v["value"]), v["value"])
                order = sorted(worst, key=ms.index)
                line += " " + ", ".join(f"{chr(65 + ms.index(m))} {worst[m]:.4f}" for m in order) + " |"
            lines.append(line)
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5, help="seeds per thread count (default 5)")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts (default 1 2)")
    ap.add_argument("--only", nargs="*", help="notebook names (without .ipynb); the others keep their last results")
    ap.add_argument("--add", action="store_true",
                    help="add this machine's runs to the committed runs of other machines (same code only)")
    args = ap.parse_args(argv)
    import tomllib
    import torch
    data_of = {e["file"]: e["data"] for e in tomllib.loads((ROOT / "series.toml").read_text())["notebook"]}
    old = json.loads(JSON.read_text()) if JSON.exists() else {}
    here = machine()
    data = {"date": time.strftime("%Y-%m-%d"), "machine": here, "torch": torch.__version__,
            "seeds": list(range(args.seeds)), "threads": args.threads,
            "notebooks": dict(old.get("notebooks", {})) if args.only or args.add else {}}
    if old:  # values written before they named their machine came from the file's machine
        for got in data["notebooks"].values():
            for r in got["checkpoints"].values():
                r["values"] = [dict(v, machine=v.get("machine", old["machine"])) for v in r["values"]]
    for path in checkpointed():
        if args.only and path.stem not in args.only:
            continue
        runs = []
        for threads in args.threads:
            for k in range(args.seeds):
                figures, secs = run_once(path, k, threads)
                got = ", ".join(f"{f['value']:.4f}" for f in figures if f["what"] != "training seconds")
                print(f"{path.stem}: seed index {k}, {threads} thread(s): {got or 'no checkpoint reached'} "
                      f"({secs:.0f} s)", flush=True)
                runs.append({"seed_index": k, "threads": threads, "figures": figures})
        entry = {"code": code_hash(path), "checkpoints": summarise(runs, IMAGES.get(data_of.get(path.name), 0))}
        for r in entry["checkpoints"].values():
            for v in r["values"]:
                v["machine"] = here
        data["notebooks"][path.stem] = merge(data["notebooks"].get(path.stem), entry, here, old.get("machine")) \
            if args.add else entry
    data["notebooks"] = dict(sorted(data["notebooks"].items()))
    JSON.parent.mkdir(exist_ok=True)
    JSON.write_text(json.dumps(data, indent=1) + "\n")
    text = table(data)
    MD.write_text(text + "\n")
    write_between(ROOT / "README.md", MARKERS, text)
    print("\n" + text)
    short = [f"{n} {w}" for n, got in data["notebooks"].items() for w, r in got["checkpoints"].items()
             if r["min"] < r["floor"]]
    if short:
        print("\nBelow the floor in at least one run: " + "; ".join(short))
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
