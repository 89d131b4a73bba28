"""binder/: repo2docker (no Docker needed with --no-build) must build from binder/'s files."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_repo2docker_uses_binder_environment_and_postbuild():
    exe = Path(sys.executable).parent / "jupyter-repo2docker"
    r = subprocess.run([str(exe), "--no-build", "--debug", str(ROOT)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    dockerfile = r.stdout + r.stderr
    assert 'COPY --chown=0:0 src/binder/environment.yml ${REPO_DIR}/binder/environment.yml' in dockerfile
    assert '--file "binder/environment.yml"' in dockerfile
    assert "RUN ./binder/postBuild" in dockerfile
    assert "src/environment.yml" not in dockerfile  # the root file is ignored once binder/ exists
