"""`datasets` image folders: writing a `RawDataset` out, loading any image dataset as tensors, and
publishing a folder as a Hub dataset.

A folder holds `<split>/<index>.png` with a `metadata.jsonl` of labels (and any extra columns, such
as an emoji's key, name and keywords) per split, and a README.md dataset card whose front matter
names the licence, the splits and the class names. Training takes either such a folder or a Hub
dataset id; both go through `datasets.load_dataset`. Folders with a `key` column pair up by key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import datasets
import numpy as np
import torch
from huggingface_hub import DatasetCard, HfApi
from PIL import Image

from genzoo.data.emoji_dataset import EMOJI_SOURCES
from genzoo.data.sources import RawDataset, fashion_mnist, mnist

SOURCES = {"fashion-mnist": fashion_mnist, "mnist": mnist, **EMOJI_SOURCES}


def write_imagefolder(raw: RawDataset, out_dir: str | Path, limit: int | None = None) -> Path:
    """Write `raw` as an image folder with a dataset card; `limit` keeps the first N per split."""
    out_dir = Path(out_dir)
    counts, columns = {}, {}
    for split, (images, labels) in raw.splits.items():
        split_dir = out_dir / split
        split_dir.mkdir(parents=True, exist_ok=True)
        rows = raw.metadata.get(split) or [{}] * len(labels)
        images, labels, rows = images[:limit], labels[:limit], rows[:limit]
        with open(split_dir / "metadata.jsonl", "w") as metadata:
            for index, (image, label, row) in enumerate(zip(images, labels, rows, strict=True)):
                name = f"{index:05d}.png"
                Image.fromarray(image).save(split_dir / name, compress_level=1)
                line = {"file_name": name, "label": int(label), **row}
                metadata.write(json.dumps(line, ensure_ascii=False) + "\n")
        counts[split] = len(images)
        columns.update(_metadata_features(rows))
    _write_card(raw, out_dir, counts, columns)
    return out_dir


def _metadata_features(rows: list[dict]) -> dict:
    """The `datasets` features of the extra metadata columns, for the card."""
    rows = [row for row in rows if row]
    return dict(datasets.Dataset.from_list(rows).features) if rows else {}


def _write_card(raw: RawDataset, out_dir: Path, counts: dict[str, int], columns: dict) -> None:
    names = {str(i): name for i, name in enumerate(raw.class_names)}
    features = datasets.Features(columns)._to_yaml_list()
    data = {
        "license": raw.license,
        "task_categories": ["image-classification", "unconditional-image-generation"],
        "pretty_name": raw.name,
        "dataset_info": {
            "features": [
                {"name": "image", "dtype": "image"},
                {"name": "label", "dtype": {"class_label": {"names": names}}},
                *features,
            ],
        },
    }
    rows = "\n".join(f"| {split} | {count:,} |" for split, count in counts.items())
    classes = ", ".join(raw.class_names)
    notes = "".join(f"- {note}\n" for note in raw.notes)
    body = f"""
# {raw.name}

Built by genzoo's `python -m genzoo.data build {raw.name}` from an offline source.

