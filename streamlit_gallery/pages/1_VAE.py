"""The VAE page of the Streamlit gallery: the same functions as the Gradio tab, other layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.pipelines import vae as actions
from streamlit_gallery.common import Link, control, opened, pick_model, show, showing_errors
from streamlit_gallery.sketchpad import sketchpad

SOURCES = ["Test set", "Upload", "Drawing"]

st.set_page_config(page_title="genzoo: VAE", page_icon="🦓", layout="wide")
st.title("Variational autoencoders")
manifold_link, decode_link, sample_link = Link("vae"), Link("vae/decode"), Link("vae/sample")
opened_tab, opened_link = opened(
    [("Manifold", manifold_link), ("Latent map", decode_link), ("Latent map", sample_link)]
)
model = pick_model("vae", linked=opened_link.get("model", None))

manifold_tab, map_tab, encode_tab, interpolate_tab = st.tabs(
    ["Manifold", "Latent map", "Encode", "Interpolate"], default=opened_tab
)
with manifold_tab:
    link = manifold_link
    left, right = st.columns([1, 2])
    n, span, center_x, center_y = (
        control(setting, link, left)
        for setting in (actions.GRID_SIZE, actions.SPAN, actions.CENTER_X, actions.CENTER_Y)
    )
    image = showing_errors(actions.manifold, model, n, span, center_x, center_y)
    if image is not None:
        show(right, image, caption="Decodings over the latent plane")
        with right:
            link.show(dict(model=model, n=n, span=span, center_x=center_x, center_y=center_y))

with map_tab:
    left, right = st.columns([2, 1])
    x, y = control(actions.X, decode_link, right), control(actions.Y, decode_link, right)
    decoded = showing_errors(actions.decode, model, x, y)
    if decoded is not None:
        show(right, decoded, caption=f"Decoding of ({x:.2f}, {y:.2f})")
        with right:
            decode_link.show(dict(model=model, x=x, y=y))
    show(left, actions.latent_map(model, marker=(x, y)).image, caption="Test set by class")
    count = control(actions.COUNT, sample_link, right)
    seed = control(actions.SEED, sample_link, right)
    samples = showing_errors(actions.sample, model, count, seed)
    if samples is not None:
        show(right, samples, caption=f"{count} samples, seed {seed}")
        with right:
            sample_link.show(dict(model=model, count=count, seed=seed))

with encode_tab:
    upload_column, draw_column = st.columns(2)
    upload = upload_column.file_uploader("Upload an image", key="encode_upload")
    with draw_column:
        st.caption("…or draw, then click *Use drawing*")
        drawing = sketchpad(key="encode_drawing")
    image = upload.getvalue() if upload is not None else drawing
    if image is not None:
        encoding = showing_errors(actions.encode, model, image)
        if encoding is not None:
            columns = st.columns(3)
            show(columns[0], encoding.input, caption="What the model sees")
            show(columns[1], encoding.reconstruction, caption="Reconstruction")
            show(
                columns[2],
                actions.latent_map(model, marker=encoding.point).image,
                caption=f"Lands at ({encoding.point[0]:.2f}, {encoding.point[1]:.2f})",
            )

with interpolate_tab:
    sides = []
    for column, label, default in zip(st.columns(2), ("First", "Second"), (0, 1), strict=True):
        with column:
            source = st.radio(f"{label} image", SOURCES, horizontal=True, key=f"source_{label}")
            if source == "Upload":
                upload = st.file_uploader(f"The {label.lower()} image", key=f"upload_{label}")
                sides.append(upload.getvalue() if upload is not None else None)
            elif source == "Drawing":
                sides.append(sketchpad(key=f"drawing_{label}"))
            else:
                index = st.number_input("Test-set index", 0, 1999, default, key=f"index_{label}")
                sides.append(showing_errors(actions.example_image, model, index))
    steps = control(actions.STEPS)
    if any(side is None for side in sides):
        st.info("Choose both images to interpolate between them.")
    else:
        strip = showing_errors(actions.interpolate, model, sides[0], sides[1], steps)
        if strip is not None:
            show(st, strip, caption="From the first image to the second")
