"""How the gallery runs a loaded text-to-image model for one request of a button
(`genzoo.pipelines.text_to_image`): a pipeline on the loaded weights with the request's own
scheduler, its UNet leaning on the prompt's nearest learned caption (`neighbours`) and
CLIP-guided when asked; the pipeline call's arguments, seeded on the CPU, with progress; and the
clean images predicted along the way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from diffusers import StableDiffusionPipeline

from genzoo.diffusion import neighbours
from genzoo.diffusion.clip_guidance import CLIPGuidedUNet
from genzoo.diffusion.schedulers import make_scheduler
from genzoo.diffusion.sharing import sharing
from genzoo.hub import load_pipeline

OnStep = Callable[[int, int], None]
"""`on_step(done, total)`: called after each denoising step."""


@dataclass(frozen=True)
class Request:
    """Checked settings of one denoising run (`genzoo.pipelines.text_to_image.REQUEST`)."""

    prompt: str
    negative_prompt: str
    guidance: float
    steps: int
    scheduler: str
    seed: int
    thresholding: bool
    clip_guidance: float


def pipeline_for(model: str, request: Request, cls=StableDiffusionPipeline, prompts=None):
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
    return sharing(loaded, cls, **replaced)


def part_of(on_step: OnStep | None, index: int, parts: int) -> OnStep | None:
    """`on_step` for run `index` of `parts` equal runs: it counts the steps of all of them."""
    if on_step is None:
        return None
    return lambda done, total: on_step(index * total + done, parts * total)


def call_arguments(request: Request, count: int, on_step: OnStep | None = None) -> dict:
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


def record_predictions(scheduler) -> list[torch.Tensor]:
    """A list that fills, as `scheduler` steps, with the clean latents it predicts at each step."""
    predictions, step = [], scheduler.step

    def recording_step(model_output, timestep, sample, *args, return_dict=True, **kwargs):
        out = step(model_output, timestep, sample, *args, return_dict=True, **kwargs)
        # DDIM, DDPM and the Euler kinds return the prediction; the multistep solvers keep it
        # (their outputs are data predictions) in `model_outputs`.
        predicted = getattr(out, "pred_original_sample", None)
        predictions.append(predicted if predicted is not None else scheduler.model_outputs[-1])
        return out if return_dict else (out.prev_sample,)

    scheduler.step = recording_step
    return predictions


def decode(vae, latents: list[torch.Tensor]) -> torch.Tensor:
    """Latents decoded to images in [0, 1] (unclamped), on the CPU."""
    scaled = torch.cat(latents).to(vae.dtype) / vae.config.scaling_factor
    return (vae.decode(scaled).sample.float().cpu() + 1) / 2
