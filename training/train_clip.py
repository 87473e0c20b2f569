"""Train a small CLIP on captioned emoji, and write a stock `VisionTextDualEncoderModel` folder.

    python training/train_clip.py --preset clip-emoji

The contrastive loss of Radford et al. (2021): in each batch, every image should pick out its own
caption and every caption its own image. The image tower (a ConvNeXt) learns from scratch; the
text tower is the frozen MiniLM, so its pooled outputs are computed once up front, and only its
projection learns. A share of the images is degraded (blurred and noised) as a diffusion model's
partially denoised predictions are, so that the model can guide sampling (GLIDE's noised CLIP,
scoring the predicted clean image). See `Settings` (`--help` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from genzoo import training
from genzoo.cards import NOISE_AWARENESS_SECTION
from genzoo.data.captions import COLOUR_STYLES, CaptionedImages, load_captioned_splits
from genzoo.evaluation import gaussian_blur
from genzoo.hub import load_pipeline
from genzoo.model_cards import finish_hub_folder
from genzoo.model_cards.clip import clip_card, picks_markdown
from genzoo.models import latent_diffusion
from genzoo.models.clip import clip_model, pixel_values, save_clip
from genzoo.retrieval import (
    evaluate_noise_awareness,
    evaluate_retrieval,
    noise_awareness_markdown,
)


@dataclass
class Settings(training.RunSettings):
    """Training settings for the CLIP; every one is a command-line option."""

    sources: list[str] = field(
        default_factory=lambda: list(COLOUR_STYLES), metadata={"help": "emoji image folders"}
    )
    dataset_name: str = "emoji, five colour styles, captioned"
    image_size: int = 64
    widths: list[int] = field(default_factory=lambda: [32, 64, 128, 256])
    depths: list[int] = field(default_factory=lambda: [1, 1, 2, 1])
    patch_size: int = 4
    projection_dim: int = 128
    weight_decay: float = 0.05
    degraded_share: float = field(
        default=0.5, metadata={"help": "share of images blurred and noised (noise-awareness)"}
    )
    eval_count: int = field(default=250, metadata={"help": "held-out emoji for retrieval"})
    diffusion_model: str = field(
        default="checkpoints/text-to-image-emoji",
        metadata={"help": "the text-to-image model to measure noise-awareness with ('': skip)"},
    )


PRESETS = {
    "clip-emoji": dict(
        output_dir="checkpoints/clip-emoji",
        title="CLIP, emoji and their captions, 64 px",
        epochs=40,
        batch_size=128,
        learning_rate=1e-3,
        sample_every=200,
        checkpoint_every=500,
    ),
}


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    train_set, test_set = load_captioned_splits(
        settings.sources, settings.image_size, settings.train_limit, settings.test_limit
    )
    model = build_model(settings)
    captions = pooled_captions(model, train_set)
    train(settings, model, train_set, captions, test_set, accelerator)
    if accelerator.is_main_process:
        model = model.float().eval().cpu()
        retrieval = evaluate_retrieval(model, test_set, settings.eval_count)
        save_hub_folder(settings, model, test_set, retrieval, command)
        training.push_if_asked(settings)
    accelerator.end_training()


def build_model(settings: Settings):
    return clip_model(
        image_size=settings.image_size,
        widths=tuple(settings.widths),
        depths=tuple(settings.depths),
        patch_size=settings.patch_size,
        projection_dim=settings.projection_dim,
    )


@torch.no_grad()
def pooled_captions(model, images: CaptionedImages, batch: int = 256) -> torch.Tensor:
    """The frozen text tower's pooled output for every caption: (images, captions each, width).
    Each distinct caption is encoded once, padded only to its batch's longest."""
    flat = [caption for captions in images.captions for caption in captions]
    distinct = sorted(set(flat), key=len)
    tokenizer = latent_diffusion.tokenizer()
    pooled = []
    for start in range(0, len(distinct), batch):
        part = distinct[start : start + batch]
        tokens = tokenizer(part, padding=True, truncation=True, return_tensors="pt")
        pooled.append(model.text_model(**tokens).pooler_output)
    row = {caption: i for i, caption in enumerate(distinct)}
    every = torch.cat(pooled)[[row[caption] for caption in flat]]
    return every.view(len(images), -1, model.config.text_config.hidden_size)


