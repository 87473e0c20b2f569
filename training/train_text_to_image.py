"""Train the text-to-image model: a latent diffusion UNet over the trained autoencoder's latents of
captioned emoji, conditioned on the frozen MiniLM, and write a stock `StableDiffusionPipeline`.

    python training/train_autoencoder.py --preset autoencoder-emoji      # first, once
    python training/train_text_to_image.py --preset text-to-image-emoji

The DDPM objective (predict the noise, or v), with min-SNR weighting (Hang et al., 2023) for
faster convergence, captions dropped to "" a tenth of the time so that one network learns the
conditional and the unconditional model that classifier-free guidance combines, and an
exponential moving average of the weights, which is what gets saved. Latents are encoded once up
front; each step samples from their posterior. See `Settings` (`--help` lists them).
"""

from __future__ import annotations

import copy
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from diffusers import (
    AutoencoderKL,
    DDPMScheduler,
    StableDiffusionInpaintPipeline,
    StableDiffusionPipeline,
    UNet2DConditionModel,
)
from diffusers.training_utils import EMAModel, compute_snr
from torch.utils.data import DataLoader, TensorDataset

from genzoo import training
from genzoo.alignment import (
    HELD_OUT_SECTION,
    SEEN_SECTION,
    References,
    evaluate_inpainting,
    evaluate_text_to_image,
    generate,
    inpaint_images,
    one_caption_per_emoji,
)
from genzoo.cards import CardFacts, card_metrics, card_runs
from genzoo.data.captions import COLOUR_STYLES, CaptionedImages, licence, load_captioned_splits
from genzoo.data.masks import grey_holes, random_masks
from genzoo.images import make_grid
from genzoo.models import latent_diffusion
from genzoo.system import describe_hardware


@dataclass
class Settings(training.RunSettings):
    """Training settings for the text-to-image UNet; every one is a command-line option."""

    sources: list[str] = field(
        default_factory=lambda: list(COLOUR_STYLES), metadata={"help": "emoji image folders"}
    )
    dataset_name: str = "emoji, five colour styles, captioned"
    autoencoder: str = field(
        default="runs/autoencoder-emoji/hub", metadata={"help": "train_autoencoder.py's folder"}
    )
    image_size: int = 64
    channels: list[int] = field(default_factory=lambda: [64, 128, 128])
    attention: list[bool] = field(default_factory=lambda: [False, True, True])
    layers_per_block: int = 1
    heads: int = 4
    norm_groups: int = field(
        default=32, metadata={"help": "group-norm groups (at most the first level's channels)"}
    )
    prediction_type: str = field(default="epsilon", metadata={"help": "epsilon or v_prediction"})
    zero_terminal_snr: bool = field(
        default=False, metadata={"help": "rescale the betas to zero SNR at the last step (v only)"}
    )
    caption_dropout: float = field(default=0.1, metadata={"help": "share of empty captions"})
    snr_gamma: float = field(default=5.0, metadata={"help": "min-SNR weighting (0: off)"})
    noise_offset: float = field(
        default=0.0, metadata={"help": "std of noise shared by each latent channel (offset noise)"}
    )
    cosine_decay: bool = field(
        default=False, metadata={"help": "decay the learning rate to 0 along a cosine"}
    )
    ema_decay: float = 0.999
    second_ema_decay: float = field(
        default=0.0,
        metadata={"help": "a second moving average; the better on held-out alignment is saved"},
    )
    validation_prompts: list[str] = field(
        default_factory=lambda: [
            "a grinning face, flat icon",
            "a red apple, Noto emoji",
            "a 3-D emoji of a cat face",
            "a blue car, Twemoji",
            "a flat icon of a sun",
            "a heart, OpenMoji colour emoji",
            "a green tree, 3-D emoji",
            "a pizza, flat icon",
        ]
    )
    validation_guidance: float = 5.0
    eval_count: int = field(default=500, metadata={"help": "held-out captions for the metrics"})
    eval_guidance: list[float] = field(default_factory=lambda: [1.0, 3.0, 5.0, 7.5, 10.0])
    eval_steps: list[int] = field(default_factory=lambda: [10, 25])
    inpainting_from: str = field(
        default="",
        metadata={"help": "a text-to-image folder: fine-tune its UNet with a mask channel"},
    )
    unet_from: str = field(
        default="",
        metadata={
            "help": "a text-to-image folder: go on training its UNet, in a new sitting (its card "
            "counts every sitting; each draws new noise)"
        },
    )
    full_mask_share: float = field(
        default=0.25, metadata={"help": "inpainting: share of masks that cover the whole image"}
    )


