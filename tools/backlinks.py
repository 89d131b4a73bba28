"""Check the helpers' backlinks: the `Used in:` line that ends the docstring of a public helper.

A public helper is a function or class of helpers/*.py whose name has no leading underscore. One that
a notebook imports ends its docstring with one line naming, in series order, every notebook that uses
it (wrapped onto a second line when it is long):

    Used in: 03_gradient_descent, 05_minibatches.

A notebook uses a helper when one of its code cells imports it (`from helpers.gd import descend`, also
through a module that gathers it, such as helpers.checks, or a module's lazy `__getattr__`), reaches
it through an imported module (`from helpers import ladder` ... `ladder.train_all(...)`), or uses a
helper that calls it (`DrawCanvas` calls `checked_strokes`, so notebook 10 uses that too). A helper
that a notebook only reaches through another may carry the line (then it must be right) or not. A
helper for tools/ and tests/ only may end with `Used in: tools only.` (then no notebook may use it, and
a tool or test must name it). Everything is read with `ast`, nothing is imported or run.

`problems()` lists every disagreement, naming the helper and the notebook; `python tools/notebooks.py
--check` runs it, and tests/test_backlinks.py shows it failing on wrong lines.
"""
import ast
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
HELPERS_DIR = ROOT / "helpers"
TOOLS_ONLY = "tools only"
_LINE = re.compile(r"Used in: ([^.]*)\.\Z")


def used_in(doc):
    """The notebooks that a docstring's final `Used in:` line names (a list), TOOLS_ONLY, or None
    when the docstring does not end with such a line."""
    found = _LINE.search((doc or "").strip())
    if found is None:
        return None
    names = " ".join(found.group(1).split())
    return TOOLS_ONLY if names == TOOLS_ONLY else [n.strip() for n in names.split(",")]


PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")  # cell magics whose body is Python


def _code(cell_source):
    """A code cell as Python: IPython's `%magic` and `!shell` lines become comments; a cell whose body
    is not Python (`%%bash`, `%%html`, ...) becomes empty."""
    first = cell_source.lstrip().split(maxsplit=1)[0] if cell_source.strip() else ""
    if first.startswith("%%") and first not in PYTHON_CELL_MAGICS:
        return ""
    return "\n".join("#" + line if line.lstrip().startswith(("%", "!")) else line
                     for line in cell_source.splitlines())


def _module(name):
    "'gd' for helpers.gd, None for anything else."
    parts = name.split(".")
    return parts[1] if len(parts) == 2 and parts[0] == "helpers" else None


def _parsed(source):
    "A code cell's syntax tree; an empty one for a cell that is not valid Python (it never runs an import)."
    try:
        return ast.parse(_code(source))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def notebook_uses(path):
    "The (module, name) pairs of helpers that a notebook's code cells use, as written there."
    trees = [_parsed(c.source) for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    uses, modules = set(), {}  # modules: a name in the notebook -> the helpers module it is bound to
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "helpers":
                modules.update({a.asname or a.name: a.name for a in node.names})
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and _module(node.module or ""):
                uses.update((_module(node.module), a.name) for a in node.names)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if _module(a.name) and a.asname:
                        modules[a.asname] = _module(a.name)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                uses.add((modules[node.value.id], node.attr))
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                  and isinstance(node.value.value, ast.Name) and node.value.value.id == "helpers"):
                uses.add((node.value.attr, node.attr))  # helpers.ladder.train_all after `import helpers.ladder`
    return uses


class _Refs(ast.NodeVisitor):
    "The helpers that one function, class or module-level value of a helpers module refers to."

    def __init__(self, module, local, imported, modules):
        self.module, self.local, self.imported, self.modules, self.found = module, local, imported, modules, set()

    def visit_Name(self, node):
        if node.id in self.local:
            self.found.add((self.module, node.id))
        elif (self.module, node.id) in self.imported:
            self.found.add(self.imported[self.module, node.id])

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name) and node.value.id in self.modules:
            self.found.add((self.modules[node.value.id], node.attr))  # ladder.train_all after `from . import ladder`
        self.generic_visit(node)

    def visit_ImportFrom(self, node):  # an import inside a function: `from .checkpoint import CheckpointError`
        if node.level == 1 and node.module:
            self.found.update((node.module, a.name) for a in node.names)


