"""Text-to-image metrics: does a generated image show what its caption says, and does it look real?

Alignment is measured by retrieval. For each held-out emoji one caption is rendered; a judge
then ranks all the held-out emoji by how well the image shows each, and the caption's own emoji
should come first (top-1) or near it (top-5). Chance is 1 in the number of emoji.

The judge is independent of the diffusion model: a linear probe on EfficientNet-Lite0 (ImageNet)
features that tells the held-out emoji apart, trained on their real images. To keep it honest it
is trained leave-one-style-out: an image in style S is judged by the probe that never saw style S.
Real images judged the same way give the ceiling. Realism is the Fréchet distance of the generated
images to the held-out ones, beside the real-vs-real floor (`genzoo.evaluation`). Inpainting's
metrics, built on these, are `genzoo.inpainting_evaluation`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from genzoo.data.captions import CaptionedImages
from genzoo.diffusion.neighbours import Neighbours, batches_guided
from genzoo.evaluation import (
    FRECHET_KEY,
    FRECHET_NAME,
    REAL_FLOOR,
    Metric,
    frechet_distance,
    image_features,
)

REAL_CEILING = "real held-out images (ceiling)"


def train_probe(
    features: torch.Tensor, labels: torch.Tensor, classes: int, *, steps: int = 200
) -> torch.Tensor:
    """A multinomial logistic regression on standardised features, fitted by L-BFGS with a
    little weight decay: returns (weights (D+1, classes)) for `probe_logits`."""
    x = _with_bias(features)
    weights = torch.zeros(x.shape[1], classes, dtype=x.dtype, requires_grad=True)
    optimizer = torch.optim.LBFGS([weights], max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(x @ weights, labels) + 1e-4 * weights.square().sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return weights.detach()


def probe_logits(weights: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
    return _with_bias(features) @ weights


def _with_bias(features: torch.Tensor) -> torch.Tensor:
    x = features.double()
    x = (x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True).clamp_min(1e-6)
    return torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], 1)


@dataclass
class Judge:
    """Leave-one-style-out probes over the emoji of a held-out set (see the module docstring)."""

    keys: list[str]  # the emoji it tells apart, in class order
    probes: dict[str, torch.Tensor]  # style -> probe trained on every other style

    @classmethod
    def fit(cls, held_out: CaptionedImages, features: torch.Tensor | None = None) -> Judge:
        features = image_features(held_out.floats()) if features is None else features
        keys = sorted(set(held_out.keys))
        labels = torch.tensor([keys.index(k) for k in held_out.keys])
        styles = torch.tensor([sorted(set(held_out.styles)).index(s) for s in held_out.styles])
        probes = {}
        for number, style in enumerate(sorted(set(held_out.styles))):
            others = styles != number
            probes[style] = train_probe(features[others], labels[others], len(keys))
        return cls(keys, probes)

    def ranks(self, features: torch.Tensor, keys: Sequence[str], styles: Sequence[str]):
        """The rank (0 = first) of each image's own emoji among all the judge's emoji."""
        ranks = []
        for feature, key, style in zip(features, keys, styles, strict=True):
            logits = probe_logits(self.probes[style], feature[None])[0]
            ranks.append(int((logits > logits[self.keys.index(key)]).sum()))
        return torch.tensor(ranks)


def top_k(ranks: torch.Tensor, k: int) -> float:
    return float((ranks < k).double().mean())


def one_caption_per_emoji(held_out: CaptionedImages, count: int) -> list[int]:
    """Up to `count` images of distinct emoji, their styles taken in turn: the rendered set."""
    styles = sorted(set(held_out.styles))
    first_of = {}
    for i, (key, style) in enumerate(zip(held_out.keys, held_out.styles, strict=True)):
        first_of.setdefault((key, style), i)
    chosen = []
    for n, key in enumerate(sorted(set(held_out.keys))):
        for shift in range(len(styles)):
            style = styles[(n + shift) % len(styles)]
            if (key, style) in first_of:
                chosen.append(first_of[(key, style)])
                break
    return chosen[:count]


@dataclass
class Row:
    guidance: float
    steps: int
    distance: float
    top1: float
    top5: float


@dataclass
class AlignmentTable:
    """Fréchet distance and retrieval alignment per (guidance, steps), beside floor and ceiling."""

    rows: list[Row]
    floor: float
    ceiling_top1: float
    ceiling_top5: float
    emoji: int
    images: int
    headline_guidance: float = 5.0
    headline_steps: int = field(default=0)
    seen: bool = False  # measured on emoji of the training split (see `seen_emoji`)

    def headline_row(self) -> Row:
        """The row of the headline setting (default guidance, most steps)."""
        steps = self.headline_steps or max(r.steps for r in self.rows)
        near = (r for r in self.rows if r.steps == steps)
        return min(near, key=lambda r: abs(r.guidance - self.headline_guidance))

    def headline(self) -> list[Metric]:
        """The model-index metrics: those of the headline row."""
        row = self.headline_row()
        at = f" (guidance {row.guidance:g}, {row.steps} steps)"
        key, among = ("alignment_seen", "training") if self.seen else ("alignment", "held-out")
        ceiling = REAL_CEILING.replace("held-out", among)
        alignment = [
            Metric(
                key=f"{key}_top{k}",
                name=f"text alignment, top-{k} retrieval among {self.emoji} {among} emoji" + at,
                value=value,
                lower_is_better=False,
                reference=ceiling_value,
                reference_name=ceiling,
            )
            for k, value, ceiling_value in (
                (1, row.top1, self.ceiling_top1),
                (5, row.top5, self.ceiling_top5),
            )
        ]
        if self.seen:  # realism is measured on the held-out emoji
            return alignment
        return [
            Metric(FRECHET_KEY, FRECHET_NAME + at, row.distance, True, self.floor, REAL_FLOOR),
            *alignment,
        ]

    def markdown(self) -> str:
        which = (
            f"captions of {self.emoji} emoji of the training split, whose prompts it learned"
            if self.seen
            else f"held-out captions of {self.emoji} emoji never seen in training"
        )
        lines = [
            f"Guidance and steps, on {self.images} {which} (chance top-1: {1 / self.emoji:.3f}):",
            "",
            "| guidance | steps | Fréchet distance (lower) | top-1 (higher) | top-5 (higher) |",
            "|---|---|---|---|---|",
            *(
                f"| {r.guidance:g} | {r.steps} | {r.distance:.1f} | {r.top1:.3f} | {r.top5:.3f} |"
                for r in self.rows
            ),
            f"| real images | | {self.floor:.1f} (floor) | {self.ceiling_top1:.3f} (ceiling) "
            f"| {self.ceiling_top5:.3f} |",
        ]
        return "\n".join(lines)


@torch.no_grad()
def generate(
    pipeline,
    prompts: list[str],
    guidance: float,
    steps: int,
    seed: int,
    batch=50,
    pipeline_for=None,
    **inputs,
):
    """Images in [0, 1] for `prompts`, in batches, with one seeded generator for the whole run;
    per-prompt `inputs` (an inpainting pipeline's `image` and `mask_image`) are batched alike.
    `pipeline_for(batch_prompts)`, if given, makes each batch's pipeline instead (CLIP guidance
    is built for its prompts)."""
    generator = torch.Generator().manual_seed(seed)
    images = []
    for start in range(0, len(prompts), batch):
        part = slice(start, start + batch)
        out = (pipeline_for(list(prompts[part])) if pipeline_for else pipeline)(
            prompts[part],
            guidance_scale=guidance,
            num_inference_steps=steps,
            generator=generator,
            output_type="pt",
            **{name: value[part] for name, value in inputs.items()},
        ).images
        images.append(out.float().cpu())
    return torch.cat(images)


@dataclass
class References:
    """What text-to-image measurements compare against: the real held-out images' features, the
    judge fitted on them, and one captioned image per emoji (index, emoji, style, caption)."""

    real_features: torch.Tensor
    judge: Judge
    chosen: list[int]
    keys: list[str]
    styles: list[str]
    prompts: list[str]

    @classmethod
    def of(cls, held_out: CaptionedImages, count: int) -> References:
        real_features = image_features(held_out.floats())
        chosen = one_caption_per_emoji(held_out, count)
        return cls(
            real_features,
            Judge.fit(held_out, real_features),
            chosen,
            [held_out.keys[i] for i in chosen],
            [held_out.styles[i] for i in chosen],
            [held_out.captions[i][0] for i in chosen],
        )

    def measure(self, images: torch.Tensor) -> tuple[float, float, float]:
        """(Fréchet distance to the held-out images, top-1, top-5) of images of `prompts`."""
        features = image_features(images)
        ranks = self.judge.ranks(features, self.keys, self.styles)
        return frechet_distance(features, self.real_features), top_k(ranks, 1), top_k(ranks, 5)


def seen_emoji(train_set: CaptionedImages, count: int) -> CaptionedImages:
    """Every image of `count` emoji of the training split, spread over it: alignment measured on
    them asks whether the model draws what it learned, apart from whether it generalises."""
    keys = sorted(set(train_set.keys))
    chosen = set(keys[:: max(1, len(keys) // count)][:count])
    kept = [i for i, key in enumerate(train_set.keys) if key in chosen]
    return CaptionedImages(
        train_set.images[kept],
        [train_set.captions[i] for i in kept],
        [train_set.keys[i] for i in kept],
        [train_set.styles[i] for i in kept],
    )


def evaluate_text_to_image(
    pipeline,
    held_out: CaptionedImages,
    train_set: CaptionedImages,
    *,
    count: int = 250,
    guidance_scales: Sequence[float] = (1.0, 3.0, 5.0, 7.5, 10.0),
    step_counts: Sequence[int] = (10, 25),
    seed: int = 0,
    seen: bool = False,
    neighbours: Neighbours | None = None,
) -> AlignmentTable:
    """Render one caption per held-out emoji (up to `count`) at each guidance scale and step
    count, and measure the table (see the module docstring). With `seen`, the captions are those
    of `count` training emoji instead (`seen_emoji`), judged among them; the held-out images are
    then the other real set of the floor. With `neighbours`, the model leans on them as the
    gallery serves it (`genzoo.diffusion.neighbours`)."""
    if seen:
        held_out, train_set = seen_emoji(train_set, count), held_out
    refs = References.of(held_out, count)
    ceiling = refs.judge.ranks(refs.real_features[refs.chosen], refs.keys, refs.styles)
    every = torch.linspace(0, len(train_set) - 1, len(refs.chosen)).long()
    floor = frechet_distance(image_features(train_set.floats()[every]), refs.real_features)
    rows = []
    for steps in step_counts:
        for guidance in guidance_scales:
            pipeline_for = neighbours and batches_guided(pipeline, neighbours, guidance)
            images = generate(
                pipeline, refs.prompts, guidance, steps, seed, pipeline_for=pipeline_for
            )
            rows.append(Row(guidance, steps, *refs.measure(images)))
    best = (top_k(ceiling, 1), top_k(ceiling, 5))
    return AlignmentTable(rows, floor, *best, len(refs.judge.keys), len(refs.chosen), seen=seen)
