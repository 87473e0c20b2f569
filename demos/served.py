"""Image outputs that many visitors can fetch at once: every result is written to a file of its
own in Gradio's cache, which Gradio serves as it is and deletes once `SERVED_LIFETIME_S` old."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import gradio as gr
import numpy as np
from gradio.processing_utils import encode_pil_to_bytes
from gradio.utils import get_upload_folder
from PIL import Image

from genzoo import provenance

SERVED_LIFETIME_S = 1800  # how long a result's file stays fetchable (Gradio's `delete_cache`)


def served_file(data: bytes, suffix: str) -> str:
    """A result as a file of its own in Gradio's cache, for Gradio to serve as it is.

    Gradio names the files it makes by their bytes and rewrites them in place, so users who get
    identical results (the defaults, say) can fetch a file while another request rewrites it. This
    file has a fresh name no other request produces, and appears only once written in full."""
    folder = Path(get_upload_folder()) / "genzoo"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".", suffix=suffix, delete=False) as part:
        part.write(data)
    final = folder / f"{uuid.uuid4().hex}{suffix}"
    os.replace(part.name, final)
    return str(final)


def _served(image, format: str):
    """A picture (PIL or uint8 array) as a `served_file`; a path as it is. A picture that says
    what made it is served as PNG, which carries that (`genzoo.provenance`)."""
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    if isinstance(image, Image.Image):
        format = "png" if provenance.FACTS in image.info else format
        return served_file(encode_pil_to_bytes(image, format), f".{format}")
    return image


class ServedImage(gr.Image):
    """An image output whose every result is a `served_file`."""

    is_template = True  # drawn by the stock image frontend

    def postprocess(self, value):
        return super().postprocess(_served(value, self.format))


class ServedGallery(gr.Gallery):
    """A gallery whose every picture is a `served_file`; items may be (picture, caption). Given
    `elem_classes=[WHOLE_GALLERY]` (`demos.common`), it is as tall as its pictures."""

    is_template = True  # drawn by the stock gallery frontend

    def postprocess(self, value):
        if isinstance(value, list | tuple):
            value = [
                (_served(item[0], self.format), item[1])
                if isinstance(item, tuple | list)
                else _served(item, self.format)
                for item in value
            ]
        return super().postprocess(value)


# Gradio writes a stub (`served.pyi`) for every component subclass above, as it defines it, and
# never updates it; editors would read that stale stub in place of this file.
Path(__file__).with_suffix(".pyi").unlink(missing_ok=True)
