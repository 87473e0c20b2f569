"""The CLIP tab's actions, as the bench times them."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.latency import png_of
from genzoo import hub
from genzoo.pipelines import clip

CACHES = (clip.examples,)


def actions(model: str) -> dict[str, Callable[[], object]]:
    upload = png_of(clip.example_image(model, 0).resize((512, 512)))
    captions = clip.example_captions(model, 0)
    return {
        "load (cold)": lambda: hub.load_model(model, family="clip"),
        "rank 6 captions (512 px PNG upload)": lambda: clip.rank_captions(model, upload, captions),
    }