CAPTION_CACHE = Path(".cache/text-encodings")  # the encoded captions, reused by every run
PRESETS = {
    "text-to-image-emoji": dict(
        output_dir="checkpoints/text-to-image-emoji",
        title="Text-to-image latent diffusion, emoji, 64 px", channels=[32, 64, 128],
        layers_per_block=2, epochs=45, batch_size=32, learning_rate=3e-4, sample_every=1000,
        checkpoint_every=500, noise_offset=0.1,
    ),
    # The next bundled model, in sittings of a session each: a constant learning rate, so that
    # `--max_steps N` can end a sitting at any step; the next goes on with `--unet_from` from the
    # folder the last one wrote (bundled, once it measured better), since runs/ may not survive.
    "text-to-image-emoji-next": dict(
        output_dir="runs/text-to-image-emoji-next/hub", run_dir="runs/text-to-image-emoji-next",
        autoencoder="checkpoints/autoencoder-emoji",
        title="Text-to-image latent diffusion, emoji, 64 px", channels=[32, 64, 128],
        layers_per_block=2, norm_groups=8, epochs=100, batch_size=32, learning_rate=3e-4,
        noise_offset=0.1, second_ema_decay=0.9999, sample_every=1000, checkpoint_every=500,
    ),
    "text-to-image-emoji-inpainting": dict(
        output_dir="runs/text-to-image-emoji-inpainting/hub",
        run_dir="runs/text-to-image-emoji-inpainting",
        title="Inpainting latent diffusion with a mask channel, emoji, 64 px",
        inpainting_from="checkpoints/text-to-image-emoji",
        autoencoder="checkpoints/text-to-image-emoji/vae", epochs=6, batch_size=32,
        learning_rate=2e-4, ema_decay=0.995, sample_every=500, checkpoint_every=250,
        noise_offset=0.1,
    ),
}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    settings = training.parse_settings(Settings, PRESETS, argv)
    if settings.zero_terminal_snr and settings.prediction_type != "v_prediction":
        raise ValueError("--zero_terminal_snr needs --prediction_type v_prediction")
    command = training.command_line(__file__, argv)
    accelerator = training.make_accelerator(
        settings.run_path, settings.mixed_precision, settings.seed
    )
    train_set, test_set = load_captioned_splits(
        settings.sources, settings.image_size, settings.train_limit, settings.test_limit
    )
    vae = AutoencoderKL.from_pretrained(settings.autoencoder).eval().requires_grad_(False)
    latents = encode_latents(vae, train_set.images)
    with accelerator.main_process_first():  # which encodes and caches them for the others
        captions = latent_diffusion.EncodedCaptions.of(
            train_set.captions, accelerator.device, cache=CAPTION_CACHE
        )
    unet = build_unet(settings, vae)
    averages = train(settings, unet, vae, latents, captions, train_set, test_set, accelerator)
    if accelerator.is_main_process:
        wall_time = training.training_seconds(settings.run_path)
        chosen, comparison = choose_average(settings, unet, averages, vae, test_set)
        chosen.copy_to(unet.parameters())
        pipeline = latent_diffusion.assemble_pipeline(
            vae, unet.float().eval(), settings.prediction_type, settings.zero_terminal_snr
        )
        save_hub_folder(
            settings, pipeline, test_set, train_set, wall_time, command, chosen.decay, comparison
        )
        training.push_if_asked(settings)
    accelerator.end_training()


@torch.no_grad()
def encode_latents(vae: AutoencoderKL, images: torch.Tensor) -> torch.Tensor:
    """Each image's latent posterior, once: (N, 2 x latent channels, h, w) of mean and log-var."""
    moments = [
        vae.encode(batch.float() / 127.5 - 1).latent_dist.parameters for batch in images.split(64)
    ]
    return torch.cat(moments)


