"""DCGAN (Radford, Metz and Chintala, 2016): a generator and a discriminator, Hub-ready.

The paper's guidelines, followed here: strided (transposed) convolutions instead of pooling, batch
norm in both nets (not on G's output or D's input), ReLU in G with tanh at the output, LeakyReLU
0.2 in D, no fully connected hidden layers, weights from N(0, 0.02). Images are in [-1, 1].
Only the generator is published; the discriminator lives in the run's checkpoints.
"""

from __future__ import annotations

import math

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn


def _levels(image_size: int) -> int:
    levels = int(math.log2(image_size)) - 2
    if image_size < 8 or 2 ** (levels + 2) != image_size:
        raise ValueError(f"image_size must be a power of two, at least 8; got {image_size}")
    return levels


class Generator(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="genzoo",
    tags=["dcgan", "gan", "genzoo", "image-generation"],
    pipeline_tag="unconditional-image-generation",
    license="mit",
):
    """z (B, latent_dim) -> images (B, channels, image_size, image_size) in [-1, 1]."""

    def __init__(
        self,
        *,
        latent_dim: int = 100,
        image_size: int = 64,
        channels: int = 3,
        base_channels: int = 64,
    ):
        super().__init__()
        self.latent_dim, self.image_size, self.channels = latent_dim, image_size, channels
        levels = _levels(image_size)
        width = base_channels * 2 ** (levels - 1)
        layers = [  # project and reshape: a 4x4 transposed convolution of the 1x1 code
            nn.ConvTranspose2d(latent_dim, width, 4, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(True),
        ]
        for _ in range(levels - 1):
            layers += [
                nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(width // 2),
                nn.ReLU(True),
            ]
            width //= 2
        layers += [nn.ConvTranspose2d(width, channels, 4, stride=2, padding=1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        init_weights(self)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z[:, :, None, None])


class Discriminator(nn.Module):
    """Images (B, channels, image_size, image_size) in [-1, 1] -> one logit per image."""

    def __init__(self, *, image_size: int = 64, channels: int = 3, base_channels: int = 64):
        super().__init__()
        width, layers = (
            base_channels,
            [
                nn.Conv2d(channels, base_channels, 4, stride=2, padding=1),
                nn.LeakyReLU(0.2, True),
            ],
        )
        for _ in range(_levels(image_size) - 1):
            layers += [
                nn.Conv2d(width, width * 2, 4, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(width * 2),
                nn.LeakyReLU(0.2, True),
            ]
            width *= 2
        layers.append(nn.Conv2d(width, 1, 4))
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images).flatten(1)


def init_weights(module: nn.Module, std: float = 0.02) -> None:
    """The DCGAN initialisation, shared by pix2pix and CycleGAN: N(0, 0.02), norms N(1, 0.02)."""
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(layer.weight, 0.0, std)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm2d | nn.InstanceNorm2d) and layer.weight is not None:
            nn.init.normal_(layer.weight, 1.0, std)
            nn.init.zeros_(layer.bias)
