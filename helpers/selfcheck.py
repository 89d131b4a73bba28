"""A setup self-check: one line per item (where it runs, versions, CPU or GPU, memory, data, widgets), marked ✓
(ready), ! (worth a look) or ✗ (fix it first), with what to do here for each problem. It installs and downloads nothing.

Introduced in 00_index.
"""
import html
import os
import platform
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .noise import quiet_library_warnings

OK, WARN, BAD, WAIT = "✓", "!", "✗", "…"
GB, NEED_GB = 2 ** 30, 1.5  # the largest notebooks' kernel peak is about 1.4 GB (README)
PLACES = {"colab": "Colab", "binder": "Binder", "vscode": "VS Code", "local": "local (JupyterLab / Notebook)"}
PACKAGES = {"torch": "PyTorch", "fastai": "fastai", "ipywidgets": "ipywidgets", "anywidget": "anywidget"}
NEEDED_BY = {"mnist_sample": "01-08", "mnist_png": "09-10"}
RESTART = {"colab": "then Runtime → Restart session", "binder": "then Kernel → Restart Kernel",
           "local": "then Kernel → Restart Kernel (and check that the kernel is the course's environment)",
           "vscode": "then Restart in the toolbar (and check that the kernel picker shows the course's environment)"}
WIDGET_ADVICE = {  # where the widget check's line does not turn into ✓
    "colab": "run `from google.colab import output; output.enable_custom_widget_manager()`, then this cell again",
    "binder": "restart the Binder session (open the launch binder badge again)",
    "vscode": "install or enable VS Code's Jupyter extension (it draws ipywidgets) and reload the window; if other "
              "widgets show but not this one, allow widget scripts in the setting `jupyter.widgetScriptSources`",
    "local": 'run `%pip install "ipywidgets>=8" anywidget` in the environment that runs JupyterLab, then restart '
             "JupyterLab and reload the page (the front-end extension comes with them)"}
PROBE_ESM = "export default { render({ model }) { model.set('rendered', true); model.save_changes(); } };"
ROOT = Path(__file__).resolve().parent.parent  # environment.yml's lower bounds are checked when it is there

@dataclass
class Findings:
    """What the check found: `where` (colab, binder, vscode, local), `versions` (None: missing), `device` (cuda, mps,
    cpu), `memory` ((total, available) bytes), `data` (folder -> complete?), `items` (the report's lines by name:
    where, python, torch, ..., device, memory, data:mnist_sample, widgets); str() is the report.
    Used in: 00_index."""
    where: str
    versions: dict
    device: str
    memory: tuple
    data: dict
    items: dict

    def __str__(self): return "\n".join(_tidy(line) for line in self.items.values())
    def _repr_pretty_(self, p, cycle):  # a cell ending in `self_check()` adds one short line, not the object
        marks = [s[0] for s in self.items.values()]
        p.text("self-check: " + ", ".join(f"{marks.count(m)} {m}" for m in (OK, WARN, BAD)))

def _line(mark, text, advice=""): return f"{mark} {text}" + (f": {advice}" if advice else "")
def _tidy(text): return text.replace(str(Path.home()), "~") if len(str(Path.home())) > 1 else text  # no machine paths
def _v(version): return tuple(int(x) for x in re.match(r"[\d.]*", version or "").group().split(".") if x)
def _install(spec, where): return f"install it with `%pip install {spec}`, {RESTART[where]}"

def _read(path):
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return None

def where_am_i(environ=None, modules=None, user_ns=None) -> str:
    """Where this kernel runs: "colab", "binder", "vscode" or "local". A kernel that Jupyter's server started (it
    sets JPY_SESSION_NAME) is not VS Code's, even with VS Code's variables inherited from a VS Code terminal.
    Used in: 00_index."""
    env = os.environ if environ is None else environ
    if "google.colab" in (sys.modules if modules is None else modules):
        return "colab"
    if any(k in env for k in ("BINDER_SERVICE_HOST", "BINDER_LAUNCH_HOST", "BINDER_REQUEST", "BINDER_REPO_URL")) or \
            any(k.startswith("JUPYTERHUB_") and "binder" in v.lower() for k, v in env.items()):
        return "binder"
    vscode = any(k.startswith("VSCODE_") for k in env) and "JPY_SESSION_NAME" not in env
    return "vscode" if vscode or "__vsc_ipynb_file__" in (user_ns or {}) else "local"

