"""Bad uploads get a clear `InvalidInputError`; odd but valid images are normalised."""

import io

import numpy as np
import pytest
from PIL import Image

from genzoo.images import (
    InvalidInputError,
    check_int,
    check_range,
    is_blank,
    make_grid,
    open_drawing,
    open_image,
    timelapse,
    to_tensor,
)
from tests.helpers import encoded, png_header_claiming

NOISE = Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not an image at all", "not an image"),
        (b"", "empty"),
        (png_header_claiming(60_000, 60_000), "too large"),
        (encoded(Image.new("RGB", (64, 64), "red"))[:120], "truncated or corrupt"),
        (encoded(NOISE, "JPEG")[: len(encoded(NOISE, "JPEG")) // 2], "truncated or corrupt"),
    ],
    ids=["pdf", "empty", "bomb", "truncated-png", "truncated-jpeg"],
)
def test_bad_uploads_say_why(data, message):
    with pytest.raises(InvalidInputError, match=message):
        open_image(data)


def test_missing_path_and_none(tmp_path):
    with pytest.raises(InvalidInputError, match="could not be found"):
        open_image(tmp_path / "nothing.png")
    with pytest.raises(InvalidInputError, match="No image"):
        open_image(None)


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGBA", (30, 20), (255, 0, 0, 128)),
        Image.new("P", (30, 20), 3),
        Image.fromarray(np.full((20, 30), 40000, dtype=np.uint16)),
        Image.new("CMYK", (30, 20), (0, 255, 255, 0)),
        Image.new("1", (30, 20), 1),
        Image.new("LA", (30, 20), (200, 255)),
        Image.new("F", (30, 20), 0.5),
    ],
    ids=["rgba", "palette", "16-bit", "cmyk", "1-bit", "la", "float"],
)
def test_odd_modes_become_rgb_or_l(image, tmp_path):
    fmt = "JPEG" if image.mode == "CMYK" else "TIFF" if image.mode == "F" else "PNG"
    path = tmp_path / f"upload.{fmt.lower()}"
    image.save(path, format=fmt)
    opened = open_image(path)
    assert opened.mode in ("RGB", "L")
    assert opened.size == (30, 20)
    assert to_tensor(opened, 28, 1).shape == (1, 1, 28, 28)


def test_sixteen_bit_keeps_its_brightness():
    image = Image.fromarray(np.full((8, 8), 65535, dtype=np.uint16))
    assert open_image(encoded(image)).getextrema() == (255, 255)


def test_blank_drawing_and_strokes():
    blank = np.zeros((50, 50, 4), dtype=np.uint8)  # untouched: fully transparent
    assert is_blank(open_drawing(blank))
    blank[10:40, 20:25] = (0, 0, 0, 255)  # a black stroke
    drawing = open_drawing(blank)
    assert not is_blank(drawing)
    tensor = to_tensor(drawing, 28, 1)  # black on white is inverted to light on dark
    assert tensor[0, 0, 0, 0] < 0.1 and tensor.max() > 0.5
    with pytest.raises(InvalidInputError, match="Nothing is drawn"):
        open_drawing(None)


def test_to_tensor_pads_to_square_and_keeps_range():
    tensor = to_tensor(Image.new("L", (100, 10), 255), 28, 1, invert=False)
    assert tensor.shape == (1, 1, 28, 28)
    assert tensor.min() >= 0.0 and tensor.max() <= 1.0
    assert tensor[0, 0, 0, 14] == 0  # padding above the wide strip is background


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1, 101, "abc", None])
def test_out_of_range_values(value):
    with pytest.raises(InvalidInputError):
        check_range("Span", value, 0, 100)


def test_whole_numbers():
    assert check_int("n", 5.0, 2, 40) == 5
    with pytest.raises(InvalidInputError, match="whole number"):
        check_int("n", 5.5, 2, 40)


def test_make_grid_layout():
    import torch

    images = torch.zeros(5, 1, 4, 4)
    grid = make_grid(images, rows=2, padding=1)
    assert grid.size == (3 * 5 - 1, 2 * 5 - 1)
    assert np.asarray(grid)[0, 4] == 255  # gutter is white
    assert np.asarray(grid)[0, 0] == 0


def test_a_timelapse_keeps_the_first_and_last_grid_and_at_most_its_frames(tmp_path):
    grids = []
    for step in range(0, 1000, 10):  # 100 grids, each a shade darker
        grids.append(tmp_path / f"samples-{step:06d}.png")
        Image.new("RGB", (600, 300), (255 - step // 4,) * 3).save(grids[-1])
    gif = Image.open(io.BytesIO(timelapse(grids, list(range(0, 1000, 10)), frames=24)))
    assert gif.n_frames == 24 and gif.size == (256, 128 + 16)  # narrowed, a caption band above
    shades = []
    for index in (0, gif.n_frames - 1):
        gif.seek(index)
        shades.append(gif.convert("RGB").getpixel((128, 100))[0])
    assert abs(shades[0] - 255) <= 2 and abs(shades[1] - (255 - 990 // 4)) <= 2


def test_a_large_upload_is_scaled_down_to_at_most_max_side_keeping_its_shape():
    from genzoo.images import MAX_SIDE

    big = Image.new("RGB", (4000, 3000), "white")
    big.paste((200, 30, 30), (1000, 1000, 3000, 2000))
    for source in (encoded(big), big, np.asarray(big)):
        opened = open_image(source)
        assert opened.size == (MAX_SIDE, MAX_SIDE * 3 // 4)
        assert opened.getpixel((MAX_SIDE // 2, MAX_SIDE * 3 // 8)) == (200, 30, 30)
    small = Image.new("RGB", (300, 200), "white")
    assert open_image(small).size == (300, 200)  # what fits is left alone


def test_an_editors_layers_are_scaled_down_with_their_picture():
    """An API client's editor value of any size reaches the handlers bounded, what was painted
    still over what it was painted on."""
    from demos.editors import _bounded_layers
    from genzoo.images import MAX_SIDE, mask_from_editor

    background = np.full((1500, 2000, 4), 255, dtype=np.uint8)
    layer = np.zeros((1500, 2000, 4), dtype=np.uint8)
    layer[500:1000, 1000:1500] = (255, 0, 255, 128)  # a quarter of the width, a third of the height
    value = {"background": background, "layers": [layer], "composite": background.copy()}
    bounded = _bounded_layers(value)
    assert bounded["background"].shape == bounded["layers"][0].shape == (384, MAX_SIDE, 4)
    for editor_value in (bounded, value):  # the shared function bounds it too
        image, mask = mask_from_editor(editor_value)
        assert image.size == mask.size == (MAX_SIDE, 384)
        painted = np.asarray(mask) > 0
        assert abs(painted.mean() - 1 / 12) < 0.01
        assert painted[192, 320] and not painted[10, 10]
    assert _bounded_layers({"background": background[:100, :100]})["background"].shape == (
        100,
        100,
        4,
    )
