"""What the pix2pix and CycleGAN buttons do: translate an upload or a drawing into another style,
and for CycleGAN go there and back (A -> B -> A) and measure how much the translation changed.

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
DIRECTION = Setting(name="direction", label="Direction", default="A→B", choices=tuple(DIRECTIONS))
PIX2PIX = declare(MODEL, EXAMPLE)
CYCLEGAN = declare(MODEL, DIRECTION, EXAMPLE)

# Share links carry these actions' settings (`genzoo.share`).
SHARED_ACTIONS: dict[str, dict[str, Setting]] = {"pix2pix": PIX2PIX, "cyclegan": CYCLEGAN}


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


def _as_shown(images: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] at the 256 levels a picture shows: what a visitor compares, and no
    rounding error from the model's [-1, 1] counted as a change."""
    return (images.clamp(0, 1) * 255).round() / 255


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


DIFFERENCE_GAIN = 10
"""How many times the difference image brightens |translated - input|: a change of a few percent
of the colour range would be black on black."""


def difference(
    before: torch.Tensor, after: torch.Tensor, gain: float = DIFFERENCE_GAIN
) -> tuple[torch.Tensor, float]:
    """How far `after` is from `before` (images in [0, 1] of one shape, channels first).

    Returns a grey picture of |after - before| (each pixel's mean over its colour channels,
    `gain` times brighter, clipped at white: black where nothing changed) and the mean of
    |after - before| over every pixel and channel, not amplified: 0 for the same picture, 1 for
    black against white."""
    gap = (after - before).abs()
    return (gap.mean(dim=-3, keepdim=True) * gain).clamp(0, 1), float(gap.mean())


def as_percent(share: float) -> str:
    """A share in [0, 1] as a percentage with one decimal; a change too small to show at that
    precision reads "under 0.1%", not "0.0%"."""
    return "under 0.1%" if 0 < share < 0.0005 else f"{share:.1%}"


@dataclass(frozen=True)
class RoundTrip:
    input: Image.Image
    translated: Image.Image  # A -> B (or B -> A)
    returned: Image.Image  # back again: A -> B -> A
    difference: Image.Image  # |translated - input|, DIFFERENCE_GAIN times brighter
    change: float  # the mean of |translated - input|, from 0 to 1 (see `difference`)
    target: str  # the style translated into, as visitors know it ("Noto emoji")
    truth_change: float | None = None  # the same for the true translation, where one is known

    @property
    def summary(self) -> str:
        """The change in a sentence (Markdown), beside the true translation's where there is
        one."""
        changed = as_percent(self.change)
        text = f"The translation changed **{changed}** of the input's colour on average"
        if self.truth_change is not None:
            text += (
                f"; the true {self.target} differs from the input by "
                f"**{as_percent(self.truth_change)}**"
            )
        return text + "."


def domain_names(model: str) -> tuple[str, str]:
    """The styles a CycleGAN translates between, as a visitor knows them: an emoji style's own
    name ("Twemoji" where the config says "emoji-twitter"), else the config's."""
    net: CycleGAN = load_model(model, family="cyclegan")
    return tuple(_style_name(domain) for domain in (net.domain_a, net.domain_b))


def _style_name(folder: str) -> str:
    style = STYLES.get(folder.removeprefix("emoji-"))
    return style.caption if style else folder


def styles(model: str, direction: str) -> tuple[str, str]:
    """The style a direction ("A→B" or "B→A") translates from, and the one it translates into."""
    domain_a, domain_b = domain_names(model)
    if DIRECTIONS[DIRECTION.check(direction)] == "a_to_b":
        return domain_a, domain_b
    return domain_b, domain_a


def direction_name(model: str, direction: str) -> str:
    """A direction as visitors read it: "Twemoji → Noto emoji", not "A→B"."""
    return " → ".join(styles(model, direction))


@dataclass(frozen=True)
class RoundTripLabels:
    """What each picture of a round trip is called on the page, short enough for a phone."""

    input: str
    translated: str
    returned: str
    difference: str
    truth: str


def round_trip_labels(model: str, direction: str) -> RoundTripLabels:
    """The pictures of a round trip named by their styles: "Input (Twemoji)", "As Noto emoji"..."""
    source, target = styles(model, direction)
    return RoundTripLabels(
        input=f"Input ({source})",
        translated=f"As {target}",
        returned=f"Back to {source}",
        difference=f"What changed (×{DIFFERENCE_GAIN})",
        truth=f"True {target}",
    )


@recorded()
def cyclegan(model: str, source, direction: str = DIRECTION.default, truth=None) -> RoundTrip:
    """Translate an upload one way with CycleGAN, then back the other way, and measure how much
    the translation changed it (and how much `truth`, the same picture in the target style,
    differs from it, where that is known)."""
    direction = DIRECTION.check(direction)
    net: CycleGAN = load_model(model, family="cyclegan")
    there = DIRECTIONS[direction]
    back = "b_to_a" if there == "a_to_b" else "a_to_b"
    inputs = model_input(source, net.image_size)
    translated = translate_batches(getattr(net, there), inputs)
    returned = translate_batches(getattr(net, back), translated)
    changed, change = difference(_as_shown(inputs), _as_shown(translated))
    truth_change = None
    if truth is not None:
        _, truth_change = difference(_as_shown(inputs), model_input(truth, net.image_size))
    return RoundTrip(
        _for_display(inputs),
        _for_display(translated),
        _for_display(returned),
        _for_display(changed),
        change,
        target=styles(model, direction)[1],
        truth_change=truth_change,
    )


def cyclegan_example(
    model: str, index: int, direction: str = DIRECTION.default
) -> tuple[RoundTrip, Image.Image]:
    """Held-out example `index` translated one way and back, measured against its true
    translation; and that truth, enlarged like the outputs."""
    side, other = ("a", "b") if DIRECTIONS[DIRECTION.check(direction)] == "a_to_b" else ("b", "a")
    truth = example_image(model, index, other)
    result = cyclegan(model, example_image(model, index, side), direction, truth=truth)
    return result, for_display(truth)
