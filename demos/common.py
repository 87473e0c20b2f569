"""What every Gradio demo shares: turning errors into messages, image outputs that many users
can fetch at once, share links, the held-out example picker and the metrics panel, and launching
on loopback."""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import gradio as gr
import numpy as np
import pandas as pd
from gradio.processing_utils import encode_pil_to_bytes
from gradio.utils import get_upload_folder
from PIL import Image

from demos.editors import BRUSH_IN_HAND, REFUSED, UPLOAD_GUARD
from genzoo import provenance, share
from genzoo.cards import (
    NO_TRAINING_CURVE,
    TIMELAPSE_CAPTION,
    TRAINING_CURVE_AXES,
    training_curve,
    training_timelapse,
)
from genzoo.hub import ModelNotFoundError
from genzoo.images import (
    MAX_UPLOAD_BYTES,
    InvalidInputError,
)
from genzoo.settings import Setting
from genzoo.text_to_image_words import cancelled_says

log = logging.getLogger("genzoo.demos")


def user_errors(fn: Callable) -> Callable:
    """Show bad input as a clear message; log anything unexpected and say so, never crash."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (InvalidInputError, ModelNotFoundError) as error:
            raise gr.Error(str(error), print_exception=False) from None
        except gr.Error:
            raise
        except Exception:
            log.exception("unexpected error in %s", fn.__name__)
            raise gr.Error("Something went wrong on our side; please try other input.") from None

    return wrapper


CHART = "genzoo-chart"
"""A chart's class: given no height, a chart is as tall as its plot and its legend (a chart of
fixed height cuts its legend off below the plot)."""

WHOLE_GALLERY = "genzoo-whole-gallery"
FITTED_GALLERY = "genzoo-fitted-gallery"
STRIP = "genzoo-strip"
PAGE_CSS = f"""
.{REFUSED} {{ color: var(--error-text-color); font-weight: 600; margin: var(--spacing-md); }}
.{STRIP} label.float {{ position: static; }}
.{STRIP} .icon-button-wrapper.top-panel {{ position: static; justify-content: flex-end; }}
.{WHOLE_GALLERY} .grid-wrap.fixed-height {{ min-height: 0; max-height: none; }}
.{FITTED_GALLERY} .grid-wrap .grid-container {{
  grid-template-columns: repeat(
    auto-fill, minmax(max(100px, calc(100% / var(--grid-cols) - var(--spacing-lg))), 1fr)
  );
}}
"""
"""Gradio gives a gallery of height "auto" a fixed one's bounds (at least 450 px, at most 55% of
the window): a band under one row of pictures, a scroll bar over two. And it keeps a gallery's
columns at least 100 px wide whatever its width, cutting off the last columns of a narrow one: a
fitted gallery has its `columns` where they fit, and fewer where they do not. A strip (a picture
many times wider than tall) is drawn under its label, which would otherwise cover its first
pictures, and under its buttons, which would cover its last ones."""


def control(setting: Setting, **options) -> gr.components.Component:
    """The control for a declared setting, at its default; `options` add to its facts."""
    facts = dict(label=setting.label, info=setting.help or None) | options
    if setting.choices:
        return gr.Dropdown(list(setting.choices), value=setting.default, **facts)
    if setting.kind is bool:
        return gr.Checkbox(setting.default, **facts)
    if setting.kind is str:
        return gr.Textbox(setting.default, **facts)
    precision = 0 if setting.kind is int else None
    if setting.step is None:
        return gr.Number(
            setting.default, precision=precision, minimum=setting.low, maximum=setting.high,
            **facts,
        )  # fmt: skip
    return gr.Slider(
        setting.low, setting.high, value=setting.default, step=setting.step,
        precision=precision, **facts,
    )  # fmt: skip


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
        linked = share.read_query(action, params)
        if not opened and params.get("tab") == share.tab_of(action) and "model" in params:
            linked = {"model": params["model"]}  # a link to another view: its model here too
        model = controls.get("model")
        if model is not None and linked.get("model") not in [value for _, value in model.choices]:
            linked.pop("model", None)  # only bundled models: a link names no paths
        settings = [linked.get(name, control.value) for name, control in controls.items()]
        made = make(*settings)
        made = made if len(outputs) > 1 else (made,)
        values = [linked.get(name, gr.skip()) for name in names]
        tabs = [gr.Tabs(selected=view[1]) if opened else gr.skip()] if view else []
        return [*values, *made, write(*settings), *tabs]

    opens = [*controls.values(), *outputs, link] + ([view[0]] if view else [])
    demo.load(open_link, None, opens, api_visibility="private", **(events or {}))


def clears(outputs: list[gr.components.Component]) -> dict:
    """An event's arguments that empty `outputs`: for when what made them changes (the visitor
    picks another model, say), so that nothing stale stays on screen. Attach it to `input`
    events, which only the visitor fires, not to `change`, which a share link's settings fire
    too, after making their result."""
    return dict(
        fn=lambda: [None] * len(outputs) if len(outputs) > 1 else None,
        inputs=None,
        outputs=outputs,
        api_visibility="private",
        queue=False,
    )


def example_picker(
    elem_id: str, action: str = "Translate example"
) -> tuple[gr.Gallery, gr.Number, gr.Button]:
    """Held-out examples: a gallery to click (as many columns as fit), the example's number and
    a button named `action` (for the API)."""
    gallery = ServedGallery(
        label="Click one: never seen in training",
        columns=6,
        height=300,
        allow_preview=False,
        elem_id=elem_id,
        elem_classes=[FITTED_GALLERY],
    )
    with gr.Row(equal_height=False):
        index = gr.Number(0, precision=0, minimum=0, label="Example number", min_width=120)
        return gallery, index, gr.Button(action, scale=2)


def model_and_metrics(
    names: list[str], title: str = "Measured quality (held-out pairs)"
) -> tuple[gr.Dropdown, gr.Markdown]:
    """The model picker and, in a folded accordion beside it, its card's metrics and training
    curve: there for whoever asks. Each keeps a width it reads well at, so on a phone the two
    stack."""
    with gr.Row(equal_height=False):
        model = gr.Dropdown(names, value=names[0], label="Model", scale=1, min_width=260)
        with gr.Column(scale=2, min_width=320), gr.Accordion(title, open=False):
            metrics = gr.Markdown(label=title)
            training_curve_chart(model)
            return model, metrics


def training_curve_chart(model: gr.Dropdown) -> None:
    """The picked model's training losses over the steps, as a chart that follows the picker
    (or a line saying the model has none), and its training time-lapse, if it has one."""

    def points(name: str) -> pd.DataFrame:
        return pd.DataFrame(training_curve(name), columns=["step", "loss", "value"])

    def animation(name: str) -> str | None:
        gif = training_timelapse(name)
        return served_file(gif, ".gif") if gif else None

    def drawn(name: str):
        curve, gif = points(name), animation(name)
        return (
            gr.LinePlot(curve, visible=not curve.empty),
            gr.Markdown(visible=curve.empty),
            gr.Image(gif, visible=gif is not None),
        )

    first, gif = points(model.value), animation(model.value)
    chart = gr.LinePlot(
        first, x="step", y="value", color="loss", label="Training curve",
        x_title=TRAINING_CURVE_AXES[0], y_title=TRAINING_CURVE_AXES[1], color_title="loss",
        elem_classes=[CHART],
        visible=not first.empty,
    )  # fmt: skip
    note = gr.Markdown(NO_TRAINING_CURVE, visible=first.empty)
    timelapse = gr.Image(
        gif, type="filepath", label=TIMELAPSE_CAPTION,
        visible=gif is not None, height=280,
    )  # fmt: skip
    model.change(drawn, model, [chart, note, timelapse], api_visibility="private", queue=False)


SERVED_LIFETIME_S = 1800  # how long a result's file stays fetchable (Gradio's `delete_cache`)


def served_file(data: bytes, suffix: str) -> str:
    """A result as a file of its own in Gradio's cache, for Gradio to serve as it is.

    Gradio names the files it makes by their bytes and rewrites them in place, so users who get
    identical results (the defaults, say) can fetch a file while another request rewrites it. This
    file has a fresh name no other request produces, and appears only once written in full."""
    folder = Path(get_upload_folder()) / "genzoo"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".", suffix=suffix, delete=False) as part:
        part.write(data)
    final = folder / f"{uuid.uuid4().hex}{suffix}"
    os.replace(part.name, final)
    return str(final)


def _served(image, format: str):
    """A picture (PIL or uint8 array) as a `served_file`; a path as it is. A picture that says
    what made it is served as PNG, which carries that (`genzoo.provenance`)."""
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    if isinstance(image, Image.Image):
        format = "png" if provenance.FACTS in image.info else format
        return served_file(encode_pil_to_bytes(image, format), f".{format}")
    return image


class ServedImage(gr.Image):
    """An image output whose every result is a `served_file`."""

    is_template = True  # drawn by the stock image frontend

    def postprocess(self, value):
        return super().postprocess(_served(value, self.format))


class ServedGallery(gr.Gallery):
    """A gallery whose every picture is a `served_file`; items may be (picture, caption). Given
    `elem_classes=[WHOLE_GALLERY]`, it is as tall as its pictures."""

    is_template = True  # drawn by the stock gallery frontend

    def postprocess(self, value):
        if isinstance(value, list | tuple):
            value = [
                (_served(item[0], self.format), item[1])
                if isinstance(item, tuple | list)
                else _served(item, self.format)
                for item in value
            ]
        return super().postprocess(value)


QUEUE_SIZE = 64  # requests waiting past this are told the app is busy, to try again
DIFFUSION = {"concurrency_id": "diffusion", "concurrency_limit": 1}
"""The diffusion actions' events: one at a time between them, so two do not fight over the CPU."""

