"""What several test files share that is not a fixture: where the repository is, a free loopback
port, pictures as bytes, pixels and uploads, waiting for an image in a browser's page, the shape
of a tiny training run, and the environment of a client of the loopback Hub. The fixtures live in
conftest.py, the loopback Hub itself in hub_server.py."""

import io
import os
import socket
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Pictures: as the bytes of a file, as pixels, as served, as uploaded.


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    """The picture as the bytes of a file in `fmt`."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    return encoded(image, "PNG")


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge size: a decompression bomb in a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 100)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def pixels(image: Image.Image) -> np.ndarray:
    """The picture's RGB values, signed so that two pictures can be subtracted."""
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def image_at(path: str) -> Image.Image:
    """The picture a server sent, kept with its format."""
    with Image.open(path) as image:
        copy = image.copy()
        copy.format = image.format  # PNG (lossless) or WebP (lossy), as served
        return copy


def upload(tmp_path: Path, name: str, data: bytes) -> dict:
    """`data` as a file that gradio_client uploads."""
    from gradio_client import handle_file

    path = tmp_path / name
    path.write_bytes(data)
    return handle_file(str(path))


def line_art() -> Image.Image:
    """A black cross on white: what a visitor might draw or upload to a translator."""
    image = Image.new("RGB", (120, 90), "white")
    image.paste((0, 0, 0), (20, 20, 100, 26))
    image.paste((0, 0, 0), (57, 10, 63, 80))
    return image


# A real browser's page (the `browser` and `page` fixtures).


def image_source(page, selector: str) -> str:
    """The src of a loaded image at `selector` (waits for one to arrive)."""
    page.wait_for_function(
        "s => { const i = document.querySelector(s);"
        " return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
        timeout=60_000,
    )
    return page.eval_on_selector(selector, "img => img.src")


def wait_for_new_image(page, selector: str, old_source: str) -> None:
    """Until the image at `selector` is another one than `old_source`, and loaded."""
    page.wait_for_function(
        "([s, old]) => { const i = document.querySelector(s);"
        " return i && i.src !== old && i.complete && i.naturalWidth > 0; }",
        arg=[selector, old_source],
        timeout=60_000,
    )


# Tiny training runs, written by the real training scripts on tiny data.


@dataclass(frozen=True)
class TinyRun:
    """A finished smoke run: its Hub folder, its run folder, and the arguments that made it
    (less --output_dir and --run_dir), so a test can run the same command again."""

    out: Path
    run: Path
    args: list[str]

    def again(self, out: Path, run: Path, *extra: str) -> list[str]:
        return [*self.args, "--output_dir", str(out), "--run_dir", str(run), *extra]


def smoke_run(tmp_path_factory, name: str, main, args: list[str]) -> TinyRun:
    out = tmp_path_factory.mktemp("models") / name
    run = tmp_path_factory.mktemp("runs") / name
    main([*args, "--output_dir", str(out), "--run_dir", str(run)])
    return TinyRun(out, run, args)


SMOKE = ["--max_steps", "4", "--sample_every", "2", "--checkpoint_every", "2"]
SMOKE += ["--mixed_precision", "no", "--title", "tiny test GAN"]
SMOKE_DIFFUSION = [*SMOKE[:6], "--mixed_precision", "no"]

COLOUR = ("google", "twitter", "fluent-flat", "fluent-modern", "openmoji-color")
"""The colour emoji styles the text-to-image family trains on."""


def colour_folders(tiny_emoji: dict[str, Path]) -> list[str]:
    return [str(tiny_emoji[style]) for style in COLOUR]


# A client process of the loopback Hub (hub_server.py).

TOKEN = "hf_fake_test_token_do_not_log_0123456789"


def client_env(tmp_path: Path, cache: Path, endpoint: str, offline: bool = False) -> dict:
    """The environment of a process that talks to the Hub at `endpoint` with `TOKEN`."""
    # Drop the HF_* settings of this process (conftest sets HF_HUB_OFFLINE=1) and set our own.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(
        HF_ENDPOINT=endpoint,
        HF_TOKEN=TOKEN,
        HF_HOME=str(tmp_path / "hf_home"),  # no login cache or xet cache from the real home
        HF_HUB_CACHE=str(cache),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        HF_HUB_DISABLE_XET="1",  # the loopback Hub stores large files by LFS, not xet
        NO_PROXY="127.0.0.1,localhost",
    )
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    return env
