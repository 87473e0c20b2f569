"""Train the text-to-image model's autoencoder (a diffusers `AutoencoderKL`) on emoji images.

    python training/train_autoencoder.py --preset autoencoder-emoji
    python training/train_autoencoder.py --preset autoencoder-emoji-decoder  # the bundled one

It compresses 64x64x3 emoji to 16x16x4 latents, the space the diffusion model then learns in.
The loss is the L1 reconstruction error, a small KL term that keeps the latents near a standard
normal, and, after a warm-up, a PatchGAN term that sharpens edges. The Hub folder it writes is
an input of `train_text_to_image.py`, whose pipeline folder carries it as `vae/`; its card
reports reconstruction PSNR, SSIM and L1 on held-out emoji beside a cheaper way to keep as many
numbers: a 16 px thumbnail scaled back up. See `Settings` (`--help` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from diffusers import AutoencoderKL
from torch.utils.data import DataLoader, TensorDataset

from genzoo import adversarial, training
from genzoo.data.captions import COLOUR_STYLES, CaptionedImages, load_captioned_splits
from genzoo.evaluation import (
    Metric,
    evaluate_translation,
    hot_spot_note,
    reconstruct,
    ssim_map,
    thumbnail,
    white_error,
)
from genzoo.images import make_grid
from genzoo.model_cards import finish_hub_folder, parameter_count
from genzoo.model_cards.autoencoder_kl import GRID_FILE, autoencoder_card
from genzoo.models.latent_diffusion import autoencoder
from genzoo.models.pix2pix import PatchDiscriminator


@dataclass
class Settings(training.RunSettings):
    """Training settings for the autoencoder; every one is a command-line option."""

    sources: list[str] = field(
        default_factory=lambda: list(COLOUR_STYLES), metadata={"help": "emoji image folders"}
    )
    dataset_name: str = "emoji, five colour styles"
    image_size: int = 64
    channels: list[int] = field(default_factory=lambda: [32, 64, 128])
    layers_per_block: int = 1
    norm_groups: int = field(
        default=32, metadata={"help": "group-norm groups (at most the first level's channels)"}
    )
    latent_channels: int = 4
    kl_weight: float = field(default=1e-6, metadata={"help": "weight of the KL term"})
    ssim_weight: float = field(default=0.0, metadata={"help": "weight of the 1 - SSIM term"})
    cosine_decay: bool = field(
        default=False, metadata={"help": "decay the learning rate to 0 along a cosine"}
    )
    mark_weight: float = field(
        default=0.0,
        metadata={
            "help": "weight of the worst pixels: of the batch's mean error (a mark), and "
            "of each flat image"
        },
    )
    clamped_loss: bool = field(
        default=False,
        metadata={"help": "measure the losses on the clamped output, the image a user sees"},
    )
    flat_images: int = field(
        default=0,
        metadata={"help": "images of each batch made one flat colour (the first white)"},
    )
    decoder_from: str = field(
        default="",
        metadata={"help": "an autoencoder folder: fine-tune its decoder alone (same latents)"},
    )
    adversarial_weight: float = field(default=0.05, metadata={"help": "0: no PatchGAN term"})
    adversarial_start: int = field(default=500, metadata={"help": "steps before the GAN term"})
    discriminator_channels: int = 32
    discriminator_layers: int = 2
    flip: bool = True


PRESETS = {
    "autoencoder-emoji": dict(
        output_dir="runs/autoencoder-emoji/hub",
        run_dir="runs/autoencoder-emoji",
        title="AutoencoderKL for emoji, 64x64x3 -> 16x16x4",
        channels=[16, 32, 64],
        norm_groups=4,
        epochs=28,
        batch_size=16,
        learning_rate=4e-4,
        ssim_weight=0.5,
        adversarial_weight=0,
        cosine_decay=True,
        sample_every=1000,
        checkpoint_every=1000,
    ),
    # then its decoder alone, against the marks its corners kept (the latents stay as they are):
    # the bundled autoencoder, the latent space of the text-to-image model
    "autoencoder-emoji-decoder": dict(
        output_dir="checkpoints/autoencoder-emoji",
        run_dir="runs/autoencoder-emoji-decoder",
        title="AutoencoderKL for emoji, 64x64x3 -> 16x16x4",
        channels=[16, 32, 64],
        norm_groups=4,
        decoder_from="runs/autoencoder-emoji/hub",
        epochs=3,
        batch_size=16,
        learning_rate=1e-4,
        ssim_weight=0.5,
        mark_weight=1.0,
        flat_images=2,
        clamped_loss=True,
        adversarial_weight=0,
        cosine_decay=True,
        sample_every=500,
        checkpoint_every=500,
    ),
}


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    train_set, test_set = load_captioned_splits(
        settings.sources, settings.image_size, settings.train_limit, settings.test_limit
    )
    vae, discriminator = build_models(settings)
    train(settings, vae, discriminator, train_set, test_set, accelerator)
    if accelerator.is_main_process:
        vae = vae.float().eval()
        if not settings.decoder_from:  # else the latents, and so their scale, are unchanged
            set_scaling_factor(vae, train_set.images)
        vae = vae.cpu()
        metrics, reconstructions = measure(settings, vae, test_set)
        save_hub_folder(settings, vae, test_set, metrics, reconstructions, command)
        training.push_if_asked(settings)
    accelerator.end_training()


def build_models(settings: Settings) -> tuple[AutoencoderKL, PatchDiscriminator]:
    """A fresh autoencoder, or a trained one whose encoder is frozen (`decoder_from`), and the
    discriminator."""
    if settings.decoder_from:
        vae = AutoencoderKL.from_pretrained(settings.decoder_from)
        vae.encoder.requires_grad_(False)
        vae.quant_conv.requires_grad_(False)
    else:
        vae = autoencoder(
            image_size=settings.image_size,
            latent_channels=settings.latent_channels,
            channels=tuple(settings.channels),
            layers_per_block=settings.layers_per_block,
            norm_groups=settings.norm_groups,
        )
    discriminator = PatchDiscriminator(
        base_channels=settings.discriminator_channels, layers=settings.discriminator_layers
    )
    return vae, discriminator


def to_model(images: torch.Tensor) -> torch.Tensor:
    """uint8 images -> floats in [-1, 1], as diffusers' autoencoders take them."""
    return images.float() / 127.5 - 1


