"""helpers/selfcheck.py: the setup self-check of 00_index, with fake surroundings (environment variables,
modules, /proc files, data folders) so it needs no Colab, Binder, VS Code, GPU or front end."""
import os
import re
import sys
from pathlib import Path

import pytest

from helpers import data, selfcheck
from helpers.selfcheck import BAD, OK, WARN, Findings, check, memory, render_check, self_check, where_am_i

GB = 2 ** 30
MEMINFO = "MemTotal:       {total} kB\nMemFree:         100000 kB\nMemAvailable:   {avail} kB\n"


def meminfo(total_gb, avail_gb, **more):
    "A fake `read` for /proc/meminfo (and any other file in `more`, by path); every other file is missing."
    files = {"/proc/meminfo": MEMINFO.format(total=int(total_gb * 2 ** 20), avail=int(avail_gb * 2 ** 20)), **more}
    return files.get


@pytest.fixture
def clean_env(monkeypatch):
    "No Binder, JupyterHub or VS Code variables, and no google.colab: a plain local machine."
    for key in list(os.environ):
        if key.startswith(("BINDER_", "JUPYTERHUB_", "VSCODE_")) or key == "JPY_SESSION_NAME":
            monkeypatch.delenv(key)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    return monkeypatch


@pytest.fixture
def versions(monkeypatch):
    "Installed versions as the test says (a name missing from the dict is not installed)."
    import types
    from importlib.metadata import PackageNotFoundError

    def use(**installed):
        def version(dist):
            if dist not in installed:
                raise PackageNotFoundError(dist)
            return installed[dist]
        # only selfcheck's view of importlib.metadata: the libraries keep the real one
        monkeypatch.setattr(selfcheck, "metadata", types.SimpleNamespace(version=version,
                                                                          PackageNotFoundError=PackageNotFoundError))
    use(torch="2.11.0", fastai="2.8.4", ipywidgets="8.1.5", anywidget="0.9.13")
    return use


def quick(tmp_path, **kw):
    "check() on an empty data folder, with a healthy fake memory unless told otherwise."
    return check(**{"data_root": tmp_path / "data", "read": meminfo(16, 12), **kw})


# ---------------------------------------------------------------- where the notebook runs
@pytest.mark.parametrize("env,where", [
    ({}, "local"),
    ({"BINDER_SERVICE_HOST": "10.0.0.1"}, "binder"),
    ({"BINDER_LAUNCH_HOST": "https://mybinder.org/"}, "binder"),
    ({"JUPYTERHUB_SERVICE_URL": "http://hub.mybinder.ovh/user/x"}, "binder"),
    ({"JUPYTERHUB_SERVICE_URL": "https://hub.university.edu/user/x"}, "local"),
    ({"VSCODE_PID": "4242"}, "vscode"),
    ({"VSCODE_CWD": "/home/student"}, "vscode"),
    ({"VSCODE_IPC_HOOK_CLI": "/run/user/1000/vscode-ipc.sock"}, "vscode"),
    # JupyterLab started from VS Code's terminal: its kernels inherit VSCODE_*, but Jupyter's server started them
    ({"VSCODE_PID": "4242", "JPY_SESSION_NAME": "/home/student/00_index.ipynb"}, "local"),
])
def test_where_from_environment_variables(clean_env, env, where):
    for key, value in env.items():
        clean_env.setenv(key, value)
    assert where_am_i() == where
    assert where_am_i(environ=env, modules={}) == where


def test_colab_wins_and_vscode_from_its_kernel_namespace(clean_env):
    assert where_am_i(user_ns={"__vsc_ipynb_file__": "x.ipynb"}) == "vscode"
    clean_env.setitem(sys.modules, "google.colab", object())
    clean_env.setenv("VSCODE_PID", "1")
    assert where_am_i() == "colab"


@pytest.mark.parametrize("where,label,restart", [
    ("colab", "Colab", "Runtime → Restart session"), ("binder", "Binder", "Kernel → Restart Kernel"),
    ("vscode", "VS Code", "Restart in the toolbar"),
    ("local", "local (JupyterLab / Notebook)", "Kernel → Restart Kernel")])
def test_report_says_where_and_what_to_do_there(tmp_path, versions, where, label, restart):
    versions(torch="2.11.0", fastai="2.7.0", ipywidgets="8.1.5")  # fastai too old, anywidget missing
    env = {"colab": {}, "binder": {"BINDER_SERVICE_HOST": "x"}, "vscode": {"VSCODE_PID": "1"}, "local": {}}[where]
    f = quick(tmp_path, environ=env, modules={"google.colab": 1} if where == "colab" else {})
    assert f.where == where and f.items["where"] == f"{OK} where: {label}"
    assert f.items["fastai"].startswith(f'{BAD} fastai 2.7.0 is older than 2.8: install it with '
                                        '`%pip install "fastai>=2.8"`')
    assert restart in f.items["fastai"] and restart in f.items["anywidget"]


