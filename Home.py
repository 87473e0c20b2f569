"""The Streamlit gallery's home page: `streamlit run Home.py`. One page per family in pages/."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st  # noqa: E402

from genzoo.cards import metrics_markdown  # noqa: E402
from genzoo.registry import BUNDLED, FAMILIES, bundled  # noqa: E402

PAGES = {
    "vae": (
        "pages/1_VAE.py",
        "Variational autoencoders",
        "Manifold, latent map, encode, interpolate",
    ),
    "dcgan": ("pages/2_DCGAN.py", "DCGAN", "Samples from a seed, slerp, vector arithmetic"),
    "pix2pix": ("pages/3_pix2pix.py", "pix2pix", "Line art or a drawing to colour"),
    "cyclegan": ("pages/4_CycleGAN.py", "CycleGAN", "Flat and 3-D emoji, both ways, no pairs"),
    "text-to-image": (
        "pages/5_Text_to_image.py",
        "Text to image (latent diffusion)",
        "A prompt to emoji, guidance sweep, denoising trajectory, inpainting",
    ),
}

st.set_page_config(page_title="genzoo", page_icon="🦓", layout="wide")
st.title("genzoo")
st.write(
    "Generative models trained from scratch by this project's own scripts, each with its "
    "quality measured on held-out data. Pick a family in the sidebar or below."
)
for family in FAMILIES:
    page, title, blurb = PAGES[family]
    st.subheader(title)
    st.page_link(page, label=f"Open: {blurb}", icon="➡️")
    models = bundled(family)
    if not models:
        st.warning(f"No {family} model is bundled in checkpoints/.")
    for entry in models:
        with st.expander(f"{entry.title} (`{entry.name}`)"):
            st.markdown(metrics_markdown(entry.name))
st.caption(f"{len(BUNDLED)} bundled models. Weights are safetensors in Hugging Face Hub format.")
