"""What the text-to-image buttons do: images from a prompt with classifier-free guidance, a sweep
over guidance scales, the denoising trajectory, and inpainting a painted mask.

Each call runs the stock diffusers pipeline loaded once by `genzoo.hub.load_pipeline`, as
`genzoo.diffusion.serving` serves it: with its own scheduler instance (chosen by name, built with
`from_config` from the saved one), so that users running at the same time never share a
scheduler's state. Seeds draw the starting noise on the CPU, so a seed gives the same image on any
machine. Inputs are checked first, and bad ones raise `InvalidInputError` with a message for the
user.
"""

from __future__ import annotations

import numpy as np
import torch
from diffusers import (
    StableDiffusionImg2ImgPipeline,
    StableDiffusionInpaintPipeline,
    StableDiffusionPipeline,
)
from PIL import Image, ImageFilter

from genzoo import provenance
from genzoo.diffusion import neighbours
from genzoo.diffusion.schedulers import SCHEDULERS
from genzoo.diffusion.serving import (
    Request,
    call_arguments,
    decode,
    part_of,
    pipeline_for,
    record_predictions,
)
from genzoo.hub import load_pipeline
from genzoo.images import (
    InvalidInputError,
    animated_gif,
    fit_square,
    for_display,
    make_grid,
    open_image,
    to_pil,
)
from genzoo.models.latent_diffusion import PROMPT_TOKENS
from genzoo.settings import EXAMPLE, MODEL, SEED, Setting, check_all, declare

DEFAULT_CLIP_GUIDANCE = 3.0  # the comparison's CLIP scale when the request has none
SWEEP_SCALES = (1.0, 3.0, 5.0, 7.5, 10.0)
EXAMPLE_PROMPTS = (
    "a red apple, flat icon",
    "a grinning face, Noto emoji",
    "a 3-D emoji of a cat face",
    "a blue car, Twemoji",
    "a green tree, OpenMoji colour emoji",
)
PROMPT = Setting(
    name="prompt",
    label="Prompt",
    default=EXAMPLE_PROMPTS[0],
    high=500,
    help=f"The model reads the first {PROMPT_TOKENS} tokens (about 15 words).",
    if_empty=f"Type a prompt first, for example “{EXAMPLE_PROMPTS[0]}”.",
)
NEGATIVE_PROMPT = Setting(
    name="negative_prompt",
    label="Negative prompt",
    default="",
    high=500,
    help="What to steer away from.",
)
GUIDANCE = Setting(
    name="guidance",
    label="Guidance scale",
    default=5.0,
    low=0.0,
    high=30.0,
    step=0.5,
    help="Higher follows the prompt more closely, with less variety.",
)
STEPS = Setting(name="steps", label="Steps", default=20, low=1, high=100, step=1)
SCHEDULER = Setting(
    name="scheduler", label="Scheduler", default="DPM-Solver++", choices=tuple(SCHEDULERS)
)
COUNT = Setting(name="count", label="Number of images", default=4, low=1, high=8, step=1)
THRESHOLDING = Setting(
    name="thresholding",
    label="Dynamic thresholding",
    default=False,
    help="Reins in colours that overshoot at high guidance (Imagen's trick). Measured no better "
    "on this model.",
)
CLIP_GUIDANCE = Setting(
    name="clip_guidance",
    label="CLIP guidance scale (0: off)",
    default=0.0,
    low=0.0,
    high=100.0,
    step=0.5,
    help="Steers each step towards what genzoo's own CLIP sees in the prompt; slower.",
)
STRENGTH = Setting(
    name="strength",
    label="Strength",
    default=1.0,
    low=0.05,
    high=1.0,
    step=0.05,
    help="How much of the painted part is redone: 1 starts it from noise.",
)
SDEDIT_STRENGTH = STRENGTH.but(
    default=0.5,  # the best of the strengths measured in the card's SDEdit table
    help="How far the picture is noised before the prompt redraws it: lower keeps more of its "
    "outline and colours, 1 keeps nothing. 0.5 keeps the outline, and came nearest the true "
    "colour emoji of the strengths measured.",
)
GENERATE = declare(
    MODEL,
    PROMPT,
    NEGATIVE_PROMPT,
    GUIDANCE,
    STEPS,
    SCHEDULER,
    SEED,
    COUNT,
    THRESHOLDING,
    CLIP_GUIDANCE,
)
"""`text_to_image`'s settings, in the API's order."""
REQUEST = {name: s for name, s in GENERATE.items() if name not in ("model", "count")}
"""The settings of one denoising run, as `check_request` takes them."""
IMAGE_TO_IMAGE = declare(MODEL, EXAMPLE, PROMPT, SDEDIT_STRENGTH, GUIDANCE, STEPS, SEED)
"""`image_to_image` on a held-out example."""

