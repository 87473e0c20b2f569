"""The pix2pix tab: translate an upload, a drawing or a held-out example; input and output side
by side (and the truth, for an example).

Layout and wiring only: every button calls a function of `genzoo.pipelines.translation`.
Run alone with `python -m demos.pix2pix`.
"""

from __future__ import annotations

import gradio as gr

from demos.common import clears, launch, user_errors
from demos.editors import sketchpad
from demos.panels import example_picker, model_and_metrics
from demos.served import ServedImage
from demos.sharing import shareable
from genzoo.pipelines import translation as actions
from genzoo.registry import FAMILY_TABLE, bundled
from words.catalogue import metrics_markdown


@user_errors
def translate_upload(model: str, path: str | None):
    """An uploaded image as the model sees it, and translated."""
    result = actions.pix2pix(model, path)
    return result.input, result.output


@user_errors
def translate_drawing(model: str, drawing: dict | None):
    """A drawing as the model sees it, and translated."""
    result = actions.pix2pix(model, (drawing or {}).get("composite"), drawing=True)
    return result.input, result.output


@user_errors
def translate_example(model: str, example: int):
    """A held-out example, translated, beside the true translation."""
    result = actions.pix2pix(model, actions.example_image(model, example, "a"))
    return result.input, result.output, actions.example_for_display(model, example, "b")


def select_example(model: str, evt: gr.SelectData):
    return evt.index, *translate_example(model, evt.index)


def without_truth():
    """A drawing or an upload has no truth: its box hides, and the link (an example's)
    empties."""
    return gr.update(value=None, visible=False), ""


def with_truth():
    """An example has its truth: the box shows again."""
    return gr.update(visible=True)


@user_errors
def describe(model: str):
    return metrics_markdown(model), actions.example_gallery(model, "a")


def render(demo: gr.Blocks) -> None:
    """Add the pix2pix demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("pix2pix")]
    if not names:
        gr.Markdown(FAMILY_TABLE["pix2pix"].missing_message())
        return
    gr.Markdown(
        "**pix2pix** learned from pairs (the same emoji as line art and in colour) to turn one "
        "into the other: a U-Net paints, a PatchGAN discriminator judges each patch of "
        "(input, output), and an L1 term keeps it close to the truth. Draw black lines on white, "
        "upload a picture, or pick an emoji it never saw in training."
    )
    model, metrics = model_and_metrics(names)
    with gr.Row(equal_height=False):
        with gr.Column():
            with gr.Tab("Held-out examples"):
                gallery, index, example_button = example_picker("pix2pix-examples")
            with gr.Tab("Draw"):
                drawing = sketchpad(
                    "Draw black lines on white",
                    6,  # line art: about 1.5 px of a 64 px emoji
                    type="numpy",
                    canvas_size=(256, 256),
                    elem_id="pix2pix-drawing",
                )
                drawing_button = gr.Button("Translate drawing", variant="primary")
            with gr.Tab("Upload"):
                upload = gr.File(label="Upload an image", file_types=["image"], type="filepath")
                upload_button = gr.Button("Translate upload", variant="primary")
        with gr.Column():
            with gr.Row():
                seen = ServedImage(label="Input, as the model sees it", type="pil", height=256)
                output = ServedImage(
                    label="pix2pix output",
                    type="pil",
                    format="png",
                    height=256,
                    elem_id="pix2pix-output",
                )
            truth = ServedImage(
                label="The truth (the real colour emoji)",
                type="pil",
                height=256,
                elem_id="pix2pix-truth",
            )
            link = gr.Markdown(elem_id="pix2pix-share")

    model.change(describe, model, [metrics, gallery], api_visibility="private")
    model.input(**clears([seen, output, truth, link]))
    for translated in (
        upload_button.click(translate_upload, [model, upload], [seen, output], api_name="pix2pix"),
        drawing_button.click(
            translate_drawing, [model, drawing], [seen, output], api_name="pix2pix_drawing"
        ),
    ):
        translated.success(
            without_truth, None, [truth, link], api_visibility="private", queue=False
        )  # an example's truth and link, not this input's
    example_outputs = [seen, output, truth]
    picked = [
        example_button.click(
            translate_example, [model, index], example_outputs, api_name="pix2pix_example"
        ),
        gallery.select(select_example, model, [index, *example_outputs], api_visibility="private"),
    ]
    for event in picked:
        event.success(with_truth, None, truth, api_visibility="private", queue=False)
    demo.load(describe, model, [metrics, gallery], api_visibility="private")
    shareable(
        demo,
        "pix2pix",
        dict(model=model, example=index),
        translate_example,
        example_outputs,
        link,
        picked,
        first=True,
    )


def build() -> gr.Blocks:
    """The pix2pix demo as an app of its own."""
    with gr.Blocks(title="genzoo: pix2pix") as demo:
        gr.Markdown("# genzoo: pix2pix")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
