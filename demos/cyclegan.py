"""The CycleGAN tab: translate an upload or a held-out example from one style to the other (the
directions named by their styles, "Twemoji → Noto emoji"), show how much it changed, and go back
again.

Layout and wiring only: every button calls a function of `genzoo.pipelines.translation`.
Run alone with `python -m demos.cyclegan`.
"""

from __future__ import annotations

import gradio as gr

from demos.common import clears, launch, user_errors
from demos.panels import example_picker, model_and_metrics
from demos.served import ServedImage
from demos.sharing import shareable
from genzoo.pipelines import translation as actions
from genzoo.registry import FAMILY_TABLE, bundled
from words.catalogue import metrics_markdown


def direction_choices(model: str) -> list[tuple[str, str]]:
    """The directions as the radio shows them ("Twemoji → Noto emoji"), each with the value the
    API and share links use ("A→B")."""
    return [(actions.direction_name(model, value), value) for value in actions.DIRECTIONS]


def direction_update(model: str):
    """The direction radio's choices, named for `model`'s styles."""
    return gr.update(choices=direction_choices(model))


def round_trip(result: actions.RoundTrip) -> tuple:
    """A round trip's outputs, in the order of the tab's pictures and figure."""
    return result.input, result.translated, result.difference, result.summary, result.returned


@user_errors
def translate(model: str, path: str | None, direction: str):
    """An uploaded image translated one way, how much that changed it, and back again."""
    return round_trip(actions.cyclegan(model, path, direction))


@user_errors
def translate_example(model: str, example: int, direction: str):
    """A held-out example translated one way, how much that changed it, and back, beside the
    true translation."""
    result, truth = actions.cyclegan_example(model, example, direction)
    return *round_trip(result), truth


def select_example(model: str, direction: str, evt: gr.SelectData):
    return evt.index, *translate_example(model, evt.index, direction)


def without_truth():
    """An upload has no true translation: its box hides, and the link (an example's) empties."""
    return gr.update(value=None, visible=False), ""


def with_truth():
    """An example has its true translation: the box shows again."""
    return gr.update(visible=True)


@user_errors
def describe(model: str, direction: str):
    """The model's metrics, the examples of the direction's input style, and the pictures
    named by their styles."""
    side = "a" if actions.DIRECTIONS[direction] == "a_to_b" else "b"
    labels = actions.round_trip_labels(model, direction)
    named = (labels.input, labels.translated, labels.difference, labels.returned, labels.truth)
    return (
        metrics_markdown(model),
        actions.example_gallery(model, side),
        *(gr.update(label=label) for label in named),
    )


def picture(label: str, **options) -> ServedImage:
    """One picture of the round trip, two to a row: room for its label beside its buttons (the
    Spaces share button left out, which would cover a label of three words)."""
    return ServedImage(
        label=label, type="pil", height=200, buttons=["download", "fullscreen"], **options
    )


def render(demo: gr.Blocks) -> None:
    """Add the CycleGAN demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("cyclegan")]
    if not names:
        gr.Markdown(FAMILY_TABLE["cyclegan"].missing_message())
        return
    gr.Markdown(
        "**CycleGAN** learned to translate between two styles without ever seeing a pair: "
        "two generators (one each way) each fool a discriminator, and going there and back must "
        "return the input (cycle consistency). *What changed* shows where the translation "
        "changed the input; the round trip shows how much survives."
    )
    model, metrics = model_and_metrics(names, "Measured quality (held-out true pairs)")
    default = actions.DIRECTION.default
    direction = gr.Radio(direction_choices(names[0]), value=default, label="Direction")
    labels = actions.round_trip_labels(names[0], default)
    with gr.Row(equal_height=False):
        with gr.Column():
            with gr.Tab("Held-out examples"):
                gallery, index, example_button = example_picker("cyclegan-examples")
            with gr.Tab("Upload"):
                upload = gr.File(label="Upload an image", file_types=["image"], type="filepath")
                upload_button = gr.Button("Translate upload", variant="primary")
        with gr.Column():
            with gr.Row():
                seen = picture(labels.input)
                translated = picture(labels.translated, format="png", elem_id="cyclegan-output")
            with gr.Row():
                changed = picture(labels.difference, elem_id="cyclegan-difference")
                truth = picture(labels.truth, elem_id="cyclegan-truth")
            change = gr.Markdown(label="How much it changed", elem_id="cyclegan-change")
            returned = picture(labels.returned, elem_id="cyclegan-returned")
            link = gr.Markdown(elem_id="cyclegan-share")

    described = [metrics, gallery, seen, translated, changed, returned, truth]
    model.change(
        direction_update,
        model,
        direction,
        api_visibility="private",
    )
    for trigger in (model.change, direction.change):
        trigger(describe, [model, direction], described, api_visibility="private")
    for trigger in (model.input, direction.input):
        trigger(**clears([seen, translated, changed, change, returned, truth, link]))
    upload_outputs = [seen, translated, changed, change, returned]
    upload_button.click(
        translate, [model, upload, direction], upload_outputs, api_name="cyclegan"
    ).success(
        without_truth, None, [truth, link], api_visibility="private", queue=False
    )  # an example's truth and link, not this upload's
    example_outputs = [*upload_outputs, truth]
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
    for event in picked:
        event.success(with_truth, None, truth, api_visibility="private", queue=False)
    demo.load(describe, [model, direction], described, api_visibility="private")
    shareable(
        demo,
        "cyclegan",
        dict(model=model, example=index, direction=direction),
        translate_example,
        example_outputs,
        link,
        picked,
        first=True,
    )


def build() -> gr.Blocks:
    """The CycleGAN demo as an app of its own."""
    with gr.Blocks(title="genzoo: CycleGAN") as demo:
        gr.Markdown("# genzoo: CycleGAN")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
