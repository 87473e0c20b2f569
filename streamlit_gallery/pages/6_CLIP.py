"""The CLIP page of the Streamlit gallery: the same functions as the Gradio tab, other layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.images import for_display, open_image
from genzoo.pipelines import clip as actions
from streamlit_gallery.common import Link, pick_model, showing_errors

st.set_page_config(page_title="genzoo: CLIP", page_icon="🦓", layout="wide")
st.title("CLIP")
st.write(
    "A small CLIP trained by contrast: an image tower learned from scratch and the frozen MiniLM "
    "text tower map an emoji and its caption to nearby points. Give an image and a few "
    "captions, and it says which fits best. It also steers the text-to-image model."
)
link = Link("clip")
model = pick_model("clip", linked=link.get("model", None))
source = st.radio("Image", ["Held-out example", "Upload"], horizontal=True)
if source == "Upload":
    upload = st.file_uploader("Upload an image", key="clip_upload")
    image = upload.getvalue() if upload is not None else None
    default_captions = "\n".join(actions.DEFAULT_CAPTIONS)
else:
    count = len(actions.examples(model)[1])
    index = st.slider(
        "Held-out example (never seen in training)",
        0,
        count - 1,
        link.get("example", 0, 0, count - 1),
    )
    image = actions.example_image(model, index)
    default_captions = actions.example_captions(model, index)
    if index == link.get("example", None):  # the link's own captions, for its example
        default_captions = link.get("captions", default_captions)
left, right = st.columns(2)
captions = right.text_area(
    f"Captions, one per line (up to {actions.MAX_CAPTIONS})", default_captions, height=180
)
if image is None:
    left.info("Upload an image to rank captions for it.")
else:
    ranking = showing_errors(actions.rank_captions, model, image, captions)
    if ranking is not None:
        picture = showing_errors(open_image, image, 255)
        if picture is not None:
            left.image(for_display(picture.convert("RGB")) if picture.width < 128 else picture)
        right.dataframe(  # the answer first, in columns narrow enough for a phone
            {"caption": ranking.captions, "probability": ranking.probabilities},
            hide_index=True,
            column_order=("probability", "caption"),
            column_config={
                "probability": st.column_config.ProgressColumn(
                    "probability",
                    format="percent",
                    min_value=0.0,
                    max_value=1.0,
                    width=120,
                    pinned=True,
                ),
                "caption": st.column_config.TextColumn("caption", width="medium"),
            },
        )
        if source == "Held-out example":
            with right:
                link.show(dict(model=model, example=index, captions=captions))
