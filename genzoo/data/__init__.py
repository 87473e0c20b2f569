"""Datasets: offline sources, built into `datasets` image folders, loaded back as tensors."""

from genzoo.data.imagefolder import (
    SOURCES,
    ImageTensors,
    PairedImages,
    build,
    load_pairs,
    load_split,
    publish_dataset,
    write_imagefolder,
)
from genzoo.data.sources import RawDataset

__all__ = [
    "SOURCES",
    "ImageTensors",
    "PairedImages",
    "RawDataset",
    "build",
    "load_pairs",
    "load_split",
    "publish_dataset",
    "write_imagefolder",
]
