"""What the gallery's home shows about each bundled model, read from its model card (never copied
by hand): family, title, a sample image, data and licence, headline metrics, size on disk and
training time and hardware. Both home pages (Streamlit's `Home.py`, the Gradio app's first tab)
render `summaries()`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from genzoo.cards import card_metrics
from genzoo.hub import load_card
from genzoo.registry import FAMILIES, FAMILY_TABLE, Bundled, bundled

HEADLINE_METRICS = 4
_IMAGE = re.compile(r"!\[[^\]]*\]\(([\w.-]+)\)")
_WALL_TIME = re.compile(r"^- Wall time: (\d+) s", re.MULTILINE)
_HARDWARE = re.compile(r"^- Hardware: (.+)$", re.MULTILINE)
_DATA = re.compile(r"^## Data\n\n(.+?)\n\n", re.MULTILINE | re.DOTALL)


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
        """The summary as markdown, for either UI."""
        minutes = f"{self.wall_time_s / 60:.0f} min" if self.wall_time_s else "unknown time"
        rows = "\n".join(
            f"| {m['name']} | {m['value']:.4g} |"
            + (f" {m['reference']:.4g} ({m['reference_name']}) |" if m["reference"] else " |")
            for m in self.metrics
        )
        return "\n".join(
            [
                f"**{self.title}** · {FAMILY_TABLE[self.family].title} · `{self.name}`",
                "",
                f"Data: {self.data}",
                "",
                f"Weights: {self.size_mb:.1f} MB · trained in {minutes} on {self.hardware}",
                "",
                "| metric (held-out) | value | reference |",
                "|---|---|---|",
                rows,
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
