"""The text-to-image page of the Streamlit gallery: the same functions as the Gradio tab, other
layout."""

from genzoo.env import offline_defaults

offline_defaults()

import functools
import io

import streamlit as st

from genzoo import provenance
from genzoo.cards import (
    GUIDANCE_KINDS_SECTION,
    INPAINTING_SECTION,
    SDEDIT_SECTION,
    measured_section,
)
from genzoo.images import for_display, mask_from_strokes, open_image
from genzoo.pipelines import sketches as line_art
from genzoo.pipelines import text_to_image as actions
from streamlit_gallery.common import (
    Link,
    control,
    opened,
    pick_model,
    result_of,
    show,
    showing_errors,
)
from streamlit_gallery.sketchpad import sketchpad
from words import text_to_image as words

# Comments, not docstrings: Streamlit shows a page's bare strings on the page ("magic").
# The running job's last step (done, total), for a Cancel (which stops it by rerunning the page)
# to say where it stopped; gone once the job ends or the next run starts.
RUNNING_STEP = "text-to-image-running-step"
# The picked line-art example's own caption, the prompt's default until another example is picked.
SKETCH_PROMPT = "text-to-image-sketch-prompt"


def stoppable(action):
    """`action`, keeping its last step in `RUNNING_STEP` while it runs."""

    @functools.wraps(action)
    def run(*args, on_step, **kwargs):
        def step(done: int, total: int) -> None:
            st.session_state[RUNNING_STEP] = (done, total)
            on_step(done, total)  # where a Cancel's rerun stops the job

        made = action(*args, on_step=step, **kwargs)
        st.session_state.pop(RUNNING_STEP, None)
        return made

    return run


def prefill_sketch_caption() -> None:
    """The picked line-art example's own caption as the prompt."""
    caption = line_art.sketch_caption(st.session_state["sdedit_example"])
    if caption:
        st.session_state[SKETCH_PROMPT] = caption


def reuse_settings(png, link: Link) -> None:
    """A dropped genzoo PNG's settings (a file not yet reused), followed as a share link would
    be, which makes its picture again; what made it kept, to say so above the result."""
    if st.session_state.get("reused", ("",))[0] == png.file_id:
        return
    found = showing_errors(actions.settings_from_png, png.getvalue())
    if found is not None:
        maker = provenance.maker(provenance.read(png.getvalue()))
        st.session_state["reused"] = (
            png.file_id,
            f"Settings restored from a picture made by {maker}: it is made again below.",
        )
        link.follow(found)


def png_bytes(image) -> bytes:
    """A picture as PNG bytes (RGB), for the sketch pad to show under the mask."""
    png = io.BytesIO()
    image.convert("RGB").save(png, "PNG")
    return png.getvalue()


st.set_page_config(page_title="genzoo: text to image", page_icon="🦓", layout="wide")
st.title("Text to image")
st.write(
    "A Stable Diffusion in miniature, trained from scratch on captioned emoji. It removes noise "
    "step by step, steered by your prompt; guidance trades variety for following it closely. "
    + words.NEIGHBOURS_SAYS
)
link = Link("text-to-image")
sdedit_link = Link("text-to-image/image-to-image")
opened_tab, opened_link = opened([("Generate", link), ("Image to image", sdedit_link)])
model = pick_model("text-to-image", linked=opened_link.get("model", None))
example = st.selectbox(
    "Examples", actions.EXAMPLE_PROMPTS, on_change=lambda: st.session_state.pop(SKETCH_PROMPT, 0)
)
left, middle, right = st.columns([8, 2, 1], vertical_alignment="bottom")
prompt = control(
    actions.PROMPT.but(default=st.session_state.get(SKETCH_PROMPT, example)), opened_link, left
)
generate = middle.button("Generate", type="primary", width="stretch")
st.caption(words.ONE_SUBJECT)
stopped = st.session_state.pop(RUNNING_STEP, None)  # by this rerun, if a job was running
if right.button("Cancel", width="stretch"):  # any click stops a running job at its next step
    st.toast(words.cancelled_says(*stopped) if stopped else "Nothing was running to cancel.")
glimpse = result_of("preview", None, "Previewing", actions.preview, model, prompt)
if glimpse is not None:
    left, right = st.columns([1, 7], vertical_alignment="center")
    show(left, glimpse, width=96, caption="Preview")
    right.markdown(f"{words.PREVIEW_SAYS} {words.preview_measured(model)}")
with st.expander("Settings"):
    negative = control(actions.NEGATIVE_PROMPT, opened_link)
    columns = st.columns(4)
    guidance = control(actions.GUIDANCE, opened_link, columns[0])
    steps = control(actions.STEPS, opened_link, columns[1])
    scheduler = control(actions.SCHEDULER, opened_link, columns[2])
    seed = control(actions.SEED, opened_link, columns[3])
    columns = st.columns(3)
    count = control(actions.COUNT, opened_link, columns[0])
    clip = control(actions.CLIP_GUIDANCE, opened_link, columns[1])
    thresholding = control(actions.THRESHOLDING, opened_link, columns[2])
settings = dict(
    negative_prompt=negative,
    steps=steps,
    scheduler=scheduler,
    seed=seed,
    thresholding=thresholding,
)
with st.expander("How guidance changes how well images match their prompt (held-out emoji)"):
    curve = words.guidance_points(model)
    left, right = st.columns(2)
    for column, y, y_label in (
        (left, "top-5", words.MATCH_AXIS),
        (right, "distance", words.DISTANCE_AXIS),
    ):
        column.line_chart(
            curve,
            x="guidance",
            y=y,
            color="steps",
            x_label=actions.GUIDANCE.label,
            y_label=y_label,
        )
