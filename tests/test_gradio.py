"""The gallery as a user's program sees it: the real Gradio server on 127.0.0.1, driven by
gradio_client through the named endpoints, on the bundled models."""

import io
import re
from importlib import import_module

import numpy as np
import pytest
from PIL import Image

from genzoo import share
from genzoo.cards import NO_TRAINING_CURVE, training_curve
from genzoo.images import DISPLAY_SIZE
from genzoo.registry import FAMILIES
from tests.helpers import REPO, image_at, line_art, pixels, png, png_header_claiming, upload

MODEL = "vae-fashion-mnist"


def test_endpoints_are_named(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {
        "/vae_manifold",
        "/vae_encode",
        "/vae_decode",
        "/vae_interpolate",
        "/vae_sample",
    } <= names


@pytest.mark.parametrize("model", ["vae-fashion-mnist", "vae-mnist"])
def test_manifold(client, model):
    path = client.predict(model, 20, 3.0, 0.0, 0.0, api_name="/vae_manifold")
    image = image_at(path)
    assert image.size == (560, 560)
    assert np.asarray(image.convert("L")).std() > 20  # decodings, not a flat picture


def test_encode_an_upload(client, tmp_path):
    shirt = Image.new("L", (90, 120), 0)
    shirt.paste(230, (20, 20, 70, 100))
    seen, reconstruction, latent_map, point = client.predict(
        MODEL, upload(tmp_path, "shirt.png", png(shirt)), api_name="/vae_encode"
    )
    assert image_at(seen).size == image_at(reconstruction).size == (112, 112)
    assert image_at(latent_map).size == (480 + 110, 480)
    assert re.fullmatch(r"Lands at \*\*\(-?\d+\.\d\d, -?\d+\.\d\d\)\*\* on the map\. .*", point)


def test_decode_and_seeded_samples(client):
    decoded, _ = client.predict(MODEL, 0.5, -1.0, api_name="/vae_decode")
    assert image_at(decoded).size == (112, 112)
    first = image_at(client.predict(MODEL, 9, 7, api_name="/vae_sample"))
    again = image_at(client.predict(MODEL, 9, 7, api_name="/vae_sample"))
    other = image_at(client.predict(MODEL, 9, 8, api_name="/vae_sample"))
    assert np.array_equal(np.asarray(first), np.asarray(again))
    assert not np.array_equal(np.asarray(first), np.asarray(other))


def test_interpolate_test_set_and_upload(client, tmp_path):
    digit = Image.new("L", (28, 28), 0)
    digit.paste(255, (12, 4, 16, 24))
    strip = client.predict(
        "vae-mnist",
        "Test set", 3, None, None,
        "Upload", 0, upload(tmp_path, "one.png", png(digit)), None,
        6,
        api_name="/vae_interpolate",
    )  # fmt: skip
    width, height = image_at(strip).size
    assert width > 6 * height  # a strip of 8 tiles


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"this is text, not a picture", "not an image"),
        ("bomb.png", png_header_claiming(50_000, 50_000), "too large"),
        ("cut.png", png(Image.new("RGB", (64, 64), "red"))[:100], "truncated or corrupt"),
        ("blank.png", png(Image.new("L", (64, 64), 255)), "blank"),
    ],
    ids=["text", "bomb", "truncated", "blank"],
)
def test_bad_uploads_get_a_message_and_the_server_keeps_serving(
    client, tmp_path, name, data, message
):
    with pytest.raises(Exception, match=message):
        client.predict(MODEL, upload(tmp_path, name, data), api_name="/vae_encode")
    decoded, _ = client.predict(MODEL, 0.0, 0.0, api_name="/vae_decode")
    assert image_at(decoded).size == (112, 112)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1000, 3.0, 0.0, 0.0), "1000 is greater than maximum value 40"),
        ((20, -1.0, 0.0, 0.0), "-1.0 is less than minimum value 0.1"),
        ((20, 3.0, 99.0, 0.0), "99.0 is greater than maximum value 5"),
    ],
)
def test_out_of_range_settings(client, args, message):
    with pytest.raises(Exception, match=message):
        client.predict(MODEL, *args, api_name="/vae_manifold")


def test_out_of_range_seed(client):
    with pytest.raises(Exception, match="-5 is less than minimum value 0"):
        client.predict(MODEL, 4, -5, api_name="/vae_sample")


def test_unknown_model_name(client):
    with pytest.raises(Exception, match="not in the list of choices"):
        client.predict("../../etc/passwd", 0.0, 0.0, api_name="/vae_decode")


