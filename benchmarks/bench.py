"""Median latency of every demo action on the bundled models, printed as a markdown table.

    python benchmarks/bench.py [--runs 21] [--threads N]

Each action is the same pipeline function a button calls. "load" is a cold load: the process
caches are cleared before each run, so it counts reading the safetensors and encoding the
shipped examples.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

from genzoo.env import offline_defaults

offline_defaults()

import torch
from PIL import Image

from genzoo import hub, provenance
from genzoo.catalogue import summaries
from genzoo.pipelines import clip, gan, text_to_image, translation, vae
from genzoo.registry import bundled
from genzoo.system import describe_hardware


def median_ms(
    action: Callable[[], object], runs: int, before: Callable[[], None] | None = None
) -> float:
    times = []
    for index in range(runs + 2):  # two warm-up runs
        if before:
            before()
        start = time.perf_counter()
        action()
        if index >= 2:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def png_of(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def clear_caches() -> None:
    hub.forget_loaded()
    vae.examples.cache_clear()
    vae.map_extent.cache_clear()
    translation.examples.cache_clear()
    clip.examples.cache_clear()


def vae_actions(model: str) -> dict[str, Callable[[], object]]:
    upload = png_of(vae.example_image(model, 0).resize((256, 256)))
    first, second = vae.example_image(model, 0), vae.example_image(model, 1)
    return {
        "load (cold)": lambda: vae.examples(model),
        "manifold 20x20": lambda: vae.manifold(model, 20, 3.0),
        "encode (256 px PNG upload)": lambda: vae.encode(model, upload),
        "decode": lambda: vae.decode(model, 0.5, -0.5),
        "sample 16": lambda: vae.sample(model, 16, 0),
        "interpolate (10 steps)": lambda: vae.interpolate(model, first, second, 10),
        "latent map": lambda: vae.latent_map(model, marker=(0.0, 0.0)),
    }


def dcgan_actions(model: str) -> dict[str, Callable[[], object]]:
    return {
        "load (cold)": lambda: gan.generator(model),
        "sample 16": lambda: gan.sample(model, 16, 0),
        "sample 64": lambda: gan.sample(model, 64, 0),
        "interpolate (8 steps, strip + GIF)": lambda: gan.interpolate(model, 0, 1, 8),
        "arithmetic a - b + c": lambda: gan.arithmetic(model, 0, 1, 2, 3),
    }


def upload_of(model: str, side: str) -> bytes:
    """A held-out example as a 512 px PNG upload, larger than the model's input."""
    return png_of(translation.example_image(model, 0, side).resize((512, 512)))


def pix2pix_actions(model: str) -> dict[str, Callable[[], object]]:
    upload = upload_of(model, "a")
    return {
        "load (cold)": lambda: translation.examples(model) and translation.pix2pix(model, upload),
        "translate (512 px PNG upload)": lambda: translation.pix2pix(model, upload),
    }


def cyclegan_actions(model: str) -> dict[str, Callable[[], object]]:
    upload_a, upload_b = upload_of(model, "a"), upload_of(model, "b")
    return {
        "load (cold)": lambda: translation.examples(model) and translation.domain_names(model),
        "A→B and back (512 px PNG upload)": lambda: translation.cyclegan(model, upload_a, "A→B"),
        "B→A and back (512 px PNG upload)": lambda: translation.cyclegan(model, upload_b, "B→A"),
    }


def text_to_image_actions(model: str) -> dict[str, Callable[[], object]]:
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


def clip_actions(model: str) -> dict[str, Callable[[], object]]:
    upload = png_of(clip.example_image(model, 0).resize((512, 512)))
    captions = clip.example_captions(model, 0)
    return {
        "load (cold)": lambda: hub.load_model(model, family="clip"),
        "rank 6 captions (512 px PNG upload)": lambda: clip.rank_captions(model, upload, captions),
    }


ACTIONS = {
    "vae": vae_actions,
    "dcgan": dcgan_actions,
    "pix2pix": pix2pix_actions,
    "cyclegan": cyclegan_actions,
    "text-to-image": text_to_image_actions,
    "clip": clip_actions,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument(
        "--family", action="append", choices=list(ACTIONS), help="only these (default: all)"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"Hardware: {describe_hardware()}")
    print(f"Median of {args.runs} runs after 2 warm-up runs, in milliseconds.\n")
    print("| model | action | median ms |")
    print("|---|---|---:|")
    for family, actions in ACTIONS.items():
        if args.family and family not in args.family:
            continue
        for entry in bundled(family):
            for name, action in actions(entry.name).items():
                before = clear_caches if name.startswith("load") else None
                milliseconds = median_ms(action, args.runs, before)
                print(f"| {entry.name} | {name} | {milliseconds:.1f} |", flush=True)
    if not args.family:
        milliseconds = median_ms(summaries, args.runs)
        print(f"| (all) | home: every model's card | {milliseconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
