"""What each flow button does: sample at a temperature, encode an image to its latent z and back
exactly (with its bits per dimension), and interpolate between two images in z.

Each function takes a model reference (a bundled name, a folder or a Hub id; see `genzoo.hub`)
and plain values, checks them, and returns PIL images and numbers. The Gradio tab, the Streamlit
page, the benchmark and the tests all call these same functions.

An image reaches the flow as the model was trained on it: 28x28 grey at 8 bits, each level k at
the middle of its dequantisation bin, (k + 0.5) / 256, where the model's density lives.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
from PIL import Image

from genzoo.hub import load_examples, load_model
from genzoo.images import (
    GreyLevels,
    InvalidInputError,
    check_int,
    grey_levels,
    make_grid,
    to_pil,
    upscale,
)
from genzoo.likelihood import card_bits_per_dim
from genzoo.models.flow import LEVELS_OF_BITS, Glow
from genzoo.provenance import recorded
from genzoo.settings import EXAMPLE, MODEL, SEED, Setting, declare

ZOOM = 4  # single 28-pixel images are shown 4x larger, with crisp pixels
LATENT_TILE = 56  # each channel of z is shown this many pixels across, whatever its level's size
LATENT_RANGE = 3.0  # z is drawn from -3 (black) through 0 (mid-grey) to +3 (white)
LATENT_CAPTION = "Its latent z, a row per level, coarsest first: grey 0, white +3, black −3"
GALLERY = 24  # the examples a picker shows (any shipped one can be picked by number)

TEMPERATURE = Setting(
    name="temperature",
    label="Temperature T",
    default=0.7,
    low=0.0,
    high=1.5,
    step=0.05,
    help="The latent's noise times T. About 0.7 looks best (as in the Glow paper); 1 is the "
    "model's own samples; 0 gives every seed the same, most likely-looking image.",
)
COUNT = Setting(name="count", label="Samples", default=16, low=1, high=64, step=1)
FIRST = EXAMPLE.but(name="first", label="First example")
SECOND = EXAMPLE.but(name="second", label="Second example", default=1)
STEPS = Setting(
    name="steps",
    label="Steps",
    default=8,
    low=2,
    high=24,
    step=1,
    help="Images along the straight line between the two latents, both ends included.",
)
SAMPLE = declare(MODEL, TEMPERATURE, COUNT, SEED)
ENCODE_EXAMPLE = declare(MODEL, EXAMPLE)
INTERPOLATE_EXAMPLES = declare(MODEL, FIRST, SECOND, STEPS)

# Share links carry these actions' settings (`genzoo.share`).
SHARED_ACTIONS: dict[str, dict[str, Setting]] = {
    "flow": SAMPLE,
    "flow/encode": ENCODE_EXAMPLE,
    "flow/interpolate": INTERPOLATE_EXAMPLES,
}


def glow(model: str) -> Glow:
    return load_model(model, family="flow")


@functools.lru_cache(maxsize=16)
def examples(model: str) -> torch.Tensor:
    """The held-out test images a model ships, (N, 1, H, W) uint8."""
    tensors, _ = load_examples(model)
    return tensors["images"]


def example_image(model: str, index: int, label: str = EXAMPLE.label) -> Image.Image:
    """Held-out example number `index` (from 0), as an image; `label` names it in a message."""
    shipped = examples(model)
    index = check_int(label, index, 0, len(shipped) - 1)
    return to_pil(shipped[index].float() / 255)


def example_gallery(model: str) -> list[Image.Image]:
    """The first `GALLERY` examples, for a picker."""
    return [example_image(model, index) for index in range(min(GALLERY, len(examples(model))))]


@recorded()
def sample(
    model: str,
    temperature: float = TEMPERATURE.default,
    count: int = COUNT.default,
    seed: int = SEED.default,
) -> Image.Image:
    """A grid of `count` decodings of z ~ N(0, T^2 I); the same seed gives the same grid
    anywhere."""
    temperature, count = TEMPERATURE.check(temperature), COUNT.check(count)
    seed = SEED.check(seed)
    with torch.inference_mode():
        images = glow(model).sample(count, temperature, torch.Generator().manual_seed(seed))
    rows = max(1, int(count**0.5))
    return upscale(make_grid(as_shown(images), rows=rows, padding=1), 2)


def bin_centres(levels: torch.Tensor) -> torch.Tensor:
    """8-bit levels at the middle of their dequantisation bins, (k + 0.5) / 256: where the
    model's density lives."""
    return (levels.float() + 0.5) / LEVELS_OF_BITS


def as_shown(x: torch.Tensor) -> torch.Tensor:
    """The flow's pixels (in [0, 1], an 8-bit level k anywhere in [k / 256, (k + 1) / 256)) as
    the 8-bit levels they fall in, in [0, 1] for a picture: a decoded image shows exactly the
    levels it was encoded from."""
    return (x.float() * LEVELS_OF_BITS).floor().clamp(0, LEVELS_OF_BITS - 1) / (LEVELS_OF_BITS - 1)


