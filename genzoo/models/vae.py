"""A convolutional variational autoencoder (Kingma & Welling, 2014), Hub-ready.

The encoder maps an image to a diagonal Gaussian q(z|x); the decoder maps z to the logits of a
Bernoulli per pixel, p(x|z). Every hyper-parameter is a constructor argument, so
`save_pretrained` records it in config.json and `VAE.from_pretrained` rebuilds the same network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import nn


@dataclass
class VAEOutput:
    logits: torch.Tensor  # (B, C, H, W) Bernoulli logits of p(x|z)
    mean: torch.Tensor  # (B, D) mean of q(z|x)
    logvar: torch.Tensor  # (B, D) log-variance of q(z|x)
    z: torch.Tensor  # (B, D) the sample decoded


class VAE(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="genzoo",
    tags=["vae", "genzoo", "image-generation"],
    pipeline_tag="unconditional-image-generation",
    license="mit",
):
    def __init__(
        self,
        *,
        image_size: int = 28,
        in_channels: int = 1,
        latent_dim: int = 2,
        hidden_channels: tuple[int, ...] | list[int] = (32, 64),
        hidden_features: int = 256,
        class_names: list[str] | None = None,
    ):
        super().__init__()
        hidden_channels = list(hidden_channels)
        downsample = 2 ** len(hidden_channels)
        if image_size % downsample:
            raise ValueError(f"image_size {image_size} must be divisible by {downsample}")
        self.image_size, self.in_channels, self.latent_dim = image_size, in_channels, latent_dim
        self.class_names = list(class_names or [])
        self.feature_shape = (
            hidden_channels[-1],
            image_size // downsample,
            image_size // downsample,
        )
        flat = math.prod(self.feature_shape)

        encoder, channels = [], in_channels
        for width in hidden_channels:
            encoder += [nn.Conv2d(channels, width, 4, stride=2, padding=1), nn.SiLU()]
            channels = width
        self.encoder = nn.Sequential(
            *encoder, nn.Flatten(), nn.Linear(flat, hidden_features), nn.SiLU()
        )
        self.to_mean = nn.Linear(hidden_features, latent_dim)
        self.to_logvar = nn.Linear(hidden_features, latent_dim)

        decoder = []
        for width, next_width in zip(hidden_channels[::-1], hidden_channels[-2::-1], strict=False):
            decoder += [nn.ConvTranspose2d(width, next_width, 4, stride=2, padding=1), nn.SiLU()]
        decoder.append(nn.ConvTranspose2d(hidden_channels[0], in_channels, 4, stride=2, padding=1))
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, hidden_features),
            nn.SiLU(),
            nn.Linear(hidden_features, flat),
            nn.SiLU(),
            nn.Unflatten(1, self.feature_shape),
            *decoder,
        )

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, C, H, W) images in [0, 1] -> mean and log-variance of q(z|x), each (B, D)."""
        h = self.encoder(x * 2 - 1)
        return self.to_mean(h), self.to_logvar(h).clamp(-12, 8)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """(B, D) latents -> (B, C, H, W) Bernoulli logits."""
        return self.decoder(z)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, D) latents -> (B, C, H, W) images in [0, 1] (the mean of p(x|z))."""
        return torch.sigmoid(self.decode_logits(z))

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> VAEOutput:
        mean, logvar = self.encode(x)
        noise = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
        z = mean + noise * torch.exp(0.5 * logvar)
        return VAEOutput(self.decode_logits(z), mean, logvar, z)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device


def reconstruction_nats(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """-log p(x|z) per image in nats, summed over pixels: (B,)."""
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)


def kl_nats(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(q(z|x) || N(0, I)) per image in nats: (B,)."""
    return 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).sum(1)


def negative_elbo(output: VAEOutput, x: torch.Tensor, beta: float = 1.0) -> dict[str, torch.Tensor]:
    """The loss terms, averaged over the batch, in nats per image."""
    reconstruction = reconstruction_nats(output.logits, x).mean()
    kl = kl_nats(output.mean, output.logvar).mean()
    return {"loss": reconstruction + beta * kl, "reconstruction": reconstruction, "kl": kl}


LEVELS = 256  # 8-bit pixels


def level_log_prob(logits: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
    """log P(x|z) in nats per image, (B,), of 8-bit images `levels` (values 0..255), under the
    decoder read as a distribution over the 256 grey levels of each pixel.

    The decoder was trained on pixels t = v / 255 in [0, 1] with the Bernoulli cross-entropy,
    BCE(l, t) = softplus(l) - t l, whose exp(-BCE) is no normalised density over t. Normalising
    exp(-BCE(l, v / 255)) over v = 0..255 gives P(v) = exp(a v) / Z(a), with a = l / 255 and
    Z(a) = sum_u exp(a u): a truncated geometric distribution, the 8-bit analogue of the
    continuous Bernoulli (Loaiza-Ganem & Cunningham, 2019). Z is summed in closed form:
    log Z(a) = 255 max(a, 0) + log(1 - exp(-256 |a|)) - log(1 - exp(-|a|))."""
    a = logits.double() / (LEVELS - 1)
    size = a.abs().clamp(min=1e-12)  # at a = 0 every level has 1/256: the formula's limit
    log_z = (LEVELS - 1) * a.clamp(min=0) + torch.log(-torch.expm1(-LEVELS * size))
    log_z = log_z - torch.log(-torch.expm1(-size))
    return (a * levels.double() - log_z).flatten(1).sum(1).to(logits.dtype)


def _standard_normal_log_prob(z: torch.Tensor) -> torch.Tensor:
    return -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(-1)


def importance_weighted_log_prob(
    model: VAE, levels: torch.Tensor, samples: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """The importance-weighted bound (Burda et al., 2016) on log P of 8-bit images `levels`
    (uint8, (B, C, H, W)), in nats per image, (B,): log (1/K sum_k P(x|z_k) p(z_k) / q(z_k|x)),
    z_k ~ q(z|x), with P(x|z) the decoder over grey levels (`level_log_prob`). Its expectation
    is at most log P(x) and rises towards it as K grows; the noise comes from `generator`
    (drawn on the CPU), so a seeded generator gives the same bound anywhere."""
    mean, logvar = model.encode(levels.float() / (LEVELS - 1))
    noise = torch.randn((samples, *mean.shape), generator=generator).to(mean)
    z = mean + noise * torch.exp(0.5 * logvar)  # (K, B, D)
    logits = model.decode_logits(z.flatten(0, 1))
    repeated = levels.expand(samples, *levels.shape).flatten(0, 1)
    log_px_z = level_log_prob(logits, repeated).view(samples, -1)
    log_qz_x = _standard_normal_log_prob(noise) - 0.5 * logvar.sum(-1)
    log_w = log_px_z + _standard_normal_log_prob(z) - log_qz_x
    return torch.logsumexp(log_w, 0) - math.log(samples)
