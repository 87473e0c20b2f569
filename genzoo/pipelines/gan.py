"""What each DCGAN button does: a grid of samples from a seed, a slerp between two seeds' samples
(strip and animation), and vector arithmetic a - b + c on three samples of a grid.

A seed always means the same latent points: `latents(dim, seed)` draws `MAX_SAMPLES` codes from
a CPU generator seeded with it, so sample number k of a seed is the same picture on any machine,
whatever the grid size. Every function checks its inputs and returns PIL images (and bytes for
the animation); the Gradio tab, the Streamlit page, the benchmark and the tests call them.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import torch
from PIL import Image, ImageDraw, ImageFont

from genzoo.hub import load_json, load_model
from genzoo.images import (
    InvalidInputError,
    animated_gif,
    equation,
    make_grid,
    to_pil,
    upscale,
)
from genzoo.models.dcgan import Generator
from genzoo.provenance import recorded
from genzoo.settings import MODEL, SEED, Setting, check_all, declare

MAX_SAMPLES = 64  # a seed stands for this many codes
COUNT = Setting(
    name="count", label="Number of samples", default=16, low=1, high=MAX_SAMPLES, step=1
)
SEED_A = SEED.but(name="seed_a", label="From seed", help="")
SEED_B = SEED.but(name="seed_b", label="To seed", default=1, help="")
STEPS = Setting(name="steps", label="Steps", default=8, low=2, high=32, step=1)
PICKS = [
    Setting(name=name, label=f"Sample {name}", default=number, low=1, high=MAX_SAMPLES)
    for name, number in (("a", 1), ("b", 2), ("c", 3))
]
SAMPLE = declare(MODEL, COUNT, SEED)
INTERPOLATE = declare(MODEL, SEED_A, SEED_B, STEPS)
ARITHMETIC = declare(MODEL, SEED, *PICKS)

# Share links carry these actions' settings (`genzoo.share`).
SHARED_ACTIONS: dict[str, dict[str, Setting]] = {
    "dcgan": SAMPLE,
    "dcgan/interpolate": INTERPOLATE,
    "dcgan/arithmetic": ARITHMETIC,
}
ARITHMETIC_PRESETS = "arithmetic_presets.json"
"""In a DCGAN's folder: named `ArithmeticPreset`s, chosen by looking at its samples (a retrained
model draws other samples, so its presets are chosen again)."""


def generator(model: str) -> Generator:
    return load_model(model, family="dcgan")


def zoom(net: Generator) -> int:
    """How much to enlarge the net's images for display: to about 128 px."""
    return max(1, 128 // net.image_size)


def latents(dim: int, seed: int) -> torch.Tensor:
    """The `MAX_SAMPLES` latent codes a seed stands for, identical on every machine."""
    return torch.randn(MAX_SAMPLES, dim, generator=torch.Generator().manual_seed(seed))


@torch.inference_mode()
def images(net: Generator, z: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1], on the CPU, for latent codes `z`."""
    return (net(z.to(net.device)).float().cpu() + 1) / 2


@recorded()
def sample(model: str, count: int = COUNT.default, seed: int = SEED.default) -> Image.Image:
    """A grid of the first `count` samples of `seed`, in reading order."""
    count, seed = COUNT.check(count), SEED.check(seed)
    net = generator(model)
    pictures = images(net, latents(net.latent_dim, seed)[:count])
    return upscale(make_grid(pictures, padding=1, columns=min(count, 8)), zoom(net))


@recorded()
def numbered_samples(model: str, count: int = 16, seed: int = SEED.default) -> Image.Image:
    """`sample`'s grid with each sample's number (from 1, in reading order) in its top left
    corner: the numbers `arithmetic` picks a, b and c by."""
    grid = sample(model, count, seed).convert("RGB")
    net = generator(model)
    scale, columns = zoom(net), min(COUNT.check(count), 8)
    step = (net.image_size + 1) * scale  # a tile and its one-pixel gutter, enlarged
    draw = ImageDraw.Draw(grid)
    font = ImageFont.load_default(size=max(10, step // 5))
    for index in range(count):
        row, column = divmod(index, columns)
        corner = (column * step + 2, row * step + 1)
        box = draw.textbbox(corner, str(index + 1), font=font)
        draw.rectangle((box[0] - 2, box[1] - 1, box[2] + 2, box[3] + 1), fill="white")
        draw.text(corner, str(index + 1), fill="black", font=font)
    return grid


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation (Shoemake; White, 2016): keeps the norm typical of the Gaussian
    prior all the way, where a straight line would pass through unlikely, too-short codes."""
    cos = torch.dot(a, b) / (a.norm() * b.norm())
    omega = torch.arccos(cos.clamp(-1, 1))
    t = t[:, None]
    if omega.abs() < 1e-4:
        return (1 - t) * a + t * b
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


@dataclass(frozen=True)
class Interpolation:
    strip: Image.Image  # the frames side by side
    animation: bytes  # an animated GIF going there and back


@recorded()
def interpolate(
    model: str,
    seed_a: int = SEED_A.default,
    seed_b: int = SEED_B.default,
    steps: int = STEPS.default,
) -> Interpolation:
    """The way from the first sample of `seed_a` to the first sample of `seed_b`, by slerp."""
    seed_a, seed_b, steps = SEED_A.check(seed_a), SEED_B.check(seed_b), STEPS.check(steps)
    net = generator(model)
    a, b = latents(net.latent_dim, seed_a)[0], latents(net.latent_dim, seed_b)[0]
    frames = images(net, slerp(a, b, torch.linspace(0, 1, steps)))
    scale = zoom(net)
    strip = upscale(make_grid(frames, rows=1, padding=1), scale)
    return Interpolation(strip, animated_gif([upscale(to_pil(f), 2 * scale) for f in frames]))


@recorded()
def arithmetic(
    model: str,
    seed: int = SEED.default,
    a: int = PICKS[0].default,
    b: int = PICKS[1].default,
    c: int = PICKS[2].default,
) -> Image.Image:
    """a - b + c on samples number a, b and c (from 1, reading order) of the grid of `seed`,
    as Radford et al. did with faces; shows the three operands and the result."""
    seed = SEED.check(seed)
    picks = [pick.check(n) - 1 for pick, n in zip(PICKS, (a, b, c), strict=True)]
    net = generator(model)
    z = latents(net.latent_dim, seed)[picks]
    result = z[0] - z[1] + z[2]
    pictures = images(net, torch.cat([z, result[None]]))
    return equation([upscale(to_pil(p), 2 * zoom(net)) for p in pictures], ["-", "+", "="])


@dataclass(frozen=True)
class ArithmeticPreset:
    """An `arithmetic` whose result a visitor can name, on one seed's grid."""

    name: str  # what it does to c: "Add a laughing mouth"
    seed: int
    a: int
    b: int
    c: int

    def settings(self) -> dict[str, int]:
        """The arguments of `arithmetic` (after the model), and of its share links."""
        return {name: value for name, value in asdict(self).items() if name != "name"}


@functools.cache
def arithmetic_presets(model: str) -> tuple[ArithmeticPreset, ...]:
    """The model's named arithmetic presets, checked against the settings' ranges; none for a
    model that ships none."""
    presets = tuple(ArithmeticPreset(**facts) for facts in load_json(model, ARITHMETIC_PRESETS, []))
    for preset in presets:
        check_all(ARITHMETIC, preset.settings())
    return presets


def arithmetic_preset(model: str, name: str) -> ArithmeticPreset:
    """The model's preset called `name`, or a message saying there is none."""
    for preset in arithmetic_presets(model):
        if preset.name == name:
            return preset
    raise InvalidInputError(f"{model} has no arithmetic preset called {name!r}.")
