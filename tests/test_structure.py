"""The package's shape: no module of genzoo imports, even inside a function or by a "module:name"
spec that it imports when asked, a module that imports it back; the shared package imports neither
UI; inference never goes through the metrics code; the views use pipelines, not their insides."""

import ast
import re

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
            elif isinstance(node, ast.Constant) and (
                spec := re.fullmatch(r"(genzoo[\w.]*):\w+", str(node.value))
            ):
                found.add(spec[1])
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


METRICS = {"genzoo.evaluation", "genzoo.alignment", "genzoo.retrieval", "genzoo.training"}


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for imported in graph[todo.pop()] - seen:
            seen.add(imported)
            todo.append(imported)
    return seen


def test_inference_never_imports_the_metrics_code():
    graph = genzoo_imports()
    for pipeline in [name for name in graph if name.startswith("genzoo.pipelines.")]:
        assert not reachable(graph, pipeline) & METRICS, pipeline


def view_imports(path) -> list[tuple[str, str]]:
    """(module, name) for every `from genzoo... import name` of a view."""
    return [
        (node.module, alias.name)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("genzoo")
        for alias in node.names
    ]


def test_views_use_the_pipelines_not_their_insides():
    """Views take functions and declared settings from the pipelines, and only what the gallery
    shares (images, cards, the registry, share links) from elsewhere; no private names."""
    views = [*(REPO / "demos").glob("*.py"), *(REPO / "pages").glob("*.py")]
    views += [REPO / "Home.py", *(REPO / "streamlit_gallery").glob("*.py")]
    for path in views:
        for module, name in view_imports(path):
            assert not name.startswith("_"), (path.name, module, name)
            assert not module.startswith(("genzoo.models", "genzoo.data", "genzoo.training")), (
                path.name,
                module,
            )
            assert module not in METRICS, (path.name, module)


def test_no_module_or_script_is_over_400_lines():
    """Small enough to read whole: the package, the training scripts, the views, the benchmarks."""
    for folder in ("genzoo", "training", "demos", "pages", "streamlit_gallery", "benchmarks"):
        for path in (REPO / folder).rglob("*.py"):
            assert len(path.read_text().splitlines()) <= 400, path.relative_to(REPO)
