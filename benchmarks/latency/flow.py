"""The flow tab's actions, as the bench times them."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.latency import png_of
from genzoo.pipelines import flow

CACHES = (flow.examples,)


def actions(model: str) -> dict[str, Callable[[], object]]:
    upload = png_of(flow.example_image(model, 0).resize((256, 256)))
    first, second = flow.example_image(model, 0), flow.example_image(model, 1)
    return {
        "load (cold)": lambda: flow.glow(model),
        "sample 16 (T 0.7)": lambda: flow.sample(model, 0.7, 16, 0),
        "encode (256 px PNG upload)": lambda: flow.encode(model, upload),
        "interpolate (8 steps)": lambda: flow.interpolate(model, first, second, 8),
    }
