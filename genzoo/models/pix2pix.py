"""pix2pix (Isola et al., 2017): a U-Net generator and a PatchGAN discriminator, Hub-ready.

The generator halves the image `depth` times down to 1x1 and climbs back, each level's decoder
seeing the encoder's features of the same size (the skips carry the shared structure, e.g. the
outlines of a line drawing). Instance norm everywhere, so a single image is translated exactly as
during training; dropout in the three innermost decoder levels, as the paper's noise, is on only
in training. The PatchGAN discriminator (shared with CycleGAN) judges overlapping patches.
"""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from genzoo.models.dcgan import init_weights


class UNetGenerator(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="genzoo",
    tags=["pix2pix", "gan", "genzoo", "image-to-image"],
    pipeline_tag="image-to-image",
    license="mit",
):
    """Images (B, in_channels, S, S) in [-1, 1] -> (B, out_channels, S, S); S = image_size."""

    def __init__(
        self,
        *,
        image_size: int = 64,
        in_channels: int = 3,
        out_channels: int = 3,
        base_channels: int = 64,
        max_channels: int = 512,
        dropout: float = 0.5,
        source_style: str = "",
        target_style: str = "",
    ):
        super().__init__()
        self.image_size, self.in_channels = image_size, in_channels
        self.source_style, self.target_style = source_style, target_style
        depth = image_size.bit_length() - 1
        if 2**depth != image_size:
            raise ValueError(f"image_size must be a power of two; got {image_size}")
        widths = [min(base_channels * 2**i, max_channels) for i in range(depth)]
        self.down = nn.ModuleList()
        channels = in_channels
        for level, width in enumerate(widths):
            norm = 0 < level < depth - 1  # none on the input or the 1x1 bottleneck
            self.down.append(
                nn.Sequential(
                    nn.LeakyReLU(0.2) if level else nn.Identity(),
                    nn.Conv2d(channels, width, 4, stride=2, padding=1, bias=not norm),
                    nn.InstanceNorm2d(width) if norm else nn.Identity(),
                )
            )
            channels = width
        self.up = nn.ModuleList()
        for level in reversed(range(depth)):
            inner = widths[level] * (1 if level == depth - 1 else 2)
            outer = widths[level - 1] if level else out_channels
            self.up.append(
                nn.Sequential(
                    nn.ReLU(),
                    nn.ConvTranspose2d(inner, outer, 4, stride=2, padding=1, bias=not level),
                    nn.InstanceNorm2d(outer) if level else nn.Tanh(),
                    nn.Dropout(dropout) if level >= depth - 3 else nn.Identity(),
                )
            )
        init_weights(self)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        skips = []
        x = images
        for block in self.down:
            x = block(x)
            skips.append(x)
        skips.pop()
        for block in self.up:
            x = block(x)
            if skips:
                x = torch.cat([x, skips.pop()], 1)
        return x


class PatchDiscriminator(nn.Module):
    """Images (B, channels, S, S) -> a map of logits, one per overlapping patch.

    Each logit sees a receptive field of 34 px with `layers=2` (70 px with 3, as in the paper at
    256 px); at 64 px, 2 layers judge texture and local structure without seeing the whole image.
    """

    def __init__(self, *, channels: int = 3, base_channels: int = 64, layers: int = 2):
        super().__init__()
        blocks = [
            nn.Conv2d(channels, base_channels, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2, True),
        ]
        width = base_channels
        for index in range(1, layers + 1):
            stride = 2 if index < layers else 1
            blocks += [
                nn.Conv2d(width, width * 2, 4, stride=stride, padding=1, bias=False),
                nn.InstanceNorm2d(width * 2, affine=True),
                nn.LeakyReLU(0.2, True),
            ]
            width *= 2
        blocks.append(nn.Conv2d(width, 1, 4, padding=1))
        self.net = nn.Sequential(*blocks)
        init_weights(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)