def helper_graph(helpers_dir=HELPERS_DIR):
    """What the helpers are, read from helpers/*.py without importing them:
    defs:     (module, name) -> (docstring, line) of every public function and class;
    imported: (module, name) -> (module, name) for a name one module imports from another (checks gathers them);
    refs:     (module, name) -> the (module, name)s that a function, class or module-level value refers to."""
    defs, imported, refs, parsed, forwards = {}, {}, {}, [], {}
    for path in sorted(Path(helpers_dir).glob("*.py")):
        module, tree = path.stem, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        modules, local = {}, {}  # a name bound to a sibling module; module-level name -> its node
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None:
                modules.update({a.asname or a.name: a.name for a in node.names})
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
                # a module-level __getattr__ that imports a sibling module hands that module's names on
                # (helpers.gd's widgets live in gd_widgets)
                forwards[module] = [a.name for n in ast.walk(node) if isinstance(n, ast.ImportFrom)
                                    and n.level == 1 and n.module is None for a in n.names]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                local[node.name] = node
                if not node.name.startswith("_"):
                    defs[module, node.name] = (ast.get_docstring(node), node.lineno)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            local[name.id] = node
            elif isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                imported.update({(module, a.asname or a.name): (node.module, a.name) for a in node.names})
        parsed.append((module, local, modules))
    for module, targets in forwards.items():
        for target in targets:
            names = {name for m, name in defs if m == target}
            imported.update({(module, name): (target, name) for name in names if (module, name) not in defs})
    for module, local, modules in parsed:
        for name, node in local.items():
            visitor = _Refs(module, local, imported, modules)
            visitor.visit(node)
            refs[module, name] = visitor.found - {(module, name)}
    return defs, imported, refs


def _resolve(key, imported):
    "Where (module, name) is defined: followed through the modules that import it from another."
    seen = set()
    while key in imported and key not in seen:
        seen.add(key)
        key = imported[key]
    return key


def users(nb_dir=NB_DIR, helpers_dir=HELPERS_DIR):
    """(module, name) -> {notebook: how} for every helper a notebook uses: how is None when the notebook
    imports it (or reaches it through an imported module), else the helper it uses that leads to it."""
    defs, imported, refs = helper_graph(helpers_dir)
    found = {}
    for path in sorted(Path(nb_dir).glob("*.ipynb")):
        direct = {_resolve(key, imported) for key in notebook_uses(path)}
        todo = [(key, None) for key in sorted(direct)]
        seen = set()
        while todo:
            key, how = todo.pop(0)
            if key in seen:
                continue
            seen.add(key)
            if key in defs:
                found.setdefault(key, {})[path.stem] = how
            todo += [(_resolve(ref, imported), how or key[1]) for ref in sorted(refs.get(key, ()))]
    return defs, found


def _named_in(name, folders):
    "Whether any .py file in `folders` names `name` (as a whole word)."
    word = re.compile(rf"\b{re.escape(name)}\b")
    return any(word.search(f.read_text(encoding="utf-8")) for d in folders for f in sorted(Path(d).glob("*.py")))


def problems(nb_dir=NB_DIR, helpers_dir=HELPERS_DIR, others=(ROOT / "tools", ROOT / "tests")):
    """Every disagreement between the notebooks' use of the helpers and the helpers' `Used in:` lines,
    one line each naming the helper and the notebook. `others`: the folders a `tools only` helper serves."""
    defs, found = users(nb_dir, helpers_dir)
    out = []
    for (module, name), (doc, line) in sorted(defs.items()):
        where = f"helpers/{module}.py:{line} {name}"
        using = found.get((module, name), {})
        listed, want = used_in(doc), ", ".join(sorted(using))

        def uses(nb):
            return f"{nb} uses it" + (f" (through {using[nb]})" if using[nb] else "")
        if listed is None:
            direct = sorted(nb for nb, how in using.items() if how is None)
            if direct:
                out.append(f"{where}: {', '.join(direct)} {'imports' if len(direct) == 1 else 'import'} it, "
                           f"but its docstring does not end with `Used in: {want}.`")
        elif listed == TOOLS_ONLY:
            out += [f"{where}: says `Used in: tools only.`, but {uses(nb)}" for nb in sorted(using)]
            if not _named_in(name, others):
                out.append(f"{where}: says `Used in: tools only.`, but nothing in "
                           f"{' or '.join(Path(d).name + '/' for d in others)} uses it")
        else:
            out += [f"{where}: {uses(nb)}, but its `Used in:` line does not list {nb}"
                    for nb in sorted(set(using) - set(listed))]
            out += [f"{where}: its `Used in:` line lists {nb}, but {nb} does not use it"
                    + ("" if (Path(nb_dir) / f"{nb}.ipynb").exists() else " (there is no such notebook)")
                    for nb in listed if nb not in using]
            if set(listed) == set(using) and listed != sorted(using):
                out.append(f"{where}: list each notebook once, in order: `Used in: {want}.`")
    return out
