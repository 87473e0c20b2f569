"""Each training script's presets: `--preset` fills in every setting it names (a misspelt name is
caught here, where the parser would ignore it), and a flag after it has the last word."""

import importlib

import pytest

from genzoo.training import parse_settings
from tests.helpers import REPO

SCRIPTS = sorted(path.stem for path in (REPO / "training").glob("train_*.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_preset_sets_what_it_names_and_the_command_line_has_the_last_word(script):
    module = importlib.import_module(f"training.{script}")
    for preset, values in module.PRESETS.items():
        settings = parse_settings(module.Settings, module.PRESETS, ["--preset", preset])
        assert {name: getattr(settings, name, "not a setting") for name in values} == values, preset
        more = settings.epochs + 1
        argv = ["--preset", preset, "--epochs", str(more)]
        again = parse_settings(module.Settings, module.PRESETS, argv)
        assert again.epochs == more and again.output_dir == settings.output_dir
