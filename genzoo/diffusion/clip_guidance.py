"""CLIP guidance (GLIDE, Nichol et al., 2022): steer each denoising step along the gradient of
CLIP's similarity between the prompt and the clean image predicted so far.

`CLIPGuidedUNet` wraps a diffusion pipeline's UNet for one request. After each noise prediction
it predicts the clean latents, decodes them, scores the image against the prompt with the
project's CLIP (`checkpoints/clip-emoji`), and shifts the noise prediction by the gradient:
eps' = eps - sqrt(1 - alpha_bar) * scale * grad_x sim, which moves the predicted clean image
towards higher similarity. Scoring the predicted clean image rather than the noisy one is what
the CLIP card measured to work (its "Noisy and partially denoised images" table). The shift is the
same for the conditional and unconditional halves of a classifier-free-guided batch, so CLIP
guidance adds to classifier-free guidance, and works alone at guidance 1.
"""

from __future__ import annotations

import torch
from diffusers.models.unets.unet_2d_condition import UNet2DConditionOutput

from genzoo.diffusion.sharing import UNetWrapper
from genzoo.hub import load_model
from genzoo.models.clip import image_embeddings, text_embeddings

CLIP_MODEL = "clip-emoji"


class CLIPGuidedUNet(UNetWrapper):
    """A UNet whose noise predictions CLIP guidance shifts; the pipeline sees a UNet."""

    def __init__(
        self,
        unet,
        vae,
        alphas_cumprod: torch.Tensor,
        prompts: str | list[str],
        scale: float,
        paired: bool,
    ):
        super().__init__(unet)
        self.vae, self.scale, self.paired = vae, scale, paired
        self.clip = load_model(CLIP_MODEL, family="clip").to(unet.device)
        # one prompt for every image, or one per image (in the pipeline's order)
        self.text = text_embeddings(self.clip, [prompts] if isinstance(prompts, str) else prompts)
        self.alphas_cumprod = alphas_cumprod

    def forward(self, sample, timestep, encoder_hidden_states, *args, return_dict=True, **kwargs):
        eps = self.unet(
            sample, timestep, encoder_hidden_states, *args, return_dict=False, **kwargs
        )[0]
        # with classifier-free guidance (`paired`) the batch is [unconditional; conditional] on
        # the same latents: the gradient is taken once, from the conditional half, for both
        half = len(sample) // 2 if self.paired else 0
        shift = self.shift(sample[half:], timestep, eps[half:])
        eps = eps - (torch.cat([shift, shift]) if self.paired else shift)
        return UNet2DConditionOutput(sample=eps) if return_dict else (eps,)

    def shift(self, sample: torch.Tensor, timestep, eps: torch.Tensor) -> torch.Tensor:
        """sqrt(1 - alpha_bar) * scale * the gradient of the similarity w.r.t. the latents."""
        alpha = self.alphas_cumprod[int(timestep)].to(sample.device, torch.float32)
        with torch.enable_grad():
            latents = sample.detach().float().requires_grad_()
            clean = (latents - (1 - alpha).sqrt() * eps.detach().float()) / alpha.sqrt()
            decoded = self.vae.decode(clean.to(self.vae.dtype) / self.vae.config.scaling_factor)
            images = ((decoded.sample.float() + 1) / 2).clamp(0, 1)
            similarity = (image_embeddings(self.clip, images) * self.text.float()).sum()
            (gradient,) = torch.autograd.grad(similarity, latents)
        return ((1 - alpha).sqrt() * self.scale * gradient).to(eps.dtype)
