"""The VAE tab: the learned manifold, the test set on the latent map, encoding an upload or a
drawing, decoding a point, sampling, and interpolating between two images.

Layout and wiring only: every button calls a function of `genzoo.pipelines.vae`. Uploads arrive
as file paths (gr.File) and are checked by genzoo itself, so a broken file gets a clear message.
Run alone with `python -m demos.vae`.
"""

from __future__ import annotations

import gradio as gr

from demos.common import STRIP, clears, launch, user_errors
from demos.editors import sketchpad
from demos.panels import control, model_and_metrics
from demos.served import ServedImage
from demos.sharing import shareable
from genzoo.images import open_drawing
from genzoo.pipelines import vae as actions
from genzoo.registry import FAMILY_TABLE, bundled
from words.catalogue import metrics_markdown

SOURCES = ["Test set", "Upload", "Drawing"]


@user_errors
def show_manifold(model: str, n: int, span: float, center_x: float, center_y: float):
    """The decodings of an n x n grid over the latent plane."""
    return actions.manifold(model, n, span, center_x, center_y)


@user_errors
def show_map(model: str):
    """The test set on the latent plane, by class, and the model's measured quality."""
    return actions.latent_map(model).image, metrics_markdown(model)


def _encoded(model: str, encoding: actions.Encoding):
    latent_map = actions.latent_map(model, marker=encoding.point)
    return encoding.input, encoding.reconstruction, latent_map.image, encoding.describe()


@user_errors
def encode_upload(model: str, path: str | None):
    """An uploaded image encoded: its reconstruction and where it lands on the latent map."""
    return _encoded(model, actions.encode(model, path))


@user_errors
def encode_drawing(model: str, drawing: dict | None):
    """A drawing encoded: its reconstruction and where it lands on the latent map."""
    return _encoded(model, actions.encode(model, open_drawing((drawing or {}).get("composite"))))


@user_errors
def decode_point(model: str, x: float, y: float):
    """The decoding of one point of the latent plane, and the point on the map."""
    return actions.decode(model, x, y), actions.latent_map(model, marker=(float(x), float(y))).image


@user_errors
def decode_click(model: str, evt: gr.SelectData):
    x, y = (round(value, 2) for value in actions.map_point(model, *evt.index))
    return *decode_point(model, x, y), x, y


@user_errors
def sample(model: str, count: int, seed: int):
    """A grid of `count` samples from the prior."""
    return actions.sample(model, count, seed)


def _pick(model: str, source: str, index: int, path: str | None, drawing: dict | None):
    if source == "Upload":
        return path
    if source == "Drawing":
        return open_drawing((drawing or {}).get("composite"))
    return actions.example_image(model, index)


@user_errors
def interpolate(
    model, source_a, index_a, file_a, drawing_a, source_b, index_b, file_b, drawing_b, steps
):
    """From one image to another (test set, upload or drawing) through the latent space."""
    image_a = _pick(model, source_a, index_a, file_a, drawing_a)
    image_b = _pick(model, source_b, index_b, file_b, drawing_b)
    return actions.interpolate(model, image_a, image_b, steps)


def show_source(chosen: str) -> list:
    """Only the input of the chosen source shows (in `SOURCES`' order)."""
    return [gr.update(visible=chosen == name) for name in SOURCES]


DIGIT_PEN = 22  # on a 280 px pad: the stroke of an MNIST digit, 2 px of 28


def _endpoint_inputs(label: str, default_index: int):
    with gr.Column():
        gr.Markdown(f"**{label}**")
        source = gr.Radio(SOURCES, value="Test set", label="From")
        index = gr.Slider(0, 1999, value=default_index, step=1, precision=0, label="Test-set index")
        upload = gr.File(
            label="Upload", file_types=["image"], type="filepath", height=120, visible=False
        )
        drawing = sketchpad(
            "Draw",
            DIGIT_PEN,
            type="numpy",
            height=220,
            canvas_size=(280, 280),
            visible=False,
        )
    inputs = [index, upload, drawing]  # in SOURCES' order: only the chosen one shows
    source.change(
        show_source,
        source,
        inputs,
        api_visibility="private",
        queue=False,
    )
    return [source, *inputs]


