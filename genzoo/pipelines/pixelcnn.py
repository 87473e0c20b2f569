"""What each PixelCNN button does: draw images pixel by pixel (watching them grow), complete the
hidden lower part of a picture, and map how surprising each pixel of a picture is to the model.

Each function takes a model reference (a bundled name, a folder or a Hub id; see `genzoo.hub`)
and plain values, checks them, and returns PIL images and numbers. The Gradio tab, the Streamlit
page, the benchmark and the tests all call these same functions.

Drawing is slow (one pixel at a time), so `sample` and `complete` take `on_row`: called after
each row with the rows done, the rows in all and the picture so far, its undrawn pixels in
`UNDRAWN` blue. Raising from it stops the drawing (a Cancel), and the exception propagates.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from genzoo.hub import load_examples, load_model
from genzoo.images import (
    GreyLevels,
    animated_gif,
    check_int,
    grey_levels,
    make_grid,
    to_pil,
    upscale,
)
from genzoo.models.pixelcnn import GatedPixelCNN
from genzoo.provenance import recorded
from genzoo.samplers import autoregressive
from genzoo.settings import EXAMPLE, MODEL, SEED, Setting, declare

ZOOM = 8  # single 28-pixel images are shown 8x larger, with crisp pixels
GRID_WIDTH = 448  # grids of samples are enlarged to about this many pixels across
FIGURE_WIDTH = 960  # the completion figure, a row of pictures, to about this many
UNDRAWN = (52, 101, 164)  # pixels not drawn yet, or hidden from the model: a blue no image has
SCALE_BITS = 12  # the heat map's colours run from 0 bits to this many (and beyond)
HEAT = np.array(  # the heat map's colours from 0 to SCALE_BITS bits, evenly spaced (inferno)
    [(0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164)], dtype=np.float64
)
LEGEND_WIDTH = 72  # the colour scale, right of the heat map
GALLERY = 24  # the examples a picker shows (any shipped one can be picked by number)
GIF_FRAME_MS = 90  # a row of the raster-order animation
GIF_HOLD_FRAMES = 12  # the finished images stay this many frames before the animation loops

COUNT = Setting(
    name="count",
    label="Images",
    default=4,
    low=1,
    high=16,
    step=1,
    help="Drawn together, pixel by pixel: more images take a little longer.",
)
HIDE = Setting(
    name="hide",
    label="Hidden part",
    default=0.5,
    low=0.25,
    high=0.75,
    step=0.05,
    help="How much of the picture is hidden, from the bottom up (0.5: its lower half).",
)
COMPLETIONS = COUNT.but(
    label="Completions",
    high=8,
    help="Each completion draws the hidden rows again, from its own noise.",
)
SAMPLE = declare(MODEL, COUNT, SEED)
COMPLETE_EXAMPLE = declare(MODEL, EXAMPLE, HIDE, COMPLETIONS, SEED)
SURPRISE_EXAMPLE = declare(MODEL, EXAMPLE)

# Share links carry these actions' settings (`genzoo.share`); an upload has no link.
SHARED_ACTIONS: dict[str, dict[str, Setting]] = {
    "pixelcnn": SAMPLE,
    "pixelcnn/complete": COMPLETE_EXAMPLE,
    "pixelcnn/surprise": SURPRISE_EXAMPLE,
}

RowReport = Callable[[int, int, Image.Image], None]
"""`on_row(rows done, rows in all, the picture so far)`; see the module's docstring."""


def pixelcnn(model: str) -> GatedPixelCNN:
    return load_model(model, family="pixelcnn")


@functools.lru_cache(maxsize=16)
def examples(model: str) -> torch.Tensor:
    """The held-out test images a model ships, (N, 1, H, W) uint8."""
    tensors, _ = load_examples(model)
    return tensors["images"]


def example_pixels(model: str, index: int) -> torch.Tensor:
    """Held-out example number `index` (from 0), (1, 1, H, W) uint8."""
    shipped = examples(model)
    index = check_int(EXAMPLE.label, index, 0, len(shipped) - 1)
    return shipped[index : index + 1]


def example_image(model: str, index: int) -> Image.Image:
    """Held-out example number `index` (from 0), as an image."""
    return to_pil(example_pixels(model, index).float() / 255)


def example_gallery(model: str) -> list[Image.Image]:
    """The first `GALLERY` examples, for a picker."""
    return [example_image(model, index) for index in range(min(GALLERY, len(examples(model))))]


def model_input(model: str, image, doing: str) -> GreyLevels:
    """An upload (anything `open_image` takes) fitted to the model. `doing` ("complete") says
    what a flat picture cannot be used for."""
    flat = (
        f"The image is one flat colour: there is nothing to {doing}. Upload a picture of a "
        "single piece of clothing."
    )
    return grey_levels(image, pixelcnn(model).image_size, flat)


