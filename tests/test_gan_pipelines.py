"""The functions behind the DCGAN, pix2pix and CycleGAN buttons, on tiny models written by the
real training scripts (folder paths, loaded through `load_model(ref, family=...)`)."""

import io
import json
import shutil

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from genzoo.data import PairedImages
from genzoo.hub import load_model
from genzoo.images import DISPLAY_SIZE, InvalidInputError, for_display, to_pil
from genzoo.models.dcgan import Generator
from genzoo.models.pix2pix import UNetGenerator
from genzoo.pipelines import gan, translation
from tests.helpers import encoded, pixels, png_header_claiming


@pytest.fixture(scope="module")
def dcgan(tiny_dcgan, tmp_path_factory) -> str:
    """The smoke-trained DCGAN with its batch-norm statistics measured on its own activations.

    After four steps the running statistics are still near their start (mean 0, variance 1)
    while the real activations are tiny, so in eval mode every code gives almost the same grey
    picture and seed tests would pass without meaning anything. Re-estimated statistics (what
    longer training reaches) make each code's picture its own."""
    net = Generator.from_pretrained(tiny_dcgan.out)
    for layer in net.modules():
        if isinstance(layer, nn.BatchNorm2d):
            layer.reset_running_stats()
            layer.momentum = None  # a plain average over what it sees
    with torch.no_grad():
        net.train()(torch.randn(256, net.latent_dim, generator=torch.Generator().manual_seed(0)))
    folder = tmp_path_factory.mktemp("models") / "tiny-dcgan-calibrated"
    net.eval().save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def pix2pix(tiny_pix2pix) -> str:
    return str(tiny_pix2pix.out)


@pytest.fixture(scope="module")
def cyclegan(tiny_cyclegan) -> str:
    return str(tiny_cyclegan.out)


def geometry(model: str) -> tuple[int, int]:
    """(side of a sample, zoom factor of the display) for a DCGAN."""
    net = gan.generator(model)
    return net.image_size, gan.zoom(net)


def tile(grid: Image.Image, index: int, columns: int, side: int, zoom: int) -> np.ndarray:
    """Sample `index` of a grid laid out as `sample` lays it out (1 px gutters, then zoomed)."""
    row, column = divmod(index, columns)
    x, y = column * (side + 1) * zoom, row * (side + 1) * zoom
    return pixels(grid)[y : y + side * zoom, x : x + side * zoom]


# DCGAN


def test_same_seed_same_pixels_other_seed_differs(dcgan):
    first, again, other = (
        gan.sample(dcgan, 9, 42),
        gan.sample(dcgan, 9, 42),
        gan.sample(dcgan, 9, 43),
    )
    assert np.array_equal(pixels(first), pixels(again))
    assert not np.array_equal(pixels(first), pixels(other))
    assert pixels(first).std() > 5  # pictures, not a flat colour


def test_latents_are_seeded_and_shared_by_every_count():
    a, b = gan.latents(16, 7), gan.latents(16, 7)
    assert a.shape == (gan.MAX_SAMPLES, 16) and torch.equal(a, b)
    assert not torch.equal(a, gan.latents(16, 8))


