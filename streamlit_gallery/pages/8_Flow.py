"""The flow page of the Streamlit gallery: the same functions as the Gradio tab, other layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.pipelines import flow as actions
from streamlit_gallery.common import Link, control, opened, pick_model, show, showing_errors

SOURCES = ["Held-out example", "Upload"]

st.set_page_config(page_title="genzoo: flow", page_icon="🦓", layout="wide")
st.title("Normalizing flow (Glow)")
st.write(
    "One invertible function turns an image into a latent z of the same size, standard normal "
    "under the model, and back, exactly: so every image has its exact likelihood, and random z "
    "decode to samples. The temperature T scales that noise: about 0.7 looks best, 1 is the "
    "model's own."
)
links = {
    "Sample": Link("flow"),
    "Encode": Link("flow/encode"),
    "Interpolate": Link("flow/interpolate"),
}
opened_tab, opened_link = opened(list(links.items()))
model = pick_model("flow", linked=opened_link.get("model", None))
sample_tab, encode_tab, interpolate_tab = st.tabs(list(links), default=opened_tab)

with sample_tab:
    link = links["Sample"]
    left, right = st.columns([1, 2])
    temperature = control(actions.TEMPERATURE, link, left)
    count = control(actions.COUNT, link, left)
    seed = control(actions.SEED, link, left)
    grid = showing_errors(actions.sample, model, temperature, count, seed)
    if grid is not None:
        show(right, grid, caption=f"{count} samples at T = {temperature:g}, seed {seed}")
        with right:
            link.show(dict(model=model, temperature=temperature, count=count, seed=seed))

with encode_tab:
    link = links["Encode"]
    left, right = st.columns([1, 2])
    source = left.radio("Image", SOURCES, horizontal=True, key="encode_source")
    if source == "Upload":
        upload = left.file_uploader("Upload an image", key="encode_upload")
        image = upload.getvalue() if upload is not None else None
    else:
        example = control(actions.EXAMPLE, link, left, key="encode_example")
        image = showing_errors(actions.example_image, model, example)
    if image is None:
        right.info("Upload an image, or pick a held-out example.")
    else:
        encoding = showing_errors(actions.encode, model, image)
        if encoding is not None:
            columns = right.columns(3)
            show(columns[0], encoding.input, caption="What the model sees")
            show(columns[1], encoding.reconstruction, caption="Decoded back from z")
            show(right, encoding.latent, caption=actions.LATENT_CAPTION)
            right.markdown(encoding.describe())
            if source != "Upload":
                with right:
                    link.show(dict(model=model, example=example))

with interpolate_tab:
    link = links["Interpolate"]
    columns = st.columns(3)
    sides, examples = [], {}
    for column, setting in zip(columns[:2], (actions.FIRST, actions.SECOND), strict=True):
        with column:
            name = setting.label.removesuffix(" example")
            source = st.radio(f"{name} image", SOURCES, horizontal=True, key=f"source_{name}")
            if source == "Upload":
                upload = st.file_uploader(f"The {name.lower()} image", key=f"upload_{name}")
                sides.append(upload.getvalue() if upload is not None else None)
            else:
                examples[setting.name] = control(setting, link, key=f"index_{name}")
                sides.append(
                    showing_errors(
                        actions.example_image, model, examples[setting.name], setting.label
                    )
                )
    steps = control(actions.STEPS, link, columns[2])
    if any(side is None for side in sides):
        st.info("Choose both images to interpolate between them.")
    else:
        strip = showing_errors(actions.interpolate, model, *sides, steps)
        if strip is not None:
            show(
                st,
                strip,
                caption="From the first image to the second in a straight line through z",
            )
            if len(examples) == 2:
                link.show(dict(model=model, **examples, steps=steps))
