"""The likelihood lab's tab: a picture (a test image, an upload or a drawing) scored in bits per
dimension by every bundled explicit-density model and by PNG, WebP and xz, side by side; and the
out-of-distribution chart, Fashion-MNIST against MNIST digits per model, with the picture on it.

Layout and wiring only: every button calls a function of `genzoo.pipelines.likelihood`. Uploads
arrive as file paths (gr.File) and are checked by genzoo itself.
Run alone with `python -m demos.likelihood`.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from demos.common import STRIP, clears, launch, user_errors
from demos.editors import sketchpad
from demos.panels import control, example_picker
from demos.served import ServedImage
from demos.sharing import shareable
from genzoo.images import open_drawing
from genzoo.pipelines import likelihood as actions
from words import likelihood as words

PEN = 22  # on a 280 px pad: a stroke of 2 px of 28, as in MNIST


def _shown(report: actions.Report) -> tuple:
    """A report as the tab's outputs: the picture, the table, what it says, and the chart with
    the picture on it."""
    placement = actions.out_of_distribution(report)
    table = pd.DataFrame(report.table())
    return report.input, table, report.describe(), placement.chart, placement.text


@user_errors
def score_example(dataset: str, example: int):
    """Bits per dimension of a held-out test image under every model and codec."""
    return _shown(actions.likelihood_example(dataset, example))


@user_errors
def score_upload(path: str | None):
    """Bits per dimension of an uploaded picture under every model and codec."""
    return _shown(actions.likelihood_of(path))


@user_errors
def score_drawing(drawing: dict | None):
    """Bits per dimension of a drawing under every model and codec."""
    return _shown(actions.likelihood_of(open_drawing((drawing or {}).get("composite"))))


@user_errors
def pick_example(dataset: str, evt: gr.SelectData):
    return evt.index, *score_example(dataset, evt.index)


@user_errors
def show_examples(dataset: str):
    """The chosen set's first test images, to click."""
    return actions.example_gallery(dataset)


@user_errors
def unmarked_chart():
    """The chart with no picture on it."""
    return actions.out_of_distribution().chart


def render(demo: gr.Blocks) -> None:
    """Add the likelihood lab to `demo`, inside whichever tab or column is open."""
    gr.Markdown(words.INTRO)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            with gr.Tab(words.SOURCES[0]):
                dataset = control(actions.DATASET)
                gallery, index, example_button = example_picker("lab-examples", "Score example")
            with gr.Tab(words.SOURCES[1]):
                upload = gr.File(
                    label="Upload a picture", file_types=["image"], type="filepath", height=120
                )
                upload_button = gr.Button("Score upload", variant="primary")
            with gr.Tab(words.SOURCES[2]):
                drawing = sketchpad("Draw", PEN, type="numpy", height=300, canvas_size=(280, 280))
                drawing_button = gr.Button("Score drawing", variant="primary")
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                seen = ServedImage(
                    label="What the models see",
                    type="pil",
                    height=230,
                    scale=1,
                    min_width=200,
                    elem_id="lab-seen",
                )
                table = gr.Dataframe(
                    label="Bits per dimension (fewer: more likely)",
                    interactive=False,
                    wrap=True,
                    scale=3,
                    elem_id="lab-table",
                )
            said = gr.Markdown(label="What the table says", elem_id="lab-said")
            link = gr.Markdown(elem_id="lab-share")
            gr.Markdown(words.HOW_EACH_SCORES)
    gr.Markdown(words.OUT_OF_DISTRIBUTION)
    with gr.Row(equal_height=False):
        chart = ServedImage(
            label="Bits per dimension: Fashion-MNIST test images against MNIST digits",
            type="pil",
            format="png",
            scale=2,
            elem_id="lab-chart",
            elem_classes=[STRIP],  # its label above it, not over its legend
        )
        placed = gr.Markdown(label="Where it falls on the chart", elem_id="lab-placed")

    outputs = [seen, table, said, chart, placed]
    scored_examples = [
        example_button.click(
            score_example, [dataset, index], outputs, api_name="likelihood_example"
        ),
        gallery.select(pick_example, dataset, [index, *outputs], api_visibility="private"),
    ]
    for button, score, source, name in (
        (upload_button, score_upload, upload, "likelihood"),
        (drawing_button, score_drawing, drawing, "likelihood_drawing"),
    ):
        button.click(score, source, outputs, api_name=name).success(**clears([link]))
    dataset.input(**clears([seen, table, said, placed, link])).then(
        unmarked_chart, None, chart, api_visibility="private"
    )
    dataset.change(show_examples, dataset, gallery, api_visibility="private")
    demo.load(show_examples, dataset, gallery, api_visibility="private")
    shareable(
        demo,
        "likelihood",
        dict(dataset=dataset, example=index),
        score_example,
        outputs,
        link,
        scored_examples,
        first=True,
    )


def build() -> gr.Blocks:
    """The likelihood lab as an app of its own."""
    with gr.Blocks(title="genzoo: likelihood lab") as demo:
        gr.Markdown("# genzoo: the likelihood lab")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