def test_empty_sketch_and_missing_upload(client):
    with pytest.raises(Exception, match="Nothing is drawn"):
        client.predict(MODEL, None, api_name="/vae_encode_drawing")
    with pytest.raises(Exception, match="No image was given"):
        client.predict(MODEL, None, api_name="/vae_encode")


def test_a_server_side_path_in_a_request_is_refused(gallery_url):
    """No path from a user reaches the file system: a crafted request naming a file on the
    server (not an upload) gets an error event, never an encoding of that file."""
    import json
    import urllib.request

    target = {"path": str(REPO / "checkpoints" / "vae-mnist" / "samples.png")}
    body = json.dumps({"data": [MODEL, target | {"meta": {"_type": "gradio.FileData"}}]}).encode()
    api = f"{gallery_url}gradio_api/call/vae_encode"
    request = urllib.request.Request(api, body, {"Content-Type": "application/json"})
    event = json.loads(urllib.request.urlopen(request, timeout=30).read())["event_id"]
    answer = urllib.request.urlopen(f"{api}/{event}", timeout=60).read().decode()
    assert answer.startswith("event: error")
    assert "point" not in answer


# The GAN tabs: DCGAN, pix2pix and CycleGAN, on the bundled models of each family.


def first_bundled(family: str) -> str:
    from genzoo.registry import bundled

    names = [entry.name for entry in bundled(family)]
    assert names, f"no bundled {family} model in checkpoints/"
    return names[0]


@pytest.fixture(scope="module")
def dcgan_model() -> str:
    return first_bundled("dcgan")


@pytest.fixture(scope="module")
def pix2pix_model() -> str:
    return first_bundled("pix2pix")


@pytest.fixture(scope="module")
def cyclegan_model() -> str:
    return first_bundled("cyclegan")


def looks_like(served: Image.Image, expected: Image.Image) -> bool:
    """The picture the pipeline makes, as the server sends it: Gradio encodes images as lossy
    WebP, which changes noisy pictures a lot, so the expected one goes through WebP too (images
    served as PNG must match exactly)."""
    if served.format == "PNG":
        return np.array_equal(pixels(served), pixels(expected))
    buffer = io.BytesIO()
    expected.save(buffer, format="WEBP")
    with Image.open(buffer) as encoded:
        if served.size != encoded.size:
            return False
        return np.abs(pixels(served) - pixels(encoded)).mean() < 1


