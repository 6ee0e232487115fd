"""The package's shape, as docs/architecture.md draws it: the pipeline's stages import no
speed machinery, nothing imports upwards, there are no import cycles, and no module or
function outgrows what a reader takes in at once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
# Each layer may import only the layers named for it (and itself); models, errors and config
# are the vocabulary every layer shares.
SHARED = {"models", "errors", "config", "beside", "__init__"}
MAY_IMPORT = {
    "beside": set(),
    "text": {"text"},
    "stages": {"text", "stages"},
    "render": {"text", "stages", "render"},
    "publish": {"text", "render", "publish"},
    "speed": {"text", "stages", "render", "publish", "speed"},
    "tools": {"text", "stages", "render", "publish", "speed", "tools", "pipeline"},
    "pipeline": {"text", "stages", "render", "publish", "speed", "pipeline"},
}
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every generator module this file imports, anywhere in it (lazy imports and imports for
    type checking included), relative to the package."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "generator":
            base = node.module.removeprefix("generator").lstrip(".")
            names.update(f"{base}.{a.name}".lstrip(".") for a in node.names)
            names.add(base)
        elif isinstance(node, ast.Import):
            names.update(a.name.removeprefix("generator.") for a in node.names
                         if a.name.startswith("generator."))
    modules = _modules()
    return {n for n in names if n in modules}


def _layer(module: str) -> str:
    return module.split(".")[0]


GRAPH = {name: _imports(path) - {name} for name, path in _modules().items()}


def test_no_relative_imports_hide_from_this_check() -> None:
    relative = [f"{path.relative_to(PACKAGE)}:{node.lineno}"
                for path in _modules().values()
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.ImportFrom) and node.level > 0]
    assert relative == []


def test_each_layer_imports_only_the_layers_beneath_it() -> None:
    wrong = sorted(f"{module} imports {other}"
                   for module, imported in GRAPH.items() if _layer(module) in MAY_IMPORT
                   for other in imported
                   if _layer(other) not in SHARED
                   and _layer(other) not in MAY_IMPORT[_layer(module)])
    assert wrong == []


def test_there_are_no_import_cycles() -> None:
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for other in sorted(GRAPH[module]):
            if state.get(other) == 1:
                cycles.append(" -> ".join([*path[path.index(other):], other]))
            elif other not in state:
                visit(other, [*path, other])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize("module", sorted(_modules()))
def test_modules_and_functions_stay_small(module: str) -> None:
    path = _modules()[module]
    text = path.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module}: {lines} lines"
    long = [f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno is not None
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []
