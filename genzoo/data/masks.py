"""Random inpainting masks, what the mask-channel model trains on and the inpainting metric uses.

A mask is 1 where the image is to be repainted and 0 where it is kept, as diffusers' inpainting
pipelines read them (white = repaint).
"""

from __future__ import annotations

import torch


def random_masks(
    count: int, size: int, *, generator: torch.Generator, full_share: float = 0.0
) -> torch.Tensor:
    """(count, 1, size, size) masks of 0s and 1s: each the union of one to three boxes with sides
    between a quarter and three quarters of the image, or, for about `full_share` of them, the
    whole image (so that a mask-channel model keeps drawing from the prompt alone)."""
    masks = torch.zeros(count, 1, size, size)
    low, high = max(1, size // 4), max(2, size * 3 // 4)
    for mask in masks:
        if torch.rand((), generator=generator) < full_share:
            mask.fill_(1)
            continue
        for _ in range(int(torch.randint(1, 4, (), generator=generator))):
            height, width = torch.randint(low, high + 1, (2,), generator=generator).tolist()
            top = int(torch.randint(0, size - height + 1, (), generator=generator))
            left = int(torch.randint(0, size - width + 1, (), generator=generator))
            mask[:, top : top + height, left : left + width] = 1
    return masks


def grey_holes(images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] with the masked pixels mid-grey: what an inpainting model is given."""
    return images * (1 - masks) + 0.5 * masks
