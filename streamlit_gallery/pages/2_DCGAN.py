"""The DCGAN page of the Streamlit gallery: the same functions as the Gradio tab, other layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.pipelines import gan as actions
from streamlit_gallery.common import Link, control, opened, pick_model, show, showing_errors

st.set_page_config(page_title="genzoo: DCGAN", page_icon="🦓", layout="wide")
st.title("DCGAN")
st.write(
    "A generator turns random codes into images; it learned by fooling a discriminator. "
    "A seed picks the codes, so the same seed gives the same images on any machine."
)
links = {
    "Samples": Link("dcgan"),
    "Interpolate": Link("dcgan/interpolate"),
    "Arithmetic": Link("dcgan/arithmetic"),
}
opened_tab, opened_link = opened(list(links.items()))
model = pick_model("dcgan", linked=opened_link.get("model", None))
samples_tab, interpolate_tab, arithmetic_tab = st.tabs(list(links), default=opened_tab)

with samples_tab:
    link = links["Samples"]
    left, right = st.columns([1, 2])
    count = control(actions.COUNT, link, left)
    seed = control(actions.SEED, link, left)
    grid = showing_errors(actions.sample, model, count, seed)
    if grid is not None:
        show(right, grid, caption=f"{count} samples of seed {seed}")
        with right:
            link.show(dict(model=model, count=count, seed=seed))

with interpolate_tab:
    link = links["Interpolate"]
    columns = st.columns(3)
    seed_a = control(actions.SEED_A, link, columns[0])
    seed_b = control(actions.SEED_B, link, columns[1])
    steps = control(actions.STEPS, link, columns[2])
    st.write(
        "A smooth path between two seeds: the generator draws the codes on the way from one "
        "seed's code to the other's (slerp, along the sphere the codes lie near)."
    )
    result = showing_errors(actions.interpolate, model, seed_a, seed_b, steps)
    if result is not None:
        show(
            st,
            result.strip,
            caption=f"A smooth path from seed {seed_a}'s sample to seed {seed_b}'s (slerp)",
        )
        show(st, result.animation, caption="As an animation")
        link.show(dict(model=model, seed_a=seed_a, seed_b=seed_b, steps=steps))

with arithmetic_tab:
    st.write(
        "Pick three samples of a seed's grid by number (1 is top left, reading order): the "
        "generator draws the code **a − b + c**, or try a preset."
    )
    link = links["Arithmetic"]
    if presets := actions.arithmetic_presets(model):
        preset_columns = st.columns(len(presets))
        for column, preset in zip(preset_columns, presets, strict=True):
            if column.button(preset.name, key=f"preset-{preset.name}", width="stretch"):
                link.follow(dict(model=model) | preset.settings())
    columns = st.columns(4)
    arithmetic_seed = control(actions.SEED, link, columns[0], key="arith_seed")
    picks = [
        control(pick, link, column, key=f"pick_{pick.name}")
        for column, pick in zip(columns[1:], actions.PICKS, strict=True)
    ]
    equation = showing_errors(actions.arithmetic, model, arithmetic_seed, *picks)
    if equation is not None:
        show(st, equation, caption="a − b + c = result")
        show(
            st,
            actions.numbered_samples(model, 16, arithmetic_seed),
            caption="The seed's first 16 samples, numbered in reading order",
        )
        link.show(dict(model=model, seed=arithmetic_seed) | dict(zip("abc", picks, strict=True)))
