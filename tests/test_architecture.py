"""The shape of the package: layers, one direction of data flow, no cycles, small files.

Every module of ``wpnet`` is parsed (``ast``, so imports inside functions count too) and
its imports of other wpnet modules are checked against the layer table below, which
docs/architecture.md draws. A module may import from its own layer or a lower one, never
from a higher one; the import graph has no cycle; no module is over 1,100 lines; a
private name (``_x``) is imported from another module only when that module is an
internal helper module (its own name starts with ``_``, such as ``wpnet/_sparse.py``);
and no module but ``ecosystem.py`` touches a private member of the Ecosystem.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "wpnet"

#: Layers, lowest first; a module belongs to the first prefix that names it.
#: Keep in step with docs/architecture.md.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "wpnet",  # the package root: __version__ and a lazy name table, imports nothing
            "wpnet.errors",
            "wpnet._parallel",
            "wpnet._seeds",
            "wpnet._parse",
            "wpnet._personal",
            "wpnet._reading",
            "wpnet._sparse",
            "wpnet.schema",
            "wpnet.sessions",
            "wpnet.privacy",
        ),
    ),
    ("rules", ("wpnet.validation",)),
    ("model", ("wpnet.ecosystem",)),
    (
        "input",
        (
            "wpnet.io",
            "wpnet._rows",
            "wpnet._names",
            "wpnet._exports",
            "wpnet._dataset_json",
            "wpnet._register",
            "wpnet._xlsx",
            "wpnet.records",
            "wpnet._genbase",
            "wpnet._generate",
            "wpnet._synthetic",
            "wpnet.datasets",
        ),
    ),
    ("inspection", ("wpnet.inspection",)),
    ("graph algorithms", ("wpnet.backbones", "wpnet._projection")),
    ("graphs", ("wpnet.graphs",)),
    ("measures", ("wpnet.measures", "wpnet.inference", "wpnet.evaluation")),
    ("maps", ("wpnet.maps",)),
    ("report", ("wpnet.report",)),
    ("interface", ("wpnet.cli",)),
)
MAX_LINES = 1100


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def layer_of(module: str) -> int:
    best, depth = None, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if prefix == "wpnet":
                hit = module == "wpnet"
            else:
                hit = module == prefix or module.startswith(prefix + ".")
            if hit and len(prefix) > depth:
                best, depth = i, len(prefix)
    if best is None:
        raise AssertionError(
            f"{module} is in no layer: add it to LAYERS in tests/test_architecture.py "
            "and to docs/architecture.md"
        )
    return best


def _package(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imports(module: str) -> list[tuple[str, str | None, int]]:
    """(imported wpnet module, imported name or None, line) for every import in
    ``module``, at any depth; ``from pkg import sub`` of a submodule names ``pkg.sub``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names if a.name.startswith("wpnet")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = _package(module, path).split(".")
                pkg = pkg[: len(pkg) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            if not (base == "wpnet" or base.startswith("wpnet.")):
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                if sub in MODULES:
                    out.append((sub, None, node.lineno))
                else:
                    out.append((base, a.name, node.lineno))
    return out


GRAPH = {m: sorted({target for target, _, _ in imports(m) if target != m}) for m in MODULES}


def test_every_module_is_in_a_layer() -> None:
    for m in MODULES:
        layer_of(m)


def test_no_module_imports_from_a_layer_above() -> None:
    bad = []
    for m, targets in GRAPH.items():
        for t in targets:
            assert t in MODULES, f"{m} imports {t}, which is not a wpnet module"
            if layer_of(t) > layer_of(m):
                bad.append(f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})")
    assert not bad, "imports against the data flow:\n" + "\n".join(bad)


def _cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle of the directed graph, or None (depth-first search)."""
    colour = dict.fromkeys(graph, 0)
    stack: list[str] = []

    def visit(u: str) -> list[str] | None:
        colour[u] = 1
        stack.append(u)
        for v in graph.get(u, []):
            if colour.get(v, 0) == 1:
                return stack[stack.index(v) :] + [v]
            if colour.get(v, 0) == 0:
                found = visit(v)
                if found:
                    return found
        stack.pop()
        colour[u] = 2
        return None

    for u in graph:
        if colour[u] == 0:
            found = visit(u)
            if found:
                return found
    return None


def test_cycle_finder_finds_a_planted_cycle() -> None:
    assert _cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}) == ["a", "b", "c", "a"]
    assert _cycle({"a": ["b"], "b": [], "c": ["a", "b"]}) is None


def test_no_import_cycle() -> None:
    found = _cycle(GRAPH)
    assert found is None, "import cycle: " + " -> ".join(found or [])


def test_the_two_old_cycles_are_gone() -> None:
    # graphs <-> backbone(s) and io <-> validation, hidden by function-level imports
    assert "wpnet.graphs" not in GRAPH["wpnet.backbones"]
    assert "wpnet.ecosystem" not in GRAPH["wpnet.backbones"]
    assert "wpnet.io" not in GRAPH["wpnet.validation"]
    assert "wpnet.backbone" not in MODULES  # the module is wpnet.backbones


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_the_line_limit(module: str) -> None:
    n = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{module} has {n} lines (limit {MAX_LINES}): split it by concern"


def test_private_names_come_only_from_helper_modules() -> None:
    bad = []
    for m in MODULES:
        for target, name, line in imports(m):
            if name is None or not name.startswith("_") or name.startswith("__"):
                continue
            if not target.rpartition(".")[2].startswith("_"):
                bad.append(f"{m}:{line} imports {name} from {target}")
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


def test_no_module_but_ecosystem_touches_its_private_members() -> None:
    tree = ast.parse(MODULES["wpnet.ecosystem"].read_text(encoding="utf-8"))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Ecosystem"]
    private = {
        n.attr
        for n in ast.walk(cls)
        if isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Name)
        and n.value.id == "self"
        and n.attr.startswith("_")
        and not n.attr.startswith("__")
    } | {
        n.name
        for n in cls.body
        if isinstance(n, ast.FunctionDef) and n.name.startswith("_") and not n.name.startswith("__")
    }
    assert "_records" in private  # the collection works
    bad = []
    for m, path in MODULES.items():
        if m == "wpnet.ecosystem":
            continue
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Attribute) and n.attr in private:
                owner = n.value.id if isinstance(n.value, ast.Name) else ""
                if owner not in ("self", "cls"):
                    bad.append(f"{m}:{n.lineno} uses .{n.attr}")
    assert not bad, "private Ecosystem members used outside ecosystem.py:\n" + "\n".join(bad)


def test_no_public_name_shadows_a_submodule() -> None:
    # wpnet.backbone is the function, and stays so once every submodule is imported
    import wpnet

    for m in MODULES:
        importlib.import_module(m)
    for name in wpnet.__all__:
        assert f"wpnet.{name}" not in MODULES, name
    assert callable(wpnet.backbone) and wpnet.backbone.__module__ == "wpnet.graphs"


def test_layers_are_drawn_in_the_docs() -> None:
    doc = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name, prefixes in LAYERS:
        assert name in doc, name
        for prefix in prefixes:
            assert f"`{prefix}`" in doc or f"`{prefix.removeprefix('wpnet.')}`" in doc, prefix
