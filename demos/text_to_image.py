"""The text-to-image tab: a prompt (with a negative prompt) to images under classifier-free
and CLIP guidance, the guidance sweep, the two guidances side by side, the denoising trajectory,
and inpainting a painted mask.

Layout and wiring only: every button calls a function of `genzoo.pipelines.text_to_image`.
Run alone with `python -m demos.text_to_image`.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import NamedTuple

import gradio as gr

from demos import image_to_image
from demos.common import CHART, FITTED_GALLERY, STRIP, WHOLE_GALLERY, clears, launch, user_errors
from demos.editors import EDITOR_CANVAS, MASK_BRUSH, CheckedImageEditor
from demos.jobs import DIFFUSION, cancel_diffusion, step_reporter
from demos.panels import control, training_curve_chart
from demos.served import ServedGallery, ServedImage, served_file
from demos.sharing import shareable
from genzoo import provenance
from genzoo.cards import (
    GUIDANCE_KINDS_SECTION,
    INPAINTING_SECTION,
    measured_section,
)
from genzoo.images import InvalidInputError, mask_from_editor
from genzoo.pipelines import text_to_image as actions
from genzoo.registry import FAMILY_TABLE, bundled
from words import text_to_image as words
from words.catalogue import metrics_markdown


@user_errors
def generate(
    model,
    prompt,
    negative_prompt,
    guidance,
    steps,
    scheduler,
    seed,
    count,
    thresholding,
    clip_guidance=0.0,
    progress=gr.Progress(),  # noqa: B008  (Gradio's way of asking for a progress bar)
    request: gr.Request = None,
):
    """Images for a prompt, steered by classifier-free (and optionally CLIP) guidance."""
    return actions.text_to_image(
        model,
        prompt,
        count,
        on_step=step_reporter(progress, request),
        negative_prompt=negative_prompt,
        guidance=guidance,
        steps=steps,
        scheduler=scheduler,
        seed=seed,
        thresholding=thresholding,
        clip_guidance=clip_guidance,
    )


@user_errors
def settings_from_png(png: bytes | None):
    """A dropped genzoo PNG's settings, into the controls (the model only if it is here), and
    what made the picture, in words; for any other file, why not."""
    if png is None:
        return [gr.skip()] * len(actions.GENERATE) + [""]
    try:
        found = actions.settings_from_png(png)
    except InvalidInputError as error:  # said once, beside the box; no control is touched
        return [gr.skip()] * len(actions.GENERATE) + [f"**Could not reuse that file.** {error}"]
    here = found["model"] in [entry.name for entry in bundled("text-to-image")]
    values = [found[name] if name != "model" or here else gr.skip() for name in actions.GENERATE]
    said = (
        f"Settings restored from a picture made by {provenance.maker(provenance.read(png))}: "
        "press **Generate** to make it again."
    )
    if not here:
        said += " That model is not in this gallery, so the model is unchanged."
    return [*values, said]


@user_errors
def leaned_on(model, prompt):
    """Which learned caption the prompt's images leaned on, in plain words."""
    return words.leaning_says(model, prompt)


@user_errors
def preview(model, prompt):
    """A quick, rough image of the prompt as it is typed (only the latest words are served)."""
    return actions.preview(model, prompt)


@user_errors
def sweep(
    model,
    prompt,
    negative_prompt,
    steps,
    scheduler,
    seed,
    thresholding,
    clip_guidance=0.0,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):
    """One seed's image at several guidance scales, side by side."""
    strip, scales = actions.guidance_sweep(
        model,
        prompt,
        on_step=step_reporter(progress, request),
        negative_prompt=negative_prompt,
        steps=steps,
        scheduler=scheduler,
        seed=seed,
        thresholding=thresholding,
        clip_guidance=clip_guidance,
    )
    return strip, words.scales_says(scales)


@user_errors
def compare(
    model,
    prompt,
    negative_prompt,
    guidance,
    steps,
    scheduler,
    seed,
    clip_guidance,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):
    """One seed three ways: classifier-free guidance, CLIP guidance, and both."""
    strip, ways = actions.guidance_comparison(
        model,
        prompt,
        on_step=step_reporter(progress, request),
        negative_prompt=negative_prompt,
        guidance=guidance,
        steps=steps,
        scheduler=scheduler,
        seed=seed,
        clip_guidance=clip_guidance,
    )
    return strip, words.ways_says(ways)


