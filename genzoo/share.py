"""Share links: the model, settings and seed that made a result, as URL query parameters, and
back. Opening the link fills the same settings in and makes the same result, in the Gradio
gallery (`?tab=...`) and on the Streamlit pages alike.

An action is a tab (`dcgan`) or a view inside one (`dcgan/interpolate`, linked as
`?tab=dcgan&view=interpolate&...`); a tab's first view has no `view`.

Values are only parsed here; the pipelines check them as they check anything a user types, so a
link with an out-of-range setting gets the same message as typing it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from urllib.parse import urlencode

from genzoo.registry import FAMILY_TABLE, LAB_TABLE, module_of
from genzoo.settings import Setting


def shared_actions() -> dict[str, dict[str, Setting]]:
    """The shareable settings of each action, as the actions module of each family's and each
    lab's registry row declares them (`SHARED_ACTIONS`); their names are the pipeline functions'
    arguments."""
    rows = [*FAMILY_TABLE.values(), *LAB_TABLE.values()]
    modules = dict.fromkeys(row.actions for row in rows if row.actions)
    return {
        action: settings
        for path in modules
        for action, settings in importlib.import_module(module_of(path)).SHARED_ACTIONS.items()
    }


ACTIONS = shared_actions()


LINK_MARKDOWN = "[Link to this result]({}): it opens with these settings and makes the same result."
"""How both galleries show a share link (a word, not an emoji: not every browser has the glyph)."""


def tab_of(action: str) -> str:
    """The tab an action is in: `dcgan` for `dcgan/interpolate`."""
    return action.partition("/")[0]


def share_query(action: str, settings: Mapping[str, object]) -> str:
    """`?tab=<tab>[&view=<view>]&...`: the query string that reproduces `settings` of `action`."""
    tab, _, view = action.partition("/")
    pairs = {"tab": tab} | ({"view": view} if view else {})
    pairs |= {
        name: _text(settings[name]) for name in ACTIONS[action] if settings.get(name) is not None
    }
    return "?" + urlencode(pairs)


def links_to(action: str, params: Mapping[str, str]) -> bool:
    """Whether `params` (a link's query) is a link to `action`."""
    tab, _, view = action.partition("/")
    return params.get("tab") == tab and params.get("view", "") == view


def read_query(action: str, params: Mapping[str, str]) -> dict:
    """The settings of `action` that `params` (a link's query) carries; values that do not
    parse are left out, so the control keeps its default."""
    if not links_to(action, params):
        return {}
    settings = {}
    for name, setting in ACTIONS[action].items():
        if name in params:
            try:
                settings[name] = _parse(params[name], setting.kind)
            except ValueError:
                continue
    return settings


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse(text: str, kind: type):
    if kind is bool:
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError(text)
        return text.lower() in ("true", "1")
    if kind is int:
        return int(float(text)) if float(text).is_integer() else int(text)
    return kind(text)
