"""What the two latent diffusion training scripts share (`train_text_to_image.py`, and
`train_inpainting.py`, its fine-tune with a mask channel): their common settings, the latents
encoded once, the training step, the loop, the moving averages and the choice between two, and
the saved pipeline's folder (its card's facts are `genzoo.model_cards.text_to_image`'s).

The DDPM objective (predict the noise, or v), with min-SNR weighting (Hang et al., 2023) for
faster convergence, captions dropped to "" a tenth of the time so that one network learns the
conditional and the unconditional model that classifier-free guidance combines, and an
exponential moving average of the weights, which is what gets saved. Latents are encoded once up
front; each step samples from their posterior.
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
from diffusers import AutoencoderKL, DDPMScheduler, StableDiffusionPipeline
from diffusers.training_utils import EMAModel, compute_snr
from PIL import Image
from torch.utils.data import DataLoader, TensorDataset

from genzoo import training
from genzoo.alignment import References, generate
from genzoo.data.captions import COLOUR_STYLES, CaptionedImages, load_captioned_splits
from genzoo.diffusion import folders
from genzoo.diffusion.encoded_captions import EncodedCaptions
from genzoo.models import latent_diffusion

CAPTION_CACHE = Path(".cache/text-encodings")  # the encoded captions, reused by every run


@dataclass
class DiffusionSettings(training.RunSettings):
    """The settings both latent diffusion scripts take; every one is a command-line option."""

    sources: list[str] = field(
        default_factory=lambda: list(COLOUR_STYLES), metadata={"help": "emoji image folders"}
    )
    dataset_name: str = "emoji, five colour styles, captioned"
    autoencoder: str = field(
        default="runs/autoencoder-emoji/hub", metadata={"help": "train_autoencoder.py's folder"}
    )
    image_size: int = 64
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
    half_precision: bool = field(
        default=False,
        metadata={"help": "store the UNet at half precision (half the size; upcast at load)"},
    )
    eval_count: int = field(default=500, metadata={"help": "held-out captions for the metrics"})

    def check(self) -> None:
        if self.zero_terminal_snr and self.prediction_type != "v_prediction":
            raise ValueError("--zero_terminal_snr needs --prediction_type v_prediction")


@dataclass
class Run:
    """What both scripts start from: the accelerator, the captioned splits, the frozen
    autoencoder, and the training images' latents and captions, encoded once."""

    accelerator: object
    train_set: CaptionedImages
    test_set: CaptionedImages
    vae: AutoencoderKL
    latents: torch.Tensor
    captions: EncodedCaptions


def start(settings: DiffusionSettings, accelerator) -> Run:
    """The run's data, and its latents and captions, once the settings are checked."""
    settings.check()
    train_set, test_set = load_captioned_splits(
        settings.sources, settings.image_size, settings.train_limit, settings.test_limit
    )
    vae = AutoencoderKL.from_pretrained(settings.autoencoder).eval().requires_grad_(False)
    latents = encode_latents(vae, train_set.images)
    captions = encoded_captions(train_set.captions, accelerator)
    return Run(accelerator, train_set, test_set, vae, latents, captions)


def finish(settings: DiffusionSettings, unet, averages: list[EMAModel], run: Run):
    """After training, on the main process: the pipeline over the chosen moving average's
    weights, that average's decay, and the comparison of two averages ("" for one)."""
    chosen, comparison = choose_average(settings, unet, averages, run.vae, run.test_set)
    chosen.copy_to(unet.parameters())
    pipeline = latent_diffusion.assemble_pipeline(
        run.vae, unet.float().eval(), settings.prediction_type, settings.zero_terminal_snr
    )
    return pipeline, chosen.decay, comparison


ExtraInputs = Callable[[torch.Tensor], torch.Tensor]
"""What a UNet reads beside the noisy latents for a batch's indices (inpainting: the mask and
the masked image's latents); None for a text-to-image UNet."""
Grid = Callable[[StableDiffusionPipeline], Image.Image]
"""A validation grid drawn with a pipeline over the moving average's weights."""


@torch.no_grad()
def encode_latents(vae: AutoencoderKL, images: torch.Tensor) -> torch.Tensor:
    """Each image's latent posterior, once: (N, 2 x latent channels, h, w) of mean and log-var."""
    moments = [
        vae.encode(batch.float() / 127.5 - 1).latent_dist.parameters for batch in images.split(64)
    ]
    return torch.cat(moments)


def encoded_captions(captions: list[list[str]], accelerator) -> EncodedCaptions:
    """Every caption through the frozen text encoder, once (cached on disk across runs)."""
    with accelerator.main_process_first():  # which encodes and caches them for the others
        return EncodedCaptions.of(captions, accelerator.device, cache=CAPTION_CACHE)


