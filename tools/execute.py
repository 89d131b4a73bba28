"""Run notebooks top to bottom in a fresh kernel, save them with their outputs, and report the
wall time and the kernel's peak memory.

    python tools/execute.py notebooks/01_pixels.ipynb [more.ipynb ...] [--no-save]

Each notebook runs in its own child process, so the peak memory reported is that of its kernel
alone (the largest child that process waited for).
"""
import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def machine():
    "The CPU's model name, its core count and the GPU if there is one: written beside every figure we report."
    import os
    import platform
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        flags = next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split()
        cpu += " with AMX" if "amx_bf16" in flags else " with AVX512-BF16" if "avx512_bf16" in flags else ", no bf16"
    except (OSError, StopIteration):
        pass
    try:
        import torch
        gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
    except ImportError:
        gpu = "no GPU"
    return f"{os.cpu_count()} cores of {cpu}, {gpu}"


def write_between(path, markers, text):
    "Replace what stands between the two `markers` lines in the file at `path` (the README's tables) with `text`."
    s = path.read_text()
    a, b = s.find(markers[0]), s.find(markers[1])
    if a >= 0 and b >= 0:
        path.write_text(s[:a + len(markers[0])] + "\n" + text + "\n" + s[b:])


def plain_table(html):
    """The rows of the HTML table(s) in `html` as aligned plain text (None if there are none): what a
    viewer without HTML shows for fastprogress's results table, instead of the raw HTML it sends as text."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.cell = [], None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th") and self.rows:
                self.cell = ""

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(self.cell.strip())
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    parser = Rows()
    parser.feed(html)
    rows = [r for r in parser.rows if r]
    if not rows:
        return None
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(max(map(len, rows)))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def tidy(nb):
    """Drop what a saved notebook would show as noise: display outputs that hold only a <style> block
    (fastprogress sends one before its table), a raw-HTML text/markdown copy beside text/html, and a
    raw-HTML text/plain copy of a table (fastprogress's results), which becomes the table as plain text."""
    import re
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.outputs:
            data = out.get("data", {})
            if re.fullmatch(r"\s*<style>.*</style>\s*", data.get("text/html", ""), flags=re.S):
                continue
            if "text/html" in data and re.match(r"\s*(```html)?\s*<", data.get("text/markdown", "")):
                del data["text/markdown"]
            if "<table" in data.get("text/html", "") and "<table" in data.get("text/plain", ""):
                table = plain_table(data["text/html"])
                if table:
                    data["text/plain"] = table
            kept.append(out)
        cell.outputs = kept
    return nb


def run_one(path: Path, save=True, timeout=900, allow_errors=False, cwd=None):
    """Execute one notebook in this process (its kernel is our only child), in folder `cwd` (default:
    the notebook's own); returns (seconds, peak MB)."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if save:
        nbformat.write(tidy(nb), path)
    return seconds, peak_mb


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--no-save", action="store_true", help="run only; leave the files as they are")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    # tools/sweep.py: go on past a missed checkpoint
    ap.add_argument("--allow-errors", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--cwd", type=Path, help=argparse.SUPPRESS)  # tools/sweep.py runs a copy from a temporary folder
    args = ap.parse_args(argv)
    if args.child:  # one notebook, in this process
        secs, mb = run_one(args.notebooks[0], save=not args.no_save, allow_errors=args.allow_errors, cwd=args.cwd)
        print(json.dumps({"seconds": round(secs, 2), "peak_mb": round(mb)}))
        return 0
    failed = 0
    for nb in args.notebooks:
        cmd = [sys.executable, __file__, "--child", str(nb)] + (["--no-save"] if args.no_save else [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            failed += 1
            tail = (r.stderr.strip().splitlines() or ["(no output)"])[-15:]
            print(f"{nb.name}: FAILED\n  " + "\n  ".join(tail))
            continue
        res = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"{nb.name}: {res['seconds']:.1f} s, kernel peak {res['peak_mb']} MB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
