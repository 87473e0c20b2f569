"""The genzoo gallery: every family's demo as a tab of one Gradio app (the hosted Space).

python -m demos.app        # or: python demos/app.py; serves http://127.0.0.1:7860
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # started as `python demos/app.py`: make `demos` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import demos  # noqa: F401  (sets the offline environment before gradio is imported)

import gradio as gr

from demos import cyclegan, dcgan, pix2pix, text_to_image, vae
from demos.common import launch

INTRO = """# genzoo
Generative models trained from scratch, with their measured quality beside them.
Every model here was trained by this project's scripts and loads from `checkpoints/`.
"""


def build() -> gr.Blocks:
    with gr.Blocks(title="genzoo") as demo:
        gr.Markdown(INTRO)
        with gr.Tab("VAE"):
            vae.render(demo)
        with gr.Tab("DCGAN"):
            dcgan.render(demo)
        with gr.Tab("pix2pix"):
            pix2pix.render(demo)
        with gr.Tab("CycleGAN"):
            cyclegan.render(demo)
        with gr.Tab("Text to image"):
            text_to_image.render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
