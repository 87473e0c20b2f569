"""The DCGAN's model card: what `training/train_dcgan.py` writes of its generator and the
distance its samples measured."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genzoo.cards import CardFacts
from genzoo.evaluation import Metric
from genzoo.model_cards import attribution_notes, run_facts

SAMPLES_FILE = "samples.png"


def dcgan_card(
    settings, command: str, *, parameters: int, metrics: Sequence[Metric], compared: int
) -> CardFacts:
    """The card of a DCGAN generator of `parameters`, its distance measured over `compared`
    generated images against as many held-out ones. `settings` are the training script's."""
    return CardFacts(
        **run_facts(settings, command),
        family="dcgan",
        summary=summary(settings, parameters),
        dataset_name=settings.dataset_name or Path(settings.dataset[0]).name,
        dataset_source=", ".join(settings.dataset),
        datasets=settings.dataset,
        dataset_license=settings.dataset_license,
        metrics=metrics,
        tags=["gan"],
        images={"Samples": SAMPLES_FILE},
        notes=[
            f"The distance compares {compared} generated images with {compared} held-out test "
            f"images; the floor is {compared} training images against the same test images.",
            *attribution_notes(settings.attribution),
        ],
    )


def summary(settings, parameters: int) -> str:
    """The card's first paragraph: the generator, its data, and the options the run took."""
    text = (
        f"A DCGAN generator (Radford et al., 2016), {parameters:,} parameters, that maps a "
        f"{settings.latent_dim}-D standard normal code to a {settings.image_size}x"
        f"{settings.image_size} image, trained from scratch on {settings.dataset_name}. "
        "Only the generator is published; the discriminator stays in the training run."
    )
    if settings.augment:
        text += (
            " The discriminator saw every image, real or generated, through differentiable "
            "augmentation (DiffAugment: colour, translation, cutout; Zhao et al., 2020)."
        )
    if settings.ema_decay:
        text += (
            f" It ships the moving average of the generator's weights (decay "
            f"{settings.ema_decay:g}), its batch-norm statistics measured again."
        )
    return text