# ---------------------------------------------------------------- versions
def test_versions_against_environment_yml(tmp_path, versions):
    f = quick(tmp_path)
    assert f.versions == {"torch": "2.11.0", "fastai": "2.8.4", "ipywidgets": "8.1.5", "anywidget": "0.9.13"}
    assert [f.items[k] for k in ("torch", "fastai", "ipywidgets", "anywidget")] == [
        f"{OK} PyTorch 2.11.0", f"{OK} fastai 2.8.4", f"{OK} ipywidgets 8.1.5", f"{OK} anywidget 0.9.13"]
    versions(torch="2.11.0", fastai="2.8.4", ipywidgets="7.6.5", anywidget="0.8.1")
    f = quick(tmp_path)
    assert f.items["ipywidgets"].startswith(f"{BAD} ipywidgets 7.6.5 is older than 7.7.1")
    assert f.items["anywidget"].startswith(f"{WARN} anywidget 0.8.1 is older than 0.9")  # only notebook 10 needs it


def test_without_environment_yml_no_bound_is_checked(tmp_path, versions):
    versions(torch="1.0", fastai="1.0", ipywidgets="1.0", anywidget="0.1")
    f = quick(tmp_path, bounds_path=tmp_path / "no-environment.yml")
    assert all(f.items[k].startswith(OK) for k in ("python", "torch", "fastai", "ipywidgets", "anywidget"))


def test_python_too_old(tmp_path, versions):
    (tmp_path / "environment.yml").write_text("dependencies:\n  - python=3.99\n  - pip:\n      - fastai>=2.8,<2.9\n")
    f = quick(tmp_path, bounds_path=tmp_path / "environment.yml")
    assert f.items["python"].startswith(f"{BAD} Python ") and "is older than 3.99" in f.items["python"]
    assert "conda env create -f environment.yml" in f.items["python"]


# ---------------------------------------------------------------- anywidget missing
@pytest.mark.widgets
def test_missing_anywidget_gives_the_warning_line_and_a_button(tmp_path, versions, monkeypatch, capsys):
    versions(torch="2.11.0", fastai="2.8.4", ipywidgets="8.1.5")
    monkeypatch.setitem(sys.modules, "anywidget", None)  # `import anywidget` now fails
    f = quick(tmp_path)
    assert f.versions["anywidget"] is None
    assert f.items["anywidget"].startswith(
        f"{WARN} anywidget is not installed: the drawing canvas of notebook 10 falls back to upload / pick a test "
        "image; install it with `%pip install anywidget`")
    import ipywidgets
    line, probe = render_check(f)
    assert isinstance(probe, ipywidgets.Button) and probe.description == "If you see this button, widgets render"
    assert f.items["widgets"].startswith(f"{WARN} widgets: look for a button") and "cannot hear back" in line.value
    monkeypatch.setattr(selfcheck, "check", lambda **kw: quick(tmp_path))
    assert "anywidget is not installed" in str(self_check()) and "anywidget is not installed" in capsys.readouterr().out


# ---------------------------------------------------------------- memory
def test_low_memory_warning(tmp_path, versions):
    assert memory(meminfo(8, 1.0)) == (8 * GB, 1 * GB)
    f = quick(tmp_path, read=meminfo(8, 1.0))
    assert f.items["memory"] == (f"{WARN} memory: 8.0 GB, 1.0 GB available: the largest notebooks need about 1.5 GB; "
                                 "close other notebooks' kernels")
    assert quick(tmp_path, read=meminfo(16, 12)).items["memory"] == f"{OK} memory: 16.0 GB, 12.0 GB available"
    colab = quick(tmp_path, read=meminfo(12, 1.2), modules={"google.colab": 1})
    assert colab.items["memory"].endswith("(Runtime → Manage sessions)")


def test_container_limit_is_the_memory_binder_gives(tmp_path):
    "Binder's /proc/meminfo shows the host's memory; its cgroup says the 2 GB the session may use."
    cg = {"/sys/fs/cgroup/memory.max": "2147483648\n", "/sys/fs/cgroup/memory.current": str(int(1.9 * GB)),
          "/sys/fs/cgroup/memory.stat": f"anon 1000\ninactive_file {int(0.2 * GB)}\n"}
    total, avail = memory(meminfo(256, 200, **cg))
    assert total == 2 * GB and abs(avail - 0.3 * GB) < 1e6
    assert memory(meminfo(8, 6, **{"/sys/fs/cgroup/memory.max": "max\n"})) == (8 * GB, 6 * GB)  # no limit
    v1 = {"/sys/fs/cgroup/memory/memory.limit_in_bytes": str(4 * GB),
          "/sys/fs/cgroup/memory/memory.usage_in_bytes": "0"}
    assert memory(meminfo(64, 60, **v1)) == (4 * GB, 4 * GB)


def test_memory_unknown(tmp_path, monkeypatch, versions):
    import torch  # noqa: F401  (imported before sysconf goes away)
    monkeypatch.delattr(os, "sysconf")  # as on Windows: no /proc, no sysconf
    assert memory(lambda path: None) == (None, None)
    line = quick(tmp_path, read=lambda path: None).items["memory"]
    assert line.startswith(f"{WARN} memory: unknown, available unknown: the largest notebooks need about 1.5 GB free")


