"""CycleGAN (Zhu et al., 2017): two ResNet generators, A -> B and B -> A, Hub-ready as one model.

Each generator is Johnson et al.'s: a 7x7 stem, two stride-2 convolutions down, residual blocks,
two transposed convolutions up and a 7x7 tanh head, reflection padding and instance norm. It is
fully convolutional, so it translates any size divisible by 4. `upsample="resize"` swaps each
transposed convolution for nearest-neighbour resizing and a 3x3 convolution (Odena et al., 2016,
"Deconvolution and checkerboard artifacts"), which keeps the outputs free of checkerboards.
`learn_change=True` makes each generator predict a change added to its input: its head starts at
zero, so training starts from the identity and only moves where the other style differs.
The two PatchGAN discriminators (`genzoo.models.pix2pix.PatchDiscriminator`) stay in the
training run.
"""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from genzoo.models.dcgan import init_weights


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=False),
            nn.InstanceNorm2d(channels),
            nn.ReLU(True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=False),
            nn.InstanceNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


UPSAMPLING = ("transpose", "resize")


def _upsampling(inputs: int, outputs: int, kind: str) -> nn.Module:
    """Twice the height and width: a transposed convolution, or resizing then a convolution."""
    if kind == "transpose":
        return nn.ConvTranspose2d(
            inputs, outputs, 3, stride=2, padding=1, output_padding=1, bias=False
        )
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.ReflectionPad2d(1),
        nn.Conv2d(inputs, outputs, 3, bias=False),
    )


class ResnetGenerator(nn.Module):
    """Images (B, channels, H, W) in [-1, 1] -> translated images of the same shape."""

    def __init__(
        self,
        *,
        channels: int = 3,
        base_channels: int = 64,
        blocks: int = 6,
        upsample: str = "transpose",
        learn_change: bool = False,
    ):
        super().__init__()
        self.learn_change = learn_change
        if upsample not in UPSAMPLING:
            raise ValueError(f"upsample must be one of {UPSAMPLING}; got {upsample!r}")
        width = base_channels
        layers = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(channels, width, 7, bias=False),
            nn.InstanceNorm2d(width),
            nn.ReLU(True),
        ]
        for _ in range(2):
            layers += [
                nn.Conv2d(width, width * 2, 3, stride=2, padding=1, bias=False),
                nn.InstanceNorm2d(width * 2),
                nn.ReLU(True),
            ]
            width *= 2
        layers += [ResidualBlock(width) for _ in range(blocks)]
        for _ in range(2):
            layers += [
                _upsampling(width, width // 2, upsample),
                nn.InstanceNorm2d(width // 2),
                nn.ReLU(True),
            ]
            width //= 2
        head = nn.Conv2d(width, channels, 7)
        layers += [nn.ReflectionPad2d(3), head]
        if not learn_change:
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)
        init_weights(self)
        if learn_change:
            nn.init.zeros_(head.weight)
            nn.init.zeros_(head.bias)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if self.learn_change:
            return (images + self.net(images)).clamp(-1, 1)
        return self.net(images)


class CycleGAN(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="genzoo",
    tags=["cyclegan", "gan", "genzoo", "image-to-image"],
    pipeline_tag="image-to-image",
    license="mit",
):
    """The pair of generators: `a_to_b` and `b_to_a`, with the names of the two domains."""

    def __init__(
        self,
        *,
        image_size: int = 64,
        channels: int = 3,
        base_channels: int = 64,
        blocks: int = 6,
        upsample: str = "transpose",
        learn_change: bool = False,
        domain_a: str = "A",
        domain_b: str = "B",
    ):
        super().__init__()
        self.image_size, self.channels = image_size, channels
        self.domain_a, self.domain_b = domain_a, domain_b
        self.a_to_b, self.b_to_a = (
            ResnetGenerator(
                channels=channels,
                base_channels=base_channels,
                blocks=blocks,
                upsample=upsample,
                learn_change=learn_change,
            )
            for _ in "ab"
        )

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def directions(self) -> dict[str, str]:
        """Each generator's name, with what it translates: "emoji-twitter → emoji-google"."""
        a, b = self.domain_a, self.domain_b
        return {"a_to_b": f"{a} → {b}", "b_to_a": f"{b} → {a}"}

    def translate(self, images: torch.Tensor, direction: str) -> torch.Tensor:
        """`direction` is "a_to_b" or "b_to_a"."""
        if direction not in ("a_to_b", "b_to_a"):
            raise ValueError(f"direction must be 'a_to_b' or 'b_to_a'; got {direction!r}")
        return getattr(self, direction)(images)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.a_to_b(images)
