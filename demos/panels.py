"""Pieces that several Gradio tabs lay out: a declared setting's control, the held-out example
picker, and the model picker with its measured quality and training curve beside it."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from demos.common import CHART, FITTED_GALLERY
from demos.served import ServedGallery, served_file
from genzoo.cards import (
    NO_TRAINING_CURVE,
    TIMELAPSE_CAPTION,
    TRAINING_CURVE_AXES,
    training_curve,
    training_timelapse,
)
from genzoo.settings import Setting


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
            setting.default,
            precision=precision,
            minimum=setting.low,
            maximum=setting.high,
            **facts,
        )
    return gr.Slider(
        setting.low,
        setting.high,
        value=setting.default,
        step=setting.step,
        precision=precision,
        **facts,
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


def _curve_points(name: str) -> pd.DataFrame:
    """The model's training losses, a row per (step, loss), for a line chart."""
    return pd.DataFrame(training_curve(name), columns=["step", "loss", "value"])


def _timelapse_file(name: str) -> str | None:
    """The model's training time-lapse, served; None for a model without one."""
    gif = training_timelapse(name)
    return served_file(gif, ".gif") if gif else None


def training_shown(name: str):
    """The chart, the no-curve line and the time-lapse, as they show for model `name`."""
    curve, gif = _curve_points(name), _timelapse_file(name)
    return (
        gr.LinePlot(curve, visible=not curve.empty),
        gr.Markdown(visible=curve.empty),
        gr.Image(gif, visible=gif is not None),
    )


def training_curve_chart(model: gr.Dropdown) -> None:
    """The picked model's training losses over the steps, as a chart that follows the picker
    (or a line saying the model has none), and its training time-lapse, if it has one."""
    first, gif = _curve_points(model.value), _timelapse_file(model.value)
    chart = gr.LinePlot(
        first,
        x="step",
        y="value",
        color="loss",
        label="Training curve",
        x_title=TRAINING_CURVE_AXES[0],
        y_title=TRAINING_CURVE_AXES[1],
        color_title="loss",
        elem_classes=[CHART],
        visible=not first.empty,
    )
    note = gr.Markdown(NO_TRAINING_CURVE, visible=first.empty)
    timelapse = gr.Image(
        gif, type="filepath", label=TIMELAPSE_CAPTION, visible=gif is not None, height=280
    )
    model.change(
        training_shown, model, [chart, note, timelapse], api_visibility="private", queue=False
    )
