"""What the pix2pix and CycleGAN buttons do: translate an upload or a drawing into another style,
and for CycleGAN go there and back (A -> B -> A).

An upload of any size, aspect or mode is flattened onto white (the emoji background), scaled to
fit and padded to the model's square. Each model ships held-out example pairs
(`examples.safetensors`, written by `save_examples` at training time) for the pickers. The Gradio
tabs, the Streamlit pages, the benchmark and the tests all call these functions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image

from genzoo import hub
from genzoo.data.emoji import STYLES
from genzoo.hub import load_model
from genzoo.images import (
    InvalidInputError,
    check_int,
    for_display,
    is_blank,
    open_drawing,
    open_image,
    to_pil,
    to_tensor,
)
from genzoo.models.cyclegan import CycleGAN
from genzoo.models.pix2pix import UNetGenerator
from genzoo.provenance import recorded
from genzoo.settings import EXAMPLE, MODEL, Setting, declare

WHITE = 255
DIRECTIONS = {"A→B": "a_to_b", "B→A": "b_to_a"}
DIRECTION = Setting("direction", "Direction", "A→B", choices=tuple(DIRECTIONS))
PIX2PIX = declare(MODEL, EXAMPLE)
CYCLEGAN = declare(MODEL, DIRECTION, EXAMPLE)


MIN_INK = 0.05  # the share of pixels an example must draw on, on each side


def save_examples(folder: str | Path, pairs, count: int) -> None:
    """Ship `count` varied held-out pairs (uint8 a, b and their keys) with a model."""
    chosen = varied_examples(pairs, count)
    tensors = {"a": pairs.a[chosen], "b": pairs.b[chosen]}
    hub.save_examples(folder, tensors, keys=[pairs.keys[i] for i in chosen])


def varied_examples(pairs, count: int) -> list[int]:
    """Indices of `count` pairs spread evenly over the key order, so across the Unicode blocks
    (symbols, animals, food, objects...), leaving out pairs where either side is nearly blank."""

    def ink(images: torch.Tensor) -> torch.Tensor:
        return ((WHITE - images.float()).abs().amax(1) > 32).float().mean((1, 2))

    drawn = torch.nonzero((ink(pairs.a) >= MIN_INK) & (ink(pairs.b) >= MIN_INK)).flatten()
    count = min(count, len(drawn))
    return [int(drawn[j * len(drawn) // count]) for j in range(count)]


@dataclass(frozen=True)
class Examples:
    a: torch.Tensor  # (N, 3, S, S) uint8: inputs (pix2pix) or domain A (CycleGAN)
    b: torch.Tensor  # the truth for each: targets (pix2pix) or domain B (CycleGAN)
    keys: list[str]


@functools.lru_cache(maxsize=16)
def examples(model: str) -> Examples:
    tensors, facts = hub.load_examples(model)
    return Examples(tensors["a"], tensors["b"], facts["keys"])


def example_image(model: str, index: int, side: str = "a") -> Image.Image:
    """Held-out example number `index` (from 0) of side "a" or "b", as a PIL image."""
    shipped = examples(model)
    index = check_int(EXAMPLE.label, index, 0, len(shipped.keys) - 1)
    return to_pil(getattr(shipped, side)[index].float() / 255)


def example_for_display(model: str, index: int, side: str = "a") -> Image.Image:
    """An example enlarged like the outputs, e.g. the truth beside a translation."""
    return for_display(example_image(model, index, side))


def example_gallery(model: str, side: str = "a") -> list[Image.Image]:
    """Every shipped example of one side, for a picker."""
    return [example_image(model, index, side) for index in range(len(examples(model).keys))]


@torch.inference_mode()
def translate_batches(net, inputs: torch.Tensor, batch_size: int = 64) -> torch.Tensor:
    """Run a generator (images in [-1, 1] both ways) over images in [0, 1]; outputs in [0, 1]."""
    device = next(net.parameters()).device
    outputs = [net(batch.to(device) * 2 - 1).float().cpu() for batch in inputs.split(batch_size)]
    return (torch.cat(outputs) + 1) / 2


def model_input(source, size: int, drawing: bool = False) -> torch.Tensor:
    """An upload (or a sketch-pad drawing) as a (1, 3, size, size) tensor in [0, 1] on white."""
    image = open_drawing(source) if drawing else open_image(source, background=WHITE)
    if is_blank(image):
        raise InvalidInputError(
            "Nothing is drawn yet: draw on the sketch pad first."
            if drawing
            else "That image is one flat colour: there is nothing to translate."
        )
    return to_tensor(image, size, 3, invert=False, background=WHITE)


def _for_display(image: torch.Tensor) -> Image.Image:
    """A model-sized image enlarged for the page."""
    return for_display(to_pil(image))


@dataclass(frozen=True)
class Translation:
    input: Image.Image  # what the model saw, after fitting
    output: Image.Image


@recorded()
def pix2pix(model: str, source, drawing: bool = False) -> Translation:
    """Translate an upload (a path, bytes, an array) or a sketch-pad drawing with pix2pix."""
    net: UNetGenerator = load_model(model, family="pix2pix")
    inputs = model_input(source, net.image_size, drawing)
    return Translation(_for_display(inputs), _for_display(translate_batches(net, inputs)))


@dataclass(frozen=True)
class RoundTrip:
    input: Image.Image
    translated: Image.Image  # A -> B (or B -> A)
    returned: Image.Image  # back again: A -> B -> A


def domain_names(model: str) -> tuple[str, str]:
    """The styles a CycleGAN translates between, as a visitor knows them: an emoji style's own
    name ("Twemoji" where the config says "emoji-twitter"), else the config's."""
    net: CycleGAN = load_model(model, family="cyclegan")
    return tuple(_style_name(domain) for domain in (net.domain_a, net.domain_b))


def _style_name(folder: str) -> str:
    style = STYLES.get(folder.removeprefix("emoji-"))
    return style.caption if style else folder


@recorded()
def cyclegan(model: str, source, direction: str = DIRECTION.default) -> RoundTrip:
    """Translate an upload one way with CycleGAN, then back the other way."""
    direction = DIRECTION.check(direction)
    net: CycleGAN = load_model(model, family="cyclegan")
    there = DIRECTIONS[direction]
    back = "b_to_a" if there == "a_to_b" else "a_to_b"
    inputs = model_input(source, net.image_size)
    translated = translate_batches(getattr(net, there), inputs)
    returned = translate_batches(getattr(net, back), translated)
    return RoundTrip(_for_display(inputs), _for_display(translated), _for_display(returned))
