"""Raster-order sampling from an autoregressive model of pixels (`GatedPixelCNN`): row by row,
pixel by pixel, each drawn from the model's distribution given every pixel before it.

The noise is drawn on the CPU from the seed, one uniform number per pixel, before anything else:
the same seed gives the same images on any device, and a completion draws each hidden pixel with
the noise a full sample would have used there. Visible pixels (`visible`) are copied, never drawn,
so a completion keeps them exactly.

This is the naive sampler: for every pixel it runs the whole network again, over the rows up to
the pixel's own (the network's causality makes the rows below irrelevant).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from genzoo.models.pixelcnn import GatedPixelCNN

RowCallback = Callable[[int, torch.Tensor], None]
"""Called after each row with the number of rows done and the images so far, (B, 1, H, W) uint8
on the CPU. Raising from it stops the sampling (a cancel), and the exception propagates."""


@torch.inference_mode()
def sample(
    model: GatedPixelCNN,
    *,
    count: int = 1,
    seed: int = 0,
    given: torch.Tensor | None = None,
    visible: torch.Tensor | None = None,
    callback: RowCallback | None = None,
) -> torch.Tensor:
    """`count` images (count, 1, H, W) uint8, drawn in raster order.

    For a completion, `given` holds images (count or 1, 1, H, W) in 0..255 and `visible` a
    boolean mask broadcastable to (count, 1, H, W): the visible pixels are kept exactly, the
    others drawn given all the pixels before them."""
    size = model.image_size
    shape = (count, 1, size, size)
    uniform = torch.rand(shape, generator=torch.Generator().manual_seed(seed))
    images, hidden = _start(shape, given, visible)
    device = model.device
    images, hidden, uniform = images.to(device), hidden.to(device), uniform.to(device)
    for row in range(size):
        for column in hidden[:, 0, row].any(0).nonzero().flatten().tolist():
            _draw_pixel(model, images, hidden, uniform, row, column)
        if callback is not None:
            callback(row + 1, images.cpu())
    return images.cpu()


def _start(
    shape: tuple[int, ...], given: torch.Tensor | None, visible: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """The images to fill in (visible pixels set, hidden ones zero) and the mask of those to
    draw, both (count, 1, H, W)."""
    if given is None and visible is None:
        return torch.zeros(shape, dtype=torch.uint8), torch.ones(shape, dtype=torch.bool)
    if given is None or visible is None:
        raise ValueError("A completion needs both the given images and the visible mask.")
    visible = visible.to(torch.bool).expand(shape)
    given = given.to(torch.uint8).expand(shape)
    return torch.where(visible, given, 0), ~visible


def _draw_pixel(
    model: GatedPixelCNN,
    images: torch.Tensor,
    hidden: torch.Tensor,
    uniform: torch.Tensor,
    row: int,
    column: int,
) -> None:
    """Draw pixel (row, column) of every image where it is hidden, in place."""
    params = model(images[:, :, : row + 1])[:, :, row : row + 1, column : column + 1]
    drawn = model.draw(params, uniform[:, :, row : row + 1, column : column + 1])[:, :, 0, 0]
    pixel = images[:, :, row, column]
    images[:, :, row, column] = torch.where(hidden[:, :, row, column], drawn, pixel)