def test_gan_endpoints_are_named(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {
        "/gan_sample",
        "/gan_interpolate",
        "/gan_arithmetic",
        "/pix2pix",
        "/pix2pix_drawing",
        "/pix2pix_example",
        "/cyclegan",
        "/cyclegan_example",
    } <= names


def test_gan_sample_is_seeded(client, dcgan_model):
    from genzoo.pipelines import gan

    first = client.predict(dcgan_model, 9, 7, api_name="/gan_sample")
    again = client.predict(dcgan_model, 9, 7, api_name="/gan_sample")
    other = client.predict(dcgan_model, 9, 8, api_name="/gan_sample")
    with open(first, "rb") as a, open(again, "rb") as b, open(other, "rb") as c:
        first_bytes, again_bytes, other_bytes = a.read(), b.read(), c.read()
    assert first_bytes == again_bytes
    assert first_bytes != other_bytes
    assert looks_like(image_at(first), gan.sample(dcgan_model, 9, 7))
    assert image_at(client.predict(dcgan_model, 64, 7, api_name="/gan_sample")).size == (
        gan.sample(dcgan_model, 64, 7).size
    )


def test_gan_interpolate_gives_a_strip_and_an_animation(client, dcgan_model):
    from genzoo.pipelines import gan

    strip, animation = client.predict(dcgan_model, 3, 4, 6, api_name="/gan_interpolate")
    expected = gan.interpolate(dcgan_model, 3, 4, 6).strip  # served as PNG: exactly
    assert np.array_equal(pixels(image_at(strip)), pixels(expected))
    with Image.open(animation) as gif:
        assert gif.format == "GIF" and gif.is_animated and gif.n_frames == 2 * 6 - 2


def test_gan_arithmetic(client, dcgan_model):
    from genzoo.pipelines import gan

    result, grid = client.predict(dcgan_model, 5, 1, 2, 3, api_name="/gan_arithmetic")
    expected = gan.arithmetic(dcgan_model, 5, 1, 2, 3)
    assert np.array_equal(pixels(image_at(result)), pixels(expected))
    assert looks_like(image_at(grid), gan.numbered_samples(dcgan_model, 16, 5))


def test_gan_arithmetic_preset_gives_its_seed_and_picks(client):
    from genzoo.pipelines import gan

    model, endpoint = "dcgan-emoji-faces", "/gan_arithmetic_preset"
    for preset in gan.arithmetic_presets(model):
        settings = client.predict(model, preset.name, api_name=endpoint)
        assert list(settings) == list(preset.settings().values())
    with pytest.raises(Exception, match="Add tears"):
        client.predict(model, "Add tears", api_name=endpoint)


@pytest.mark.parametrize("model", ["pix2pix", "cyclegan"])
def test_translation_of_an_upload(client, tmp_path, pix2pix_model, cyclegan_model, model):
    from genzoo.pipelines import translation

    picture = upload(tmp_path, "lines.png", png(line_art()))
    if model == "pix2pix":
        seen, output = client.predict(pix2pix_model, picture, api_name="/pix2pix")
        expected = translation.pix2pix(pix2pix_model, line_art())
        assert looks_like(image_at(seen), expected.input)
        assert looks_like(image_at(output), expected.output)
        return
    for direction in ("A→B", "B→A"):
        seen, translated, changed, change, returned = client.predict(
            cyclegan_model, picture, direction, api_name="/cyclegan"
        )
        expected = translation.cyclegan(cyclegan_model, line_art(), direction)
        assert looks_like(image_at(seen), expected.input)
        assert looks_like(image_at(translated), expected.translated)
        assert looks_like(image_at(changed), expected.difference)
        assert looks_like(image_at(returned), expected.returned)
        assert change == expected.summary and "the true" not in change  # an upload has none


def test_pix2pix_example(client, pix2pix_model):
    from genzoo.pipelines import translation

    seen, output, truth = client.predict(pix2pix_model, 1, api_name="/pix2pix_example")
    assert looks_like(image_at(seen), translation.example_for_display(pix2pix_model, 1, "a"))
    assert looks_like(image_at(truth), translation.example_for_display(pix2pix_model, 1, "b"))
    expected = translation.pix2pix(pix2pix_model, translation.example_image(pix2pix_model, 1))
    assert looks_like(image_at(output), expected.output)


@pytest.mark.parametrize(("direction", "side", "other"), [("A→B", "a", "b"), ("B→A", "b", "a")])
def test_cyclegan_example_both_ways(client, cyclegan_model, direction, side, other):
    from genzoo.pipelines import translation

    seen, translated, changed, change, returned, truth = client.predict(
        cyclegan_model, 0, direction, api_name="/cyclegan_example"
    )
    assert looks_like(image_at(seen), translation.example_for_display(cyclegan_model, 0, side))
    assert looks_like(image_at(truth), translation.example_for_display(cyclegan_model, 0, other))
    size = (DISPLAY_SIZE, DISPLAY_SIZE)
    assert image_at(translated).size == image_at(returned).size == size
    expected, _ = translation.cyclegan_example(cyclegan_model, 0, direction)
    assert looks_like(image_at(changed), expected.difference)
    target = translation.styles(cyclegan_model, direction)[1]
    assert change == expected.summary and f"the true {target} differs" in change


def test_cyclegan_names_its_directions_and_pictures_by_their_styles(client, cyclegan_model):
    """The page the server sends: the direction radio offers "Twemoji → Noto emoji" (sending
    "A→B"), and each picture is named by its style, the difference image by its gain."""
    from genzoo.pipelines import translation

    props = [component.get("props", {}) for component in client.config["components"]]
    radio = next(p for p in props if p.get("label") == "Direction" and "choices" in p)
    assert radio["choices"] == [
        [translation.direction_name(cyclegan_model, value), value] for value in ("A→B", "B→A")
    ]
    names = [name for name, _ in radio["choices"]]
    assert names == ["Twemoji → Noto emoji", "Noto emoji → Twemoji"]
    labels = {p.get("elem_id"): p.get("label") for p in props if p.get("elem_id")}
    assert labels["cyclegan-output"] == "As Noto emoji"
    assert labels["cyclegan-truth"] == "True Noto emoji"
    assert labels["cyclegan-returned"] == "Back to Twemoji"
    assert labels["cyclegan-difference"] == f"What changed (×{translation.DIFFERENCE_GAIN})"
    texts = [p.get("value") for p in props if "choices" not in p]  # a radio's value is unseen
    shown = [str(p.get("label")) for p in props] + [text for text in texts if isinstance(text, str)]
    assert not [text for text in shown if "A→B" in text or "B→A" in text]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"this is text, not a picture", "not an image"),
        ("cut.png", png(Image.new("RGB", (64, 64), "red"))[:100], "truncated or corrupt"),
        ("flat.png", png(Image.new("RGB", (64, 64), "white")), "one flat colour"),
    ],
    ids=["text", "truncated", "blank"],
)
@pytest.mark.parametrize("api_name", ["/pix2pix", "/cyclegan"])
def test_bad_uploads_to_the_translators(
    client, tmp_path, pix2pix_model, cyclegan_model, api_name, name, data, message
):
    if api_name == "/pix2pix":
        args = (pix2pix_model, upload(tmp_path, name, data))
    else:
        args = (cyclegan_model, upload(tmp_path, name, data), "A→B")
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name=api_name)
    # the server keeps serving
    seen, _, _ = client.predict(pix2pix_model, 0, api_name="/pix2pix_example")
    assert image_at(seen).size == (256, 256)


