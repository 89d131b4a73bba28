"""Print the pip requirements that environment.yml lists (its `pip:` section), one per line.

`make` installs exactly these into .venv, so environment.yml stays the one list of dependencies.
Plain text parsing on purpose: it runs before anything (PyYAML included) is installed; a test
checks it against a real YAML parser.
"""
import sys
from pathlib import Path


def pip_requirements(path):
    reqs, in_pip, indent = [], False, None
    for raw in Path(path).read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        stripped = line.lstrip()
        if stripped == "- pip:":
            in_pip, indent = True, len(line) - len(stripped)
            continue
        if in_pip:
            if len(line) - len(stripped) <= indent or not stripped.startswith("- "):
                in_pip = False
                continue
            reqs.append(stripped[2:].strip())
    return reqs


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    print("\n".join(pip_requirements(sys.argv[1] if len(sys.argv) > 1 else root / "environment.yml")))
