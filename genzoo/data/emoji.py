"""Emoji in seven styles, as labelled images with names and keywords, for paired and captioned data.

Each style is a source `emoji-<style>` (see `STYLES`) read from an npm package: Noto and Twemoji
PNGs, Microsoft's Fluent flat, 3-D ("modern") and high-contrast SVGs, OpenMoji colour and line-art
SVGs. Every emoji has a key shared by all styles: its lowercase hex code points joined by "-",
without the FE0F variation selector ("1f600", "2764", "1f468-200d-1f4bb"). The key decides the
split, so a given emoji is in the same split in every style, and styles pair up by key.

Only base emoji are kept: no skin-tone variants, and none of OpenMoji's own extras (its private-use
"extras-openmoji" and its non-standard "extras-unicode" sequences). Names, categories and CLDR
keywords come from one catalogue, so they are the same in every style. `genzoo.data.emoji_dataset`
renders each style into a dataset.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from genzoo.data.sources import NPM_MODULES

# The Unicode emoji groups, in emoji-datasource's order: the class names of every style.
CATEGORIES = [
    "Smileys & Emotion",
    "People & Body",
    "Component",
    "Animals & Nature",
    "Food & Drink",
    "Travel & Places",
    "Activities",
    "Objects",
    "Symbols",
    "Flags",
]
SKIN_TONES = {"1f3fb", "1f3fc", "1f3fd", "1f3fe", "1f3ff"}
TEST_PERCENT = 15
CLDR_NOTE = (
    "Keywords: the English CLDR annotations (npm `cldr-annotations-full` 48.2.0, and OpenMoji's "
    "copy of the derived CLDR annotations for sequences), Unicode licence v3."
)


@dataclass(frozen=True)
class Emoji:
    """What all styles share about one emoji."""

    key: str
    emoji: str  # the fully qualified character sequence
    name: str  # lower-case English name, e.g. "grinning face"
    category: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Style:
    """One style: where its images are, what it looks like in words, and its licence."""

    caption: str  # a few words for the captions, e.g. "flat icon"
    find: Callable[[], dict[str, Path]]  # key -> image file (PNG or SVG)
    source: str
    license: str
    notes: tuple[str, ...] = ()


def emoji_key(code_points: str) -> str:
    """The canonical key of "1F468-200D-1F4BB" or "2764-FE0F": lower case, without FE0F."""
    return "-".join(p for p in code_points.lower().split("-") if p != "fe0f")


def split_of(key: str) -> str:
    """The split of an emoji, the same in every style: a hash of its key puts 15% in test."""
    bucket = int(hashlib.sha1(key.encode()).hexdigest(), 16) % 100
    return "test" if bucket < TEST_PERCENT else "train"


def is_base(key: str) -> bool:
    """True unless the emoji has a skin tone."""
    return not SKIN_TONES.intersection(key.split("-"))


def _read_json(package: str, path: str):
    file = NPM_MODULES / package / path
    if not file.exists():
        raise FileNotFoundError(
            f"{file} is missing. Install the npm package with `make system-deps` "
            f"(scripts/install-system-deps.sh)."
        )
    return json.loads(file.read_text())


def _emoji_datasource() -> list[dict]:
    return _read_json("emoji-datasource-google", "emoji.json")


def _openmoji() -> list[dict]:
    """OpenMoji's standard emoji: no extras of its own, no skin-tone variants."""
    return [
        entry
        for entry in _read_json("openmoji", "data/openmoji.json")
        if entry["group"] not in ("extras-openmoji", "extras-unicode")
        and is_base(emoji_key(entry["hexcode"]))
    ]