# Share links carry these actions' settings (`genzoo.share`).
SHARED_ACTIONS: dict[str, dict[str, Setting]] = {
    "text-to-image": GENERATE,
    "text-to-image/image-to-image": IMAGE_TO_IMAGE,
}


def check_request(prompt: str, **settings) -> Request:
    """The settings (named as in `REQUEST`; the rest at their defaults), checked."""
    return Request(**check_all(REQUEST, settings | {"prompt": prompt}))


def pipeline_as_served(model: str, prompts: list[str], **settings) -> StableDiffusionPipeline:
    """The pipeline `text_to_image` runs for these settings (named as in `REQUEST`; the rest at
    their defaults), for a batch of `prompts` (one image each): for measuring what it serves."""
    return pipeline_for(model, check_request(prompts[0], **settings), prompts=prompts)


@provenance.recorded(GENERATE)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def text_to_image(
    model: str, prompt: str, count: int = COUNT.default, on_step=None, **settings
) -> list[Image.Image]:
    """`count` images for a prompt (settings as in `check_request`), enlarged for display;
    `on_step(done, total)` reports progress."""
    request = check_request(prompt, **settings)
    count = COUNT.check(count)
    pipeline = pipeline_for(model, request)
    images = pipeline(**call_arguments(request, count, on_step)).images
    return [for_display(image) for image in images]


def leaned_on(model: str, prompt: str) -> str | None:
    """The learned caption the prompt leans on (`neighbours`); None for a caption the model
    learned, or a model that ships none."""
    prompt = PROMPT.check(prompt)
    shipped = neighbours.for_model(model)
    if shipped is None or prompt in shipped.learned:
        return None
    (caption,) = neighbours.nearest_learned(load_pipeline(model), shipped, [prompt])
    return caption


PREVIEW_STEPS = 3
"""A preview's DPM-Solver++ steps: enough for the prompt's colours and rough shape, not its
details, in about a tenth of a second on a 2-core CPU."""


@provenance.recorded()
def preview(model: str, prompt: str) -> Image.Image | None:
    """What `prompt` will roughly give: one image in `PREVIEW_STEPS` steps, at the default
    guidance and seed, so that it changes only with the words; None for no prompt yet."""
    if not str(prompt or "").strip():
        return None
    return text_to_image(model, prompt, 1, steps=PREVIEW_STEPS)[0]


def _side_by_side(model: str, requests: list[Request], on_step=None) -> Image.Image:
    """One image for each request, in a row, enlarged for display; `on_step(done, total)`
    counts the steps of all of them."""
    images = []
    for index, request in enumerate(requests):
        pipeline = pipeline_for(model, request)
        report = part_of(on_step, index, len(requests))
        images.append(
            pipeline(**call_arguments(request, 1, report), output_type="pt").images.float().cpu()
        )
    strip = make_grid(torch.cat(images), rows=1, padding=2)
    return for_display(strip, len(images))


@provenance.recorded(REQUEST)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def guidance_sweep(
    model: str, prompt: str, scales=SWEEP_SCALES, on_step=None, **settings
) -> tuple[Image.Image, list[float]]:
    """One seed at several guidance scales, side by side (left to right in `scales` order);
    `on_step(done, total)` counts the steps of all of them."""
    requests = [check_request(prompt, **(settings | {"guidance": scale})) for scale in scales]
    return _side_by_side(model, requests, on_step), list(scales)


@provenance.recorded(REQUEST)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def guidance_comparison(
    model: str, prompt: str, on_step=None, **settings
) -> tuple[Image.Image, list[str]]:
    """One seed three ways, side by side: classifier-free guidance only, CLIP guidance only
    (at guidance 1, which turns classifier-free guidance off), and both; `on_step(done, total)`
    counts the steps of all three."""
    request = check_request(prompt, **settings)
    clip = request.clip_guidance or DEFAULT_CLIP_GUIDANCE
    cfg = request.guidance if request.guidance > 1 else 5.0
    ways = {
        f"classifier-free {cfg:g}": dict(guidance=cfg, clip_guidance=0.0),
        f"CLIP {clip:g}": dict(guidance=1.0, clip_guidance=clip),
        f"both ({cfg:g}, CLIP {clip:g})": dict(guidance=cfg, clip_guidance=clip),
    }
    requests = [check_request(prompt, **(settings | changes)) for changes in ways.values()]
    return _side_by_side(model, requests, on_step), list(ways)


