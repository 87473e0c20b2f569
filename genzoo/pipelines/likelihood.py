"""What the likelihood lab's buttons do: one picture (an upload, a drawing, or a shipped test
image) scored in bits per dimension by every bundled explicit-density model trained on
Fashion-MNIST and by the classic lossless codecs, side by side; and the out-of-distribution
chart (Fashion-MNIST's test images against MNIST digits, per model), with the picture on it.

Each function takes plain values and returns pictures, numbers and rows; the Gradio tab, the
Streamlit page, the benchmark and the tests all call these same functions. The measuring itself
is `genzoo.likelihood`'s.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from genzoo import likelihood
from genzoo.hub import load_card, load_examples, load_model
from genzoo.images import check_int, grey_levels, upscale
from genzoo.registry import bundled
from genzoo.settings import EXAMPLE, Setting, declare

ZOOM = 8  # the 28-pixel picture is shown 8x larger, with crisp pixels
LAB_DATASET = "fashion-mnist"  # the lab compares the models whose cards name this dataset
EXAMPLE_SETS = {likelihood.IN_DISTRIBUTION: "vae-fashion-mnist", likelihood.OUTSIDE: "vae-mnist"}
"""The test images a visitor can pick, by set: those that the named bundled model ships."""

DATASET = Setting(
    name="dataset",
    label="Test images",
    default=likelihood.IN_DISTRIBUTION,
    choices=tuple(EXAMPLE_SETS),
    help="Held-out images: no model here saw them in training.",
)
LIKELIHOOD_EXAMPLE = declare(DATASET, EXAMPLE)

# Share links carry these actions' settings (`genzoo.share`).
SHARED_ACTIONS = {"likelihood": LIKELIHOOD_EXAMPLE}

Models = Sequence[tuple[str, str]]
"""(family, reference) pairs: the models a table or chart covers (a reference is a bundled name
or a folder)."""


def lab_models() -> list[tuple[str, str]]:
    """Every bundled explicit-density model trained on Fashion-MNIST, as (family, name), the
    families in `likelihood.MEASURES`' order."""
    return [
        (family, entry.name)
        for family in likelihood.MEASURES
        for entry in bundled(family)
        if _trained_on_lab_dataset(entry.name)
    ]


@functools.cache
def _trained_on_lab_dataset(name: str) -> bool:
    card = load_card(name)
    datasets = (card.data.datasets or []) if card else []
    return any(dataset.rpartition("/")[2] == LAB_DATASET for dataset in datasets)


def model_name(reference: str) -> str:
    """How a model is named in tables and on the chart: a bundled name, or a folder's name."""
    return Path(reference).name


@functools.lru_cache(maxsize=4)
def examples(dataset: str) -> torch.Tensor:
    """The shipped test images of a set, uint8 (N, 1, 28, 28)."""
    dataset = DATASET.check(dataset)
    tensors, _ = load_examples(EXAMPLE_SETS[dataset])
    return tensors["images"]


def example_levels(dataset: str, index: int) -> np.ndarray:
    """Test image `index` of a set, as its (28, 28) uint8 pixels."""
    found = examples(dataset)
    index = check_int(EXAMPLE.label, index, 0, len(found) - 1)
    return found[index, 0].numpy()


def example_image(dataset: str, index: int) -> Image.Image:
    """Test image `index` of a set, as a picture."""
    return Image.fromarray(example_levels(dataset, index), "L")


def example_gallery(dataset: str, count: int = 24) -> list[Image.Image]:
    """The first `count` test images of a set, enlarged for a picker."""
    found = examples(dataset)
    return [upscale(example_image(dataset, i), 4) for i in range(min(count, len(found)))]


FLAT = (
    "The image is one flat colour: any model or codec stores that in next to no bits, so there "
    "is nothing to compare. Upload or draw a picture of something."
)


@dataclass(frozen=True)
class Row:
    """One line of the lab's table."""

    name: str  # a model's or a codec's
    bits_per_dim: float
    how: str  # exact, a bound, or the file's size
    is_model: bool