def build_unet(settings: Settings, vae: AutoencoderKL) -> UNet2DConditionModel:
    """A fresh UNet; the trained one of `unet_from`, to go on training; or for inpainting the
    trained one of `inpainting_from` with a mask channel."""
    if settings.unet_from:
        return UNet2DConditionModel.from_pretrained(settings.unet_from, subfolder="unet")
    if settings.inpainting_from:
        trained = UNet2DConditionModel.from_pretrained(settings.inpainting_from, subfolder="unet")
        return latent_diffusion.with_mask_channels(trained)
    return latent_diffusion.denoiser(
        latent_size=settings.image_size // 2 ** (len(vae.config.block_out_channels) - 1),
        latent_channels=vae.config.latent_channels,
        channels=tuple(settings.channels),
        attention=tuple(settings.attention),
        layers_per_block=settings.layers_per_block,
        heads=settings.heads,
        norm_groups=settings.norm_groups,
    )


def train(
    settings: Settings,
    unet: UNet2DConditionModel,
    vae: AutoencoderKL,
    moments: torch.Tensor,
    captions: latent_diffusion.EncodedCaptions,
    train_set: CaptionedImages,
    test_set: CaptionedImages,
    accelerator,
) -> EMAModel:
    """The loop: `training_step` on each batch, with logging, sample grids and checkpoints."""
    unet, optimizer, loader, averages = prepare(settings, unet, vae, moments, accelerator)
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    schedule = training.learning_rate_schedule(accelerator, optimizer, total, settings.cosine_decay)
    checkpoints = training.Checkpoints(accelerator, settings.run_path)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "text_to_image", settings)
    step_on = training_step(
        settings,
        unet,
        vae,
        moments,
        captions,
        train_set,
        optimizer,
        averages,
        accelerator,
        settings.seed + start + len(card_runs(settings.unet_from)) * 1_000_003,
    )
    shown = validation_holes(test_set, settings) if settings.inpainting_from else None
    losses = []
    steps = training.Steps(accelerator, loader, start, total)
    for step, (index,) in steps:
        losses.append(step_on(index.cpu()))
        schedule.step()
        steps.show(loss=sum(losses[-50:]) / len(losses[-50:]))
        if step % 50 == 0 or step == total:
            accelerator.log({"loss": sum(losses) / len(losses)}, step=step)
            losses.clear()
        if step % settings.sample_every == 0 or step == total:
            unwrapped = accelerator.unwrap_model(unet)
            save_grid(settings, unwrapped, averages[0], vae, step, accelerator, shown)
        if step % settings.checkpoint_every == 0 or step == total:
            checkpoints.save(step)
    return averages


def prepare(settings: Settings, unet, vae, moments: torch.Tensor, accelerator, fused=True):
    """The UNet, its optimizer and a loader of training indices, prepared by `accelerator`, and
    the UNet's moving average, registered for checkpoints. The optimizer is fused (one kernel
    for every parameter: 3x faster than AdamW's per-parameter loop on the CPU too) unless told
    otherwise."""
    loader = DataLoader(
        TensorDataset(torch.arange(len(moments))),
        settings.batch_size,
        shuffle=True,
        drop_last=True,
    )
    optimizer = torch.optim.AdamW(
        unet.parameters(),
        settings.learning_rate,
        weight_decay=1e-2,
        fused=fused,
    )
    unet, optimizer, loader = accelerator.prepare(unet, optimizer, loader)
    vae.to(accelerator.device)
    averages = []
    for decay in (settings.ema_decay, settings.second_ema_decay):
        if decay:
            averages.append(EMAModel(accelerator.unwrap_model(unet).parameters(), decay=decay))
            averages[-1].to(accelerator.device)
            accelerator.register_for_checkpointing(averages[-1])
    return unet, optimizer, loader, averages


