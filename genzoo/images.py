"""Turning whatever a user uploads or draws into a checked image, and tensors back into pictures.

Every upload passes through `open_image`, which reads the bytes itself (never trusting a UI
library's preprocessing), refuses what is not a sane image with an `InvalidInputError` whose
message can be shown to the user as is, and normalises odd modes (RGBA, palette, 16-bit, CMYK).
"""

from __future__ import annotations

import io
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about 6300 x 6300; larger images are refused before decoding
MAX_SIDE = 512
"""Uploads larger than this on a side are scaled down to it (keeping their shape) as soon as they
are decoded: every model here works at 256 px or less, and editors stay quick at this size."""


NOT_AN_IMAGE = "That file is not an image I can read. Please upload a PNG, JPEG, GIF, BMP or WebP."
TOO_BIG_FILE = f"That file is over {MAX_UPLOAD_BYTES // 2**20} MB; please upload a smaller one."


class InvalidInputError(ValueError):
    """Bad user input; the message is written for the user and is safe to show."""


def check_range(name: str, value: float, low: float, high: float) -> float:
    """Return `value` if `low <= value <= high`, else raise a message naming the allowed range."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be a number, got {value!r}.") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise InvalidInputError(f"{name} must be between {low:g} and {high:g}, got {value!r}.")
    return number


MAX_SEED = 2**31 - 1  # every seed a visitor can type, in every family


def check_int(name: str, value: float, low: int, high: int) -> int:
    """Like `check_range`, for a whole number."""
    number = check_range(name, value, low, high)
    if number != int(number):
        raise InvalidInputError(f"{name} must be a whole number, got {value!r}.")
    return int(number)


def open_image(
    source: str | os.PathLike | bytes | np.ndarray | Image.Image | None, background: int = 0
) -> Image.Image:
    """Decode an upload into an RGB or L image, or raise `InvalidInputError` saying why not.

    `source` is a temporary file path handed over by a UI, raw bytes, an array or a PIL image.
    Transparent pixels go onto a grey level `background` (0, black, as in MNIST; 255 for emoji).
    An image larger than `MAX_SIDE` on a side comes back scaled down to it.
    """
    if source is None:
        raise InvalidInputError("No image was given: upload a file or draw something.")
    if isinstance(source, Image.Image):
        return bounded(_normalise_mode(source, background))
    if isinstance(source, np.ndarray):
        return bounded(_from_array(source, background))
    data = _read_bytes(source)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InvalidInputError(too_large_message()) from None
        except Exception:
            raise InvalidInputError(NOT_AN_IMAGE) from None
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise InvalidInputError(too_large_message(width, height))
        if width < 1 or height < 1:
            raise InvalidInputError("That image is empty (zero width or height).")
        try:
            image.load()
        except Exception:
            raise InvalidInputError(
                "That image file is truncated or corrupt, so it cannot be decoded. "
                "Please upload a complete image."
            ) from None
    return bounded(_normalise_mode(image, background))


def bounded(image: Image.Image, side: int = MAX_SIDE) -> Image.Image:
    """`image` scaled down (keeping its shape) to at most `side` pixels on a side; as it is when
    it fits already."""
    if max(image.size) <= side:
        return image
    image = image.copy()
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return image


def open_drawing(array: np.ndarray | None) -> Image.Image:
    """A sketch-pad drawing (RGBA, transparent where untouched) as strokes on a white page."""
    if array is None or not isinstance(array, np.ndarray) or array.ndim != 3 or array.size == 0:
        raise InvalidInputError("Nothing is drawn yet: draw on the sketch pad first.")
    if array.shape[2] == 4:
        page = Image.new("RGBA", (array.shape[1], array.shape[0]), (255, 255, 255, 255))
        return Image.alpha_composite(page, Image.fromarray(array.astype(np.uint8), "RGBA")).convert(
            "RGB"
        )
    return open_image(array)


def mask_from_editor(value) -> tuple[Image.Image, Image.Image]:
    """(image, mask) from a Gradio ImageEditor value: the background is the image, and whatever
    the user painted on the layers (any colour) is the mask, white where to repaint."""
    if not isinstance(value, dict) or value.get("background") is None:
        raise InvalidInputError("Upload an image to inpaint first.")
    image = open_image(value["background"], background=255).convert("RGB")
    painted = Image.new("L", image.size)
    for layer in value.get("layers") or []:
        layer = np.asarray(layer)
        if layer.ndim == 3 and layer.shape[2] == 4:
            strokes = Image.fromarray(((layer[:, :, 3] > 0) * 255).astype(np.uint8))
            painted = ImageChops.lighter(painted, strokes.resize(image.size))  # as it was bounded
    return image, painted.point(lambda alpha: 255 if alpha else 0)


def mask_from_strokes(strokes: bytes | None) -> Image.Image:
    """A mask (white where painted) from a sketch pad's PNG of strokes on transparency."""
    if not strokes:
        raise InvalidInputError("Paint over the part of the image to redo, then use the mask.")
    try:
        layer = Image.open(io.BytesIO(strokes))
        layer.load()
    except Exception:
        raise InvalidInputError("The painted mask could not be read; paint it again.") from None
    alpha = np.asarray(layer.convert("RGBA"))[:, :, 3]
    return Image.fromarray((alpha > 0).astype(np.uint8) * 255)


def _read_bytes(source: str | os.PathLike | bytes) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise InvalidInputError("The uploaded file could not be found; please upload it again.")
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise InvalidInputError(TOO_BIG_FILE)
        data = path.read_bytes()
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInputError(TOO_BIG_FILE)
    if not data:
        raise InvalidInputError("That file is empty.")
    return data


def too_large_message(width: int | None = None, height: int | None = None) -> str:
    size = f" ({width} x {height})" if width else ""
    return (
        f"That image is too large{size}: at most {MAX_PIXELS // 1_000_000} million pixels, please."
    )


def _from_array(array: np.ndarray, background: int = 0) -> Image.Image:
    if array.ndim not in (2, 3) or array.size == 0:
        raise InvalidInputError("That drawing or array is not an image.")
    if array.shape[0] * array.shape[1] > MAX_PIXELS:
        raise InvalidInputError(too_large_message(array.shape[1], array.shape[0]))
    if array.dtype != np.uint8:
        array = _to_uint8(array.astype(np.float64))
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 3 and array.shape[2] not in (3, 4):
        raise InvalidInputError("That drawing or array is not an image.")
    return _normalise_mode(Image.fromarray(array), background)


def _to_uint8(array: np.ndarray) -> np.ndarray:
    array = np.nan_to_num(array)
    high = array.max(initial=0.0)
    scale = 255.0 if high <= 1.0 else 255.0 / 65535.0 if high > 255 else 1.0
    return np.clip(array * scale, 0, 255).round().astype(np.uint8)


def _normalise_mode(image: Image.Image, background: int = 0) -> Image.Image:
    """Map every Pillow mode onto RGB or L; transparency is flattened onto `background`."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return Image.fromarray(_to_uint8(np.asarray(image, dtype=np.float64)), mode="L")
    if image.mode in ("1", "L"):
        return image.convert("L")
    if image.mode == "P" or image.mode in ("LA", "PA", "La", "RGBa"):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        page = Image.new("RGBA", image.size, (background, background, background, 255))
        return Image.alpha_composite(page, image).convert("RGB")
    return image.convert("RGB")


def is_blank(image: Image.Image, tolerance: int = 8) -> bool:
    """True when the picture is one flat colour, such as an untouched sketch pad."""
    low, high = image.convert("L").getextrema()
    return high - low <= tolerance


def to_tensor(
    image: Image.Image,
    size: int,
    channels: int,
    invert: str | bool = "auto",
    background: int = 0,
) -> torch.Tensor:
    """Fit an image into a (1, C, size, size) float tensor in [0, 1], as the models were trained:
    scaled to fit, centred, and padded to a square with grey level `background`.

    MNIST-like datasets show a light object on a dark background: with `invert="auto"` a picture
    with a light border (a photo on white paper, a black-on-white drawing) is inverted to match.
    """
    image = image.convert("L" if channels == 1 else "RGB")
    if invert == "auto":
        invert = _border_is_light(image)
    if invert:
        image = ImageOps.invert(image)
    fill = background if channels == 1 else (background,) * 3
    width, height = image.size
    if 2 * min(width, height) * size < max(width, height):
        # a sliver (1 x 1000) whose short side would round to 0 px and make Pillow fail: 1 px
        scale = size / max(width, height)
        fitted = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = image.resize(fitted, Image.Resampling.LANCZOS)
    image = ImageOps.pad(image, (size, size), method=Image.Resampling.LANCZOS, color=fill)
    array = np.asarray(image, dtype=np.float32) / 255.0
    tensor = torch.from_numpy(array)
    tensor = tensor[None] if channels == 1 else tensor.permute(2, 0, 1)
    return tensor[None].contiguous()


COLOUR_TOLERANCE = 16  # grey levels a channel may stray from the pixel's mean and still be grey


def is_colour(image: Image.Image, tolerance: int = COLOUR_TOLERANCE) -> bool:
    """True when some pixel's colour channels differ: a colour picture, not a grey one."""
    if image.mode != "RGB":
        return False
    pixels = np.asarray(image, dtype=np.int16)
    return bool(np.abs(pixels - pixels.mean(axis=2, keepdims=True)).max() > tolerance)


@dataclass(frozen=True)
class GreyLevels:
    """A picture fitted to a model of small grey 8-bit images (Fashion-MNIST's kind), and what
    was done to fit it, in sentences a visitor can read."""

    levels: torch.Tensor  # (1, 1, size, size) uint8, light on dark
    notes: tuple[str, ...] = ()


def grey_levels(image, size: int, flat_message: str) -> GreyLevels:
    """An upload or drawing (anything `open_image` takes) as such a model takes it: grey, fitted
    into size x size, light on dark, 8 bits. A flat picture is refused with `flat_message`."""
    picture = open_image(image)
    if is_blank(picture):
        raise InvalidInputError(flat_message)
    notes = []
    if is_colour(picture):
        notes.append("It was in colour: it is converted to grey, as these models know only grey.")
    if picture.size != (size, size):
        notes.append(f"It was {picture.width}x{picture.height}: it is fitted into {size}x{size}.")
    x = to_tensor(picture, size, 1)  # a light background is inverted, as in the training data
    if to_tensor(picture, size, 1, invert=False).ne(x).any():
        notes.append("Its background was light: it is inverted, to light on dark like the data.")
    return GreyLevels((x * 255).round().to(torch.uint8), tuple(notes))


def _border_is_light(image: Image.Image) -> bool:
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return float(np.median(border)) > 127


def to_pil(images: torch.Tensor) -> Image.Image:
    """A (C, H, W) or (1, C, H, W) tensor in [0, 1] as a PIL image."""
    if images.ndim == 4:
        images = images[0]
    array = (images.detach().float().clamp(0, 1) * 255).round().to(torch.uint8).cpu()
    array = array.permute(1, 2, 0).numpy()
    return Image.fromarray(array[..., 0] if array.shape[2] == 1 else array)


def make_grid(
    images: torch.Tensor, rows: int = 0, padding: int = 0, columns: int = 0
) -> Image.Image:
    """Tile a (N, C, H, W) batch in [0, 1] into `rows` rows, or rows of `columns` images, as one
    PIL image (white gutters)."""
    count, channels, height, width = images.shape
    if columns:
        rows = math.ceil(count / columns)
    cols = columns or math.ceil(count / rows)
    blank = images.new_ones(rows * cols - count, channels, height, width)
    tiles = torch.cat([images, blank])
    tiles = torch.nn.functional.pad(tiles, (0, padding, 0, padding), value=1.0)
    tiles = tiles.view(rows, cols, channels, height + padding, width + padding)
    grid = tiles.permute(2, 0, 3, 1, 4).reshape(channels, rows * (height + padding), -1)
    return to_pil(grid[:, : grid.shape[1] - padding, : grid.shape[2] - padding])


DISPLAY_SIZE = 256  # small results are enlarged to about this many pixels across


def for_display(image: Image.Image, tiles: int = 1) -> Image.Image:
    """A small picture (or a row of `tiles` of them) enlarged, with crisp pixels, to about
    `DISPLAY_SIZE` pixels a tile."""
    return upscale(image, max(1, DISPLAY_SIZE * tiles // image.width))


def upscale(image: Image.Image, factor: int) -> Image.Image:
    """Enlarge a small picture with crisp pixels, so 28-pixel digits read well on a page."""
    return image.resize((image.width * factor, image.height * factor), Image.Resampling.NEAREST)


def fit_square(image: Image.Image, size: int, fill=255) -> Image.Image:
    """Scale to fit a `size` square, centred on a background of `fill`."""
    scale = size / max(image.size)
    resized = image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
        Image.Resampling.LANCZOS,
    )
    canvas = Image.new(image.mode, (size, size), fill if image.mode == "L" else (fill,) * 3)
    canvas.paste(resized, ((size - resized.width) // 2, (size - resized.height) // 2))
    return canvas


def equation(tiles: list[Image.Image], operators: list[str]) -> Image.Image:
    """Tiles in a row with an operator between each two: `a - b + c = d` (ASCII operators: the
    default font has no U+2212 minus and would draw a missing-glyph box)."""
    side, gap = tiles[0].height, max(24, tiles[0].height // 3)
    canvas = Image.new("RGB", (len(tiles) * side + len(operators) * gap, side), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=gap * 0.8)
    x = 0
    for index, tile in enumerate(tiles):
        canvas.paste(tile.convert("RGB"), (x, 0))
        x += side
        if index < len(operators):
            draw.text(
                (x + gap / 2, side / 2), operators[index], fill="black", font=font, anchor="mm"
            )
            x += gap
    return canvas


FAST_OCTREE = Image.Quantize.FASTOCTREE


def animated_gif(
    frames: list[Image.Image], duration_ms: int = 120, back_and_forth: bool = True
) -> bytes:
    """Frames forth (and back, unless told otherwise), looping, as GIF bytes. Each colour frame
    gets its own 256-colour palette by the fast octree method: Pillow's default (median cut)
    takes about seven times as long."""
    frames = [
        frame if frame.mode == "L" else frame.convert("RGB").quantize(method=FAST_OCTREE)
        for frame in frames
    ]
    loop = frames + frames[-2:0:-1] if back_and_forth else frames
    buffer = io.BytesIO()
    loop[0].save(buffer, "GIF", save_all=True, append_images=loop[1:], duration=duration_ms, loop=0)
    return buffer.getvalue()


def timelapse(
    grids: list, steps: list[int], frames: int = 24, width: int = 256, earlier: list = ()
) -> bytes:
    """Grids saved along a training run (paths, in order, and their steps) as an animated GIF
    of at most `frames` of them, evenly chosen from the first to the last, each at most `width`
    pixels wide and captioned with its step. `earlier`: the captioned frames of a time-lapse the
    run went on from, played first."""
    shown = [*earlier, *zip(grids, steps, strict=True)]
    last = len(shown) - 1
    picks = sorted({round(i * last / max(1, frames - 1)) for i in range(frames)})
    return animated_gif(
        [_frame(shown[i], width) for i in picks], duration_ms=300, back_and_forth=False
    )


def _frame(shown, width: int) -> Image.Image:
    """A time-lapse frame: an earlier one as it is, or a (grid path, step) captioned."""
    if isinstance(shown, Image.Image):
        return shown
    path, step = shown
    return _captioned(path, f"step {step:,}", width)


def _captioned(path, caption: str, width: int) -> Image.Image:
    with Image.open(path) as image:
        frame = image.convert("RGB")
    if frame.width > width:
        frame = frame.resize((width, round(frame.height * width / frame.width)), Image.LANCZOS)
    captioned = Image.new("RGB", (frame.width, frame.height + 16), "white")
    captioned.paste(frame, (0, 16))
    ImageDraw.Draw(captioned).text((4, 2), caption, fill="black")
    return captioned
