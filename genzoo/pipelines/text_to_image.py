"""What the text-to-image buttons do: images from a prompt with classifier-free guidance, a sweep
over guidance scales, the denoising trajectory, and inpainting a painted mask.

Each call runs the stock diffusers pipeline loaded once by `genzoo.hub.load_pipeline`, with its
own scheduler instance (chosen by name, built with `from_config` from the saved one), so that
users running at the same time never share a scheduler's state. Seeds draw the starting noise
on the CPU, so a seed gives the same image on any machine. Inputs are checked first, and bad ones
raise `InvalidInputError` with a message for the user.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from diffusers import (
    StableDiffusionImg2ImgPipeline,
    StableDiffusionInpaintPipeline,
    StableDiffusionPipeline,
)
from PIL import Image, ImageFilter

from genzoo import provenance
from genzoo.hub import load_pipeline
from genzoo.images import (
    InvalidInputError,
    animated_gif,
    for_display,
    make_grid,
    open_image,
)
from genzoo.models import latent_diffusion
from genzoo.models.latent_diffusion import PROMPT_TOKENS
from genzoo.pipelines import neighbours
from genzoo.pipelines.clip_guidance import CLIPGuidedUNet
from genzoo.pipelines.schedulers import SCHEDULERS, make_scheduler
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
    "prompt", "Prompt", EXAMPLE_PROMPTS[0], high=500,
    help=f"The model reads the first {PROMPT_TOKENS} tokens (about 15 words).",
    if_empty=f"Type a prompt first, for example “{EXAMPLE_PROMPTS[0]}”.",
)  # fmt: skip
NEGATIVE_PROMPT = Setting(
    "negative_prompt", "Negative prompt", "", high=500, help="What to steer away from."
)
GUIDANCE = Setting(
    "guidance", "Guidance scale", 5.0, 0.0, 30.0, 0.5,
    help="Higher follows the prompt more closely, with less variety.",
)  # fmt: skip
STEPS = Setting("steps", "Steps", 20, 1, 100, 1)
SCHEDULER = Setting("scheduler", "Scheduler", "DPM-Solver++", choices=tuple(SCHEDULERS))
COUNT = Setting("count", "Number of images", 4, 1, 8, 1)
THRESHOLDING = Setting(
    "thresholding", "Dynamic thresholding", False,
    help="Reins in colours that overshoot at high guidance (Imagen's trick). Measured no better "
    "on this model.",
)  # fmt: skip
CLIP_GUIDANCE = Setting(
    "clip_guidance", "CLIP guidance scale (0: off)", 0.0, 0.0, 100.0, 0.5,
    help="Steers each step towards what genzoo's own CLIP sees in the prompt; slower.",
)  # fmt: skip
STRENGTH = Setting(
    "strength", "Strength", 1.0, 0.05, 1.0, 0.05,
    help="How much of the painted part is redone: 1 starts it from noise.",
)  # fmt: skip
SDEDIT_STRENGTH = STRENGTH.but(
    default=0.5,  # the best of the strengths measured in the card's SDEdit table
    help="How far the picture is noised before the prompt redraws it: lower keeps more of its "
    "outline and colours, 1 keeps nothing. 0.5 keeps the outline, and came nearest the true "
    "colour emoji of the strengths measured.",
)
GENERATE = declare(
    MODEL, PROMPT, NEGATIVE_PROMPT, GUIDANCE, STEPS, SCHEDULER, SEED, COUNT, THRESHOLDING,
    CLIP_GUIDANCE,
)  # fmt: skip
"""`text_to_image`'s settings, in the API's order; its share links carry them."""
REQUEST = {name: s for name, s in GENERATE.items() if name not in ("model", "count")}
"""The settings of one denoising run, as `check_request` takes them."""
IMAGE_TO_IMAGE = declare(MODEL, EXAMPLE, PROMPT, SDEDIT_STRENGTH, GUIDANCE, STEPS, SEED)
"""`image_to_image` on a held-out example, as its share links carry it."""


@dataclass(frozen=True)
class Request:
    """Checked settings of one denoising run (see `REQUEST`)."""

    prompt: str
    negative_prompt: str
    guidance: float
    steps: int
    scheduler: str
    seed: int
    thresholding: bool
    clip_guidance: float


def check_request(prompt: str, **settings) -> Request:
    """The settings (named as in `REQUEST`; the rest at their defaults), checked."""
    return Request(**check_all(REQUEST, settings | {"prompt": prompt}))


def _pipeline_for(model: str, request: Request, cls=StableDiffusionPipeline, prompts=None):
    """A pipeline sharing the loaded model's weights, with this request's own scheduler, its UNet
    leaning on the prompt's nearest learned caption (`neighbours`), and CLIP-guided when the
    request asks for CLIP guidance; for a batch of several `prompts`, if given."""
    loaded = load_pipeline(model)
    prompts = prompts or [request.prompt]
    unet = neighbours.guided_unet(loaded, neighbours.for_model(model), prompts, request.guidance)
    replaced = {"scheduler": make_scheduler(loaded, request.scheduler, request.thresholding)}
    if unet is not loaded.unet:
        replaced["unet"] = unet
    if request.clip_guidance:
        replaced["unet"] = CLIPGuidedUNet(
            unet,
            loaded.vae,
            loaded.scheduler.alphas_cumprod,
            prompts,
            request.clip_guidance,
            paired=request.guidance > 1,
        )
    return latent_diffusion.sharing(loaded, cls, **replaced)


def pipeline_as_served(model: str, prompts: list[str], **settings) -> StableDiffusionPipeline:
    """The pipeline `text_to_image` runs for these settings (named as in `REQUEST`; the rest at
    their defaults), for a batch of `prompts` (one image each): for measuring what it serves."""
    return _pipeline_for(model, check_request(prompts[0], **settings), prompts=prompts)


def _part_of(on_step, index: int, parts: int):
    """`on_step` for run `index` of `parts` equal runs: it counts the steps of all of them."""
    if on_step is None:
        return None
    return lambda done, total: on_step(index * total + done, parts * total)


def _arguments(request: Request, count: int, on_step=None) -> dict:
    """The pipeline's keyword arguments; `on_step(done, total)` is called after each step."""
    progress = {}
    if on_step is not None:

        def report(pipeline, index, timestep, tensors):
            on_step(index + 1, pipeline.num_timesteps)  # fewer than asked at strength below 1
            return tensors

        progress = {"callback_on_step_end": report}
    return progress | dict(
        prompt=request.prompt,
        negative_prompt=request.negative_prompt or None,
        guidance_scale=request.guidance,
        num_inference_steps=request.steps,
        num_images_per_prompt=count,
        generator=torch.Generator().manual_seed(request.seed),
    )


