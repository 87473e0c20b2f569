"""Captioned emoji: the images and words the text-to-image model learns from.

Every image gets one caption per template in `TEMPLATES`, filled from its metadata (name, CLDR
keywords, style), so that a model trained on them learns words rather than whole strings:
"a flat icon of a red apple", "a red apple, Twemoji", "red apple", "a red apple: fruit, red".
Training draws one at random each time; measuring uses the first. The split is by emoji, so the
test split's emoji are never seen in training, in any style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from genzoo.data.emoji import STYLES
from genzoo.data.imagefolder import load_split

COLOUR_STYLES = (
    "data/emoji-google",
    "data/emoji-twitter",
    "data/emoji-fluent-flat",
    "data/emoji-fluent-modern",
    "data/emoji-openmoji-color",
)
# Flags are mostly near-identical rectangles named after countries; components are skin-tone
# swatches and hair styles. Neither says much a picture can show.
LEFT_OUT = ("Flags", "Component")
TEMPLATES = (
    "{a_style} of {a_name}",
    "{a_name}, {style}",
    "{name}",
    "{a_name}: {keywords}",
    "{name}, {keywords}, {style}",
)
KEYWORDS_PER_CAPTION = 3


def licence(sources: Sequence[str | Path]) -> tuple[str, list[str]]:
    """The licence a model trained on these emoji styles takes (share-alike wins), and the
    attribution notes their licences require."""
    looks = [STYLES[Path(source).name.removeprefix("emoji-")] for source in sources]
    licences = sorted({look.license for look in looks})
    chosen = next((x for x in ("cc-by-sa-4.0", "cc-by-4.0") if x in licences), licences[0])
    notes = list(dict.fromkeys(note for look in looks for note in look.notes))
    return chosen, notes


def with_article(phrase: str) -> str:
    """ "a red apple", "an OK hand": good enough for emoji names."""
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def captions(row: dict) -> list[str]:
    """The captions of one image, one per template, from its metadata row."""
    name, style = row["name"], row["style_caption"]
    keywords = [k for k in row.get("keywords", []) if k.lower() not in name.lower()]
    fields = {
        "name": name,
        "a_name": with_article(name),
        "style": style,
        "a_style": with_article(style),
        "keywords": ", ".join(keywords[:KEYWORDS_PER_CAPTION]) or name,
    }
    return [template.format(**fields) for template in TEMPLATES]


@dataclass
class CaptionedImages:
    """Images (uint8, N x 3 x H x W) with every caption of each, its emoji key and its style."""

    images: torch.Tensor
    captions: list[list[str]]
    keys: list[str]
    styles: list[str]

    def __len__(self) -> int:
        return len(self.images)

    def floats(self) -> torch.Tensor:
        return self.images.float() / 255.0


def load_captioned(
    sources: Sequence[str | Path] = COLOUR_STYLES,
    split: str = "train",
    image_size: int = 64,
    *,
    left_out: Sequence[str] = LEFT_OUT,
    limit: int | None = None,
) -> CaptionedImages:
    """One split of several emoji styles together, without the categories in `left_out`;
    `limit` keeps the first N images of each style."""
    images, all_captions, keys, styles = [], [], [], []
    for source in sources:
        part = load_split(source, split, image_size, 3, limit)
        if not part.rows or "style_caption" not in part.rows[0]:
            raise ValueError(f"{source} has no emoji metadata to caption (name, style_caption).")
        kept = [i for i, row in enumerate(part.rows) if row["category"] not in left_out]
        images.append(part.images[kept])
        for i in kept:
            row = part.rows[i]
            all_captions.append(captions(row))
            keys.append(row["key"])
            styles.append(row["style"])
    return CaptionedImages(torch.cat(images), all_captions, keys, styles)


def load_captioned_splits(
    sources: Sequence[str | Path], image_size: int, train_limit: int = 0, test_limit: int = 0
) -> tuple[CaptionedImages, CaptionedImages]:
    """The train and test splits, as the training scripts take them (a limit of 0: all)."""
    return tuple(
        load_captioned(sources, split, image_size, limit=limit or None)
        for split, limit in (("train", train_limit), ("test", test_limit))
    )
