"""The held-out line art that image to image offers as examples: pix2pix's test pairs' line-art
side, each with its own colour caption to put in the prompt."""

from __future__ import annotations

from PIL import Image

from genzoo.data.captions import captions
from genzoo.data.emoji import STYLES, catalogue
from genzoo.images import check_int
from genzoo.pipelines import translation
from genzoo.settings import EXAMPLE

SKETCHES = "pix2pix-emoji-line-to-color"
"""The bundled model whose held-out line art are image to image's examples (pix2pix's task)."""
SKETCH_LOOK = STYLES["openmoji-color"]
"""The emoji style of the examples' colour side, which their captions name."""


def sketch_example(index: int) -> Image.Image:
    """Held-out line-art example number `index` (see `SKETCHES`)."""
    return translation.example_image(SKETCHES, index, "a")


def sketch_gallery() -> list[Image.Image]:
    return translation.example_gallery(SKETCHES, "a")


def sketch_caption(index: int) -> str:
    """Held-out line-art example `index`'s own colour caption, the one the SDEdit benchmark
    tells it (`benchmarks/sdedit.py`: its colour emoji's first caption, "an OpenMoji colour emoji
    of a deciduous tree"), to prefill the prompt; "" where the emoji catalogue is not installed
    (`make system-deps`)."""
    shipped = translation.examples(SKETCHES)
    key = shipped.keys[check_int(EXAMPLE.label, index, 0, len(shipped.keys) - 1)]
    try:
        emoji = catalogue()[key]
    except FileNotFoundError:
        return ""
    row = {"name": emoji.name, "keywords": emoji.keywords, "style_caption": SKETCH_LOOK.caption}
    return captions(row)[0]