@provenance.recorded(REQUEST)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def trajectory(model: str, prompt: str, on_step=None, **settings) -> list[Image.Image]:
    """The predicted clean image after each denoising step, decoded: the last is the result;
    `on_step(done, total)` reports progress."""
    request = check_request(prompt, **settings)
    pipeline = pipeline_for(model, request)
    predictions = record_predictions(pipeline.scheduler)
    pipeline(**call_arguments(request, 1, on_step), output_type="latent")
    frames = decode(pipeline.vae, predictions)
    return [for_display(to_pil(frame)) for frame in frames]


def animation(frames: list[Image.Image]) -> bytes:
    """The trajectory's frames as a GIF that plays once through and loops."""
    return animated_gif(frames, duration_ms=250, back_and_forth=False)


def settings_from_png(data) -> dict:
    """The settings (as `GENERATE` names them) that a genzoo text-to-image PNG was made with, to
    make it again; `InvalidInputError` for any other picture."""
    facts = provenance.read(data)
    if not facts["action"].startswith("text_to_image."):
        raise InvalidInputError(
            f"This picture was made by genzoo's {facts['action']}, not by text to image."
        )
    found = {name: value for name, value in facts["settings"].items() if name in GENERATE}
    return check_all(GENERATE, found | {"model": facts["model"]})


@provenance.recorded(REQUEST)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def inpaint(
    model: str,
    image,
    mask,
    prompt: str,
    strength: float = STRENGTH.default,
    on_step=None,
    **settings,
) -> Image.Image:
    """Repaint the white part of `mask` on `image` to match the prompt, keeping the rest: the
    same model through `StableDiffusionInpaintPipeline`, which blends the latents by the mask.
    (This measured better on held-out emoji than a UNet fine-tuned with a mask channel, as GLIDE
    did: `train_inpainting.py --preset text-to-image-emoji-inpainting`; see the model's card,
    "Inpainting: latent blending against a mask channel".)
    The decoder spreads every latent over its neighbours, so the picture is then put back: the
    painted part is wholly the inpainted one, and the two fade into each other over a few pixels
    around it (`soft_mask`), where a hard edge would show a seam; beyond those, the picture's
    own pixels are kept exactly."""
    request = check_request(prompt, **settings)
    strength = STRENGTH.check(strength)
    size = image_size(model)
    picture = fit_square(open_image(image, background=255).convert("RGB"), size)
    hole = fit_square(open_image(mask).convert("L"), size, fill=0)
    if not np.asarray(hole).any():
        raise InvalidInputError("The mask is empty: paint over the part of the image to redo.")
    pipeline = pipeline_for(model, request, StableDiffusionInpaintPipeline)
    result = pipeline(
        image=picture,
        mask_image=hole,
        strength=strength,
        height=size,
        width=size,
        **call_arguments(request, 1, on_step),
    ).images[0]
    return for_display(Image.composite(result, picture, soft_mask(hole)))


@provenance.recorded(REQUEST)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def image_to_image(
    model: str,
    image,
    prompt: str,
    strength: float = SDEDIT_STRENGTH.default,
    on_step=None,
    **settings,
) -> Image.Image:
    """SDEdit (Meng et al., 2022): the picture noised `strength` of the way and denoised under the
    prompt, through diffusers' stock image-to-image pipeline on the same model; a rough drawing
    becomes an emoji in the style the prompt names."""
    request = check_request(prompt, **settings)
    strength = SDEDIT_STRENGTH.check(strength)
    picture = fit_square(open_image(image, background=255).convert("RGB"), image_size(model))
    pipeline = pipeline_for(model, request, StableDiffusionImg2ImgPipeline)
    result = pipeline(image=picture, strength=strength, **call_arguments(request, 1, on_step))
    return for_display(result.images[0])


FEATHER = 3
"""Half the band, in the model's pixels, around the painted part where inpainting fades into the
picture. Measured on 24 held-out emoji with random boxes, the jump in colour across the painted
part's edge was 0.059 when pasting through a mask blurred by a pixel (as before), 0.048 with
this band, where the pictures' own jump across the same edges is 0.046."""


def soft_mask(mask: Image.Image) -> Image.Image:
    """How much of the inpainted picture each pixel takes: all of it over the painted part,
    fading to none over 2 * FEATHER pixels outside it."""
    grown = mask.filter(ImageFilter.MaxFilter(2 * FEATHER + 1))
    return grown.filter(ImageFilter.BoxBlur(FEATHER))


def image_size(model: str) -> int:
    """The side of the model's images: its latent side times the autoencoder's zoom."""
    loaded = load_pipeline(model)
    return loaded.unet.config.sample_size * loaded.vae_scale_factor