@pytest.mark.parametrize(
    ("api_name", "args", "message"),
    [
        ("/gan_sample", (0, 1), "Value 0 is less than minimum value 1"),
        ("/gan_sample", (65, 1), "Value 65 is greater than maximum value 64"),
        ("/gan_sample", (4, -1), "Value -1 is less than minimum value 0"),
        ("/gan_interpolate", (0, 1, 40), "Value 40 is greater than maximum value 32"),
        ("/gan_arithmetic", (0, 0, 2, 3), "Value 0 is less than minimum value 1"),
        ("/gan_arithmetic", (0, 1, 2, 65), "Value 65 is greater than maximum value 64"),
    ],
)
def test_out_of_range_gan_settings(client, dcgan_model, api_name, args, message):
    with pytest.raises(Exception, match=message):
        client.predict(dcgan_model, *args, api_name=api_name)


def test_translator_inputs_out_of_range(client, tmp_path, pix2pix_model, cyclegan_model):
    with pytest.raises(Exception, match="Example must be between 0 and"):
        client.predict(pix2pix_model, 10_000, api_name="/pix2pix_example")
    with pytest.raises(Exception, match="not in the list of choices"):
        client.predict(cyclegan_model, 0, "C→D", api_name="/cyclegan_example")
    with pytest.raises(Exception, match="Nothing is drawn"):
        client.predict(pix2pix_model, None, api_name="/pix2pix_drawing")
    with pytest.raises(Exception, match="not an image I can read"):
        junk = upload(tmp_path, "junk.png", b"hello, not an image")
        drawing = {"background": None, "layers": [junk], "composite": junk}
        client.predict(pix2pix_model, drawing, api_name="/pix2pix_drawing")
    with pytest.raises(Exception, match="No image was given"):
        client.predict(cyclegan_model, None, "A→B", api_name="/cyclegan")


# The endpoint each share link's action makes its result with.
ACTION_ENDPOINTS = {
    "text-to-image": "/text_to_image",
    "text-to-image/image-to-image": "/image_to_image_example",
    "dcgan": "/gan_sample",
    "dcgan/interpolate": "/gan_interpolate",
    "dcgan/arithmetic": "/gan_arithmetic",
    "vae": "/vae_manifold",
    "vae/decode": "/vae_decode",
    "vae/sample": "/vae_sample",
    "pix2pix": "/pix2pix_example",
    "cyclegan": "/cyclegan_example",
    "clip": "/clip_rank_example",
    "likelihood": "/likelihood_example",
}
REAL_VALUED = {"guidance", "clip_guidance", "strength", "span", "center_x", "center_y", "x", "y"}


def test_the_api_reads_as_its_users_read_it(client):
    """`view_api` as a program's author reads it: each endpoint says what it does, each output
    has a name, whole-number settings are typed int, and settings are named as in share links."""
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    for name, endpoint in api.items():
        assert endpoint["description"], f"{name} has no description"
        for output in endpoint["returns"]:
            assert not output["label"].startswith("value_"), f"{name} has an unnamed output"
        for parameter in endpoint["parameters"]:
            if parameter["python_type"]["type"] in ("float", "int"):
                wanted = "float" if parameter["parameter_name"] in REAL_VALUED else "int"
                assert parameter["python_type"]["type"] == wanted, (name, parameter)
    for action, endpoint in ACTION_ENDPOINTS.items():
        names = [parameter["parameter_name"] for parameter in api[endpoint]["parameters"]]
        assert set(share.ACTIONS[action]) == set(names), action
    assert set(ACTION_ENDPOINTS) == set(share.ACTIONS)


