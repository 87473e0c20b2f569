"""The text-to-image page of the Streamlit gallery: the same functions as the Gradio tab, other
layout."""

from genzoo.env import offline_defaults

offline_defaults()

import io

import streamlit as st

from gallery import Link, pick_model, shown
from genzoo.cards import card_section
from genzoo.images import open_image
from genzoo.models.latent_diffusion import PROMPT_TOKENS
from genzoo.pipelines import text_to_image as pipeline
from genzoo.retrieval import GUIDANCE_KINDS_SECTION
from sketchpad import sketchpad

EXAMPLES = [
    "a red apple, flat icon",
    "a grinning face, Noto emoji",
    "a 3-D emoji of a cat face",
    "a blue car, Twemoji",
]

st.set_page_config(page_title="genzoo: text to image", page_icon="🦓", layout="wide")
st.title("Text to image")
st.write(
    "A Stable Diffusion in miniature, trained from scratch on captioned emoji. It removes noise "
    "step by step, steered by your prompt; guidance trades variety for following it closely."
)
link = Link("text-to-image")
model = pick_model("text-to-image", "make train-diffusion", linked=link.get("model", None))
example = st.selectbox("Examples", EXAMPLES)
prompt = st.text_input(
    "Prompt",
    link.get("prompt", example),
    max_chars=pipeline.MAX_PROMPT_CHARACTERS,
    help=f"The model reads the first {PROMPT_TOKENS} tokens (about 15 words).",
)
negative = st.text_input(
    "Negative prompt", link.get("negative_prompt", ""), max_chars=pipeline.MAX_PROMPT_CHARACTERS
)
columns = st.columns(4)
guidance = columns[0].slider(
    "Guidance scale",
    0.0,
    pipeline.MAX_GUIDANCE,
    link.get("guidance", 5.0, 0, pipeline.MAX_GUIDANCE),
    0.5,
)
steps = columns[1].slider(
    "Steps", 1, pipeline.MAX_STEPS, link.get("steps", pipeline.Request.steps, 1, pipeline.MAX_STEPS)
)
schedulers = list(pipeline.SCHEDULERS)
linked_scheduler = link.get("scheduler", schedulers[0])
scheduler = columns[2].selectbox(
    "Scheduler",
    schedulers,
    schedulers.index(linked_scheduler) if linked_scheduler in schedulers else 0,
)
seed = columns[3].number_input(
    "Seed", 0, pipeline.MAX_SEED, link.get("seed", 0, 0, pipeline.MAX_SEED)
)
columns = st.columns(3)
count = columns[0].slider(
    "Images", 1, pipeline.MAX_IMAGES, link.get("count", 4, 1, pipeline.MAX_IMAGES)
)
clip = columns[1].slider(
    "CLIP guidance scale (0: off)", 0.0, pipeline.MAX_CLIP_GUIDANCE,
    link.get("clip_guidance", 0.0, 0, pipeline.MAX_CLIP_GUIDANCE), 0.5,
    help="Steers each step towards what genzoo's own CLIP sees in the prompt; slower.",
)  # fmt: skip
thresholding = columns[2].checkbox(
    "Dynamic thresholding (measured no better here)", link.get("thresholding", False)
)
settings = dict(
    negative_prompt=negative, steps=steps, scheduler=scheduler, seed=seed,
    thresholding=thresholding,
)  # fmt: skip
generate_tab, sweep_tab, compare_tab, trajectory_tab, inpaint_tab = st.tabs(
    ["Generate", "Guidance sweep", "CFG vs CLIP", "Trajectory", "Inpaint"]
)

with generate_tab:
    with st.spinner("Denoising…"):
        images = shown(
            pipeline.text_to_image, model, prompt, count, guidance=guidance, clip_guidance=clip,
            **settings,
        )  # fmt: skip
    if images is not None:
        st.image(images, width=160, caption=[f"seed {seed}, image {i + 1}" for i in range(count)])
        link.show(
            dict(
                model=model, prompt=prompt, negative_prompt=negative, guidance=guidance,
                steps=steps, scheduler=scheduler, seed=seed, count=count,
                thresholding=thresholding, clip_guidance=clip,
            )
        )  # fmt: skip

with sweep_tab, st.spinner("Sweeping…"):
    result = shown(pipeline.guidance_sweep, model, prompt, clip_guidance=clip, **settings)
    if result is not None:
        strip, scales = result
        st.image(strip, caption="Guidance, left to right: " + ", ".join(f"{s:g}" for s in scales))

with compare_tab:
    st.write(
        "One seed three ways: classifier-free guidance only, CLIP guidance only, and both (with "
        f"CLIP guidance at 0, the comparison uses {pipeline.DEFAULT_CLIP_GUIDANCE:g})."
    )
    with st.expander("Measured on held-out captions"):
        st.markdown(
            card_section(model, GUIDANCE_KINDS_SECTION) or "_Not measured for this model yet._"
        )
    if st.button("Compare", type="primary"):
        with st.spinner("Denoising three ways…"):
            result = shown(
                pipeline.guidance_comparison, model, prompt, guidance=guidance,
                clip_guidance=clip, **settings,
            )  # fmt: skip
        if result is not None:
            strip, ways = result
            st.image(strip, caption="Left to right: " + "; ".join(ways))

with trajectory_tab, st.spinner("Denoising…"):
    frames = shown(
        pipeline.trajectory, model, prompt, guidance=guidance, clip_guidance=clip, **settings
    )
    if frames is not None:
        st.image(frames, width=96, caption=[f"step {i + 1}" for i in range(len(frames))])

with inpaint_tab:
    st.write(
        "Upload an image, paint over the part to redo, click *Use drawing*, and it is repainted "
        "to match the prompt; the rest is kept."
    )
    upload = st.file_uploader("Image to inpaint", key="inpaint_upload")
    image = shown(open_image, upload.getvalue(), 255) if upload is not None else None
    if image is not None:
        png = io.BytesIO()
        image.convert("RGB").save(png, "PNG")
        left, right = st.columns(2)
        with left:
            strokes = sketchpad(
                key="inpaint_mask", ink="rgba(255, 64, 64, 0.7)", paper="#fff",
                line_width=24, background=png.getvalue(),
            )  # fmt: skip
        strength = st.slider("Strength", 0.05, 1.0, 1.0, 0.05)
        mask = shown(pipeline.mask_from_strokes, strokes) if strokes else None
        if mask is None:
            right.info("Paint the part to redo, then click *Use drawing*.")
        else:
            with st.spinner("Inpainting…"):
                result = shown(
                    pipeline.inpaint, model, image, mask, prompt, strength, guidance=guidance,
                    **settings,
                )  # fmt: skip
            if result is not None:
                right.image(result, caption="Inpainted")
