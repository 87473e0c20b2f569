"""What both galleries say about the text-to-image model, in plain words (the technical term
after them, for whoever looks further): declared once, read by the Gradio tab, the Streamlit page
and the tests. The pipeline itself is `genzoo.pipelines.text_to_image`."""

import pandas as pd

from genzoo.cards import PREVIEW_SECTION, card_table, guidance_curve
from genzoo.diffusion import neighbours
from genzoo.pipelines.text_to_image import DEFAULT_CLIP_GUIDANCE, PREVIEW_STEPS, STEPS, leaned_on

ONE_SUBJECT = (
    "It draws one emoji-like subject at a time: a prompt that names several things (“a dog "
    "wearing sunglasses”, “a house with a tree”) tends to give just one of them."
)
"""What the model cannot do, said near the prompt in both galleries."""
MASK_INKS = {"blue": ("#1f4fff", 0.55), "bright green": ("#39ff14", 0.55)}
"""The inpainting brush's colours (hex, opacity), see-through: a blue, and a bright green for
pictures too blue or too dark for the blue to show on."""


NEIGHBOURS_SAYS = (
    "A prompt it never learned leans halfway on the nearest caption it did learn, which it draws "
    "better (neighbour guidance)."
)


def leaning_says(model: str, prompt: str) -> str:
    """Which learned caption the prompt's images leaned on, in plain words, to show beside
    them; "" for a model that ships no learned captions."""
    caption = leaned_on(model, prompt)
    if caption is not None:
        return f"Never learned this prompt; leaned on the learned caption “{caption}”."
    if neighbours.for_model(model) is None:
        return ""
    return "A caption the model learned: drawn as it learned it, leaning on no other."


def cancelled_says(done: int, total: int) -> str:
    """What a job cancelled after step `done` of `total` tells the visitor."""
    return f"Cancelled at step {done} of {total}: nothing was made."


PREVIEW_SAYS = (
    f"A quick look as you type: one image, {PREVIEW_STEPS} steps instead of "
    f"{STEPS.default}, at the default guidance and seed. **Generate** makes the real ones."
)
MATCH_AXIS = "match to the prompt (top-5, higher is better)"
DISTANCE_AXIS = "distance to real emoji (lower is better)"
"""The measured qualities in plain words, short enough for a chart's axis to show whole; the
charts' titles name the measures (top-5 retrieval, Fréchet distance)."""


def guidance_points(model: str) -> pd.DataFrame:
    """The card's guidance curve as both galleries chart it: a row per (guidance, steps), its
    top-5 retrieval and its distance, the steps named ("20 steps") for the charts' legends."""
    curve = pd.DataFrame(guidance_curve(model), columns=["guidance", "steps", "top-5", "distance"])
    curve["steps"] = curve["steps"].astype(str) + " steps"
    return curve


def preview_measured(model: str) -> str:
    """What the preview trades away, as the card measured it (`benchmarks/preview.py`), in
    plain words; "" for a model not measured."""
    rows = card_table(model, PREVIEW_SECTION)
    if len(rows) < 2:
        return ""
    preview, full = rows[0], rows[1]
    match, distance = "top-5", "Fréchet distance (lower)"
    return (
        f"Measured on held-out captions, how well images match their prompt: {preview[match]} "
        f"for the preview against {full[match]} for Generate (top-5 retrieval, higher is "
        f"better); distance to real emoji: {preview[distance]} against {full[distance]} "
        "(Fréchet distance, lower is better)."
    )


def scales_says(scales) -> str:
    """The guidance sweep's scales, as the caption under its strip."""
    return "Guidance, left to right: " + ", ".join(f"{scale:g}" for scale in scales)


def ways_says(ways) -> str:
    """The three ways of the guidance comparison, as the caption under its strip."""
    return "Left to right: " + "; ".join(ways)


COMPARISON_SAYS = (
    "One seed steered three ways: by the prompt alone (classifier-free guidance, CFG), by "
    "genzoo's own CLIP judging each step against the prompt (CLIP guidance), and by both (with "
    f"CLIP guidance at 0, the comparison uses {DEFAULT_CLIP_GUIDANCE:g})."
)
SDEDIT_SAYS = (
    "Redraw a picture under the prompt above (**image to image**, SDEdit): it is noised part of "
    "the way, then denoised under the prompt, so a rough drawing becomes an emoji in the style "
    "the prompt names. Held-out line art brings its own caption as the prompt."
)
