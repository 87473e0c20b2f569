"""What the text-to-image buttons do, on a tiny pipeline written by the real training script:
seeded generation under every scheduler, the guidance sweep, the trajectory, inpainting that
keeps what is not masked, and clear messages for bad input."""

import io
import subprocess
import sys

import numpy as np
import pytest
import torch
from diffusers import StableDiffusionPipeline
from PIL import Image

from benchmarks.sampling_quality import INTERVALS
from genzoo.diffusion import schedulers
from genzoo.diffusion.guidance_interval import GuidanceInterval
from genzoo.hub import load_pipeline
from genzoo.images import (
    DISPLAY_SIZE,
    InvalidInputError,
    for_display,
    mask_from_editor,
    mask_from_strokes,
)
from genzoo.pipelines import text_to_image as t2i
from tests.helpers import REPO, colour_folders, pixels
from words import text_to_image as words


@pytest.fixture(scope="module")
def model(tiny_text_to_image) -> str:
    return str(tiny_text_to_image.out)


def test_a_seed_gives_the_same_images_and_another_seed_others(model):
    first = t2i.text_to_image(model, "a red apple", 2, steps=3, seed=7)
    again = t2i.text_to_image(model, "a red apple", 2, steps=3, seed=7)
    other = t2i.text_to_image(model, "a red apple", 2, steps=3, seed=8)
    assert len(first) == 2 and first[0].size == (DISPLAY_SIZE, DISPLAY_SIZE)
    assert all(np.array_equal(pixels(a), pixels(b)) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(pixels(first[0]), pixels(other[0]))
    assert not np.array_equal(pixels(first[0]), pixels(first[1]))  # a batch is not one image


@pytest.mark.parametrize("scheduler", list(schedulers.SCHEDULERS))
def test_every_scheduler_draws(model, scheduler):
    (image,) = t2i.text_to_image(model, "a cat", 1, steps=3, scheduler=scheduler)
    assert np.isfinite(pixels(image)).all() and pixels(image).std() > 0


@pytest.mark.parametrize("scheduler", ["DPM-Solver++", "DDIM", "UniPC", "DDPM"])
def test_thresholding_in_latent_units_pulls_in_only_saturated_predictions(model, scheduler):
    loaded = load_pipeline(model)
    assert not schedulers.make_scheduler(loaded, scheduler, False).config.thresholding
    thresholded = schedulers.make_scheduler(loaded, scheduler, True)
    assert thresholded.config.thresholding
    inside = torch.randn(2, 4, 8, 8, generator=torch.Generator().manual_seed(0)).clamp(-4, 4)
    torch.testing.assert_close(thresholded._threshold_sample(inside), inside)
    saturated = inside * 3
    pulled = thresholded._threshold_sample(saturated)
    assert pulled.abs().max() <= schedulers.LATENT_LIMIT + 1e-4 < saturated.abs().max()
    (image,) = t2i.text_to_image(model, "a cat", 1, steps=3, guidance=20, thresholding=True)
    assert pixels(image).std() > 0


def test_guidance_and_negative_prompt_change_the_image(model):
    base = dict(steps=3, seed=1)
    plain = pixels(t2i.text_to_image(model, "a cat", 1, guidance=1, **base)[0])
    guided = pixels(t2i.text_to_image(model, "a cat", 1, guidance=9, **base)[0])
    negative = t2i.text_to_image(model, "a cat", 1, guidance=9, negative_prompt="a dog", **base)
    assert not np.array_equal(plain, guided)
    assert not np.array_equal(guided, pixels(negative[0]))


def test_progress_is_reported_once_per_step(model):
    seen = []
    t2i.text_to_image(model, "a cat", 1, steps=4, on_step=lambda d, n: seen.append((d, n)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_sweep_puts_the_scales_side_by_side(model):
    strip, scales = t2i.guidance_sweep(model, "a cat", scales=(1.0, 4.0, 8.0), steps=2)
    assert scales == [1.0, 4.0, 8.0]
    assert strip.width > 2.5 * strip.height


@pytest.mark.parametrize("scheduler", ["DPM-Solver++", "DDIM", "Euler"])
def test_trajectory_has_one_prediction_per_step(model, scheduler):
    frames = t2i.trajectory(model, "a cat", steps=4, scheduler=scheduler, seed=3)
    assert len(frames) == 4
    assert not np.array_equal(pixels(frames[0]), pixels(frames[-1]))


def test_image_to_image_keeps_more_of_the_picture_the_lower_the_strength():
    """SDEdit on the bundled model: a blue picture redrawn under a red prompt stays nearer blue
    at low strength than at high; the steps run are the strength's share of those asked."""
    picture = Image.new("RGB", (64, 64), (30, 60, 220))
    reported = []
    redrawn = {
        strength: np.asarray(
            t2i.image_to_image(
                "text-to-image-emoji", picture, "a red heart, flat icon", strength, steps=10,
                seed=3, on_step=lambda done, total, s=strength: reported.append((s, total)),
            ).resize((64, 64)),
            float,
        )
        for strength in (0.2, 1.0)
    }  # fmt: skip
    blue = np.asarray(picture, float)
    assert np.abs(redrawn[0.2] - blue).mean() < np.abs(redrawn[1.0] - blue).mean()
    assert {(0.2, 2), (1.0, 10)} == set(reported)


def test_inpainting_repaints_the_mask_and_keeps_the_rest(model):
    size = t2i.image_size(model)
    picture = Image.new("RGB", (size * 2, size), "white")  # not square: fitted, centred
    mask = Image.new("L", picture.size, 0)
    mask.paste(255, (size // 2, size // 4, size * 3 // 2, size * 3 // 4))
    one = pixels(t2i.inpaint(model, picture, mask, "a cat", steps=3, seed=1))
    two = pixels(t2i.inpaint(model, picture, mask, "a cat", steps=3, seed=2))
    change = np.abs(one - two).mean(2)
    zoom = DISPLAY_SIZE // size
    square = t2i.fit_square(mask, size, fill=0)
    inside, touched = (
        np.asarray(m.resize((size * zoom,) * 2, Image.Resampling.NEAREST)) > 0
        for m in (square, t2i.soft_mask(square))
    )
    assert change[inside].mean() > 10  # each seed repaints it its own way
    assert change[~touched].max() == 0  # the rest is the upload's own pixels
    kept = pixels(for_display(t2i.fit_square(picture, size)))
    assert np.array_equal(one[~touched], kept[~touched])


def test_inpainting_fades_into_the_picture_outside_the_painted_part_only():
    """The painted part is wholly redone; the seam hides in a band of 2 * FEATHER pixels around
    it, beyond which the picture is untouched."""
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (20, 24, 40, 44))
    weights = np.asarray(t2i.soft_mask(mask), float)
    painted = np.asarray(mask) > 0
    assert (weights[painted] == 255).all()
    rows, columns = np.nonzero(weights)
    band = 2 * t2i.FEATHER
    assert (rows.min(), rows.max(), columns.min(), columns.max()) == (
        24 - band, 43 + band, 20 - band, 39 + band
    )  # fmt: skip
    assert 0 < weights[34, 40] < 255 and weights[34, 40] > weights[34, 42]  # fading out


@pytest.mark.parametrize(
    "picture",
    ["#ff0000", "#00ff00", "#0000ff", "#ffff00", "#00ffff", "#ff00ff", "#ffffff", "#000000",
     "#808080", "#ff8000"],
)  # fmt: skip
def test_one_of_the_mask_colours_shows_on_any_picture(picture):
    """The inpainting brush's colours, see-through as painted: on any plain colour, one of them
    stands well apart from the picture (a red brush would vanish on a red picture)."""

    def rgb(hex_colour: str) -> np.ndarray:
        return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], float)

    under = rgb(picture)
    apart = [
        np.linalg.norm(opacity * rgb(ink) + (1 - opacity) * under - under) / 255
        for ink, opacity in words.MASK_INKS.values()
    ]
    assert max(apart) > 0.35
    assert all(0.3 <= opacity <= 0.7 for _, opacity in words.MASK_INKS.values())  # see-through


def test_masks_from_the_editor_and_the_sketch_pad():
    background = np.full((20, 30, 3), 200, np.uint8)
    layer = np.zeros((20, 30, 4), np.uint8)
    layer[5:10, 5:15, 3] = 255
    image, mask = mask_from_editor({"background": background, "layers": [layer]})
    assert image.size == (30, 20) and np.asarray(mask).sum() == 5 * 10 * 255
    strokes = io.BytesIO()
    Image.fromarray(layer, "RGBA").save(strokes, "PNG")
    assert np.array_equal(np.asarray(mask_from_strokes(strokes.getvalue())), np.asarray(mask))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m: t2i.text_to_image(m, "   "), "Type a prompt"),
        (lambda m: t2i.text_to_image(m, "a" * 501), "under 500"),
        (lambda m: t2i.text_to_image(m, "a cat", negative_prompt="b" * 600), "negative prompt"),
        (lambda m: t2i.text_to_image(m, "a cat", guidance=-1), "Guidance scale"),
        (lambda m: t2i.text_to_image(m, "a cat", steps=1000), "Steps"),
        (lambda m: t2i.text_to_image(m, "a cat", count=99), "Number of images"),
        (lambda m: t2i.text_to_image(m, "a cat", seed=-5), "Seed"),
        (lambda m: t2i.text_to_image(m, "a cat", scheduler="PLMS"), "Unknown scheduler"),
        (lambda m: t2i.inpaint(m, b"not an image", Image.new("L", (8, 8), 255), "a"), "not an"),
        (lambda m: t2i.inpaint(m, Image.new("RGB", (8, 8)), Image.new("L", (8, 8)), "a"), "empty"),
        (lambda m: mask_from_editor(None), "Upload an image"),
        (lambda m: mask_from_strokes(None), "Paint over"),
        (lambda m: mask_from_strokes(b"junk"), "could not be read"),
    ],
)
def test_bad_input_gets_a_clear_message(model, call, message):
    with pytest.raises(InvalidInputError, match=message):
        call(model)


