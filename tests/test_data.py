"""Dataset builders from the offline sources, and loading folders back as tensors."""

import json

import pytest
import torch
from huggingface_hub import DatasetCard

from genzoo.data import build, load_pairs, load_split
from genzoo.data.emoji import CATEGORIES, catalogue, emoji_key, is_base, split_of
from genzoo.data.emoji_dataset import EMOJI_SOURCES, emoji_dataset
from genzoo.data.sources import fashion_mnist, mnist

pytestmark = pytest.mark.slow  # reads the datasets that scripts/install-system-deps.sh installs


def _rows(folder, split):
    return [
        json.loads(line) for line in (folder / split / "metadata.jsonl").read_text().splitlines()
    ]


def test_mnist_source_has_disjoint_mixed_splits():
    raw = mnist()
    train, test = raw.splits["train"], raw.splits["test"]
    assert len(train[0]) + len(test[0]) == 10_000
    assert train[0].shape[1:] == (28, 28) and train[0].dtype.name == "uint8"
    assert sorted(set(test[1].tolist())) == list(range(10))
    assert len(set(test[1][:20].tolist())) > 3  # classes are mixed, not sorted
    train_rows = {row.tobytes() for row in train[0]}
    assert sum(row.tobytes() in train_rows for row in test[0]) < 5  # near-duplicates only


def test_fashion_mnist_source_is_the_full_set():
    raw = fashion_mnist()
    assert raw.splits["train"][0].shape == (60_000, 28, 28)
    assert raw.splits["test"][0].shape == (10_000, 28, 28)
    assert raw.class_names[9] == "Ankle boot"


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_built_folder_loads_with_labels_and_card(name, tmp_path):
    folder = build(name, tmp_path / name, limit=20)
    card = DatasetCard.load(folder / "README.md")
    assert card.data.license == "mit"
    assert "Source" in card.text and "Licence" in card.text
    rows = _rows(folder, "test")
    assert len(rows) == 20
    split = load_split(folder, "test", image_size=28, channels=1)
    assert split.images.shape == (20, 1, 28, 28) and split.images.dtype == torch.uint8
    assert split.labels.tolist() == [row["label"] for row in rows]
    assert len(set(split.labels.tolist())) > 3  # labels come from metadata, not folder names
    assert len(split.class_names) == 10
    assert split.floats().min() >= 0.0 and split.floats().max() <= 1.0


def test_load_resizes_and_converts(tmp_path):
    folder = build("mnist", tmp_path / "mnist", limit=4)
    split = load_split(folder, "train", image_size=16, channels=3, limit=3)
    assert split.images.shape == (3, 3, 16, 16)


def test_unknown_dataset():
    with pytest.raises(ValueError, match="Unknown dataset"):
        build("imagenet", "/tmp/nowhere")


EMOJI_STYLES = [name.removeprefix("emoji-") for name in EMOJI_SOURCES]
EMOJI_COLUMNS = {"key", "emoji", "name", "category", "keywords", "style", "style_caption"}


@pytest.fixture(scope="module")
def emoji_folders(tmp_path_factory):
    """Every emoji style, 30 per split."""
    root = tmp_path_factory.mktemp("emoji")
    return {style: build(f"emoji-{style}", root / style, limit=30) for style in EMOJI_STYLES}


def test_emoji_keys_and_split():
    assert emoji_key("1F468-200D-1F4BB") == "1f468-200d-1f4bb"
    assert emoji_key("2764-FE0F") == "2764"
    assert split_of("1f600") == "train" and split_of("0023-20e3") == "test"
    emoji = catalogue()
    assert emoji["1f600"].name == "grinning face" and "grin" in emoji["1f600"].keywords
    assert emoji["1f468-200d-1f4bb"].category == "People & Body"
    assert all(map(is_base, emoji)) and len(emoji) > 1900  # base emoji only, no skin tones
    assert 0.12 < sum(split_of(key) == "test" for key in emoji) / len(emoji) < 0.18


