"""The package's shape: no module of genzoo imports, even inside a function or by a "module:name"
spec that it imports when asked, a module that imports it back; the shared package imports neither
UI nor the visitors' words; inference never goes through the metrics code; the views use pipelines,
not their insides. And the code is written to be read: `# fmt: skip` only on tables of data, and
functions short enough to take in at once, except a view's declared layout."""

import ast
import io
import re
import tokenize

from genzoo.registry import FAMILY_TABLE, LAB_TABLE, module_of
from tests.helpers import REPO

CODE = ("genzoo", "training", "demos", "streamlit_gallery", "benchmarks", "words")


def code_files() -> list:
    """Every Python file of the package, the scripts, the views, the benchmarks and the words."""
    return [REPO / "Home.py", *(path for folder in CODE for path in (REPO / folder).rglob("*.py"))]


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
    # share links import every family's and lab's actions module by the path its row names
    rows = [*FAMILY_TABLE.values(), *LAB_TABLE.values()]
    actions = {module_of(row.actions) for row in rows if row.actions}
    modules["genzoo.share"] |= actions
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


def test_the_shared_package_imports_neither_ui_nor_the_visitors_words():
    for path in (REPO / "genzoo").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] in ("gradio", "streamlit", "words") for n in names), path


METRICS = {
    "genzoo.evaluation",
    "genzoo.alignment",
    "genzoo.inpainting_evaluation",
    "genzoo.retrieval",
    "genzoo.training",
}


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
    views = [REPO / "Home.py", *(REPO / "demos").glob("*.py")]
    views += [*(REPO / "streamlit_gallery").rglob("*.py"), *(REPO / "words").glob("*.py")]
    for path in views:
        for module, name in view_imports(path):
            assert not name.startswith("_"), (path.name, module, name)
            assert not module.startswith(("genzoo.models", "genzoo.data", "genzoo.training")), (
                path.name,
                module,
            )
            assert module not in METRICS, (path.name, module)


TABLES = (ast.Dict, ast.List, ast.Tuple, ast.Set)


def statements(tree: ast.AST) -> list[ast.stmt]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]


def test_no_fmt_skip_outside_tables_of_data():
    """`# fmt: skip` keeps a table's rows as they are typed: it may end only an assignment of a
    dict, list, tuple or set display (`# fmt: off` may not be used)."""
    misplaced = []
    for path in code_files():
        source = path.read_text()
        tree = ast.parse(source)
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.COMMENT or not re.search(r"fmt:\s*(skip|off)", token.string):
                continue
            line = token.start[0]
            ending = [node for node in statements(tree) if node.end_lineno == line]
            statement = min(ending, key=lambda node: line - node.lineno, default=None)
            table = isinstance(statement, ast.Assign | ast.AnnAssign) and isinstance(
                statement.value, TABLES
            )
            if "off" in token.string or not table:
                misplaced.append(f"{path.relative_to(REPO)}:{line}")
    assert not misplaced, misplaced


MAX_FUNCTION_LINES = 60


def is_declared_layout(path, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A view's layout reads top to bottom as the page shows it: a demo's `render`, and a
    Streamlit page (the home page and each page of the gallery)."""
    if path.parent == REPO / "demos":
        return function.name == "render"
    return path == REPO / "Home.py" or path.parent == REPO / "streamlit_gallery" / "pages"


def test_functions_are_60_lines_or_fewer():
    """Short enough to take in at once, docstring included; a long one is split along a seam."""
    long = []
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES and not is_declared_layout(path, node):
                long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, long


def test_settings_and_family_rows_are_filled_by_keyword():
    """A `Setting(...)` or `Family(...)` names every field it fills, so a row reads on its own."""
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                "Setting",
                "Family",
            ):
                assert not node.args, f"{path.relative_to(REPO)}:{node.lineno}"