def test_a_prompt_longer_than_the_tokenizer_is_cut_not_refused(model):
    long_prompt = " ".join(["a red apple"] * 40)  # 120 words, far over 24 tokens
    (image,) = t2i.text_to_image(model, long_prompt, 1, steps=2)
    assert image.size == (DISPLAY_SIZE, DISPLAY_SIZE)


def test_guidance_over_part_of_the_schedule(model):
    """Guidance inside the interval is the pipeline's own; outside it, a guided step is the
    conditional prediction alone, so guiding nowhere draws exactly what guidance 1 draws."""
    loaded = load_pipeline(model)

    def draw(guidance: float, interval=None) -> torch.Tensor:
        components = dict(loaded.components)
        if interval:
            components["unet"] = GuidanceInterval(
                loaded.unet, loaded.scheduler.alphas_cumprod, *interval
            )
        pipeline = StableDiffusionPipeline(**components, requires_safety_checker=False)
        generator = torch.Generator().manual_seed(3)
        return pipeline(
            "a red apple", guidance_scale=guidance, num_inference_steps=4,
            generator=generator, output_type="pt",
        ).images  # fmt: skip

    guided, unguided = draw(7.0), draw(1.0)
    assert not torch.equal(guided, unguided)
    assert torch.equal(draw(7.0, (0.0, float("inf"))), guided)
    assert torch.equal(draw(7.0, (0.0, 0.0)), unguided)
    part = draw(7.0, (0.5, 5.0))
    assert not torch.equal(part, guided) and not torch.equal(part, unguided)
    sigmas = GuidanceInterval(loaded.unet, loaded.scheduler.alphas_cumprod, 0.5, 5.0).sigmas
    assert sigmas[0] < 0.5 < 5.0 < sigmas[-1]  # the schedule passes through the interval


def test_the_interval_benchmark_averages_over_seeds(model, tiny_emoji):
    """`benchmarks/sampling_quality.py --compare interval`: a row per interval and guidance, each
    the mean over the seeds with top-5's range beside it."""
    done = subprocess.run(
        [
            sys.executable, "-m", "benchmarks.sampling_quality", "--model", model,
            "--compare", "interval", "--guidance", "5", "--steps", "2", "--count", "4",
            "--seeds", "0", "1", "--sources", *colour_folders(tiny_emoji),
        ],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = [line.split("|")[1:-1] for line in done.stdout.splitlines() if line.startswith("| ")]
    rows = rows[1:]  # the header
    assert [row[0].strip() for row in rows] == list(INTERVALS)
    for _, guidance, distance, top1, top5 in rows:
        mean, spread = top5.split("(")
        low, high = (float(x) for x in spread.rstrip(") ").split(" to "))
        assert float(guidance) == 5 and float(distance) > 0 and 0 <= float(top1) <= 1
        assert low <= float(mean) <= high
