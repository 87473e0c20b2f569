"""How well the bundled CLIP scores noisy and partially denoised images, through the bundled
text-to-image model's latent space: the table CLIP guidance rests on.

    python benchmarks/noise_awareness.py [--count 250] [--write-card]

`training/train_clip.py` writes this table when it trains the CLIP; this measures it again after
the text-to-image model changes. `--write-card` replaces the table in the bundled CLIP's card.
"""

from __future__ import annotations

import argparse

from genzoo.env import offline_defaults

offline_defaults()

from genzoo.cards import NOISE_AWARENESS_SECTION, report_measurement
from genzoo.data.captions import COLOUR_STYLES, load_captioned
from genzoo.diffusion.clip_guidance import CLIP_MODEL
from genzoo.hub import load_model, load_pipeline
from genzoo.pipelines.text_to_image import image_size
from genzoo.registry import BUNDLED
from genzoo.retrieval import evaluate_noise_awareness, noise_awareness_markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text-to-image-emoji", choices=sorted(BUNDLED))
    parser.add_argument("--count", type=int, default=250, help="held-out captions")
    parser.add_argument("--write-card", action="store_true")
    args = parser.parse_args()
    clip = load_model(CLIP_MODEL, family="clip")
    held_out = load_captioned(list(COLOUR_STYLES), "test", image_size(args.model))
    rows = evaluate_noise_awareness(clip, load_pipeline(args.model), held_out, count=args.count)
    report_measurement(
        noise_awareness_markdown(rows, min(args.count, len(set(held_out.keys)))),
        "python benchmarks/noise_awareness.py --write-card",
        note=f"Through `{args.model}`.",
        write=args.write_card,
        folder=BUNDLED[CLIP_MODEL].folder,
        section=NOISE_AWARENESS_SECTION,
        task="zero-shot-image-classification",
    )


if __name__ == "__main__":
    main()