def _slug(text: str) -> str:
    """A name as a file name: "Rescue worker’s helmet" -> "rescue-workers-helmet"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text.replace("'", "")).strip("-")


def _characters(code_points: str) -> str:
    return "".join(chr(int(p, 16)) for p in code_points.split("-"))


@cache
def catalogue() -> dict[str, Emoji]:
    """Every base emoji by key: emoji-datasource's list, plus the newer ones OpenMoji draws."""
    cldr = _read_json("cldr-annotations-full", "annotations/en/annotations.json")
    cldr = cldr["annotations"]["annotations"]
    openmoji = {emoji_key(entry["hexcode"]): entry for entry in _openmoji()}
    group_names = {_slug(category): category for category in CATEGORIES}

    def describe(key: str, emoji: str, fallback_name: str, category: str) -> Emoji:
        annotation = cldr.get(emoji) or cldr.get(emoji.replace("\ufe0f", "")) or {}
        extra = openmoji.get(key, {})
        name = annotation.get("tts", [""])[0] or extra.get("annotation") or fallback_name
        keywords = annotation.get("default") or [
            tag for tag in extra.get("tags", "").split(", ") if tag
        ]
        return Emoji(key, emoji, name.lower(), category, tuple(keywords))

    emoji = {}
    for entry in _emoji_datasource():
        key = emoji_key(entry["unified"])
        if is_base(key):
            chars = _characters(entry["unified"])
            emoji[key] = describe(key, chars, entry["name"], entry["category"])
    for key, entry in openmoji.items():
        if key not in emoji:
            category = group_names[entry["group"]]
            emoji[key] = describe(key, entry["emoji"], entry["annotation"], category)
    return emoji


def _datasource_images(vendor: str) -> dict[str, Path]:
    """The 64 px PNGs of npm `emoji-datasource-<vendor>`, by key."""
    folder = NPM_MODULES / f"emoji-datasource-{vendor}" / "img" / vendor / "64"
    return {
        emoji_key(entry["unified"]): folder / entry["image"]
        for entry in _emoji_datasource()
        if entry[f"has_img_{vendor}"] and is_base(emoji_key(entry["unified"]))
    }


def _openmoji_images(variant: str) -> dict[str, Path]:
    """OpenMoji's SVGs by key: `variant` "color", or "black" for the line art."""
    folder = NPM_MODULES / "openmoji" / variant / "svg"
    return {
        emoji_key(entry["hexcode"]): folder / f"{entry['hexcode']}.svg" for entry in _openmoji()
    }


# npm `fluentui-emoji` names each SVG by the emoji's name in Microsoft's repository and carries no
# code points. Most names are today's CLDR names; these are older names or spellings.
FLUENT_NAMES = {
    "blackbird": "black bird",
    "eight-oclock": "eight o’clock",
    "eleven-oclock": "eleven o’clock",
    "five-oclock": "five o’clock",
    "four-oclock": "four o’clock",
    "hugging-face": "smiling face with open hands",
    "keycap-asterisk": "keycap: *",
    "keycap-hashtag": "keycap: #",
    "knocked-out-face": "face with crossed-out eyes",
    "man-blonde-hair": "man: blond hair",
    "man-deaf": "deaf man",
    "man-merpeople": "merman",
    "man-with-bunny-ears": "men with bunny ears",
    "man-wrestling": "men wrestling",
    "mens-room": "men’s room",
    "nine-oclock": "nine o’clock",
    "one-oclock": "one o’clock",
    "person-blonde-hair": "person: blond hair",
    "person-deaf": "deaf person",
    "person-elf": "elf",
    "person-fairy": "fairy",
    "person-genie": "genie",
    "person-mage": "mage",
    "person-merpeople": "merperson",
    "person-superhero": "superhero",
    "person-supervillain": "supervillain",
    "person-vampire": "vampire",
    "person-with-bunny-ears": "people with bunny ears",
    "person-wrestling": "people wrestling",
    "person-zombie": "zombie",
    "phoenix-bird": "phoenix",
    "pouting-face": "enraged face",
    "red-triangle": "red triangle pointed up",
    "rescue-workers-helmet": "rescue worker’s helmet",
    "seven-oclock": "seven o’clock",
    "six-oclock": "six o’clock",
    "stuffedbread": "stuffed flatbread",
    "stuffedbread-flat": "stuffed flatbread",
    "ten-oclock": "ten o’clock",
    "three-oclock": "three o’clock",
    "twelve-oclock": "twelve o’clock",
    "two-oclock": "two o’clock",
    "woman-blonde-hair": "woman: blond hair",
    "woman-deaf": "deaf woman",
    "woman-merpeople": "mermaid",
    "woman-with-bunny-ears": "women with bunny ears",
    "woman-wrestling": "women wrestling",
    "womans-boot": "woman’s boot",
    "womens-room": "women’s room",
}
FLUENT_TONES = ("-light", "-medium-light", "-medium", "-medium-dark", "-dark")


