"""The package's shape: no module of genzoo imports, even inside a function, a module that
imports it back, and the shared package imports neither UI."""

import ast

from tests.conftest import REPO


def genzoo_imports() -> dict[str, set[str]]:
    """Each genzoo module -> the genzoo modules it imports, at the top or anywhere inside."""
    modules = {}
    for path in (REPO / "genzoo").rglob("*.py"):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("genzoo"):
                found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names if alias.name.startswith("genzoo")}
        modules[name] = found
    return {
        name: {m for m in found if m in modules and m != name} for name, found in modules.items()
    }


def test_no_import_circles():
    graph = genzoo_imports()
    done, on_path = set(), []

    def visit(module: str) -> None:
        on_path.append(module)
        for imported in sorted(graph[module]):
            assert imported not in on_path, " -> ".join([*on_path, imported])
            if imported not in done:
                visit(imported)
        on_path.pop()
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module)


def test_the_shared_package_imports_neither_ui():
    for path in (REPO / "genzoo").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] in ("gradio", "streamlit") for n in names), path