# ---------------------------------------------------------------- data
def test_missing_data_is_reported_with_advice(tmp_path, versions, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("FASTAI_HOME", str(tmp_path / ".fastai"))  # helpers.data.data_dir() -> ~/.fastai/data
    (tmp_path / ".fastai" / "data" / "mnist_png").mkdir(parents=True)  # a half-built folder
    f = check(read=meminfo(16, 12))
    assert f.data == {"mnist_sample": False, "mnist_png": False}
    sample, full = f.items["data:mnist_sample"], f.items["data:mnist_png"]
    assert sample.startswith(f"{WARN} mnist_sample (notebooks 01-08): not there yet, ~/.fastai/data/mnist_sample: "
                             "the setup cell of each notebook that needs it fetches or builds it")
    assert full.startswith(f"{WARN} mnist_png (notebooks 09-10): incomplete, ~/.fastai/data/mnist_png")
    assert "`python -m helpers.data all`" in sample and str(tmp_path) not in str(f)


def test_complete_data_is_ready(tmp_path, versions, monkeypatch):
    monkeypatch.setattr(data, "is_complete", lambda folder, counts=None: Path(folder).name == "mnist_sample")
    f = quick(tmp_path)  # a data folder outside the home: shown by its name only
    assert f.items["data:mnist_sample"] == \
        f"{OK} mnist_sample (notebooks 01-08): ready, mnist_sample in fastai's data folder"
    assert f.data == {"mnist_sample": True, "mnist_png": False}


# ---------------------------------------------------------------- the report
def test_report_has_no_machine_paths_addresses_or_html(tmp_path, versions, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    f = quick(tmp_path, read=meminfo(8, 1.0))
    text = str(f)
    assert len(text.splitlines()) == len(f.items) and all(line[0] in (OK, WARN, BAD) for line in text.splitlines())
    assert str(tmp_path) not in text and not re.search(r"0x[0-9a-f]{6,}|<\w+", text)
    assert selfcheck._html("✗ run `a<b>` & go") == \
        "<div style=\"line-height: 1.5\">✗ run <code>a&lt;b&gt;</code> &amp; go</div>"
    from IPython.lib.pretty import pretty
    assert re.fullmatch(r"self-check: \d+ ✓, \d+ !, \d+ ✗", pretty(f))


def test_self_check_prints_outside_a_notebook(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("FASTAI_HOME", str(tmp_path / ".fastai"))  # the real check, but never the real data folder
    f = self_check()
    out = capsys.readouterr().out
    assert isinstance(f, Findings) and out.strip() == str(f)
    assert f.items["widgets"] == f"{WARN} widgets: not checked here: run `self_check()` in a notebook"


@pytest.mark.widgets
def test_self_check_in_a_kernel_shows_the_report_then_the_widget_check(tmp_path, versions, monkeypatch):
    "A kernel with no front end (nbval, nbclient): the report and two widget views, each with a plain-text stand-in."
    import types
    import IPython.display
    shown = []
    shell = types.SimpleNamespace(kernel=object(), user_ns={}, get_ipython=None)
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    monkeypatch.setattr(selfcheck, "check", lambda **kw: quick(tmp_path))
    f = self_check()
    report, line, probe = shown
    assert report["text/plain"] == str(f).rsplit("\n", 1)[0] and report["text/html"].count("<div ") == len(f.items) - 1
    assert line["text/plain"].startswith("… widgets: waiting for the front end to draw")
    assert "application/vnd.jupyter.widget-view+json" in line and probe["text/plain"] == ""
    assert not any("<" in b["text/plain"] for b in shown)


# ---------------------------------------------------------------- the render check
@pytest.mark.widgets
def test_front_end_drawing_the_probe_flips_the_line(monkeypatch):
    pytest.importorskip("anywidget")
    f = Findings("local", {}, "cpu", (None, None), {}, {})
    line, probe = render_check(f)
    assert f.items["widgets"].startswith("… widgets: waiting for the front end to draw (if this line does not turn "
                                         "into ✓ within a few seconds, widgets do not render here: run `%pip install")
    assert "waiting for the front end" in line.value and probe.rendered is False
    assert "export default" in probe._esm and "rendered" in probe.keys  # a synced trait the front end sets
    probe.rendered = True  # what the front end does once it has drawn the probe
    assert line.value.endswith(">✓ widgets render here</div>") and f.items["widgets"] == "✓ widgets render here"


@pytest.mark.widgets
@pytest.mark.parametrize("where,advice", [
    ("colab", "output.enable_custom_widget_manager()"), ("vscode", "Jupyter extension"),
    ("local", "restart JupyterLab"), ("binder", "restart the Binder session")])
def test_widget_advice_fits_the_environment(where, advice):
    pytest.importorskip("anywidget")
    f = Findings(where, {}, "cpu", (None, None), {}, {})
    line, _ = render_check(f)
    assert advice in f.items["widgets"] and advice in line.value
