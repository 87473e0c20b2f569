"""The VAE's model card: what `training/train_vae.py` writes of its model, its data and the
test images it ships."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genzoo.cards import CardFacts
from genzoo.evaluation import Metric
from genzoo.hub import EXAMPLES_FILE
from genzoo.model_cards import run_facts

SAMPLES_FILE = "samples.png"
MANIFOLD_FILE = "manifold.png"


def vae_card(
    settings,
    command: str,
    *,
    latent_dim: int,
    parameters: int,
    metrics: Sequence[Metric],
    shipped: int,
    images: dict[str, str],
) -> CardFacts:
    """The card of a VAE of `parameters` with a `latent_dim`-D latent, measured by `metrics`,
    that ships `shipped` test images and shows `images` (caption -> file). `settings` are the
    training script's."""
    dataset_name = settings.dataset_name or Path(settings.dataset).name
    return CardFacts(
        **run_facts(settings, command),
        family="vae",
        summary=(
            f"A convolutional variational autoencoder with a {latent_dim}-D latent and a "
            f"Bernoulli decoder, {parameters:,} parameters, "
            f"trained from scratch on {dataset_name}. The folder also ships {EXAMPLES_FILE}: "
            f"{shipped} held-out test images for the gallery."
        ),
        dataset_name=dataset_name,
        dataset_source=settings.dataset,
        datasets=[settings.dataset],
        dataset_license=settings.dataset_license,
        metrics=metrics,
        tags=["autoencoder"],
        images=images,
    )
