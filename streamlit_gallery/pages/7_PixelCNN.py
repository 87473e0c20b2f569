"""The PixelCNN page of the Streamlit gallery: the same functions as the Gradio tab, other
layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.images import for_display, open_image
from genzoo.pipelines import pixelcnn as actions
from streamlit_gallery.common import (
    Link,
    control,
    opened,
    pick_model,
    result_of,
    show,
    showing_errors,
)

# Comments, not docstrings: Streamlit shows a page's bare strings on the page ("magic").
# The running drawing's last row (done, total), for a Cancel (which stops it by rerunning the
# page) to say where it stopped; gone once the drawing ends or the next run starts.
RUNNING_ROW = "pixelcnn-running-row"
SOURCES = ["Held-out example", "Upload"]


def watched(action, where):
    """`action`, showing the picture so far in `where` after each row, reporting its progress
    (`on_step`, which `result_of` gives a progress bar) and keeping its last row in
    `RUNNING_ROW`."""

    def run(*args, on_step, **kwargs):
        def on_row(done: int, total: int, picture) -> None:
            st.session_state[RUNNING_ROW] = (done, total)
            where.image(picture, caption=f"Row {done} of {total}")
            on_step(done, total)  # where a Cancel's rerun stops the drawing

        made = action(*args, on_row=on_row, **kwargs)
        st.session_state.pop(RUNNING_ROW, None)
        return made

    return run


def cancel_button(where, key: str) -> None:
    """A Cancel: any click stops a running drawing at its next row (by rerunning the page)."""
    if where.button("Cancel", key=key, width="stretch"):
        st.toast(
            f"Cancelled at row {stopped[0]} of {stopped[1]}." if stopped else "Nothing was drawing."
        )


def picture_source(model: str, where, key: str, link: Link):
    """The chosen picture: ("example", its number) or ("upload", the opened picture, or None
    when there is none yet or it is refused, with a message)."""
    source = where.radio("Picture", SOURCES, horizontal=True, key=f"{key}_source")
    if source == "Upload":
        upload = where.file_uploader("Upload a picture of one piece of clothing", key=f"{key}_up")
        return "upload", showing_errors(open_image, upload.getvalue()) if upload else None
    last = len(actions.examples(model)) - 1
    example = control(actions.EXAMPLE.but(high=last), link, where, key=f"{key}_example")
    where.image(for_display(actions.example_image(model, example)), width=128)
    return "example", example


st.set_page_config(page_title="genzoo: PixelCNN", page_icon="🦓", layout="wide")
st.title("PixelCNN (autoregressive)")
st.write(
    "Each pixel's grey level is chosen given every pixel before it (the rows above, then the "
    "pixels to its left): the exact likelihood of any picture, and new pictures drawn one "
    "pixel at a time."
)
sample_link = Link("pixelcnn")
complete_link, surprise_link = Link("pixelcnn/complete"), Link("pixelcnn/surprise")
opened_tab, opened_link = opened(
    [("Sample", sample_link), ("Complete", complete_link), ("Surprise map", surprise_link)]
)
model = pick_model("pixelcnn", linked=opened_link.get("model", None))
stopped = st.session_state.pop(RUNNING_ROW, None)  # by this rerun, if a drawing was running
sample_tab, complete_tab, surprise_tab = st.tabs(
    ["Sample", "Complete", "Surprise map"],
    default=opened_tab,
    key="pixelcnn_tab",
    on_change="rerun",  # the tab is kept across reruns (an upload's, say), not reset to the first
)

with sample_tab:
    left, right = st.columns([1, 2])
    count = control(actions.COUNT, sample_link, left)
    seed = control(actions.SEED, sample_link, left)
    buttons = left.columns(2)
    asked = buttons[0].button("Sample", type="primary", width="stretch")
    cancel_button(buttons[1], "sample_cancel")
    grid_column, animation_column = right.columns(2)
    live = grid_column.empty()
    asked = asked or sample_link.opens_now()
    run = watched(actions.sample, live)
    made = result_of("pixelcnn-sample", asked, "Drawing", run, model, count, seed)
    if made is None:
        if not asked:
            live.info("Press *Sample* to watch images drawn pixel by pixel.")
    else:
        show(live, made.grid, caption=f"Drawn pixel by pixel, seed {seed}")
        animation_column.image(made.animation, caption="The raster order, as an animation")
        with right:
            st.markdown(made.describe())
            sample_link.show(dict(model=model, count=count, seed=seed))

with complete_tab:
    left, right = st.columns([1, 2])
    source, chosen = picture_source(model, left, "complete", complete_link)
    hide = control(actions.HIDE, complete_link, left)
    columns = left.columns(2)
    completions = control(actions.COMPLETIONS, complete_link, columns[0])
    complete_seed = control(actions.SEED, complete_link, columns[1], key="complete_seed")
    buttons = left.columns(2)
    asked = buttons[0].button("Complete", type="primary", width="stretch")
    cancel_button(buttons[1], "complete_cancel")
    live = right.empty()
    asked = asked or complete_link.opens_now()
    action = actions.complete_example if source == "example" else actions.complete
    settings = (hide, completions, complete_seed)
    run = watched(action, live)
    made = (
        result_of("pixelcnn-complete", asked, "Drawing", run, model, chosen, *settings)
        if chosen is not None
        else None
    )
    if made is None:
        if not asked:
            live.info("Pick a picture and press *Complete*: its lower part is hidden and redrawn.")
    else:
        show(live, made.figure, caption="Hidden (blue) | completions | original")
        with right:
            st.markdown(made.describe())
            if source == "example":
                complete_link.show(
                    dict(
                        model=model,
                        example=chosen,
                        hide=hide,
                        count=completions,
                        seed=complete_seed,
                    )
                )

with surprise_tab:
    left, right = st.columns([1, 2])
    source, chosen = picture_source(model, left, "surprise", surprise_link)
    action = actions.surprise_example if source == "example" else actions.surprise
    made = (
        result_of("pixelcnn-surprise", None, "Measuring", action, model, chosen)
        if chosen is not None
        else None
    )
    if made is not None:
        columns = right.columns(2)
        show(columns[0], made.input, caption="What the model sees")
        show(columns[1], made.heat_map, caption="Surprise: -log2 p of each pixel, in bits")
        with right:
            st.markdown(made.describe())
            if source == "example":
                surprise_link.show(dict(model=model, example=chosen))
