"""The DCGAN tab's actions, as the bench times them."""

from __future__ import annotations

from collections.abc import Callable

from genzoo.pipelines import gan

CACHES = ()


def actions(model: str) -> dict[str, Callable[[], object]]:
    return {
        "load (cold)": lambda: gan.generator(model),
        "sample 16": lambda: gan.sample(model, 16, 0),
        "sample 64": lambda: gan.sample(model, 64, 0),
        "interpolate (8 steps, strip + GIF)": lambda: gan.interpolate(model, 0, 1, 8),
        "arithmetic a - b + c": lambda: gan.arithmetic(model, 0, 1, 2, 3),
    }
