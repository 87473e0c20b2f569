"""The autoencoder's model card: what `training/train_autoencoder.py` writes of the
`AutoencoderKL` that gives the text-to-image model its latent space."""

from __future__ import annotations

from collections.abc import Sequence

from genzoo.cards import CardFacts, card_runs
from genzoo.data.captions import licence
from genzoo.evaluation import Metric
from genzoo.model_cards import run_facts

GRID_FILE = "reconstructions.png"
USAGE = (
    'from diffusers import AutoencoderKL\n\nvae = AutoencoderKL.from_pretrained("folder/or/repo")'
)


def autoencoder_card(
    settings,
    command: str,
    *,
    parameters: int,
    metrics: Sequence[Metric],
    held_out: tuple[int, int],
    measured_notes: Sequence[str],
) -> CardFacts:
    """The card of an autoencoder of `parameters`, measured by `metrics` on `held_out` (images,
    emoji), with `measured_notes` on what else was measured. `settings` are the training
    script's; the runs before this one are those of the folder it went on from, if any."""
    images, emoji = held_out
    licence_name, attributions = licence(settings.sources)
    return CardFacts(
        **run_facts(settings, command),
        family="autoencoder-kl",
        task="image-to-image",
        summary=summary(settings, parameters),
        dataset_name=settings.dataset_name,
        dataset_source=", ".join(settings.sources),
        datasets=settings.sources,
        dataset_license=licence_name,
        license=licence_name,
        metrics=metrics,
        tags=["autoencoder", "diffusers"],
        images={"Held-out emoji, and their reconstructions below them": GRID_FILE},
        notes=[
            f"Metrics over all {images} held-out images ({emoji} emoji "
            "never seen in training, in every style).",
            *measured_notes,
            *attributions,
        ],
        usage=USAGE,
        earlier_runs=card_runs(settings.decoder_from),
    )


def summary(settings, parameters: int) -> str:
    """The card's first paragraph: the shapes, the losses and the options the run took."""
    size, levels = settings.image_size, len(settings.channels)
    side = size // 2 ** (levels - 1)
    losses = loss_names(settings)
    groups = min(settings.norm_groups, settings.channels[0])
    decoder = (
        f" Then its decoder alone was fine-tuned for {settings.epochs} epochs, the encoder and so "
        "the latents kept as they were."
        if settings.decoder_from
        else ""
    )
    flat = (
        f" Of each batch of {settings.batch_size}, {settings.flat_images} images were made one "
        "flat colour (one of them white), so that flat colours come back flat."
        if settings.flat_images
        else ""
    )
    clamped = ", each on the clamped output" if settings.clamped_loss else ""
    cosine = ", the learning rate decaying along a cosine" if settings.cosine_decay else ""
    return (
        f"A diffusers `AutoencoderKL`, {parameters:,} parameters, trained from scratch on emoji: "
        f"{size}x{size}x3 images to {side}x{side}x{settings.latent_channels} latents and back. "
        f"Loss: {', '.join(losses[:-1])} and {losses[-1]}{clamped}{cosine}"
        f". Group normalisation in {groups} groups of {settings.channels[0] // groups} or "
        f"more channels.{decoder}{flat} The latent space of genzoo's text-to-image model."
    )


def loss_names(settings) -> list[str]:
    """The terms of the loss, as the card names them, with their weights."""
    losses = ["L1 reconstruction"]
    if settings.ssim_weight:
        losses.append(f"1 - SSIM (weight {settings.ssim_weight:g})")
    losses.append(f"KL to a standard normal (weight {settings.kl_weight:g})")
    if settings.mark_weight:
        losses.append(
            "the worst pixel of the batch's mean error"
            + (" and of each flat image" if settings.flat_images else "")
            + f" (weight {settings.mark_weight:g})"
        )
    if settings.adversarial_weight:
        losses.append(
            f"a PatchGAN term (weight {settings.adversarial_weight:g}, from step "
            f"{settings.adversarial_start})"
        )
    return losses
