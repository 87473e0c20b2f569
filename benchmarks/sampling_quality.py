"""Does a sampling option pay? The text-to-image alignment table (Fréchet distance, retrieval
top-1 and top-5 on held-out captions) with dynamic thresholding on and off, per guidance scale.

    python benchmarks/sampling_quality.py [--model text-to-image-emoji] [--count 253]

The same evaluation code as the model card (`genzoo.alignment.evaluate_text_to_image`), on the
bundled model through the scheduler the gallery builds (`make_scheduler`).
"""

from __future__ import annotations

import argparse

from genzoo.env import offline_defaults

offline_defaults()

from genzoo.alignment import evaluate_text_to_image  # noqa: E402
from genzoo.data.captions import COLOUR_STYLES, load_captioned_splits  # noqa: E402
from genzoo.hub import load_pipeline  # noqa: E402
from genzoo.pipelines.text_to_image import SCHEDULERS, image_size, make_scheduler  # noqa: E402
from genzoo.system import describe_hardware  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text-to-image-emoji")
    parser.add_argument("--count", type=int, default=253, help="held-out captions")
    parser.add_argument("--guidance", type=float, nargs="+", default=[5.0, 10.0, 20.0, 30.0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--scheduler", default="DPM-Solver++", choices=list(SCHEDULERS))
    args = parser.parse_args()
    loaded = load_pipeline(args.model)
    loaded.set_progress_bar_config(disable=True)
    train_set, held_out = load_captioned_splits(list(COLOUR_STYLES), image_size(args.model))
    print(f"Hardware: {describe_hardware()}; {args.model}, {args.scheduler}, {args.steps} steps\n")
    print("| thresholding | guidance | Fréchet distance | top-1 | top-5 |")
    print("|---|---|---:|---:|---:|")
    for thresholding in (False, True):
        loaded.scheduler = make_scheduler(loaded, args.scheduler, thresholding)
        table = evaluate_text_to_image(
            loaded,
            held_out,
            train_set,
            count=args.count,
            guidance_scales=args.guidance,
            step_counts=[args.steps],
        )
        for row in table.rows:
            print(
                f"| {'on' if thresholding else 'off'} | {row.guidance:g} | {row.distance:.1f} "
                f"| {row.top1:.3f} | {row.top5:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
