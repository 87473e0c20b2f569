"""Adversarial training machinery shared by DCGAN, pix2pix and CycleGAN.

A GAN loss (the original non-saturating cross-entropy, or least squares), the discriminator's
half of a step, a pool of past fakes (Shrivastava et al., 2017), differentiable augmentation
for small datasets (Zhao et al., 2020), the Adam settings of Radford et
al., a learning rate that decays linearly to zero over the second half of training (pix2pix and
CycleGAN), and running averages of the losses for the progress bar and TensorBoard.
"""

from __future__ import annotations

import contextlib
import random

import torch
import torch.nn.functional as F
from torch import nn


class GANLoss:
    """`loss(logits, real)`: how far the discriminator's logits are from saying `real`.

    "vanilla" is binary cross-entropy on logits; used for the generator with `real=True` it is the
    non-saturating loss of Goodfellow et al. "lsgan" is the least-squares loss of Mao et al.
    (CycleGAN), steadier and without vanishing gradients for confident discriminators.
    """

    def __init__(self, kind: str = "vanilla"):
        if kind not in ("vanilla", "lsgan"):
            raise ValueError(f"GAN loss must be 'vanilla' or 'lsgan'; got {kind!r}")
        self.kind = kind

    def __call__(
        self, logits: torch.Tensor, real: bool, label: float | None = None
    ) -> torch.Tensor:
        """`label` overrides the target of 1 (real) or 0 (fake), e.g. 0.9 to smooth it."""
        target = torch.full_like(logits, (1.0 if real else 0.0) if label is None else label)
        if self.kind == "lsgan":
            return F.mse_loss(logits, target)
        return F.binary_cross_entropy_with_logits(logits, target)


def discriminator_loss(
    discriminator: nn.Module,
    real: torch.Tensor,
    fake: torch.Tensor,
    gan_loss: GANLoss,
    real_label: float = 1.0,
) -> torch.Tensor:
    """Half the loss on real plus fake images, as pix2pix and CycleGAN weight it; fakes detached.

    A `real_label` below 1 is one-sided label smoothing (Salimans et al., 2016): a discriminator
    never pushed to total certainty keeps giving the generator gradients on a small dataset.
    """
    real_loss = gan_loss(discriminator(real), True, real_label)
    fake_loss = gan_loss(discriminator(fake.detach()), False)
    return 0.5 * (real_loss + fake_loss)


@contextlib.contextmanager
def frozen(*modules: nn.Module):
    """No gradients for these modules' weights inside the block (the discriminators during G's
    step): saves their backward work; gradients still flow through them to the generator."""
    before = [(p, p.requires_grad) for module in modules for p in module.parameters()]
    for module in modules:
        module.requires_grad_(False)
    try:
        yield
    finally:
        for parameter, requires_grad in before:
            parameter.requires_grad_(requires_grad)


class ImagePool:
    """A history of generated images. The discriminator sees a fake from the pool half the time,
    so it keeps punishing old modes and the two players oscillate less (CycleGAN uses 50)."""

    def __init__(self, size: int = 50, seed: int = 0):
        self.size, self.images, self.random = size, [], random.Random(seed)

    def query(self, images: torch.Tensor) -> torch.Tensor:
        if self.size == 0:
            return images
        out = []
        for image in images.detach():
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif self.random.random() < 0.5:
                index = self.random.randrange(self.size)
                out.append(self.images[index])
                self.images[index] = image
            else:
                out.append(image)
        return torch.stack(out)

    def state_dict(self) -> dict:
        """What a checkpoint keeps (`accelerator.register_for_checkpointing`): the images and
        where the random choices stand."""
        images = torch.stack(self.images) if self.images else torch.empty(0)
        return {"images": images, "random": self.random.getstate()}

    def load_state_dict(self, state: dict) -> None:
        self.images = list(state["images"])
        self.random.setstate(state["random"])


def excess_edges(fakes: torch.Tensor, reals: torch.Tensor) -> torch.Tensor:
    """How far the fakes' total variation (mean absolute difference of neighbouring pixels)
    exceeds the reals': zero for a translation no busier than the style it paints."""

    def total_variation(images: torch.Tensor) -> torch.Tensor:
        return images.diff(dim=-2).abs().mean() + images.diff(dim=-1).abs().mean()

    return (total_variation(fakes) - total_variation(reals)).clamp(min=0)


def random_flip(*images: torch.Tensor, enabled: bool = True) -> tuple[torch.Tensor, ...]:
    """Mirror a random half of a batch left to right; the i-th image of each tensor alike, so
    pairs stay pairs."""
    if not enabled:
        return images
    mirrored = torch.rand(len(images[0]), 1, 1, 1, device=images[0].device) < 0.5
    return tuple(torch.where(mirrored, x.flip(-1), x) for x in images)


def diff_augment(images: torch.Tensor) -> torch.Tensor:
    """Differentiable augmentation (Zhao et al., 2020, policy "color,translation,cutout") of
    images in [-1, 1]: random brightness, saturation and contrast, a shift of up to an eighth of
    the size (edges repeated, so white backgrounds stay white), and a blanked square of half the
    size. Applied to every image the discriminator sees, real or fake, in both players' steps, it
    keeps D from memorising a small training set, and gradients still reach the generator."""
    count, _, height, width = images.shape
    device = images.device

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(count, 1, 1, 1, device=device)

    x = images + uniform(-0.5, 0.5)
    mean = x.mean(1, keepdim=True)
    x = (x - mean) * uniform(0, 2) + mean
    mean = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean) * uniform(0.5, 1.5) + mean

    shift = torch.randint(-(height // 8), height // 8 + 1, (count, 2), device=device)
    theta = torch.zeros(count, 2, 3, device=device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1
    theta[:, 0, 2], theta[:, 1, 2] = 2 * shift[:, 0] / width, 2 * shift[:, 1] / height
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="nearest", padding_mode="border", align_corners=False)

    centre_y = torch.randint(0, height, (count, 1, 1, 1), device=device)
    centre_x = torch.randint(0, width, (count, 1, 1, 1), device=device)
    rows = torch.arange(height, device=device).view(1, 1, -1, 1)
    columns = torch.arange(width, device=device).view(1, 1, 1, -1)
    blanked = ((rows - centre_y).abs() < height // 4) & ((columns - centre_x).abs() < width // 4)
    return x.masked_fill(blanked, 0.0)


def adam(parameters, learning_rate: float = 2e-4, beta1: float = 0.5) -> torch.optim.Adam:
    """Radford et al.'s Adam: lr 2e-4, beta1 0.5 (0.9 made training oscillate and unstable)."""
    return torch.optim.Adam(parameters, lr=learning_rate, betas=(beta1, 0.999))


def set_linear_decay(
    optimizers: list[torch.optim.Optimizer], learning_rate: float, step: int, total: int
) -> float:
    """Constant for the first half of training, then linearly to zero; returns the rate set."""
    half = total / 2
    rate = learning_rate * min(1.0, max(0.0, (total - step) / half)) if half else learning_rate
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group["lr"] = rate
    return rate
