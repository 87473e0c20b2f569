"""Raster-order sampling from an autoregressive model of pixels (`GatedPixelCNN`): row by row,
pixel by pixel, each drawn from the model's distribution given every pixel before it.

The noise is drawn on the CPU from the seed, one uniform number per pixel, before anything else:
the same seed gives the same images on any device, and a completion draws each hidden pixel with
the noise a full sample would have used there. Visible pixels (`visible`) are copied, never drawn,
so a completion keeps them exactly.

By default the network runs incrementally (`GatedPixelCNN.raster`, the caches of Fast
PixelCNN++): its vertical stack once a row, its horizontal stack and head once a pixel at that
pixel's column only. `cache=False` runs the naive sampler instead, the whole network again for
every pixel over the rows down to its own: the same images, 18 times slower for one image and
130 times for 16 at once (docs/experiments/pixelcnn.md), kept as the reference the fast one is
tested and timed against.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from genzoo.models.pixelcnn import GatedPixelCNN, RasterPass

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
    cache: bool = True,
) -> torch.Tensor:
    """`count` images (count, 1, H, W) uint8, drawn in raster order.

    For a completion, `given` holds images (count or 1, 1, H, W) in 0..255 and `visible` a
    boolean mask broadcastable to (count, 1, H, W): the visible pixels are kept exactly, the
    others drawn given all the pixels before them. `cache=False`: the naive sampler."""
    size = model.image_size
    shape = (count, 1, size, size)
    uniform = torch.rand(shape, generator=torch.Generator().manual_seed(seed))
    images, hidden = _start(shape, given, visible)
    device = model.device
    images, hidden, uniform = images.to(device), hidden.to(device), uniform.to(device)
    raster = model.raster(count) if cache else None
    for row in range(size):
        columns = hidden[:, 0, row].any(0).nonzero().flatten().tolist()
        if raster is None:
            for column in columns:
                params = model(images[:, :, : row + 1])[:, :, row : row + 1, column : column + 1]
                _draw_pixel(model, params, images, hidden, uniform, row, column)
        else:
            _draw_row(raster, columns, images, hidden, uniform, row)
        if callback is not None:
            callback(row + 1, images.cpu())
    return images.cpu()


def _draw_row(
    raster: RasterPass,
    columns: list[int],
    images: torch.Tensor,
    hidden: torch.Tensor,
    uniform: torch.Tensor,
    row: int,
) -> None:
    """Draw the hidden pixels of `row` (at `columns`) through the incremental forward: every
    row's vertical stack is needed by the rows below, each column's horizontal features up to
    the last hidden one by the columns after it."""
    raster.begin_row(images, row)
    for column in range(columns[-1] + 1 if columns else 0):
        params = raster.pixel(images, row, column)
        if column in columns:
            _draw_pixel(raster.model, params, images, hidden, uniform, row, column)


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
    params: torch.Tensor,
    images: torch.Tensor,
    hidden: torch.Tensor,
    uniform: torch.Tensor,
    row: int,
    column: int,
) -> None:
    """Draw pixel (row, column) of every image where it is hidden, from its distribution's
    parameters (B, P, 1, 1), in place."""
    drawn = model.draw(params, uniform[:, :, row : row + 1, column : column + 1])[:, :, 0, 0]
    pixel = images[:, :, row, column]
    images[:, :, row, column] = torch.where(hidden[:, :, row, column], drawn, pixel)
