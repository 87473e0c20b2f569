"""The Glow's model card: what `training/train_flow.py` writes of its model, its data, its exact
likelihood on the test split, its samples' Fréchet distance (at the card's temperature and at
others) and the test images it ships."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genzoo.cards import CardFacts
from genzoo.evaluation import FRECHET_KEY, FRECHET_NAME, REAL_FLOOR, Metric
from genzoo.hub import EXAMPLES_FILE
from genzoo.likelihood import BITS_PER_DIM_KEY
from genzoo.model_cards import run_facts

SAMPLES_FILE = "samples.png"
BITS_PER_DIM_NAME = "Bits per dimension (exact, test split, 8-bit pixels, uniform dequantisation)"


def bits_per_dim_metric(value: float) -> Metric:
    """The card's headline: the test split's mean bits per dimension."""
    return Metric(BITS_PER_DIM_KEY, BITS_PER_DIM_NAME, value)


def frechet_metric(temperature: float, value: float, floor: float, headline: bool) -> Metric:
    """The Fréchet distance of samples drawn at `temperature`, beside the real-vs-real `floor`.
    The `headline` one (the card's temperature) has the key every family's distance has; the
    others, the key with their temperature after it (`fd_effnet_lite0_t1`)."""
    key = FRECHET_KEY if headline else f"{FRECHET_KEY}_t{temperature:g}"
    name = f"Samples at T = {temperature:g}: {FRECHET_NAME}"
    return Metric(key, name, value, reference=floor, reference_name=REAL_FLOOR)


def flow_card(
    settings,
    command: str,
    *,
    parameters: int,
    metrics: Sequence[Metric],
    shipped: int,
    compared: int,
    images: dict[str, str],
) -> CardFacts:
    """The card of a Glow of `parameters`, measured by `metrics` (its distances over `compared`
    samples at each temperature; 0: none measured), that ships `shipped` test images and shows
    `images` (caption -> file). `settings` are the training script's."""
    dataset_name = settings.dataset_name or Path(settings.dataset).name
    return CardFacts(
        **run_facts(settings, command),
        family="flow",
        summary=(
            f"A multi-scale Glow (actnorm, invertible 1x1 convolutions, affine couplings; "
            f"{settings.levels} levels, {settings.steps_per_level} steps each, couplings "
            f"{settings.hidden_channels} channels wide), {parameters:,} parameters, trained from "
            f"scratch on {dataset_name} by maximum likelihood. It maps an image to a latent of "
            f"the same size and back exactly, and gives each image's exact log-likelihood. The "
            f"folder also ships {EXAMPLES_FILE}: {shipped} held-out test images for the gallery."
        ),
        dataset_name=dataset_name,
        dataset_source=settings.dataset,
        datasets=[settings.dataset],
        dataset_license=settings.dataset_license,
        metrics=metrics,
        tags=["normalizing-flow", "glow"],
        images=images,
        notes=[
            "Bits per dimension: (NLL in nats / D + ln 256) / ln 2, pixels in [0, 1], each 8-bit "
            "test image dequantised once with seeded uniform noise, (k + u) / 256. The density "
            "is exact (no variational bound, unlike a VAE's); dequantisation makes the figure an "
            "upper bound on the bits of the 8-bit images themselves (Theis et al., 2016).",
            f"Samples are drawn at temperature {settings.temperature:g} (Glow's T: the latent's "
            "noise scaled down; at 1 the samples are the model's own).",
            "Layers: normflows 1.7.3 (MIT): GlowBlock, Squeeze, Merge, GlowBase, "
            f"{'Logit' if settings.preprocessing == 'logit' else 'a centring'} preprocessing.",
            *distance_notes(compared),
        ],
    )


def distance_notes(compared: int) -> list[str]:
    """What the card's Fréchet distances compare, if it has any."""
    if not compared:
        return []
    return [
        f"Each Fréchet distance compares {compared} samples at one temperature with {compared} "
        f"test images; the floor is {compared} training images against the same test images."
    ]
