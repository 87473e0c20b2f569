"""What the gallery's home shows about each family and its bundled models, read from the model
cards (never copied by hand): a sample image, what a visitor can do with it, and, folded for
whoever asks, each model's data and licence, headline metrics in plain words, size on disk and
training time and hardware. Both home pages (Streamlit's `Home.py`, the Gradio app's first tab)
render `family_summaries()`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from genzoo.cards import card_metrics
from genzoo.hub import load_card
from genzoo.registry import FAMILIES, FAMILY_TABLE, Bundled, Family, bundled

HEADLINE_METRICS = 4
MEASURED = "How it was trained, and how it measured"
"""The fold, on a family's card of either home page, that holds its models' summaries."""
_IMAGE = re.compile(r"!\[[^\]]*\]\(([\w.-]+)\)")
_WALL_TIME = re.compile(r"^- Wall time: (\d+) s", re.MULTILINE)
_HARDWARE = re.compile(r"^- Hardware: (.+)$", re.MULTILINE)
_DATA = re.compile(r"^## Data\n\n(.+?)\n\n", re.MULTILINE | re.DOTALL)


def metrics_markdown(ref: str) -> str:
    """The metrics in a model's card, for the gallery: a list (which a narrow screen wraps, where
    a table would squeeze its columns into letters), plain words first."""
    metrics = card_metrics(ref)
    if not metrics:
        return "_No measured metrics in this model's card._"
    return "\n".join(["Measured on held-out data:", "", *(f"- {plain_metric(m)}" for m in metrics)])


PLAIN_METRICS = {
    "fd_effnet_lite0": "Distance to real images (lower is better)",
    "alignment_top1": "Images matched to their unseen prompt at the first guess",
    "alignment_top5": "Images matched to their unseen prompt within five guesses",
    "alignment_seen_top1": "Images matched to a prompt it learned at the first guess",
    "alignment_seen_top5": "Images matched to a prompt it learned within five guesses",
    "clip_score": "How well genzoo's CLIP thinks images match their prompt (not a judge of "
    "CLIP guidance, which steers towards this very score)",
    "retrieval_image_to_text_top1": "Unseen emoji given their own caption at the first guess",
    "retrieval_image_to_text_top5": "Unseen emoji given their own caption within five guesses",
    "retrieval_text_to_image_top1": "Captions given their own unseen emoji at the first guess",
    "retrieval_text_to_image_top5": "Captions given their own unseen emoji within five guesses",
    "neg_elbo": "Surprise at unseen images (lower is better)",
    "iw_nll": "Surprise at unseen images, a tighter estimate (lower is better)",
    "reconstruction": "Detail lost when an image goes through the code (lower is better)",
    "kl": "Information the code holds about an image",
    "mse": "Squared pixel error of a round trip through the code (lower is better)",
    "l1": "Pixel error against the true picture (lower is better)",
    "psnr": "Likeness to the true picture, pixel by pixel (higher is better)",
    "ssim": "Likeness to the true picture, shape by shape (higher is better)",
}
"""What each metric of the cards measures, in plain words (keyed by the metric's type, less a
direction's prefix): the home pages lead with these, and keep the card's exact name after."""
_DIRECTION = re.compile(r"^(?:a_to_b|b_to_a)_")


def plain_metric(metric: dict) -> str:
    """One of `card_metrics`'s metrics as a line: plain words and the value first, then its
    reference, then the card's exact name for whoever looks further."""
    direction, _, _ = metric["name"].rpartition(": ")
    plain = PLAIN_METRICS.get(_DIRECTION.sub("", metric["type"]), metric["name"])
    line = f"{direction}: {plain}" if direction and plain != metric["name"] else plain
    number = _percent if "top" in metric["type"] else _plain_number  # a share of guesses
    line += f": **{number(metric['value'])}**"
    if metric["reference"] is not None:
        line += f" ({metric['reference_name']}: {number(metric['reference'])})"
    return line if plain == metric["name"] else f"{line}. *{metric['name']}*"


def _percent(share: float) -> str:
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def _plain_number(value: float) -> str:
    return f"{value:.4g}"


@dataclass(frozen=True)
class ModelSummary:
    name: str
    family: str
    title: str
    sample: Path | None  # the card's first image
    data: str
    metrics: list[dict]  # the first few of the card's model-index
    size_mb: float  # the weights bundled in checkpoints/
    wall_time_s: float | None
    hardware: str

    def markdown(self) -> str:
        """The summary as markdown, for either UI: a list, which a narrow screen wraps (a table
        would squeeze its columns into letters)."""
        minutes = f"{self.wall_time_s / 60:.0f} min" if self.wall_time_s else "unknown time"
        return "\n".join(
            [
                f"**{self.title}** · `{self.name}`",
                "",
                f"Weights: {self.size_mb:.1f} MB · trained in {minutes} on {self.hardware}",
                "",
                f"Data: {self.data}",
                "",
                "Measured on held-out data:",
                "",
                *(f"- {plain_metric(m)}" for m in self.metrics),
            ]
        )


def summary(entry: Bundled) -> ModelSummary:
    card = load_card(entry.name)
    text = card.text if card else ""
    image = _IMAGE.search(text)
    wall_time = _WALL_TIME.search(text)
    hardware = _HARDWARE.search(text)
    data = _DATA.search(text)
    weights = [  # what was trained: not MiniLM's, linked in or downloaded with the model
        p
        for p in entry.folder.rglob("*.safetensors")
        if p.parent.name != "text_encoder" and p.name != "model-text.safetensors"
    ]
    return ModelSummary(
        name=entry.name,
        family=entry.family,
        title=(card.data.model_name if card else None) or entry.title,
        sample=entry.folder / image.group(1) if image else None,
        data=" ".join(data.group(1).split()) if data else "not recorded",
        metrics=card_metrics(entry.name)[:HEADLINE_METRICS],
        size_mb=sum(p.stat().st_size for p in weights) / 1e6,
        wall_time_s=float(wall_time.group(1)) if wall_time else None,
        hardware=hardware.group(1).split(";")[0] if hardware else "unrecorded hardware",
    )


def summaries() -> list[ModelSummary]:
    """Every bundled model, family by family."""
    return [summary(entry) for family in FAMILIES for entry in bundled(family)]


@dataclass(frozen=True)
class FamilySummary:
    """A family as the home pages show it: its picture, what a visitor can do, and its models."""

    family: Family
    models: list[ModelSummary]

    @property
    def sample(self) -> Path | None:
        """The first of its models' samples."""
        return next((model.sample for model in self.models if model.sample), None)

    def measured_markdown(self) -> str:
        """Each model's summary, for the folded "how it measured" of the family's card."""
        if not self.models:
            return self.family.missing_message()
        return "\n\n---\n\n".join(model.markdown() for model in self.models)


def family_summaries() -> list[FamilySummary]:
    """Every family the galleries show, in their order, with its bundled models."""
    models = summaries()
    return [
        FamilySummary(FAMILY_TABLE[name], [m for m in models if m.family == name])
        for name in FAMILIES
    ]