@user_errors
def trajectory(
    model,
    prompt,
    negative_prompt,
    guidance,
    steps,
    scheduler,
    seed,
    thresholding,
    clip_guidance=0.0,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):
    """The predicted clean image after each denoising step, and as an animation."""
    frames = actions.trajectory(
        model,
        prompt,
        on_step=step_reporter(progress, request),
        negative_prompt=negative_prompt,
        guidance=guidance,
        steps=steps,
        scheduler=scheduler,
        seed=seed,
        thresholding=thresholding,
        clip_guidance=clip_guidance,
    )
    labelled = [(frame, f"step {step}") for step, frame in enumerate(frames, start=1)]
    return labelled, served_file(actions.animation(frames), ".gif")


@user_errors
def inpaint(
    model,
    editor,
    prompt,
    negative_prompt,
    guidance,
    steps,
    scheduler,
    seed,
    strength,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):
    """The painted part of an image redone to the prompt; the rest is kept."""
    image, mask = mask_from_editor(editor)
    return actions.inpaint(
        model,
        image,
        mask,
        prompt,
        strength,
        on_step=step_reporter(progress, request),
        negative_prompt=negative_prompt,
        guidance=guidance,
        steps=steps,
        scheduler=scheduler,
        seed=seed,
    )


@user_errors
def describe(model: str):
    """The model's measured quality: its card's metrics, guidance against alignment and distance
    as charts, the CLIP guidance comparison, what its preview trades away, and how its way of
    inpainting compares."""
    curve = words.guidance_points(model)
    preview_says = f"{words.PREVIEW_SAYS} {words.preview_measured(model)}"
    return (
        metrics_markdown(model),
        curve,
        curve,
        measured_section(model, GUIDANCE_KINDS_SECTION),
        preview_says,
        measured_section(model, INPAINTING_SECTION),
    )


INTRO = (
    "A Stable Diffusion in miniature (a **latent diffusion** model) trained from scratch on "
    "captioned emoji: it starts from noise and removes it step by step, steered by your "
    "prompt. **Guidance** trades variety for following the prompt more closely. "
)
STEPS_LEGEND = "denoising steps"


@dataclass(frozen=True)
class Controls:
    """The tab's model and settings, which every view of the tab reads; named as
    `actions.GENERATE` names them."""

    model: gr.Dropdown
    prompt: gr.Textbox
    negative_prompt: gr.Textbox
    guidance: gr.Slider
    steps: gr.Slider
    scheduler: gr.Dropdown
    seed: gr.Number
    count: gr.Slider
    thresholding: gr.Checkbox
    clip_guidance: gr.Slider

    def of(self, *names: str) -> list[gr.components.Component]:
        """The controls of `names`, in that order."""
        return [getattr(self, name) for name in names]

    def inputs(self, handler, **others: gr.components.Component) -> list:
        """`handler`'s inputs, in its order: its parameters up to `progress`, each the control
        of that name or, for what is not a setting of the tab, one of `others`."""
        names = list(inspect.signature(handler).parameters)
        names = names[: names.index("progress")]
        return [others[name] if name in others else getattr(self, name) for name in names]


class View(NamedTuple):
    """One of the ways to see the model: what it shows (emptied when the model changes), the
    events that make it (which Cancel stops), and its measured section, if it has one (filled
    by `describe`)."""

    results: list[gr.components.Component]
    events: list
    measured: gr.Markdown | None = None


