"""The CycleGAN tab: translate an upload or a held-out example A→B or B→A, and back again.

Layout and wiring only: every button calls a function of `genzoo.pipelines.translation`.
Run alone with `python -m demos.cyclegan`.
"""

from __future__ import annotations

import gradio as gr

from demos.common import (
    ServedImage,
    clears,
    example_picker,
    launch,
    model_and_metrics,
    shareable,
    user_errors,
)
from genzoo.cards import metrics_markdown
from genzoo.pipelines import translation as actions
from genzoo.registry import FAMILY_TABLE, bundled

DIRECTIONS = list(actions.DIRECTIONS)


@user_errors
def translate(model: str, path: str | None, direction: str):
    """An uploaded image translated one way, and back again."""
    result = actions.cyclegan(model, path, direction)
    return result.input, result.translated, result.returned


@user_errors
def translate_example(model: str, example: int, direction: str):
    """A held-out example translated one way and back, beside the true translation."""
    side = "a" if direction == "A→B" else "b"
    result = actions.cyclegan(model, actions.example_image(model, example, side), direction)
    truth = actions.example_for_display(model, example, "b" if side == "a" else "a")
    return result.input, result.translated, result.returned, truth


def select_example(model: str, direction: str, evt: gr.SelectData):
    return evt.index, *translate_example(model, evt.index, direction)


@user_errors
def describe(model: str, direction: str):
    names = actions.domain_names(model)
    side = "a" if direction == "A→B" else "b"
    legend = f"**A** is *{names[0]}*, **B** is *{names[1]}*.\n\n"
    return legend + metrics_markdown(model), actions.example_gallery(model, side)


def render(demo: gr.Blocks) -> None:
    """Add the CycleGAN demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("cyclegan")]
    if not names:
        gr.Markdown(FAMILY_TABLE["cyclegan"].missing_message())
        return
    gr.Markdown(
        "**CycleGAN** learned to translate between two styles without ever seeing a pair: "
        "two generators (A→B, B→A) each fool a discriminator, and going there and back must "
        "return the input (cycle consistency). The round trip shows how much survives."
    )
    model, metrics = model_and_metrics(names, "Measured quality (held-out true pairs)")
    direction = gr.Radio(DIRECTIONS, value=DIRECTIONS[0], label="Direction")
    with gr.Row(equal_height=False):
        with gr.Column():
            with gr.Tab("Held-out examples"):
                gallery, index, example_button = example_picker("cyclegan-examples")
            with gr.Tab("Upload"):
                upload = gr.File(label="Upload an image", file_types=["image"], type="filepath")
                upload_button = gr.Button("Translate upload", variant="primary")
        with gr.Column():
            with gr.Row():
                seen = ServedImage(label="Input", type="pil", height=200)
                translated = ServedImage(
                    label="Translated",
                    type="pil",
                    format="png",
                    height=200,
                    elem_id="cyclegan-output",
                )
                returned = ServedImage(label="And back (round trip)", type="pil", height=200)
            truth = ServedImage(
                label="The true translation (examples only)", type="pil", height=200
            )
            link = gr.Markdown(elem_id="cyclegan-share")

    for trigger in (model.change, direction.change):
        trigger(describe, [model, direction], [metrics, gallery], api_visibility="private")
    for trigger in (model.input, direction.input):
        trigger(**clears([seen, translated, returned, truth, link]))
    upload_button.click(
        translate, [model, upload, direction], [seen, translated, returned], api_name="cyclegan"
    ).success(**clears([truth, link]))  # an example's, not this upload's
    example_outputs = [seen, translated, returned, truth]
    picked = [
        example_button.click(
            translate_example,
            [model, index, direction],
            example_outputs,
            api_name="cyclegan_example",
        ),
        gallery.select(
            select_example, [model, direction], [index, *example_outputs], api_visibility="private"
        ),
    ]
    demo.load(describe, [model, direction], [metrics, gallery], api_visibility="private")
    shareable(
        demo, "cyclegan", dict(model=model, example=index, direction=direction),
        translate_example, example_outputs, link, picked, first=True,
    )  # fmt: skip


def build() -> gr.Blocks:
    """The CycleGAN demo as an app of its own."""
    with gr.Blocks(title="genzoo: CycleGAN") as demo:
        gr.Markdown("# genzoo: CycleGAN")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
