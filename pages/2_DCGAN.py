"""The DCGAN page of the Streamlit gallery: the same functions as the Gradio tab, other layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st  # noqa: E402

from gallery import Link, pick_model, shown  # noqa: E402
from genzoo.pipelines import gan as pipeline  # noqa: E402

st.set_page_config(page_title="genzoo: DCGAN", page_icon="🦓", layout="wide")
st.title("DCGAN")
st.write(
    "A generator turns random codes into images; it learned by fooling a discriminator. "
    "A seed picks the codes, so the same seed gives the same images on any machine."
)
link = Link("dcgan")
model = pick_model("dcgan", "make train-gan", linked=link.get("model", None))
samples_tab, interpolate_tab, arithmetic_tab = st.tabs(["Samples", "Interpolate", "Arithmetic"])

with samples_tab:
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
    columns = st.columns(3)
    seed_a = columns[0].number_input("From seed", 0, pipeline.MAX_SEED, 0)
    seed_b = columns[1].number_input("To seed", 0, pipeline.MAX_SEED, 1)
    steps = columns[2].slider("Steps", 2, pipeline.MAX_STEPS, 8)
    result = shown(pipeline.interpolate, model, seed_a, seed_b, steps)
    if result is not None:
        st.image(result.strip, caption="Slerp from one seed's sample to the other's")
        st.image(result.animation, caption="As an animation")

with arithmetic_tab:
    st.write(
        "Pick three samples of a seed's grid by number (1 is top left, reading order): the "
        "generator draws the code **a − b + c**."
    )
    columns = st.columns(4)
    arithmetic_seed = columns[0].number_input("Seed", 0, pipeline.MAX_SEED, 0, key="arith_seed")
    picks = [
        column.number_input(name, 1, pipeline.MAX_SAMPLES, default, key=f"pick_{name}")
        for column, name, default in zip(columns[1:], "abc", (1, 2, 3), strict=True)
    ]
    equation = shown(pipeline.arithmetic, model, arithmetic_seed, *picks)
    if equation is not None:
        st.image(equation, caption="a − b + c = result")
        st.image(
            pipeline.sample(model, 16, arithmetic_seed),
            caption="The seed's first 16 samples, numbered in reading order",
        )