@pytest.mark.parametrize("count", [1, 5, 8, 9, 16, 20, 64])
def test_count_sets_the_grid(dcgan, count):
    """`count` samples in reading order, at most 8 across, as many rows as 8 across need."""
    side, zoom = geometry(dcgan)
    grid = gan.sample(dcgan, count, 0)
    columns, rest = divmod(grid.width // zoom + 1, side + 1)
    rows, rest_down = divmod(grid.height // zoom + 1, side + 1)
    assert rest == rest_down == 0 and grid.width % zoom == grid.height % zoom == 0
    assert columns == min(count, 8)
    assert rows == -(-count // 8) and rows * columns >= count
    reference = gan.sample(dcgan, 64, 0)
    for index in range(rows * columns):
        picture = tile(grid, index, columns, side, zoom)
        if index < count:
            assert np.abs(picture - tile(reference, index, 8, side, zoom)).max() <= 1
        else:
            assert (picture == 255).all()  # the rest of the last row is white


def test_sample_k_of_a_seed_is_the_same_in_any_grid(dcgan):
    side, zoom = geometry(dcgan)
    big, small = gan.sample(dcgan, 24, 5), gan.sample(dcgan, 4, 5)
    for k in range(4):
        difference = np.abs(tile(big, k, 8, side, zoom) - tile(small, k, 4, side, zoom))
        assert difference.max() <= 1, k  # at most float rounding between batch sizes
    assert np.abs(tile(big, 0, 8, side, zoom) - tile(big, 1, 8, side, zoom)).max() > 10


def test_slerp_endpoints_and_norm():
    generator = torch.Generator().manual_seed(0)
    a, b = torch.randn(100, generator=generator), torch.randn(100, generator=generator) * 1.3
    t = torch.linspace(0, 1, 11)
    path = gan.slerp(a, b, t)
    assert path.shape == (11, 100)
    torch.testing.assert_close(path[0], a)
    torch.testing.assert_close(path[-1], b)
    norms = path.norm(dim=1)
    low, high = sorted([a.norm().item(), b.norm().item()])
    assert (norms >= low - 1e-4).all() and (norms <= high + 1e-4).all()
    # a straight line would pass through much shorter, unlikely codes
    assert ((a + b) / 2).norm() < 0.8 * low


def test_slerp_of_a_point_with_itself_stays_there():
    a = torch.randn(16)
    path = gan.slerp(a, a.clone(), torch.linspace(0, 1, 5))
    assert torch.isfinite(path).all()
    torch.testing.assert_close(path, a.expand(5, -1))


def test_interpolate_strip_and_animation(dcgan):
    side, zoom = geometry(dcgan)
    steps = 6
    result = gan.interpolate(dcgan, 3, 4, steps)
    assert result.strip.size == ((steps * (side + 1) - 1) * zoom, side * zoom)
    # the ends are the first samples of each seed
    start, end = gan.sample(dcgan, 1, 3), gan.sample(dcgan, 1, 4)
    assert np.abs(tile(result.strip, 0, steps, side, zoom) - pixels(start)).max() <= 1
    assert np.abs(tile(result.strip, steps - 1, steps, side, zoom) - pixels(end)).max() <= 1
    with Image.open(io.BytesIO(result.animation)) as animation:
        assert animation.format == "GIF" and animation.is_animated
        assert animation.n_frames == 2 * steps - 2  # there and back, ends shown once
        assert animation.size == (2 * zoom * side, 2 * zoom * side)
        assert animation.info.get("loop") == 0  # loops forever
        first = pixels(animation.convert("RGB").resize(start.size, Image.NEAREST))
    # the first frame is the start, up to the 256-colour palette
    assert np.abs(first - pixels(start)).mean() < 3


def test_arithmetic_shows_operands_and_result(dcgan):
    side, zoom = geometry(dcgan)
    tile_side = 2 * zoom * side
    gap = max(24, tile_side // 3)
    picture = gan.arithmetic(dcgan, 11, 5, 5, 3)  # a - a + c = c
    assert picture.size == (4 * tile_side + 3 * gap, tile_side)
    tiles = [pixels(picture)[:, i * (tile_side + gap) :][:, :tile_side] for i in range(4)]
    assert np.abs(tiles[3] - tiles[2]).max() <= 1  # the result is sample c itself
    grid = gan.sample(dcgan, 8, 11)
    assert np.abs(tiles[0][::2, ::2] - tile(grid, 4, 8, side, zoom)).max() <= 1  # pick 5: 5th
    assert np.abs(tiles[2][::2, ::2] - tile(grid, 2, 8, side, zoom)).max() <= 1


def test_arithmetic_draws_a_minus_sign_not_a_missing_glyph(dcgan):
    side, zoom = geometry(dcgan)
    tile_side, picture = 2 * zoom * side, gan.arithmetic(dcgan, 0, 1, 2, 3)
    gap = max(24, tile_side // 3)
    operator = pixels(picture)[:, tile_side : tile_side + gap]  # between a and b
    rows, columns = np.nonzero(operator.min(axis=-1) < 128)
    width, height = np.ptp(columns) + 1, np.ptp(rows) + 1
    assert width >= 2 * height  # a dash; the missing-glyph box is taller than wide


def test_the_numbered_grid_is_the_sample_grid_with_a_number_on_each_tile(dcgan):
    plain = pixels(gan.sample(dcgan, 16, 3).convert("RGB"))
    numbered = pixels(gan.numbered_samples(dcgan, 16, 3))
    assert plain.shape == numbered.shape
    net = load_model(dcgan, family="dcgan")
    step = (net.image_size + 1) * gan.zoom(net)
    changed = np.abs(numbered - plain).max(axis=2) > 0
    for index in range(16):  # the top left of each tile changed (its number), the rest not
        row, column = divmod(index, 8)
        tile = changed[row * step : (row + 1) * step, column * step : (column + 1) * step]
        assert tile[: step // 3, : step // 2].any() and not tile[step // 2 :, step // 2 :].any()


def test_arithmetic_result_is_a_new_image(dcgan):
    side, zoom = geometry(dcgan)
    tile_side, picture = 2 * zoom * side, gan.arithmetic(dcgan, 0, 1, 2, 3)
    gap = max(24, tile_side // 3)
    tiles = [pixels(picture)[:, i * (tile_side + gap) :][:, :tile_side] for i in range(4)]
    assert all(np.abs(tiles[3] - operand).max() > 10 for operand in tiles[:3])


@pytest.mark.parametrize(
    ("action", "args", "message"),
    [
        (gan.sample, (0, 1), "Number of samples must be between 1 and 64"),
        (gan.sample, (65, 1), "Number of samples must be between 1 and 64"),
        (gan.sample, (2.5, 1), "whole number"),
        (gan.sample, (4, -1), "Seed must be between 0"),
        (gan.sample, (4, 2**31), "Seed must be between 0"),
        (gan.sample, (4, "seven"), "must be a number"),
        (gan.interpolate, (-1, 1, 8), "From seed"),
        (gan.interpolate, (0, 1, 1), "Steps must be between 2 and 32"),
        (gan.interpolate, (0, 1, 33), "Steps must be between 2 and 32"),
        (gan.arithmetic, (0, 0, 2, 3), "Sample a must be between 1 and 64"),
        (gan.arithmetic, (0, 1, 65, 3), "Sample b must be between 1 and 64"),
        (gan.arithmetic, (-1, 1, 2, 3), "Seed must be between 0"),
        (gan.arithmetic, (0, 1, 2, float("nan")), "Sample c must be between"),
    ],
)
def test_bad_values_are_refused(dcgan, action, args, message):
    with pytest.raises(InvalidInputError, match=message):
        action(dcgan, *args)


def test_the_model_is_loaded_once(dcgan):
    assert gan.generator(dcgan) is load_model(dcgan, family="dcgan")


# pix2pix and CycleGAN: uploads


def _lines(size=(90, 60)) -> Image.Image:
    """Black strokes on white, like line art."""
    image = Image.new("L", size, 255)
    image.paste(0, (10, 10, size[0] - 10, 14))
    image.paste(0, (size[0] // 2, 5, size[0] // 2 + 3, size[1] - 5))
    return image


def _rgba_on_transparent() -> Image.Image:
    image = Image.new("RGBA", (80, 120), (0, 0, 0, 0))
    image.paste((200, 30, 30, 255), (20, 30, 60, 90))
    return image


def _sixteen_bit() -> Image.Image:
    ramp = np.tile(np.linspace(0, 65535, 70, dtype=np.uint16), (50, 1))
    return Image.fromarray(ramp)


def _gradient(width: int, height: int) -> Image.Image:
    ramp = (np.indices((height, width)).sum(0) * 7 % 200).astype(np.uint8)
    return Image.fromarray(ramp)


UPLOADS = {
    "rgba-transparent": lambda: encoded(_rgba_on_transparent()),
    "grey": lambda: encoded(_lines()),
    "palette": lambda: encoded(_lines().convert("RGB").convert("P", palette=Image.ADAPTIVE)),
    "gif": lambda: encoded(_lines().convert("P"), "GIF"),
    "1x1000": lambda: encoded(_gradient(1, 1000)),
    "3000x20": lambda: encoded(_gradient(3000, 20)),
    "16-bit": lambda: encoded(_sixteen_bit()),
    "jpeg-cmyk": lambda: encoded(_lines().convert("CMYK"), "JPEG"),
    "webp": lambda: encoded(_rgba_on_transparent(), "WEBP", lossless=True),
}


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_pix2pix_accepts_odd_uploads(pix2pix, kind):
    assert Image.open(io.BytesIO(UPLOADS[kind]())).size  # a real image file
    result = translation.pix2pix(pix2pix, UPLOADS[kind]())
    size = (DISPLAY_SIZE, DISPLAY_SIZE)
    assert result.input.size == result.output.size == size
    assert result.input.mode == result.output.mode == "RGB"


@pytest.mark.parametrize("kind", ["rgba-transparent", "1x1000", "3000x20", "16-bit"])
def test_cyclegan_accepts_odd_uploads(cyclegan, kind):
    result = translation.cyclegan(cyclegan, UPLOADS[kind](), "B→A")
    size = (DISPLAY_SIZE, DISPLAY_SIZE)
    assert result.input.size == result.translated.size == result.returned.size == size


def test_transparency_becomes_white_and_the_picture_is_kept(pix2pix):
    inputs = translation.model_input(UPLOADS["rgba-transparent"](), 32)
    assert inputs.shape == (1, 3, 32, 32) and inputs.min() >= 0 and inputs.max() <= 1
    assert (inputs[0, :, 0, :] == 1).all() and (inputs[0, :, :, 0] == 1).all()  # white page
    centre = inputs[0, :, 16, 16]
    assert centre[0] > 0.6 and centre[1] < 0.3  # the red block survived


def test_uploads_come_as_paths_arrays_and_pictures(pix2pix, tmp_path):
    path = tmp_path / "lines.png"
    path.write_bytes(encoded(_lines()))
    from_bytes = translation.pix2pix(pix2pix, path.read_bytes())
    for source in (str(path), path, np.asarray(_lines()), _lines()):
        result = translation.pix2pix(pix2pix, source)
        assert np.array_equal(pixels(result.output), pixels(from_bytes.output))


def test_a_drawing_is_translated(pix2pix):
    drawing = np.zeros((256, 256, 4), np.uint8)  # the sketch pad: transparent where untouched
    drawing[60:200, 100:156] = (0, 0, 0, 255)
    result = translation.pix2pix(pix2pix, drawing, drawing=True)
    assert result.output.size == (DISPLAY_SIZE,) * 2
    seen = pixels(result.input)
    assert (seen[0] == 255).all() and seen[128, 128].max() < 100  # black line on white


@pytest.mark.parametrize(
    ("source", "drawing", "message"),
    [
        (encoded(Image.new("RGB", (64, 64), "white")), False, "one flat colour"),
        (encoded(Image.new("RGB", (40, 90), (200, 40, 40))), False, "one flat colour"),
        (encoded(Image.new("RGBA", (64, 64), (0, 0, 0, 0))), False, "one flat colour"),
        (np.zeros((256, 256, 4), np.uint8), True, "Nothing is drawn"),
        (None, True, "Nothing is drawn"),
        (None, False, "No image was given"),
        (b"this is text, not a picture", False, "not an image"),
        (encoded(Image.new("RGB", (64, 64), "red"))[:100], False, "truncated or corrupt"),
        (png_header_claiming(50_000, 50_000), False, "too large"),
        (b"", False, "empty"),
    ],
    ids=[
        "white",
        "flat-red",
        "transparent",
        "blank-drawing",
        "no-drawing",
        "no-upload",
        "text",
        "truncated",
        "bomb",
        "empty",
    ],
)
def test_pix2pix_refuses_what_cannot_be_translated(pix2pix, source, drawing, message):
    with pytest.raises(InvalidInputError, match=message):
        translation.pix2pix(pix2pix, source, drawing=drawing)


@pytest.mark.parametrize(
    "source",
    [b"GIF89a but not really", encoded(Image.new("L", (30, 30), 0))],
    ids=["text", "black"],
)
def test_cyclegan_refuses_what_cannot_be_translated(cyclegan, source):
    with pytest.raises(InvalidInputError):
        translation.cyclegan(cyclegan, source, "A→B")


@pytest.mark.parametrize("direction", ["a_to_b", "C→D", "", None])
def test_cyclegan_refuses_an_unknown_direction(cyclegan, direction):
    with pytest.raises(InvalidInputError, match="Unknown direction .*; choose one of A→B, B→A"):
        translation.cyclegan(cyclegan, UPLOADS["grey"](), direction)


# CycleGAN: the round trip


def shown_tensor(images: torch.Tensor):
    """A model-sized tensor as the pipelines show it."""
    return for_display(to_pil(images))


def test_round_trip_goes_there_and_back(cyclegan):
    net = load_model(cyclegan, family="cyclegan")
    source = translation.example_image(cyclegan, 0, "a")
    inputs = translation.model_input(source, net.image_size)
    there = translation.translate_batches(net.a_to_b, inputs)
    back = translation.translate_batches(net.b_to_a, there)
    result = translation.cyclegan(cyclegan, source, "A→B")
    size = (DISPLAY_SIZE, DISPLAY_SIZE)
    assert result.input.size == result.translated.size == result.returned.size == size
    assert np.array_equal(pixels(result.input), pixels(shown_tensor(inputs)))
    assert np.array_equal(pixels(result.translated), pixels(shown_tensor(there)))
    assert np.array_equal(pixels(result.returned), pixels(shown_tensor(back)))
    other = translation.cyclegan(cyclegan, source, "B→A")
    assert np.array_equal(pixels(other.input), pixels(result.input))
    assert not np.array_equal(pixels(other.translated), pixels(result.translated))
    assert np.array_equal(
        pixels(other.translated),
        pixels(shown_tensor(translation.translate_batches(net.b_to_a, inputs))),
    )


def test_domain_names(cyclegan):
    assert translation.domain_names(cyclegan) == ("flat icon", "3-D emoji")


# CycleGAN: how much the translation changed


def test_a_picture_differs_from_itself_by_nothing():
    picture = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    image, mean = translation.difference(picture, picture.clone())
    assert mean == 0 and image.shape == (1, 1, 16, 16) and not image.any()


def test_the_difference_is_computed_as_by_hand():
    # two pixels: black that gained some red and green, white that lost some blue
    before = torch.tensor([[[[0.0, 1.0]], [[0.0, 1.0]], [[0.0, 1.0]]]])
    after = torch.tensor([[[[0.3, 1.0]], [[0.03, 1.0]], [[0.0, 0.94]]]])
    image, mean = translation.difference(before, after, gain=10)
    assert mean == pytest.approx((0.3 + 0.03 + 0.06) / 6)  # 6.5%
    # each pixel's mean change over its channels, 10 times brighter, clipped at white
    assert image.flatten().tolist() == pytest.approx([1.0, 0.2])
    assert translation.difference(before, after, gain=1)[0].flatten().tolist() == pytest.approx(
        [0.11, 0.02]
    )


@pytest.mark.parametrize(
    ("share", "text"), [(0.065, "6.5%"), (0.1244, "12.4%"), (0.0003, "under 0.1%"), (0, "0.0%")]
)
def test_changes_read_as_percentages(share, text):
    assert translation.as_percent(share) == text


def test_the_change_in_a_sentence():
    pictures = dict.fromkeys(("input", "translated", "returned", "difference"))
    result = translation.RoundTrip(
        **pictures, change=0.031, target="Noto emoji", truth_change=0.124
    )
    assert result.summary == (
        "The translation changed **3.1%** of the input's colour on average; the true Noto emoji "
        "differs from the input by **12.4%**."
    )
    upload = translation.RoundTrip(**pictures, change=0.0002, target="Noto emoji")
    assert upload.summary == (
        "The translation changed **under 0.1%** of the input's colour on average."
    )


@pytest.fixture(scope="module")
def identity_cyclegan(cyclegan, tmp_path_factory) -> str:
    """A CycleGAN fresh from its initialisation with `learn_change`: each generator's head is
    zero, so both directions give back their input; between Twemoji and Noto, with the tiny
    model's held-out examples."""
    from genzoo.models.cyclegan import CycleGAN

    folder = tmp_path_factory.mktemp("models") / "identity-cyclegan"
    net = CycleGAN(
        image_size=32, base_channels=4, blocks=1, learn_change=True,
        domain_a="emoji-twitter", domain_b="emoji-google",
    )  # fmt: skip
    net.save_pretrained(folder)
    shutil.copy(f"{cyclegan}/examples.safetensors", folder)
    return str(folder)


def test_an_identity_changes_nothing_and_says_so(identity_cyclegan):
    result, truth = translation.cyclegan_example(identity_cyclegan, 1, "A→B")
    assert np.array_equal(pixels(result.translated), pixels(result.input))
    assert result.change == 0 and not pixels(result.difference).any()
    shipped = translation.examples(identity_cyclegan)
    by_hand = (shipped.b[1].float() - shipped.a[1].float()).abs().mean() / 255
    assert result.truth_change == pytest.approx(float(by_hand), abs=1e-6) and by_hand > 0.01
    assert np.array_equal(
        pixels(truth), pixels(translation.example_for_display(identity_cyclegan, 1, "b"))
    )
    assert result.summary == (
        "The translation changed **0.0%** of the input's colour on average; the true Noto emoji "
        f"differs from the input by **{translation.as_percent(float(by_hand))}**."
    )


def to_levels(images: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(np.array(to_pil(images))).permute(2, 0, 1)[None].float() / 255


def test_the_difference_image_shows_what_the_translation_changed(cyclegan):
    net = load_model(cyclegan, family="cyclegan")
    source = translation.example_image(cyclegan, 2, "b")
    inputs = translation.model_input(source, net.image_size)
    there = translation.translate_batches(net.b_to_a, inputs)
    result = translation.cyclegan(cyclegan, source, "B→A")
    gap = (to_levels(there) - to_levels(inputs)).abs()  # the pictures as shown
    assert result.change == pytest.approx(float(gap.mean())) and result.change > 0
    by_hand = (gap.mean(1, keepdim=True) * translation.DIFFERENCE_GAIN).clamp(0, 1)
    assert np.array_equal(pixels(result.difference), pixels(shown_tensor(by_hand)))
    assert result.truth_change is None and result.target == "flat icon"
    assert "the true" not in result.summary


@pytest.mark.parametrize(("direction", "side", "other"), [("A→B", "a", "b"), ("B→A", "b", "a")])
def test_an_example_round_trip_is_measured_against_its_truth(cyclegan, direction, side, other):
    result, truth = translation.cyclegan_example(cyclegan, 3, direction)
    alone = translation.cyclegan(cyclegan, translation.example_image(cyclegan, 3, side), direction)
    assert np.array_equal(pixels(result.translated), pixels(alone.translated))
    assert np.array_equal(pixels(result.difference), pixels(alone.difference))
    expected = translation.example_for_display(cyclegan, 3, other)
    assert np.array_equal(pixels(truth), pixels(expected))
    shipped = translation.examples(cyclegan)
    by_hand = (shipped.b[3].float() - shipped.a[3].float()).abs().mean() / 255
    assert result.truth_change == pytest.approx(float(by_hand), abs=1e-6)


def test_directions_and_pictures_are_named_by_their_styles(cyclegan, identity_cyclegan):
    assert translation.direction_name(identity_cyclegan, "A→B") == "Twemoji → Noto emoji"
    assert translation.direction_name(identity_cyclegan, "B→A") == "Noto emoji → Twemoji"
    labels = translation.round_trip_labels(cyclegan, "B→A")
    assert labels == translation.RoundTripLabels(
        input="Input (3-D emoji)",
        translated="As flat icon",
        returned="Back to 3-D emoji",
        difference=f"What changed (×{translation.DIFFERENCE_GAIN})",
        truth="True flat icon",
    )
    with pytest.raises(InvalidInputError, match="Unknown direction"):
        translation.direction_name(cyclegan, "C→D")


# Shipped examples


@pytest.mark.slow  # trains, through the fixture it names
@pytest.mark.parametrize("fixture", ["pix2pix", "cyclegan"])
def test_examples_pictures_and_gallery(fixture, request):
    model = request.getfixturevalue(fixture)
    shipped = translation.examples(model)
    count, side = len(shipped.keys), shipped.a.shape[-1]
    assert count == 6 and shipped.a.shape == shipped.b.shape == (6, 3, side, side)
    for which in ("a", "b"):
        gallery = translation.example_gallery(model, which)
        assert len(gallery) == count and all(p.size == (side, side) for p in gallery)
        for index in (0, count - 1):
            picture = translation.example_image(model, index, which)
            stored = getattr(shipped, which)[index].permute(1, 2, 0).numpy()
            assert np.array_equal(np.asarray(picture), stored)
            assert np.array_equal(pixels(gallery[index]), pixels(picture))
            big = translation.example_for_display(model, index, which)
            assert big.size == (DISPLAY_SIZE, DISPLAY_SIZE)
            scale = DISPLAY_SIZE // side
            assert np.array_equal(pixels(big)[::scale, ::scale], pixels(picture))
    assert not np.array_equal(
        np.asarray(translation.example_image(model, 0, "a")),
        np.asarray(translation.example_image(model, 0, "b")),
    )


def test_varied_examples_skip_blank_pairs_and_spread_over_the_keys():
    count = 40
    a = torch.full((count, 3, 8, 8), 255, dtype=torch.uint8)
    b = a.clone()
    a[:, :, 2:6, 2:6] = b[:, :, 1:7, 1:7] = 0  # every pair draws something...
    blank_a, blank_b = [3, 4, 5], [10, 30]
    a[blank_a], b[blank_b] = 255, 250  # ...but these (250 is white to the eye)
    pairs = PairedImages(a, b, [f"{i:04x}" for i in range(count)])
    chosen = translation.varied_examples(pairs, 7)
    assert len(chosen) == 7 == len(set(chosen)) and chosen == sorted(chosen)
    assert not set(chosen) & set(blank_a + blank_b)
    assert chosen[0] < 3 and chosen[-1] > 30  # from the start to the end of the key order
    assert len(translation.varied_examples(pairs, 100)) == count - 5


@pytest.mark.parametrize("index", [-1, 6, 1.5])
def test_example_index_out_of_range(pix2pix, index):
    with pytest.raises(InvalidInputError, match="Example must be"):
        translation.example_image(pix2pix, index)


def test_pix2pix_of_an_example_is_the_stock_model_on_it(pix2pix):
    """The pipeline's conventions (pixels in [0, 1] out, [-1, 1] into the net) match training:
    the translation of a held-out example is the stock-loaded generator's output on it."""
    result = translation.pix2pix(pix2pix, translation.example_image(pix2pix, 2, "a"))
    assert np.array_equal(
        pixels(result.input), pixels(translation.example_for_display(pix2pix, 2, "a"))
    )
    net = UNetGenerator.from_pretrained(pix2pix).eval()
    with torch.no_grad():
        x = translation.examples(pix2pix).a[2:3].float() / 255
        expected = ((net(x * 2 - 1) + 1) / 2).clamp(0, 1)[0]
    expected = (expected * 255).round().permute(1, 2, 0).numpy().astype(np.int16)
    scale = DISPLAY_SIZE // net.image_size
    assert np.abs(pixels(result.output)[::scale, ::scale] - expected).max() <= 1


def test_arithmetic_presets_are_read_from_the_model_folder(dcgan, tmp_path):
    assert gan.arithmetic_presets(dcgan) == ()  # a model that ships none
    folder = tmp_path / "with-presets"
    shutil.copytree(dcgan, folder)
    chosen = [dict(name="Add a smile", seed=4, a=2, b=5, c=9)]
    (folder / gan.ARITHMETIC_PRESETS).write_text(json.dumps(chosen))
    (preset,) = gan.arithmetic_presets(str(folder))
    assert preset == gan.arithmetic_preset(str(folder), "Add a smile")
    assert preset.settings() == dict(seed=4, a=2, b=5, c=9)
    shown = gan.arithmetic(str(folder), **preset.settings())
    assert pixels(shown).tolist() == pixels(gan.arithmetic(str(folder), 4, 2, 5, 9)).tolist()
    with pytest.raises(InvalidInputError, match="no arithmetic preset called 'Add tears'"):
        gan.arithmetic_preset(str(folder), "Add tears")


def test_an_arithmetic_preset_out_of_range_is_refused(dcgan, tmp_path):
    folder = tmp_path / "bad-presets"
    shutil.copytree(dcgan, folder)
    bad = [dict(name="Too far", seed=0, a=1, b=2, c=gan.MAX_SAMPLES + 1)]
    (folder / gan.ARITHMETIC_PRESETS).write_text(json.dumps(bad))
    with pytest.raises(InvalidInputError, match="between 1 and 64"):
        gan.arithmetic_presets(str(folder))


def test_the_bundled_faces_dcgan_ships_named_presets():
    presets = gan.arithmetic_presets("dcgan-emoji-faces")
    assert len(presets) >= 3 and len({preset.name for preset in presets}) == len(presets)
    for preset in presets:  # each picks three different samples of its grid of 16
        picks = [preset.a, preset.b, preset.c]
        assert len(set(picks)) == 3 and max(picks) <= 16, preset


def test_every_bundled_dcgan_is_within_three_times_its_real_floor():
    """Issue 21's goal, on each card's Fréchet distance beside its real-vs-real floor (measured
    by the training script's evaluation on the held-out split)."""
    from genzoo.cards import card_metrics
    from genzoo.registry import bundled

    for entry in bundled("dcgan"):
        (distance,) = [m for m in card_metrics(entry.name) if m["type"] == "fd_effnet_lite0"]
        assert distance["reference_name"] == "real vs real (floor)", entry.name
        assert distance["value"] <= 3 * distance["reference"], entry.name


def test_every_bundled_translation_beats_the_identity_on_every_figure():
    """Issue 21's goal, on each card's held-out figures (L1, PSNR, SSIM and Fréchet distance, in
    each direction) beside the identity baseline: the input returned unchanged."""
    from genzoo.cards import card_metrics
    from genzoo.evaluation import IDENTITY_BASELINE
    from genzoo.registry import bundled

    higher_is_better = ("psnr", "ssim")
    for entry in [*bundled("pix2pix"), *bundled("cyclegan")]:
        figures = card_metrics(entry.name)
        assert len(figures) == (4 if entry.family == "pix2pix" else 8), entry.name
        for figure in figures:
            assert figure["reference_name"] == IDENTITY_BASELINE, (entry.name, figure["type"])
            better = figure["value"] - figure["reference"]
            if not figure["type"].endswith(higher_is_better):
                better = -better
            assert better > 0, (entry.name, figure["type"], figure["value"], figure["reference"])