def training_step(
    settings: Settings,
    unet,
    vae: AutoencoderKL,
    moments: torch.Tensor,
    captions: latent_diffusion.EncodedCaptions,
    train_set: CaptionedImages,
    optimizer,
    averages: list[EMAModel],
    accelerator,
    seed: int,
) -> Callable[[torch.Tensor], float]:
    """One step as a function of a batch's indices, returning its loss: sample latents from the
    encoded posteriors, noise them to a random timestep, predict the noise (or v) from the noisy
    latents (for inpainting: beside a random mask and the latents of the image it masks) and the
    encoding of one of its captions (`captions[rows]`), and step the optimizer and the moving
    averages."""
    noise_scheduler = DDPMScheduler.from_config(
        latent_diffusion.scheduler(settings.prediction_type, settings.zero_terminal_snr).config
    )
    draw, holes = random.Random(seed), torch.Generator().manual_seed(seed)
    scale = vae.config.scaling_factor

    def step(index: torch.Tensor) -> float:
        mean, logvar = moments[index].chunk(2, dim=1)
        latents = (mean + (0.5 * logvar).exp() * torch.randn_like(mean)) * scale
        latents = latents.to(accelerator.device)
        rows = [
            captions.empty
            if draw.random() < settings.caption_dropout
            else draw.choice(captions.rows[i])
            for i in index.tolist()
        ]
        context = captions[rows].to(accelerator.device)
        noise = torch.randn_like(latents)
        if settings.noise_offset:
            noise += settings.noise_offset * torch.randn_like(latents[:, :, :1, :1])
        timesteps = torch.randint(
            0, noise_scheduler.config.num_train_timesteps, (len(latents),), device=latents.device
        )
        noisy = noise_scheduler.add_noise(latents, noise, timesteps)
        if settings.inpainting_from:
            masks = random_masks(
                len(index),
                settings.image_size,
                generator=holes,
                full_share=settings.full_mask_share,
            )
            noisy = torch.cat([noisy, mask_conditioning(vae, train_set.images[index], masks)], 1)
        target = (
            noise
            if settings.prediction_type == "epsilon"
            else noise_scheduler.get_velocity(latents, noise, timesteps)
        )
        unet.train()
        with accelerator.autocast():
            prediction = unet(noisy, timesteps, context).sample
        loss = weighted_loss(prediction.float(), target, noise_scheduler, timesteps, settings)
        optimizer.zero_grad(set_to_none=True)
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(unet.parameters(), 1.0)
        optimizer.step()
        for average in averages:
            average.step(accelerator.unwrap_model(unet).parameters())
        return loss.item()

    return step


def weighted_loss(prediction, target, noise_scheduler, timesteps, settings) -> torch.Tensor:
    """MSE, each example weighted by min(SNR, gamma) / SNR (for v: / (SNR + 1)) when snr_gamma."""
    if not settings.snr_gamma:
        return F.mse_loss(prediction, target)
    snr = compute_snr(noise_scheduler, timesteps)
    weight = snr.clamp(max=settings.snr_gamma) / snr
    if settings.prediction_type == "v_prediction":
        weight = snr.clamp(max=settings.snr_gamma) / (snr + 1)
    per_example = F.mse_loss(prediction, target, reduction="none").mean((1, 2, 3))
    return (per_example * weight).mean()


def ema_pipeline(
    settings: Settings, unet: UNet2DConditionModel, ema: EMAModel, vae: AutoencoderKL
) -> StableDiffusionPipeline:
    """A pipeline over a copy of the UNet holding the EMA weights."""
    averaged = copy.deepcopy(unet).eval()
    ema.copy_to(averaged.parameters())
    return latent_diffusion.assemble_pipeline(
        vae.to(averaged.device), averaged, settings.prediction_type, settings.zero_terminal_snr
    )


def choose_average(
    settings: Settings,
    unet: UNet2DConditionModel,
    averages: list[EMAModel],
    vae: AutoencoderKL,
    test_set: CaptionedImages,
) -> tuple[EMAModel, str]:
    """The moving average to save: the only one, or of two the one whose held-out images align
    better (top-5, then top-1, at the validation guidance and 25 steps), with the comparison as
    a card section ("" for one)."""
    if len(averages) == 1:
        return averages[0], ""
    refs = References.of(test_set, settings.eval_count)
    measured = []
    for average in averages:
        pipeline = ema_pipeline(settings, unet, average, vae)
        pipeline.set_progress_bar_config(disable=True)
        images = generate(pipeline, refs.prompts, settings.validation_guidance, 25, settings.seed)
        measured.append(refs.measure(images))
    best = max(range(len(averages)), key=lambda i: (measured[i][2], measured[i][1]))
    rows = [
        f"| {average.decay:g}{' (saved)' if i == best else ''} | {distance:.1f} | {top1:.3f} | "
        f"{top5:.3f} |"
        for i, (average, (distance, top1, top5)) in enumerate(zip(averages, measured, strict=True))
    ]
    section = "\n".join(
        [
            f"Two moving averages of the weights were kept; on {len(refs.prompts)} held-out "
            f"captions at guidance {settings.validation_guidance:g} and 25 steps:",
            "",
            "| EMA decay | Fréchet distance | top-1 | top-5 |",
            "|---:|---:|---:|---:|",
            *rows,
        ]
    )
    return averages[best], section


