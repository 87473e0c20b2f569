"""CLIP metrics: zero-shot retrieval between held-out emoji and their captions, how well a CLIP
scores noisy or partially denoised images, and the CLIP score of generated images.

Retrieval takes one caption per held-out emoji (`alignment.one_caption_per_emoji`): each image
should find its own caption first among all of them (image -> text), and each caption its own
image (text -> image). Chance top-k is k in the number of emoji.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from genzoo.alignment import References, generate, one_caption_per_emoji, top_k
from genzoo.data.captions import CaptionedImages
from genzoo.diffusion.clip_guidance import CLIPGuidedUNet
from genzoo.diffusion.sharing import sharing
from genzoo.evaluation import Metric
from genzoo.models.clip import image_embeddings, text_embeddings

CHANCE = "chance"


@torch.no_grad()
def embed_images(clip, images: torch.Tensor, batch: int = 256) -> torch.Tensor:
    return torch.cat([image_embeddings(clip, part).cpu() for part in images.split(batch)])


def ranks(similarity: torch.Tensor) -> torch.Tensor:
    """The rank (0 = first) of each row's diagonal entry within its row."""
    own = similarity.diagonal()[:, None]
    return (similarity > own).sum(1)


@dataclass
class Retrieval:
    """Zero-shot retrieval among the held-out emoji, both ways."""

    image_to_text: torch.Tensor  # ranks
    text_to_image: torch.Tensor
    first_picks: torch.Tensor  # for each image, the caption it ranks first

    @classmethod
    def of(cls, image_embeds: torch.Tensor, text_embeds: torch.Tensor) -> Retrieval:
        similarity = image_embeds @ text_embeds.T
        return cls(ranks(similarity), ranks(similarity.T), similarity.argmax(1))

    def metrics(self) -> list[Metric]:
        count = len(self.image_to_text)
        out = []
        for way, found, name in (
            ("image_to_text", self.image_to_text, "image → caption"),
            ("text_to_image", self.text_to_image, "caption → image"),
        ):
            for k in (1, 5):
                out.append(
                    Metric(
                        f"retrieval_{way}_top{k}",
                        f"zero-shot retrieval {name}, top-{k} among {count} held-out emoji",
                        top_k(found, k),
                        False,
                        k / count,
                        CHANCE,
                    )
                )
        return out


def held_out_pairs(held_out: CaptionedImages, count: int) -> tuple[torch.Tensor, list[str]]:
    """One image per held-out emoji, styles in turn, with its first caption."""
    chosen = one_caption_per_emoji(held_out, count)
    return held_out.floats()[chosen], [held_out.captions[i][0] for i in chosen]


def evaluate_retrieval(clip, held_out: CaptionedImages, count: int = 250) -> Retrieval:
    images, prompts = held_out_pairs(held_out, count)
    return Retrieval.of(embed_images(clip, images), text_embeddings(clip, prompts))


@dataclass
class NoisyRow:
    timestep: int
    noisy_top1: float  # the decoded noisy latents, scored as they are
    predicted_top1: float  # the diffusion model's predicted clean image, scored instead


@torch.no_grad()
def evaluate_noise_awareness(
    clip,
    pipeline,
    held_out: CaptionedImages,
    *,
    timesteps: Sequence[int] = (0, 200, 400, 600, 800),
    count: int = 250,
    seed: int = 0,
) -> list[NoisyRow]:
    """Image -> caption top-1 on held-out images noised to each timestep in the diffusion model's
    latent space, scored two ways: decoding the noisy latents, or decoding the clean latents that
    the diffusion model predicts from them (with an empty prompt, so the caption cannot leak)."""
    images, prompts = held_out_pairs(held_out, count)
    text = text_embeddings(clip, prompts)
    vae, unet, scheduler = pipeline.vae, pipeline.unet, pipeline.scheduler
    scale = vae.config.scaling_factor
    latents = vae.encode(images * 2 - 1).latent_dist.mean * scale
    empty = pipeline.encode_prompt([""], "cpu", 1, False)[0].expand(len(images), -1, -1)
    noise = torch.randn(latents.shape, generator=torch.Generator().manual_seed(seed))
    rows = []
    for t in timesteps:
        alpha = scheduler.alphas_cumprod[t]
        noisy = alpha.sqrt() * latents + (1 - alpha).sqrt() * noise
        predicted = noisy
        if t > 0:
            eps = unet(noisy, t, encoder_hidden_states=empty).sample
            predicted = (noisy - (1 - alpha).sqrt() * eps) / alpha.sqrt()
        scores = []
        for z in (noisy, predicted):
            decoded = (vae.decode(z / scale).sample.clamp(-1, 1) + 1) / 2
            scores.append(top_k(Retrieval.of(embed_images(clip, decoded), text).image_to_text, 1))
        rows.append(NoisyRow(int(t), *scores))
    return rows


def noise_awareness_markdown(rows: list[NoisyRow], count: int) -> str:
    return "\n".join(
        [
            f"Image → caption top-1 among {count} held-out emoji, the images noised to timestep "
            "t (of 1,000) in the text-to-image model's latent space, then scored as they are "
            "(decoded) or through the clean image that the diffusion model predicts from them:",
            "",
            "| t | noisy image | predicted clean image |",
            "|---|---|---|",
            *(f"| {r.timestep} | {r.noisy_top1:.3f} | {r.predicted_top1:.3f} |" for r in rows),
        ]
    )


