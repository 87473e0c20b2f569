"""What each VAE button does: the latent manifold, the map of the test set, encoding an upload,
decoding a point, sampling the prior and interpolating between two images.

Each function takes a model reference (a bundled name, a folder or a Hub id; see `genzoo.hub`)
and plain values, checks them, and returns PIL images and numbers. The Gradio tab, the Streamlit
page, the benchmark and the tests all call these same functions.

Models with more than two latent dimensions are shown on their principal plane: the plane through
the mean of the test-set encodings spanned by their first two principal components.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from genzoo.hub import load_examples, load_model
from genzoo.images import (
    InvalidInputError,
    check_int,
    is_blank,
    make_grid,
    open_image,
    to_pil,
    to_tensor,
    upscale,
)
from genzoo.models.vae import VAE
from genzoo.provenance import recorded
from genzoo.settings import MODEL, SEED, Setting, declare

ZOOM = 4  # single 28-pixel images are shown 4x larger, with crisp pixels
MAP_SIZE = 480  # the square plot, in pixels
LEGEND_WIDTH = 110  # the class legend, right of the plot
PALETTE = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
]


GRID_SIZE = Setting(name="n", label="Grid size (n x n)", default=20, low=2, high=40, step=1)
SPAN = Setting(
    name="span", label="Span (± around the centre)", default=3.0, low=0.1, high=6.0, step=0.1
)
CENTER_X = Setting(name="center_x", label="Centre x", default=0.0, low=-5.0, high=5.0, step=0.1)
CENTER_Y = CENTER_X.but(name="center_y", label="Centre y")
X = Setting(name="x", label="x", default=0.0, low=-6.0, high=6.0, step=0.05)
Y = X.but(name="y", label="y")
COUNT = Setting(name="count", label="Samples from the prior", default=16, low=1, high=64, step=1)
STEPS = Setting(name="steps", label="Steps", default=10, low=2, high=32, step=1)
MANIFOLD = declare(MODEL, GRID_SIZE, SPAN, CENTER_X, CENTER_Y)
DECODE = declare(MODEL, X, Y)
SAMPLE = declare(MODEL, COUNT, SEED)

# Share links carry these actions' settings (`genzoo.share`).
SHARED_ACTIONS: dict[str, dict[str, Setting]] = {
    "vae": MANIFOLD,
    "vae/decode": DECODE,
    "vae/sample": SAMPLE,
}


def vae(model: str) -> VAE:
    return load_model(model, family="vae")


@dataclass(frozen=True)
class Examples:
    """Held-out test images shipped with a model, their labels and where they encode."""

    images: torch.Tensor  # (N, C, H, W) float in [0, 1]
    labels: np.ndarray  # (N,)
    class_names: list[str]
    plane: np.ndarray  # (N, 2) encodings on the latent plane
    origin: torch.Tensor  # (D,) the plane's origin in latent space
    axes: torch.Tensor  # (2, D) the plane's directions

    def to_latent(self, points: torch.Tensor) -> torch.Tensor:
        """(M, 2) points on the plane -> (M, D) latents."""
        return self.origin + points @ self.axes

    def to_plane(self, latents: torch.Tensor) -> torch.Tensor:
        return (latents - self.origin) @ self.axes.T


@functools.lru_cache(maxsize=16)
def examples(model: str) -> Examples:
    """The examples of a model, encoded once per process."""
    net = vae(model)
    tensors, _ = load_examples(model)
    images = tensors["images"].float() / 255.0
    with torch.inference_mode():
        means = torch.cat([net.encode(batch)[0] for batch in images.split(1000)])
    if net.latent_dim == 2:
        origin, axes = torch.zeros(2), torch.eye(2)
    else:
        origin = means.mean(0)
        _, _, components = torch.linalg.svd(means - origin, full_matrices=False)
        axes = components[:2]
    plane = ((means - origin) @ axes.T).numpy()
    return Examples(images, tensors["labels"].numpy(), net.class_names, plane, origin, axes)


@recorded()
def manifold(
    model: str,
    n: int = GRID_SIZE.default,
    span: float = SPAN.default,
    center_x: float = CENTER_X.default,
    center_y: float = CENTER_Y.default,
) -> Image.Image:
    """An n x n grid of decodings over [center - span, center + span] on the latent plane."""
    n, span = GRID_SIZE.check(n), SPAN.check(span)
    center_x, center_y = CENTER_X.check(center_x), CENTER_Y.check(center_y)
    ticks = torch.linspace(-span, span, n)
    ys, xs = torch.meshgrid(center_y - ticks, center_x + ticks, indexing="ij")  # top row = +y
    points = torch.stack([xs.flatten(), ys.flatten()], 1)
    with torch.inference_mode():
        images = vae(model).decode(examples(model).to_latent(points))
    return make_grid(images, rows=n)


@dataclass(frozen=True)
class Encoding:
    input: Image.Image  # what the model saw, zoomed
    reconstruction: Image.Image  # zoomed
    point: tuple[float, float]  # where it lands on the latent plane
    latent: list[float]

    def describe(self) -> str:
        """Where it lands, in a sentence of two-decimal numbers (markdown)."""
        x, y = self.point
        code = ", ".join(f"{value:.2f}" for value in self.latent)
        return (
            f"Lands at **({x:.2f}, {y:.2f})** on the map. Its {len(self.latent)}-D code: ({code})."
        )


@recorded()
def encode(model: str, image) -> Encoding:
    """Encode an upload or drawing (anything `open_image` takes): its reconstruction and point."""
    picture = open_image(image)
    if is_blank(picture):
        raise InvalidInputError("The image is blank: draw or upload something first.")
    net = vae(model)
    x = to_tensor(picture, net.image_size, net.in_channels)
    with torch.inference_mode():
        mean, _ = net.encode(x)
        reconstruction = net.decode(mean)
    x_plane, y_plane = examples(model).to_plane(mean)[0].tolist()
    return Encoding(
        upscale(to_pil(x), ZOOM),
        upscale(to_pil(reconstruction), ZOOM),
        (x_plane, y_plane),
        mean[0].tolist(),
    )


@recorded()
def decode(model: str, x: float, y: float) -> Image.Image:
    """Decode the point (x, y) of the latent plane."""
    x, y = X.check(x), Y.check(y)
    with torch.inference_mode():
        image = vae(model).decode(examples(model).to_latent(torch.tensor([[x, y]])))
    return upscale(to_pil(image), ZOOM)


@recorded()
def sample(model: str, count: int = COUNT.default, seed: int = SEED.default) -> Image.Image:
    """A grid of `count` decodings of z ~ N(0, I); the same seed gives the same grid anywhere."""
    count, seed = COUNT.check(count), SEED.check(seed)
    net = vae(model)
    z = torch.randn(count, net.latent_dim, generator=torch.Generator().manual_seed(seed))
    with torch.inference_mode():
        images = net.decode(z)
    rows = max(1, int(count**0.5))
    return upscale(make_grid(images, rows=rows, padding=1), 2)


def example_image(model: str, index: int) -> Image.Image:
    """Test-set example number `index`, as an image."""
    found = examples(model)
    index = check_int("Test-set index", index, 0, len(found.images) - 1)
    return to_pil(found.images[index])


@recorded()
def interpolate(model: str, image_a, image_b, steps: int = STEPS.default) -> Image.Image:
    """A strip: input A, `steps` decodings along the line from A's code to B's, input B."""
    steps = STEPS.check(steps)
    net = vae(model)
    pictures = []
    for name, image in (("first", image_a), ("second", image_b)):
        try:
            picture = open_image(image)
        except InvalidInputError as error:
            raise InvalidInputError(f"The {name} image: {error}") from None
        if is_blank(picture):
            raise InvalidInputError(f"The {name} image is blank: draw or upload something.")
        pictures.append(to_tensor(picture, net.image_size, net.in_channels))
    inputs = torch.cat(pictures)
    with torch.inference_mode():
        means, _ = net.encode(inputs)
        weights = torch.linspace(0, 1, steps)[:, None]
        images = net.decode(means[0] * (1 - weights) + means[1] * weights)
    strip = torch.cat([inputs[:1], images, inputs[1:]])
    return upscale(make_grid(strip, rows=1, padding=2), 3)


@dataclass(frozen=True)
class LatentMap:
    """The test set drawn on the latent plane, and how its pixels map back to the plane."""

    image: Image.Image
    extent: float  # the plot shows [-extent, extent] on both axes

    def point_at(self, px: float, py: float) -> tuple[float, float]:
        """The plane coordinates under pixel (px, py) of `image`."""
        return _pixel_to_plane(self.extent, px, py)


def _pixel_to_plane(extent: float, px: float, py: float) -> tuple[float, float]:
    scale = 2 * extent / MAP_SIZE
    return (px * scale - extent, extent - py * scale)


def map_point(model: str, px: float, py: float) -> tuple[float, float]:
    """The plane coordinates under pixel (px, py) of `latent_map(model).image`, without drawing,
    within the range `decode` takes."""
    x, y = _pixel_to_plane(map_extent(model), px, py)
    return min(max(x, X.low), X.high), min(max(y, Y.low), Y.high)


@functools.lru_cache(maxsize=16)
def map_extent(model: str) -> float:
    """Half the side of the latent map: it covers 99.5% of the examples, rounded up to 0.5."""
    plane = examples(model).plane
    return float(np.ceil(np.percentile(np.abs(plane), 99.5) * 1.1 * 2) / 2)


def latent_map(model: str, marker: tuple[float, float] | None = None) -> LatentMap:
    """Scatter the examples' encodings coloured by class, with an optional cross at `marker`."""
    found, extent = examples(model), map_extent(model)
    canvas = Image.new("RGB", (MAP_SIZE + LEGEND_WIDTH, MAP_SIZE), "white")
    draw = ImageDraw.Draw(canvas)

    def pixel(x: float, y: float) -> tuple[float, float]:
        return ((x + extent) / (2 * extent) * MAP_SIZE, (extent - y) / (2 * extent) * MAP_SIZE)

    for value in np.arange(-np.floor(extent), np.floor(extent) + 1):
        (gx, _), (_, gy) = pixel(value, 0), pixel(0, value)
        shade = (200, 200, 200) if value else (150, 150, 150)
        draw.line([(gx, 0), (gx, MAP_SIZE)], fill=(235, 235, 235) if value else shade)
        draw.line([(0, gy), (MAP_SIZE, gy)], fill=(235, 235, 235) if value else shade)
    for (x, y), label in zip(found.plane, found.labels, strict=True):
        px, py = pixel(x, y)
        draw.ellipse([px - 2, py - 2, px + 2, py + 2], fill=PALETTE[int(label) % len(PALETTE)])
    font = ImageFont.load_default(size=12)
    draw.line([(MAP_SIZE, 0), (MAP_SIZE, MAP_SIZE)], fill=(200, 200, 200))
    for index, name in enumerate(found.class_names):
        top = 36 + index * 16
        draw.rectangle([MAP_SIZE + 8, top + 2, MAP_SIZE + 16, top + 10], fill=PALETTE[index % 10])
        draw.text((MAP_SIZE + 20, top), name, fill="black", font=font)
    draw.text((MAP_SIZE - 50, MAP_SIZE - 18), f"±{extent:g}", fill=(90, 90, 90), font=font)
    if marker is not None:
        px, py = pixel(*marker)
        for width, colour in ((5, "white"), (2, "black")):
            draw.line([(px - 9, py - 9), (px + 9, py + 9)], fill=colour, width=width)
            draw.line([(px - 9, py + 9), (px + 9, py - 9)], fill=colour, width=width)
    return LatentMap(canvas, extent)