generate_tab, sweep_tab, compare_tab, trajectory_tab, sdedit_tab, inpaint_tab = st.tabs(
    ["Generate", "Guidance sweep", "CFG vs CLIP", "Trajectory", "Image to image", "Inpaint"],
    default=opened_tab,
    key="text_to_image_tab",
    on_change="rerun",  # the tab is kept across reruns (an upload's, say), not reset to the first
)

with generate_tab:
    asked = generate or link.opens_now()
    images = result_of(
        "generate",
        asked,
        "Denoising",
        stoppable(actions.text_to_image),
        model,
        prompt,
        count,
        guidance=guidance,
        clip_guidance=clip,
        **settings,
    )
    if "reused" in st.session_state:
        st.success(st.session_state["reused"][1])
    if images is None:
        if not asked:  # when asked, its error (an empty prompt's, say) is the one message
            st.info("Type a prompt and press *Generate*.")
    else:
        show(st, images, caption=[f"seed {seed}, image {i + 1}" for i in range(count)])
        st.markdown(words.leaning_says(model, prompt))
        link.show(
            dict(
                model=model,
                prompt=prompt,
                negative_prompt=negative,
                guidance=guidance,
                steps=steps,
                scheduler=scheduler,
                seed=seed,
                count=count,
                thresholding=thresholding,
                clip_guidance=clip,
            )
        )

    reuse = st.file_uploader("Drop a genzoo PNG here to reuse its settings", type=["png"])
    if reuse is not None:
        reuse_settings(reuse, link)

with sweep_tab:
    result = result_of(
        "sweep",
        st.button("Sweep guidance", type="primary"),
        "Sweeping",
        stoppable(actions.guidance_sweep),
        model,
        prompt,
        clip_guidance=clip,
        **settings,
    )
    if result is not None:
        strip, scales = result
        show(st, strip, caption=words.scales_says(scales))

with compare_tab:
    st.write(words.COMPARISON_SAYS)
    with st.expander("Measured on held-out captions"):
        st.markdown(measured_section(model, GUIDANCE_KINDS_SECTION))
    result = result_of(
        "compare",
        st.button("Compare", type="primary"),
        "Denoising three ways",
        stoppable(actions.guidance_comparison),
        model,
        prompt,
        guidance=guidance,
        clip_guidance=clip,
        **settings,
    )
    if result is not None:
        strip, ways = result
        show(st, strip, caption=words.ways_says(ways))

with trajectory_tab:
    frames = result_of(
        "trajectory",
        st.button("Show the denoising", type="primary"),
        "Denoising",
        stoppable(actions.trajectory),
        model,
        prompt,
        guidance=guidance,
        clip_guidance=clip,
        **settings,
    )
    if frames is not None:
        show(st, frames, width=96, caption=[f"step {i + 1}" for i in range(len(frames))])

with sdedit_tab:
    st.write(words.SDEDIT_SAYS)
    sketches = line_art.sketch_gallery()
    left, right = st.columns(2)
    example = left.number_input(
        "Held-out line art (example number)",
        0,
        len(sketches) - 1,
        sdedit_link.value(actions.IMAGE_TO_IMAGE["example"]),
        key="sdedit_example",
        on_change=prefill_sketch_caption,
    )
    own = left.file_uploader("…or your own picture", key="sdedit_upload")
    picture = showing_errors(open_image, own.getvalue(), 255) if own else sketches[example]
    strength = control(actions.SDEDIT_STRENGTH, sdedit_link, left)
    with left.expander("Measured against pix2pix, a model trained for this"):
        st.markdown(measured_section(model, SDEDIT_SECTION))
    redrawn = (
        result_of(
            "sdedit",
            left.button("Redraw", type="primary") or sdedit_link.opens_now(),
            "Redrawing",
            stoppable(actions.image_to_image),
            model,
            picture,
            prompt,
            strength,
            guidance=guidance,
            steps=steps,
            seed=seed,
        )
        if picture is not None
        else None
    )
    columns = right.columns(2)
    show(columns[0], for_display(picture) if picture is not None else None, caption="The picture")
    if redrawn is not None:
        show(columns[1], redrawn, caption="Redrawn")
        if own is None:
            sdedit_link.show(
                dict(
                    model=model,
                    example=example,
                    prompt=prompt,
                    strength=strength,
                    guidance=guidance,
                    steps=steps,
                    seed=seed,
                )
            )

with inpaint_tab:
    st.write(
        "Upload an image, paint over the part to redo, click *Use drawing*, and it is repainted "
        "to match the prompt; the rest is kept."
    )
    upload = st.file_uploader("Image to inpaint", key="inpaint_upload")
    with st.expander("Measured against a model fine-tuned to read the mask"):
        st.markdown(measured_section(model, INPAINTING_SECTION))
    image = showing_errors(open_image, upload.getvalue(), 255) if upload is not None else None
    if image is not None:
        left, right = st.columns(2)
        with left:
            colour = st.radio(
                "Mask colour",
                list(words.MASK_INKS),
                horizontal=True,
                help="Pick the one that shows on your picture.",
            )
            ink, opacity = words.MASK_INKS[colour]
            strokes = sketchpad(
                key="inpaint_mask",
                ink=f"{ink}{round(opacity * 255):02x}",
                paper="#fff",
                line_width=24,
                background=png_bytes(image),
            )
        strength = control(actions.STRENGTH)
        mask = showing_errors(mask_from_strokes, strokes) if strokes else None
        if mask is None:
            right.info("Paint the part to redo, then click *Use drawing*.")
        else:
            result = result_of(
                "inpaint",
                None,
                "Inpainting",
                stoppable(actions.inpaint),
                model,
                image,
                mask,
                prompt,
                strength,
                guidance=guidance,
                **settings,
            )
            if result is not None:
                show(right, result, caption="Inpainted")