@provenance.recorded(GENERATE)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def text_to_image(
    model: str, prompt: str, count: int = COUNT.default, on_step=None, **settings
) -> list[Image.Image]:
    """`count` images for a prompt (settings as in `check_request`), enlarged for display;
    `on_step(done, total)` reports progress."""
    request = check_request(prompt, **settings)
    count = COUNT.check(count)
    pipeline = _pipeline_for(model, request)
    images = pipeline(**_arguments(request, count, on_step)).images
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


@provenance.recorded(REQUEST)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def guidance_sweep(
    model: str, prompt: str, scales=SWEEP_SCALES, on_step=None, **settings
) -> tuple[Image.Image, list[float]]:
    """One seed at several guidance scales, side by side (left to right in `scales` order);
    `on_step(done, total)` counts the steps of all of them."""
    images = []
    for index, scale in enumerate(scales):
        request = check_request(prompt, **(settings | {"guidance": scale}))
        pipeline = _pipeline_for(model, request)
        report = _part_of(on_step, index, len(scales))
        images.append(
            pipeline(**_arguments(request, 1, report), output_type="pt").images.float().cpu()
        )
    strip = make_grid(torch.cat(images), rows=1, padding=2)
    return for_display(strip, len(images)), list(scales)


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
    images = []
    for index, changes in enumerate(ways.values()):
        each = check_request(prompt, **(settings | changes))
        pipeline = _pipeline_for(model, each)
        report = _part_of(on_step, index, len(ways))
        images.append(
            pipeline(**_arguments(each, 1, report), output_type="pt").images.float().cpu()
        )
    strip = make_grid(torch.cat(images), rows=1, padding=2)
    return for_display(strip, len(images)), list(ways)


