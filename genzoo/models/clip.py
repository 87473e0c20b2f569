"""The CLIP family: a small contrastive image-text model (Radford et al., 2021), built from stock
transformers parts, so that `VisionTextDualEncoderModel.from_pretrained` loads it without genzoo.

- the image tower: a ConvNeXt (Liu et al., 2022), trained from scratch on 64 px emoji;
- the text tower: the frozen MiniLM of the text-to-image family (`latent_diffusion.text_encoder`),
  whose pooled output goes through a learned projection;
- both projections map into one space, where cosine similarity times a learned temperature
  scores an image against a caption.

MiniLM's 91 MB are never copied into `checkpoints/`. The weights are saved as two shards: the
trained ones in `model-trained.safetensors`, MiniLM's in `model-text.safetensors`, which
`complete_folder` writes from the installed package; then the folder is a complete, stock model.
A folder pushed to the Hub carries both shards. Beside them is the processor (`processor`), so
that stock `AutoProcessor` prepares images and captions exactly as genzoo does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file, save_file
from transformers import (
    ConvNextConfig,
    VisionTextDualEncoderConfig,
    VisionTextDualEncoderModel,
    VisionTextDualEncoderProcessor,
    ViTImageProcessor,
)

from genzoo.models import latent_diffusion

TRAINED_SHARD = "model-trained.safetensors"
TEXT_SHARD = "model-text.safetensors"
INDEX = "model.safetensors.index.json"
TEXT_PREFIX = "text_model."


def clip_model(
    *,
    image_size: int = 64,
    widths: tuple[int, ...] = (32, 64, 128, 256),
    depths: tuple[int, ...] = (1, 1, 2, 1),
    patch_size: int = 4,
    projection_dim: int = 128,
) -> VisionTextDualEncoderModel:
    """A fresh image tower and projections beside the frozen, pretrained MiniLM."""
    vision = ConvNextConfig(
        num_channels=3,
        patch_size=patch_size,
        hidden_sizes=list(widths),
        depths=list(depths),
        image_size=image_size,
        hidden_size=widths[-1],  # what the dual encoder reads as the tower's width
    )
    text = latent_diffusion.text_encoder()
    config = VisionTextDualEncoderConfig.from_vision_text_configs(
        vision, text.config, projection_dim=projection_dim
    )
    model = VisionTextDualEncoderModel(config)
    model.text_model.load_state_dict(text.state_dict())
    model.text_model.requires_grad_(False)
    return model


def pixel_values(images: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] -> the image tower's input, in [-1, 1]."""
    return images * 2 - 1


def text_tokens(prompts: list[str]) -> dict[str, torch.Tensor]:
    """MiniLM's tokens for `prompts`, cut as the text-to-image pipeline cuts them."""
    tokenizer = latent_diffusion.tokenizer()
    return dict(tokenizer(prompts, padding="max_length", truncation=True, return_tensors="pt"))


def processor(image_size: int = 64) -> VisionTextDualEncoderProcessor:
    """What stock transformers code needs to use the model as genzoo does: square images resized
    as `genzoo.images.to_tensor` resizes them (Lanczos) and scaled into [-1, 1] (`pixel_values`),
    and captions tokenized as `text_tokens` does (MiniLM's tokenizer, cut at the same length)."""
    images = ViTImageProcessor(
        size={"height": image_size, "width": image_size},
        resample=Image.Resampling.LANCZOS,
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
    )
    return VisionTextDualEncoderProcessor(
        image_processor=images, tokenizer=latent_diffusion.tokenizer()
    )


def image_embeddings(clip, images: torch.Tensor) -> torch.Tensor:
    """Unit-length embeddings of images in [0, 1]; differentiable (for CLIP guidance)."""
    device = clip.logit_scale.device
    pixels = pixel_values(images.to(device, clip.logit_scale.dtype))
    return F.normalize(clip.get_image_features(pixel_values=pixels).pooler_output, dim=-1)


@torch.no_grad()
def text_embeddings(clip, prompts: Sequence[str]) -> torch.Tensor:
    """Unit-length embeddings of prompts."""
    tokens = {k: v.to(clip.logit_scale.device) for k, v in text_tokens(list(prompts)).items()}
    return F.normalize(clip.get_text_features(**tokens).pooler_output, dim=-1)


def save_clip(model: VisionTextDualEncoderModel, folder: str | Path) -> None:
    """Write a bundled folder: the config, the processor, the trained shard and the index (see
    the docstring)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(folder)
    processor(model.config.vision_config.image_size).save_pretrained(folder)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    trained = {k: v for k, v in state.items() if not k.startswith(TEXT_PREFIX)}
    save_file(trained, folder / TRAINED_SHARD, metadata={"format": "pt"})
    weight_map = {k: TEXT_SHARD if k.startswith(TEXT_PREFIX) else TRAINED_SHARD for k in state}
    total = sum(v.numel() * v.element_size() for v in state.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (folder / INDEX).write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    (folder / TEXT_SHARD).unlink(missing_ok=True)
    complete_folder(folder)


def complete_folder(folder: str | Path) -> Path:
    """Write MiniLM's shard from the installed package if it is missing; idempotent."""
    folder = Path(folder)
    shard = folder / TEXT_SHARD
    if not shard.exists():
        weights = load_file(latent_diffusion.text_encoder_folder() / "model.safetensors")
        wanted = json.loads((folder / INDEX).read_text())["weight_map"]
        text = {TEXT_PREFIX + k: v for k, v in weights.items() if TEXT_PREFIX + k in wanted}
        partial = shard.with_suffix(f".{os.getpid()}.partial")
        save_file(text, partial, metadata={"format": "pt"})
        partial.replace(shard)  # atomic: another process never sees half a file
    return folder
