"""A text-to-image model's folder on disk. The text encoder's 91 MB are never copied into
`checkpoints/`: a bundled folder keeps everything but `text_encoder/`, and `complete_folder`
links that in from the installed package, after which the folder is a complete, stock pipeline
that `DiffusionPipeline.from_pretrained` loads without genzoo. A folder pushed to the Hub carries
the real files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from diffusers import DiffusionPipeline

from genzoo.models.latent_diffusion import text_encoder_folder

TEXT_ENCODER_FILES = ("config.json", "model.safetensors")


def save_pipeline(pipeline: DiffusionPipeline, folder: str | Path) -> None:
    """Save a bundled folder: the whole pipeline but the text encoder's files, which
    `complete_folder` links back in from the installed package."""
    folder = Path(folder)
    pipeline.save_pretrained(folder)
    shutil.rmtree(folder / "text_encoder")
    complete_folder(folder)


def complete_folder(folder: str | Path) -> Path:
    """Link the installed text encoder into `folder/text_encoder` (copy where links fail), so
    that stock `DiffusionPipeline.from_pretrained(folder)` finds every part; idempotent."""
    target = Path(folder) / "text_encoder"
    target.mkdir(exist_ok=True)
    for name in TEXT_ENCODER_FILES:
        link, source = target / name, text_encoder_folder() / name
        if link.exists():
            continue
        if link.is_symlink():  # dangling: the package moved
            link.unlink()
        try:
            os.symlink(source, link)
        except OSError:
            shutil.copyfile(source, link)
    return Path(folder)
