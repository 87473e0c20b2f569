"""What made a picture, inside the picture: written by the pipelines, read back, reused."""

import io
import json

import pytest
from PIL import Image, PngImagePlugin

from genzoo import provenance
from genzoo.hub import revision
from genzoo.images import InvalidInputError
from genzoo.pipelines import gan, text_to_image, translation, vae


def reopened(image: Image.Image) -> Image.Image:
    """The picture as a visitor's download of it: PNG bytes, opened again."""
    return Image.open(io.BytesIO(provenance.png_bytes(image)))


def test_a_sample_carries_its_model_revision_settings_and_version():
    image = gan.sample("dcgan-fashion-mnist", 4, 11)
    facts = provenance.read(reopened(image))
    assert facts["action"] == "gan.sample" and facts["model"] == "dcgan-fashion-mnist"
    assert facts["revision"] == revision("dcgan-fashion-mnist") and len(facts["revision"]) == 12
    assert facts["settings"] == {"count": 4, "seed": 11}
    assert facts["genzoo"] == provenance.VERSION
    line = reopened(image).info[provenance.PARAMETERS]
    assert "dcgan-fashion-mnist" in line and "seed: 11" in line


def test_every_family_stamps_what_it_makes():
    stamped = [
        gan.interpolate("dcgan-fashion-mnist", 1, 2, 4).strip,
        gan.arithmetic("dcgan-fashion-mnist", 0, 1, 2, 3),
        vae.sample("vae-mnist", 4, 1),
        vae.decode("vae-mnist", 0.5, -0.5),
        vae.encode("vae-mnist", vae.example_image("vae-mnist", 0)).reconstruction,
        translation.pix2pix(
            "pix2pix-emoji-line-to-color",
            translation.example_image("pix2pix-emoji-line-to-color", 0),
        ).output,
    ]
    actions = [provenance.read(reopened(image))["action"] for image in stamped]
    assert actions == [
        "gan.interpolate", "gan.arithmetic", "vae.sample", "vae.decode", "vae.encode",
        "translation.pix2pix",
    ]  # fmt: skip
    assert provenance.read(reopened(stamped[3]))["settings"] == {"x": 0.5, "y": -0.5}


def test_revisions_tell_weights_apart():
    assert revision("vae-mnist") != revision("vae-fashion-mnist")
    assert revision("vae-mnist") == revision("vae-mnist")


def test_text_to_image_settings_come_back_from_its_png():
    (image,) = text_to_image.text_to_image(
        "text-to-image-emoji", "a blue car", 1, steps=2, seed=5, guidance=6.5
    )
    found = text_to_image.settings_from_png(provenance.png_bytes(image))
    assert found["model"] == "text-to-image-emoji" and found["prompt"] == "a blue car"
    assert (found["steps"], found["seed"], found["guidance"], found["count"]) == (2, 5, 6.5, 1)
    assert found["scheduler"] == text_to_image.SCHEDULER.default  # defaults recorded too
    assert list(found) == list(text_to_image.GENERATE)


def png_with(text: dict[str, str]) -> bytes:
    chunks = PngImagePlugin.PngInfo()
    for key, value in text.items():
        chunks.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG", pnginfo=chunks)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png_with({}), "says nothing of what made it"),
        (png_with({provenance.FACTS: "{not json"}), "damaged"),
        (png_with({provenance.FACTS: json.dumps([1, 2])}), "damaged"),
        (b"not an image at all", "not an image"),
    ],
)
def test_pictures_without_a_record_get_a_clear_message(data, message):
    with pytest.raises(InvalidInputError, match=message):
        text_to_image.settings_from_png(data)


def test_another_familys_png_is_not_taken_for_text_to_image():
    picture = provenance.png_bytes(gan.sample("dcgan-fashion-mnist", 1, 0))
    with pytest.raises(InvalidInputError, match="gan.sample, not by text to image"):
        text_to_image.settings_from_png(picture)
