"""The Streamlit gallery's home page: `streamlit run Home.py`. One page per family in pages/."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.catalogue import summaries
from genzoo.registry import FAMILIES, FAMILY_TABLE

st.set_page_config(page_title="genzoo", page_icon="🦓", layout="wide")
st.title("genzoo")
st.write(
    "Generative models trained from scratch by this project's own scripts, each with its "
    "quality measured on held-out data. Every card below is read from the model's own card."
)
models = summaries()
for family in (FAMILY_TABLE[name] for name in FAMILIES):
    st.subheader(family.title)
    st.page_link(family.streamlit_page, label=f"Open: {family.blurb}", icon="➡️")
    found = [m for m in models if m.family == family.name]
    if not found:
        st.warning(family.missing_message())
    for model in found:
        with st.container(border=True):
            picture, text = st.columns([1, 3])
            if model.sample:
                picture.image(str(model.sample), width="stretch")
            text.markdown(model.markdown())
st.caption(f"{len(models)} models. Weights are safetensors in Hugging Face Hub format.")
