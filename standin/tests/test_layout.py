"""The package's module layout (standin/README.md, "Module layout"): its modules import one another
without a circle, and none uses another module's ``_private`` names (handlers share through the
public functions of ``state`` and ``sim``).

Read from the source with ``ast``, so imports inside functions count as much as those at the top of
a module (a function-local import is how a circle hides), and relative imports are resolved.
"""

import ast
from pathlib import Path

PACKAGE = "ssmpatch_standin"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def modules(root, package=PACKAGE):
    """``{dotted name: path}`` of every module of the package (subpackages included)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


class _Reader(ast.NodeVisitor):
    """One module's imports of the package: edges (module → module it makes Python load) and uses
    of another module's private names."""

    def __init__(self, name, path, known, package):
        self.name, self.known, self.package = name, known, package
        # The package a relative import is relative to.
        self.here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        self.edges = set()
        self.bound = {}          # local name → package module it names
        self.private = []        # "module:line uses other.module._name"
        self.line = 0

    def _ours(self, dotted):
        return dotted == self.package or dotted.startswith(self.package + ".")

    def _edge(self, target):
        """Loading ``target`` loads its packages first; those that contain this module are already
        loading, every other one is an edge too."""
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            pkg = ".".join(parts[:i])
            if pkg in self.known and pkg != self.name and not (self.name + ".").startswith(pkg + "."):
                self.edges.add(pkg)

    def _flag(self, module, attr):
        if module != self.name:
            self.private.append(f"{self.name}:{self.line} uses {module}.{attr}")

    def visit_Import(self, node):
        self.line = node.lineno
        for alias in node.names:
            if not self._ours(alias.name):
                continue
            self._edge(alias.name)
            parts = alias.name.split(".")
            for i, part in enumerate(parts[1:], 1):
                if _private(part):
                    self._flag(".".join(parts[:i]), part)
                    break
            if alias.asname:
                self.bound[alias.asname] = alias.name
            else:
                self.bound[parts[0]] = parts[0]

    def visit_ImportFrom(self, node):
        self.line = node.lineno
        if node.level:
            base_parts = self.here.split(".")
            if node.level > 1:
                base_parts = base_parts[:-(node.level - 1)]
            base = ".".join(base_parts + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        if not self._ours(base):
            return
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            if sub in self.known:
                self._edge(sub)
                self.bound[alias.asname or alias.name] = sub
            else:
                self._edge(base)
            if alias.name != "*" and _private(alias.name):
                self._flag(base, alias.name)

    def visit_Call(self, node):
        # importlib.import_module("ssmpatch_standin.x") / __import__("ssmpatch_standin.x")
        self.line = node.lineno
        f = node.func
        fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if fname in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and self._ours(node.args[0].value):
            self._edge(node.args[0].value)
        self.generic_visit(node)

    def visit_Attribute(self, node):
        self.line = node.lineno
        chain, n = [], node
        while isinstance(n, ast.Attribute):
            chain.append(n.attr)
            n = n.value
        if isinstance(n, ast.Name) and n.id in self.bound:
            module, rest = self.bound[n.id], list(reversed(chain))
            while rest and f"{module}.{rest[0]}" in self.known:
                module = f"{module}.{rest.pop(0)}"
            # module.name, module.Class._name, ...: any private name reached from another module
            for i, attr in enumerate(rest):
                if _private(attr):
                    self._flag(module, ".".join(rest[:i + 1]))
                    break
            return   # the whole chain is read; its inner Attribute nodes need no second look
        self.generic_visit(node)


def read(root, package=PACKAGE):
    """``(graph, private uses)`` of the package at ``root``: graph ``{module: {modules it loads}}``."""
    known = modules(root, package)
    graph, private = {}, []
    for name, path in known.items():
        r = _Reader(name, path, known, package)
        r.visit(ast.parse(path.read_text(), str(path)))
        graph[name] = r.edges
        private += r.private
    return graph, private


def find_cycle(graph):
    """One circle of the graph as ``[a, b, ..., a]``, or ``None``."""
    state = {}   # module → "open" (on the path) | "done"
    path = []

    def visit(n):
        state[n] = "open"
        path.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == "open":
                return path[path.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        path.pop()
        state[n] = "done"
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_the_package_has_no_import_circle():
    graph, _ = read(ROOT)
    assert len(graph) > 5, f"the package's modules were not found under {ROOT}"
    cycle = find_cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_no_module_uses_another_modules_private_names():
    _, private = read(ROOT)
    assert private == [], "private names used across modules:\n" + "\n".join(private)


def test_the_checks_see_hidden_circles_and_private_names(tmp_path):
    """The two checks above fail when they should: a circle closed by a function-local relative
    import, and private names reached by ``from ... import _x``, ``module._x`` and ``module.Class._x``."""
    pkg = tmp_path / PACKAGE
    (pkg / "sim").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sim" / "__init__.py").write_text("")
    (pkg / "state.py").write_text("def _helper():\n    pass\n")
    (pkg / "sim" / "fleet.py").write_text("from ssmpatch_standin import state\n\n"
                                          "def f():\n    from ..handlers import commands\n")
    (pkg / "handlers").mkdir()
    (pkg / "handlers" / "__init__.py").write_text("")
    (pkg / "handlers" / "commands.py").write_text(
        "import ssmpatch_standin.sim.fleet\nfrom ssmpatch_standin.state import _helper\n"
        "from ssmpatch_standin import state as st\n\n"
        "def g():\n    return st._helper, ssmpatch_standin.sim.fleet.f, ssmpatch_standin.sim.fleet.Node._key\n")
    graph, private = read(pkg)
    cycle = find_cycle(graph)
    assert cycle is not None and set(cycle) == {"ssmpatch_standin.sim.fleet", "ssmpatch_standin.handlers.commands"}
    assert sorted(p.split(" uses ")[1] for p in private) == [
        "ssmpatch_standin.sim.fleet.Node._key", "ssmpatch_standin.state._helper", "ssmpatch_standin.state._helper"]
    # Without the function-local import there is no circle.
    (pkg / "sim" / "fleet.py").write_text("from ssmpatch_standin import state\n")
    assert find_cycle(read(pkg)[0]) is None
