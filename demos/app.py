"""The genzoo gallery: every family's demo as a tab of one Gradio app (the hosted Space).

python -m demos.app        # or: python demos/app.py; serves http://127.0.0.1:7860
"""

from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path

if __package__ in (None, ""):  # started as `python demos/app.py`: make `demos` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import demos  # noqa: F401  (sets the offline environment before gradio is imported)

import gradio as gr

from demos import home
from demos.common import launch
from genzoo.registry import SHOWN, module_of

INTRO = """# genzoo
Generative models, each trained from scratch by this project and measured on images it never
saw. Pick one and try it.
"""


TABS = {"models": ("Models", home)} | {
    name: (row.tab, import_module(module_of(row.demo))) for name, row in SHOWN.items()
}
"""Each tab's id (the share links' `?tab=`), label and module (the family's or the lab's
registry row names its demo)."""


def open_tab(request: gr.Request):
    """The tab a share link names (`?tab=...`), else the first."""
    tab = request.query_params.get("tab")
    return gr.Tabs(selected=tab) if tab in TABS else gr.skip()


def build() -> gr.Blocks:
    with gr.Blocks(title="genzoo") as demo:
        gr.Markdown(INTRO)
        with gr.Tabs(overflow_behavior="wrap") as tabs:  # on a phone, every tab named
            for tab_id, (label, module) in TABS.items():
                with gr.Tab(label, id=tab_id):
                    if module is home:
                        home.render(demo, tabs)
                    else:
                        module.render(demo)
        demo.load(open_tab, None, tabs, api_visibility="private")
    return demo


if __name__ == "__main__":
    launch(build())
