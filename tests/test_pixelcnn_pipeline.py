"""The functions behind the PixelCNN buttons, on a freshly trained tiny model: seeded sampling
watched row by row and cancelled, completions that keep the visible pixels, the surprise map's
bits, bad input refused; and both galleries on them, the tiny model standing in as the bundled
one (the Gradio tab built and streaming, the Streamlit page run)."""

import dataclasses
import io
import itertools
import math

import numpy as np
import pytest
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from genzoo import registry, share
from genzoo.hub import load_examples, load_model
from genzoo.images import InvalidInputError
from genzoo.pipelines import pixelcnn
from tests.helpers import REPO, png, png_header_claiming

SIZE = 28  # the tiny model's images, as the real one's
BLUE = np.array(pixelcnn.UNDRAWN)


class Stop(Exception):
    """What a Cancel raises from the row callback."""


def blue_pixels(picture: Image.Image) -> int:
    """How many pixels of a picture are the undrawn blue (or nearly: a GIF's palette may shift
    it a little; no grey comes near)."""
    rgb = np.asarray(picture.convert("RGB"), dtype=int)
    return int((np.abs(rgb - BLUE) <= 8).all(axis=2).sum())


def shipped(model: str, index: int) -> torch.Tensor:
    """Example `index` as the model's folder ships it, (1, 1, H, W) uint8."""
    tensors, _ = load_examples(model)
    return tensors["images"][index : index + 1]


@pytest.fixture(scope="module")
def model(tiny_pixelcnn) -> str:
    return str(tiny_pixelcnn)


@pytest.fixture(scope="module")
def drawn(model):
    """One seeded sample, and what its row callback was given: (rows done, rows, picture)."""
    rows = []
    made = pixelcnn.sample(model, 1, 3, on_row=lambda *report: rows.append(report))
    return made, rows


def test_the_same_seed_draws_the_same_image_and_another_seed_another(model, drawn):
    made, _ = drawn
    again = pixelcnn.sample(model, 1, 3)
    assert np.array_equal(np.asarray(made.grid), np.asarray(again.grid))
    other = pixelcnn.sample(model, 1, 4)
    assert not np.array_equal(np.asarray(made.grid), np.asarray(other.grid))
    assert made.count == 1 and made.pixels == SIZE * SIZE and "1 image" in made.describe()


def test_each_row_is_reported_with_the_picture_so_far_and_animated(drawn):
    made, rows = drawn
    assert [(done, total) for done, total, _ in rows] == [(row, SIZE) for row in range(1, 29)]
    undrawn = [blue_pixels(picture) for _, _, picture in rows]
    assert undrawn[0] > 0 and undrawn[-1] == 0
    assert all(later < earlier for earlier, later in itertools.pairwise(undrawn))
    assert blue_pixels(made.grid) == 0
    animation = Image.open(io.BytesIO(made.animation))
    assert animation.n_frames >= SIZE // 2  # a frame a row (or two), then the finished images
    assert blue_pixels(animation) > 0  # its first frame: hardly anything drawn
    animation.seek(animation.n_frames - 1)
    assert animation.size == made.grid.size and blue_pixels(animation) == 0


def test_a_callback_that_raises_stops_the_drawing_at_that_row(model):
    reported = []

    def cancel_after_two(done: int, total: int, picture: Image.Image) -> None:
        reported.append(done)
        if done == 2:
            raise Stop

    with pytest.raises(Stop):
        pixelcnn.sample(model, 1, 0, on_row=cancel_after_two)
    assert reported == [1, 2]


def test_completions_keep_the_visible_pixels_exactly_and_change_with_the_seed(model):
    original = shipped(model, 0)
    first = pixelcnn.complete_example(model, 0, 0.25, 2, seed=0)
    assert first.visible_rows == 21 and first.pixels.shape == (2, 1, SIZE, SIZE)
    assert torch.equal(first.given, original)
    kept = first.pixels[:, :, :21]
    assert torch.equal(kept, original[:, :, :21].expand_as(kept))
    other = pixelcnn.complete_example(model, 0, 0.25, 2, seed=1)
    assert torch.equal(other.pixels[:, :, :21], kept)
    assert not torch.equal(other.pixels[:, :, 21:], first.pixels[:, :, 21:])
    assert "7 of 28 rows" in first.describe()
    assert blue_pixels(first.figure) > 0  # the hidden rows of the first picture


def test_an_uploaded_colour_photo_is_fitted_to_grey_and_completed(model):
    photo = Image.new("RGB", (90, 60), (20, 30, 40))
    photo.paste((230, 40, 40), (30, 10, 60, 50))  # a red shirt on a dark ground
    made = pixelcnn.complete(model, png(photo), 0.5, 1, 0)
    fitted = pixelcnn.model_input(model, png(photo), "complete")
    assert torch.equal(made.given, fitted.levels) and made.visible_rows == 14
    assert torch.equal(made.pixels[:, :, :14], fitted.levels[:, :, :14])
    said = made.describe()
    assert "converted to grey" in said and "90x60" in said and "inverted" not in said


