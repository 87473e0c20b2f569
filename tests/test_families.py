"""One row per family: the registry row names every file a family is made of, and what the house
derives from the rows (make targets, share links, the bench, both galleries' tabs and pages, the
retraining commands the cards record) holds for every row; and likewise for each lab's row (a tab
of no family's)."""

import ast
import importlib
import re
import subprocess
import sys

import pytest

from genzoo import share
from genzoo.registry import (
    BUNDLED,
    FAMILIES,
    FAMILY_TABLE,
    LAB_TABLE,
    SHOWN,
    module_of,
    train_commands,
)
from tests.helpers import REPO

ROWS = list(FAMILY_TABLE.values())
LABS = list(LAB_TABLE.values())


def top_level_names(path: str) -> set[str]:
    """The names a module assigns or defines at its top level, read without importing it."""
    names = set()
    for node in ast.parse((REPO / path).read_text()).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_every_file_a_row_names_exists_and_declares_what_the_house_reads(row):
    for path in row.files():
        assert (REPO / path).is_file(), f"{row.name}: {path} is missing"
    if row.actions:
        assert "SHARED_ACTIONS" in top_level_names(row.actions), row.actions
    if row.demo:
        assert {"render", "build"} <= top_level_names(row.demo), row.demo
    if row.benchmark:
        assert {"actions", "CACHES"} <= top_level_names(row.benchmark), row.benchmark
    assert hasattr(importlib.import_module(row.model_class.partition(":")[0]), "__file__")


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.name)
def test_every_file_a_lab_names_exists_and_declares_what_the_house_reads(lab):
    assert lab.name not in FAMILY_TABLE, "a lab's name is a tab id, as a family's is"
    for path in lab.files():
        assert (REPO / path).is_file(), f"{lab.name}: {path} is missing"
    assert "SHARED_ACTIONS" in top_level_names(lab.actions), lab.actions
    assert {"render", "build"} <= top_level_names(lab.demo), lab.demo
    if lab.benchmark:
        assert {"actions", "CACHES"} <= top_level_names(lab.benchmark), lab.benchmark


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_each_preset_is_one_its_training_script_declares(row):
    script = importlib.import_module(module_of(row.training_script))
    assert row.presets and set(row.presets) <= set(script.PRESETS), (row.name, list(script.PRESETS))


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_the_test_fixture_a_row_names_is_a_fixture_of_the_tests(row):
    defined = set()
    for path in (REPO / "tests").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                "fixture" in ast.unparse(decorator) for decorator in node.decorator_list
            ):
                defined.add(node.name)
    assert row.test_fixture in defined, row.name


def recorded_commands(model: str) -> list[str]:
    """The training commands a bundled model's card records, one per sitting's recipe."""
    card = (BUNDLED[model].folder / "README.md").read_text()
    return list(
        dict.fromkeys(re.findall(r"^- command: (python training/\S+ --preset \S+)", card, re.M))
    )


@pytest.mark.parametrize("model", list(BUNDLED))
def test_make_train_reproduces_the_commands_each_bundled_card_records(model):
    commands = [" ".join(command) for command in train_commands(BUNDLED[model].family)]
    recorded = recorded_commands(model)
    assert recorded, f"{model}'s card records no command"
    assert set(recorded) <= set(commands), (model, recorded, commands)


def test_make_targets_come_from_the_rows():
    for row in ROWS:
        train = subprocess.run(
            ["make", "-n", f"train-{row.name}"], cwd=REPO, capture_output=True, text=True
        )
        assert f"-m genzoo.registry train {row.name}" in train.stdout, train.stderr
    for name in FAMILIES:
        demo = subprocess.run(["make", "-n", f"demo-{name}"], cwd=REPO, capture_output=True)
        assert f"-m demos {name}".encode() in demo.stdout, demo.stderr
    dry_run = subprocess.run(
        [sys.executable, "-m", "genzoo.registry", "train", "text-to-image", "--dry-run"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert dry_run.stdout.splitlines() == [" ".join(c) for c in train_commands("text-to-image")]
    assert dry_run.stdout.index("train_autoencoder.py") < dry_run.stdout.index("text_to_image.py")


def test_share_links_the_bench_and_the_gradio_tabs_take_every_shown_family_from_its_row():
    from benchmarks.bench import benchmark_modules
    from demos.app import TABS

    assert list(SHOWN) == [*FAMILIES, *LAB_TABLE]
    assert list(TABS) == ["models", *SHOWN]
    assert list(benchmark_modules()) == list(SHOWN)
    for name, row in SHOWN.items():
        assert name in share.ACTIONS, f"no share link opens the {name} tab"
        actions = importlib.import_module(module_of(row.actions)).SHARED_ACTIONS
        assert all(share.ACTIONS[action] is actions[action] for action in actions)
        assert TABS[name][1].__name__ == module_of(row.demo)


def adding_a_family_paths() -> list[str]:
    """The files the README's "Adding a family" says to write, for its example family `flow`."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Adding a family", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`([\w/]+\.py)`", section)


def test_adding_a_family_names_exactly_the_files_a_row_names():
    """Every file a shown family's row names is one the README tells a newcomer to write, and
    every file it tells them to write is one that a row, or the tests, name."""
    patterns = {
        path: re.compile(
            re.escape(path).replace("flow", r"\w+").replace("Flow", r"\w+").replace("7", r"\d+")
        )
        for path in adding_a_family_paths()
    }
    named = [path for name in FAMILIES for path in FAMILY_TABLE[name].files()]
    for path in named:
        assert any(p.fullmatch(path) for p in patterns.values()), f"not in the README: {path}"
    ours = ("genzoo", "demos", "streamlit_gallery", "training", "benchmarks", "tests")
    files = [str(p.relative_to(REPO)) for folder in ours for p in (REPO / folder).rglob("*.py")]
    for path, pattern in patterns.items():
        exists = any(pattern.fullmatch(file) for file in files)
        assert exists, f"the README names {path}, which no family has"
