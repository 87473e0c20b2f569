"""Bits per dimension of 8-bit 28x28 grey images, on one scale: under each explicit-density model
family (`MEASURES`: exact for the PixelCNN, a bound for the flow and the VAE), as the file a
classic lossless codec writes (`CODECS`), and summarised over whole test sets for the
out-of-distribution chart (`OutOfDistribution`, drawn by `ood_chart`).

A likelihood model is a compressor: an arithmetic coder driven by the model stores an image in
about -log2 P(x) bits, so a model's bits per dimension and a codec's file size per pixel answer
the same question, "how many bits does this image cost?". Lower is more likely.

Nalisnick et al. (ICLR 2019, "Do deep generative models know what they don't know?") found that
models trained on Fashion-MNIST give MNIST digits *fewer* bits than their own test images;
`benchmarks/out_of_distribution.py` measures it for a bundled model and saves the summary,
`out_of_distribution.json`, in its folder.
"""

from __future__ import annotations

import io
import lzma
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont
from torch import nn

from genzoo.hub import load_card, load_json
from genzoo.models.vae import importance_weighted_log_prob

SIDE = 28  # every explicit model here takes 28x28 grey images
DIMENSIONS = SIDE * SIDE
LEVELS = 256  # 8-bit pixels
IWAE_SAMPLES = 16  # k of the VAE's importance-weighted bound, in the lab and the chart
BITS_PER_DIM_KEY = "bits_per_dim"  # the metric type under which a card carries the figure
SEED = 0  # the VAE's and the flow's noise: the same image gets the same figure anywhere


def nats_to_bits_per_dim(nats: torch.Tensor, dimensions: int = DIMENSIONS) -> torch.Tensor:
    """-log P in nats per image -> bits per dimension."""
    return nats / (dimensions * math.log(2))


def _pixelcnn_bits(model: nn.Module, levels: torch.Tensor, generator: torch.Generator):
    return model.bits_per_dim(levels)


def _flow_bits(model: nn.Module, levels: torch.Tensor, generator: torch.Generator):
    return model.bits_per_dim(levels, generator)


def _vae_bits(model: nn.Module, levels: torch.Tensor, generator: torch.Generator):
    log_prob = importance_weighted_log_prob(model, levels, IWAE_SAMPLES, generator)
    return nats_to_bits_per_dim(-log_prob, levels[0].numel())


@dataclass(frozen=True)
class Measure:
    """How a family's models give bits per dimension: the function, and whether it is exact."""

    bits: Callable[[nn.Module, torch.Tensor, torch.Generator], torch.Tensor]
    exact: bool
    how: str  # in a few words, for tables


MEASURES = {
    "pixelcnn": Measure(_pixelcnn_bits, True, "exact"),
    "flow": Measure(_flow_bits, False, "a bound (dequantised)"),
    "vae": Measure(_vae_bits, False, f"a bound (IWAE, k={IWAE_SAMPLES})"),
}
"""The explicit-density families, each with the way its models score an 8-bit image."""


@torch.inference_mode()
def bits_per_dim(
    family: str, model: nn.Module, levels: torch.Tensor, *, seed: int = SEED, batch_size: int = 250
) -> np.ndarray:
    """Bits per dimension of each uint8 image of `levels` (N, 1, 28, 28) under `model`, a model
    of `family` (a key of `MEASURES`), in batches; (N,) float64."""
    if levels.dtype != torch.uint8 or levels.ndim != 4 or levels.shape[1:] != (1, SIDE, SIDE):
        shape = f"{levels.dtype} {tuple(levels.shape)}"
        raise ValueError(f"expected uint8 images (N, 1, {SIDE}, {SIDE}), not {shape}")
    measure = MEASURES[family].bits
    generator = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    batches = [
        measure(model, batch.to(device), generator).double().cpu()
        for batch in levels.split(batch_size)
    ]
    return torch.cat(batches).numpy()


# The classic lossless codecs, each image a file of its own.


def card_bits_per_dim(ref: str) -> float | None:
    """The test split's bits per dimension that a model's card records; None where it has none."""
    card = load_card(ref)
    results = (card.data.eval_results or []) if card else []
    found = [r.metric_value for r in results if r.metric_type == BITS_PER_DIM_KEY]
    return found[0] if found else None


def png_bytes(pixels: np.ndarray) -> int:
    """The size of an optimised PNG (Pillow's `optimize=True`) of a grey image."""
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, format="PNG", optimize=True)
    return len(buffer.getvalue())


def webp_bytes(pixels: np.ndarray) -> int:
    """The size of a lossless WebP at its slowest, smallest setting (method 6)."""
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, format="WEBP", lossless=True, quality=100, method=6)
    return len(buffer.getvalue())


