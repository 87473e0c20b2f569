"""A multi-scale Glow (Kingma & Dhariwal, 2018) for small grey images, Hub-ready.

The flow is an exact, invertible map between an image x in [0, 1]^D and a latent z of the same
size, standard normal under the model, so that log p(x) = log N(z) + log |det dz/dx| exactly.
Each level is K Glow steps (actnorm, an invertible 1x1 convolution, an affine coupling) after a
squeeze; between levels half the channels are split off as that level's latent (RealNVP's
multi-scale). For 28x28x1 with two levels: 28 -> 14 (4 channels, K steps, 2 split off) -> 7
(8 channels, K steps), 392 + 392 = 784 latent numbers.

The layers are normflows' (1.7.3, MIT): `GlowBlock`, `Squeeze`, `Merge`, `GlowBase`, `Logit` and
`MultiscaleFlow`, chosen over FrEIA 0.2 (whose convolutional blocks have a fixed permutation or a
Householder one, not Glow's learned 1x1 convolution, and whose multi-scale needs a graph of split
nodes) and over writing the layers here. What was checked in its code: every layer returns its
log-determinant both ways, the 1x1 convolution is LU-parametrised and inverted in float64, the
coupling's scale is Glow's sigmoid(h + 2), and all state (actnorm's "initialised" flag and the
LU's permutation included) is parameters or buffers, so `save_pretrained` writes it to safetensors
and `from_pretrained` restores it. Three things are done here instead: noise is drawn from a
seeded CPU generator (normflows draws from the global one), the latent is whitened by each
level's learned base Gaussian (so temperature is a plain factor), and bits per dimension are
computed here (normflows' `bitsPerDim` assumes another logit scaling than its `Logit` uses).

Pixels are dequantised with uniform noise: an 8-bit image k becomes x = (k + u) / 256, and
log P(k) >= E_u log p(x) - D ln 256 (Theis et al., 2016), so bits/dim = (NLL in nats / D +
ln 256) / ln 2 with pixels in [0, 1].
"""

from __future__ import annotations

import math
import warnings

import normflows as nf
import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

LEVELS_OF_BITS = 256  # 8-bit pixels
PREPROCESSING = ("logit", "centre")