def model_input(net: Glow, image, name: str = "") -> GreyLevels:
    """An upload (anything `open_image` takes) fitted to the (grey) model; `name` ("first")
    says which image a message is about."""
    which = f"The {name} image" if name else "The image"
    flat = f"{which} is one flat colour: there is nothing to encode."
    try:
        return grey_levels(image, net.image_size, flat)
    except InvalidInputError as error:
        if not name or str(error) == flat:
            raise
        raise InvalidInputError(f"{which}: {error}") from None


@dataclass(frozen=True)
class Encoding:
    input: Image.Image  # what the model sees, zoomed (the visitor's own: not stamped)
    latent: Image.Image  # z, level by level (`latent_picture`)
    reconstruction: Image.Image  # decode(encode(x)), zoomed
    max_error: float  # the largest |decode(encode(x)) - x| over the pixels, in [0, 1]
    bits_per_dim: float  # under the model, one seeded dequantisation
    dimensions: int
    latent_mean: float
    latent_std: float
    test_bits_per_dim: float | None  # the model card's test-split figure, if it has one
    notes: tuple[str, ...]  # what was done to fit the image

    def describe(self) -> str:
        """The round trip and the likelihood in sentences (markdown)."""
        test = (
            f" (its test images average {self.test_bits_per_dim:.2f})"
            if self.test_bits_per_dim is not None
            else ""
        )
        exact = self.max_error < 0.5 / LEVELS_OF_BITS  # every pixel stays in its 8-bit level
        lines = [
            f"**{'Back exactly' if exact else 'Not back exactly'}:** to {self.dimensions} latent "
            f"numbers and back, the largest pixel error is **{self.max_error:.1e}** (pixels "
            "from 0 to 1): "
            + ("float32 rounding, nothing lost." if exact else "more than half an 8-bit level."),
            f"The latent's numbers have mean {self.latent_mean:.2f} and standard deviation "
            f"{self.latent_std:.2f}; under the model they are standard normal (0 and 1).",
            f"Under the model this image costs **{self.bits_per_dim:.2f} bits per dimension**"
            f"{test}: lower is likelier.",
            *self.notes,
        ]
        return "\n\n".join(lines)


@recorded()
def encode(model: str, image) -> Encoding:
    """An upload (anything `open_image` takes) to its latent z and back, with its bits per
    dimension."""
    net = glow(model)
    fitted = model_input(net, image)
    x = bin_centres(fitted.levels).to(net.device)
    with torch.inference_mode():
        latents = net.encode(x)
        reconstruction = net.decode(latents)
        bits = net.bits_per_dim(fitted.levels.to(net.device), torch.Generator().manual_seed(0))
    flat = torch.cat([z.flatten() for z in latents]).double()
    return Encoding(
        input=upscale(to_pil(fitted.levels.float() / 255), ZOOM),
        latent=latent_picture(latents),
        reconstruction=upscale(to_pil(as_shown(reconstruction)), ZOOM),
        max_error=float((reconstruction - x).abs().max()),
        bits_per_dim=float(bits[0]),
        dimensions=flat.numel(),
        latent_mean=float(flat.mean()),
        latent_std=float(flat.std()),
        test_bits_per_dim=card_bits_per_dim(model),
        notes=fitted.notes,
    )


def latent_picture(latents: list[torch.Tensor]) -> Image.Image:
    """One image's latent, a row per level (coarsest first), each channel a tile `LATENT_TILE`
    pixels across: mid-grey is 0, white +3 and black -3 (or beyond)."""
    rows = []
    for z in latents:
        shades = (z[0].float().cpu().clamp(-LATENT_RANGE, LATENT_RANGE) / LATENT_RANGE + 1) / 2
        row = make_grid(shades.unsqueeze(1), rows=1, padding=1)  # a tile per channel
        rows.append(upscale(row, math.ceil(LATENT_TILE / z.shape[-1])))
    gap = 8
    height = sum(row.height for row in rows) + gap * (len(rows) - 1)
    canvas = Image.new("L", (max(row.width for row in rows), height), 255)
    top = 0
    for row in rows:
        canvas.paste(row, (0, top))
        top += row.height + gap
    return canvas


@recorded()
def interpolate(model: str, image_a, image_b, steps: int = STEPS.default) -> Image.Image:
    """A strip of `steps` decodings along the straight line from A's latent to B's: both ends
    are the images themselves, decoded back exactly."""
    steps = STEPS.check(steps)
    net = glow(model)
    named = (("first", image_a), ("second", image_b))
    x = torch.cat([bin_centres(model_input(net, image, name).levels) for name, image in named]).to(
        net.device
    )
    with torch.inference_mode():
        ends = net.encode(x)
        weights = torch.linspace(0, 1, steps, device=net.device).view(-1, 1, 1, 1)
        images = net.decode([z[:1] * (1 - weights) + z[1:] * weights for z in ends])
    return upscale(make_grid(as_shown(images), rows=1, padding=2), 3)
