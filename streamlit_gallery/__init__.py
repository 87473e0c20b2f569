"""The Streamlit gallery's shared parts: `common` (model picker, messages, share links, controls
from declared settings) and `sketchpad` (a drawing widget). Its pages are `Home.py` and `pages/`;
like the Gradio views in `demos/`, they are thin views over the `genzoo` package."""
