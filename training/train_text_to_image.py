"""Train the text-to-image model: a latent diffusion UNet over the trained autoencoder's latents of
captioned emoji, conditioned on the frozen MiniLM, and write a stock `StableDiffusionPipeline`.

    python training/train_autoencoder.py --preset autoencoder-emoji      # first, once
    python training/train_text_to_image.py --preset text-to-image-emoji

The objective, the loop and the moving averages are `genzoo.diffusion_training`'s; this script
builds the UNet (or goes on with a saved one, `--unet_from`), draws the validation prompts, and
measures the saved pipeline over guidance scales and step counts. See `Settings` (`--help`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel

from genzoo import diffusion_training, training
from genzoo.alignment import evaluate_text_to_image
from genzoo.cards import HELD_OUT_SECTION, NEIGHBOURS_SECTION, SEEN_SECTION, card_runs
from genzoo.data.captions import CaptionedImages
from genzoo.diffusion.neighbours import WEIGHT, Neighbours
from genzoo.images import make_grid
from genzoo.model_cards import finish_hub_folder, parameter_count
from genzoo.model_cards.text_to_image import text_to_image_card
from genzoo.models import latent_diffusion


@dataclass
class Settings(diffusion_training.DiffusionSettings):
    """Training settings for the text-to-image UNet; every one is a command-line option."""

    channels: list[int] = field(default_factory=lambda: [64, 128, 128])
    attention: list[bool] = field(default_factory=lambda: [False, True, True])
    layers_per_block: int = 1
    heads: int = 4
    norm_groups: int = field(
        default=32, metadata={"help": "group-norm groups (at most the first level's channels)"}
    )
    eval_guidance: list[float] = field(default_factory=lambda: [1.0, 3.0, 5.0, 7.5, 10.0])
    eval_steps: list[int] = field(default_factory=lambda: [10, 25])
    pooled_text: bool = field(
        default=False,
        metadata={
            "help": "also add an attention pooling of the caption to the time embedding (a "
            "`--unet_from` UNet without one gains it, starting at zero)"
        },
    )
    dropout: float = field(
        default=0.0,
        metadata={"help": "dropout in the UNet's residual blocks, a `--unet_from` one's too"},
    )
    unet_from: str = field(
        default="",
        metadata={
            "help": "a text-to-image folder: go on training its UNet, in a new sitting (its card "
            "counts every sitting; each draws new noise)"
        },
    )


PRESETS = {
    # The bundled model, in two runs. The first: a constant learning rate lets `--max_steps` end
    # a sitting at any step, and `--resume` go on from its last checkpoint.
    "text-to-image-emoji": dict(
        output_dir="runs/text-to-image-emoji/hub",
        run_dir="runs/text-to-image-emoji",
        autoencoder="checkpoints/autoencoder-emoji",
        title="Text-to-image latent diffusion, emoji, 64 px",
        channels=[32, 64, 128],
        layers_per_block=2,
        norm_groups=8,
        epochs=100,
        max_steps=19000,
        batch_size=32,
        learning_rate=3e-4,
        noise_offset=0.1,
        second_ema_decay=0.9999,
        sample_every=1000,
        checkpoint_every=500,
        eval_guidance=[1.0, 5.0, 7.5],
        half_precision=True,
    ),
}
# The second goes on from the first for 6,000 steps, its learning rate falling to zero.
PRESETS["text-to-image-emoji-anneal"] = PRESETS["text-to-image-emoji"] | dict(
    output_dir="checkpoints/text-to-image-emoji",
    run_dir="runs/text-to-image-emoji-anneal",
    unet_from="runs/text-to-image-emoji/hub",
    max_steps=6000,
    cosine_decay=True,
)
# The first under runs/ too, for a sitting measured before it replaces the first run's output.
PRESETS["text-to-image-emoji-next"] = PRESETS["text-to-image-emoji"] | dict(
    output_dir="runs/text-to-image-emoji-next/hub", run_dir="runs/text-to-image-emoji-next"
)


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    run = diffusion_training.start(settings, accelerator)
    unet = build_unet(settings, run.vae)
    averages = diffusion_training.train(
        settings, unet, run, validation_grid(settings), sitting=len(card_runs(settings.unet_from))
    )
    if run.accelerator.is_main_process:
        pipeline, decay, comparison = diffusion_training.finish(settings, unet, averages, run)
        save_hub_folder(settings, pipeline, run.test_set, run.train_set, command, decay, comparison)
        training.push_if_asked(settings)
    run.accelerator.end_training()


def build_unet(settings: Settings, vae: AutoencoderKL) -> UNet2DConditionModel:
    """A fresh UNet, or the trained one of `unet_from` to go on training (in float32: a bundled
    UNet is stored at half precision)."""
    if settings.unet_from:
        unet = UNet2DConditionModel.from_pretrained(
            settings.unet_from, subfolder="unet", dtype=torch.float32, dropout=settings.dropout
        )
        if settings.pooled_text and not latent_diffusion.pools_text(unet):
            unet = latent_diffusion.with_pooled_text(unet, settings.heads)
        return unet
    return latent_diffusion.denoiser(
        latent_size=settings.image_size // 2 ** (len(vae.config.block_out_channels) - 1),
        latent_channels=vae.config.latent_channels,
        channels=tuple(settings.channels),
        attention=tuple(settings.attention),
        layers_per_block=settings.layers_per_block,
        heads=settings.heads,
        norm_groups=settings.norm_groups,
        pooled_text=settings.pooled_text,
        dropout=settings.dropout,
    )


def validation_grid(settings: Settings) -> diffusion_training.Grid:
    """The validation prompts at the validation guidance, in two rows."""

    def grid(pipeline):
        images = diffusion_training.render(
            pipeline, settings.validation_prompts, settings.validation_guidance
        )
        return make_grid(images, rows=2, padding=1)

    return grid


def save_hub_folder(
    settings: Settings,
    pipeline,
    test_set: CaptionedImages,
    train_set: CaptionedImages,
    command: str,
    decay: float,
    averages_section: str = "",
) -> None:
    """The pipeline, a grid, the learned captions that neighbour guidance leans on, and the card
    with the measurements (`measure`) and the comparison of two moving averages (of `decay`, the
    saved one's)."""
    folder = diffusion_training.save_pipeline(settings, pipeline, validation_grid(settings))
    learned = [each[0] for each in train_set.captions]
    served = Neighbours.of(learned, pipeline.text_encoder, pipeline.tokenizer)
    served.save(folder)
    metrics, sections = measure(settings, pipeline, test_set, train_set, served)
    if averages_section:
        sections["Moving averages"] = averages_section
    facts = text_to_image_card(
        settings,
        command,
        parameters=parameter_count(pipeline.unet),
        decay=decay,
        metrics=metrics,
        sections=sections,
    )
    finish_hub_folder(folder, facts, settings, builds_on=settings.unet_from)


def measure(
    settings: Settings,
    pipeline,
    test_set: CaptionedImages,
    train_set: CaptionedImages,
    served: Neighbours,
) -> tuple[list, dict[str, str]]:
    """The metrics over guidance scales and step counts, on held-out captions and on captions
    seen in training, leaning on the `served` neighbours as the gallery does, and with and
    without them: the card's metrics and sections."""
    measured = dict(
        count=settings.eval_count, guidance_scales=settings.eval_guidance, seed=settings.seed
    )
    table = evaluate_text_to_image(
        pipeline,
        test_set,
        train_set,
        step_counts=settings.eval_steps,
        neighbours=served,
        **measured,
    )
    seen = evaluate_text_to_image(
        pipeline,
        test_set,
        train_set,
        step_counts=[max(settings.eval_steps)],
        seen=True,
        neighbours=served,
        **measured,
    )
    sections = {
        HELD_OUT_SECTION: table.markdown(),
        SEEN_SECTION: seen.markdown(),
        NEIGHBOURS_SECTION: neighbours_section(pipeline, test_set, train_set, table, measured),
    }
    return table.headline() + seen.headline(), sections


def neighbours_section(pipeline, test_set, train_set, served, measured: dict) -> str:
    """The held-out headline row with neighbour guidance (as served) and without (the stock
    pipeline's), at the same seed."""
    row = served.headline_row()
    stock = evaluate_text_to_image(
        pipeline,
        test_set,
        train_set,
        **(measured | dict(guidance_scales=[row.guidance])),
        step_counts=[row.steps],
    ).rows[0]
    return "\n".join(
        [
            f"On the same held-out captions at guidance {row.guidance:g} and {row.steps} steps, "
            "with the nearest learned caption mixed in (`genzoo.diffusion.neighbours`, as the "
            "gallery serves the model) and without it (the stock pipeline, as loaded by the "
            "usage above):",
            "",
            "| neighbour guidance | Fréchet distance | top-1 | top-5 |",
            "|---|---:|---:|---:|",
            f"| on (weight {WEIGHT:g}) | {row.distance:.1f} | {row.top1:.3f} | {row.top5:.3f} |",
            f"| off | {stock.distance:.1f} | {stock.top1:.3f} | {stock.top5:.3f} |",
        ]
    )


if __name__ == "__main__":
    main()