@provenance.recorded(REQUEST)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def trajectory(model: str, prompt: str, on_step=None, **settings) -> list[Image.Image]:
    """The predicted clean image after each denoising step, decoded: the last is the result;
    `on_step(done, total)` reports progress."""
    request = check_request(prompt, **settings)
    pipeline = _pipeline_for(model, request)
    scheduler, predictions = pipeline.scheduler, []
    step = scheduler.step

    def recording_step(model_output, timestep, sample, *args, return_dict=True, **kwargs):
        out = step(model_output, timestep, sample, *args, return_dict=True, **kwargs)
        # DDIM, DDPM and the Euler kinds return the prediction; the multistep solvers keep it
        # (their outputs are data predictions) in `model_outputs`.
        predicted = getattr(out, "pred_original_sample", None)
        predictions.append(predicted if predicted is not None else scheduler.model_outputs[-1])
        return out if return_dict else (out.prev_sample,)

    scheduler.step = recording_step
    pipeline(**_arguments(request, 1, on_step), output_type="latent")
    vae = pipeline.vae
    latents = torch.cat(predictions).to(vae.dtype) / vae.config.scaling_factor
    frames = (vae.decode(latents).sample.float().cpu() + 1) / 2
    return [for_display(image) for image in _to_images(frames)]


def animation(frames: list[Image.Image]) -> bytes:
    """The trajectory's frames as a GIF that plays once through and loops."""
    return animated_gif(frames, duration_ms=250, back_and_forth=False)


def _to_images(batch: torch.Tensor) -> list[Image.Image]:
    array = (batch.clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).numpy()
    return [Image.fromarray(a) for a in array]


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
    did: `train_inpainting.py --preset text-to-image-emoji-inpainting`; see the README.)
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
    pipeline = _pipeline_for(model, request, StableDiffusionInpaintPipeline)
    result = pipeline(
        image=picture, mask_image=hole, strength=strength, height=size, width=size,
        **_arguments(request, 1, on_step),
    ).images[0]  # fmt: skip
    return for_display(Image.composite(result, picture, soft_mask(hole)))


@provenance.recorded(REQUEST)
@torch.no_grad()  # not inference mode: CLIP guidance takes gradients inside
def image_to_image(
    model: str, image, prompt: str, strength: float = SDEDIT_STRENGTH.default, on_step=None,
    **settings,
) -> Image.Image:  # fmt: skip
    """SDEdit (Meng et al., 2022): the picture noised `strength` of the way and denoised under the
    prompt, through diffusers' stock image-to-image pipeline on the same model; a rough drawing
    becomes an emoji in the style the prompt names."""
    request = check_request(prompt, **settings)
    strength = SDEDIT_STRENGTH.check(strength)
    picture = fit_square(open_image(image, background=255).convert("RGB"), image_size(model))
    pipeline = _pipeline_for(model, request, StableDiffusionImg2ImgPipeline)
    result = pipeline(image=picture, strength=strength, **_arguments(request, 1, on_step))
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


def fit_square(image: Image.Image, size: int, fill=255) -> Image.Image:
    """Scale to fit a `size` square, centred on a background of `fill`."""
    scale = size / max(image.size)
    resized = image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
        Image.Resampling.LANCZOS,
    )
    canvas = Image.new(image.mode, (size, size), fill if image.mode == "L" else (fill,) * 3)
    canvas.paste(resized, ((size - resized.width) // 2, (size - resized.height) // 2))
    return canvas
