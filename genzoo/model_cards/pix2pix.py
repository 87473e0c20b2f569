"""pix2pix's model card: what `training/train_pix2pix.py` writes of its generator, its losses and
the held-out pairs it was scored on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genzoo.cards import CardFacts
from genzoo.evaluation import Metric
from genzoo.model_cards import attribution_notes, run_facts

GRID_FILE = "translations.png"


def pix2pix_card(
    settings, command: str, *, parameters: int, metrics: Sequence[Metric], held_out: int
) -> CardFacts:
    """The card of a pix2pix generator of `parameters`, scored by `metrics` on `held_out` pairs.
    `settings` are the training script's."""
    return CardFacts(
        **run_facts(settings, command),
        family="pix2pix",
        task="image-to-image",
        summary=summary(settings, parameters),
        dataset_name=settings.dataset_name,
        dataset_source=f"{settings.source} -> {settings.target}",
        datasets=[settings.source, settings.target],
        dataset_license=settings.dataset_license,
        license="cc-by-sa-4.0" if "sa" in settings.dataset_license else "mit",
        metrics=metrics,
        tags=["gan", "image-to-image"],
        images={"Held-out emoji: input | output | truth": GRID_FILE},
        notes=[
            f"Metrics over all {held_out} held-out pairs: no emoji in them was seen "
            "in training. The identity baseline scores the input itself as the output.",
            *excluded_notes(settings.exclude_categories),
            *attribution_notes(settings.attribution),
        ],
    )


def summary(settings, parameters: int) -> str:
    """The card's first paragraph: the generator, its losses and its data."""
    ssim_term = (
        f" and a 1 - SSIM term (weight {settings.ssim_weight:g})" if settings.ssim_weight else ""
    )
    return (
        f"A pix2pix U-Net generator (Isola et al., 2017), {parameters:,} parameters, that "
        f"turns {Path(settings.source).name} images into {Path(settings.target).name} at "
        f"{settings.image_size} px. Trained from scratch with a PatchGAN discriminator and "
        f"an L1 term (weight {settings.l1_weight:g}){ssim_term}"
        " on pairs: the same emoji drawn in both styles. Measured on held-out emoji."
    )


def excluded_notes(categories: Sequence[str]) -> list[str]:
    """The card's note on the emoji categories left out, if any, and why."""
    if not categories:
        return []
    return [
        "Left out of training and test: "
        + ", ".join(categories)
        + " (in OpenMoji's line art every flag is the same empty frame, so the "
        "input says nothing about the output)."
    ]