def test_a_light_background_is_inverted_and_said_so(model):
    drawing = Image.new("L", (40, 40), 255)
    drawing.paste(0, (10, 10, 30, 30))
    fitted = pixelcnn.model_input(model, drawing, "measure")
    assert fitted.levels[0, 0, 0, 0] == 0 and fitted.levels[0, 0, 14, 14] == 255
    assert any("inverted" in note for note in fitted.notes)


@pytest.mark.parametrize(
    ("hide", "message"),
    [
        (0.2, "between 0.25 and 0.75"),
        (0.8, "between 0.25 and 0.75"),
        (math.nan, "between 0.25 and 0.75"),
        ("half", "a number"),
    ],
)
def test_a_hidden_part_out_of_range_is_refused(model, hide, message):
    with pytest.raises(InvalidInputError, match=f"Hidden part must be {message}"):
        pixelcnn.complete_example(model, 0, hide, 1, 0)
    with pytest.raises(InvalidInputError, match=f"Hidden part must be {message}"):
        pixelcnn.complete(model, pixelcnn.example_image(model, 0), hide, 1, 0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda model: pixelcnn.complete_example(model, 0, 0.5, 9, 0), "Completions"),
        (lambda model: pixelcnn.complete_example(model, 10_000, 0.5, 1, 0), "Example"),
        (lambda model: pixelcnn.sample(model, 0, 0), "Images"),
        (lambda model: pixelcnn.sample(model, 1, -1), "Seed"),
        (lambda model: pixelcnn.surprise_example(model, 1.5), "Example must be a whole number"),
    ],
    ids=["completions", "example", "count", "seed", "fraction"],
)
def test_other_settings_out_of_range_are_refused(model, call, message):
    with pytest.raises(InvalidInputError, match=message):
        call(model)


def test_the_surprise_map_is_the_models_own_likelihood(model):
    made = pixelcnn.surprise_example(model, 1)
    net = load_model(model, family="pixelcnn")
    with torch.inference_mode():
        expected = float(net.bits_per_dim(shipped(model, 1))[0])
    assert made.bits.shape == (SIZE, SIZE)
    assert made.bits_per_dim == pytest.approx(expected, rel=1e-5)
    assert made.bits.mean() == pytest.approx(expected, rel=1e-5)
    assert f"{expected:.2f} bits per dimension" in made.describe()
    side = SIZE * pixelcnn.ZOOM
    assert made.heat_map.size == (side + pixelcnn.LEGEND_WIDTH, side)
    shown = np.asarray(made.heat_map)[: side : pixelcnn.ZOOM, : side : pixelcnn.ZOOM]
    assert np.array_equal(shown, pixelcnn.heat_colours(made.bits))  # a pixel's colour, its bits


def test_the_surprise_of_an_upload_is_that_of_the_picture_the_model_sees(model):
    picture = pixelcnn.example_image(model, 2).resize((84, 84), Image.Resampling.NEAREST)
    made = pixelcnn.surprise(model, png(picture))
    fitted = pixelcnn.model_input(model, png(picture), "measure")
    with torch.inference_mode():
        expected = float(load_model(model, family="pixelcnn").bits_per_dim(fitted.levels)[0])
    assert made.bits_per_dim == pytest.approx(expected, rel=1e-5)


def test_the_heat_scale_runs_from_dark_to_bright():
    colours = pixelcnn.heat_colours(np.array([0.0, 4.0, 8.0, 12.0, 50.0])).astype(int).sum(1)
    assert list(colours) == sorted(colours) and colours[-1] == colours[-2]  # clipped at the top


FLAT = png(Image.new("RGB", (64, 64), (200, 120, 40)))
BAD_UPLOADS = [
    (b"not an image at all", "not an image"),
    (png_header_claiming(40_000, 40_000), "too large"),
    (FLAT, "one flat colour"),
    (None, "No image was given"),
    (b"", "empty"),
]


@pytest.mark.parametrize(("data", "message"), BAD_UPLOADS, ids=lambda v: str(v)[:12])
def test_bad_uploads_are_refused_with_a_message(model, data, message):
    with pytest.raises(InvalidInputError, match=message):
        pixelcnn.complete(model, data, 0.5, 1, 0)
    with pytest.raises(InvalidInputError, match=message):
        pixelcnn.surprise(model, data)


# Both galleries, the tiny model standing in for the bundled one.

BUNDLED_NAME = "pixelcnn-fashion-mnist"
SHOWN = dict(
    actions="genzoo/pipelines/pixelcnn.py",
    demo="demos/pixelcnn.py",
    streamlit_page="streamlit_gallery/pages/7_PixelCNN.py",
    benchmark="benchmarks/latency/pixelcnn.py",
)


