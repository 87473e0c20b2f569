"""The model cards and Hub folders that the training scripts write.

What every card says of the run that made it is `run_facts`: title, command, wall time, hardware
and settings. Each family's own part of the card (its summary and notes, from its settings and
measurements) is the module of the family's name: `genzoo.model_cards.vae`, `.dcgan`, `.pix2pix`,
`.cyclegan`, `.clip`, `.autoencoder_kl` and `.text_to_image` (with the inpainting fine-tune's).
`finish_hub_folder` is the last thing every training script does: the card, the settings, the
training curve and time-lapse, and no path of this machine left in a config.

The card's format (front matter, body, sections read back by the gallery) is `genzoo.cards`'.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from torch import nn

from genzoo.cards import CardFacts, write_model_card
from genzoo.history import save_history
from genzoo.hub import TIMELAPSE
from genzoo.system import describe_hardware
from genzoo.training import RunSettings, settings_dict, training_seconds

TIMELAPSE_CAPTION = "How it learned, grid by grid"  # the time-lapse's caption in a card


def run_facts(settings: RunSettings, command: str) -> dict:
    """What every card says of the run that made it: title, command, wall time (every sitting of
    a resumed run counted, as its last checkpoint recorded), hardware, settings. A family's own
    facts complete them into `CardFacts`."""
    return dict(
        title=settings.title,
        command=command,
        wall_time_s=training_seconds(settings.run_path),
        hardware=describe_hardware(),
        training_settings=settings_dict(settings),
    )


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def attribution_notes(attribution: str) -> list[str]:
    """The card's note crediting the data, if its licence asks for one."""
    return [f"Data attribution: {attribution}"] if attribution else []


def finish_hub_folder(folder: str | Path, facts: CardFacts, settings, builds_on: str = "") -> None:
    """The last of every training script: the model card, the settings, the training curve and
    time-lapse (after those of `builds_on`, the model folder the run went on from, if any), and
    the metrics on the console."""
    if save_history(folder, settings.run_path, builds_on):
        facts = replace(facts, images=facts.images | {TIMELAPSE_CAPTION: TIMELAPSE})
    write_model_card(folder, facts)
    save_settings(folder, settings)
    forget_local_paths(folder)
    for metric in facts.metrics:
        reference = "" if metric.reference is None else f" (reference {metric.reference:.4f})"
        print(f"{metric.name}: {metric.value:.4f}{reference}")


def save_settings(folder: str | Path, settings) -> None:
    """`training_config.json` in the Hub folder: every setting of the run that wrote it."""
    config = json.dumps(settings_dict(settings), indent=2)
    (Path(folder) / "training_config.json").write_text(config)


def forget_local_paths(folder: str | Path) -> None:
    """Drop the `_name_or_path` that transformers and diffusers write into configs: where a part
    was loaded from on this machine, which a published folder must not carry."""
    for path in Path(folder).rglob("*.json"):
        if path.is_symlink():  # an installed package's file, linked in (the text encoder)
            continue
        config = json.loads(path.read_text())
        if _drop_key(config, "_name_or_path"):
            path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def _drop_key(value, key: str) -> bool:
    """Remove `key` from every dict inside `value`; whether there was one."""
    found = False
    if isinstance(value, dict):
        found = value.pop(key, None) is not None
        for item in value.values():
            found = _drop_key(item, key) or found
    elif isinstance(value, list):
        for item in value:
            found = _drop_key(item, key) or found
    return found