def _fluent_images(variant: str) -> dict[str, Path]:
    """Fluent UI Emoji SVGs by key, matched by name: "thumbs-up-default.svg" -> "1f44d".

    An emoji with skin tones comes as "<name>-default.svg" plus one file per tone; only the
    default is kept. A file whose name matches no emoji raises, so that none is lost unseen.
    """
    folder = NPM_MODULES / "fluentui-emoji" / "icons" / variant
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is missing. Install it with `make system-deps`.")
    by_name = {emoji.name: key for key, emoji in catalogue().items()}
    by_slug = {_slug(name): key for name, key in by_name.items()}
    stems = {path.stem: path for path in folder.glob("*.svg")}
    images, unknown = {}, []
    for stem, path in sorted(stems.items()):
        name = stem.removesuffix("-default")
        key = by_name.get(FLUENT_NAMES.get(name, ""), by_slug.get(name))
        if key in images:
            raise ValueError(f"{path} and {images[key]} are both taken for emoji {key}")
        if key is not None:
            images[key] = path
        elif not any(stem.removesuffix(tone) + "-default" in stems for tone in FLUENT_TONES):
            unknown.append(stem)
    if unknown:
        raise ValueError(f"Fluent emoji with no known name in {folder}: {unknown}")
    return images


FLUENT = (
    "Microsoft Fluent UI Emoji (github.com/microsoft/fluentui-emoji, MIT), {} SVGs from the npm "
    "package `fluentui-emoji` 1.3.0, rendered with CairoSVG; matched to code points by name."
)
OPENMOJI = (
    "OpenMoji (openmoji.org) 17.0, {} SVGs from the npm package `openmoji`, rendered with CairoSVG."
)
OPENMOJI_NOTES = (
    "Attribution: All emojis designed by OpenMoji – the open-source emoji and icon project. "
    "License: CC BY-SA 4.0",
    "Share-alike: these images are an adaptation of OpenMoji, so this dataset, and images "
    "adapted from it, must be shared under CC BY-SA 4.0 too.",
)

STYLES = {
    "google": Style(
        caption="Noto emoji",
        find=partial(_datasource_images, "google"),
        source="Google's Noto Color Emoji, the 64 px PNGs of the npm package "
        "`emoji-datasource-google` 16.0.0 (iamcal/emoji-data).",
        license="apache-2.0",
    ),
    "twitter": Style(
        caption="Twemoji",
        find=partial(_datasource_images, "twitter"),
        source="Twemoji, the 64 px PNGs of the npm package `emoji-datasource-twitter` 16.0.0 "
        "(iamcal/emoji-data).",
        license="cc-by-4.0",
        notes=(
            "Attribution: Twemoji graphics by Twitter, Inc and other contributors, "
            "licensed CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/).",
        ),
    ),
    "fluent-flat": Style(
        caption="flat icon",
        find=partial(_fluent_images, "flat"),
        source=FLUENT.format("flat"),
        license="mit",
    ),
    "fluent-modern": Style(
        caption="3-D emoji",
        find=partial(_fluent_images, "modern"),
        source=FLUENT.format("colour (3-D look, `icons/modern`)"),
        license="mit",
    ),
    "fluent-high-contrast": Style(
        caption="high-contrast icon",
        find=partial(_fluent_images, "high-contrast"),
        source=FLUENT.format("high-contrast"),
        license="mit",
    ),
    "openmoji-color": Style(
        caption="OpenMoji colour emoji",
        find=partial(_openmoji_images, "color"),
        source=OPENMOJI.format("colour"),
        license="cc-by-sa-4.0",
        notes=OPENMOJI_NOTES,
    ),
    "openmoji-line": Style(
        caption="line drawing",
        find=partial(_openmoji_images, "black"),
        source=OPENMOJI.format("black line-art"),
        license="cc-by-sa-4.0",
        notes=OPENMOJI_NOTES,
    ),
}
