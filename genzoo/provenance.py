"""What made a picture, written into the picture: the model (name and revision), the action, its
settings (the seed among them) and genzoo's version, as PNG text chunks, as other
image-generation UIs do. `genzoo` holds the facts as JSON, for genzoo to read back; `parameters`
says them in a line, for people and for the tools that read AUTOMATIC1111's chunk of that name.

A pipeline function marked `@recorded(...)` stamps every picture it returns (a picture, or
pictures in a list, tuple or dataclass, but for a dataclass's `input`: the visitor's own).
Gradio copies the chunks into the PNG files it serves; `png_bytes` writes them for the Streamlit
pages and for saving.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import inspect
import io
import json
from collections.abc import Callable, Mapping

from PIL import Image, PngImagePlugin

from genzoo.hub import revision
from genzoo.images import InvalidInputError, open_image
from genzoo.settings import Setting

FACTS = "genzoo"  # the PNG text chunk genzoo reads back
PARAMETERS = "parameters"  # the one-line summary other tools read
VERSION = importlib.metadata.version("genzoo")


def recorded(declared: Mapping[str, Setting] | None = None) -> Callable:
    """Mark a pipeline function whose pictures carry what made them: its model, and every plain
    argument it was given or defaulted to (`declared` settings the function takes through
    `**settings` are filled in with their defaults)."""

    def mark(function: Callable) -> Callable:
        signature = inspect.signature(function)
        action = f"{function.__module__.rpartition('.')[2]}.{function.__name__}"

        @functools.wraps(function)
        def stamping(*args, **kwargs):
            result = function(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            given = {}
            for name, value in bound.arguments.items():
                kind = signature.parameters[name].kind
                given |= value if kind is inspect.Parameter.VAR_KEYWORD else {name: value}
            defaults = {name: setting.default for name, setting in (declared or {}).items()}
            settings = {k: v for k, v in (defaults | given).items() if _plain(v)}
            model = str(settings.pop("model", ""))
            _stamp(result, facts_of(action, model, settings))
            return result

        return stamping

    return mark


def facts_of(action: str, model: str, settings: Mapping[str, object]) -> dict:
    return {
        "action": action,
        "model": model,
        "revision": revision(model) if model else "",
        "settings": dict(settings),
        "genzoo": VERSION,
    }


def summary(facts: Mapping) -> str:
    """The facts in a line: `genzoo 0.1.0, text_to_image.text_to_image, model … (revision …),
    prompt: …, seed: 0, …`."""
    settings = ", ".join(f"{name}: {value}" for name, value in facts["settings"].items())
    return (
        f"genzoo {facts['genzoo']}, {facts['action']}, model {facts['model']} "
        f"(revision {facts['revision']}), {settings}"
    )


def maker(facts: Mapping) -> str:
    """Who made a picture, for a sentence: `text-to-image-emoji (revision …) with genzoo 0.1.0`."""
    return f"{facts['model']} (revision {facts['revision']}) with genzoo {facts['genzoo']}"


def read(data) -> dict:
    """The facts a genzoo picture carries (bytes, an upload or an opened picture), or
    `InvalidInputError` saying why there are none."""
    image = data if isinstance(data, Image.Image) else open_image(data)
    text = image.info.get(FACTS)
    if not text:
        raise InvalidInputError(
            "This picture says nothing of what made it: genzoo writes that into the PNG files it "
            "serves (a screenshot or a converted copy loses it)."
        )
    try:
        facts = json.loads(text)
    except json.JSONDecodeError:
        raise InvalidInputError("This picture's genzoo record is damaged.") from None
    if not isinstance(facts, dict) or not isinstance(facts.get("settings"), dict):
        raise InvalidInputError("This picture's genzoo record is damaged.")
    return facts


def png_bytes(image: Image.Image) -> bytes:
    """The picture as PNG, with its record (if it has one)."""
    chunks = PngImagePlugin.PngInfo()
    for key in (FACTS, PARAMETERS):
        if key in image.info:
            chunks.add_text(key, image.info[key])
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=chunks)
    return buffer.getvalue()


def _plain(value) -> bool:
    return isinstance(value, str | int | float | bool)


def _stamp(result, facts: dict) -> None:
    if isinstance(result, Image.Image):
        result.info[FACTS] = json.dumps(facts, sort_keys=True)
        result.info[PARAMETERS] = summary(facts)
    elif isinstance(result, list | tuple):
        for item in result:
            _stamp(item, facts)
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        for field in dataclasses.fields(result):
            if field.name != "input":  # the visitor's own picture, as the model saw it
                _stamp(getattr(result, field.name), facts)
