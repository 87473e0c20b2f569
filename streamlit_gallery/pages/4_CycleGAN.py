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
    "must return the input. *What changed* shows where the translation changed the input; the "
    "round trip shows how much survives."
)
link = Link("cyclegan")
model = pick_model("cyclegan", linked=link.get("model", None))
directions = list(actions.DIRECTIONS)
linked_direction = link.get("direction", directions[0])
direction = st.radio(
    "Direction",
    directions,
    directions.index(linked_direction) if linked_direction in directions else 0,
    horizontal=True,
    format_func=lambda value: actions.direction_name(model, value),
)
labels = actions.round_trip_labels(model, direction)
source = st.radio("Input", ["Held-out example", "Upload"], horizontal=True)
result = truth = None
if source == "Upload":
    upload = st.file_uploader("Upload an image", key="cyclegan_upload")
    if upload is None:
        st.info("Upload an image to translate it.")
    else:
        result = showing_errors(actions.cyclegan, model, upload.getvalue(), direction)
else:
    last = len(actions.examples(model).keys) - 1
    index = st.slider("Held-out example", 0, last, link.get("example", 0, 0, last))
    result, truth = showing_errors(actions.cyclegan_example, model, index, direction) or (None,) * 2
if result is not None:
    pictures = [
        (result.input, labels.input),
        (result.translated, labels.translated),
        (result.difference, labels.difference),
        *([(truth, labels.truth)] if truth is not None else []),
        (result.returned, labels.returned),
    ]
    for column, (picture, caption) in zip(st.columns(len(pictures)), pictures, strict=True):
        show(column, picture, caption=caption)
    st.write(result.summary)
    if truth is not None:
        link.show(dict(model=model, direction=direction, example=index))
