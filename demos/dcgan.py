"""The DCGAN tab: samples from a seed, a smooth path between two seeds (a slerp: strip and
animation), and vector arithmetic a - b + c on three samples of a grid.

Layout and wiring only: every button calls a function of `genzoo.pipelines.gan`.
Run alone with `python -m demos.dcgan`.
"""

from __future__ import annotations

import gradio as gr

from demos.common import STRIP, clears, launch, user_errors
from demos.panels import control, model_and_metrics
from demos.served import ServedImage, served_file
from demos.sharing import shareable
from genzoo.pipelines import gan as actions
from genzoo.registry import FAMILY_TABLE, bundled
from words.catalogue import metrics_markdown


@user_errors
def sample(model: str, count: int, seed: int):
    """A grid of `count` samples from the seed's noise."""
    return actions.sample(model, count, seed)


@user_errors
def interpolate(model: str, seed_a: int, seed_b: int, steps: int):
    """A smooth path (slerp) from one seed's sample to the other's: a strip and an animation."""
    result = actions.interpolate(model, seed_a, seed_b, steps)
    return result.strip, served_file(result.animation, ".gif")


@user_errors
def arithmetic(model: str, seed: int, a: int, b: int, c: int):
    """Latent arithmetic on the seed's samples: a − b + c, and the samples it picks from."""
    return actions.arithmetic(model, seed, a, b, c), actions.numbered_samples(model, 16, seed)


@user_errors
def describe(model: str):
    return metrics_markdown(model)


def preset_choices(model: str) -> gr.Dropdown:
    """The model's arithmetic presets to pick from, none picked; hidden for a model with none."""
    names = [preset.name for preset in actions.arithmetic_presets(model)]
    return gr.Dropdown(choices=names, value=None, visible=bool(names))


def every_preset(models: list[str]) -> list[str]:
    """The names of the arithmetic presets of any of `models`, each once, in their order."""
    presets = (preset for model in models for preset in actions.arithmetic_presets(model))
    return list(dict.fromkeys(preset.name for preset in presets))


@user_errors
def apply_preset(model: str, name: str):
    """The seed and picks of the model's preset `name`, for the controls."""
    return list(actions.arithmetic_preset(model, name).settings().values())


def render(demo: gr.Blocks) -> None:
    """Add the DCGAN demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("dcgan")]
    if not names:
        gr.Markdown(FAMILY_TABLE["dcgan"].missing_message())
        return
    gr.Markdown(
        "A **DCGAN** generator turns a random code into an image; it learned by trying to fool a "
        "discriminator that was learning to tell its images from real ones. A seed picks the "
        "codes, so the same seed gives the same images on any machine."
    )
    model, metrics = model_and_metrics(names, "Measured quality (held-out test split)")
    with gr.Tabs() as views:
        with gr.Tab("Samples", id="samples"), gr.Row():
            with gr.Column(scale=1):
                count = control(actions.COUNT)
                seed = control(actions.SEED)
                sample_button = gr.Button("Generate", variant="primary")
            with gr.Column(scale=2):
                samples = ServedImage(
                    label="Samples", type="pil", format="png", elem_id="gan-samples"
                )
                sample_link = gr.Markdown(elem_id="gan-share")
        with gr.Tab("Interpolate", id="interpolate"):
            with gr.Row():
                seed_a, seed_b = control(actions.SEED_A), control(actions.SEED_B)
                steps = control(actions.STEPS)
            gr.Markdown(
                "A smooth path between two seeds: the generator draws the codes on the way from "
                "one seed's code to the other's (slerp, along the sphere the codes lie near)."
            )
            interpolate_button = gr.Button("Interpolate", variant="primary")
            strip = ServedImage(  # the page's whole width: a strip is many times wider than tall
                label="A smooth path from one seed's sample to the other's (slerp)",
                type="pil",
                format="png",
                elem_id="gan-strip",
                elem_classes=[STRIP],
            )
            animation = ServedImage(label="As an animation", type="filepath", height=280)
            interpolate_link = gr.Markdown(elem_id="gan-interpolate-share")
        with gr.Tab("Arithmetic", id="arithmetic"):
            gr.Markdown(
                "Pick three samples of a seed's grid by number (1 is top left, reading order): "
                "the generator draws the code **a − b + c**, as in Radford et al.'s vector "
                "arithmetic, or try a preset."
            )
            preset = gr.Dropdown(
                every_preset(names),
                value=None,
                label="Preset",
                info="A result you can name, picked by looking at the samples",
            )
            with gr.Row():
                arithmetic_seed = control(actions.SEED)
                picks = [control(pick) for pick in actions.PICKS]
            arithmetic_button = gr.Button("Compute a − b + c", variant="primary")
            result = ServedImage(
                label="a − b + c = result",
                type="pil",
                format="png",
                elem_id="gan-arithmetic",
                elem_classes=[STRIP],
            )
            grid = ServedImage(
                label="The seed's first 16 samples, numbered in reading order",
                type="pil",
                elem_id="gan-arithmetic-grid",
                elem_classes=[STRIP],
            )
            arithmetic_link = gr.Markdown(elem_id="gan-arithmetic-share")

    model.change(describe, model, metrics, api_visibility="private")
    model.change(preset_choices, model, preset, api_visibility="private", queue=False)
    model.input(
        **clears(
            [samples, sample_link, strip, animation, interpolate_link, result, grid]
            + [arithmetic_link]
        )
    )
    sampled = sample_button.click(sample, [model, count, seed], samples, api_name="gan_sample")
    interpolated = interpolate_button.click(
        interpolate, [model, seed_a, seed_b, steps], [strip, animation], api_name="gan_interpolate"
    )
    arithmetic_inputs = [model, arithmetic_seed, *picks]
    computed = arithmetic_button.click(
        arithmetic, arithmetic_inputs, [result, grid], api_name="gan_arithmetic"
    )
    for number in [arithmetic_seed, *picks]:
        number.input(**clears([preset]))  # the picks are the visitor's own now
    preset_computed = preset.input(
        apply_preset, [model, preset], arithmetic_inputs[1:], api_name="gan_arithmetic_preset"
    ).success(arithmetic, arithmetic_inputs, [result, grid], api_visibility="private")
    demo.load(describe, model, metrics, api_visibility="private")
    demo.load(preset_choices, model, preset, api_visibility="private", queue=False)
    shareable(
        demo,
        "dcgan",
        dict(model=model, count=count, seed=seed),
        sample,
        [samples],
        sample_link,
        [sampled],
        view=(views, "samples"),
        first=True,
    )
    shareable(
        demo,
        "dcgan/interpolate",
        dict(model=model, seed_a=seed_a, seed_b=seed_b, steps=steps),
        interpolate,
        [strip, animation],
        interpolate_link,
        [interpolated],
        view=(views, "interpolate"),
    )
    arithmetic_controls = dict(model=model, seed=arithmetic_seed) | dict(
        zip("abc", picks, strict=True)
    )
    shareable(
        demo,
        "dcgan/arithmetic",
        arithmetic_controls,
        arithmetic,
        [result, grid],
        arithmetic_link,
        [computed, preset_computed],
        view=(views, "arithmetic"),
    )


def build() -> gr.Blocks:
    """The DCGAN demo as an app of its own."""
    with gr.Blocks(title="genzoo: DCGAN") as demo:
        gr.Markdown("# genzoo: DCGAN")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
