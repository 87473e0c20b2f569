"""The explicit table of model families and of the models bundled in `checkpoints/`.

A family names the class that loads its weights; a bundled entry names a folder in
`checkpoints/` and the family it belongs to. The gallery lists models from here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CHECKPOINTS_DIR = Path(
    os.environ.get("GENZOO_CHECKPOINTS", Path(__file__).resolve().parent.parent / "checkpoints")
)


def family_class(family: str) -> type:
    """The class whose `from_pretrained` loads models of `family`."""
    if family == "vae":
        from genzoo.models.vae import VAE

        return VAE
    if family == "dcgan":
        from genzoo.models.dcgan import Generator

        return Generator
    if family == "pix2pix":
        from genzoo.models.pix2pix import UNetGenerator

        return UNetGenerator
    if family == "cyclegan":
        from genzoo.models.cyclegan import CycleGAN

        return CycleGAN
    if family == "clip":
        from transformers import VisionTextDualEncoderModel

        return VisionTextDualEncoderModel
    if family == "text-to-image":
        from diffusers import DiffusionPipeline

        return DiffusionPipeline
    if family == "autoencoder-kl":  # not a gallery family: the text-to-image model's first part
        from diffusers import AutoencoderKL

        return AutoencoderKL
    raise KeyError(f"Unknown model family {family!r}; known: {', '.join(FAMILIES)}.")


FAMILIES = ("vae", "dcgan", "pix2pix", "cyclegan", "text-to-image", "clip")


@dataclass(frozen=True)
class Bundled:
    name: str
    family: str
    title: str

    @property
    def folder(self) -> Path:
        return CHECKPOINTS_DIR / self.name


BUNDLED = {
    entry.name: entry
    for entry in [
        Bundled("vae-fashion-mnist", "vae", "VAE, 2-D latent, Fashion-MNIST"),
        Bundled("vae-mnist", "vae", "VAE, 2-D latent, MNIST digits"),
        Bundled("vae-fashion-mnist-16d", "vae", "VAE, 16-D latent, Fashion-MNIST"),
        Bundled("dcgan-fashion-mnist", "dcgan", "DCGAN, Fashion-MNIST, 32 px"),
        Bundled("dcgan-emoji", "dcgan", "DCGAN, colour emoji, 64 px"),
        Bundled("pix2pix-emoji-line-to-color", "pix2pix", "pix2pix, emoji line art to colour"),
        Bundled(
            "cyclegan-emoji-flat-high-contrast",
            "cyclegan",
            "CycleGAN, flat colour and high-contrast emoji",
        ),
        Bundled("text-to-image-emoji", "text-to-image", "Text to image, emoji, 64 px"),
        Bundled("clip-emoji", "clip", "CLIP, emoji and captions, 64 px"),
    ]
}


def bundled(family: str) -> list[Bundled]:
    """The bundled models of one family whose folders are present, in table order."""
    return [e for e in BUNDLED.values() if e.family == family and e.folder.is_dir()]
