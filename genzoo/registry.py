"""The explicit tables of model families and of the models bundled in `checkpoints/`.

A family names the class that loads its weights and how the galleries show and train it; a
bundled entry names a folder in `checkpoints/` and the family it belongs to. Both galleries, the
publishing code and the cards read these tables.

A checkout finds them in its `checkpoints/` (or `GENZOO_CHECKPOINTS`). An installed genzoo has no
such folder and takes each model's published copy, `genzoo/<name>` on the Hub, once downloaded
(or from the local Hugging Face cache when offline).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import snapshot_download
from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

REPO = Path(__file__).resolve().parent.parent  # a checkout's root (the files the rows name)
CHECKPOINTS_DIR = Path(os.environ.get("GENZOO_CHECKPOINTS", REPO / "checkpoints"))
HUB_OWNER = "genzoo"  # whose Hub repos hold the published copies of the bundled models


class ModelNotFoundError(RuntimeError):
    """A model reference that resolves to nothing; the message says how to fix it."""


@dataclass(frozen=True)
class Family:
    """A kind of model, in one row: what loads it, the files that show, train, measure and test
    it, and how the galleries name it. Everything else (make targets, share links, the benchmark,
    the README's family table, both galleries' tabs and pages) is derived from these rows."""

    name: str
    title: str  # the home pages' heading
    tab: str  # the Gradio tab's label
    blurb: str  # what a visitor can do with it, in plain words, in a line
    model_class: str  # "module:Class", whose `from_pretrained` loads it
    training_script: str  # a path in the repo, whose PRESETS the presets name
    presets: tuple[str, ...]  # what `make train-<name>` runs, in order; the bundled models' recipes
    actions: str | None = None  # the button functions' module (a path), declaring SHARED_ACTIONS
    demo: str | None = None  # the Gradio tab's module (a path); None: not shown in the galleries
    streamlit_page: str | None = None  # the Streamlit page (a path)
    benchmark: str | None = None  # a path to a module whose `actions(model)` the bench times
    test_fixture: str | None = None  # the tests' fixture that trains a tiny one
    trained_after: tuple[str, ...] = ()  # families `make train-<name>` retrains first
    completer: str | None = None  # "module:function" that writes what a bundled folder leaves out

    @property
    def train_command(self) -> str:
        return f"make train-{self.name}"

    @property
    def shown(self) -> bool:
        """Whether the galleries show it (a family may exist only as another's part)."""
        return self.demo is not None

    def files(self) -> list[str]:
        """Every file the row names, as paths from the repository's root."""
        named = [
            module_path(self.model_class),
            self.training_script,
            self.actions,
            self.demo,
            self.streamlit_page,
            self.benchmark,
        ]
        return [path for path in named if path]

    def missing_message(self) -> str:
        return (
            f"No {self.tab} model is bundled in checkpoints/: train one with "
            f"`{self.train_command}`."
        )


def module_of(path: str) -> str:
    """The importable name of a module the rows name by its path: `genzoo.pipelines.vae`."""
    return path.removesuffix(".py").replace("/", ".")


def module_path(spec: str) -> str | None:
    """The file of a "module:name" spec's module, as a path from the repository's root; None
    for another package's (`diffusers:AutoencoderKL`)."""
    module = spec.partition(":")[0]
    return module.replace(".", "/") + ".py" if module.startswith("genzoo.") else None


FAMILY_TABLE = {
    family.name: family
    for family in [
        Family(
            name="text-to-image",
            title="Text to image (latent diffusion)",
            tab="Text to image",
            blurb=(
                "Type a prompt and watch an emoji appear out of noise; redraw a sketch, "
                "repaint a part"
            ),
            model_class="diffusers:DiffusionPipeline",
            training_script="training/train_text_to_image.py",
            presets=("text-to-image-emoji", "text-to-image-emoji-anneal"),
            actions="genzoo/pipelines/text_to_image.py",
            demo="demos/text_to_image.py",
            streamlit_page="streamlit_gallery/pages/5_Text_to_image.py",
            benchmark="benchmarks/latency/text_to_image.py",
            test_fixture="tiny_text_to_image",
            trained_after=("autoencoder-kl",),
            completer="genzoo.diffusion.folders:complete_folder",
        ),
        Family(
            name="clip",
            title="CLIP",
            tab="CLIP",
            blurb="Show it an emoji: it says which caption fits best",
            model_class="transformers:VisionTextDualEncoderModel",
            training_script="training/train_clip.py",
            presets=("clip-emoji",),
            actions="genzoo/pipelines/clip.py",
            demo="demos/clip.py",
            streamlit_page="streamlit_gallery/pages/6_CLIP.py",
            benchmark="benchmarks/latency/clip.py",
            test_fixture="tiny_clip",
            completer="genzoo.models.clip:complete_folder",
        ),
        Family(
            name="vae",
            title="Variational autoencoders",
            tab="VAE",
            blurb=(
                "Click a map of clothes and digits to see what lives there; morph one into another"
            ),
            model_class="genzoo.models.vae:VAE",
            training_script="training/train_vae.py",
            presets=("vae-fashion-mnist", "vae-fashion-mnist-16d", "vae-mnist"),
            actions="genzoo/pipelines/vae.py",
            demo="demos/vae.py",
            streamlit_page="streamlit_gallery/pages/1_VAE.py",
            benchmark="benchmarks/latency/vae.py",
            test_fixture="tiny_vae",
        ),
        Family(
            name="dcgan",
            title="DCGAN",
            tab="DCGAN",
            blurb="Invent clothes and emoji faces, morph between them, do arithmetic on faces",
            model_class="genzoo.models.dcgan:Generator",
            training_script="training/train_dcgan.py",
            presets=("dcgan-fashion-mnist", "dcgan-emoji-faces"),
            actions="genzoo/pipelines/gan.py",
            demo="demos/dcgan.py",
            streamlit_page="streamlit_gallery/pages/2_DCGAN.py",
            benchmark="benchmarks/latency/dcgan.py",
            test_fixture="tiny_dcgan",
        ),
        Family(
            name="pix2pix",
            title="pix2pix",
            tab="pix2pix",
            blurb="Draw line art and see it coloured in",
            model_class="genzoo.models.pix2pix:UNetGenerator",
            training_script="training/train_pix2pix.py",
            presets=("pix2pix-emoji-line-to-color",),
            actions="genzoo/pipelines/translation.py",
            demo="demos/pix2pix.py",
            streamlit_page="streamlit_gallery/pages/3_pix2pix.py",
            benchmark="benchmarks/latency/pix2pix.py",
            test_fixture="tiny_pix2pix",
        ),
        Family(
            name="cyclegan",
            title="CycleGAN",
            tab="CycleGAN",
            blurb="Turn a Twemoji into a Noto emoji and back, learned without pairs",
            model_class="genzoo.models.cyclegan:CycleGAN",
            training_script="training/train_cyclegan.py",
            presets=("cyclegan-emoji-twemoji-noto",),
            actions="genzoo/pipelines/translation.py",
            demo="demos/cyclegan.py",
            streamlit_page="streamlit_gallery/pages/4_CycleGAN.py",
            benchmark="benchmarks/latency/cyclegan.py",
            test_fixture="tiny_cyclegan",
        ),
        Family(  # trained, not yet shown in the galleries
            name="pixelcnn",
            title="PixelCNN (autoregressive)",
            tab="PixelCNN",
            blurb="Watch clothes drawn pixel by pixel; hide half a picture and see it finished",
            model_class="genzoo.models.pixelcnn:GatedPixelCNN",
            training_script="training/train_pixelcnn.py",
            presets=("pixelcnn-fashion-mnist",),
            test_fixture="tiny_pixelcnn",
        ),
        Family(  # trained, not yet shown in the galleries
            name="flow",
            title="Normalizing flow (Glow)",
            tab="Flow",
            blurb="Turn a picture into noise and back exactly; sample clothes at a temperature",
            model_class="genzoo.models.flow:Glow",
            training_script="training/train_flow.py",
            presets=("flow-fashion-mnist",),
            test_fixture="tiny_flow",
        ),
        Family(  # the text-to-image model's first part, not shown on its own
            name="autoencoder-kl",
            title="Autoencoder (KL)",
            tab="Autoencoder",
            blurb="Images to latents and back",
            model_class="diffusers:AutoencoderKL",
            training_script="training/train_autoencoder.py",
            presets=("autoencoder-emoji", "autoencoder-emoji-decoder"),
            test_fixture="tiny_autoencoder",
        ),
    ]
}
FAMILIES = tuple(name for name, family in FAMILY_TABLE.items() if family.shown)
"""The families the galleries show, in their order: the flagship first, so that on a phone its
tab is not behind the tab bar's overflow menu."""


@dataclass(frozen=True)
class Lab:
    """A tab of the galleries that belongs to no family: it sets several families' models side
    by side (the likelihood lab). Its row names the files that show, share and time it, as a
    family's row does, and the galleries' tabs and pages, share links, the bench and the README
    follow from it in the same way; it loads no model of its own and trains nothing."""

    name: str
    title: str  # its heading (the README's table)
    tab: str  # the Gradio tab's label
    blurb: str  # what a visitor can do with it, in plain words, in a line
    actions: str  # the button functions' module (a path), declaring SHARED_ACTIONS
    demo: str  # the Gradio tab's module (a path)
    streamlit_page: str  # the Streamlit page (a path)
    benchmark: str | None = None  # a path to a module whose `actions()` the bench times

    def files(self) -> list[str]:
        """Every file the row names, as paths from the repository's root."""
        named = [self.actions, self.demo, self.streamlit_page, self.benchmark]
        return [path for path in named if path]


LAB_TABLE = {
    lab.name: lab
    for lab in [
        Lab(
            name="likelihood",
            title="Likelihood lab",
            tab="Likelihood lab",
            blurb=(
                "Score a picture in bits under every likelihood model and under PNG, WebP and "
                "xz; do models of clothes find digits more likely?"
            ),
            actions="genzoo/pipelines/likelihood.py",
            demo="demos/likelihood.py",
            streamlit_page="streamlit_gallery/pages/9_Likelihood_lab.py",
            benchmark="benchmarks/latency/likelihood.py",
        ),
    ]
}
SHOWN: dict[str, Family | Lab] = {name: FAMILY_TABLE[name] for name in FAMILIES} | LAB_TABLE
"""Every tab of the Gradio gallery and page of the Streamlit one, by its id (the share links'
`?tab=`), in their order: the families shown, then the labs."""


def family_class(family: str) -> type:
    """The class whose `from_pretrained` loads models of `family`."""
    if family not in FAMILY_TABLE:
        raise KeyError(f"Unknown model family {family!r}; known: {', '.join(FAMILY_TABLE)}.")
    return _named(FAMILY_TABLE[family].model_class)


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


def train_commands(family: str) -> list[list[str]]:
    """What `make train-<family>` runs: every preset of the families it is trained after, then its
    own, each as its training script's one command (the command its card records)."""
    row = FAMILY_TABLE[family]
    before = [command for name in row.trained_after for command in train_commands(name)]
    return before + [["python", row.training_script, "--preset", preset] for preset in row.presets]


def complete_bundled_folders() -> None:
    """Complete every bundled folder whose family leaves files out (see `complete_folder`)."""
    for entry in BUNDLED.values():
        if entry.available and FAMILY_TABLE[entry.family].completer:
            complete_folder(entry.family, entry.folder)
            print("completed", entry.folder)


def train(family: str, dry_run: bool = False) -> None:
    """Run `train_commands(family)` from the repository's root, with this Python, each echoed."""
    for command in train_commands(family):
        print(" ".join(command), flush=True)
        if not dry_run:
            subprocess.run([sys.executable, *command[1:]], cwd=REPO, check=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m genzoo.registry",
        description="Complete the bundled folders (the default), or retrain a family's models.",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("complete", help="write what the bundled folders leave out")
    retrain = commands.add_parser("train", help="retrain a family's bundled models (make train-*)")
    retrain.add_argument("family", choices=list(FAMILY_TABLE))
    retrain.add_argument("--dry-run", action="store_true", help="print the commands only")
    args = parser.parse_args(argv)
    if args.command == "train":
        train(args.family, args.dry_run)
    else:
        complete_bundled_folders()


if __name__ == "__main__":
    main()
