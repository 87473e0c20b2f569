"""The gallery's first tab: every bundled model as a card (family, a sample, data, metrics, size
and training time), read from the model cards by `genzoo.catalogue`.

Run alone with `python -m demos.home`.
"""

from __future__ import annotations

import gradio as gr

from demos.common import launch
from genzoo.catalogue import summaries


def render(demo: gr.Blocks) -> None:
    """Add the model cards to `demo`, inside whichever tab or column is open."""
    gr.Markdown(
        "Every model in this gallery, as its model card describes it: what it was trained on, "
        "how it measured on held-out data, and what training it took. Open a family's tab to "
        "try it."
    )
    for model in summaries():
        with gr.Row(equal_height=False, elem_classes="model-card"):
            gr.Image(
                str(model.sample) if model.sample else None,
                show_label=False,
                interactive=False,
                height=180,
                scale=1,
                buttons=[],
            )
            gr.Markdown(model.markdown(), elem_id=f"card-{model.name}")


def build() -> gr.Blocks:
    with gr.Blocks(title="genzoo: models") as demo:
        gr.Markdown("# genzoo: the bundled models")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