@torch.no_grad()
def render(pipeline: StableDiffusionPipeline, prompts: list[str], guidance: float, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    images = pipeline(
        prompts,
        guidance_scale=guidance,
        num_inference_steps=20,
        generator=generator,
        output_type="pt",
    ).images
    return images.float().cpu()


@dataclass
class Holes:
    """Held-out images in [0, 1], masks over them and their captions: inpainting's grid inputs."""

    images: torch.Tensor
    masks: torch.Tensor
    prompts: list[str]


def validation_holes(test_set: CaptionedImages, settings: Settings) -> Holes:
    chosen = one_caption_per_emoji(test_set, len(settings.validation_prompts))
    masks = random_masks(
        len(chosen), settings.image_size, generator=torch.Generator().manual_seed(settings.seed)
    )
    return Holes(test_set.floats()[chosen], masks, [test_set.captions[i][0] for i in chosen])


@torch.no_grad()
def mask_conditioning(vae: AutoencoderKL, images: torch.Tensor, masks: torch.Tensor):
    """What a mask-channel UNet reads beside the noisy latents, built as
    `StableDiffusionInpaintPipeline` builds it: the mask at latent size, then the latents of the
    image (uint8) with the masked pixels set to 0, mid-grey in [-1, 1]."""
    pixels = images.to(vae.device).float() / 127.5 - 1
    masks = masks.to(vae.device)
    latents = vae.encode(pixels * (masks < 0.5)).latent_dist.sample() * vae.config.scaling_factor
    return torch.cat([F.interpolate(masks, size=latents.shape[-2:]), latents], 1)


def save_grid(
    settings: Settings, unet, ema: EMAModel, vae, step: int, accelerator, holes: Holes | None
) -> None:
    """The validation prompts (or, for inpainting, the held-out holes) rendered with the EMA
    weights at the validation guidance."""
    if accelerator.is_main_process:
        pipeline = ema_pipeline(settings, unet, ema, vae)
        pipeline.set_progress_bar_config(disable=True)
        grid = sample_grid(pipeline, settings, holes)
        training.save_sample(grid, settings.run_path, "validation", step, accelerator)


def sample_grid(pipeline, settings: Settings, holes: Holes | None):
    """Images of the validation prompts in two rows, or rows of holed input | inpainted | truth."""
    if holes is None:
        images = render(pipeline, settings.validation_prompts, settings.validation_guidance)
        return make_grid(images, rows=2, padding=1)
    painted = inpaint_images(
        pipeline, holes.images, holes.masks, holes.prompts, settings.validation_guidance, 20, 0
    )
    shown = [grey_holes(holes.images, holes.masks), painted, holes.images]
    return make_grid(torch.stack(shown, 1).flatten(0, 1), rows=len(holes.prompts), padding=1)


MASK_CHANNEL = "mask channel (this model)"
BLENDING = "latent blending (the text-to-image model)"


def save_hub_folder(
    settings: Settings,
    pipeline: StableDiffusionPipeline,
    test_set: CaptionedImages,
    train_set: CaptionedImages,
    wall_time: float,
    command: str,
    decay: float,
    averages_section: str = "",
) -> None:
    """The pipeline (without the text encoder's weights), a grid, and the card with the metrics
    (over guidance scales and step counts, or of inpainting against latent blending), the
    autoencoder's, and the comparison of two moving averages (of `decay`, the saved one's)."""
    folder = Path(settings.output_dir)
    pipeline.set_progress_bar_config(disable=True)
    latent_diffusion.save_pipeline(pipeline, folder)
    shutil.copyfile(Path(settings.autoencoder) / "README.md", folder / "vae" / "README.md")
    holes = validation_holes(test_set, settings) if settings.inpainting_from else None
    sample_grid(pipeline, settings, holes).save(folder / "samples.png")
    if settings.inpainting_from:
        metrics, sections = measure_inpainting(settings, pipeline, test_set)
    else:
        table = evaluate_text_to_image(
            pipeline,
            test_set,
            train_set,
            count=settings.eval_count,
            guidance_scales=settings.eval_guidance,
            step_counts=settings.eval_steps,
            seed=settings.seed,
        )
        seen = evaluate_text_to_image(
            pipeline,
            test_set,
            train_set,
            count=settings.eval_count,
            guidance_scales=settings.eval_guidance,
            step_counts=[max(settings.eval_steps)],
            seed=settings.seed,
            seen=True,
        )
        metrics = table.headline() + seen.headline()
        sections = {HELD_OUT_SECTION: table.markdown(), SEEN_SECTION: seen.markdown()}
    if averages_section:
        sections["Moving averages"] = averages_section
    autoencoder_metrics = [
        m for m in card_metrics(settings.autoencoder) if m["type"] in ("psnr", "ssim", "l1")
    ]
    licence_name, attributions = licence(settings.sources)
    facts = CardFacts(
        title=settings.title,
        family="text-to-image",
        task="text-to-image",
        summary=summary(settings, pipeline.unet, decay),
        dataset_name=settings.dataset_name,
        dataset_source=", ".join(settings.sources),
        datasets=settings.sources,
        dataset_license=licence_name,
        license=licence_name,
        command=command,
        wall_time_s=wall_time,
        hardware=describe_hardware(),
        metrics=metrics,
        tags=["diffusers", "text-to-image", "stable-diffusion", "latent-diffusion"]
        + (["inpainting"] if settings.inpainting_from else []),
        images={
            (
                "Held-out emoji: holed input | inpainted | truth"
                if settings.inpainting_from
                else "Validation prompts"
            )
            + f", guidance {settings.validation_guidance:g}": "samples.png"
        },
        sections=sections,
        notes=[
            "The autoencoder (`vae/`, its card in `vae/README.md`) on held-out images: "
            + ", ".join(f"{m['name']} {m['value']:.4g}" for m in autoencoder_metrics)
            + ".",
            *attributions,
        ],
        training_settings=training.settings_dict(settings),
        usage=INPAINTING_USAGE if settings.inpainting_from else USAGE,
        earlier_runs=card_runs(
            settings.unet_from or settings.inpainting_from or settings.autoencoder
        ),
    )
    training.finish_hub_folder(folder, facts, settings)


def summary(settings: Settings, unet: UNet2DConditionModel, decay: float) -> str:
    parameters = sum(p.numel() for p in unet.parameters())
    if settings.inpainting_from:
        return (
            f"The UNet of `{Path(settings.inpainting_from).name}` ({parameters:,} parameters) "
            "fine-tuned for inpainting with a mask channel, as GLIDE's and Stable Diffusion's "
            "inpainting models were: besides the noisy latents it reads the mask and the latents "
            "of the masked image, its new input weights starting at zero. Trained on random "
            f"masks of one to three boxes, {settings.full_mask_share:.0%} of them the whole "
            "image. A stock diffusers `StableDiffusionInpaintPipeline`."
        )
    return (
        f"A Stable Diffusion in miniature, trained from scratch on captioned emoji: a "
        f"`UNet2DConditionModel` of {parameters:,} parameters over the 16x16x4 latents of "
        "genzoo's own `AutoencoderKL`, cross-attending to the frozen all-MiniLM-L6-v2 text "
        f"encoder; {settings.prediction_type} prediction, caption dropout "
        f"{settings.caption_dropout:g} for classifier-free guidance, EMA weights "
        f"(decay {decay:g}). A stock diffusers `StableDiffusionPipeline`."
    )


def measure_inpainting(
    settings: Settings, pipeline: StableDiffusionInpaintPipeline, test_set: CaptionedImages
) -> tuple[list, dict[str, str]]:
    """This model against the text-to-image model it started from, which inpaints by blending
    latents by the mask, on the same holes: the card's metrics and findings."""
    source = UNet2DConditionModel.from_pretrained(settings.inpainting_from, subfolder="unet")
    blending = StableDiffusionInpaintPipeline(
        **(pipeline.components | {"unet": source.to(pipeline.device)}),
        requires_safety_checker=False,
    )
    blending.set_progress_bar_config(disable=True)
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


USAGE = """from diffusers import DiffusionPipeline

pipe = DiffusionPipeline.from_pretrained("folder/or/repo")
image = pipe("a red apple, flat icon", guidance_scale=5, num_inference_steps=20).images[0]"""

INPAINTING_USAGE = """from diffusers import DiffusionPipeline
from PIL import Image

pipe = DiffusionPipeline.from_pretrained("folder/or/repo")
image = Image.open("emoji.png").convert("RGB").resize((64, 64))
mask = Image.open("mask.png").convert("L").resize((64, 64))  # white: repaint
out = pipe("a red apple, flat icon", image=image, mask_image=mask, height=64, width=64).images[0]"""


if __name__ == "__main__":
    main()
