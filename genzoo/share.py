"""Share links: the model, settings and seed that made a result, as URL query parameters, and
back. Opening the link fills the same settings in and makes the same result, in the Gradio
gallery (`?tab=...`) and on the Streamlit pages alike.

An action is a tab (`dcgan`) or a view inside one (`dcgan/interpolate`, linked as
`?tab=dcgan&view=interpolate&...`); a tab's first view has no `view`.

Values are only parsed here; the pipelines check them as they check anything a user types, so a
link with an out-of-range setting gets the same message as typing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

# The shareable settings of each seeded action: name -> type. The names are the pipelines'
# argument names.
TEXT_TO_IMAGE = {
    "model": str,
    "prompt": str,
    "negative_prompt": str,
    "guidance": float,
    "steps": int,
    "scheduler": str,
    "seed": int,
    "count": int,
    "thresholding": bool,
    "clip_guidance": float,
}
SAMPLES = {"model": str, "count": int, "seed": int}
ACTIONS = {
    "text-to-image": TEXT_TO_IMAGE,
    "dcgan": SAMPLES,
    "dcgan/interpolate": {"model": str, "seed_a": int, "seed_b": int, "steps": int},
    "dcgan/arithmetic": {"model": str, "seed": int, "a": int, "b": int, "c": int},
    "vae": {"model": str, "n": int, "span": float, "center_x": float, "center_y": float},
    "vae/decode": {"model": str, "x": float, "y": float},
    "vae/sample": SAMPLES,
    "pix2pix": {"model": str, "example": int},
    "cyclegan": {"model": str, "direction": str, "example": int},
    "clip": {"model": str, "example": int, "captions": str},
}


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
    for name, kind in ACTIONS[action].items():
        if name in params:
            try:
                settings[name] = _parse(params[name], kind)
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
