"""The PixelCNN's model card: what `training/train_pixelcnn.py` writes of its network, its exact
likelihood on the test split, and its samples, with their Fréchet distance to test images."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genzoo.cards import CardFacts
from genzoo.evaluation import Metric
from genzoo.hub import EXAMPLES_FILE
from genzoo.model_cards import run_facts
from genzoo.models.pixelcnn import SOFTMAX

SAMPLES_FILE = "samples.png"


def pixelcnn_card(
    settings,
    command: str,
    *,
    parameters: int,
    metrics: Sequence[Metric],
    measured: int,
    shipped: int,
    cpu_seconds: float,
    sampling_seconds: float,
    compared: int,
) -> CardFacts:
    """The card of a PixelCNN of `parameters`, measured by `metrics` on `measured` test images
    (its samples' distance over `compared` samples against as many test images), that ships
    `shipped` of them, trained for `cpu_seconds` of CPU time; its samples took
    `sampling_seconds` each. `settings` are the training script's."""
    dataset_name = settings.dataset_name or Path(settings.dataset).name
    return CardFacts(
        **run_facts(settings, command),
        family="pixelcnn",
        summary=summary(settings, parameters, dataset_name, shipped),
        dataset_name=dataset_name,
        dataset_source=settings.dataset,
        datasets=[settings.dataset],
        dataset_license=settings.dataset_license,
        metrics=metrics,
        tags=["autoregressive"],
        images={f"Samples, drawn pixel by pixel (seed {settings.seed})": SAMPLES_FILE},
        notes=[
            f"CPU time of training: {cpu_seconds / 60:.1f} min (the main process's, every "
            "sitting counted).",
            "Bits per dimension are exact: -log2 p(x) of each 8-bit test image under the model, "
            f"over its pixels, averaged over {measured:,} test images; no bound, no "
            "dequantisation.",
            f"The Fréchet distance compares {compared:,} samples (seed {settings.seed} and on, "
            f"drawn in raster order) with {compared:,} test images; the floor is {compared:,} "
            "training images against the same test images.",
            f"Drawing the samples took {sampling_seconds:.2f} s an image, "
            f"{settings.grid_images} at a time on one thread, with the cached sampler (Fast "
            "PixelCNN++'s caches: the vertical stack once a row, the horizontal stack and the "
            "head once a pixel, at its column only).",
        ],
    )


def summary(settings, parameters: int, dataset_name: str, shipped: int) -> str:
    """The card's first paragraph: the network, its output head and its data."""
    head = (
        "a 256-way softmax"
        if settings.output == SOFTMAX
        else f"a mixture of {settings.mixture_components} discretised logistics (PixelCNN++)"
    )
    return (
        f"A Gated PixelCNN (van den Oord et al., 2016), {settings.layers} gated layers of "
        f"{settings.channels} channels with {settings.kernel_size}x{settings.kernel_size} "
        f"reach, no blind spot, and {head} for each pixel given the pixels before it: "
        f"{parameters:,} parameters, trained from scratch on {dataset_name}. Its likelihood is "
        f"exact. The folder also ships {EXAMPLES_FILE}: {shipped} held-out test images for "
        "the gallery."
    )
