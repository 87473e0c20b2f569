"""The latent diffusion models' cards: what `training/train_text_to_image.py` and
`training/train_inpainting.py` write of their UNet, and what every latent diffusion folder's card
shares (the data, the run, and the autoencoder it carries as `vae/`)."""

from __future__ import annotations

from pathlib import Path

from genzoo.cards import CardFacts, card_metrics, card_runs
from genzoo.data.captions import licence
from genzoo.model_cards import run_facts

SAMPLES_FILE = "samples.png"  # the validation grid
TEXT_TO_IMAGE_TAGS = ["diffusers", "text-to-image", "stable-diffusion", "latent-diffusion"]
TEXT_TO_IMAGE_USAGE = """from diffusers import DiffusionPipeline

pipe = DiffusionPipeline.from_pretrained("folder/or/repo")
image = pipe("a red apple, flat icon", guidance_scale=5, num_inference_steps=20).images[0]"""
INPAINTING_USAGE = """from diffusers import DiffusionPipeline
from PIL import Image

pipe = DiffusionPipeline.from_pretrained("folder/or/repo")
image = Image.open("emoji.png").convert("RGB").resize((64, 64))
mask = Image.open("mask.png").convert("L").resize((64, 64))  # white: repaint
out = pipe("a red apple, flat icon", image=image, mask_image=mask, height=64, width=64).images[0]"""


def latent_diffusion_card(settings, command: str, **facts) -> CardFacts:
    """The card facts every latent diffusion folder shares (data and its licence, command,
    time, hardware, the autoencoder's quality, the settings), with the script's own `facts`
    (summary, metrics, sections, images, tags, usage, earlier runs) added. `settings` are the
    script's (`genzoo.diffusion_training.DiffusionSettings`)."""
    autoencoder_metrics = [
        m for m in card_metrics(settings.autoencoder) if m["type"] in ("psnr", "ssim", "l1")
    ]
    licence_name, attributions = licence(settings.sources)
    return CardFacts(
        **run_facts(settings, command),
        family="text-to-image",
        task="text-to-image",
        dataset_name=settings.dataset_name,
        dataset_source=", ".join(settings.sources),
        datasets=settings.sources,
        dataset_license=licence_name,
        license=licence_name,
        notes=[
            "The autoencoder (`vae/`, its card in `vae/README.md`) on held-out images: "
            + ", ".join(f"{m['name']} {m['value']:.4g}" for m in autoencoder_metrics)
            + ".",
            *attributions,
        ],
        **facts,
    )


def text_to_image_card(
    settings,
    command: str,
    *,
    parameters: int,
    decay: float,
    metrics: list,
    sections: dict[str, str],
) -> CardFacts:
    """The text-to-image model's card: a UNet of `parameters`, the moving average of `decay`
    saved, measured by `metrics` and `sections` (heading -> markdown); the runs before this one
    are those of the UNet it went on from, else the autoencoder's."""
    return latent_diffusion_card(
        settings,
        command,
        summary=text_to_image_summary(settings, parameters, decay),
        metrics=metrics,
        tags=TEXT_TO_IMAGE_TAGS,
        images={f"Validation prompts, guidance {settings.validation_guidance:g}": SAMPLES_FILE},
        sections=sections,
        usage=TEXT_TO_IMAGE_USAGE,
        earlier_runs=card_runs(settings.unet_from or settings.autoencoder),
    )


def text_to_image_summary(settings, parameters: int, decay: float) -> str:
    return (
        f"A Stable Diffusion in miniature, trained from scratch on captioned emoji: a "
        f"`UNet2DConditionModel` of {parameters:,} parameters over the 16x16x4 latents of "
        "genzoo's own `AutoencoderKL`, cross-attending to the frozen all-MiniLM-L6-v2 text "
        f"encoder; {settings.prediction_type} prediction, caption dropout "
        f"{settings.caption_dropout:g} for classifier-free guidance, EMA weights "
        f"(decay {decay:g}). A stock diffusers `StableDiffusionPipeline`."
    )


def inpainting_card(
    settings, command: str, *, parameters: int, metrics: list, sections: dict[str, str]
) -> CardFacts:
    """The inpainting fine-tune's card: the UNet of `inpainting_from` (of `parameters`) with a
    mask channel, measured by `metrics` and `sections` (heading -> markdown)."""
    return latent_diffusion_card(
        settings,
        command,
        summary=(
            f"The UNet of `{Path(settings.inpainting_from).name}` ({parameters:,} parameters) "
            "fine-tuned for inpainting with a mask channel, as GLIDE's and Stable Diffusion's "
            "inpainting models were: besides the noisy latents it reads the mask and the latents "
            "of the masked image, its new input weights starting at zero. Trained on random "
            f"masks of one to three boxes, {settings.full_mask_share:.0%} of them the whole "
            "image. A stock diffusers `StableDiffusionInpaintPipeline`."
        ),
        metrics=metrics,
        tags=[*TEXT_TO_IMAGE_TAGS, "inpainting"],
        images={
            "Held-out emoji: holed input | inpainted | truth, guidance "
            f"{settings.validation_guidance:g}": SAMPLES_FILE
        },
        sections=sections,
        usage=INPAINTING_USAGE,
        earlier_runs=card_runs(settings.inpainting_from),
    )
