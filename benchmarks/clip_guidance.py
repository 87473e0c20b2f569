"""CLIP guidance against classifier-free guidance, at matched cost, on held-out captions:
Fréchet distance, the independent judge's retrieval top-1/top-5, and the CLIP score.

    python benchmarks/clip_guidance.py [--clip_guidance 3] [--count 250] [--write-card]

`--write-card` puts the table (and the CLIP score of classifier-free guidance, beside the real
images', as a metric) into the bundled text-to-image card, where the gallery shows it.
"""

from __future__ import annotations

import argparse

from genzoo.env import offline_defaults

offline_defaults()

from genzoo.cards import GUIDANCE_KINDS_SECTION, report_measurement
from genzoo.data.captions import COLOUR_STYLES, load_captioned
from genzoo.diffusion.clip_guidance import CLIP_MODEL
from genzoo.evaluation import Metric
from genzoo.hub import load_model, load_pipeline
from genzoo.pipelines.text_to_image import image_size
from genzoo.registry import BUNDLED
from genzoo.retrieval import (
    CLIP_SCORE_KEY,
    REAL_CLIP_SCORE,
    evaluate_guidance_kinds,
    guidance_kinds_markdown,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text-to-image-emoji", choices=sorted(BUNDLED))
    parser.add_argument("--guidance", type=float, default=5.0)
    parser.add_argument("--clip_guidance", type=float, default=3.0)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--count", type=int, default=250, help="held-out captions")
    parser.add_argument("--write-card", action="store_true")
    args = parser.parse_args()
    loaded = load_pipeline(args.model)
    clip = load_model(CLIP_MODEL, family="clip")
    held_out = load_captioned(list(COLOUR_STYLES), "test", image_size(args.model))
    rows, real = evaluate_guidance_kinds(
        loaded,
        clip,
        held_out,
        guidance=args.guidance,
        clip_guidance=args.clip_guidance,
        steps=args.steps,
        count=args.count,
    )
    cfg = rows[0]
    metric = Metric(
        CLIP_SCORE_KEY,
        f"CLIP score, {CLIP_MODEL} (guidance {cfg.guidance:g}, {cfg.steps} steps)",
        cfg.clip_score,
        False,
        real,
        REAL_CLIP_SCORE,
    )
    report_measurement(
        guidance_kinds_markdown(rows, real, min(args.count, len(set(held_out.keys)))),
        f"python benchmarks/clip_guidance.py --clip_guidance {args.clip_guidance:g} --write-card",
        write=args.write_card,
        folder=BUNDLED[args.model].folder,
        section=GUIDANCE_KINDS_SECTION,
        task="text-to-image",
        metrics=[metric],
    )


if __name__ == "__main__":
    main()
