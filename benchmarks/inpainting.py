"""Inpainting both ways the lectures give, on the same holes: the bundled text-to-image model
blending latents by the mask (what both galleries do) against its UNet fine-tuned to read the mask
(`python training/train_inpainting.py --preset text-to-image-emoji-inpainting`, written under
runs/). L1 in the hole, Fréchet distance to the held-out images and the judge's top-1 and top-5.

    python benchmarks/inpainting.py [--mask-channel runs/text-to-image-emoji-inpainting/hub]
        [--count 253] [--write-card]

`--write-card` puts the table into the bundled text-to-image card, where both galleries show it
beside the Inpaint view.
"""

from __future__ import annotations

import argparse

from diffusers import StableDiffusionInpaintPipeline

from genzoo.cards import INPAINTING_SECTION, report_measurement
from genzoo.data.captions import COLOUR_STYLES, load_captioned
from genzoo.diffusion.sharing import sharing
from genzoo.hub import load_pipeline
from genzoo.inpainting_evaluation import evaluate_inpainting
from genzoo.pipelines.text_to_image import image_size
from genzoo.registry import BUNDLED

BLENDING = "latent blending (this model; what the galleries do)"
MASK_CHANNEL = "mask channel (its UNet fine-tuned to read the mask; not bundled)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text-to-image-emoji")
    parser.add_argument("--mask-channel", default="runs/text-to-image-emoji-inpainting/hub")
    parser.add_argument("--count", type=int, default=253, help="held-out emoji, one image each")
    parser.add_argument("--guidance", type=float, default=5.0)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--write-card", action="store_true")
    args = parser.parse_args()

    blending = sharing(load_pipeline(args.model), StableDiffusionInpaintPipeline)
    table = evaluate_inpainting(
        {BLENDING: blending, MASK_CHANNEL: load_pipeline(args.mask_channel)},
        load_captioned(COLOUR_STYLES, "test", image_size(args.model)),
        count=args.count,
        guidance=args.guidance,
        steps=args.steps,
    )
    report_measurement(
        table.markdown(),
        "python benchmarks/inpainting.py --write-card",
        note=f"Nearer the truth in the hole: {table.best([BLENDING, MASK_CHANNEL])}.",
        write=args.write_card,
        folder=BUNDLED[args.model].folder,
        section=INPAINTING_SECTION,
        task="text-to-image",
    )


if __name__ == "__main__":
    main()
