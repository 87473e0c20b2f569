"""Changing a loaded diffusion pipeline without copying its weights: `sharing` makes a pipeline
on its parts, some replaced, and `UNetWrapper` is what a replacement UNet that changes the
prediction (CLIP guidance, a guidance interval, neighbour guidance) derives from."""

from __future__ import annotations

import torch
from diffusers import DiffusionPipeline, UNet2DConditionModel


def sharing(pipeline: DiffusionPipeline, cls: type | None = None, **replaced) -> DiffusionPipeline:
    """A pipeline (of `cls`, else of `pipeline`'s class) on `pipeline`'s parts, some `replaced`
    (another UNet or scheduler), without progress bars: no weights are copied."""
    made = (cls or type(pipeline))(
        **(pipeline.components | replaced), requires_safety_checker=False
    )
    made.set_progress_bar_config(disable=True)
    return made


class UNetWrapper(torch.nn.Module):
    """A module that a pipeline takes for its UNet, wrapping one (to change what it predicts):
    it shows the pipeline the wrapped UNet's config, dtype and device."""

    def __init__(self, unet: UNet2DConditionModel):
        super().__init__()
        self.unet, self.config = unet, unet.config

    @property
    def dtype(self) -> torch.dtype:
        return self.unet.dtype

    @property
    def device(self) -> torch.device:
        return self.unet.device