@pytest.fixture
def bundled_tiny(tiny_pixelcnn, tmp_path, monkeypatch) -> str:
    """The family as the galleries show it (its registry row naming these files, share links
    reading its actions), with the tiny model as its one bundled model: the checkpoints folder
    (`GENZOO_CHECKPOINTS`, as the registry reads it) holds it under the bundled name."""
    (tmp_path / BUNDLED_NAME).symlink_to(tiny_pixelcnn, target_is_directory=True)
    monkeypatch.setattr(registry, "CHECKPOINTS_DIR", tmp_path)
    entry = registry.Bundled(BUNDLED_NAME, "pixelcnn", "PixelCNN, tiny test model")
    monkeypatch.setitem(registry.BUNDLED, BUNDLED_NAME, entry)
    row = dataclasses.replace(registry.FAMILY_TABLE["pixelcnn"], **SHOWN)
    monkeypatch.setitem(registry.FAMILY_TABLE, "pixelcnn", row)
    monkeypatch.setattr(share, "ACTIONS", share.shared_actions())
    pixelcnn.examples.cache_clear()  # the name's examples are the tiny model's now
    yield BUNDLED_NAME
    pixelcnn.examples.cache_clear()


ENDPOINTS = {
    "pixelcnn_sample",
    "pixelcnn_complete",
    "pixelcnn_complete_example",
    "pixelcnn_surprise",
    "pixelcnn_surprise_example",
    "pixelcnn_cancel",
}


def test_the_gradio_tab_builds_with_its_endpoints(bundled_tiny):
    import demos.pixelcnn

    config = demos.pixelcnn.build().get_config_file()
    names = {dependency["api_name"] for dependency in config["dependencies"]}
    assert names >= ENDPOINTS
    (picker,) = [c for c in config["components"] if c["props"].get("label") == "Model"]
    assert [choice[1] for choice in picker["props"]["choices"]] == [bundled_tiny]


def test_the_gradio_tab_streams_the_drawing_row_by_row(bundled_tiny):
    import demos.pixelcnn

    *growing, (grid, animation, said) = demos.pixelcnn.sample(bundled_tiny, 1, 0)
    assert growing, "no picture was shown before the end"
    for picture, no_animation_yet, progress in growing:
        assert picture.size == grid.size and no_animation_yet is None
        assert progress.startswith("Drawing row")
    assert blue_pixels(grid) == 0 and Image.open(animation).n_frames > 1 and "1 image" in said


def test_the_gradio_cancel_stops_this_sessions_drawing(bundled_tiny):
    import gradio as gr

    import demos.pixelcnn

    request = gr.Request(session_hash="visitor")
    most = pixelcnn.COUNT.high  # the longest drawing: the Cancel comes long before its end
    streaming = demos.pixelcnn.sample(bundled_tiny, most, 0, request)
    next(streaming)  # a row is drawn
    demos.pixelcnn.cancel_drawing(request)
    with pytest.raises(gr.Error, match="Cancelled at row"):
        list(streaming)


def test_the_streamlit_page_maps_samples_and_refuses_a_bad_upload(bundled_tiny):
    page = REPO / SHOWN["streamlit_page"]
    app = AppTest.from_file(str(page), default_timeout=120).run()
    assert not app.exception and not app.error
    captions = [caption for image in app.get("image") for caption in image.captions]
    assert any(caption.startswith("Surprise:") for caption in captions)  # the first example's
    assert any("bits per dimension" in markdown.value for markdown in app.markdown)
    next(s for s in app.slider if s.label == pixelcnn.COUNT.label).set_value(1).run()
    next(b for b in app.button if b.label == "Sample").click().run()
    assert not app.exception and not app.error
    captions = [caption for image in app.get("image") for caption in image.captions]
    assert "Drawn pixel by pixel, seed 0" in captions
    app.radio(key="surprise_source").set_value("Upload").run()
    app.file_uploader(key="surprise_up").set_value(("bad.png", b"text", "image/png")).run()
    assert not app.exception
    assert any("not an image" in error.value for error in app.error)


def test_streamlit_links_make_their_example_again(bundled_tiny):
    page = str(REPO / SHOWN["streamlit_page"])
    app = AppTest.from_file(page, default_timeout=120)
    query = {"tab": "pixelcnn", "view": "surprise", "model": bundled_tiny, "example": "3"}
    app.query_params.update(query)
    app.run()
    assert not app.exception and not app.error
    said = pixelcnn.surprise_example(bundled_tiny, 3).describe().split("\n\n")[0]
    assert any(said in markdown.value for markdown in app.markdown)
    assert any(
        f"?tab=pixelcnn&view=surprise&model={bundled_tiny}&example=3" in markdown.value
        for markdown in app.markdown
    )

    app = AppTest.from_file(page, default_timeout=120)
    query = {"tab": "pixelcnn", "view": "complete", "example": "2", "hide": "0.25", "count": "1"}
    app.query_params.update(query)
    app.run()
    assert not app.exception and not app.error
    captions = [caption for image in app.get("image") for caption in image.captions]
    assert "Hidden (blue) | completions | original" in captions
    assert any("7 of 28 rows" in markdown.value for markdown in app.markdown)
    link = f"?tab=pixelcnn&view=complete&model={bundled_tiny}&example=2&hide=0.25&count=1&seed=0"
    assert any(link in markdown.value for markdown in app.markdown)
