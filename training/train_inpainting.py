"""Fine-tune the text-to-image UNet for inpainting with a mask channel, as GLIDE's and Stable
Diffusion's inpainting models were, and write a stock `StableDiffusionInpaintPipeline`.

    python training/train_inpainting.py --preset text-to-image-emoji-inpainting

Beside the noisy latents the widened UNet reads the mask and the latents of the masked image,
its new input weights starting at zero (`latent_diffusion.with_mask_channels`); training draws
random masks of one to three boxes, some the whole image. The card measures it against the
model it started from, which inpaints by blending latents by the mask (what the gallery does:
that measured better). The objective and the loop are `genzoo.diffusion_training`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from diffusers import AutoencoderKL, StableDiffusionInpaintPipeline, UNet2DConditionModel

from genzoo import diffusion_training, training
from genzoo.alignment import one_caption_per_emoji
from genzoo.data.captions import CaptionedImages
from genzoo.data.masks import grey_holes, random_masks
from genzoo.diffusion.sharing import sharing
from genzoo.images import make_grid
from genzoo.inpainting_evaluation import evaluate_inpainting, inpaint_images
from genzoo.model_cards import finish_hub_folder, parameter_count
from genzoo.model_cards.text_to_image import inpainting_card
from genzoo.models import latent_diffusion


@dataclass
class Settings(diffusion_training.DiffusionSettings):
    """Settings of the inpainting fine-tune; every one is a command-line option."""

    inpainting_from: str = field(
        default="checkpoints/text-to-image-emoji",
        metadata={"help": "the text-to-image folder whose UNet gets a mask channel"},
    )
    full_mask_share: float = field(
        default=0.25, metadata={"help": "share of masks that cover the whole image"}
    )


PRESETS = {
    "text-to-image-emoji-inpainting": dict(
        output_dir="runs/text-to-image-emoji-inpainting/hub",
        run_dir="runs/text-to-image-emoji-inpainting",
        title="Inpainting latent diffusion with a mask channel, emoji, 64 px",
        inpainting_from="checkpoints/text-to-image-emoji",
        autoencoder="checkpoints/text-to-image-emoji/vae",
        epochs=6,
        batch_size=32,
        learning_rate=2e-4,
        ema_decay=0.995,
        sample_every=500,
        checkpoint_every=250,
        noise_offset=0.1,
    ),
}
MASK_CHANNEL = "mask channel (this model)"
BLENDING = "latent blending (the text-to-image model)"


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    run = diffusion_training.start(settings, accelerator)
    trained = UNet2DConditionModel.from_pretrained(
        settings.inpainting_from, subfolder="unet", dtype=torch.float32
    )
    unet = latent_diffusion.with_mask_channels(trained)
    holes = validation_holes(run.test_set, settings)
    averages = diffusion_training.train(
        settings,
        unet,
        run,
        holes_grid(settings, holes),
        extra_inputs=masked_images(settings, run.vae, run.train_set, run.accelerator),
    )
    if run.accelerator.is_main_process:
        pipeline, _, comparison = diffusion_training.finish(settings, unet, averages, run)
        save_hub_folder(settings, pipeline, run.test_set, holes, command, comparison)
        training.push_if_asked(settings)
    run.accelerator.end_training()


def masked_images(
    settings: Settings, vae: AutoencoderKL, train_set: CaptionedImages, accelerator: Accelerator
) -> diffusion_training.ExtraInputs:
    """For each batch: random masks over its images, and what the UNet reads of them."""
    generator = training.Draws(settings.seed, accelerator).torch

    def extra_inputs(index: torch.Tensor) -> torch.Tensor:
        masks = random_masks(
            len(index),
            settings.image_size,
            generator=generator,
            full_share=settings.full_mask_share,
        )
        return mask_conditioning(vae, train_set.images[index], masks)

    return extra_inputs


@torch.no_grad()
def mask_conditioning(vae: AutoencoderKL, images: torch.Tensor, masks: torch.Tensor):
    """What a mask-channel UNet reads beside the noisy latents, built as
    `StableDiffusionInpaintPipeline` builds it: the mask at latent size, then the latents of the
    image (uint8) with the masked pixels set to 0, mid-grey in [-1, 1]."""
    pixels = images.to(vae.device).float() / 127.5 - 1
    masks = masks.to(vae.device)
    latents = vae.encode(pixels * (masks < 0.5)).latent_dist.sample() * vae.config.scaling_factor
    return torch.cat([F.interpolate(masks, size=latents.shape[-2:]), latents], 1)


@dataclass
class Holes:
    """Held-out images in [0, 1], masks over them and their captions: the validation inputs."""

    images: torch.Tensor
    masks: torch.Tensor
    prompts: list[str]


def validation_holes(test_set: CaptionedImages, settings: Settings) -> Holes:
    chosen = one_caption_per_emoji(test_set, len(settings.validation_prompts))
    masks = random_masks(
        len(chosen), settings.image_size, generator=torch.Generator().manual_seed(settings.seed)
    )
    return Holes(test_set.floats()[chosen], masks, [test_set.captions[i][0] for i in chosen])


def holes_grid(settings: Settings, holes: Holes) -> diffusion_training.Grid:
    """Rows of holed input | inpainted | truth, at the validation guidance."""

    def grid(pipeline):
        painted = inpaint_images(
            pipeline, holes.images, holes.masks, holes.prompts, settings.validation_guidance, 20, 0
        )
        rows = [grey_holes(holes.images, holes.masks), painted, holes.images]
        return make_grid(torch.stack(rows, 1).flatten(0, 1), rows=len(holes.prompts), padding=1)

    return grid


def save_hub_folder(
    settings: Settings,
    pipeline,
    test_set: CaptionedImages,
    holes: Holes,
    command: str,
    averages_section: str = "",
) -> None:
    """The pipeline, a grid of inpainted holes, and the card measuring it against latent
    blending with the model it started from."""
    folder = diffusion_training.save_pipeline(settings, pipeline, holes_grid(settings, holes))
    metrics, sections = measure_inpainting(settings, pipeline, test_set)
    if averages_section:
        sections["Moving averages"] = averages_section
    facts = inpainting_card(
        settings,
        command,
        parameters=parameter_count(pipeline.unet),
        metrics=metrics,
        sections=sections,
    )
    finish_hub_folder(folder, facts, settings, builds_on=settings.inpainting_from)


def measure_inpainting(
    settings: Settings, pipeline: StableDiffusionInpaintPipeline, test_set: CaptionedImages
) -> tuple[list, dict[str, str]]:
    """This model against the text-to-image model it started from, which inpaints by blending
    latents by the mask, on the same holes: the card's metrics and findings."""
    source = UNet2DConditionModel.from_pretrained(
        settings.inpainting_from, subfolder="unet", dtype=torch.float32
    )
    blending = sharing(pipeline, unet=source.to(pipeline.device))
    table = evaluate_inpainting(
        {MASK_CHANNEL: pipeline, BLENDING: blending},
        test_set,
        count=settings.eval_count,
        guidance=settings.validation_guidance,
        seed=settings.seed,
    )
    verdict = f"Nearer the truth in the hole: {table.best([MASK_CHANNEL, BLENDING])}."
    sections = {"Mask channel against latent blending": f"{table.markdown()}\n\n{verdict}"}
    return table.headline(MASK_CHANNEL, against=BLENDING), sections


if __name__ == "__main__":
    main()
