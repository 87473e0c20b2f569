"""The VAE tab's actions, as the bench times them."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.latency import png_of
from genzoo.pipelines import vae

CACHES = (vae.examples, vae.map_extent)


def actions(model: str) -> dict[str, Callable[[], object]]:
    upload = png_of(vae.example_image(model, 0).resize((256, 256)))
    first, second = vae.example_image(model, 0), vae.example_image(model, 1)
    return {
        "load (cold)": lambda: vae.examples(model),
        "manifold 20x20": lambda: vae.manifold(model, 20, 3.0),
        "encode (256 px PNG upload)": lambda: vae.encode(model, upload),
        "decode": lambda: vae.decode(model, 0.5, -0.5),
        "sample 16": lambda: vae.sample(model, 16, 0),
        "interpolate (10 steps)": lambda: vae.interpolate(model, first, second, 10),
        "latent map": lambda: vae.latent_map(model, marker=(0.0, 0.0)),
    }