def xz_bytes(pixels: np.ndarray) -> int:
    """The size of the .xz file of the raw pixel bytes, as the `xz` tool writes it by default
    (preset 6, CRC64, the container's headers included)."""
    return len(lzma.compress(np.ascontiguousarray(pixels, dtype=np.uint8).tobytes()))


CODECS: dict[str, Callable[[np.ndarray], int]] = {
    "PNG": png_bytes,
    "WebP (lossless)": webp_bytes,
    "xz": xz_bytes,
}
"""Each codec by name: the size in bytes of the file it writes for one (H, W) uint8 image."""


def codec_bits_per_dim(codec: str, pixels: np.ndarray) -> float:
    """The file size of one (H, W) uint8 image under `codec`, in bits per pixel."""
    return CODECS[codec](pixels) * 8 / pixels.size


# The out-of-distribution summary: per model, two histograms of bits per dimension.

OUT_OF_DISTRIBUTION = "out_of_distribution.json"  # in a model's folder
IN_DISTRIBUTION = "Fashion-MNIST test"
OUTSIDE = "MNIST digits"
BINS = 60


def auroc(inside: np.ndarray, outside: np.ndarray) -> float:
    """The chance that an outside image gets more bits than an inside one (ties count half): how
    well bits per dimension tell them apart, 1 perfectly, 0.5 not at all, below 0.5 backwards."""
    ordered = np.sort(inside)
    below = np.searchsorted(ordered, outside, "left")
    at_most = np.searchsorted(ordered, outside, "right")
    return float((below + at_most).sum() / (2 * len(inside) * len(outside)))


def summarise(bits: Mapping[str, np.ndarray], bins: int = BINS) -> dict:
    """Per dataset the count, mean and median of its images' bits per dimension, and their
    histogram over `bins` bins shared by all (their edges rounded to 0.1 bits outside)."""
    values = np.concatenate(list(bits.values()))
    low, high = math.floor(values.min() * 10) / 10, math.ceil(values.max() * 10) / 10
    edges = np.linspace(low, high if high > low else low + 0.1, bins + 1)
    datasets = {
        name: {
            "count": len(found),
            "mean": round(float(found.mean()), 4),
            "median": round(float(np.median(found)), 4),
            "histogram": np.histogram(found, edges)[0].tolist(),
        }
        for name, found in bits.items()
    }
    return {"edges": [round(float(edge), 4) for edge in edges], "datasets": datasets}


@dataclass(frozen=True)
class DatasetBits:
    count: int
    mean: float
    median: float
    histogram: list[int]


@dataclass(frozen=True)
class OutOfDistribution:
    """A model's saved out-of-distribution summary (see `benchmarks/out_of_distribution.py`)."""

    model: str
    family: str
    how: str
    edges: list[float]
    datasets: dict[str, DatasetBits]
    auroc: float

    @classmethod
    def of(cls, facts: Mapping) -> OutOfDistribution:
        datasets = {name: DatasetBits(**found) for name, found in facts["datasets"].items()}
        return cls(
            facts["model"], facts["family"], facts["how"], facts["edges"], datasets, facts["auroc"]
        )

    def share_below(self, dataset: str, bits: float) -> float:
        """The share of `dataset`'s images with fewer bits than `bits`, read off its histogram
        (linearly within a bin)."""
        found, edges = self.datasets[dataset], np.asarray(self.edges)
        cumulative = np.r_[0, np.cumsum(found.histogram)] / found.count
        return float(np.interp(bits, edges, cumulative))


def load_out_of_distribution(ref: str) -> OutOfDistribution | None:
    """The out-of-distribution summary a model's folder holds, None if it has none yet."""
    facts = load_json(ref, OUT_OF_DISTRIBUTION)
    return OutOfDistribution.of(facts) if facts else None


# The chart: a panel per model, its two histograms over one axis shared by all panels.

CHART_WIDTH = 720
PANEL_HEIGHT = 150  # a title line, the plot and its tick labels
MARGIN = 44  # left and right of the plots
LEGEND_HEIGHT = 26
COLOURS = {IN_DISTRIBUTION: (31, 119, 180), OUTSIDE: (255, 127, 14)}
TRANSLUCENT = 110  # the bars' alpha: where the two histograms overlap, both show
YOURS = "your image"


@dataclass(frozen=True)
class Axis:
    """Bits per dimension from `low` to `high` across the plots' width."""

    low: float
    high: float

    def x(self, bits: float) -> float:
        return MARGIN + (bits - self.low) / (self.high - self.low) * (CHART_WIDTH - 2 * MARGIN)

    def ticks(self) -> list[float]:
        step = 0.5 if self.high - self.low > 2 else 0.25
        first = math.ceil(self.low / step) * step
        return list(np.arange(first, self.high + 1e-9, step))