def render(demo: gr.Blocks) -> None:
    """Add the text-to-image demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("text-to-image")]
    if not names:
        gr.Markdown(FAMILY_TABLE["text-to-image"].missing_message())
        return
    gr.Markdown(INTRO + words.NEIGHBOURS_SAYS)
    with gr.Row(equal_height=False):
        prompt = control(actions.PROMPT, max_lines=2, elem_id="t2i-prompt", scale=4)
        with gr.Column(scale=1, min_width=120):
            generate_button = gr.Button(
                "Generate", variant="primary", elem_id="t2i-generate", size="lg"
            )
            cancel_button = gr.Button(
                "Cancel", variant="secondary", elem_id="t2i-cancel", size="sm"
            )
        glimpse = ServedImage(
            label="Preview",
            type="pil",
            format="png",
            height=120,
            width=120,
            scale=0,
            min_width=130,
            elem_id="t2i-preview",
            buttons=[],
        )
    gr.Markdown(words.ONE_SUBJECT, elem_id="t2i-one-subject")
    images = ServedGallery(
        label="Images",
        columns=4,
        height="auto",
        object_fit="contain",
        format="png",
        elem_id="t2i-images",
        elem_classes=[WHOLE_GALLERY, FITTED_GALLERY],
    )
    leaning = gr.Markdown(label="The learned caption it leaned on", elem_id="t2i-leaned-on")
    link = gr.Markdown(elem_id="t2i-share")
    preview_says = gr.Markdown(elem_id="t2i-preview-says")
    gr.Examples(list(actions.EXAMPLE_PROMPTS), prompt, label="Try")
    with gr.Row(equal_height=False):
        reuse = gr.File(
            label="Drop a genzoo PNG here to reuse its settings",
            file_types=[".png"],
            type="binary",
            height=140,
            elem_id="t2i-reuse",
            scale=1,
            min_width=260,
        )
        reused = gr.Markdown(label="What made the picture", elem_id="t2i-reused")
    with gr.Accordion("Settings", open=False):
        negative_prompt = control(actions.NEGATIVE_PROMPT, max_lines=2)
        with gr.Row():
            guidance = control(actions.GUIDANCE)
            steps = control(actions.STEPS)
            scheduler = control(actions.SCHEDULER)
        with gr.Row():
            seed = control(actions.SEED)
            count = control(actions.COUNT)
            thresholding = control(actions.THRESHOLDING)
        clip_guidance = control(actions.CLIP_GUIDANCE)
    with gr.Accordion("Model and its measured quality", open=False):
        model = gr.Dropdown(names, value=names[0], label="Model")
        metrics = gr.Markdown(label="Measured quality (held-out emoji)")
        with gr.Row():
            alignment_chart = guidance_chart(
                "top-5", "Guidance against match (top-5 retrieval)", words.MATCH_AXIS
            )
            distance_chart = guidance_chart(
                "distance", "Guidance against distance (Fréchet)", words.DISTANCE_AXIS
            )
        training_curve_chart(model)
    controls = Controls(
        model=model,
        prompt=prompt,
        negative_prompt=negative_prompt,
        guidance=guidance,
        steps=steps,
        scheduler=scheduler,
        seed=seed,
        count=count,
        thresholding=thresholding,
        clip_guidance=clip_guidance,
    )
    gr.Markdown("### More ways to see the model (with the settings above)")
    with gr.Tabs(overflow_behavior="wrap") as views:  # on a phone, every view named
        with gr.Tab("Guidance sweep", id="sweep"):
            sweep_view = render_sweep(controls)
        with gr.Tab("CFG vs CLIP", id="compare"):
            compare_view = render_comparison(controls)
        with gr.Tab("Trajectory", id="trajectory"):
            trajectory_view = render_trajectory(controls)
        with gr.Tab("Image to image", id="image-to-image"):
            sdedit_view = View(
                *image_to_image.render(demo, views, model, prompt, guidance, steps, seed)
            )
        with gr.Tab("Inpaint", id="inpaint"):
            inpaint_view = render_inpainting(controls)

    more_views = [sweep_view, compare_view, trajectory_view, inpaint_view, sdedit_view]
    described = [
        metrics,
        alignment_chart,
        distance_chart,
        compare_view.measured,
        preview_says,
        inpaint_view.measured,
    ]
    model.change(describe, model, described, api_visibility="private")
    model.input(**clears([images, leaning, link, glimpse, *results_of(more_views)]))
    generated = wire_generating(controls, generate_button, images, leaning)
    wire_preview(demo, controls, glimpse)
    cancel_button.click(
        cancel_diffusion,
        None,
        None,
        api_name="cancel_diffusion",
        queue=False,
        cancels=[*generated, *events_of(more_views)],
    )
    wire_reuse(controls, reuse, reused)
    demo.load(describe, model, described, api_visibility="private")
    shareable(
        demo,
        "text-to-image",
        dict(zip(actions.GENERATE, controls.of(*actions.GENERATE), strict=True)),
        generate,
        [images],
        link,
        generated,
        events=DIFFUSION,
    )


def guidance_chart(y: str, label: str, y_title: str) -> gr.LinePlot:
    """A chart of guidance (across) against the measure `y`, a line per number of steps."""
    return gr.LinePlot(
        x="guidance",
        y=y,
        color="steps",
        label=label,
        x_title=actions.GUIDANCE.label,
        color_title=STEPS_LEGEND,
        y_title=y_title,
        elem_classes=[CHART],
    )


def results_of(views: list[View]) -> list[gr.components.Component]:
    return [result for view in views for result in view.results]


def events_of(views: list[View]) -> list:
    return [event for view in views for event in view.events]


def render_sweep(controls: Controls) -> View:
    """The guidance sweep: one seed's image at several guidance scales."""
    button = gr.Button("Sweep guidance", variant="primary")
    strip = ServedImage(
        label="One seed at several guidance scales", type="pil", elem_classes=[STRIP]
    )
    scales = gr.Markdown(label="Guidance scales, left to right")
    swept = button.click(
        sweep,
        controls.inputs(sweep),
        [strip, scales],
        api_name="guidance_sweep",
        **DIFFUSION,
    )
    return View([strip, scales], [swept])


