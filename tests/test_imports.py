"""The project's modules import one another one way, and use only each other's public names.

Read from the source (`ast`), not by importing it: every import counts, at module level or inside a function
(a lazy import inside a function still closes a cycle, it only hides it until the function runs), and
relative imports are resolved. A cycle is named by its modules; a private name is named with the line that
reaches for it. Only etl/ and dashboard/ are walked: tests and benches may look inside a module.
"""

from __future__ import annotations

import ast
import graphlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("etl", "dashboard")


@dataclass
class Module:
    name: str  # dotted: etl.readers.pdf (a package by its own name, not its __init__)
    path: Path
    imports: dict[str, str] = field(default_factory=dict)  # imported project module -> where (first import)
    private: list[str] = field(default_factory=list)  # "file:line: what" for each use of another's _name


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _modules(root: Path, packages: tuple[str, ...]) -> dict[str, Module]:
    out: dict[str, Module] = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join(parts)
            out[name] = Module(name, path)
    return out


def _base(mod: Module, node: ast.ImportFrom) -> str:
    """The module a `from X import ...` names, with a relative X resolved against `mod`'s package."""
    if not node.level:
        return node.module or ""
    package = mod.name.split(".") if mod.path.name == "__init__.py" else mod.name.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def _dotted(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None for anything that is not a chain of names."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own(scope: ast.AST) -> list[ast.AST]:
    """The nodes of one scope, without those of the functions and classes nested in it (their own scopes;
    the nested definition itself is a name bound here)."""
    out: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        out.append(node)
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return out


def _walk(mod: Module, modules: dict[str, Module], root: Path) -> None:
    """Fill `mod.imports` and `mod.private` from its source, scope by scope: a name refers to a project module
    where the innermost scope binding it binds it by an import of that module (`ocr = RapidOCR()` in a
    function is not the module a sibling function imports as `ocr`)."""
    tree = ast.parse(mod.path.read_text(encoding="utf-8"), filename=str(mod.path))
    rel = mod.path.relative_to(root)

    def scope_of(scope: ast.AST, outer: list[dict[str, str | None]]) -> None:
        names: dict[str, str | None] = {}  # name bound here -> the project module it is, None for anything else
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = scope.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None:
                    names[arg.arg] = None
        nodes = _own(scope)
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    # `import a.b.c` imports a, a.b and a.b.c and binds `a` (or the alias, to a.b.c itself)
                    parts = alias.name.split(".")
                    known = [".".join(parts[:i]) for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules]
                    if known:
                        _edge(mod, known[-1], f"{rel}:{node.lineno}")
                    bound = alias.name if alias.asname else parts[0]
                    names.setdefault(alias.asname or parts[0], bound if bound in modules else None)
            elif isinstance(node, ast.ImportFrom):
                base = _base(mod, node)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    private = f"{rel}:{node.lineno}: from {base} import {alias.name}"
                    if full in modules:  # a submodule: `from etl.readers import pdf`
                        _edge(mod, full, f"{rel}:{node.lineno}")
                        if _is_private(alias.name) and not mod.name.startswith(base + "."):
                            mod.private.append(private)
                    elif base in modules:  # a name defined in a project module
                        _edge(mod, base, f"{rel}:{node.lineno}")
                        if _is_private(alias.name) and base != mod.name:
                            mod.private.append(private)
                    names.setdefault(alias.asname or alias.name, full if full in modules else None)
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                names.setdefault(node.id, None)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler)) and node.name:
                names.setdefault(node.name, None)  # (an `except` without `as` binds nothing)
        chain_of_scopes = [names, *outer]
        for node in nodes:
            if isinstance(node, ast.Attribute) and _is_private(node.attr):
                chain = _dotted(node.value)
                target = None
                for bound in chain_of_scopes if chain else ():
                    if chain[0] in bound:
                        target = bound[chain[0]]
                        break
                if target is None:
                    continue
                target = ".".join([target, *chain[1:]])
                if target in modules and target != mod.name:  # `pdf._grids`, `etl.readers.pdf._grids`
                    mod.private.append(f"{rel}:{node.lineno}: {'.'.join(chain)}.{node.attr}")
            if isinstance(node, _SCOPES):
                scope_of(node, chain_of_scopes)

    scope_of(tree, [])


def _edge(mod: Module, target: str, where: str) -> None:
    if target != mod.name:
        mod.imports.setdefault(target, where)


def _graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Module]:
    modules = _modules(root, packages)
    for mod in modules.values():
        _walk(mod, modules, root)
        mod.private.sort()
    return modules


def _cycles(modules: dict[str, Module]) -> list[list[str]]:
    """Import cycles, each as [a, b, ..., a] with each module importing the next: graphlib finds one; its
    last import is set aside and the search runs again, until no cycle is left (or 20 were found)."""
    graph = {m.name: set(m.imports) for m in modules.values()}
    found: list[list[str]] = []
    while len(found) < 20:
        try:
            graphlib.TopologicalSorter(graph).prepare()
        except graphlib.CycleError as e:
            # each node of the cycle is a predecessor (an import) of the next: reversed, each imports the next
            cycle: list[str] = e.args[1][::-1]
            found.append(cycle)
            graph[cycle[-2]].discard(cycle[-1])
        else:
            break
    return found


def test_the_walk_sees_the_project() -> None:
    modules = _graph()
    assert len(modules) > 50
    assert "etl.readers.docx" in modules["etl.readers.convert"].imports  # imported inside a function
    assert {"etl", "dashboard"} <= {m.split(".")[0] for mod in modules.values() for m in mod.imports}


def test_the_walk_finds_what_it_looks_for(tmp_path: Path) -> None:
    """A package written here with one of each fault, and look-alikes that are none."""
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import helper\n",
        # the cycle closes through a relative import inside a function
        "pkg/b.py": "def helper():\n    from . import c\n    return c\n",
        "pkg/c.py": "import pkg.a\nfrom pkg import a as ay\n\ndef f(rapid):\n    ay._secret()\n"
                    "    pkg.a._other\n    rapid._own()\n    return ay.__name__\n",
        # another's private name imported; its own private names, and a local `b` that is not the module
        "pkg/d.py": "from pkg import b\nfrom pkg.a import _hidden\n_x = 1\n\ndef g():\n    b = object()\n"
                    "    return b._y, _x, _hidden\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    modules = _graph(tmp_path, ("pkg",))
    assert [sorted(set(c)) for c in _cycles(modules)] == [["pkg.a", "pkg.b", "pkg.c"]]
    assert [p for m in modules.values() for p in m.private] == [
        "pkg/c.py:5: ay._secret", "pkg/c.py:6: pkg.a._other", "pkg/d.py:2: from pkg.a import _hidden"]


def test_no_import_cycle() -> None:
    modules = _graph()
    cycles = _cycles(modules)
    assert not cycles, "import cycles (restructure: a shared part goes to a module both import):\n" + "\n".join(
        "  among " + ", ".join(sorted(set(c))) + ": " + "; ".join(f"{a} imports {b} ({modules[a].imports[b]})"
                                                           for a, b in zip(c, c[1:], strict=False))
        for c in cycles)


def test_no_module_uses_another_modules_private_names() -> None:
    found = [p for mod in _graph().values() for p in mod.private]
    assert not found, "private names used across modules (make them public or move them):\n  " + "\n  ".join(found)