def memory(read=_read) -> tuple:
    """(total, available) memory in bytes, None where unknown: /proc/meminfo, capped by the container's limit
    (cgroup v2 or v1: Binder's 2 GB, not the host's), else `os.sysconf`. `read(path)` gives a file's text or None.
    Used in: 00_index."""
    def num(text):
        return int(text) if text and text.strip().isdigit() else None
    info = {k.strip(): int(v.split()[0]) * 1024 for k, _, v in (line.partition(":") for line in
            (read("/proc/meminfo") or "").splitlines()) if v.split() and v.split()[0].isdigit()}
    total, avail = info.get("MemTotal"), info.get("MemAvailable", info.get("MemFree"))
    for d, lim, use, cache in (("/sys/fs/cgroup/", "memory.max", "memory.current", "inactive_file"), (
            "/sys/fs/cgroup/memory/", "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")):
        limit, used = num(read(d + lim)), num(read(d + use))
        if limit and (total is None or limit < total):
            stat = dict(s.split()[:2] for s in (read(d + "memory.stat") or "").splitlines() if " " in s)
            free = None if used is None else limit - used + (num(stat.get(cache)) or 0)  # page cache can be freed
            total, avail = limit, min((x for x in (avail, free) if x is not None), default=None)
            break
    if total is None and hasattr(os, "sysconf"):  # no /proc (macOS): sysconf; Windows: unknown
        n = {k: max(0, os.sysconf(k)) for k in ("SC_PAGE_SIZE", "SC_PHYS_PAGES", "SC_AVPHYS_PAGES")
             if k in os.sysconf_names}
        total, avail = (n.get("SC_PAGE_SIZE", 0) * n.get(k, 0) or None for k in ("SC_PHYS_PAGES", "SC_AVPHYS_PAGES"))
    return total, avail

def _device(where, read):
    "(device, report line) for what PyTorch can train on."
    try:
        import torch
    except ImportError:
        return "cpu", _line(BAD, "CPU or GPU: unknown, PyTorch is not installed", _install("fastai", where))
    if torch.cuda.is_available():
        return "cuda", _line(OK, f"GPU: {torch.cuda.get_device_name(0)}")
    names = re.findall(r"^model name\s*:\s*(.+)$", read("/proc/cpuinfo") or "", re.M)
    cpu = (names[0] if names else platform.processor() or platform.machine() or "unknown").strip()
    cpu += f", {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} cores"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps", _line(OK, f"CPU: {cpu}, and Apple's GPU (mps); the notebooks use the CPU")
    hint = "; for a GPU: Runtime → Change runtime type → T4 GPU" * (where == "colab")
    return "cpu", _line(OK, f"CPU: {cpu} (no GPU needed: every notebook runs on a CPU){hint}")

def check(environ=None, modules=None, read=_read, data_root=None, bounds_path=None, user_ns=None) -> Findings:
    """Collect the findings, show nothing. Tests pass stand-ins for os.environ, sys.modules, file reading, fastai's
    data folder and environment.yml.
    Used in: 00_index."""
    where, versions, yml = where_am_i(environ, modules, user_ns), {}, bounds_path or ROOT / "environment.yml"
    bounds = {n.lower(): v for n, v in
              re.findall(r"^\s*-\s*([\w.-]+)\s*(?:>=|==|=)\s*(\d[\d.]*)", _read(yml) or "", re.M)}
    py, need = platform.python_version(), bounds.get("python")
    items = {"where": _line(OK, f"where: {PLACES[where]}"), "python": _line(OK, f"Python {py}") if not need or _v(
        py) >= _v(need) else _line(BAD, f"Python {py} is older than {need}", "Colab picks its Python: use Binder" if
        where == "colab" else "make the course's environment (`make lab`, or `conda env create -f environment.yml`) "
        "and choose it as the kernel")}
    for dist, name in PACKAGES.items():
        try:
            versions[dist] = have = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = have = None
        need, soft = bounds.get(dist), dist == "anywidget"  # only notebook 10's canvas needs anywidget
        why = "the drawing canvas of notebook 10 falls back to upload / pick a test image; " * soft + \
            _install(f'"{dist}>={need}"' if need and have else dist, where)
        items[dist] = _line(OK, f"{name} {have}") if have and not (need and _v(have) < _v(need)) else _line(
            WARN if soft else BAD, f"{name} {have} is older than {need}" if have else f"{name} is not installed", why)
    device, items["device"] = _device(where, read)
    total, avail = mem = memory(read)
    size, low = f"memory: {total / GB:.1f} GB" if total else "memory: unknown", avail is None or avail < NEED_GB * GB
    items["memory"] = _line(WARN if low else OK, f"{size}, " + ("available unknown" if avail is None else
                            f"{avail / GB:.1f} GB available"), low * (f"the largest notebooks need about {NEED_GB} GB"
                            + ("; close other notebooks' kernels" + " (Runtime → Manage sessions)" * (where == "colab")
                               if avail is not None else " free; check it in Task Manager or Activity Monitor")))
    complete = {}
    try:
        from . import data
        root = Path(data_root) if data_root else data.data_dir()
        for kind, spec in data.DATASETS.items():
            ok = complete[kind] = data.is_complete(root / kind, spec["counts"])
            state = "ready" if ok else "incomplete" if (root / kind).exists() else "not there yet"
            shown = _tidy(str(root / kind)) if root.is_relative_to(Path.home()) else f"{kind} in fastai's data folder"
            items[f"data:{kind}"] = _line(OK if ok else WARN, f"{kind} (notebooks {NEEDED_BY.get(kind, '?')}): "
                                          f"{state}, {shown}", "" if ok else "the setup cell of each notebook that "
                                          "needs it fetches or builds it (offline too); or build it now with `python "
                                          "-m helpers.data all` in the repository's folder")
    except Exception as e:  # no fastai, a home that fastai cannot write to: say so; the rest still shows
        items["data"] = _line(BAD, "data: cannot check it", _tidy(f"{e.__class__.__name__}: {e}"))
    return Findings(where, versions, device, mem, complete, items)

