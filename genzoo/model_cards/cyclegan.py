"""The CycleGAN's model card: what `training/train_cyclegan.py` writes of its generators, its
losses and the held-out true pairs it was scored on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genzoo.cards import CardFacts
from genzoo.data.captions import licence
from genzoo.evaluation import Metric
from genzoo.model_cards import run_facts

UPSAMPLING_NAMES = {"resize": "resizing then convolving", "transpose": "transposed convolution"}
GRID_FILE = "translations.png"


def cyclegan_card(
    settings,
    command: str,
    *,
    parameters: int,
    domains: tuple[str, str],
    metrics: Sequence[Metric],
    held_out: int,
    selection_notes: Sequence[str] = (),
) -> CardFacts:
    """The card of a CycleGAN of `parameters` between `domains` (A and B, as the model names
    them), scored by `metrics` on `held_out` true pairs; `selection_notes` say which weights were
    shipped, if the run judged them (`genzoo.selection`). `settings` are the training script's."""
    name_a, name_b = domains
    return CardFacts(
        **run_facts(settings, command),
        family="cyclegan",
        task="image-to-image",
        summary=summary(settings, parameters, name_a, name_b),
        dataset_name=settings.dataset_name,
        dataset_source=f"{settings.domain_a} <-> {settings.domain_b}",
        datasets=[settings.domain_a, settings.domain_b],
        dataset_license=settings.dataset_license,
        metrics=metrics,
        tags=["gan", "image-to-image"],
        images={f"Held-out emoji: {name_a} | → {name_b} | {name_b} | → {name_a}": GRID_FILE},
        notes=[
            "Training shuffles the two styles independently: no step pairs an emoji with its "
            f"twin. The {held_out} held-out emoji, never seen in training, do come in "
            "both styles, so each direction is scored against the true translation. The "
            "identity baseline scores the input itself as the output.",
            *([settings.pair_note] if settings.pair_note else []),
            *selection_notes,
            *licence([settings.domain_a, settings.domain_b])[1],
        ],
    )


def summary(settings, parameters: int, name_a: str, name_b: str) -> str:
    """The card's first paragraph: the architecture, the losses and the options the run took."""
    identity_weight = settings.cycle_weight * settings.identity_weight
    text = (
        f"A CycleGAN (Zhu et al., 2017): two ResNet generators, {name_a} → {name_b} and "
        f"back, {parameters:,} parameters in all, at {settings.image_size} px, upsampling by "
        f"{UPSAMPLING_NAMES[settings.upsample]}. Trained from "
        "scratch without pairs: two PatchGAN discriminators with the least-squares loss, "
        f"cycle-consistency (weight {settings.cycle_weight:g}{cycle_exceptions(settings)}) "
        "and identity "
        f"(weight {identity_weight:g}) losses, and pools "
        f"of {settings.pool_size} past fakes."
    )
    if settings.cycle_noise:
        text += (
            f" Each translation gets Gaussian noise (std {settings.cycle_noise:g}) before "
            "the way back, so that neither generator can hide its input in faint patterns."
        )
    if settings.learn_change:
        text += (
            " Each generator adds a learned change to its input, its last layer starting at "
            "zero, so that training starts from the identity."
        )
    if settings.ema_decay:
        text += (
            f" The weights are a moving average of the generators' (decay {settings.ema_decay:g})."
        )
    return text


def cycle_exceptions(settings) -> str:
    """'; 2.5 for A → B → A' for each cycle weighted apart from `cycle_weight`."""
    a, b = Path(settings.domain_a).name, Path(settings.domain_b).name
    return "".join(
        f"; {settings.cycle_weight * fraction:g} for {first} → {second} → {first}"
        for fraction, first, second in (
            (settings.a_cycle_fraction, a, b),
            (settings.b_cycle_fraction, b, a),
        )
        if fraction != 1
    )
