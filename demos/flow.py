"""The flow tab: samples at a temperature, an image encoded to its latent z and decoded back
exactly (with its bits per dimension), and a path between two images through z.

Layout and wiring only: every button calls a function of `genzoo.pipelines.flow`. Uploads arrive
as file paths (gr.File) and are checked by genzoo itself, so a broken file gets a clear message.
Run alone with `python -m demos.flow`.
"""

from __future__ import annotations

import gradio as gr

from demos.common import STRIP, clears, launch, user_errors
from demos.panels import control, example_picker, model_and_metrics
from demos.served import ServedImage
from demos.sharing import shareable
from genzoo.pipelines import flow as actions
from genzoo.registry import FAMILY_TABLE, bundled
from words.catalogue import metrics_markdown


@user_errors
def sample(model: str, temperature: float, count: int, seed: int):
    """A grid of `count` samples at temperature T from the seed's noise."""
    return actions.sample(model, temperature, count, seed)


def _shown(encoding: actions.Encoding):
    return encoding.input, encoding.latent, encoding.reconstruction, encoding.describe()


@user_errors
def encode_upload(model: str, path: str | None):
    """An uploaded image to its latent z and back: the error of the round trip, and its bits
    per dimension."""
    return _shown(actions.encode(model, path))


@user_errors
def encode_example(model: str, example: int):
    """A held-out test image to its latent z and back: the error of the round trip, and its
    bits per dimension."""
    return _shown(actions.encode(model, actions.example_image(model, example)))


def select_example(model: str, evt: gr.SelectData):
    return evt.index, *encode_example(model, evt.index)


@user_errors
def interpolate_examples(model: str, first: int, second: int, steps: int):
    """A strip from one held-out test image to another, along a straight line in z."""
    image_a = actions.example_image(model, first, actions.FIRST.label)
    image_b = actions.example_image(model, second, actions.SECOND.label)
    return actions.interpolate(model, image_a, image_b, steps)


@user_errors
def interpolate_uploads(model: str, first_image: str | None, second_image: str | None, steps: int):
    """A strip from one uploaded image to another, along a straight line in z."""
    return actions.interpolate(model, first_image, second_image, steps)


@user_errors
def describe(model: str):
    """The model's measured quality, and its held-out examples to pick from."""
    return metrics_markdown(model), actions.example_gallery(model)


def render(demo: gr.Blocks) -> None:
    """Add the flow demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("flow")]
    if not names:
        gr.Markdown(FAMILY_TABLE["flow"].missing_message())
        return
    gr.Markdown(
        "A **normalizing flow** (here Glow) is one invertible function: it turns an image into "
        "a latent z of the same size, standard normal under the model, and back, exactly. So it "
        "gives every image its exact likelihood, and it samples by decoding random z. The "
        "temperature T scales that noise: about 0.7 looks best, 1 is the model's own."
    )
    model, metrics = model_and_metrics(names, "Measured quality (held-out test split)")
    with gr.Tabs() as views:
        with gr.Tab("Sample", id="sample"), gr.Row():
            with gr.Column(scale=1):
                temperature = control(actions.TEMPERATURE)
                count = control(actions.COUNT)
                seed = control(actions.SEED)
                sample_button = gr.Button("Sample", variant="primary")
            with gr.Column(scale=2):
                samples = ServedImage(
                    label="Samples", type="pil", format="png", elem_id="flow-samples"
                )
                sample_link = gr.Markdown(elem_id="flow-sample-share")
        with gr.Tab("Encode", id="encode"), gr.Row(equal_height=False):
            with gr.Column():
                with gr.Tab("Held-out examples"):
                    gallery, example, example_button = example_picker(
                        "flow-examples", "Encode example"
                    )
                with gr.Tab("Upload"):
                    upload = gr.File(label="Upload an image", file_types=["image"], type="filepath")
                    upload_button = gr.Button("Encode upload", variant="primary")
            with gr.Column():
                with gr.Row():
                    seen = ServedImage(label="What the model sees", type="pil", height=160)
                    reconstruction = ServedImage(
                        label="Decoded back from z",
                        type="pil",
                        format="png",
                        height=160,
                        elem_id="flow-reconstruction",
                    )
                latent = ServedImage(
                    label=actions.LATENT_CAPTION,
                    type="pil",
                    format="png",
                    elem_id="flow-latent",
                    elem_classes=[STRIP],
                )
                told = gr.Markdown(
                    label="The round trip, and its likelihood", elem_id="flow-encoding"
                )
                encode_link = gr.Markdown(elem_id="flow-encode-share")
        with gr.Tab("Interpolate", id="interpolate"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=2):
                    with gr.Tab("Held-out examples"):
                        with gr.Row():
                            first, second = control(actions.FIRST), control(actions.SECOND)
                        examples_button = gr.Button("Interpolate examples", variant="primary")
                    with gr.Tab("Uploads"):
                        with gr.Row():
                            file_a, file_b = (
                                gr.File(label=label, file_types=["image"], type="filepath")
                                for label in ("First image", "Second image")
                            )
                        uploads_button = gr.Button("Interpolate uploads", variant="primary")
                with gr.Column(scale=1):
                    steps = control(actions.STEPS)
            strip = ServedImage(
                label="From the first image to the second in a straight line through z (both "
                "ends decode back to the images themselves)",
                type="pil",
                format="png",
                elem_id="flow-strip",
                elem_classes=[STRIP],
            )
            interpolate_link = gr.Markdown(elem_id="flow-interpolate-share")

    encode_outputs = [seen, latent, reconstruction, told]
    sampled = sample_button.click(
        sample, [model, temperature, count, seed], samples, api_name="flow_sample"
    )
    encoded = [
        example_button.click(
            encode_example, [model, example], encode_outputs, api_name="flow_encode_example"
        ),
        gallery.select(select_example, model, [example, *encode_outputs], api_visibility="private"),
    ]
    upload_button.click(
        encode_upload, [model, upload], encode_outputs, api_name="flow_encode"
    ).success(**clears([encode_link]))  # the last example's link, not this upload's
    interpolated = examples_button.click(
        interpolate_examples,
        [model, first, second, steps],
        strip,
        api_name="flow_interpolate_examples",
    )
    uploads_button.click(
        interpolate_uploads, [model, file_a, file_b, steps], strip, api_name="flow_interpolate"
    ).success(**clears([interpolate_link]))  # the last examples' link, not these uploads'
    model.change(describe, model, [metrics, gallery], api_visibility="private")
    model.input(
        **clears([samples, sample_link, *encode_outputs, encode_link, strip, interpolate_link])
    )
    demo.load(describe, model, [metrics, gallery], api_visibility="private")
    shareable(
        demo,
        "flow",
        dict(model=model, temperature=temperature, count=count, seed=seed),
        sample,
        [samples],
        sample_link,
        [sampled],
        view=(views, "sample"),
        first=True,
    )
    shareable(
        demo,
        "flow/encode",
        dict(model=model, example=example),
        encode_example,
        encode_outputs,
        encode_link,
        encoded,
        view=(views, "encode"),
        first=True,
    )
    shareable(
        demo,
        "flow/interpolate",
        dict(model=model, first=first, second=second, steps=steps),
        interpolate_examples,
        [strip],
        interpolate_link,
        [interpolated],
        view=(views, "interpolate"),
        first=True,
    )


def build() -> gr.Blocks:
    """The flow demo as an app of its own."""
    with gr.Blocks(title="genzoo: flow") as demo:
        gr.Markdown("# genzoo: normalizing flow (Glow)")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
