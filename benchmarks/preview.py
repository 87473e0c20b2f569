"""What the live preview trades away: on one caption of each held-out emoji, the preview
(`PREVIEW_STEPS` steps) against the image Generate makes from the same noise (`STEPS.default`
steps), both at the default guidance and scheduler, as the gallery serves them. For each: the
Fréchet distance to the held-out images and the judge's top-1 and top-5 alignment, and how far
the preview is from its full image.

    python benchmarks/preview.py [--count 250] [--write-card]

`--write-card` also puts the printed table into the bundled text-to-image card.
"""

from __future__ import annotations

import argparse
from functools import partial

from genzoo.env import offline_defaults

offline_defaults()

import torch
import torch.nn.functional as F

from genzoo.alignment import References, generate
from genzoo.cards import PREVIEW_SECTION, report_measurement
from genzoo.data.captions import COLOUR_STYLES, load_captioned_splits
from genzoo.evaluation import image_features
from genzoo.pipelines.text_to_image import (
    GUIDANCE,
    PREVIEW_STEPS,
    STEPS,
    image_size,
    pipeline_as_served,
)
from genzoo.registry import BUNDLED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text-to-image-emoji")
    parser.add_argument("--count", type=int, default=250, help="held-out emoji, one caption each")
    parser.add_argument("--write-card", action="store_true")
    args = parser.parse_args()

    _, held_out = load_captioned_splits(list(COLOUR_STYLES), image_size(args.model))
    refs = References.of(held_out, args.count)
    served = partial(pipeline_as_served, args.model)  # each batch's, for its prompts
    made = {
        steps: generate(None, refs.prompts, GUIDANCE.default, steps, seed=0, pipeline_for=served)
        for steps in (PREVIEW_STEPS, STEPS.default)
    }
    preview, full = made[PREVIEW_STEPS], made[STEPS.default]
    likeness = F.cosine_similarity(image_features(preview), image_features(full)).mean()
    lines = [
        "| image | steps | Fréchet distance (lower) | top-1 | top-5 | L1 to the full image | "
        "feature cosine to the full image |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, steps in (("preview", PREVIEW_STEPS), ("Generate", STEPS.default)):
        distance, top1, top5 = refs.measure(made[steps])
        l1, cosine = (
            ((preview - full).abs().mean(), likeness) if steps == PREVIEW_STEPS else (0.0, 1.0)
        )
        lines.append(
            f"| {name} | {steps} | {distance:.1f} | {top1:.3f} | {top5:.3f} | {l1:.3f} | "
            f"{cosine:.3f} |"
        )
    report_measurement(
        "\n".join(lines),
        "python benchmarks/preview.py --write-card",
        note=f"{len(refs.prompts)} held-out captions (one per unseen emoji), guidance "
        f"{GUIDANCE.default:g}, the default scheduler, the same noise for both.",
        write=args.write_card,
        folder=BUNDLED[args.model].folder,
        section=PREVIEW_SECTION,
        task="text-to-image",
    )


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    main()
