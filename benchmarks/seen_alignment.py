"""Does the model draw what it learned? The alignment table on captions of emoji from the
training split, judged among them, beside the held-out table of the card (which also asks
whether it generalises to emoji it never saw).

    python benchmarks/seen_alignment.py [--count 500] [--steps 25] [--write-card]

The same evaluation code as the training script (`genzoo.alignment.evaluate_text_to_image` with
`seen=True`); `--write-card` puts the table and its headline metrics into the bundled card, as
training does.
"""

from __future__ import annotations

import argparse

from genzoo.env import offline_defaults

offline_defaults()

from genzoo.alignment import evaluate_text_to_image
from genzoo.cards import SEEN_SECTION, report_measurement
from genzoo.data.captions import COLOUR_STYLES, load_captioned_splits
from genzoo.hub import load_pipeline
from genzoo.pipelines.text_to_image import image_size
from genzoo.registry import BUNDLED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text-to-image-emoji", choices=sorted(BUNDLED))
    parser.add_argument("--count", type=int, default=500, help="training emoji (as training)")
    parser.add_argument("--guidance", type=float, nargs="+", default=[1.0, 3.0, 5.0, 7.5, 10.0])
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--write-card", action="store_true")
    args = parser.parse_args()
    loaded = load_pipeline(args.model)
    loaded.set_progress_bar_config(disable=True)
    train_set, held_out = load_captioned_splits(list(COLOUR_STYLES), image_size(args.model))
    table = evaluate_text_to_image(
        loaded,
        held_out,
        train_set,
        count=args.count,
        guidance_scales=args.guidance,
        step_counts=[args.steps],
        seen=True,
    )
    report_measurement(
        table.markdown(),
        "python benchmarks/seen_alignment.py --write-card",
        note="After training.",
        write=args.write_card,
        folder=BUNDLED[args.model].folder,
        section=SEEN_SECTION,
        task="text-to-image",
        metrics=table.headline(),
    )


if __name__ == "__main__":
    main()
