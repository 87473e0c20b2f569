"""The bundled autoencoder (`checkpoints/autoencoder-emoji`), the latent space of the text-to-image
model: every picture that model makes passes through its decoder. Measured on held-out emoji of
the colour styles it was trained on."""

import pytest
import torch
from diffusers import AutoencoderKL

from genzoo.cards import card_metrics
from genzoo.data.captions import load_captioned
from genzoo.evaluation import hot_spot, psnr, reconstruct, ssim, white_error
from genzoo.registry import BUNDLED
from tests.helpers import colour_folders

NAME = "autoencoder-emoji"
WHITE_LEVELS = 3  # "a plain white image decodes to white, every pixel within a few levels"
HOT_SPOT_LEVELS = 8  # a mark shared by every output, above its neighbourhood's median
PSNR_GOAL, SSIM_GOAL = 28.0, 0.92


@pytest.fixture(scope="module")
def autoencoder() -> AutoencoderKL:
    return AutoencoderKL.from_pretrained(BUNDLED[NAME].folder).eval()


@pytest.fixture(scope="module")
def held_out(autoencoder, tiny_emoji) -> tuple[torch.Tensor, torch.Tensor]:
    """Held-out emoji in [0, 1] and their round trips through the autoencoder."""
    images = load_captioned(colour_folders(tiny_emoji), "test", 64).images.float() / 255
    return images, reconstruct(autoencoder, images)


def test_a_white_image_comes_back_white(autoencoder):
    assert white_error(autoencoder, 64) <= WHITE_LEVELS


def test_no_mark_sits_in_the_same_place_on_every_output(held_out):
    images, reconstructions = held_out
    levels, position = hot_spot(reconstructions, images)
    assert levels <= HOT_SPOT_LEVELS, f"a mark of {levels:.1f} levels at (y, x) {position}"


def test_held_out_reconstructions_meet_the_goals(held_out):
    images, reconstructions = held_out
    assert len(images) >= 60  # 24 a style, less the categories left out
    assert psnr(reconstructions, images) >= PSNR_GOAL
    assert ssim(reconstructions, images) >= SSIM_GOAL


def test_the_card_reports_the_goals_met_on_every_held_out_image():
    metrics = {m["type"]: m["value"] for m in card_metrics(NAME)}
    assert metrics["psnr"] >= PSNR_GOAL and metrics["ssim"] >= SSIM_GOAL