def degrade(images: torch.Tensor, share: float, generator: torch.Generator) -> torch.Tensor:
    """Blur and noise a random `share` of images in [0, 1], each by its own random amount."""
    count = len(images)
    chosen = torch.rand(count, generator=generator) < share
    sigma = torch.rand(count, generator=generator) * 2.5 + 0.3
    noise = torch.rand(count, generator=generator)[:, None, None, None] * 0.3
    degraded = images.clone()
    for i in chosen.nonzero().flatten().tolist():
        padded = F.pad(images[i : i + 1], (4, 4, 4, 4), mode="replicate")
        degraded[i] = gaussian_blur(padded, size=9, sigma=float(sigma[i]))[0]
    degraded += chosen[:, None, None, None] * noise * torch.randn(images.shape, generator=generator)
    return degraded.clamp(0, 1)


def train(settings, model, train_set, captions, test_set, accelerator) -> None:
    """The loop: a symmetric cross-entropy over each batch's image-caption similarities, one
    caption of each image drawn at random per step."""
    loader = DataLoader(
        TensorDataset(torch.arange(len(train_set))),
        settings.batch_size,
        shuffle=True,
        drop_last=True,
    )
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        trained, settings.learning_rate, weight_decay=settings.weight_decay
    )
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, settings.learning_rate, total_steps=total, pct_start=0.05
    )
    model, optimizer, schedule, loader = accelerator.prepare(model, optimizer, schedule, loader)
    draw = training.Draws(settings.seed, accelerator).torch
    checkpoints = training.Checkpoints(accelerator, settings.run_path)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "clip", settings)
    unwrapped = accelerator.unwrap_model(model)

    def measure(step: int) -> None:
        if accelerator.is_main_process:
            model.eval()
            retrieval = evaluate_retrieval(unwrapped, test_set, settings.eval_count)
            numbers = {m.key: m.value for m in retrieval.metrics()}
            accelerator.log(numbers, step=step)
            accelerator.print(
                f"step {step}: " + ", ".join(f"{k} {v:.3f}" for k, v in numbers.items())
            )

    losses = training.RunningLosses()
    steps = training.Steps(accelerator, loader, start, total, settings, checkpoints)
    for step, (index,) in steps:
        index = index.cpu()
        images = degrade(train_set.images[index].float() / 255, settings.degraded_share, draw)
        which = torch.randint(captions.shape[1], (len(index),), generator=draw)
        pooled = captions[index, which].to(accelerator.device)
        model.train()
        with accelerator.autocast():
            image_embeds = F.normalize(
                unwrapped.visual_projection(
                    unwrapped.vision_model(pixel_values(images.to(accelerator.device)))[1]
                ),
                dim=-1,
            )
            text_embeds = F.normalize(unwrapped.text_projection(pooled), dim=-1)
            logits = unwrapped.logit_scale.exp().clamp(max=100) * image_embeds @ text_embeds.T
            loss = contrastive_loss(logits, train_set.keys, index)
        optimizer.zero_grad(set_to_none=True)
        accelerator.backward(loss)
        optimizer.step()
        schedule.step()
        losses.add(contrastive=loss, scale=unwrapped.logit_scale.exp())

        steps.end(step, losses, measure, lr=schedule.get_last_lr()[0])


def contrastive_loss(logits: torch.Tensor, keys: list[str], index: torch.Tensor) -> torch.Tensor:
    """Symmetric cross-entropy; the same emoji twice in a batch (two styles) is not a negative."""
    batch_keys = [keys[i] for i in index.tolist()]
    same = torch.tensor([[a == b for b in batch_keys] for a in batch_keys], device=logits.device)
    logits = logits.masked_fill(
        same & ~torch.eye(len(same), dtype=torch.bool, device=same.device), -1e4
    )
    targets = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


def save_hub_folder(settings, model, test_set: CaptionedImages, retrieval, command: str) -> None:
    """The model (without MiniLM's weights), and the card with retrieval and noise-awareness."""
    folder = Path(settings.output_dir)
    save_clip(model, folder)
    sections = {"What it picks": picks_markdown(retrieval, test_set, settings.eval_count, folder)}
    if settings.diffusion_model:
        rows = evaluate_noise_awareness(
            model, load_pipeline(settings.diffusion_model), test_set, count=settings.eval_count
        )
        sections[NOISE_AWARENESS_SECTION] = noise_awareness_markdown(
            rows, len(retrieval.image_to_text)
        )
    trained = sum(p.numel() for n, p in model.named_parameters() if not n.startswith("text_model"))
    facts = clip_card(
        settings,
        command,
        trained_parameters=trained,
        metrics=retrieval.metrics(),
        sections=sections,
    )
    finish_hub_folder(folder, facts, settings)


if __name__ == "__main__":
    main()
