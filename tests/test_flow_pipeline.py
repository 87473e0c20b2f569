"""The functions behind the flow's buttons, on the tiny Glow the real training script writes, and
both galleries' flow views on it (served as the one bundled flow: the galleries list only
bundled models)."""

import inspect

import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from PIL import Image
from streamlit.testing.v1 import AppTest

from genzoo import registry, share
from genzoo.cards import card_metrics
from genzoo.images import InvalidInputError
from genzoo.likelihood import BITS_PER_DIM_KEY
from genzoo.pipelines import flow
from tests.helpers import REPO, free_port, png, png_header_claiming

SIDE = 28


def tiles(picture: Image.Image, zoom: int, padding: int, count: int, rows: int = 1) -> list:
    """The `count` model-sized pictures of a grid that `make_grid` drew and `upscale` enlarged,
    as arrays, in reading order."""
    pixels = np.asarray(picture)[::zoom, ::zoom].astype(int)
    columns = -(-count // rows)
    step = SIDE + padding
    return [
        pixels[(i // columns) * step :][:SIDE, (i % columns) * step :][:, :SIDE]
        for i in range(count)
    ]


def example_pixels(model: str, index: int) -> np.ndarray:
    return flow.examples(model)[index, 0].numpy().astype(int)


def test_samples_are_seeded(tiny_flow):
    model = str(tiny_flow.out)
    same = [np.asarray(flow.sample(model, 0.7, 4, seed=3)) for _ in range(2)]
    assert np.array_equal(*same)
    assert not np.array_equal(same[0], np.asarray(flow.sample(model, 0.7, 4, seed=4)))
    assert flow.sample(model, 0.7, 4, 3).size == (2 * (2 * SIDE + 1),) * 2


def test_temperature_zero_gives_every_seed_the_image_of_z_zero_and_t_changes_it(tiny_flow):
    model = str(tiny_flow.out)
    cold = flow.sample(model, 0.0, 4, seed=1)
    assert np.array_equal(np.asarray(cold), np.asarray(flow.sample(model, 0.0, 4, seed=2)))
    net = flow.glow(model)
    with torch.inference_mode():
        zero = net.decode([torch.zeros(1, *shape) for shape in net.latent_shapes])
    expected = (zero[0, 0] * 256).floor().clamp(0, 255).int().numpy()
    assert all(np.array_equal(tile, expected) for tile in tiles(cold, 2, 1, 4, rows=2))
    warm, hot = flow.sample(model, 0.7, 4, seed=1), flow.sample(model, 1.0, 4, seed=1)
    warm_tiles = tiles(warm, 2, 1, 4, rows=2)
    assert not np.array_equal(warm_tiles[0], expected)
    assert not np.array_equal(warm_tiles[0], warm_tiles[1])
    assert not np.array_equal(np.asarray(warm), np.asarray(hot))


def test_an_example_encodes_and_decodes_back_exactly(tiny_flow):
    model = str(tiny_flow.out)
    encoding = flow.encode(model, flow.example_image(model, 0))
    assert encoding.max_error < 1e-4
    text = encoding.describe()
    assert f"**{encoding.max_error:.1e}**" in text and "bits per dimension" in text
    assert np.array_equal(np.asarray(encoding.reconstruction), np.asarray(encoding.input))
    (seen,) = tiles(encoding.input, flow.ZOOM, 0, 1)
    assert np.array_equal(seen, example_pixels(model, 0))
    assert encoding.dimensions == SIDE * SIDE and not encoding.notes

    net = flow.glow(model)
    example = flow.examples(model)[:1]
    expected = net.bits_per_dim(example, torch.Generator().manual_seed(0)).item()
    assert encoding.bits_per_dim == pytest.approx(expected, rel=1e-6)
    (card,) = [m["value"] for m in card_metrics(model) if m["type"] == BITS_PER_DIM_KEY]
    assert encoding.test_bits_per_dim == card and f"average {card:.2f}" in text
    # z's picture: a row per level, coarsest first, each channel a tile of about 56 pixels
    coarse, fine = net.latent_shapes
    width = max(
        (channels * (size + 1) - 1) * -(-flow.LATENT_TILE // size)
        for channels, size, _ in (coarse, fine)
    )
    assert encoding.latent.size == (width, 2 * flow.LATENT_TILE + 8)


def test_an_upload_is_made_grey_fitted_and_light_on_dark_saying_so(tiny_flow):
    model = str(tiny_flow.out)
    photo = Image.new("RGB", (60, 80), (20, 30, 40))
    photo.paste((230, 40, 30), (15, 15, 45, 65))
    encoding = flow.encode(model, png(photo))
    assert encoding.max_error < 1e-4
    assert any("colour" in note and "grey" in note for note in encoding.notes)
    assert any("60x80" in note and "28x28" in note for note in encoding.notes)
    assert all(note in encoding.describe() for note in encoding.notes)
    grey = flow.encode(model, png(photo.convert("L")))
    assert [note for note in grey.notes if "colour" in note] == []
    ink_on_paper = Image.new("L", (40, 40), 255)
    ink_on_paper.paste(0, (10, 5, 30, 35))
    inverted = flow.encode(model, png(ink_on_paper))
    assert any("light" in note and "inverted" in note for note in inverted.notes)
    (seen,) = tiles(inverted.input, flow.ZOOM, 0, 1)
    assert seen[0, 0] == 0 and seen[14, 14] == 255  # light on dark, as the data


def test_interpolation_starts_and_ends_at_the_inputs(tiny_flow):
    model = str(tiny_flow.out)
    first, second = flow.example_image(model, 0), flow.example_image(model, 1)
    strip = flow.interpolate(model, first, second, 5)
    assert strip.size == (3 * (5 * (SIDE + 2) - 2), 3 * SIDE)
    frames = tiles(strip, 3, 2, 5)
    assert np.array_equal(frames[0], example_pixels(model, 0))
    assert np.array_equal(frames[-1], example_pixels(model, 1))
    assert not np.array_equal(frames[2], frames[0]) and not np.array_equal(frames[2], frames[-1])
    upload = flow.interpolate(model, png(first), second, 5)
    assert np.array_equal(np.asarray(upload), np.asarray(strip))


def test_bad_input_gets_a_clear_message(tiny_flow):
    model = str(tiny_flow.out)
    example = flow.example_image(model, 0)
    refused = [
        (lambda: flow.encode(model, b"garbage"), "not an image"),
        (lambda: flow.encode(model, png_header_claiming(40_000, 40_000)), "too large"),
        (lambda: flow.encode(model, png(Image.new("RGB", (40, 30), (9, 99, 9)))), "flat colour"),
        (lambda: flow.encode(model, None), "No image was given"),
        (lambda: flow.interpolate(model, example, b"garbage", 4), "second image: That file"),
        (lambda: flow.interpolate(model, Image.new("L", (9, 9)), example, 4), "first image is"),
        (lambda: flow.interpolate(model, example, example, 100), "Steps must be between 2"),
        (lambda: flow.sample(model, 2.0, 4, 0), "Temperature T must be between 0 and 1.5"),
        (lambda: flow.sample(model, 0.7, 0, 0), "Samples must be between 1 and 64"),
        (lambda: flow.sample(model, 0.7, 4, -1), "Seed must be between"),
        (lambda: flow.example_image(model, 6), "Example must be between 0 and 5"),
        (lambda: flow.example_image(model, 1.5, "First example"), "First example must be a"),
    ]
    for action, message in refused:
        with pytest.raises(InvalidInputError, match=message):
            action()


def test_share_links_name_the_settings_their_functions_take():
    from demos import flow as tab

    made_by = {"flow": tab.sample, "flow/encode": tab.encode_example}
    made_by["flow/interpolate"] = tab.interpolate_examples
    for action, function in made_by.items():
        assert list(inspect.signature(function).parameters) == list(flow.SHARED_ACTIONS[action])
    assert list(inspect.signature(flow.sample).parameters) == list(flow.SAMPLE)


# Both galleries, with the tiny Glow as the one bundled flow.

NAME = "tiny-flow"


@pytest.fixture
def bundled_flow(tiny_flow, tmp_path, monkeypatch) -> str:
    """The tiny Glow as the only bundled flow model (a checkpoints folder holding just it), with
    the flow's share links known, as its registry row's `actions` makes them."""
    (tmp_path / NAME).symlink_to(tiny_flow.out, target_is_directory=True)
    monkeypatch.setattr(registry, "CHECKPOINTS_DIR", tmp_path)
    monkeypatch.setitem(registry.BUNDLED, NAME, registry.Bundled(NAME, "flow", "tiny test Glow"))
    for action, settings in flow.SHARED_ACTIONS.items():
        monkeypatch.setitem(share.ACTIONS, action, settings)
    assert [entry.name for entry in registry.bundled("flow")] == [NAME]
    return NAME


def test_the_gradio_tab_serves_every_action(bundled_flow, tmp_path):
    from demos import flow as tab
    from demos.common import launch

    demo = tab.build()
    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
        for name in ("sample", "encode", "encode_example", "interpolate", "interpolate_examples"):
            assert f"/flow_{name}" in api
        grid = client.predict(bundled_flow, 0.7, 4, 0, api_name="/flow_sample")
        assert Image.open(grid).size == (114, 114)
        upload = tmp_path / "shirt.png"
        upload.write_bytes(png(flow.example_image(bundled_flow, 2).resize((100, 100))))
        *_, told = client.predict(bundled_flow, handle_file(str(upload)), api_name="/flow_encode")
        assert "Back exactly" in told and "100x100" in told
        junk = tmp_path / "junk.png"
        junk.write_bytes(b"not an image")
        with pytest.raises(Exception, match="not an image"):
            client.predict(bundled_flow, handle_file(str(junk)), api_name="/flow_encode")
        strip = client.predict(bundled_flow, 0, 1, 4, api_name="/flow_interpolate_examples")
        assert Image.open(strip).height == 3 * SIDE  # and the server kept serving
    finally:
        demo.close()


def test_the_streamlit_page_shows_every_action_and_follows_a_link(bundled_flow):
    page = str(REPO / "streamlit_gallery/pages/8_Flow.py")
    app = AppTest.from_file(page, default_timeout=120).run()
    assert not app.exception and not app.error
    captions = [img.caption for element in app.get("image") for img in element.proto.imgs]
    assert "16 samples at T = 0.7, seed 0" in captions
    assert "Decoded back from z" in captions and flow.LATENT_CAPTION in captions
    assert any(caption.startswith("From the first image") for caption in captions)
    assert any("Back exactly" in m.value for m in app.markdown)
    app.radio(key="encode_source").set_value("Upload").run()
    junk = ("junk.png", b"not an image", "image/png")
    app.file_uploader(key="encode_upload").set_value(junk).run()
    assert not app.exception and any("not an image" in e.value for e in app.error)

    app = AppTest.from_file(page, default_timeout=120)
    app.query_params.update(
        {"tab": "flow", "model": NAME, "temperature": "0.5", "count": "4", "seed": "9"}
    )
    app.run()
    assert not app.exception
    captions = [img.caption for element in app.get("image") for img in element.proto.imgs]
    assert "4 samples at T = 0.5, seed 9" in captions
    link = f"?tab=flow&model={NAME}&temperature=0.5&count=4&seed=9"
    assert any(link in m.value for m in app.markdown)
