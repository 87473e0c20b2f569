"""The image boxes visitors upload to and draw on: uploads checked and bounded before any
handler sees them, pens and brushes, and the page scripts that put the pen in hand and refuse a
bad file in the browser, where Gradio's own checks do not reach."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from genzoo.images import MAX_SIDE, MAX_UPLOAD_BYTES, NOT_AN_IMAGE, TOO_BIG_FILE, too_large_message
from words.text_to_image import MASK_INKS


class _CheckedUploads:
    """Uploads that cannot be decoded (sent through the API: the browser's editors take only
    images) get the same clear message as every other upload, where Gradio, which decodes them
    before any handler runs, would answer with a bare error."""

    def get_block_name(self) -> str:
        return "imageeditor"  # the stock frontend that draws both editors

    get_block_class = get_block_name

    def preprocess(self, payload):
        try:
            return _bounded_layers(super().preprocess(payload))
        except Image.DecompressionBombError:
            raise gr.Error(too_large_message(), print_exception=False) from None
        except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise gr.Error(NOT_AN_IMAGE, print_exception=False) from None


def _bounded_layers(value):
    """An editor's value (background, layers and composite, as arrays) scaled down together to
    at most `MAX_SIDE` on a side, so that what was painted stays over what it was painted on.
    The browser's editors fit uploads into their canvas already; an API client's may be any size."""
    if not isinstance(value, dict):
        return value
    pictures = [value.get("background"), value.get("composite"), *(value.get("layers") or [])]
    sizes = [p.shape[:2] for p in pictures if isinstance(p, np.ndarray) and p.ndim >= 2]
    if not sizes or max(max(size) for size in sizes) <= MAX_SIDE:
        return value
    height, width = sizes[0]
    scale = MAX_SIDE / max(height, width)
    fitted = (max(1, round(width * scale)), max(1, round(height * scale)))

    def scaled(picture):
        if not isinstance(picture, np.ndarray) or picture.ndim < 2:
            return picture
        return np.asarray(Image.fromarray(picture).resize(fitted, Image.Resampling.LANCZOS))

    return {
        **value,
        "background": scaled(value.get("background")),
        "composite": scaled(value.get("composite")),
        "layers": [scaled(layer) for layer in value.get("layers") or []],
    }


class CheckedImageEditor(_CheckedUploads, gr.ImageEditor):
    """An ImageEditor whose undecodable uploads get the clear message."""


class CheckedSketchpad(_CheckedUploads, gr.Sketchpad):
    """A Sketchpad whose undecodable uploads get the clear message."""


def sketchpad(label: str, pen_width: int, **options) -> CheckedSketchpad:
    """A pad to draw on in black, `pen_width` canvas pixels wide, the pen in hand from the start
    (`BRUSH_IN_HAND`); `options` are the Sketchpad's."""
    return CheckedSketchpad(
        label=label, brush=pen(pen_width), elem_classes=[SKETCHPAD_CLASS], **options
    )


SKETCHPAD_CLASS = "genzoo-sketchpad"
BRUSH_IN_HAND = f"""() => {{
  const choose = () => document
    .querySelectorAll('.{SKETCHPAD_CLASS} button[aria-label="Brush"]:not([data-in-hand])')
    .forEach((brush) => {{ brush.dataset.inHand = "1"; brush.click(); }});
  new MutationObserver(choose).observe(document.body, {{ childList: true, subtree: true }});
  choose();
}}"""
"""Run as each page loads: Gradio's sketch pads open with no tool chosen (a first stroke selects
the page's text instead of drawing), and offer no setting for it, so the page picks each pad's
brush as the pad appears."""

REFUSED = "genzoo-refused"
UPLOAD_GUARD = f"""() => {{
  const refuse = (block, why) => {{
    block.querySelectorAll('.{REFUSED}').forEach((note) => note.remove());
    if (!why) return;
    const note = document.createElement('p');
    note.className = '{REFUSED}';
    note.setAttribute('role', 'alert');
    note.textContent = why;
    block.prepend(note);
  }};
  const check = (event, files) => {{
    const block = event.target.closest && event.target.closest('.block');
    const input = block && block.querySelector('input[type=file][accept^="image"]');
    if (!input || !files || !files.length) return;
    const file = files[0];
    const why = !file.type.startsWith('image/') ? {json.dumps(NOT_AN_IMAGE)}
      : file.size > {MAX_UPLOAD_BYTES} ? {json.dumps(TOO_BIG_FILE)} : '';
    refuse(block, why);
    if (!why) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.type === 'change') event.target.value = '';
  }};
  const picked = (e) => e.target.type === 'file' && check(e, e.target.files);
  document.addEventListener('change', picked, true);
  document.addEventListener('drop', (e) => check(e, e.dataTransfer && e.dataTransfer.files), true);
}}"""
"""Run as each page loads: every image box refuses, with one clear message in the box, a file
that is no image or is over the size limit, before it is read. The image editors read a file in
the browser, where neither Gradio's file-size limit nor its file-type check applies, and would
take any file, or silently ignore one that is no image."""


def pen(width: int) -> gr.Brush:
    """A black pen `width` canvas pixels wide, the only colour: what the models read as ink."""
    return gr.Brush(default_size=width, colors=["#000000"], color_mode="fixed")


MASK_BRUSH = gr.Brush(default_size=16, colors=list(MASK_INKS.values()), color_mode="defaults")
"""See-through, so that the picture shows under the mask painted on it; a second colour, and
any other, to pick where the first does not show."""
EDITOR_CANVAS = dict(canvas_size=(256, 256), fixed_canvas=True, height=320)
"""An image editor's canvas: an upload is fitted into the square (as the pipelines fit it) and
the square shown whole at about 100% zoom. Gradio's default canvas (800 px, resized to each
upload) opens at 30% in a box of this height, and at a few percent for a large photo."""


# Gradio writes a stub (`editors.pyi`) for every component subclass above, as it defines it, and
# never updates it; editors would read that stale stub in place of this file.
Path(__file__).with_suffix(".pyi").unlink(missing_ok=True)
