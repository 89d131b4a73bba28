"""One list of dependencies: environment.yml; make's pip list and binder/ must agree with it."""
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from deps import pip_requirements  # noqa: E402


def pip_list(path):
    env = yaml.safe_load(Path(path).read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return env, [r for r in pip if not r.startswith("-")]


def test_make_installs_exactly_environment_yml():
    _, listed = pip_list(ROOT / "environment.yml")
    assert pip_requirements(ROOT / "environment.yml") == listed
    assert len(listed) >= 10


def test_binder_uses_the_same_list():
    root_env, root = pip_list(ROOT / "environment.yml")
    binder_env, binder = pip_list(ROOT / "binder" / "environment.yml")
    assert binder == root
    assert [d for d in binder_env["dependencies"] if not isinstance(d, dict)] == \
           [d for d in root_env["dependencies"] if not isinstance(d, dict)]
    assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_every_requirement_has_bounds_and_a_comment():
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("- pip:")[1].splitlines():
        if line.strip().startswith("- "):
            req = Requirement(line.split("#")[0].strip()[2:])
            assert any(s.operator in (">=", ">") for s in req.specifier), f"{req}: no lower bound"
            assert any(s.operator in ("<", "<=") for s in req.specifier), f"{req}: no tested upper cap"
            assert "#" in line, f"{req}: say which notebooks need it"


def test_torch_is_not_pinned_to_a_version_without_torchvision():
    text = (ROOT / "environment.yml").read_text() + (ROOT / "binder" / "environment.yml").read_text()
    assert "torch==" not in text


@pytest.mark.parametrize("req", pip_requirements(ROOT / "environment.yml"))
def test_this_environment_satisfies_the_list(req):
    r = Requirement(req)
    installed = metadata.version(r.name)
    assert r.specifier.contains(installed, prereleases=True), f"{r.name} {installed} is outside {r.specifier}"


def test_torchvision_imports_with_this_torch():
    import torchvision  # noqa: F401
    from torchvision.datasets.mnist import read_image_file  # noqa: F401


def test_colab_like_environment_mirrors_colab_and_adds_no_dependency():
    "tests/colab-requirements.txt pins Colab's versions of packages the project already lists."
    text = (ROOT / "tests" / "colab-requirements.txt").read_text()
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    pins = {Requirement(line).name: Requirement(line) for line in lines if line}
    listed = {Requirement(r).name for r in pip_requirements(ROOT / "environment.yml")} | {"torch", "torchvision"}
    assert set(pins) <= listed, f"not in environment.yml: {set(pins) - listed}"
    assert str(pins["ipywidgets"].specifier) == "==7.7.1"
    assert str(pins["fastai"].specifier) == "==2.8.8"
    assert str(pins["torch"].specifier) == "==2.11.0"
