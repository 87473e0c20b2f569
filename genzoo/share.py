"""Share links: the model, settings and seed that made a result, as URL query parameters, and
back. Opening the link fills the same settings in and makes the same result, in the Gradio
gallery (`?tab=...`) and on the Streamlit pages alike.

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
GAN_SAMPLE = {"model": str, "count": int, "seed": int}
ACTIONS = {"text-to-image": TEXT_TO_IMAGE, "dcgan": GAN_SAMPLE}


def share_query(action: str, settings: Mapping[str, object]) -> str:
    """`?tab=<action>&...`: the query string that reproduces `settings` of `action`."""
    fields = ACTIONS[action]
    pairs = {"tab": action} | {
        name: _text(settings[name]) for name in fields if settings.get(name) is not None
    }
    return "?" + urlencode(pairs)


def read_query(action: str, params: Mapping[str, str]) -> dict:
    """The settings of `action` that `params` (a link's query) carries; values that do not
    parse are left out, so the control keeps its default."""
    if params.get("tab") != action:
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
