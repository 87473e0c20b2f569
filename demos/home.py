"""The gallery's first tab: every family as a card that invites a try (its picture, what a visitor
can do, and a button to its tab), with how its models were trained and measured folded beneath,
read from the model cards by `words.catalogue`.

Run alone with `python -m demos.home`.
"""

from __future__ import annotations

import gradio as gr

from demos.common import launch
from words.catalogue import MEASURED, family_summaries

CARDS_PER_ROW = 3  # on a phone each row stacks its cards


def tab_opener(tab: str):
    """What a card's button runs: it opens the gallery's tab `tab`."""

    def open_tab() -> gr.Tabs:
        return gr.Tabs(selected=tab)

    return open_tab


def render(demo: gr.Blocks, tabs: gr.Tabs | None = None) -> None:
    """Add the family cards to `demo`, inside whichever tab or column is open; with `tabs` (the
    gallery's, whose tab ids are the family names), each card's button opens its family's tab."""
    families = family_summaries()
    for first in range(0, len(families), CARDS_PER_ROW):
        with gr.Row(equal_height=False):
            for summary in families[first : first + CARDS_PER_ROW]:
                family = summary.family
                with gr.Column(min_width=280, elem_classes="family-card"):
                    gr.Image(
                        str(summary.sample) if summary.sample else None,
                        show_label=False,
                        interactive=False,
                        height=160,
                        buttons=[],
                    )
                    gr.Markdown(f"### {family.tab}\n{family.blurb}.")
                    if tabs is not None:
                        try_it = gr.Button(
                            f"Try {family.tab}", variant="primary", elem_id=f"try-{family.name}"
                        )
                        try_it.click(
                            tab_opener(family.name),
                            None,
                            tabs,
                            api_visibility="private",
                            queue=False,
                        )
                    with gr.Accordion(MEASURED, open=False):
                        gr.Markdown(summary.measured_markdown(), elem_id=f"card-{family.name}")


def build() -> gr.Blocks:
    with gr.Blocks(title="genzoo: models") as demo:
        gr.Markdown("# genzoo: the bundled models")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
