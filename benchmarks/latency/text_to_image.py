"""The text-to-image tab's actions, as the bench times them."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from benchmarks.latency import png_of
from genzoo import hub, provenance
from genzoo.pipelines import text_to_image

CACHES = ()


def actions(model: str) -> dict[str, Callable[[], object]]:
    prompt = "a red apple, flat icon"
    picture = text_to_image.text_to_image(model, prompt, 1)[0]
    mask = Image.new("L", picture.size, 0)
    mask.paste(
        255,
        (picture.width // 4, picture.height // 4, picture.width * 3 // 4, picture.height * 3 // 4),
    )
    upload = png_of(picture)
    stamped = provenance.png_bytes(picture)  # what a visitor drops on the tab to reuse
    return {
        "load (cold)": lambda: hub.load_pipeline(model),
        f"preview ({text_to_image.PREVIEW_STEPS} steps)": lambda: text_to_image.preview(
            model, prompt
        ),
        "1 image, 20 steps, guidance 5": lambda: text_to_image.text_to_image(model, prompt, 1),
        "1 image, 20 steps, guidance 5, a prompt it never learned (with its neighbour)": (
            lambda: text_to_image.text_to_image(model, "a lighthouse on a cliff at night", 1)
        ),
        "4 images, 20 steps, guidance 5": lambda: text_to_image.text_to_image(model, prompt, 4),
        "inpaint, 20 steps (PNG upload)": lambda: text_to_image.inpaint(
            model, upload, mask, prompt
        ),
        "trajectory, 20 steps": lambda: text_to_image.trajectory(model, prompt),
        "guidance sweep (5 scales)": lambda: text_to_image.guidance_sweep(model, prompt),
        "1 image, 20 steps, guidance 5 and CLIP guidance 3": lambda: text_to_image.text_to_image(
            model, prompt, 1, clip_guidance=3
        ),
        "CFG vs CLIP vs both (3 images, 20 steps)": lambda: text_to_image.guidance_comparison(
            model, prompt
        ),
        "image to image, SDEdit 0.8 of 20 steps (PNG upload)": lambda: text_to_image.image_to_image(
            model, upload, prompt
        ),
        "settings from a genzoo PNG": lambda: text_to_image.settings_from_png(stamped),
        "4 images, cancelled at the first step (worker free)": lambda: cancelled(model, prompt),
    }


class Cancelled(Exception):
    pass


def cancelled(model: str, prompt: str) -> None:
    """A job cancelled as the Cancel button does: its step callback raises at the next step."""

    def on_step(done: int, total: int) -> None:
        raise Cancelled

    try:
        text_to_image.text_to_image(model, prompt, 4, on_step=on_step)
    except Cancelled:
        return
    raise AssertionError("the job was not cancelled")
