"""Moving the data folders that helpers/data.py builds, without losing anything: a finished folder is
renamed into place (another process's good copy wins), one in the way is set aside under a free name,
and temporary folders of runs that were killed are cleaned up. Nothing is deleted that we did not build.
"""
import os
import shutil
from pathlib import Path

from . import manifest


def move_into_place(src: Path, dest: Path) -> Path:
    "Rename `src` to `dest`; if another process got there first with a good copy, keep theirs."
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(src, dest)
    except OSError:
        if not dest.exists():
            raise
    return dest


def free_name(path: Path) -> Path:
    "`path`, or `path-2`, `path-3`, ...: the first that does not exist."
    n, free = 1, path
    while free.exists() or free.is_symlink():
        n += 1
        free = path.with_name(f"{path.name}-{n}")
    return free


def set_aside(folder: Path, ours=None) -> Path:
    """Rename a folder out of the way, to NAME.incomplete (or -2, -3, ...). An earlier NAME.incomplete
    is reused only if every file in it is one of `ours` (name -> (size, digest)) byte for byte:
    nothing is deleted that we did not build."""
    aside = folder.with_name(folder.name + ".incomplete")
    if ours and aside.is_dir() and manifest.only_ours(aside, ours):
        shutil.rmtree(aside)
    aside = free_name(aside)
    os.rename(folder, aside)
    return aside


def clean_stale_tmp(parent: Path, name: str):
    "Remove temporary folders left by runs that were killed (their process is gone)."
    for p in parent.glob(f".{name}.tmp-*"):
        try:
            pid = int(p.name.split("-")[1])
            os.kill(pid, 0)  # still running: leave it alone
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(p, ignore_errors=True)
        except PermissionError:
            pass
