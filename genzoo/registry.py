"""The explicit table of model families and of the models bundled in `checkpoints/`.

A family names the class that loads its weights; a bundled entry names a folder in
`checkpoints/` and the family it belongs to. The gallery lists models from here.

A checkout finds them in its `checkpoints/` (or `GENZOO_CHECKPOINTS`). An installed genzoo has no
such folder and takes each model's published copy, `genzoo/<name>` on the Hub, once downloaded
(or from the local Hugging Face cache when offline).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import snapshot_download
from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

CHECKPOINTS_DIR = Path(
    os.environ.get("GENZOO_CHECKPOINTS", Path(__file__).resolve().parent.parent / "checkpoints")
)
HUB_OWNER = "genzoo"  # whose Hub repos hold the published copies of the bundled models


class ModelNotFoundError(RuntimeError):
    """A model reference that resolves to nothing; the message says how to fix it."""


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
    def repo_id(self) -> str:
        return repo_id(self.name)

    @property
    def folder(self) -> Path:
        """The model's files: the checkout's, else the published copy (see the docstring)."""
        local = CHECKPOINTS_DIR / self.name
        if local.is_dir():
            return local
        try:
            return _published_copy(self.repo_id)
        except (LocalEntryNotFoundError, HfHubHTTPError, OSError) as error:
            raise ModelNotFoundError(
                f"The bundled model {self.name!r} is not in {CHECKPOINTS_DIR} and its published "
                f"copy {self.repo_id} could not be fetched ({type(error).__name__}). In a "
                f"checkout, restore it with `git checkout -- checkpoints/{self.name}`; an "
                "installed genzoo takes it from the Hub (unset HF_HUB_OFFLINE, or set it to 0), "
                "or from a checkout's folder named by GENZOO_CHECKPOINTS."
            ) from error

    @property
    def available(self) -> bool:
        try:
            return self.folder.is_dir()
        except ModelNotFoundError:
            return False


@functools.cache
def _published_copy(repo: str) -> Path:
    return Path(snapshot_download(repo))


def repo_id(name: str, owner: str = HUB_OWNER) -> str:
    """The Hub repo of a bundled model's published copy."""
    return f"{owner}/{name}"


def dataset_repo_id(source: str | Path, owner: str = HUB_OWNER) -> str:
    """The Hub dataset a training source is published as: a folder built by `genzoo.data`
    (`data/emoji-google`) as `<owner>/<folder name>`; a source that is no folder is a Hub id
    already."""
    return f"{owner}/{Path(source).name}" if Path(source).is_dir() else str(source)


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
        Bundled("autoencoder-emoji", "autoencoder-kl", "Autoencoder, emoji 64 px to 16x16x4"),
    ]
}


def bundled(family: str) -> list[Bundled]:
    """The bundled models of one family that can be loaded here, in table order."""
    return [e for e in BUNDLED.values() if e.family == family and e.available]