@dataclass(frozen=True)
class Report:
    """A picture's bits per dimension under every model and codec."""

    input: Image.Image  # the picture as the models see it, zoomed
    rows: list[Row]
    notes: tuple[str, ...] = ()

    def table(self) -> dict[str, list]:
        """The rows as columns, for either UI's table."""
        return {
            "model or codec": [row.name for row in self.rows],
            "bits per dimension": [round(row.bits_per_dim, 3) for row in self.rows],
            "how": [row.how for row in self.rows],
        }

    def marks(self) -> dict[str, float]:
        """Each model's figure, by its name: where the picture falls on the chart."""
        return {row.name: row.bits_per_dim for row in self.rows if row.is_model}

    def describe(self) -> str:
        """What was done to the picture, and the best model against the best codec (markdown)."""
        lines = [f"- {note}" for note in self.notes]
        models = [row for row in self.rows if row.is_model]
        codec = min((row for row in self.rows if not row.is_model), key=lambda r: r.bits_per_dim)
        if models:
            best = min(models, key=lambda row: row.bits_per_dim)
            saving = 1 - best.bits_per_dim / codec.bits_per_dim
            comparison = "fewer" if saving >= 0 else "more"
            lines.append(
                f"- The best model here, **{best.name}**, needs **{best.bits_per_dim:.2f}** bits "
                f"a pixel; the best codec, {codec.name}, **{codec.bits_per_dim:.2f}**: "
                f"{abs(saving):.0%} {comparison} bits."
            )
        else:
            lines.append(f"- No explicit model is bundled yet; the best codec: {codec.name}.")
        return "\n".join(lines)


def report(levels: np.ndarray, notes: tuple[str, ...] = (), models: Models | None = None):
    """The table for (28, 28) uint8 `levels`: every model of `models` (by default every lab
    model), then every codec."""
    batch = torch.from_numpy(np.ascontiguousarray(levels))[None, None]
    rows = []
    for family, reference in lab_models() if models is None else models:
        model = load_model(reference, family=family)
        bits = likelihood.bits_per_dim(family, model, batch)[0]
        rows.append(Row(model_name(reference), float(bits), likelihood.MEASURES[family].how, True))
    for codec, file_bytes in likelihood.CODECS.items():
        size = file_bytes(levels)
        rows.append(Row(codec, size * 8 / levels.size, f"a file of {size} bytes", False))
    picture = upscale(Image.fromarray(levels, "L"), ZOOM)
    return Report(picture, rows, notes)


def likelihood_of(image, models: Models | None = None) -> Report:
    """The table for an upload or a drawing (anything `open_image` takes)."""
    fitted = grey_levels(image, likelihood.SIDE, FLAT)
    return report(fitted.levels[0, 0].numpy(), fitted.notes, models)


def likelihood_example(
    dataset: str = DATASET.default, example: int = EXAMPLE.default, models: Models | None = None
) -> Report:
    """The table for shipped test image `example` of `dataset`, its pixels exactly as stored."""
    return report(example_levels(dataset, example), (), models)


@dataclass(frozen=True)
class Placement:
    """The out-of-distribution chart, and where a picture falls on it, in words."""

    chart: Image.Image
    text: str  # markdown


def out_of_distribution(report: Report | None = None, models: Models | None = None) -> Placement:
    """The chart of every measured model of `models` (by default the lab's), with the picture of
    `report`, if given, marked on each model's panel and placed in words."""
    models = lab_models() if models is None else models
    summaries, unmeasured = [], []
    for _, reference in models:
        found = likelihood.load_out_of_distribution(reference)
        (summaries if found else unmeasured).append(found or model_name(reference))
    marks = report.marks() if report else {}
    lines = [_placed(found, marks[found.model]) for found in summaries if found.model in marks]
    lines += [
        f"- {name}: not measured yet (`python benchmarks/out_of_distribution.py {name}`)."
        for name in unmeasured
    ]
    return Placement(likelihood.ood_chart(summaries, marks), "\n".join(lines))


def _placed(found: likelihood.OutOfDistribution, bits: float) -> str:
    inside = found.share_below(likelihood.IN_DISTRIBUTION, bits)
    outside = found.share_below(likelihood.OUTSIDE, bits)
    return (
        f"- **{found.model}**: {bits:.2f} bits per dimension, more than {inside:.0%} of "
        f"{likelihood.IN_DISTRIBUTION} images and {outside:.0%} of the {likelihood.OUTSIDE}."
    )
