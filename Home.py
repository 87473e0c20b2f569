"""The Streamlit gallery's home page: `streamlit run Home.py`. One page per family in pages/."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.catalogue import summaries
from genzoo.registry import FAMILIES

PAGES = {
    "vae": (
        "pages/1_VAE.py",
        "Variational autoencoders",
        "Manifold, latent map, encode, interpolate",
    ),
    "dcgan": ("pages/2_DCGAN.py", "DCGAN", "Samples from a seed, slerp, vector arithmetic"),
    "pix2pix": ("pages/3_pix2pix.py", "pix2pix", "Line art or a drawing to colour"),
    "cyclegan": ("pages/4_CycleGAN.py", "CycleGAN", "Two styles, both ways, no pairs"),
    "text-to-image": (
        "pages/5_Text_to_image.py",
        "Text to image (latent diffusion)",
        "A prompt to emoji, CLIP guidance, guidance sweep, trajectory, inpainting",
    ),
    "clip": ("pages/6_CLIP.py", "CLIP", "Which caption fits an image"),
}

st.set_page_config(page_title="genzoo", page_icon="🦓", layout="wide")
st.title("genzoo")
st.write(
    "Generative models trained from scratch by this project's own scripts, each with its "
    "quality measured on held-out data. Every card below is read from the model's own card."
)
models = summaries()
for family in FAMILIES:
    page, title, blurb = PAGES[family]
    st.subheader(title)
    st.page_link(page, label=f"Open: {blurb}", icon="➡️")
    found = [m for m in models if m.family == family]
    if not found:
        st.warning(f"No {family} model is bundled in checkpoints/.")
    for model in found:
        with st.container(border=True):
            picture, text = st.columns([1, 3])
            if model.sample:
                picture.image(str(model.sample), width="stretch")
            text.markdown(model.markdown())
st.caption(f"{len(models)} models. Weights are safetensors in Hugging Face Hub format.")