def train(
    settings: Settings,
    vae: AutoencoderKL,
    discriminator: PatchDiscriminator,
    train_set: CaptionedImages,
    test_set: CaptionedImages,
    accelerator,
) -> None:
    """The loop: the autoencoder on L1 + KL (+ 1 - SSIM, + fooling D after the warm-up); then D
    on real images against reconstructions."""
    loader = DataLoader(
        TensorDataset(train_set.images), settings.batch_size, shuffle=True, drop_last=True
    )
    trained = [p for p in vae.parameters() if p.requires_grad]
    vae_optimizer = torch.optim.Adam(trained, settings.learning_rate)
    d_optimizer = adversarial.adam(discriminator.parameters(), settings.learning_rate)
    round_trip, discriminator, vae_optimizer, d_optimizer, loader = accelerator.prepare(
        RoundTrip(vae), discriminator, vae_optimizer, d_optimizer, loader
    )
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    schedule = training.learning_rate_schedule(
        accelerator, vae_optimizer, total, settings.cosine_decay
    )
    checkpoints = training.Checkpoints(accelerator, settings.run_path)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "autoencoder", settings)
    gan_loss, losses = adversarial.GANLoss("lsgan"), training.RunningLosses()
    fixed = to_model(test_set.images[:: max(1, len(test_set) // 16)][:16])  # the card's too

    def draw(step: int) -> None:
        save_grid(vae, fixed, settings.run_path, step, accelerator)

    steps = training.Steps(accelerator, loader, start, total, settings, checkpoints)
    for step, (images,) in steps:
        (real,) = adversarial.random_flip(to_model(images), enabled=settings.flip)
        real = with_flat_images(real, settings.flat_images)
        adversarial_on = settings.adversarial_weight > 0 and step > settings.adversarial_start
        round_trip.train(), discriminator.train()
        with adversarial.frozen(discriminator), accelerator.autocast():
            fake, terms = autoencoder_losses(
                settings, round_trip, discriminator if adversarial_on else None, real, gan_loss
            )
        training.optimizer_step(accelerator, vae_optimizer, terms["loss"])
        schedule.step()
        if adversarial_on:
            with accelerator.autocast():
                d_loss = adversarial.discriminator_loss(discriminator, real, fake, gan_loss)
            training.optimizer_step(accelerator, d_optimizer, d_loss)
            losses.add(d=d_loss, g_gan=terms["g_gan"])
        losses.add(l1=terms["l1"], kl=terms["kl"])
        steps.end(step, losses, draw)


def autoencoder_losses(
    settings: Settings,
    round_trip: RoundTrip,
    discriminator: PatchDiscriminator | None,
    real: torch.Tensor,
    gan_loss: adversarial.GANLoss,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The reconstructions of `real` and the autoencoder's losses: L1, KL, and with their
    weights 1 - SSIM, the mark, and fooling `discriminator` (None before the warm-up ends);
    their weighted sum as `loss`."""
    fake, kl = round_trip(real)
    if settings.clamped_loss:  # past white is white: what the decoder may overshoot
        fake = fake.clamp(-1, 1)
    l1 = (fake - real).abs().mean()
    kl = kl.mean()
    loss = l1 + settings.kl_weight * kl
    if settings.ssim_weight:
        structure = ssim_map((fake.float() + 1) / 2, (real + 1) / 2).mean()
        loss = loss + settings.ssim_weight * (1 - structure)
    if settings.mark_weight:
        loss = loss + settings.mark_weight * mark(fake, real, settings.flat_images)
    g_gan = gan_loss(discriminator(fake), True) if discriminator is not None else torch.zeros(())
    loss = loss + settings.adversarial_weight * g_gan
    return fake, dict(l1=l1, kl=kl, g_gan=g_gan, loss=loss)


class RoundTrip(torch.nn.Module):
    """The autoencoder's training pass as one forward call: encode, sample the posterior,
    decode; it returns the reconstructions and each image's KL. Distributed training wraps a
    module and synchronises gradients only through its forward."""

    def __init__(self, vae: AutoencoderKL):
        super().__init__()
        self.vae = vae

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        posterior = self.vae.encode(images).latent_dist
        return self.vae.decode(posterior.sample()).sample, posterior.kl()


def mark(fake: torch.Tensor, real: torch.Tensor, flat_images: int = 0) -> torch.Tensor:
    """What every image gets wrong alike (the batch's mean error), at its worst pixel; and the
    worst pixel of each flat image (the first `flat_images`), which has one right answer."""
    error = fake - real
    worst = error[flat_images:].mean(0).abs().amax()
    if flat_images:
        worst = worst + error[:flat_images].abs().flatten(1).amax(1).mean()
    return worst


def with_flat_images(batch: torch.Tensor, count: int) -> torch.Tensor:
    """`batch` (in [-1, 1]) with its first `count` images each one flat colour, the first of them
    white: an autoencoder should give a flat colour back flat, and white is every emoji's ground."""
    if not count:
        return batch
    colours = torch.rand(count, batch.shape[1], 1, 1, device=batch.device) * 2 - 1
    colours[0] = 1
    return torch.cat([colours.expand(-1, -1, *batch.shape[2:]), batch[count:]])


@torch.no_grad()
def set_scaling_factor(vae: AutoencoderKL, images: torch.Tensor, count: int = 1024) -> None:
    """Record 1 / std of the latents in the config, as Stable Diffusion does, so that the
    diffusion model sees latents of unit variance."""
    latents = [
        vae.encode(to_model(batch).to(vae.device)).latent_dist.mode()
        for batch in images[:count].split(64)
    ]
    vae.register_to_config(scaling_factor=float(1 / torch.cat(latents).std()))


@torch.no_grad()
def save_grid(vae: AutoencoderKL, images: torch.Tensor, run_dir: Path, step: int, accelerator):
    """Two rows per eight held-out emoji: the images, then their reconstructions."""
    if accelerator.is_main_process:
        vae.eval()
        grid = reconstruction_grid(vae, (images + 1) / 2)
        training.save_sample(grid, run_dir, "reconstructions", step, accelerator)


def reconstruction_grid(vae: AutoencoderKL, images: torch.Tensor, per_row: int = 8):
    """Rows of `per_row` images in [0, 1], each followed by a row of their reconstructions."""
    again = reconstruct(vae, images)
    rows = [
        x for pair in zip(images.split(per_row), again.split(per_row), strict=True) for x in pair
    ]
    return make_grid(torch.cat(rows), rows=len(rows), padding=1)


def measure(
    settings: Settings, vae: AutoencoderKL, test_set: CaptionedImages
) -> tuple[list[Metric], torch.Tensor]:
    """Reconstruction metrics on every held-out image, beside a thumbnail holding as many
    numbers as the latent, scaled back up; and the reconstructions (in [0, 1])."""
    images = test_set.images.float() / 255
    latent_side = settings.image_size // 2 ** (len(settings.channels) - 1)
    thumbnail_side = round(latent_side * (settings.latent_channels / 3) ** 0.5)
    reconstructions = reconstruct(vae, images)
    metrics = evaluate_translation(
        reconstructions,
        images,
        thumbnail(images, thumbnail_side),
        baseline=f"{thumbnail_side} px thumbnail scaled up (as many numbers as the latent)",
    )
    return metrics, reconstructions


def save_hub_folder(
    settings: Settings,
    vae: AutoencoderKL,
    test_set: CaptionedImages,
    metrics: list[Metric],
    reconstructions: torch.Tensor,
    command: str,
) -> None:
    """Weights, config, a reconstruction grid and the card with the metrics."""
    folder = Path(settings.output_dir)
    vae.save_pretrained(folder)
    images = test_set.images.float() / 255
    shown = images[:: max(1, len(images) // 16)][:16]
    reconstruction_grid(vae, shown).save(folder / GRID_FILE)
    size = settings.image_size
    facts = autoencoder_card(
        settings,
        command,
        parameters=parameter_count(vae),
        metrics=metrics,
        held_out=(len(images), len(set(test_set.keys))),
        measured_notes=[
            f"A plain white {size} px image comes back within {white_error(vae, size):.0f} "
            "levels of 255 at every pixel.",
            hot_spot_note(reconstructions, images),
        ],
    )
    finish_hub_folder(folder, facts, settings, builds_on=settings.decoder_from)


if __name__ == "__main__":
    main()