CANCELLED: set[str] = set()
"""Sessions whose running diffusion job stops at its next step (their Cancel button)."""


def step_reporter(progress: gr.Progress, request: gr.Request | None):
    """The step callback of a session's new job: it shows progress, and stops the job at the
    next step once the session cancels it (which frees the worker for the next visitor)."""
    session = request.session_hash if request else None
    CANCELLED.discard(session)  # a cancel before this job started was for an earlier one

    def on_step(done: int, total: int) -> None:
        if session in CANCELLED:
            CANCELLED.discard(session)
            raise gr.Error(cancelled_says(done, total), print_exception=False)
        progress((done, total), desc="Denoising", unit="steps")

    return on_step


def cancel_diffusion(request: gr.Request) -> None:
    """Stop this session's diffusion job at its next step."""
    CANCELLED.add(request.session_hash)


def launch(
    demo: gr.Blocks, *, port: int | None = None, queue_size: int = QUEUE_SIZE, **kwargs
) -> None:
    """Serve on 127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT override), never shared.

    Two requests run at once (one of them diffusion), at most `queue_size` more wait and are
    shown their place, the results' files are deleted once SERVED_LIFETIME_S old, and oversized
    uploads are refused by the server before any of our code sees them.
    """
    demo.delete_cache = (SERVED_LIFETIME_S // 6, SERVED_LIFETIME_S)
    demo.queue(default_concurrency_limit=2, max_size=queue_size).launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=port or int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        max_file_size=MAX_UPLOAD_BYTES,
        share=False,
        js=f"() => {{ ({BRUSH_IN_HAND})(); ({UPLOAD_GUARD})(); }}",
        css=PAGE_CSS,
        **kwargs,
    )


# Gradio writes a stub (`common.pyi`) for every component subclass above, as it defines it, and
# never updates it; editors would read that stale stub in place of this file.
Path(__file__).with_suffix(".pyi").unlink(missing_ok=True)
