"""Share links in the Gradio demos: the settings that made a result, as a link beside it, and a
page opened from such a link made to show that result again (`genzoo.share` reads and writes
the links)."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from demos.common import user_errors
from genzoo import share


def shareable(
    demo: gr.Blocks,
    action: str,
    controls: dict[str, gr.components.Component],
    make: Callable,
    outputs: list[gr.components.Component],
    link: gr.Markdown,
    after: list,
    *,
    view: tuple[gr.Tabs, str] | None = None,
    first: bool = False,
    events: dict | None = None,
) -> None:
    """Give what `make` makes from `controls` (named as in `genzoo.share.ACTIONS[action]`, in
    `make`'s order) a share link.

    After each event in `after`, `link` shows the link to that result, or nothing when it
    failed (the last result's link would be stale). A page opened from a link
    to `action` gets the link's settings in the controls, the `view` tab (inner tabs, tab id)
    opened, and the result made; with `first`, a page opened without such a link gets the result
    of the controls' defaults, as its first one. `events` are options for the event that makes
    it (`DIFFUSION`, say).
    """
    names = list(controls)

    def write(*values) -> str:
        query = share.share_query(action, dict(zip(names, values, strict=True)))
        return share.LINK_MARKDOWN.format(query)

    for event in after:
        event.success(write, list(controls.values()), link, api_visibility="private")
        event.failure(lambda: "", None, link, api_visibility="private", queue=False)  # stale

    @user_errors
    def open_link(request: gr.Request):
        params = dict(request.query_params)
        opened = share.links_to(action, params)
        if not (opened or first):
            return [gr.skip()] * (len(names) + len(outputs) + 1 + bool(view))
        linked = _linked_settings(action, params, opened, controls.get("model"))
        settings = [linked.get(name, control.value) for name, control in controls.items()]
        made = make(*settings)
        made = made if len(outputs) > 1 else (made,)
        values = [linked.get(name, gr.skip()) for name in names]
        tabs = [gr.Tabs(selected=view[1]) if opened else gr.skip()] if view else []
        return [*values, *made, write(*settings), *tabs]

    opens = [*controls.values(), *outputs, link] + ([view[0]] if view else [])
    demo.load(open_link, None, opens, api_visibility="private", **(events or {}))


def _linked_settings(
    action: str, params: dict, opened: bool, model: gr.Dropdown | None
) -> dict[str, object]:
    """The settings a page's address gives `action`: a link to it gives all of its own, a link
    to another view of the same tab only its model; a model only if it is one of the picker's
    (a link names no paths)."""
    linked = share.read_query(action, params)
    if not opened and params.get("tab") == share.tab_of(action) and "model" in params:
        linked = {"model": params["model"]}  # a link to another view: its model here too
    if model is not None and linked.get("model") not in [value for _, value in model.choices]:
        linked.pop("model", None)  # only bundled models: a link names no paths
    return linked