def render_comparison(controls: Controls) -> View:
    """Classifier-free guidance against CLIP guidance, with what the card measured of them."""
    gr.Markdown(words.COMPARISON_SAYS)
    button = gr.Button("Compare", variant="primary")
    compared = ServedImage(label="Classifier-free | CLIP | both", type="pil", elem_classes=[STRIP])
    ways = gr.Markdown(label="The three ways, left to right")
    with gr.Accordion("Measured on held-out captions", open=False):
        measured = gr.Markdown(label="Measured on held-out captions")
    event = button.click(
        compare,
        controls.inputs(compare),
        [compared, ways],
        api_name="guidance_comparison",
        **DIFFUSION,
    )
    return View([compared, ways], [event], measured)


def render_trajectory(controls: Controls) -> View:
    """The predicted clean image after each denoising step, and as an animation."""
    button = gr.Button("Show the denoising", variant="primary")
    frames = ServedGallery(
        label="The predicted clean image after each step",
        columns=10,
        height="auto",
        format="png",
        elem_classes=[WHOLE_GALLERY, FITTED_GALLERY],
    )
    animation = ServedImage(label="As an animation", type="filepath", height=280)
    event = button.click(
        trajectory,
        controls.inputs(trajectory),
        [frames, animation],
        api_name="trajectory",
        **DIFFUSION,
    )
    return View([frames, animation], [event])


def render_inpainting(controls: Controls) -> View:
    """Inpainting a painted mask, with how it measured against a model fine-tuned for it."""
    gr.Markdown(
        "Upload an image, paint over the part to redo with the brush (pick the other "
        "colour where it does not show), say what should be there, and inpaint: the "
        "rest of the image is kept."
    )
    with gr.Row():
        editor = CheckedImageEditor(
            label="Image and mask",
            type="numpy",
            elem_id="t2i-editor",
            brush=MASK_BRUSH,
            **EDITOR_CANVAS,
        )
        repainted = ServedImage(label="Inpainted", type="pil")
    strength = control(actions.STRENGTH)
    button = gr.Button("Inpaint", variant="primary")
    with gr.Accordion("Measured against a model fine-tuned to read the mask", open=False):
        measured = gr.Markdown()
    event = button.click(
        inpaint,
        controls.inputs(inpaint, editor=editor, strength=strength),
        repainted,
        api_name="inpaint",
        **DIFFUSION,
    )
    return View([repainted], [event], measured)


def wire_generating(
    controls: Controls, button: gr.Button, images: gr.Gallery, leaning: gr.Markdown
) -> list:
    """Generate on the button (the API's `text_to_image`) or on Enter in the prompt, and after
    each, say which caption it leaned on (the API's `leaned_on`); the two events."""
    generated = [
        trigger(
            generate,
            controls.inputs(generate),
            images,
            api_name=name,
            api_visibility="public" if name else "private",
            **DIFFUSION,
        )
        for trigger, name in ((button.click, "text_to_image"), (controls.prompt.submit, None))
    ]
    for event, name in zip(generated, ("leaned_on", None), strict=True):
        event.success(
            leaned_on,
            [controls.model, controls.prompt],
            leaning,
            api_name=name,
            api_visibility="public" if name else "private",
            queue=False,
        )
        event.failure(lambda: "", None, leaning, api_visibility="private", queue=False)
    return generated


def wire_preview(demo: gr.Blocks, controls: Controls, glimpse: gr.Image) -> None:
    """The preview follows the prompt as it is typed (only its latest words are drawn), and
    shows the default prompt's as the page opens."""
    previewing = dict(show_progress="hidden", concurrency_id="preview", concurrency_limit=1)
    inputs = [controls.model, controls.prompt]
    controls.prompt.change(
        preview, inputs, glimpse, api_name="preview", trigger_mode="always_last", **previewing
    )
    demo.load(preview, inputs, glimpse, api_visibility="private", **previewing)


def wire_reuse(controls: Controls, reuse: gr.File, reused: gr.Markdown) -> None:
    """A dropped genzoo PNG's settings into the controls, and what made it beside the box; a
    cleared box says nothing."""
    reuse.upload(
        settings_from_png,
        reuse,
        [*controls.of(*actions.GENERATE), reused],
        api_name="settings_from_png",
        queue=False,
    )
    reuse.clear(**clears([reused]))  # what the last file said


def build() -> gr.Blocks:
    """The text-to-image demo as an app of its own."""
    with gr.Blocks(title="genzoo: text to image") as demo:
        gr.Markdown("# genzoo: text to image")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
