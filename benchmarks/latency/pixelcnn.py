"""The PixelCNN tab's actions, as the bench times them."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.latency import png_of
from genzoo.pipelines import pixelcnn

CACHES = (pixelcnn.examples,)


def actions(model: str) -> dict[str, Callable[[], object]]:
    upload = png_of(pixelcnn.example_image(model, 0).resize((256, 256)))
    hide, count = pixelcnn.HIDE.default, pixelcnn.COMPLETIONS.default
    return {
        "load (cold)": lambda: (pixelcnn.pixelcnn(model), pixelcnn.examples(model)),
        "sample 1 (28x28, pixel by pixel)": lambda: pixelcnn.sample(model, 1, 0),
        f"complete an example, {hide:g} hidden, {count} completions": (
            lambda: pixelcnn.complete_example(model, 0, hide, count, 0)
        ),
        "surprise map (256 px PNG upload)": lambda: pixelcnn.surprise(model, upload),
    }