# Nothing stale: what a tab shows belongs to what is on screen now.

SHOWN = {"image", "gallery", "label", "json"}  # component kinds that show a result


@pytest.mark.parametrize("family", FAMILIES)
def test_picking_another_model_empties_every_result_of_the_last(family):
    """Every result a button makes, and every share link written after one, is emptied when the
    visitor picks another model (an `input` event: a share link's own settings do not fire it)."""
    demo = import_module("demos." + family.replace("-", "_")).build()
    config = demo.get_config_file()
    kinds = {c["id"]: c["type"] for c in config["components"]}
    (model,) = [c["id"] for c in config["components"] if c["props"].get("label") == "Model"]
    made = set()
    for dependency in config["dependencies"]:
        triggers = {event for _, event in dependency["targets"]}
        if triggers & {"click", "select", "submit", "success"}:
            made |= {o for o in dependency["outputs"] if kinds[o] in SHOWN | {"markdown"}}
    made -= {
        o
        for d in config["dependencies"]
        if (model, "change") in map(tuple, d["targets"])
        for o in d["outputs"]
    }  # fmt: skip  (refreshed for the new model, not emptied)
    cleared = {
        output
        for dependency in config["dependencies"]
        if (model, "input") in map(tuple, dependency["targets"])
        for output in dependency["outputs"]
    }
    assert made and made <= cleared, sorted(made - cleared)


def test_vae_interpolation_shows_only_the_chosen_source_of_each_end():
    config = import_module("demos.vae").build().get_config_file()

    def labelled(label: str) -> list[dict]:
        return [c for c in config["components"] if c["props"].get("label") == label]

    hidden, shown = labelled("Upload") + labelled("Draw"), labelled("Test-set index")
    assert len(hidden) == 4 and len(shown) == 2
    assert not any(c["props"]["visible"] for c in hidden)
    assert all(c["props"]["visible"] for c in shown)
    radios = {c["id"] for c in labelled("From")}
    toggled = {
        output
        for dependency in config["dependencies"]
        if {target[0] for target in dependency["targets"]} & radios
        for output in dependency["outputs"]
    }
    assert {c["id"] for c in hidden + shown} <= toggled


@pytest.mark.parametrize("family", FAMILIES)
def test_a_failed_action_empties_its_share_link(family):
    """A share link belongs to the result on screen: an action that fails (bad input) leaves no
    link to the result before it."""
    config = import_module("demos." + family.replace("-", "_")).build().get_config_file()
    markdown = {c["id"] for c in config["components"] if c["type"] == "markdown"}
    links = {
        output
        for dependency in config["dependencies"]
        if dependency["trigger_only_on_success"]
        for output in dependency["outputs"]
        if output in markdown
    }
    emptied = {
        output
        for dependency in config["dependencies"]
        if dependency["trigger_only_on_failure"]
        for output in dependency["outputs"]
    }
    assert links and links <= emptied


@pytest.mark.parametrize("family", FAMILIES)
def test_the_metrics_panel_charts_the_picked_models_training_curve(family, tiny_vae):
    """Beside the metrics, the model's training losses (from the curve its training wrote into
    the model folder), following the picker; a model without one says so instead."""
    demo = import_module("demos." + family.replace("-", "_")).build()
    config = demo.get_config_file()
    (chart,) = [c for c in config["components"] if c["props"].get("label") == "Training curve"]
    (note,) = [c for c in config["components"] if NO_TRAINING_CURVE in str(c["props"].get("value"))]
    (model,) = [c["id"] for c in config["components"] if c["props"].get("label") == "Model"]
    first = config["components"][[c["id"] for c in config["components"]].index(model)]
    has_curve = bool(training_curve(first["props"]["value"]))
    assert chart["props"]["visible"] == has_curve and note["props"]["visible"] != has_curve
    (follows,) = [
        i
        for i, d in enumerate(config["dependencies"])
        if (model, "change") in map(tuple, d["targets"]) and chart["id"] in d["outputs"]
    ]
    drawn = demo.fns[follows].fn
    shown, hidden_note, animation = drawn(str(tiny_vae))  # its training wrote a curve
    assert shown.visible and not hidden_note.visible
    assert list(shown.value["data"][0][:2]) == [6, "loss"]  # step 6, the VAE's first loss
    assert animation.visible and Image.open(animation.value["path"]).n_frames == 2  # 2 grids
    hidden, shown_note, no_animation = drawn(str(tiny_vae.parent))  # a folder without one
    assert not hidden.visible and shown_note.visible and not no_animation.visible
