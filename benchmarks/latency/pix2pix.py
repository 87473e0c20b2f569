"""The pix2pix tab's actions, as the bench times them."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.latency import png_of
from genzoo.pipelines import translation

CACHES = (translation.examples,)


def upload_of(model: str, side: str) -> bytes:
    """A held-out example of one side as a 512 px PNG upload, larger than the model's input."""
    return png_of(translation.example_image(model, 0, side).resize((512, 512)))


def actions(model: str) -> dict[str, Callable[[], object]]:
    upload = upload_of(model, "a")
    return {
        "load (cold)": lambda: translation.examples(model) and translation.pix2pix(model, upload),
        "translate (512 px PNG upload)": lambda: translation.pix2pix(model, upload),
    }
