"""The Streamlit gallery: `streamlit run Home.py`. Its home page (`home`, below) and one page per
family and lab in streamlit_gallery/pages/, listed in the sidebar in the registry's order
(`SHOWN`), as the home page lists them. (Not in a top-level `pages/`: Streamlit would run such a
folder's pages on their own, the old way, for the first visitor who opens one by its address.)"""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.registry import SHOWN
from words.catalogue import MEASURED, family_summaries

CARDS_PER_ROW = 3  # on a phone each row stacks its cards


def home() -> None:
    """Every family as a card that invites a try: its picture, what a visitor can do, and a
    link to its page, with its models' cards folded beneath."""
    st.title("genzoo")
    st.write(
        "Generative models trained from scratch by this project's own scripts, each with its "
        "quality measured on held-out data. Pick one and try it."
    )
    families = family_summaries()
    for first in range(0, len(families), CARDS_PER_ROW):
        for column, summary in zip(
            st.columns(CARDS_PER_ROW), families[first : first + CARDS_PER_ROW], strict=False
        ):
            family = summary.family
            card = column.container(border=True)
            if summary.sample:
                card.image(str(summary.sample), width="stretch")
            card.subheader(family.title)
            card.write(f"{family.blurb}.")
            card.page_link(family.streamlit_page, label=f"Try {family.tab}", icon="➡️")
            if not summary.models:
                card.warning(family.missing_message())
            else:
                card.expander(MEASURED).markdown(summary.measured_markdown())
    models = sum(len(summary.models) for summary in families)
    st.caption(f"{models} models. Weights are safetensors in Hugging Face Hub format.")


st.set_page_config(page_title="genzoo", page_icon="🦓", layout="wide")
pages = [st.Page(home, title="Home", default=True)] + [
    st.Page(row.streamlit_page, title=row.tab) for row in SHOWN.values()
]
st.navigation(pages).run()
