"""What every Streamlit page shares: picking a bundled model, and showing bad input as a message."""

from __future__ import annotations

import streamlit as st

from genzoo.cards import metrics_markdown
from genzoo.hub import ModelNotFoundError
from genzoo.images import InvalidInputError
from genzoo.registry import BUNDLED, bundled


def pick_model(family: str, train_command: str, label: str = "Model") -> str:
    """A model picker over the bundled models of `family`, with their measured quality."""
    names = [entry.name for entry in bundled(family)]
    if not names:
        st.error(f"No {family} model is bundled in checkpoints/: train one with `{train_command}`.")
        st.stop()
    model = st.selectbox(label, names, format_func=lambda name: BUNDLED[name].title)
    with st.expander("Measured quality"):
        st.markdown(metrics_markdown(model))
    return model


def shown(action, *args, **kwargs):
    """Run a pipeline function; show bad input as a message instead of a traceback."""
    try:
        return action(*args, **kwargs)
    except (InvalidInputError, ModelNotFoundError) as error:
        st.error(str(error))
        return None
