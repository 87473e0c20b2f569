"""The text-to-image tab: a prompt (with a negative prompt) to images under classifier-free
and CLIP guidance, the guidance sweep, the two guidances side by side, the denoising trajectory,
and inpainting a painted mask.

Layout and wiring only: every button calls a function of `genzoo.pipelines.text_to_image`.
Run alone with `python -m demos.text_to_image`.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from demos import image_to_image
from demos.common import (
    CHART,
    DIFFUSION,
    FITTED_GALLERY,
    STRIP,
    WHOLE_GALLERY,
    ServedGallery,
    ServedImage,
    cancel_diffusion,
    clears,
    control,
    launch,
    served_file,
    shareable,
    step_reporter,
    training_curve_chart,
    user_errors,
)
from demos.editors import EDITOR_CANVAS, MASK_BRUSH, CheckedImageEditor
from genzoo import provenance
from genzoo import text_to_image_words as words
from genzoo.cards import (
    GUIDANCE_KINDS_SECTION,
    INPAINTING_SECTION,
    guidance_curve,
    measured_section,
)
from genzoo.catalogue import metrics_markdown
from genzoo.images import InvalidInputError, mask_from_editor
from genzoo.pipelines import text_to_image as actions
from genzoo.registry import FAMILY_TABLE, bundled


@user_errors
def generate(
    model, prompt, negative_prompt, guidance, steps, scheduler, seed, count, thresholding,
    clip_guidance=0.0,
    progress=gr.Progress(),  # noqa: B008  (Gradio's way of asking for a progress bar)
    request: gr.Request = None,
):  # fmt: skip
    """Images for a prompt, steered by classifier-free (and optionally CLIP) guidance."""
    return actions.text_to_image(
        model, prompt, count, on_step=step_reporter(progress, request),
        negative_prompt=negative_prompt, guidance=guidance, steps=steps, scheduler=scheduler,
        seed=seed, thresholding=thresholding, clip_guidance=clip_guidance,
    )  # fmt: skip


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
    model, prompt, negative_prompt, steps, scheduler, seed, thresholding, clip_guidance=0.0,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):  # fmt: skip
    """One seed's image at several guidance scales, side by side."""
    strip, scales = actions.guidance_sweep(
        model, prompt, on_step=step_reporter(progress, request), negative_prompt=negative_prompt,
        steps=steps, scheduler=scheduler, seed=seed, thresholding=thresholding,
        clip_guidance=clip_guidance,
    )  # fmt: skip
    return strip, "Guidance, left to right: " + ", ".join(f"{s:g}" for s in scales)


@user_errors
def compare(
    model, prompt, negative_prompt, guidance, steps, scheduler, seed, clip_guidance,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):  # fmt: skip
    """One seed three ways: classifier-free guidance, CLIP guidance, and both."""
    strip, ways = actions.guidance_comparison(
        model, prompt, on_step=step_reporter(progress, request), negative_prompt=negative_prompt,
        guidance=guidance, steps=steps, scheduler=scheduler, seed=seed,
        clip_guidance=clip_guidance,
    )  # fmt: skip
    return strip, "Left to right: " + "; ".join(ways)


@user_errors
def trajectory(
    model, prompt, negative_prompt, guidance, steps, scheduler, seed, thresholding,
    clip_guidance=0.0,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):  # fmt: skip
    """The predicted clean image after each denoising step, and as an animation."""
    frames = actions.trajectory(
        model, prompt, on_step=step_reporter(progress, request), negative_prompt=negative_prompt,
        guidance=guidance, steps=steps, scheduler=scheduler, seed=seed,
        thresholding=thresholding, clip_guidance=clip_guidance,
    )  # fmt: skip
    labelled = [(frame, f"step {step}") for step, frame in enumerate(frames, start=1)]
    return labelled, served_file(actions.animation(frames), ".gif")


@user_errors
def inpaint(
    model, editor, prompt, negative_prompt, guidance, steps, scheduler, seed, strength,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):  # fmt: skip
    """The painted part of an image redone to the prompt; the rest is kept."""
    image, mask = mask_from_editor(editor)
    return actions.inpaint(
        model, image, mask, prompt, strength, on_step=step_reporter(progress, request),
        negative_prompt=negative_prompt, guidance=guidance, steps=steps, scheduler=scheduler,
        seed=seed,
    )  # fmt: skip


