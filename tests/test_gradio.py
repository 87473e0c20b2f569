"""The gallery as a user's program sees it: the real Gradio server on 127.0.0.1, driven by
gradio_client through the named endpoints, on the bundled models."""

import io

import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from tests.conftest import REPO
from tests.test_images import png_header_claiming

MODEL = "vae-fashion-mnist"


@pytest.fixture(scope="module")
def client(gallery_url):
    return Client(gallery_url, verbose=False)


def image_at(path: str) -> Image.Image:
    with Image.open(path) as image:
        return image.copy()


def upload(tmp_path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    return handle_file(str(path))


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


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
    assert len(point["point"]) == 2 and len(point["latent"]) == 2


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
    with pytest.raises(Exception, match="Seed must be between"):
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