def painted(values: torch.Tensor, undrawn: torch.Tensor | None = None) -> torch.Tensor:
    """(N, 1, H, W) uint8 pixels as (N, 3, H, W) in [0, 1], the `undrawn` ones (a boolean mask
    broadcastable to them) in `UNDRAWN` blue."""
    grey = (values.float() / 255).expand(-1, 3, -1, -1)
    if undrawn is None:
        return grey
    blue = torch.tensor(UNDRAWN, dtype=torch.float32).view(1, 3, 1, 1) / 255
    return torch.where(undrawn, blue, grey)


def rows_from(row: int, size: int) -> torch.Tensor:
    """(1, 1, size, 1): True for the rows from `row` down (broadcasts over columns)."""
    return (torch.arange(size) >= row).view(1, 1, size, 1)


def sample_grid(tiles: torch.Tensor) -> Image.Image:
    """(N, 3, H, W) tiles in [0, 1] as a near-square grid, about `GRID_WIDTH` pixels across."""
    rows = max(1, math.isqrt(len(tiles)))
    grid = make_grid(tiles, rows=rows, padding=1)
    return upscale(grid, max(1, GRID_WIDTH // grid.width))


@dataclass(frozen=True)
class Sampling:
    grid: Image.Image  # the finished images
    animation: bytes  # a GIF of the grid as its rows were drawn, in raster order
    count: int
    pixels: int  # in each image
    seconds: float

    def describe(self) -> str:
        """What was drawn, and how long it took (markdown)."""
        images = "1 image" if self.count == 1 else f"{self.count} images"
        return (
            f"{images} of {self.pixels} pixels, each pixel drawn from 256 grey levels given every "
            f"pixel before it (the rows above, then the pixels to its left): "
            f"**{self.seconds:.1f} s**."
        )


@recorded()
def sample(
    model: str,
    count: int = COUNT.default,
    seed: int = SEED.default,
    on_row: RowReport | None = None,
) -> Sampling:
    """`count` images drawn pixel by pixel; the same seed gives the same images anywhere."""
    count, seed = COUNT.check(count), SEED.check(seed)
    net = pixelcnn(model)
    size = net.image_size
    frames = []

    def drawn(done: int, images: torch.Tensor) -> None:
        frames.append(sample_grid(painted(images, rows_from(done, size))))
        if on_row is not None:
            on_row(done, size, frames[-1])

    started = time.perf_counter()
    images = autoregressive.sample(net, count=count, seed=seed, callback=drawn)
    seconds = time.perf_counter() - started
    grid = sample_grid(painted(images))
    frames += [grid] * GIF_HOLD_FRAMES
    animation = animated_gif(frames, GIF_FRAME_MS, back_and_forth=False)
    return Sampling(grid, animation, count, size * size, seconds)


@dataclass(frozen=True)
class Completion:
    """The lectures' occluded-image figure: the picture with its lower part hidden, completions,
    and the picture whole."""

    figure: Image.Image  # hidden (blue) | completions | the original, in a row
    pixels: torch.Tensor  # (count, 1, H, W) uint8: the completions
    given: torch.Tensor  # (1, 1, H, W) uint8: the picture as the model saw it
    visible_rows: int  # the rows kept, from the top
    notes: tuple[str, ...]

    def describe(self) -> str:
        """What was hidden and drawn (markdown)."""
        count, size = len(self.pixels), self.given.shape[-1]
        hidden = size - self.visible_rows
        lines = [
            f"Left: the picture with its lower **{hidden} of {size} rows** hidden (blue). Then "
            f"{count} completion{'s' if count > 1 else ''}: the top {self.visible_rows} rows are "
            "kept exactly, the rest drawn pixel by pixel given everything above and to the "
            "left. Right: the original.",
            *self.notes,
        ]
        return "\n\n".join(lines)


@recorded()
def complete(
    model: str,
    image,
    hide: float = HIDE.default,
    count: int = COMPLETIONS.default,
    seed: int = SEED.default,
    on_row: RowReport | None = None,
) -> Completion:
    """An upload (anything `open_image` takes) with its lower `hide` fraction hidden and drawn
    again `count` times."""
    hide, count, seed = HIDE.check(hide), COMPLETIONS.check(count), SEED.check(seed)
    return completion(model, model_input(model, image, "complete"), hide, count, seed, on_row)


@recorded()
def complete_example(
    model: str,
    example: int = EXAMPLE.default,
    hide: float = HIDE.default,
    count: int = COMPLETIONS.default,
    seed: int = SEED.default,
    on_row: RowReport | None = None,
) -> Completion:
    """Held-out example number `example` with its lower `hide` fraction hidden and drawn again
    `count` times."""
    hide, count, seed = HIDE.check(hide), COMPLETIONS.check(count), SEED.check(seed)
    return completion(model, GreyLevels(example_pixels(model, example)), hide, count, seed, on_row)


def completion(
    model: str, picture: GreyLevels, hide: float, count: int, seed: int, on_row: RowReport | None
) -> Completion:
    """`complete`'s work, on checked values."""
    net = pixelcnn(model)
    size = net.image_size
    visible_rows = size - round(hide * size)
    hidden = rows_from(visible_rows, size).expand(1, 1, size, size)
    given = picture.levels

    def figure(values: torch.Tensor, undrawn: torch.Tensor | None) -> Image.Image:
        tiles = [painted(given, hidden), painted(values, undrawn), painted(given)]
        row = make_grid(torch.cat(tiles), rows=1, padding=2)
        return upscale(row, max(2, FIGURE_WIDTH // row.width))

    def drawn(done: int, images: torch.Tensor) -> None:
        if on_row is not None:
            on_row(done, size, figure(images, hidden & rows_from(done, size)))

    images = autoregressive.sample(
        net, count=count, seed=seed, given=given, visible=~hidden, callback=drawn
    )
    final = figure(images, None)
    return Completion(final, images, given, visible_rows, picture.notes)


@dataclass(frozen=True)
class Surprise:
    input: Image.Image  # the picture as the model saw it, zoomed (the visitor's own)
    heat_map: Image.Image  # -log2 p of each pixel, with its colour scale
    bits: np.ndarray  # (H, W): -log2 p(pixel | the pixels before it)
    bits_per_dim: float  # their mean: -log2 p(image) over its pixels, exact
    notes: tuple[str, ...]

    def describe(self) -> str:
        """The picture's likelihood in sentences (markdown)."""
        row, column = np.unravel_index(int(self.bits.argmax()), self.bits.shape)
        lines = [
            f"**{self.bits_per_dim:.2f} bits per dimension**: the model would store this "
            f"picture in {self.bits.sum():,.0f} bits, {self.bits_per_dim:.2f} a pixel (stored "
            "as they are, 8-bit pixels take 8). Lower is likelier.",
            f"Its most surprising pixel is at row {row + 1}, column {column + 1}: "
            f"{self.bits.max():.1f} bits. Bright on the map is surprising, dark expected.",
            *self.notes,
        ]
        return "\n\n".join(lines)


@recorded()
def surprise(model: str, image) -> Surprise:
    """How surprising each pixel of an upload (anything `open_image` takes) is to the model."""
    return surprise_map(model, model_input(model, image, "measure"))


@recorded()
def surprise_example(model: str, example: int = EXAMPLE.default) -> Surprise:
    """How surprising each pixel of held-out example number `example` is to the model."""
    return surprise_map(model, GreyLevels(example_pixels(model, example)))


def surprise_map(model: str, picture: GreyLevels) -> Surprise:
    """`surprise`'s work, on a fitted picture."""
    net = pixelcnn(model)
    with torch.inference_mode():
        nats = -net.log_prob(picture.levels.to(net.device))[0, 0].double().cpu()
    bits = (nats / math.log(2)).numpy()
    return Surprise(
        input=upscale(to_pil(picture.levels.float() / 255), ZOOM),
        heat_map=heat_map(bits),
        bits=bits,
        bits_per_dim=float(bits.mean()),
        notes=picture.notes,
    )


def heat_colours(bits: np.ndarray) -> np.ndarray:
    """Bits (any shape) as RGB uint8 colours (shape + (3,)) on the `HEAT` scale, clipped at
    `SCALE_BITS`."""
    position = np.clip(bits / SCALE_BITS, 0, 1) * (len(HEAT) - 1)
    low = np.minimum(position.astype(int), len(HEAT) - 2)
    weight = (position - low)[..., None]
    return np.round(HEAT[low] * (1 - weight) + HEAT[low + 1] * weight).astype(np.uint8)


def heat_map(bits: np.ndarray) -> Image.Image:
    """(H, W) bits as a zoomed heat map, its colour scale (0 to `SCALE_BITS`+) on the right."""
    map_ = upscale(Image.fromarray(heat_colours(bits)), ZOOM)
    side = map_.height
    canvas = Image.new("RGB", (side + LEGEND_WIDTH, side), "white")
    canvas.paste(map_, (0, 0))
    top, bottom, left = 26, side - 8, side + 10  # the bar, under its title
    levels = np.linspace(SCALE_BITS, 0, bottom - top)[:, None].repeat(14, 1)
    canvas.paste(Image.fromarray(heat_colours(levels)), (left, top))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=12)
    draw.text((left, 2), "bits", fill="black", font=font)
    for value in range(0, SCALE_BITS + 1, 4):
        y = bottom - value / SCALE_BITS * (bottom - top)
        draw.line([(left + 14, y), (left + 18, y)], fill="black")
        label = f"{value}+" if value == SCALE_BITS else str(value)
        draw.text((left + 21, y), label, fill="black", font=font, anchor="lm")
    return canvas
