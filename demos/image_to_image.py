"""The text-to-image tab's image-to-image view (SDEdit): held-out line art, or the visitor's own
picture, noised part of the way and redrawn under the tab's prompt."""

from __future__ import annotations

from functools import partial

import gradio as gr

from demos.common import clears, user_errors
from demos.editors import EDITOR_CANVAS, CheckedImageEditor
from demos.jobs import DIFFUSION, step_reporter
from demos.panels import control, example_picker
from demos.served import ServedImage
from demos.sharing import shareable
from genzoo.cards import SDEDIT_SECTION, measured_section
from genzoo.images import for_display
from genzoo.pipelines import sketches as line_art
from genzoo.pipelines import text_to_image as actions
from words import text_to_image as words


@user_errors
def redraw(
    model,
    picture,
    prompt,
    strength,
    guidance,
    steps,
    seed,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):
    """SDEdit on an uploaded or drawn picture: it becomes what the prompt says."""
    image = picture.get("composite") if isinstance(picture, dict) else picture
    return actions.image_to_image(
        model,
        image,
        prompt,
        strength,
        on_step=step_reporter(progress, request),
        guidance=guidance,
        steps=steps,
        seed=seed,
    )


@user_errors
def redraw_example(
    model,
    example,
    prompt,
    strength,
    guidance,
    steps,
    seed,
    progress=gr.Progress(),  # noqa: B008
    request: gr.Request = None,
):
    """SDEdit on held-out line art: the picture, and what it became."""
    picture = line_art.sketch_example(example)
    redrawn = actions.image_to_image(
        model,
        picture,
        prompt,
        strength,
        on_step=step_reporter(progress, request),
        guidance=guidance,
        steps=steps,
        seed=seed,
    )
    return for_display(picture), redrawn


@user_errors
def sketch_caption(example):
    """The example's own colour caption, for the prompt (left as it is where there is none)."""
    return line_art.sketch_caption(example) or gr.skip()


def select_sketch(evt: gr.SelectData):
    """A clicked example: its number, and its own caption as the prompt."""
    return evt.index, sketch_caption(evt.index)


def render(demo: gr.Blocks, views: gr.Tabs, model, prompt, guidance, steps, seed):
    """The view, inside the open tab, using the tab's model, prompt and settings; its results
    (to empty when the model changes) and its events (to cancel)."""
    gr.Markdown(f"{words.SDEDIT_SAYS} Pick held-out line art, or upload or draw your own.")
    with gr.Row():
        with gr.Column():
            with gr.Tab("Held-out line art"):
                sketches, sketch_index, sketch_button = example_picker(
                    "t2i-sketches", "Redraw example"
                )
            with gr.Tab("Upload or draw"):
                rough = CheckedImageEditor(
                    label="Your picture",
                    type="numpy",
                    elem_id="t2i-rough",
                    brush=gr.Brush(default_size=6),
                    **EDITOR_CANVAS,
                )
                rough_button = gr.Button("Redraw", variant="primary")
            strength = control(actions.SDEDIT_STRENGTH)
            with gr.Accordion("Measured against pix2pix, a model trained for this", open=False):
                measured = gr.Markdown(measured_section(model.value, SDEDIT_SECTION))
        with gr.Column():
            with gr.Row():
                seen = ServedImage(label="The picture", type="pil", height=256)
                redrawn = ServedImage(
                    label="Redrawn", type="pil", height=256, elem_id="t2i-redrawn"
                )
            link = gr.Markdown(elem_id="t2i-sdedit-share")

    model.change(
        partial(measured_section, heading=SDEDIT_SECTION),
        model,
        measured,
        api_visibility="private",
        queue=False,
    )
    settings = [prompt, strength, guidance, steps, seed]
    own = rough_button.click(
        redraw, [model, rough, *settings], redrawn, api_name="image_to_image", **DIFFUSION
    )
    own.success(**clears([seen, link]))  # the last example's, not this picture's
    examples = [
        sketch_button.click(
            redraw_example,
            [model, sketch_index, *settings],
            [seen, redrawn],
            api_name="image_to_image_example",
            **DIFFUSION,
        ),
        sketches.select(
            select_sketch, None, [sketch_index, prompt], api_visibility="private", queue=False
        ).then(
            redraw_example,
            [model, sketch_index, *settings],
            [seen, redrawn],
            api_visibility="private",
            **DIFFUSION,
        ),
    ]
    sketch_index.input(sketch_caption, sketch_index, prompt, api_name="sketch_caption", queue=False)
    demo.load(line_art.sketch_gallery, None, sketches, api_visibility="private")
    shareable(
        demo,
        "text-to-image/image-to-image",
        dict(
            model=model,
            example=sketch_index,
            prompt=prompt,
            strength=strength,
            guidance=guidance,
            steps=steps,
            seed=seed,
        ),
        redraw_example,
        [seen, redrawn],
        link,
        examples,
        view=(views, "image-to-image"),
        events=DIFFUSION,
    )
    return [seen, redrawn, link], [own, *examples]