def train(
    settings: DiffusionSettings,
    unet,
    run: Run,
    grid: Grid,
    *,
    extra_inputs: ExtraInputs | None = None,
    sitting: int = 0,
) -> list[EMAModel]:
    """The loop: `training_step` on each batch, with logging, validation grids and checkpoints;
    returns the moving averages. `sitting` counts the runs before this one, so that each draws
    its own noise."""
    accelerator, vae, moments, captions = run.accelerator, run.vae, run.latents, run.captions
    unet, optimizer, loader, averages = prepare(settings, unet, vae, moments, accelerator)
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    schedule = training.learning_rate_schedule(accelerator, optimizer, total, settings.cosine_decay)
    draw = training.Draws(settings.seed + sitting * 1_000_003, accelerator).python
    checkpoints = training.Checkpoints(accelerator, settings.run_path)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "text_to_image", settings)
    step_on = training_step(
        settings,
        unet,
        vae,
        moments,
        captions,
        optimizer,
        averages,
        accelerator,
        draw,
        extra_inputs,
    )

    def draw_grid(step: int) -> None:
        if accelerator.is_main_process:
            pipeline = ema_pipeline(settings, accelerator.unwrap_model(unet), averages[0], vae)
            training.save_sample(grid(pipeline), settings.run_path, "validation", step, accelerator)

    losses = training.RunningLosses()
    steps = training.Steps(accelerator, loader, start, total, settings, checkpoints)
    for step, (index,) in steps:
        losses.add(denoising=step_on(index.cpu()))
        schedule.step()

        steps.end(step, losses, draw_grid)
    return averages


def prepare(settings: DiffusionSettings, unet, vae, moments: torch.Tensor, accelerator, fused=True):
    """The UNet, its optimizer and a loader of training indices, prepared by `accelerator`, and
    the UNet's moving averages, registered for checkpoints. The optimizer is fused (one kernel
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
    averages = [
        training.moving_average(accelerator.unwrap_model(unet).parameters(), decay, accelerator)
        for decay in (settings.ema_decay, settings.second_ema_decay)
        if decay
    ]
    return unet, optimizer, loader, averages


def training_step(
    settings: DiffusionSettings,
    unet,
    vae: AutoencoderKL,
    moments: torch.Tensor,
    captions: EncodedCaptions,
    optimizer,
    averages: list[EMAModel],
    accelerator,
    draw: random.Random,
    extra_inputs: ExtraInputs | None = None,
) -> Callable[[torch.Tensor], float]:
    """One step as a function of a batch's indices, returning its loss: sample latents from the
    encoded posteriors, noise them to a random timestep, predict the noise (or v) from the noisy
    latents (beside the `extra_inputs`, if any) and the encoding of one of its captions (`draw`
    picks which, `captions[rows]`), and step the optimizer and the moving averages."""
    noise_scheduler = DDPMScheduler.from_config(
        latent_diffusion.scheduler(settings.prediction_type, settings.zero_terminal_snr).config
    )
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
        if extra_inputs is not None:
            noisy = torch.cat([noisy, extra_inputs(index)], 1)
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
    settings: DiffusionSettings, unet, ema: EMAModel, vae: AutoencoderKL
) -> StableDiffusionPipeline:
    """A pipeline (without progress bars) over a copy of the UNet holding the EMA weights."""
    averaged = copy.deepcopy(unet).eval()
    ema.copy_to(averaged.parameters())
    pipeline = latent_diffusion.assemble_pipeline(
        vae.to(averaged.device), averaged, settings.prediction_type, settings.zero_terminal_snr
    )
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def choose_average(
    settings: DiffusionSettings, unet, averages: list[EMAModel], vae: AutoencoderKL, test_set
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
    """Images in [0, 1] of `prompts`, 20 steps, one seed."""
    return generate(pipeline, prompts, guidance, 20, seed)


def save_pipeline(settings: DiffusionSettings, pipeline, grid: Grid) -> Path:
    """The pipeline (without the text encoder's weights; the UNet at half precision with
    `half_precision`), the autoencoder's card beside its weights, and the validation grid as
    `samples.png`, in `output_dir`."""
    folder = Path(settings.output_dir)
    pipeline.set_progress_bar_config(disable=True)
    if settings.half_precision:
        pipeline.unet.half()
    folders.save_pipeline(pipeline, folder)
    pipeline.unet.float()  # the grid and the metrics then come from the weights as stored
    shutil.copyfile(Path(settings.autoencoder) / "README.md", folder / "vae" / "README.md")
    grid(pipeline).save(folder / "samples.png")
    return folder
