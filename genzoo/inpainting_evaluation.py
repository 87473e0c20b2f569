"""Inpainting metrics: approaches repaint the same random holes in one held-out image per emoji
from its caption, and are compared on the same images, masks, captions and seed: the L1 error
inside the hole, and the text-to-image measures of `genzoo.alignment` (the Fréchet distance to the
held-out images, the judge's top-1 and top-5). Beside them stand the hole left grey (the input)
and the original images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from genzoo.alignment import References, generate
from genzoo.data.captions import CaptionedImages
from genzoo.data.masks import grey_holes, random_masks
from genzoo.evaluation import FRECHET_KEY, FRECHET_NAME, Metric

HOLE_L1 = "inpainting_hole_l1"
GREY_HOLE = "hole left grey (the input)"
TRUTH = "the original images"


@dataclass
class InpaintingRow:
    approach: str
    hole_l1: float
    distance: float
    top1: float
    top5: float


@dataclass
class InpaintingTable:
    """Inpainting approaches on the same held-out images, masks, captions and seed."""

    rows: list[InpaintingRow]
    emoji: int
    guidance: float
    steps: int

    def row(self, approach: str) -> InpaintingRow:
        return next(r for r in self.rows if r.approach == approach)

    def best(self, approaches: Sequence[str]) -> str:
        """Of `approaches`, the one whose repainted holes are nearest the truth."""
        return min(approaches, key=lambda a: self.row(a).hole_l1)

    def headline(self, approach: str, against: str) -> list[Metric]:
        """`approach`'s metrics for the model index, each beside `against`'s."""
        mine, theirs = self.row(approach), self.row(against)
        at = f" (inpainting, guidance {self.guidance:g}, {self.steps} steps)"
        return [
            Metric(
                key=HOLE_L1,
                name="L1 to the truth inside the hole" + at,
                value=mine.hole_l1,
                lower_is_better=True,
                reference=theirs.hole_l1,
                reference_name=against,
            ),
            Metric(
                key=FRECHET_KEY,
                name=FRECHET_NAME + at,
                value=mine.distance,
                lower_is_better=True,
                reference=theirs.distance,
                reference_name=against,
            ),
            Metric(
                key="alignment_top5",
                name=f"text alignment, top-5 among {self.emoji} emoji" + at,
                value=mine.top5,
                lower_is_better=False,
                reference=theirs.top5,
                reference_name=against,
            ),
        ]

    def markdown(self) -> str:
        lines = [
            f"Inpainting, compared on one held-out image of each of {self.emoji} unseen emoji, "
            "a random mask of one to three boxes over it, "
            f"its caption as the prompt, guidance {self.guidance:g}, {self.steps} steps, the "
            "unmasked pixels pasted back:",
            "",
            "| approach | L1 in the hole (lower) | Fréchet distance (lower) | top-1 | top-5 |",
            "|---|---|---|---|---|",
            *(
                f"| {r.approach} | {r.hole_l1:.4f} | {r.distance:.1f} | {r.top1:.3f} "
                f"| {r.top5:.3f} |"
                for r in self.rows
            ),
        ]
        return "\n".join(lines)


def inpaint_images(pipeline, images, masks, prompts, guidance: float, steps: int, seed: int):
    """`images` in [0, 1] repainted where `masks` is 1 by an inpainting pipeline (see
    `generate`), and the kept pixels pasted back exactly."""
    painted = generate(pipeline, prompts, guidance, steps, seed, image=images, mask_image=masks)
    return painted * masks + images * (1 - masks)


def evaluate_inpainting(
    approaches: dict,
    held_out: CaptionedImages,
    *,
    count: int = 250,
    guidance: float = 5.0,
    steps: int = 20,
    seed: int = 0,
) -> InpaintingTable:
    """Each of `approaches` (name -> inpainting pipeline) repaints the same random holes in one
    held-out image per emoji from its caption; beside them, the hole left grey and the truth."""
    refs = References.of(held_out, count)
    truth = held_out.floats()[refs.chosen]
    masks = random_masks(len(truth), truth.shape[-1], generator=torch.Generator().manual_seed(seed))
    results = {GREY_HOLE: grey_holes(truth, masks), TRUTH: truth}
    for name, pipeline in approaches.items():
        results[name] = inpaint_images(pipeline, truth, masks, refs.prompts, guidance, steps, seed)
    rows = [
        InpaintingRow(name, _hole_l1(images, truth, masks), *refs.measure(images))
        for name, images in results.items()
    ]
    order = [*approaches, GREY_HOLE, TRUTH]
    rows.sort(key=lambda r: order.index(r.approach))
    return InpaintingTable(rows, len(refs.judge.keys), guidance, steps)


def _hole_l1(images: torch.Tensor, truth: torch.Tensor, masks: torch.Tensor) -> float:
    """Mean absolute difference over the masked pixels of each image, averaged over images."""
    error = ((images - truth).abs() * masks).sum((1, 2, 3)) / (masks.sum((1, 2, 3)) * 3)
    return float(error.mean())
