"""The CLIP's model card: what `training/train_clip.py` writes of its towers, its data, and what
it picks among the held-out captions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from genzoo.cards import CardFacts
from genzoo.data.captions import CaptionedImages, licence
from genzoo.evaluation import Metric
from genzoo.images import make_grid
from genzoo.model_cards import run_facts
from genzoo.pipelines.clip import save_examples
from genzoo.retrieval import held_out_pairs

PICKS_FILE = "picks.png"
PICKS_SHOWN = 8
USAGE = """\
from transformers import VisionTextDualEncoderModel
from genzoo.models.clip import complete_folder

# a bundled folder gets MiniLM's shard from the installed package; a Hub repo has it already
model = VisionTextDualEncoderModel.from_pretrained(complete_folder("checkpoints/clip-emoji"))"""


def clip_card(
    settings,
    command: str,
    *,
    trained_parameters: int,
    metrics: Sequence[Metric],
    sections: dict[str, str],
) -> CardFacts:
    """The card of a CLIP whose image tower and projections have `trained_parameters`, measured
    by `metrics`, with `sections` (heading -> markdown). `settings` are the training script's."""
    licence_name, attributions = licence(settings.sources)
    return CardFacts(
        **run_facts(settings, command),
        family="clip",
        task="zero-shot-image-classification",
        summary=(
            "A small CLIP (Radford et al., 2021), trained from scratch by genzoo with the "
            f"contrastive loss: a ConvNeXt image tower of {trained_parameters:,} trained "
            f"parameters (with the projections) at {settings.image_size} px, and the frozen "
            "all-MiniLM-L6-v2 text tower, its pooled output projected, both into "
            f"{settings.projection_dim} dimensions. {settings.degraded_share:.0%} of training "
            "images are blurred and noised, so that it also scores partially denoised images. "
            "A stock transformers `VisionTextDualEncoderModel`."
        ),
        dataset_name=settings.dataset_name,
        dataset_source=", ".join(settings.sources),
        datasets=settings.sources,
        dataset_license=licence_name,
        license=licence_name,
        metrics=metrics,
        tags=["clip", "transformers", "vision-text-dual-encoder"],
        images={"Held-out emoji, in the order of the table above": PICKS_FILE},
        sections=sections,
        notes=[
            "The held-out emoji were never seen in training, so retrieval is zero-shot: it "
            "rests on words (names, keywords, colours, styles) seen with other emoji.",
            *attributions,
        ],
        usage=USAGE,
    )


def picks_markdown(retrieval, test_set: CaptionedImages, count: int, folder: Path) -> str:
    """A few held-out images (saved as picks.png) with their captions and the caption the model
    ranks first among all the held-out ones."""
    images, prompts = held_out_pairs(test_set, count)
    shown = torch.linspace(0, len(prompts) - 1, PICKS_SHOWN).long().tolist()
    make_grid(images[shown], rows=1, padding=2).save(folder / PICKS_FILE)
    save_examples(folder, images, prompts)
    rows = [
        f"| {n + 1} | {prompts[i]} | {prompts[retrieval.first_picks[i]]} |"
        for n, i in enumerate(shown)
    ]
    return "\n".join(
        [
            f"Held-out images (`picks.png`, left to right), each with its own caption and the one "
            f"it ranks first among the {len(prompts)} captions:",
            "",
            "| image | its caption | first pick |",
            "|---|---|---|",
            *rows,
        ]
    )