def render(demo: gr.Blocks) -> None:
    """Add the VAE demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("vae")]
    if not names:
        gr.Markdown(FAMILY_TABLE["vae"].missing_message())
        return
    gr.Markdown(
        "A **variational autoencoder** encodes each image as a small Gaussian cloud in a latent "
        "space and decodes latent points back into images. With a 2-D latent you see all of it; "
        "a model with more dimensions is shown on the plane of its two main directions."
    )
    model, metrics = model_and_metrics(names, "Measured quality (held-out test split)")
    with gr.Tabs() as views:
        with gr.Tab("Manifold", id="manifold"), gr.Row():
            with gr.Column(scale=1):
                n, span, center_x, center_y = (
                    control(setting)
                    for setting in (
                        actions.GRID_SIZE,
                        actions.SPAN,
                        actions.CENTER_X,
                        actions.CENTER_Y,
                    )
                )
                draw_manifold = gr.Button("Draw the manifold", variant="primary")
            with gr.Column(scale=2):
                manifold = ServedImage(
                    label="Decodings over the latent plane",
                    type="pil",
                    format="png",
                    elem_id="vae-manifold",
                )
                manifold_link = gr.Markdown(elem_id="vae-manifold-share")
        with gr.Tab("Latent map", id="map"):
            with gr.Row():
                latent_map = ServedImage(
                    label="Test set by class: click a point to decode it",
                    type="pil",
                    elem_id="vae-map",
                )
                with gr.Column():
                    decoded = ServedImage(
                        label="Decoding",
                        type="pil",
                        format="png",
                        height=200,
                        elem_id="vae-decoded",
                    )
                    x, y = control(actions.X), control(actions.Y)
                    decode_button = gr.Button("Decode (x, y)", variant="primary")
                    decode_link = gr.Markdown(elem_id="vae-decode-share")
            with gr.Row():
                count = control(actions.COUNT)
                seed = control(actions.SEED)
                sample_button = gr.Button("Sample")
            samples = ServedImage(label="Samples", type="pil", format="png", elem_id="vae-samples")
            sample_link = gr.Markdown(elem_id="vae-sample-share")
        with gr.Tab("Encode", id="encode"), gr.Row():
            with gr.Column():
                upload = gr.File(label="Upload an image", file_types=["image"], type="filepath")
                encode_button = gr.Button("Encode upload", variant="primary")
                drawing = sketchpad("…or draw", DIGIT_PEN, type="numpy", canvas_size=(280, 280))
                encode_drawing_button = gr.Button("Encode drawing")
            with gr.Column():
                with gr.Row():
                    seen = ServedImage(label="What the model sees", type="pil", height=160)
                    reconstruction = ServedImage(label="Reconstruction", type="pil", height=160)
                point = gr.Markdown(label="Where it lands", elem_id="vae-point")
                encoded_map = ServedImage(label="On the latent map", type="pil")
        with gr.Tab("Interpolate", id="interpolate"):
            with gr.Row():
                side_a = _endpoint_inputs("First image", 0)
                side_b = _endpoint_inputs("Second image", 1)
            steps = control(actions.STEPS)
            interpolate_button = gr.Button("Interpolate", variant="primary")
            strip = ServedImage(
                label="From the first image to the second, through the latent space",
                type="pil",
                elem_classes=[STRIP],
            )

    encode_outputs = [seen, reconstruction, encoded_map, point]
    drawn = draw_manifold.click(
        show_manifold, [model, n, span, center_x, center_y], manifold, api_name="vae_manifold"
    )
    encode_button.click(encode_upload, [model, upload], encode_outputs, api_name="vae_encode")
    encode_drawing_button.click(
        encode_drawing, [model, drawing], encode_outputs, api_name="vae_encode_drawing"
    )
    decodes = [
        decode_button.click(
            decode_point, [model, x, y], [decoded, latent_map], api_name="vae_decode"
        ),
        latent_map.select(
            decode_click, [model], [decoded, latent_map, x, y], api_visibility="private"
        ),
    ]
    sampled = sample_button.click(sample, [model, count, seed], samples, api_name="vae_sample")
    interpolate_button.click(
        interpolate, [model, *side_a, *side_b, steps], strip, api_name="vae_interpolate"
    )
    model.change(show_map, model, [latent_map, metrics], api_name="vae_map")
    model.input(
        **clears(
            [manifold, manifold_link, decoded, decode_link, samples, sample_link, *encode_outputs]
            + [strip]
        )
    )
    demo.load(show_map, model, [latent_map, metrics], api_visibility="private")
    manifold_controls = dict(model=model, n=n, span=span, center_x=center_x, center_y=center_y)
    shareable(
        demo,
        "vae",
        manifold_controls,
        show_manifold,
        [manifold],
        manifold_link,
        [drawn],
        view=(views, "manifold"),
        first=True,
    )
    shareable(
        demo,
        "vae/decode",
        dict(model=model, x=x, y=y),
        decode_point,
        [decoded, latent_map],
        decode_link,
        decodes,
        view=(views, "map"),
        first=True,
    )
    shareable(
        demo,
        "vae/sample",
        dict(model=model, count=count, seed=seed),
        sample,
        [samples],
        sample_link,
        [sampled],
        view=(views, "map"),
        first=True,
    )


def build() -> gr.Blocks:
    """The VAE demo as an app of its own."""
    with gr.Blocks(title="genzoo: VAE") as demo:
        gr.Markdown("# genzoo: variational autoencoders")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
