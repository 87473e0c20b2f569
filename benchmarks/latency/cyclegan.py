"""The CycleGAN tab's actions, as the bench times them."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.latency.pix2pix import upload_of
from genzoo.pipelines import translation

CACHES = (translation.examples,)


def actions(model: str) -> dict[str, Callable[[], object]]:
    upload_a, upload_b = upload_of(model, "a"), upload_of(model, "b")
    return {
        "load (cold)": lambda: translation.examples(model) and translation.domain_names(model),
        "A→B and back (512 px PNG upload)": lambda: translation.cyclegan(model, upload_a, "A→B"),
        "B→A and back (512 px PNG upload)": lambda: translation.cyclegan(model, upload_b, "B→A"),
    }