- **Source:** {raw.source}
- **Licence:** {raw.license.upper()}. Keep this card with the data.
- **Classes:** {classes}
- **Citation:** {raw.citation or "n/a"}
{notes}
| split | images |
|---|---|
{rows}
"""
    card = DatasetCard(f"---\n{_yaml(data)}---\n{body}")
    card.save(out_dir / "README.md")


def _yaml(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def build(name: str, out_dir: str | Path, limit: int | None = None, **options) -> Path:
    """Build the named offline dataset (see `SOURCES`) into `out_dir`.

    `options` go to the source, e.g. `size=128` for the emoji, which render to any size.
    """
    if name not in SOURCES:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {sorted(SOURCES)}.")
    return write_imagefolder(SOURCES[name](**options), out_dir, limit=limit)


@dataclass
class ImageTensors:
    """A split held in memory: uint8 images (N, C, H, W), labels (N,) and the class names.

    `keys` name each image where the folder has a `key` column (the emoji), else it is empty;
    `rows` hold each image's other metadata columns (name, keywords, style, ...), if any.
    """

    images: torch.Tensor
    labels: torch.Tensor
    class_names: list[str]
    keys: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)

    def floats(self) -> torch.Tensor:
        return self.images.float() / 255.0

    def only(self, class_names: list[str]) -> ImageTensors:
        """The images of the named classes (all of them for an empty list)."""
        if not class_names:
            return self
        unknown = set(class_names) - set(self.class_names)
        if unknown:
            raise ValueError(f"No class {sorted(unknown)}; the classes are {self.class_names}.")
        wanted = torch.tensor([self.class_names.index(name) for name in class_names])
        keep = torch.isin(self.labels, wanted).nonzero().flatten().tolist()
        return ImageTensors(
            self.images[keep],
            self.labels[keep],
            self.class_names,
            [self.keys[i] for i in keep] if self.keys else [],
            [self.rows[i] for i in keep] if self.rows else [],
        )


def load_split(
    source: str | Path, split: str, image_size: int, channels: int, limit: int | None = None
) -> ImageTensors:
    """Load one split of an image folder or a Hub dataset id, resized to `image_size` squares."""
    dataset = _load(source, split)
    if limit is not None:
        dataset = dataset.select(range(min(limit, len(dataset))))
    image_column = next(
        (name for name, f in dataset.features.items() if isinstance(f, datasets.Image)), None
    )
    if image_column is None:
        raise ValueError(f"{source} has no image column.")
    label_column = _label_column(dataset)
    mode = "L" if channels == 1 else "RGB"
    arrays = [
        np.asarray(_fit(image.convert(mode), image_size), dtype=np.uint8).reshape(
            image_size, image_size, channels
        )
        for image in dataset[image_column]
    ]
    images = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()
    if label_column is None:
        labels, class_names = torch.zeros(len(images), dtype=torch.long), []
    else:
        labels = torch.tensor(dataset[label_column], dtype=torch.long)
        feature = dataset.features[label_column]
        class_names = list(feature.names) if isinstance(feature, datasets.ClassLabel) else []
    keys = list(dataset["key"]) if "key" in dataset.column_names else []
    metadata = [c for c in dataset.column_names if c not in (image_column, label_column)]
    rows = dataset.select_columns(metadata).to_list() if metadata else []
    return ImageTensors(images, labels, class_names, keys, rows)


@dataclass
class PairedImages:
    """One item in two looks, e.g. an emoji in two styles: `a[i]` and `b[i]` show `keys[i]`."""

    a: torch.Tensor  # uint8 (N, C, H, W)
    b: torch.Tensor
    keys: list[str]


def load_pairs(
    source_a: str | Path,
    source_b: str | Path,
    split: str,
    image_size: int,
    channels: int = 3,
    limit: int | None = None,
    exclude: Sequence[str] = (),
) -> PairedImages:
    """The images of one split present in both sources, joined on their `key`, in key order,
    leaving out those whose class (in `a`) is named in `exclude`."""
    a = load_split(source_a, split, image_size, channels)
    b = load_split(source_b, split, image_size, channels)
    if not (a.keys and b.keys):
        raise ValueError(f"Pairing needs a `key` column in both {source_a} and {source_b}.")
    unknown = set(exclude) - set(a.class_names)
    if unknown:
        raise ValueError(f"No class named {sorted(unknown)} in {source_a}: {a.class_names}")
    excluded = {a.class_names.index(name) for name in exclude}
    kept = {
        key for key, label in zip(a.keys, a.labels.tolist(), strict=True) if label not in excluded
    }
    keys = sorted(kept & set(b.keys))[:limit]
    rows_a, rows_b = ({key: i for i, key in enumerate(s.keys)} for s in (a, b))
    return PairedImages(
        a.images[[rows_a[key] for key in keys]], b.images[[rows_b[key] for key in keys]], keys
    )


def _load(source: str | Path, split: str) -> datasets.Dataset:
    path = Path(source)
    if not path.is_dir():
        return datasets.load_dataset(str(source), split=split)
    dataset = datasets.load_dataset(str(path), split=split)
    # The card names the classes. Passing them as `features` to load_dataset would make
    # imagefolder take labels from directory names instead of metadata.jsonl, so cast afterwards.
    card_path = path / "README.md"
    info = (
        DatasetCard.load(card_path).data.to_dict().get("dataset_info", {})
        if card_path.exists()
        else {}
    )
    for name, feature in datasets.Features._from_yaml_list(info.get("features", [])).items():
        if isinstance(feature, datasets.ClassLabel) and name in dataset.features:
            dataset = dataset.cast_column(name, feature)
    return dataset


def publish_dataset(
    folder: str | Path, repo_id: str, *, private: bool = False, token: str | None = None
) -> str:
    """Push a built image folder to the Hub as the dataset `repo_id`; return the commit URL.
    Its card goes first, so that the licence and attribution stay with the data; then every
    split, as parquet, through `datasets`' `push_to_hub`, which adds the splits and features to
    that card. The token is never printed."""
    folder = Path(folder)
    api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    api.upload_file(
        path_or_fileobj=str(folder / "README.md"),
        path_in_repo="README.md",
        repo_id=repo_id,
        repo_type="dataset",
        commit_message="Dataset card",
    )
    splits = {
        path.name: _load(folder, path.name) for path in sorted(folder.iterdir()) if path.is_dir()
    }
    commit = datasets.DatasetDict(splits).push_to_hub(
        repo_id, private=private, token=token, commit_message="Upload dataset built with genzoo"
    )
    return commit.commit_url


def _label_column(dataset: datasets.Dataset) -> str | None:
    for name, feature in dataset.features.items():
        if isinstance(feature, datasets.ClassLabel):
            return name
    return next((n for n in ("label", "labels") if n in dataset.features), None)


def _fit(image: Image.Image, size: int) -> Image.Image:
    if image.size == (size, size):
        return image
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    return image.resize((size, size), Image.Resampling.LANCZOS)
