"""Image to image (SDEdit on the general text-to-image model) against pix2pix (a model trained
for the task) on the same held-out OpenMoji line art -> colour pairs: L1, PSNR, SSIM and the
Fréchet distance to the true colour emoji, at a few strengths.

    python benchmarks/sdedit.py [--count 100] [--strengths 0.5 0.7 0.9] [--write-card]

SDEdit is told what each picture is: the colour emoji's own caption ("an OpenMoji colour emoji
of a …"). `--write-card` puts the table into the bundled text-to-image card, where both galleries
show it beside the image-to-image view.
"""

from __future__ import annotations

import argparse

from genzoo.env import offline_defaults

offline_defaults()

import numpy as np
import torch
from PIL import Image

from genzoo.cards import SDEDIT_SECTION, report_measurement
from genzoo.data import load_pairs
from genzoo.data.captions import LEFT_OUT, load_captioned
from genzoo.evaluation import Metric, evaluate_translation
from genzoo.hub import load_model
from genzoo.images import to_pil
from genzoo.pipelines.text_to_image import image_size, image_to_image
from genzoo.pipelines.translation import translate_batches
from genzoo.registry import BUNDLED

LINE_ART, COLOUR = "data/emoji-openmoji-line", "data/emoji-openmoji-color"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text-to-image-emoji")
    parser.add_argument("--pix2pix", default="pix2pix-emoji-line-to-color")
    parser.add_argument("--strengths", type=float, nargs="+", default=[0.5, 0.7, 0.9])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--guidance", type=float, default=5.0)
    parser.add_argument("--count", type=int, default=100, help="held-out pairs, evenly spread")
    parser.add_argument("--write-card", action="store_true")
    args = parser.parse_args()

    size = image_size(args.model)
    pairs = load_pairs(LINE_ART, COLOUR, "test", size, exclude=LEFT_OUT)
    chosen = torch.linspace(0, len(pairs.keys) - 1, min(args.count, len(pairs.keys))).long()
    inputs, targets = pairs.a[chosen].float() / 255, pairs.b[chosen].float() / 255
    keys = [pairs.keys[i] for i in chosen]
    captioned = load_captioned([COLOUR], "test", size, left_out=())
    caption_of = dict(zip(captioned.keys, (c[0] for c in captioned.captions), strict=True))

    rows = {"pix2pix (trained for the task)": pix2pix_outputs(args.pix2pix, inputs)}
    for strength in args.strengths:
        outputs = [
            image_to_image(
                args.model,
                to_pil(picture),
                caption_of[key],
                strength,
                steps=args.steps,
                guidance=args.guidance,
                seed=index,
            ).resize((size, size), Image.NEAREST)  # undo its display enlargement exactly
            for index, (picture, key) in enumerate(zip(inputs, keys, strict=True))
        ]
        pixels = np.stack([np.array(image.convert("RGB")) for image in outputs])
        rows[f"SDEdit, strength {strength:g}"] = torch.from_numpy(pixels).permute(0, 3, 1, 2) / 255
    report_measurement(
        markdown(rows, targets, inputs),
        "python benchmarks/sdedit.py --write-card",
        note=f"{len(keys)} held-out OpenMoji line art -> colour pairs; SDEdit with {args.steps} "
        f"steps at guidance {args.guidance:g}, told each emoji's colour caption.",
        write=args.write_card,
        folder=BUNDLED[args.model].folder,
        section=SDEDIT_SECTION,
        task="text-to-image",
    )


def pix2pix_outputs(model: str, inputs: torch.Tensor) -> torch.Tensor:
    return translate_batches(load_model(model, family="pix2pix"), inputs).clamp(0, 1)


def markdown(rows: dict, targets, inputs) -> str:
    lines = [
        "| way | L1 (lower) | PSNR dB (higher) | SSIM (higher) | Fréchet distance (lower) |",
        "|---|---|---|---|---|",
    ]
    identity = None
    for name, outputs in rows.items():
        metrics = {m.key: m for m in evaluate_translation(outputs, targets, inputs)}
        identity = identity or metrics
        lines.append(f"| {name} | " + " | ".join(_cells(metrics)) + " |")
    lines.append("| the line art itself (identity) | " + " | ".join(_cells(identity, True)) + " |")
    return "\n".join(lines)


def _cells(metrics: dict[str, Metric], reference: bool = False) -> list[str]:
    keys = [key for key in metrics if key in ("l1", "psnr", "ssim")]
    keys += [key for key in metrics if key not in keys]
    return [
        f"{(m.reference if reference else m.value):.4g}"
        for m in (metrics[key] for key in keys)
        if not reference or m.reference is not None
    ]


if __name__ == "__main__":
    main()
