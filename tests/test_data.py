"""Dataset builders from the offline sources, and loading folders back as tensors."""

import json

import pytest
import torch
from huggingface_hub import DatasetCard

from genzoo.data import build, load_split
from genzoo.data.sources import fashion_mnist, mnist


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
    rows = [
        json.loads(line) for line in (folder / "test" / "metadata.jsonl").read_text().splitlines()
    ]
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
