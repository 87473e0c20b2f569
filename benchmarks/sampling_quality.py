"""Does a sampling option pay? The text-to-image alignment table (Fréchet distance, retrieval
top-1 and top-5 on held-out captions) per guidance scale, with dynamic thresholding on and off,
with classifier-free guidance over the whole schedule and over parts of it (a sigma interval,
`genzoo.diffusion.guidance_interval`), or with neighbour guidance off and on
(`genzoo.diffusion.neighbours`, as the gallery serves the model).

    python benchmarks/sampling_quality.py [--compare thresholding|interval|neighbours] [--count 253]
        [--guidance 5 10] [--seeds 0 1 2 3]

With several seeds each figure is their mean, and the top-5 column gives their range too: on 253
captions the seed alone moves top-5 by about 0.04.

The same references and judge as the model card (`genzoo.alignment.References`), on the
bundled model through the scheduler the gallery builds (`make_scheduler`).
"""

from __future__ import annotations

import argparse
import math
import statistics

from genzoo.env import offline_defaults

offline_defaults()


from genzoo.alignment import References, generate
from genzoo.data.captions import COLOUR_STYLES, load_captioned
from genzoo.diffusion import neighbours
from genzoo.diffusion.guidance_interval import PAPER_INTERVAL, GuidanceInterval
from genzoo.diffusion.schedulers import SCHEDULERS, make_scheduler
from genzoo.diffusion.sharing import sharing
from genzoo.hub import load_pipeline
from genzoo.pipelines.text_to_image import image_size
from genzoo.system import describe_hardware

INTERVALS = {
    "everywhere": None,
    f"sigma in ({PAPER_INTERVAL[0]:g}, {PAPER_INTERVAL[1]:g}] (the paper's)": PAPER_INTERVAL,
    f"sigma > {PAPER_INTERVAL[0]:g} (not at low noise)": (PAPER_INTERVAL[0], math.inf),
    f"sigma <= {PAPER_INTERVAL[1]:g} (not at high noise)": (0.0, PAPER_INTERVAL[1]),
}


def variants(loaded, compare: str, scheduler: str, model: str):
    """(label, pipeline, neighbours or None) for each setting of the option compared."""
    if compare == "thresholding":
        for thresholding in (False, True):
            loaded.scheduler = make_scheduler(loaded, scheduler, thresholding)
            yield ("on" if thresholding else "off"), loaded, None
        return
    loaded.scheduler = make_scheduler(loaded, scheduler, False)
    if compare == "neighbours":
        yield "off (the stock pipeline)", loaded, None
        yield f"on (weight {neighbours.WEIGHT:g}, as served)", loaded, neighbours.for_model(model)
        return
    for label, interval in INTERVALS.items():
        if interval is None:
            yield label, loaded, None
            continue
        unet = GuidanceInterval(loaded.unet, loaded.scheduler.alphas_cumprod, *interval)
        yield label, sharing(loaded, unet=unet), None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text-to-image-emoji")
    parser.add_argument(
        "--compare", default="thresholding", choices=["thresholding", "interval", "neighbours"]
    )
    parser.add_argument("--count", type=int, default=253, help="held-out captions")
    parser.add_argument("--guidance", type=float, nargs="+", default=[5.0, 10.0, 20.0, 30.0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--scheduler", default="DPM-Solver++", choices=list(SCHEDULERS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--sources", nargs="+", default=list(COLOUR_STYLES), help="held-out data")
    args = parser.parse_args()
    loaded = load_pipeline(args.model)
    loaded.set_progress_bar_config(disable=True)
    held_out = load_captioned(args.sources, "test", image_size(args.model))
    print(f"Hardware: {describe_hardware()}; {args.model}, {args.scheduler}, {args.steps} steps\n")
    compared = "guidance applied" if args.compare == "interval" else args.compare
    print(f"| {compared} | guidance | Fréchet distance | top-1 | top-5 |")
    print("|---|---|---:|---:|---:|")
    references = References.of(held_out, args.count)
    for label, pipeline, learned in variants(loaded, args.compare, args.scheduler, args.model):
        for guidance in args.guidance:
            served = learned and neighbours.batches_guided(pipeline, learned, guidance)
            seeds = []
            for seed in args.seeds:
                images = generate(
                    pipeline, references.prompts, guidance, args.steps, seed, pipeline_for=served
                )
                seeds.append(references.measure(images))
            distance, top1, top5 = (statistics.mean(column) for column in zip(*seeds, strict=True))
            spread = [top5 for *_, top5 in seeds]
            spread = f" ({min(spread):.3f} to {max(spread):.3f})" if len(seeds) > 1 else ""
            print(
                f"| {label} | {guidance:g} | {distance:.1f} | {top1:.3f} | {top5:.3f}{spread} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