@user_errors
def describe(model: str):
    """The model's measured quality: its card's metrics, guidance against alignment and distance
    as charts, the CLIP guidance comparison, what its preview trades away, and how its way of
    inpainting compares."""
    curve = pd.DataFrame(guidance_curve(model), columns=["guidance", "steps", "top-5", "distance"])
    curve["steps"] = curve["steps"].astype(str) + " steps"
    preview_says = f"{words.PREVIEW_SAYS} {words.preview_measured(model)}"
    return (
        metrics_markdown(model), curve, curve, measured_section(model, GUIDANCE_KINDS_SECTION),
        preview_says, measured_section(model, INPAINTING_SECTION),
    )  # fmt: skip


STEPS_LEGEND = "denoising steps"


def render(demo: gr.Blocks) -> None:
    """Add the text-to-image demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("text-to-image")]
    if not names:
        gr.Markdown(FAMILY_TABLE["text-to-image"].missing_message())
        return
    gr.Markdown(
        "A Stable Diffusion in miniature (a **latent diffusion** model) trained from scratch on "
        "captioned emoji: it starts from noise and removes it step by step, steered by your "
        "prompt. **Guidance** trades variety for following the prompt more closely. "
        + words.NEIGHBOURS_SAYS
    )
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
            label="Preview", type="pil", format="png", height=120, width=120, scale=0,
            min_width=130, elem_id="t2i-preview", buttons=[],
        )  # fmt: skip
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
            label="Drop a genzoo PNG here to reuse its settings", file_types=[".png"],
            type="binary", height=140, elem_id="t2i-reuse", scale=1, min_width=260,
        )  # fmt: skip
        reused = gr.Markdown(label="What made the picture", elem_id="t2i-reused")
    with gr.Accordion("Settings", open=False):
        negative = control(actions.NEGATIVE_PROMPT, max_lines=2)
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
            alignment_chart = gr.LinePlot(
                x="guidance", y="top-5", color="steps",
                label="Guidance against match (top-5 retrieval)",
                x_title=actions.GUIDANCE.label, color_title=STEPS_LEGEND,
                y_title=words.MATCH_AXIS, elem_classes=[CHART],
            )  # fmt: skip
            distance_chart = gr.LinePlot(
                x="guidance", y="distance", color="steps",
                label="Guidance against distance (Fréchet)",
                x_title=actions.GUIDANCE.label, color_title=STEPS_LEGEND,
                y_title=words.DISTANCE_AXIS, elem_classes=[CHART],
            )  # fmt: skip
        training_curve_chart(model)
    gr.Markdown("### More ways to see the model (with the settings above)")
    with gr.Tabs(overflow_behavior="wrap") as views:  # on a phone, every view named
        with gr.Tab("Guidance sweep", id="sweep"):
            sweep_button = gr.Button("Sweep guidance", variant="primary")
            strip = ServedImage(
                label="One seed at several guidance scales", type="pil", elem_classes=[STRIP]
            )
            scales = gr.Markdown(label="Guidance scales, left to right")
        with gr.Tab("CFG vs CLIP", id="compare"):
            gr.Markdown(words.COMPARISON_SAYS)
            compare_button = gr.Button("Compare", variant="primary")
            compared = ServedImage(
                label="Classifier-free | CLIP | both", type="pil", elem_classes=[STRIP]
            )
            ways = gr.Markdown(label="The three ways, left to right")
            with gr.Accordion("Measured on held-out captions", open=False):
                measured = gr.Markdown(label="Measured on held-out captions")
        with gr.Tab("Trajectory", id="trajectory"):
            trajectory_button = gr.Button("Show the denoising", variant="primary")
            frames = ServedGallery(
                label="The predicted clean image after each step", columns=10, height="auto",
                format="png", elem_classes=[WHOLE_GALLERY, FITTED_GALLERY],
            )  # fmt: skip
            animation = ServedImage(label="As an animation", type="filepath", height=280)
        with gr.Tab("Image to image", id="image-to-image"):
            sdedit_results, sdedit_events = image_to_image.render(
                demo, views, model, prompt, guidance, steps, seed
            )
        with gr.Tab("Inpaint", id="inpaint"):
            gr.Markdown(
                "Upload an image, paint over the part to redo with the brush (pick the other "
                "colour where it does not show), say what should be there, and inpaint: the "
                "rest of the image is kept."
            )
            with gr.Row():
                editor = CheckedImageEditor(
                    label="Image and mask", type="numpy", elem_id="t2i-editor", brush=MASK_BRUSH,
                    **EDITOR_CANVAS,
                )  # fmt: skip
                repainted = ServedImage(label="Inpainted", type="pil")
            strength = control(actions.STRENGTH)
            inpaint_button = gr.Button("Inpaint", variant="primary")
            with gr.Accordion("Measured against a model fine-tuned to read the mask", open=False):
                inpainting_measured = gr.Markdown()

    settings = [prompt, negative, guidance, steps, scheduler, seed]
    described = [
        metrics, alignment_chart, distance_chart, measured, preview_says, inpainting_measured,
    ]  # fmt: skip
    model.change(describe, model, described, api_visibility="private")
    model.input(
        **clears(
            [images, leaning, link, glimpse, strip, scales, compared, ways, frames, animation]
            + [repainted]
            + sdedit_results
        )
    )
    every_setting = [model, *settings, count, thresholding, clip_guidance]
    generated = [
        trigger(
            generate,
            every_setting,
            images,
            api_name=name,
            api_visibility="public" if name else "private",
            **DIFFUSION,
        )
        for trigger, name in ((generate_button.click, "text_to_image"), (prompt.submit, None))
    ]
    for event, name in zip(generated, ("leaned_on", None), strict=True):
        event.success(
            leaned_on, [model, prompt], leaning, api_name=name,
            api_visibility="public" if name else "private", queue=False,
        )  # fmt: skip
        event.failure(lambda: "", None, leaning, api_visibility="private", queue=False)
    sweep_event = sweep_button.click(
        sweep,
        [model, prompt, negative, steps, scheduler, seed, thresholding, clip_guidance],
        [strip, scales],
        api_name="guidance_sweep",
        **DIFFUSION,
    )
    compare_event = compare_button.click(
        compare,
        [model, *settings, clip_guidance],
        [compared, ways],
        api_name="guidance_comparison",
        **DIFFUSION,
    )
    trajectory_event = trajectory_button.click(
        trajectory,
        [model, *settings, thresholding, clip_guidance],
        [frames, animation],
        api_name="trajectory",
        **DIFFUSION,
    )
    inpaint_event = inpaint_button.click(
        inpaint, [model, editor, *settings, strength], repainted, api_name="inpaint", **DIFFUSION
    )
    previewing = dict(show_progress="hidden", concurrency_id="preview", concurrency_limit=1)
    prompt.change(
        preview, [model, prompt], glimpse, api_name="preview", trigger_mode="always_last",
        **previewing,
    )  # fmt: skip
    demo.load(preview, [model, prompt], glimpse, api_visibility="private", **previewing)
    cancel_button.click(
        cancel_diffusion, None, None, api_name="cancel_diffusion", queue=False,
        cancels=[
            *generated, sweep_event, compare_event, trajectory_event, inpaint_event,
            *sdedit_events,
        ],
    )  # fmt: skip
    reuse.upload(
        settings_from_png, reuse, [*every_setting, reused], api_name="settings_from_png",
        queue=False,
    )  # fmt: skip
    reuse.clear(**clears([reused]))  # what the last file said
    demo.load(describe, model, described, api_visibility="private")
    controls = dict(zip(actions.GENERATE, every_setting, strict=True))
    shareable(
        demo, "text-to-image", controls, generate, [images], link, generated, events=DIFFUSION
    )


def build() -> gr.Blocks:
    """The text-to-image demo as an app of its own."""
    with gr.Blocks(title="genzoo: text to image") as demo:
        gr.Markdown("# genzoo: text to image")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
