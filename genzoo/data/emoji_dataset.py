"""The emoji styles as datasets: each style's image files rendered on white at one size (SVGs
with CairoSVG, on demand), split by key and labelled by category, with the notes of their
dataset card. What emoji there are, and where each style's files are, is `genzoo.data.emoji`'s.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from genzoo.data.emoji import CATEGORIES, CLDR_NOTE, STYLES, TEST_PERCENT, catalogue, split_of
from genzoo.data.sources import RawDataset

SVG_SHAPE = re.compile(r"<(path|circle|ellipse|rect|line|polyline|polygon|text|use|image)\b")


def draws_something(path: Path) -> bool:
    """False for an SVG with no shape in it (OpenMoji's line art of 1F195 "NEW" is empty)."""
    return path.suffix != ".svg" or SVG_SHAPE.search(path.read_text()) is not None


def render(path: Path, size: int) -> np.ndarray:
    """An emoji image file (PNG or SVG) as RGB (size, size, 3): fitted, centred, on white."""
    if path.suffix == ".svg":
        import cairosvg  # loads libcairo: only for the builds that need it

        png = cairosvg.svg2png(url=str(path), output_width=size, output_height=size)
        image = Image.open(io.BytesIO(png))
    else:
        image = Image.open(path)
    image = ImageOps.contain(image.convert("RGBA"), (size, size), Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (size, size), "white")
    canvas.alpha_composite(image, ((size - image.width) // 2, (size - image.height) // 2))
    return np.asarray(canvas.convert("RGB"))


class RenderedImages(Sequence):
    """Image files rendered on demand, so that a limited build renders only what it keeps."""

    def __init__(self, paths: list[Path], size: int):
        self.paths, self.size = paths, size

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return RenderedImages(self.paths[index], self.size)
        return render(self.paths[index], self.size)


def emoji_dataset(style: str, size: int = 64) -> RawDataset:
    """One style's base emoji as a `RawDataset`: split by key, sorted by key, labelled by
    category."""
    look = STYLES[style]
    emoji, files = catalogue(), look.find()
    empty = sorted(key for key, path in files.items() if not draws_something(path))
    files = {key: path for key, path in files.items() if key not in empty}
    splits, metadata = {}, {}
    for split in ("train", "test"):
        keys = sorted(key for key in files if split_of(key) == split)
        rows = [
            {
                "key": key,
                "emoji": emoji[key].emoji,
                "name": emoji[key].name,
                "category": emoji[key].category,
                "keywords": list(emoji[key].keywords),
                "style": style,
                "style_caption": look.caption,
            }
            for key in keys
        ]
        labels = np.array([CATEGORIES.index(row["category"]) for row in rows], dtype=np.int64)
        splits[split] = (RenderedImages([files[key] for key in keys], size), labels)
        metadata[split] = rows
    return RawDataset(
        name=f"emoji-{style}",
        splits=splits,
        class_names=CATEGORIES,
        license=look.license,
        source=look.source,
        notes=[
            *look.notes,
            CLDR_NOTE,
            "Base emoji only: no skin-tone variants, no non-standard extras"
            + (f"; left out as empty SVGs: {', '.join(empty)}." if empty else "."),
            f"Images: RGBA composited on white, fitted into {size} x {size} px, centred.",
            f"Split by emoji: test when int(sha1(key).hexdigest(), 16) % 100 < {TEST_PERCENT}, "
            "the same in every emoji style; `key` is the lower-case hex code points without "
            'FE0F, joined by "-".',
            "Labels: the emoji's Unicode category.",
        ],
        metadata=metadata,
    )


EMOJI_SOURCES = {f"emoji-{style}": partial(emoji_dataset, style) for style in STYLES}
