"""The pix2pix page of the Streamlit gallery: the same functions as the Gradio tab, other layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.pipelines import translation as actions
from streamlit_gallery.common import Link, pick_model, show, showing_errors
from streamlit_gallery.sketchpad import sketchpad

SOURCES = ["Held-out example", "Drawing", "Upload"]
NO_TRUTH = "A drawing or an upload has no truth to compare with; a held-out example has."

st.set_page_config(page_title="genzoo: pix2pix", page_icon="🦓", layout="wide")
st.title("pix2pix")
st.write(
    "Learned from pairs (the same emoji as line art and in colour) to turn one into the other. "
    "Draw black lines on white, upload a picture, or pick an emoji it never saw in training."
)
link = Link("pix2pix")
model = pick_model("pix2pix", linked=link.get("model", None))
source = st.radio("Input", SOURCES, horizontal=True)
left, right = st.columns(2)
with left:
    truth = None
    if source == "Upload":
        upload = st.file_uploader("Upload an image", key="pix2pix_upload")
        image = upload.getvalue() if upload is not None else None
    elif source == "Drawing":
        image = sketchpad(key="pix2pix_drawing", ink="#000", paper="#fff", line_width=6)
    else:
        count = len(actions.examples(model).keys)
        index = st.slider("Held-out example", 0, count - 1, link.get("example", 0, 0, count - 1))
        image = actions.example_image(model, index, "a")
        truth = actions.example_for_display(model, index, "b")
if image is None:
    right.info("Upload an image or draw one (then click *Use drawing*).")
else:
    result = showing_errors(actions.pix2pix, model, image)
    if result is not None:
        columns = right.columns(3 if truth else 2)
        show(columns[0], result.input, caption="Input, as the model sees it")
        show(columns[1], result.output, caption="pix2pix output")
        if truth:
            show(columns[2], truth, caption="The truth")
            with right:
                link.show(dict(model=model, example=index))
        else:
            right.caption(NO_TRUTH)
