"""The DCGAN page of the Streamlit gallery: the same functions as the Gradio tab, other layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from gallery import Link, opened, pick_model, shown
from genzoo.pipelines import gan as pipeline

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
model = pick_model("dcgan", "make train-gan", linked=opened_link.get("model", None))
samples_tab, interpolate_tab, arithmetic_tab = st.tabs(list(links), default=opened_tab)

with samples_tab:
    link = links["Samples"]
    left, right = st.columns([1, 2])
    count = left.slider(
        "How many", 1, pipeline.MAX_SAMPLES, link.get("count", 16, 1, pipeline.MAX_SAMPLES)
    )
    seed = left.number_input(
        "Seed", 0, pipeline.MAX_SEED, link.get("seed", 0, 0, pipeline.MAX_SEED)
    )
    grid = shown(pipeline.sample, model, count, seed)
    if grid is not None:
        right.image(grid, caption=f"{count} samples of seed {seed}")
        with right:
            link.show(dict(model=model, count=count, seed=seed))

with interpolate_tab:
    link = links["Interpolate"]
    columns = st.columns(3)
    seed_a = columns[0].number_input(
        "From seed", 0, pipeline.MAX_SEED, link.get("seed_a", 0, 0, pipeline.MAX_SEED)
    )
    seed_b = columns[1].number_input(
        "To seed", 0, pipeline.MAX_SEED, link.get("seed_b", 1, 0, pipeline.MAX_SEED)
    )
    steps = columns[2].slider(
        "Steps", 2, pipeline.MAX_STEPS, link.get("steps", 8, 2, pipeline.MAX_STEPS)
    )
    result = shown(pipeline.interpolate, model, seed_a, seed_b, steps)
    if result is not None:
        st.image(result.strip, caption=f"Slerp from seed {seed_a}'s sample to seed {seed_b}'s")
        st.image(result.animation, caption="As an animation")
        link.show(dict(model=model, seed_a=seed_a, seed_b=seed_b, steps=steps))

with arithmetic_tab:
    st.write(
        "Pick three samples of a seed's grid by number (1 is top left, reading order): the "
        "generator draws the code **a − b + c**."
    )
    link = links["Arithmetic"]
    columns = st.columns(4)
    arithmetic_seed = columns[0].number_input(
        "Seed", 0, pipeline.MAX_SEED, link.get("seed", 0, 0, pipeline.MAX_SEED), key="arith_seed"
    )
    picks = [
        column.number_input(
            name,
            1,
            pipeline.MAX_SAMPLES,
            link.get(name, default, 1, pipeline.MAX_SAMPLES),
            key=f"pick_{name}",
        )
        for column, name, default in zip(columns[1:], "abc", (1, 2, 3), strict=True)
    ]
    equation = shown(pipeline.arithmetic, model, arithmetic_seed, *picks)
    if equation is not None:
        st.image(equation, caption="a − b + c = result")
        st.image(
            pipeline.sample(model, 16, arithmetic_seed),
            caption="The seed's first 16 samples, numbered in reading order",
        )
        link.show(dict(model=model, seed=arithmetic_seed) | dict(zip("abc", picks, strict=True)))
