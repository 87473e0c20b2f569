"""What each DCGAN button does: a grid of samples from a seed, a slerp between two seeds' samples
(strip and animation), and vector arithmetic a - b + c on three samples of a grid.

A seed always means the same latent points: `latents(dim, seed)` draws `MAX_SAMPLES` codes from
a CPU generator seeded with it, so sample number k of a seed is the same picture on any machine,
whatever the grid size. Every function checks its inputs and returns PIL images (and bytes for
the animation); the Gradio tab, the Streamlit page, the benchmark and the tests call them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import torch
from PIL import Image, ImageDraw, ImageFont

from genzoo.hub import load_model
from genzoo.images import MAX_SEED, check_int, make_grid, to_pil, upscale
from genzoo.models.dcgan import Generator

MAX_SAMPLES = 64
MAX_STEPS = 32


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


def sample(model: str, count: int = 16, seed: int = 0) -> Image.Image:
    """A grid of the first `count` samples of `seed`, in reading order."""
    count = check_int("Number of samples", count, 1, MAX_SAMPLES)
    seed = check_int("Seed", seed, 0, MAX_SEED)
    net = generator(model)
    pictures = images(net, latents(net.latent_dim, seed)[:count])
    return upscale(make_grid(pictures, padding=1, columns=min(count, 8)), zoom(net))


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


def interpolate(model: str, seed_a: int = 0, seed_b: int = 1, steps: int = 8) -> Interpolation:
    """The way from the first sample of `seed_a` to the first sample of `seed_b`, by slerp."""
    seed_a = check_int("First seed", seed_a, 0, MAX_SEED)
    seed_b = check_int("Second seed", seed_b, 0, MAX_SEED)
    steps = check_int("Steps", steps, 2, MAX_STEPS)
    net = generator(model)
    a, b = latents(net.latent_dim, seed_a)[0], latents(net.latent_dim, seed_b)[0]
    frames = images(net, slerp(a, b, torch.linspace(0, 1, steps)))
    scale = zoom(net)
    strip = upscale(make_grid(frames, rows=1, padding=1), scale)
    return Interpolation(strip, animated_gif([upscale(to_pil(f), 2 * scale) for f in frames]))


FAST_OCTREE = Image.Quantize.FASTOCTREE


def animated_gif(
    frames: list[Image.Image], duration_ms: int = 120, back_and_forth: bool = True
) -> bytes:
    """Frames forth (and back, unless told otherwise), looping, as GIF bytes. Each colour frame
    gets its own 256-colour palette by the fast octree method: Pillow's default (median cut)
    takes about seven times as long."""
    frames = [
        frame if frame.mode == "L" else frame.convert("RGB").quantize(method=FAST_OCTREE)
        for frame in frames
    ]
    loop = frames + frames[-2:0:-1] if back_and_forth else frames
    buffer = io.BytesIO()
    loop[0].save(buffer, "GIF", save_all=True, append_images=loop[1:], duration=duration_ms, loop=0)
    return buffer.getvalue()


def arithmetic(model: str, seed: int = 0, a: int = 1, b: int = 2, c: int = 3) -> Image.Image:
    """a - b + c on samples number a, b and c (from 1, reading order) of the grid of `seed`,
    as Radford et al. did with faces; shows the three operands and the result."""
    seed = check_int("Seed", seed, 0, MAX_SEED)
    picks = [
        check_int(f"Sample {name}", n, 1, MAX_SAMPLES) - 1
        for name, n in zip("abc", (a, b, c), strict=True)
    ]
    net = generator(model)
    z = latents(net.latent_dim, seed)[picks]
    result = z[0] - z[1] + z[2]
    pictures = images(net, torch.cat([z, result[None]]))
    return equation([upscale(to_pil(p), 2 * zoom(net)) for p in pictures], ["-", "+", "="])


def equation(tiles: list[Image.Image], operators: list[str]) -> Image.Image:
    """Tiles in a row with an operator between each two: `a - b + c = d` (ASCII operators: the
    default font has no U+2212 minus and would draw a missing-glyph box)."""
    side, gap = tiles[0].height, max(24, tiles[0].height // 3)
    canvas = Image.new("RGB", (len(tiles) * side + len(operators) * gap, side), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=gap * 0.8)
    x = 0
    for index, tile in enumerate(tiles):
        canvas.paste(tile.convert("RGB"), (x, 0))
        x += side
        if index < len(operators):
            draw.text(
                (x + gap / 2, side / 2), operators[index], fill="black", font=font, anchor="mm"
            )
            x += gap
    return canvas
