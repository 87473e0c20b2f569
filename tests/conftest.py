"""Shared fixtures. The environment is set before any test imports huggingface_hub or gradio:
everything runs offline, with analytics and telemetry off."""

from genzoo.env import offline_defaults

offline_defaults()

import socket  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from genzoo.data import build  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