@pytest.mark.parametrize("style", EMOJI_STYLES)
def test_emoji_style_builds_and_loads(style, emoji_folders):
    folder = emoji_folders[style]
    rows = _rows(folder, "test")
    assert len(rows) == 30 and rows[0].keys() >= EMOJI_COLUMNS
    assert [row["key"] for row in rows] == sorted(row["key"] for row in rows)
    assert {row["style"] for row in rows} == {style}
    assert all(split_of(row["key"]) == "test" for row in rows)  # the limit comes after the split
    split = load_split(folder, "test", image_size=64, channels=3)
    assert split.images.shape == (30, 3, 64, 64) and split.images.dtype == torch.uint8
    assert split.keys == [row["key"] for row in rows]
    assert split.class_names == CATEGORIES
    assert [split.class_names[label] for label in split.labels] == [r["category"] for r in rows]
    corners = split.images[:, :, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert (corners > 240).float().mean() > 0.9  # composited on white


def test_a_split_narrowed_to_some_categories(emoji_folders):
    split = load_split(emoji_folders["google"], "test", image_size=16, channels=3)
    category = CATEGORIES[split.labels[0]]  # the first 30 by key: keycaps, symbols, ...
    narrowed = split.only([category])
    wanted = [i for i, label in enumerate(split.labels) if CATEGORIES[label] == category]
    assert 0 < len(narrowed.images) == len(wanted) < len(split.images)
    assert torch.equal(narrowed.images, split.images[wanted])
    assert narrowed.keys == [split.keys[i] for i in wanted]
    assert split.only([]) is split
    with pytest.raises(ValueError, match="No class"):
        split.only(["Smileys"])


def test_emoji_split_is_by_key_and_shared_by_styles():
    splits = {
        style: {split: {row["key"] for row in rows} for split, rows in raw.metadata.items()}
        for style, raw in (
            ("flat", emoji_dataset("fluent-flat")),
            ("google", emoji_dataset("google")),
        )
    }
    for keys in splits.values():
        assert keys["train"] and keys["test"] and not keys["train"] & keys["test"]
    flat, google = splits["flat"], splits["google"]
    assert not flat["train"] & google["test"] and not flat["test"] & google["train"]
    assert len(flat["test"] & google["test"]) > 0.9 * len(flat["test"])


def test_emoji_render_to_any_size(tmp_path):
    folder = build("emoji-fluent-modern", tmp_path / "big", limit=2, size=96)
    assert load_split(folder, "train", image_size=96, channels=3).images.shape == (2, 3, 96, 96)


@pytest.mark.parametrize(
    ("style", "license", "attribution"),
    [
        ("twitter", "cc-by-4.0", "Twemoji graphics by Twitter, Inc and other contributors"),
        ("openmoji-color", "cc-by-sa-4.0", "All emojis designed by OpenMoji"),
        ("openmoji-line", "cc-by-sa-4.0", "License: CC BY-SA 4.0"),
    ],
)
def test_emoji_cards_carry_attribution(style, license, attribution, emoji_folders):
    card = DatasetCard.load(emoji_folders[style] / "README.md")
    assert card.data.license == license
    assert attribution in card.text and "CLDR" in card.text
    if style.startswith("openmoji"):
        assert "Share-alike" in card.text


def test_load_pairs_joins_on_key(emoji_folders):
    line, color = emoji_folders["openmoji-line"], emoji_folders["openmoji-color"]
    pairs = load_pairs(line, color, "test", image_size=64)
    line_keys, color_keys = ({row["key"] for row in _rows(f, "test")} for f in (line, color))
    common = line_keys & color_keys
    assert pairs.keys == sorted(common) and len(common) >= 28  # 1f195 has no line art
    assert pairs.a.shape == pairs.b.shape == (len(common), 3, 64, 64)
    assert not torch.equal(pairs.a, pairs.b)
    colourfulness = [(x.max(1).values - x.min(1).values).float().mean() for x in (pairs.a, pairs.b)]
    assert colourfulness[0] < 2 < colourfulness[1]  # the line art is black on white
    assert (pairs.a.float().mean((1, 2, 3)) > 128).all()  # mostly white
    limited = load_pairs(line, color, "test", image_size=32, limit=5)
    assert limited.keys == pairs.keys[:5] and limited.a.shape == (5, 3, 32, 32)


def test_load_pairs_leaves_out_excluded_categories(emoji_folders):
    line, color = emoji_folders["openmoji-line"], emoji_folders["openmoji-color"]
    every = load_pairs(line, color, "test", image_size=16)
    category = {row["key"]: row["category"] for row in _rows(line, "test")}
    present = sorted({category[key] for key in every.keys})
    left_out = present[:1]
    kept = load_pairs(line, color, "test", image_size=16, exclude=left_out)
    assert kept.keys == [key for key in every.keys if category[key] not in left_out]
    assert 0 < len(kept.keys) < len(every.keys) and len(kept.a) == len(kept.keys)
    with pytest.raises(ValueError, match="No class named"):
        load_pairs(line, color, "test", image_size=16, exclude=["Dragons"])