class Centre(nf.flows.Flow):
    """x in [0, 1] <-> x - 0.5, Glow's own preprocessing (normflows' `Shift` edits its input in
    place)."""

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return z + 0.5, z.new_zeros(len(z))

    def inverse(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return x - 0.5, x.new_zeros(len(x))


class Glow(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="genzoo",
    tags=["flow", "normalizing-flow", "glow", "genzoo", "image-generation"],
    pipeline_tag="unconditional-image-generation",
    license="mit",
):
    def __init__(
        self,
        *,
        image_size: int = 28,
        in_channels: int = 1,
        levels: int = 2,
        steps_per_level: int = 8,
        hidden_channels: int = 128,
        preprocessing: str = "logit",
        logit_alpha: float = 0.05,
        class_names: list[str] | None = None,
    ):
        super().__init__()
        if image_size % 2**levels:
            raise ValueError(f"image_size {image_size} must be divisible by {2**levels}")
        if preprocessing not in PREPROCESSING:
            raise ValueError(f"preprocessing must be one of {PREPROCESSING}, not {preprocessing!r}")
        self.image_size, self.in_channels, self.levels = image_size, in_channels, levels
        self.class_names = list(class_names or [])
        self.latent_shapes = latent_shapes(image_size, in_channels, levels)
        bases, flows, merges = [], [], []
        for level, shape in enumerate(self.latent_shapes):
            channels = in_channels * 2 ** (levels + 1 - level)  # after the merge with the latent
            flows.append(
                [*glow_steps(channels, hidden_channels, steps_per_level), nf.flows.Squeeze()]
            )
            bases.append(nf.distributions.GlowBase(shape))
            if level > 0:
                merges.append(nf.flows.Merge())
        transform = nf.transforms.Logit(logit_alpha) if preprocessing == "logit" else Centre()
        self.flow = nf.MultiscaleFlow(bases, flows, merges, transform, class_cond=False)

    @property
    def dimensions(self) -> int:
        return self.in_channels * self.image_size**2

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def encode(self, x: torch.Tensor) -> list[torch.Tensor]:
        """(B, C, H, W) images in [0, 1] -> one latent per level, coarsest first, each standard
        normal under the model (see `latent_shapes`)."""
        raw, _ = self.flow.inverse_and_log_det(x)
        return [(z - mean) * torch.exp(-log_scale) for z, (mean, log_scale) in self._bases(raw)]

    def decode(self, latents: list[torch.Tensor]) -> torch.Tensor:
        """The exact inverse of `encode`: latents -> (B, C, H, W) images (in [0, 1] for latents
        of an image; clamp a sample's)."""
        raw = [mean + torch.exp(log_scale) * z for z, (mean, log_scale) in self._bases(latents)]
        x, _ = self.flow.forward_and_log_det(raw)
        return x

    def _bases(self, latents: list[torch.Tensor]):
        """Each latent with its level's base Gaussian: per-channel mean and log scale, as
        normflows' `GlowBase` computes them."""
        for z, base in zip(latents, self.flow.q0, strict=True):
            mean = base.loc * torch.exp(base.loc_logs * base.logscale_factor)
            log_scale = base.log_scale * torch.exp(base.log_scale_logs * base.logscale_factor)
            yield z, (mean, log_scale)

    def log_density(self, x: torch.Tensor) -> torch.Tensor:
        """log p(x) in nats per image, (B,), of the continuous density on [0, 1]^D."""
        return self.flow.log_prob(x, None)

    def dequantise(
        self, images: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """uint8 images -> (k + u) / 256 with u ~ U[0, 1): from `generator` (drawn on the CPU),
        else from the global generator of the images' device."""
        if generator is None:
            noise = torch.rand(images.shape, device=images.device, dtype=self._dtype)
        else:
            noise = torch.rand(images.shape, generator=generator, dtype=self._dtype)
        return (images.to(self._dtype) + noise.to(images.device)) / LEVELS_OF_BITS

    @property
    def _dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype

    def log_prob(self, images: torch.Tensor, generator: torch.Generator | None = None):
        """log P of 8-bit images (uint8, (B, C, H, W)) in nats, (B,): the dequantisation bound
        log p((k + u) / 256) - D ln 256, with one draw of u per image."""
        return self.log_density(self.dequantise(images, generator)) - self.dimensions * math.log(
            LEVELS_OF_BITS
        )

    def bits_per_dim(self, images: torch.Tensor, generator: torch.Generator | None = None):
        """Bits per dimension of 8-bit images, (B,): (NLL in nats / D + ln 256) / ln 2 with the
        pixels in [0, 1], i.e. -log P / (D ln 2)."""
        return -self.log_prob(images, generator) / (self.dimensions * math.log(2))

    def forward(self, images: torch.Tensor, generator: torch.Generator | None = None):
        """The training loss's per-image term: `bits_per_dim`."""
        return self.bits_per_dim(images, generator)

    @torch.no_grad()
    def sample(
        self, count: int, temperature: float = 0.7, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """`count` images in [0, 1], (count, C, H, W), from latents drawn on the CPU (seeded by
        `generator`) and scaled by `temperature` (Glow's T; 0.7 looks best, 1 is the model)."""
        latents = [
            temperature * torch.randn(count, *shape, generator=generator)
            for shape in self.latent_shapes
        ]
        return self.decode([z.to(self.device, self._dtype) for z in latents]).clamp(0, 1)

    @torch.no_grad()
    def initialize(self, images: torch.Tensor, generator: torch.Generator | None = None) -> None:
        """Glow's data-dependent actnorm initialisation, on a batch of uint8 images: each actnorm
        starts out standardising its input. Call it once, before training (a loaded model is
        initialised already)."""
        self.log_prob(images, generator)


def glow_steps(channels: int, hidden_channels: int, count: int) -> list[nf.flows.GlowBlock]:
    """`count` Glow steps on `channels` channels, each coupling's network `hidden_channels` wide."""
    with warnings.catch_warnings():  # normflows factorises the 1x1 convolution with torch.lu
        warnings.filterwarnings("ignore", "torch.lu is deprecated", UserWarning)
        return [nf.flows.GlowBlock(channels, hidden_channels) for _ in range(count)]


def latent_shapes(image_size: int, channels: int, levels: int) -> list[tuple[int, int, int]]:
    """The (C, H, W) of each level's latent, coarsest first: the last level keeps all its
    channels, every other gives off half."""
    shapes = [(channels * 2 ** (levels + 1), image_size // 2**levels, image_size // 2**levels)]
    for level in range(1, levels):
        size = image_size // 2 ** (levels - level)
        shapes.append((channels * 2 ** (levels - level), size, size))
    return shapes


@torch.no_grad()
def mean_bits_per_dim(
    model: Glow, images: torch.Tensor, *, batch_size: int = 500, seed: int = 0
) -> float:
    """The mean bits per dimension of uint8 `images` (N, C, H, W) under `model`, one seeded
    dequantisation per image: the figure a card reports."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    total = sum(
        model.bits_per_dim(batch.to(model.device), generator).double().sum().item()
        for batch in images.split(batch_size)
    )
    return total / len(images)
