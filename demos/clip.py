"""The CLIP tab: which of several captions describes an image best, by the project's own CLIP
(zero-shot classification), on an upload or a held-out emoji.

Layout and wiring only: every button calls a function of `genzoo.pipelines.clip`.
Run alone with `python -m demos.clip`.
"""

from __future__ import annotations

import gradio as gr

from demos.common import clears, launch, user_errors
from demos.panels import control, example_picker, model_and_metrics
from demos.served import ServedImage
from demos.sharing import shareable
from genzoo.images import for_display, open_image
from genzoo.pipelines import clip as actions
from genzoo.registry import FAMILY_TABLE, bundled
from words.catalogue import metrics_markdown


@user_errors
def rank(model: str, path: str | None, captions: str):
    """How well each caption (one a line) fits an uploaded image, by genzoo's CLIP."""
    ranking = actions.rank_captions(model, path, captions)
    return for_display(open_image(path, background=255).convert("RGB")), ranking.as_label()


@user_errors
def rank_example(model: str, example: int, captions: str):
    """How well each caption (one a line) fits a held-out example, by genzoo's CLIP."""
    image = actions.example_image(model, example)
    return for_display(image), actions.rank_captions(model, image, captions).as_label()


@user_errors
def pick_example(model: str, evt: gr.SelectData):
    captions = actions.example_captions(model, evt.index)
    image = actions.example_image(model, evt.index)
    return (
        evt.index,
        captions,
        for_display(image),
        actions.rank_captions(model, image, captions).as_label(),
    )


@user_errors
def describe(model: str):
    images, _ = actions.examples(model)
    gallery = [actions.example_image(model, i) for i in range(min(len(images), 24))]
    return metrics_markdown(model), gallery


def render(demo: gr.Blocks) -> None:
    """Add the CLIP demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("clip")]
    if not names:
        gr.Markdown(FAMILY_TABLE["clip"].missing_message())
        return
    gr.Markdown(
        "A small **CLIP**, trained by contrast: an image tower learned from scratch and the "
        "frozen MiniLM text tower map an emoji and its caption to nearby points. Give an image "
        "and a few captions, and it says which fits best. It also steers the text-to-image "
        "model (its *CLIP guidance* slider)."
    )
    model, metrics = model_and_metrics(
        names, "Measured retrieval (held-out emoji, never seen in training)"
    )
    with gr.Row(equal_height=False):
        with gr.Column():
            with gr.Tab("Held-out examples"):
                gallery, index, example_button = example_picker("clip-examples", "Rank example")
            with gr.Tab("Upload"):
                upload = gr.File(label="Upload an image", file_types=["image"], type="filepath")
                upload_button = gr.Button("Rank for the upload", variant="primary")
        with gr.Column():
            # The first example's own captions among others: the tab opens on a fair question.
            own_captions = actions.example_captions(names[0], actions.EXAMPLE.default)
            captions = control(
                actions.CAPTIONS.but(default=own_captions),
                lines=6,
                label=f"{actions.CAPTIONS.label} (up to {actions.MAX_CAPTIONS})",
            )
            with gr.Row():
                seen = ServedImage(label="Image", type="pil", height=200, elem_id="clip-image")
                ranking = gr.Label(label="CLIP's choice", num_top_classes=6, elem_id="clip-ranking")
            link = gr.Markdown(elem_id="clip-share")

    model.change(describe, model, [metrics, gallery], api_visibility="private")
    model.input(**clears([seen, ranking, link]))
    picked = [
        gallery.select(
            pick_example, model, [index, captions, seen, ranking], api_visibility="private"
        ),
        example_button.click(
            rank_example, [model, index, captions], [seen, ranking], api_name="clip_rank_example"
        ),
    ]
    upload_button.click(
        rank, [model, upload, captions], [seen, ranking], api_name="clip_rank"
    ).success(**clears([link]))  # an example's, not this upload's
    demo.load(describe, model, [metrics, gallery], api_visibility="private")
    shareable(
        demo,
        "clip",
        dict(model=model, example=index, captions=captions),
        rank_example,
        [seen, ranking],
        link,
        picked,
        first=True,
    )


def build() -> gr.Blocks:
    """The CLIP demo as an app of its own."""
    with gr.Blocks(title="genzoo: CLIP") as demo:
        gr.Markdown("# genzoo: CLIP")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
