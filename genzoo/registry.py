"""The explicit tables of model families and of the models bundled in `checkpoints/`.

A family names the class that loads its weights and how the galleries show and train it; a
bundled entry names a folder in `checkpoints/` and the family it belongs to. Both galleries, the
publishing code and the cards read these tables.

A checkout finds them in its `checkpoints/` (or `GENZOO_CHECKPOINTS`). An installed genzoo has no
such folder and takes each model's published copy, `genzoo/<name>` on the Hub, once downloaded
(or from the local Hugging Face cache when offline).
"""

from __future__ import annotations

import functools
import importlib
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


@dataclass(frozen=True)
class Family:
    """A kind of model: what loads it, and how the galleries name, describe and train it."""

    name: str
    title: str  # the home pages' heading
    tab: str  # the Gradio tab's label
    blurb: str  # what a visitor can do with it, in plain words, in a line
    train_command: str  # what makes one: `make ...`
    loader: str  # "module:Class", whose `from_pretrained` loads it
    streamlit_page: str | None  # None: not shown in the galleries
    completer: str | None = None  # "module:function" that writes what a bundled folder leaves out

    def missing_message(self) -> str:
        return (
            f"No {self.tab} model is bundled in checkpoints/: train one with "
            f"`{self.train_command}`."
        )


FAMILY_TABLE = {
    family.name: family
    for family in [
        Family(
            "text-to-image", "Text to image (latent diffusion)", "Text to image",
            "Type a prompt and watch an emoji appear out of noise; redraw a sketch, repaint a part",
            "make train-diffusion", "diffusers:DiffusionPipeline",
            "streamlit_gallery/pages/5_Text_to_image.py",
            "genzoo.models.latent_diffusion:complete_folder",
        ),
        Family(
            "clip", "CLIP", "CLIP", "Show it an emoji: it says which caption fits best",
            "make train-clip",
            "transformers:VisionTextDualEncoderModel", "streamlit_gallery/pages/6_CLIP.py",
            "genzoo.models.clip:complete_folder",
        ),
        Family(
            "vae", "Variational autoencoders", "VAE",
            "Click a map of clothes and digits to see what lives there; morph one into another",
            "make train-vae", "genzoo.models.vae:VAE", "streamlit_gallery/pages/1_VAE.py",
        ),
        Family(
            "dcgan", "DCGAN", "DCGAN",
            "Invent clothes and emoji faces, morph between them, do arithmetic on faces",
            "make train-gan", "genzoo.models.dcgan:Generator", "streamlit_gallery/pages/2_DCGAN.py",
        ),
        Family(
            "pix2pix", "pix2pix", "pix2pix", "Draw line art and see it coloured in",
            "make train-gan", "genzoo.models.pix2pix:UNetGenerator",
            "streamlit_gallery/pages/3_pix2pix.py",
        ),
        Family(
            "cyclegan", "CycleGAN", "CycleGAN",
            "Turn a Twemoji into a Noto emoji and back, learned without pairs",
            "make train-gan", "genzoo.models.cyclegan:CycleGAN",
            "streamlit_gallery/pages/4_CycleGAN.py",
        ),
        Family(  # the text-to-image model's first part
            "autoencoder-kl", "Autoencoder (KL)", "Autoencoder", "Images to latents and back",
            "make train-autoencoder", "diffusers:AutoencoderKL", None,
        ),
    ]
}  # fmt: skip
FAMILIES = tuple(name for name, family in FAMILY_TABLE.items() if family.streamlit_page)
"""The families the galleries show, in their order: the flagship first, so that on a phone its
tab is not behind the tab bar's overflow menu."""


def family_class(family: str) -> type:
    """The class whose `from_pretrained` loads models of `family`."""
    if family not in FAMILY_TABLE:
        raise KeyError(f"Unknown model family {family!r}; known: {', '.join(FAMILY_TABLE)}.")
    return _named(FAMILY_TABLE[family].loader)


def complete_folder(family: str, folder: str | Path) -> None:
    """Write into a saved folder of `family` the files it leaves out because an installed package
    holds them (the text encoder's), so that it loads as a complete, stock model."""
    if FAMILY_TABLE[family].completer and Path(folder).is_dir():
        _named(FAMILY_TABLE[family].completer)(folder)


def _named(spec: str):
    """The object a "module:name" spec names, imported when first asked for (so that the
    registry costs nothing to import)."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


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
        Bundled("dcgan-emoji-faces", "dcgan", "DCGAN, emoji faces, 64 px"),
        Bundled("pix2pix-emoji-line-to-color", "pix2pix", "pix2pix, emoji line art to colour"),
        Bundled("cyclegan-emoji-twemoji-noto", "cyclegan", "CycleGAN, Twemoji and Noto emoji"),
        Bundled("text-to-image-emoji", "text-to-image", "Text to image, emoji, 64 px"),
        Bundled("clip-emoji", "clip", "CLIP, emoji and captions, 64 px"),
        Bundled("autoencoder-emoji", "autoencoder-kl", "Autoencoder, emoji 64 px to 16x16x4"),
    ]
}


def bundled(family: str) -> list[Bundled]:
    """The bundled models of one family that can be loaded here, in table order."""
    return [e for e in BUNDLED.values() if e.family == family and e.available]


if __name__ == "__main__":  # `python -m genzoo.registry`: complete every bundled folder
    for entry in BUNDLED.values():
        if entry.available and FAMILY_TABLE[entry.family].completer:
            complete_folder(entry.family, entry.folder)
            print("completed", entry.folder)