def shared_axis(summaries: Sequence[OutOfDistribution], marks: Mapping[str, float]) -> Axis:
    """An axis that holds every histogram and every mark, a little wider."""
    values = [edge for found in summaries for edge in (found.edges[0], found.edges[-1])]
    values += list(marks.values())
    low, high = min(values), max(values)
    padding = max(0.1, (high - low) * 0.04)
    return Axis(math.floor((low - padding) * 10) / 10, math.ceil((high + padding) * 10) / 10)


def ood_chart(
    summaries: Sequence[OutOfDistribution], marks: Mapping[str, float] | None = None
) -> Image.Image:
    """A panel per model: the histograms of bits per dimension of Fashion-MNIST's test images
    and of the MNIST digits, each set's mean dashed, and at `marks[model]`, if given, a
    visitor's image as a black line. One x axis for all, so the models compare."""
    marks = {model: bits for model, bits in (marks or {}).items() if math.isfinite(bits)}
    height = LEGEND_HEIGHT + PANEL_HEIGHT * max(1, len(summaries))
    chart = Image.new("RGBA", (CHART_WIDTH, height), "white")
    font = ImageFont.load_default(size=12)
    _legend(ImageDraw.Draw(chart), font, bool(marks))
    if not summaries:
        ImageDraw.Draw(chart).text(
            (MARGIN, LEGEND_HEIGHT + 20), "No model is measured yet.", fill="black", font=font
        )
        return chart.convert("RGB")
    axis = shared_axis(summaries, marks)
    for index, found in enumerate(summaries):
        top = LEGEND_HEIGHT + index * PANEL_HEIGHT
        chart = _panel(chart, found, axis, top, font, marks.get(found.model))
    return chart.convert("RGB")


def _legend(draw: ImageDraw.ImageDraw, font, marked: bool) -> None:
    x = MARGIN
    entries = [(name, COLOURS[name]) for name in COLOURS] + [(YOURS, (0, 0, 0))] * marked
    for name, colour in entries:
        draw.rectangle([x, 8, x + 12, 20], fill=colour)
        draw.text((x + 18, 7), name, fill="black", font=font)
        x += 30 + draw.textlength(name, font=font)
    label = "bits per dimension: lower is more likely"
    draw.text((CHART_WIDTH - MARGIN, 7), label, fill=(90, 90, 90), font=font, anchor="ra")


def _panel(chart, found: OutOfDistribution, axis: Axis, top: int, font, mark: float | None):
    """`chart` with one model's panel drawn at `top`."""
    plot = (top + 22, top + PANEL_HEIGHT - 22)  # its top and bottom
    exact = "exact" if MEASURES[found.family].exact else "a bound"
    title = f"{found.model} ({exact}): AUROC {found.auroc:.2f}"
    ImageDraw.Draw(chart).text((MARGIN, top + 4), title, fill="black", font=font)
    widths = np.diff(found.edges)
    densities = {
        name: np.asarray(bits.histogram) / bits.count / widths
        for name, bits in found.datasets.items()
    }
    tallest = max(float(density.max()) for density in densities.values()) or 1.0
    for name, density in densities.items():  # each on a layer of its own, so overlaps blend
        layer = Image.new("RGBA", chart.size, (0, 0, 0, 0))
        _bars(ImageDraw.Draw(layer), found.edges, density / tallest, axis, plot, name)
        chart = Image.alpha_composite(chart, layer)
    draw = ImageDraw.Draw(chart)
    for name, bits in found.datasets.items():
        x = axis.x(bits.mean)
        for y in range(plot[0], plot[1], 6):
            draw.line([(x, y), (x, y + 3)], fill=COLOURS.get(name, "grey"), width=2)
    _ticks(draw, axis, plot[1], font)
    if mark is not None:
        x = axis.x(mark)
        draw.line([(x, plot[0] - 4), (x, plot[1])], fill="black", width=3)
        draw.text((x + 4, plot[0] - 4), f"{mark:.2f}", fill="black", font=font)
    return chart


def _bars(draw, edges, heights, axis: Axis, plot: tuple[int, int], name: str) -> None:
    """A histogram's bars, `heights` as shares of the plot's height."""
    fill = (*COLOURS.get(name, (120, 120, 120)), TRANSLUCENT)
    for left, right, height in zip(edges[:-1], edges[1:], heights, strict=True):
        y = plot[1] - height * (plot[1] - plot[0])
        draw.rectangle([axis.x(left), y, axis.x(right), plot[1]], fill=fill)


def _ticks(draw: ImageDraw.ImageDraw, axis: Axis, bottom: int, font) -> None:
    draw.line([(MARGIN, bottom), (CHART_WIDTH - MARGIN, bottom)], fill=(120, 120, 120))
    for tick in axis.ticks():
        x = axis.x(tick)
        draw.line([(x, bottom), (x, bottom + 4)], fill=(120, 120, 120))
        draw.text((x, bottom + 5), f"{tick:g}", fill=(90, 90, 90), font=font, anchor="ma")
