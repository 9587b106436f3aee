"""The package's layout, read from its source with `ast` (nothing is imported): no import cycle
between its modules (lazy imports inside functions included), and present/i18n.py — the
languages and the locale data — imports nothing from the package."""

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "recommender"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def package_imports(name: str) -> set[str]:
    """The package's modules that `name` imports anywhere in its source (module level or lazily):
    a `from x import y` names module x.y where y is a module, else module x."""
    path = MODULES[name]
    base = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base.split(".")[: len(base.split(".")) - (node.level - 1)]
                target = ".".join(anchor + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target for a in node.names}
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: package_imports(name) for name in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (a list of modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}          # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_reader_sees_the_imports():
    assert len(MODULES) > 40
    assert "recommender.present.i18n" in GRAPH["recommender.present.text"]
    assert "recommender.comfort.score" in GRAPH["recommender.present.text"]          # a lazy import, inside a function
    assert "recommender.present.i18n" in GRAPH["recommender.pipelines.build_atlas"]  # `from ..present.i18n import …`
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_i18n_imports_nothing_from_the_package():
    source = (PACKAGE / "present" / "i18n.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    relative = [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
    absolute = [ast.unparse(n) for n in ast.walk(tree)
                if (isinstance(n, ast.ImportFrom) and not n.level and (n.module or "").split(".")[0] == "recommender")
                or (isinstance(n, ast.Import) and any(a.name.split(".")[0] == "recommender" for a in n.names))]
    assert not relative and not absolute, relative + absolute
    assert "importlib" not in source        # nor through the back door