def render_check(findings: Findings):
    """The widget check: a line (an `ipywidgets.HTML`) and a tiny widget. With anywidget, the widget's front end
    sets `rendered = True` once drawn and the line (and `findings.items["widgets"]`) turns into ✓; without it,
    a core button to look for (core widgets cannot report back). Returns (line, probe).
    Used in: 00_index."""
    import ipywidgets
    import traitlets
    try:
        import anywidget
    except Exception:  # not installed, or broken: the core-widget fallback still works
        anywidget = None
    advice, items = WIDGET_ADVICE[findings.where], findings.items
    if anywidget is None:
        items["widgets"] = _line(WARN, "widgets: look for a button below, “If you see this button, widgets render” "
                                 "(without anywidget, this check cannot hear back from the front end); no button",
                                 advice)
        probe = ipywidgets.Button(description="If you see this button, widgets render", layout={"width": "auto"})
    else:
        items["widgets"] = _line(WAIT, f"widgets: waiting for the front end to draw (if this line does not turn into "
                                 f"{OK} within a few seconds, widgets do not render here", advice + ")")
        probe = type("RenderProbe", (anywidget.AnyWidget,),
                     {"_esm": PROBE_ESM, "rendered": traitlets.Bool().tag(sync=True)})()
        probe.observe(lambda change: change["new"] and drawn(), names="rendered")
    line = ipywidgets.HTML(_html(items["widgets"]))
    def drawn():
        items["widgets"] = _line(OK, "widgets render here")
        line.value = _html(items["widgets"])
    return line, probe

def _html(text):
    "Report lines as HTML, one <div> each: `code` in code style, the rest escaped."
    rows = (html.escape(_tidy(t), quote=False).split("`") for t in text.splitlines())
    return "".join('<div style="line-height: 1.5">' + "".join(f"<code>{p}</code>" if i % 2 else p for i, p in
                   enumerate(r)) + "</div>" for r in rows)

def self_check() -> Findings:
    """Check this setup and show the report: in a notebook line by line, with the live widget check last;
    elsewhere printed as text. Returns the findings (end the cell with `;` to show only the report).
    Used in: 00_index."""
    quiet_library_warnings()  # fastai's import-time FutureWarning is not the student's to fix
    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None  # a kernel has imported it
    findings = check(user_ns=getattr(shell, "user_ns", None))
    if not hasattr(shell, "kernel"):  # plain Python or terminal IPython: no front end to draw widgets
        findings.items["widgets"] = _line(WARN, "widgets: not checked here", "run `self_check()` in a notebook")
        print(findings)
        return findings
    from IPython.display import display
    display({"text/html": _html(str(findings)), "text/plain": str(findings)}, raw=True)
    if findings.versions.get("ipywidgets"):  # else its line says what to do
        line, probe = render_check(findings)
        for widget, stand_in in ((line, findings.items["widgets"]), (probe, "")):  # stand-in: where none is drawn
            display({"application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0, "model_id":
                     widget.model_id}, "text/plain": _tidy(stand_in)}, raw=True)
    return findings
