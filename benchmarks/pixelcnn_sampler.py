"""PixelCNN sampling speed, printed as a markdown table: seconds an image for the naive sampler
(the whole network again for each pixel) and the cached one (`GatedPixelCNN.raster`), one image
a call and a batch, on 1 and 2 threads, and whether both drew the very same images.

    python -m benchmarks.pixelcnn_sampler [--runs 3] [--naive_runs 1] [--batch 16] [--model DIR]

The network is the preset's (`pixelcnn-fashion-mnist` in training/train_pixelcnn.py), randomly
initialised unless `--model` names a Hub folder: the time does not depend on the weights. Each
figure is the median over the runs, in wall seconds and in this process's CPU seconds (which a
busy machine inflates less), each divided by the images a call. The machine's load average is
printed before and after, as other processes slow the wall times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from genzoo.env import offline_defaults

offline_defaults()

import torch

from genzoo import training
from genzoo.models.pixelcnn import GatedPixelCNN
from genzoo.samplers.autoregressive import sample
from genzoo.system import describe_hardware
from training import train_pixelcnn

PRESET = "pixelcnn-fashion-mnist"


def preset_model(folder: str) -> GatedPixelCNN:
    """The Hub folder's PixelCNN, or the preset's network with seeded random weights."""
    if folder:
        return GatedPixelCNN.from_pretrained(folder).eval()
    settings = training.parse_settings(
        train_pixelcnn.Settings, train_pixelcnn.PRESETS, ["--preset", PRESET]
    )
    torch.manual_seed(0)
    return train_pixelcnn.build_model(settings).eval()


def timed_runs(model: GatedPixelCNN, count: int, runs: int, cache: bool):
    """The images of the first run, and the wall and CPU seconds an image of each run."""
    walls, cpus, first = [], [], None
    for run in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        images = sample(model, count=count, seed=run, cache=cache)
        walls.append((time.perf_counter() - wall) / count)
        cpus.append((time.process_time() - cpu) / count)
        first = images if first is None else first
    return first, walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the cached sampler")
    parser.add_argument("--naive_runs", type=int, default=1, help="runs of the naive sampler")
    parser.add_argument("--batch", type=int, default=16, help="images a call, beside one")
    parser.add_argument("--model", default="", help="a Hub folder (default: random weights)")
    args = parser.parse_args()
    model = preset_model(args.model)
    sample(model, count=1, seed=0)  # warm-up
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    rows = [
        "| sampler | threads | images a call | s an image (wall, median) | CPU s an image "
        "(median) | runs | same images as naive |",
        "|---|---|---|---|---|---|---|",
    ]
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for count in (1, args.batch):
            naive, *naive_times = timed_runs(model, count, args.naive_runs, cache=False)
            fast, *fast_times = timed_runs(model, count, args.runs, cache=True)
            same = "yes" if torch.equal(naive, fast) else "**no**"
            for name, (walls, cpus), match in (
                ("naive", naive_times, ""),
                ("cached", fast_times, same),
            ):
                rows.append(
                    f"| {name} | {threads} | {count} | {statistics.median(walls):.3f} | "
                    f"{statistics.median(cpus):.3f} | {len(walls)} | {match} |"
                )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("\n".join(rows))
    torch.set_num_threads(1)
    print(f"\n{describe_hardware()} (threads as in the table)")


if __name__ == "__main__":
    main()
