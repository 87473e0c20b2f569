"""The CycleGAN page of the Streamlit gallery: the same functions as the Gradio tab, other
layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.pipelines import translation as actions
from streamlit_gallery.common import Link, pick_model, show, showing_errors

st.set_page_config(page_title="genzoo: CycleGAN", page_icon="🦓", layout="wide")
st.title("CycleGAN")
st.write(
    "Learned to translate between two styles without ever seeing a pair; going there and back "
    "must return the input. The round trip shows how much survives."
)
link = Link("cyclegan")
model = pick_model("cyclegan", linked=link.get("model", None))
domain_a, domain_b = actions.domain_names(model)
directions = list(actions.DIRECTIONS)
linked_direction = link.get("direction", directions[0])
direction = st.radio(
    "Direction",
    directions,
    directions.index(linked_direction) if linked_direction in directions else 0,
    horizontal=True,
    format_func=lambda d: (
        f"{d}: {domain_a} → {domain_b}" if d == "A→B" else f"{d}: {domain_b} → {domain_a}"
    ),
)
source = st.radio("Input", ["Held-out example", "Upload"], horizontal=True)
truth = None
if source == "Upload":
    upload = st.file_uploader("Upload an image", key="cyclegan_upload")
    image = upload.getvalue() if upload is not None else None
else:
    side, other = ("a", "b") if direction == "A→B" else ("b", "a")
    last = len(actions.examples(model).keys) - 1
    index = st.slider("Held-out example", 0, last, link.get("example", 0, 0, last))
    image = actions.example_image(model, index, side)
    truth = actions.example_for_display(model, index, other)
if image is None:
    st.info("Upload an image to translate it.")
else:
    result = showing_errors(actions.cyclegan, model, image, direction)
    if result is not None:
        columns = st.columns(4)
        show(columns[0], result.input, caption="Input")
        show(columns[1], result.translated, caption="Translated")
        show(columns[2], result.returned, caption="And back (round trip)")
        if truth:
            show(columns[3], truth, caption="The true translation")
            link.show(dict(model=model, direction=direction, example=index))
