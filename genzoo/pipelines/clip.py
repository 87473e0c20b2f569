"""What the CLIP buttons do: rank captions for an image (zero-shot classification), with the
project's own CLIP, on an upload or on one of the held-out emoji that ship with the model
(`examples.safetensors`, written at training time). The Gradio tab, the Streamlit page and the
tests call these."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image

from genzoo import hub
from genzoo.hub import load_model
from genzoo.images import InvalidInputError, open_image, to_pil, to_tensor
from genzoo.models.clip import image_embeddings, text_embeddings
from genzoo.settings import EXAMPLE, MODEL, Setting, declare

MAX_CAPTIONS = 50
MAX_CAPTION_CHARACTERS = 300
CAPTIONS = Setting(
    name="captions",
    label="Captions, one per line",
    default="",
    help="CLIP says how well each describes the image.",
)
RANK_EXAMPLE = declare(MODEL, EXAMPLE, CAPTIONS)
"""`rank_captions` on a held-out example."""

# Share links carry these actions' settings (`genzoo.share`).
SHARED_ACTIONS: dict[str, dict[str, Setting]] = {"clip": RANK_EXAMPLE}
DEFAULT_CAPTIONS = (
    "a red apple",
    "a cat face",
    "a grinning face",
    "a blue car",
    "a green tree",
    "a sun",
)


def save_examples(folder: str | Path, images: torch.Tensor, captions: list[str]) -> None:
    """Ship held-out images (in [0, 1]) and their captions with a model."""
    pixels = (images * 255).round().to(torch.uint8)
    hub.save_examples(folder, {"images": pixels}, captions=captions)


@functools.cache
def examples(model: str) -> tuple[torch.Tensor, list[str]]:
    """The held-out images (uint8) and captions shipped with `model`."""
    tensors, facts = hub.load_examples(model)
    return tensors["images"], facts["captions"]


def example_image(model: str, index: int) -> Image.Image:
    images, _ = examples(model)
    return to_pil(images[index % len(images)].float() / 255)


def example_captions(model: str, index: int, count: int = 6) -> str:
    """The example's own caption among others of the held-out set, one per line, shuffled by a
    fixed rule so that the right answer is not always first."""
    _, captions = examples(model)
    others = [captions[(index + 1 + k * 37) % len(captions)] for k in range(count - 1)]
    chosen = others[: index % count] + [captions[index]] + others[index % count :]
    return "\n".join(dict.fromkeys(chosen))


@dataclass
class Ranking:
    captions: list[str]  # best first
    probabilities: list[float]  # softmax over the captions, with the model's temperature

    def as_label(self) -> dict[str, float]:
        return dict(zip(self.captions, self.probabilities, strict=True))


def check_captions(text: str) -> list[str]:
    """One caption per line (blank lines skipped), or a message saying what is wrong."""
    captions = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(captions) < 2:
        raise InvalidInputError(
            "Give at least two captions, one per line, for CLIP to choose from."
        )
    if len(captions) > MAX_CAPTIONS:
        raise InvalidInputError(f"{len(captions)} captions: give at most {MAX_CAPTIONS}.")
    if too_long := [c for c in captions if len(c) > MAX_CAPTION_CHARACTERS]:
        raise InvalidInputError(
            f"A caption is {len(too_long[0])} characters long; keep each under "
            f"{MAX_CAPTION_CHARACTERS}."
        )
    return list(dict.fromkeys(captions))


@torch.no_grad()
def rank_captions(model: str, image, captions: str) -> Ranking:
    """How well each caption (one per line) describes `image`, by the CLIP `model`."""
    options = check_captions(captions)
    clip = load_model(model, family="clip")
    size = clip.config.vision_config.image_size
    pixels = to_tensor(open_image(image, background=255), size, 3, invert=False, background=255)
    logits = (
        clip.logit_scale.exp() * image_embeddings(clip, pixels) @ text_embeddings(clip, options).T
    )
    probabilities = logits.softmax(-1)[0]
    order = probabilities.argsort(descending=True).tolist()
    return Ranking([options[i] for i in order], [float(probabilities[i]) for i in order])