@torch.no_grad()
def clip_score(clip, images: torch.Tensor, prompts: Sequence[str]) -> float:
    """Mean cosine similarity of images in [0, 1] to their prompts (times 100, as Hessel et al.'s
    CLIPScore reports it, without the clipping at zero)."""
    return float(100 * (embed_images(clip, images) * text_embeddings(clip, prompts)).sum(1).mean())


# CLIP guidance against classifier-free guidance, at matched cost

CLIP_SCORE_KEY = "clip_score"
REAL_CLIP_SCORE = "real held-out images (generated ones can score higher)"
"""The CLIP score's reference: not a ceiling, since the score rewards what this CLIP has learned
to match, which generated images can show more plainly than real ones."""


@dataclass
class GuidanceRow:
    kind: str
    guidance: float
    clip_guidance: float
    steps: int
    seconds_per_image: float
    distance: float
    top1: float
    top5: float
    clip_score: float


def guided_pipeline(loaded, prompts: list[str], guidance: float, clip_guidance: float):
    """A pipeline on `loaded`'s parts, CLIP-guided towards `prompts` (one per image) if asked."""

    if not clip_guidance:
        return sharing(loaded)
    guided = CLIPGuidedUNet(
        loaded.unet,
        loaded.vae,
        loaded.scheduler.alphas_cumprod,
        prompts,
        clip_guidance,
        paired=guidance > 1,
    )
    return sharing(loaded, unet=guided)


def generate_guided(
    loaded, prompts, guidance: float, clip_guidance: float, steps: int, seed: int, batch: int = 25
) -> torch.Tensor:
    """Images in [0, 1] for `prompts` (`alignment.generate`), CLIP-guided towards each batch's."""

    def pipeline_for(part: list[str]):
        return guided_pipeline(loaded, part, guidance, clip_guidance)

    return generate(None, prompts, guidance, steps, seed, batch, pipeline_for)


def evaluate_guidance_kinds(
    loaded,
    clip,
    held_out: CaptionedImages,
    *,
    guidance: float = 5.0,
    clip_guidance: float = 3.0,
    steps: int = 20,
    count: int = 250,
    seed: int = 0,
    timing_prompts: int = 8,
) -> tuple[list[GuidanceRow], float]:
    """Classifier-free guidance only, CLIP guidance only, and both, each given the time that
    classifier-free guidance takes for `steps` steps (so fewer steps where a step costs more),
    measured on one held-out caption per emoji: Fréchet distance, the independent judge's
    top-1 and top-5, and the CLIP score (flattering to CLIP guidance, so never alone). Returns
    the rows and the real images' CLIP score (`REAL_CLIP_SCORE`)."""
    refs = References.of(held_out, count)
    kinds = {
        "classifier-free only": (guidance, 0.0),
        "CLIP only": (1.0, clip_guidance),
        "both": (guidance, clip_guidance),
    }
    probe = refs.prompts[:timing_prompts]
    per_step = {}
    for kind, (cfg, clip_scale) in kinds.items():
        started = time.perf_counter()
        generate_guided(loaded, probe, cfg, clip_scale, steps, seed)
        per_step[kind] = (time.perf_counter() - started) / (steps * len(probe))
    budget = per_step["classifier-free only"] * steps
    rows = []
    for kind, (cfg, clip_scale) in kinds.items():
        kind_steps = max(1, round(budget / per_step[kind]))
        images = generate_guided(loaded, refs.prompts, cfg, clip_scale, kind_steps, seed)
        distance, top1, top5 = refs.measure(images)
        rows.append(
            GuidanceRow(
                kind=kind,
                guidance=cfg,
                clip_guidance=clip_scale,
                steps=kind_steps,
                seconds_per_image=per_step[kind] * kind_steps,
                distance=distance,
                top1=top1,
                top5=top5,
                clip_score=clip_score(clip, images, refs.prompts),
            )
        )
    real = clip_score(clip, held_out.floats()[refs.chosen], refs.prompts)
    return rows, real


def guidance_kinds_markdown(rows: list[GuidanceRow], real_clip_score: float, count: int) -> str:
    return "\n".join(
        [
            f"One caption per held-out emoji ({count}), the same seed; each way given the time "
            "classifier-free guidance takes (so fewer steps where a step costs more). The judge "
            "(top-1, top-5) is independent of both models; the CLIP score is the guiding CLIP's "
            "own, so it flatters CLIP guidance:",
            "",
            "| guidance | scales (CFG, CLIP) | steps | s per image | Fréchet distance (lower) "
            "| top-1 | top-5 | CLIP score |",
            "|---|---|---|---|---|---|---|---|",
            *(
                f"| {r.kind} | {r.guidance:g}, {r.clip_guidance:g} | {r.steps} "
                f"| {r.seconds_per_image:.2f} | {r.distance:.1f} | {r.top1:.3f} | {r.top5:.3f} "
                f"| {r.clip_score:.1f} |"
                for r in rows
            ),
            f"| real images | | | | | | | {real_clip_score:.1f} |",
            "",
            "Generated images score above the real ones: the CLIP score rewards what this CLIP "
            "has learned to match, not realism, so it is no ceiling.",
        ]
    )
