"""The likelihood lab's actions, as the bench times them: once, over every model it compares."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.latency import png_of
from genzoo.pipelines import likelihood

CACHES = (likelihood.examples,)


def actions() -> dict[str, Callable[[], object]]:
    dataset = likelihood.DATASET.default
    upload = png_of(likelihood.example_image(dataset, 0).resize((256, 256)))
    report = likelihood.likelihood_example(dataset, 0)
    return {
        "load examples (cold)": lambda: likelihood.examples(dataset),
        "table of a test image": lambda: likelihood.likelihood_example(dataset, 0),
        "table of a 256 px PNG upload": lambda: likelihood.likelihood_of(upload),
        "out-of-distribution chart, marked": lambda: likelihood.out_of_distribution(report),
    }
