"""The PixelCNN tab: draw images pixel by pixel and watch them grow (with a Cancel, and the raster
order as an animation at the end), complete the hidden lower part of a picture, and map how
surprising each pixel of a picture is.

Layout and wiring only: every button calls a function of `genzoo.pipelines.pixelcnn`. Drawing
runs on a worker thread that reports each row; the event streams the picture so far. Uploads
arrive as file paths (gr.File) and are checked by genzoo itself.
Run alone with `python -m demos.pixelcnn`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import gradio as gr
from PIL import Image

from demos.common import STRIP, clears, launch, user_errors
from demos.panels import control, example_picker, model_and_metrics
from demos.served import ServedImage, served_file
from demos.sharing import shareable
from genzoo.pipelines import pixelcnn as actions
from genzoo.registry import FAMILY_TABLE, bundled
from words.catalogue import metrics_markdown

DRAWING = {"concurrency_id": "pixelcnn", "concurrency_limit": 1}
"""The drawing events: one at a time between them, so two do not fight over the CPU."""

WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pixelcnn")
"""Where the drawing runs, reporting each row to the event that streams it (a job stopped by a
Cancel ends at its next row, while the next visitor's starts)."""

CANCELLED: set[str] = set()
"""Sessions whose running drawing stops at its next row (their Cancel button): it ends with an
error that says at which row. (Gradio's own `cancels` would end the event at once, leaving its
last progress line on screen, or, a moment too late, drop its finished result.)"""


def cancel_drawing(request: gr.Request) -> None:
    """Stop this session's drawing at its next row."""
    CANCELLED.add(request.session_hash)


class Drawing:
    """`action(*args, on_row=...)` on a worker: `rows()` yields the picture so far and the
    progress in words after each row; then `result()` is what it made."""

    def __init__(self, action: Callable, request: gr.Request | None, *args):
        self.session = request.session_hash if request else None
        CANCELLED.discard(self.session)  # a cancel before this job started was for an earlier one
        self.stopped = threading.Event()
        self.reports: queue.SimpleQueue = queue.SimpleQueue()
        self.job = WORKERS.submit(action, *args, on_row=self.on_row)

    def on_row(self, done: int, total: int, picture: Image.Image) -> None:
        if self.stopped.is_set() or self.session in CANCELLED:
            CANCELLED.discard(self.session)
            raise gr.Error(f"Cancelled at row {done} of {total}.", print_exception=False)
        self.reports.put((picture, f"Drawing row {done} of {total}…"))

    def rows(self) -> Iterator[tuple[Image.Image, str]]:
        try:
            while not (self.job.done() and self.reports.empty()):
                try:
                    latest = self.reports.get(timeout=0.1)
                except queue.Empty:
                    continue
                while not self.reports.empty():  # only the newest picture is worth sending
                    latest = self.reports.get()
                yield latest
        finally:  # the event was cancelled or the visitor left: the worker stops at its next row
            self.stopped.set()

    @user_errors
    def result(self):
        return self.job.result()


def sampled(made: actions.Sampling):
    return made.grid, served_file(made.animation, ".gif"), made.describe()


@user_errors
def sample_at_once(model: str, count: int, seed: int):
    """`count` images drawn pixel by pixel, as one result (for a share link)."""
    return sampled(actions.sample(model, count, seed))


def sample(model: str, count: int, seed: int, request: gr.Request = None):
    """`count` images drawn pixel by pixel: the picture so far after each row, then the images,
    the raster order as an animation, and what was drawn."""
    drawing = Drawing(actions.sample, request, model, count, seed)
    for picture, progress in drawing.rows():
        yield picture, None, progress
    yield sampled(drawing.result())


def completed(made: actions.Completion):
    return made.figure, made.describe()


@user_errors
def complete_example_at_once(model: str, example: int, hide: float, count: int, seed: int):
    """A held-out example with its lower part hidden and completed, as one result."""
    return completed(actions.complete_example(model, example, hide, count, seed))


def complete_example(
    model: str, example: int, hide: float, count: int, seed: int, request: gr.Request = None
):
    """A held-out example with its lower part hidden (blue), `count` completions drawn row by
    row, and the original: the figure so far after each row, then the figure and what it
    shows."""
    drawing = Drawing(actions.complete_example, request, model, example, hide, count, seed)
    yield from drawing.rows()  # (the figure so far, the progress)
    yield completed(drawing.result())


def complete(
    model: str, upload: str | None, hide: float, count: int, seed: int, request: gr.Request = None
):
    """An uploaded picture (fitted to 28x28 grey) with its lower part hidden (blue), `count`
    completions drawn row by row, and the original: the figure so far after each row, then
    the figure and what it shows."""
    drawing = Drawing(actions.complete, request, model, upload, hide, count, seed)
    yield from drawing.rows()  # (the figure so far, the progress)
    yield completed(drawing.result())


def surprised(made: actions.Surprise):
    return made.input, made.heat_map, made.describe()


@user_errors
def surprise_example(model: str, example: int):
    """How surprising each pixel of a held-out example is (-log2 p, a heat map), and its bits
    per dimension."""
    return surprised(actions.surprise_example(model, example))


def select_surprise(model: str, evt: gr.SelectData):
    return evt.index, *surprise_example(model, evt.index)


@user_errors
def surprise(model: str, upload: str | None):
    """How surprising each pixel of an upload is (-log2 p, a heat map), and its bits per
    dimension."""
    return surprised(actions.surprise(model, upload))


def pick(evt: gr.SelectData) -> int:
    return evt.index


@user_errors
def describe(model: str):
    gallery = actions.example_gallery(model)
    return metrics_markdown(model), gallery, gallery


class Pictures(NamedTuple):
    """A held-out example to click or an upload, each with its button."""

    gallery: gr.Gallery
    example: gr.Number
    example_button: gr.Button
    upload: gr.File
    upload_button: gr.Button


def picture_inputs(name: str, action: str) -> Pictures:
    """The examples and the upload, as two tabs, their buttons named `action` ("Complete")."""
    with gr.Tab("Held-out examples"):
        gallery, example, example_button = example_picker(
            f"pxc-{name}-examples", f"{action} example"
        )
    with gr.Tab("Upload"):
        upload = gr.File(
            label="Upload a picture of one piece of clothing",
            file_types=["image"],
            type="filepath",
            height=120,
        )
        upload_button = gr.Button(f"{action} upload", variant="primary")
    return Pictures(gallery, example, example_button, upload, upload_button)


INTRO = (
    "A **PixelCNN** reads a picture as a chain of 784 choices: each pixel's grey level given "
    "every pixel before it (the rows above, then the pixels to its left). That gives the exact "
    "likelihood of any picture, and it draws new ones one pixel at a time: slow, but you can "
    "watch."
)


def render(demo: gr.Blocks) -> None:
    """Add the PixelCNN demo to `demo`, inside whichever tab or column is open."""
    names = [entry.name for entry in bundled("pixelcnn")]
    if not names:
        gr.Markdown(FAMILY_TABLE["pixelcnn"].missing_message())
        return
    gr.Markdown(INTRO)
    model, metrics = model_and_metrics(names, "Measured quality (held-out test split)")
    with gr.Tabs() as views:
        with gr.Tab("Sample", id="sample"), gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=240):
                count, seed = control(actions.COUNT), control(actions.SEED)
                with gr.Row():
                    sample_button = gr.Button("Sample", variant="primary", elem_id="pxc-sample")
                    sample_cancel = gr.Button("Cancel", elem_id="pxc-sample-cancel")
            with gr.Column(scale=2):
                with gr.Row():
                    samples = ServedImage(
                        label="Drawn pixel by pixel", type="pil", format="png", elem_id="pxc-grid"
                    )
                    animation = ServedImage(
                        label="The raster order, as an animation",
                        type="filepath",
                        elem_id="pxc-animation",
                    )
                sample_said = gr.Markdown(label="What was drawn", elem_id="pxc-sample-said")
                sample_link = gr.Markdown(elem_id="pxc-sample-share")
        with gr.Tab("Complete", id="complete"), gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=280):
                to_complete = picture_inputs("complete", "Complete")
                hide = control(actions.HIDE)
                with gr.Row():
                    completions = control(actions.COMPLETIONS)
                    complete_seed = control(actions.SEED)
                complete_cancel = gr.Button("Cancel", elem_id="pxc-complete-cancel")
            with gr.Column(scale=2):
                figure = ServedImage(
                    label="Hidden | completions | original",
                    type="pil",
                    format="png",
                    elem_id="pxc-completion",
                    elem_classes=[STRIP],
                )
                complete_said = gr.Markdown(label="What it shows", elem_id="pxc-complete-said")
                complete_link = gr.Markdown(elem_id="pxc-complete-share")
        with gr.Tab("Surprise map", id="surprise"), gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=280):
                to_map = picture_inputs("surprise", "Map")
            with gr.Column(scale=2):
                with gr.Row():
                    seen = ServedImage(label="What the model sees", type="pil", height=240)
                    heat_map = ServedImage(
                        label="Surprise: -log2 p of each pixel, in bits",
                        type="pil",
                        format="png",
                        height=240,
                        elem_id="pxc-heat-map",
                    )
                surprise_said = gr.Markdown(label="Bits per dimension", elem_id="pxc-surprise-said")
                surprise_link = gr.Markdown(elem_id="pxc-surprise-share")

    sample_outputs = [samples, animation, sample_said]
    drawn = sample_button.click(
        sample, [model, count, seed], sample_outputs, api_name="pixelcnn_sample", **DRAWING
    )
    complete_inputs = [hide, completions, complete_seed]
    complete_outputs = [figure, complete_said]
    completed_examples = [
        to_complete.example_button.click(
            complete_example,
            [model, to_complete.example, *complete_inputs],
            complete_outputs,
            api_name="pixelcnn_complete_example",
            **DRAWING,
        ),
        to_complete.gallery.select(pick, None, to_complete.example, api_visibility="private").then(
            complete_example,
            [model, to_complete.example, *complete_inputs],
            complete_outputs,
            api_visibility="private",
            **DRAWING,
        ),
    ]
    completed_upload = to_complete.upload_button.click(
        complete,
        [model, to_complete.upload, *complete_inputs],
        complete_outputs,
        api_name="pixelcnn_complete",
        **DRAWING,
    )
    completed_upload.success(**clears([complete_link]))  # an upload has none; the last is stale
    drawn.failure(**clears([sample_said]))  # its progress line: the error says why it stopped
    for event in (*completed_examples, completed_upload):
        event.failure(**clears([complete_said]))
    for cancel, name in ((sample_cancel, "pixelcnn_cancel"), (complete_cancel, None)):
        cancel.click(
            cancel_drawing,
            None,
            None,
            api_name=name,
            api_visibility="public" if name else "private",
            queue=False,
        )
    surprise_outputs = [seen, heat_map, surprise_said]
    mapped = [
        to_map.example_button.click(
            surprise_example,
            [model, to_map.example],
            surprise_outputs,
            api_name="pixelcnn_surprise_example",
        ),
        to_map.gallery.select(
            select_surprise, model, [to_map.example, *surprise_outputs], api_visibility="private"
        ),
    ]
    to_map.upload_button.click(
        surprise, [model, to_map.upload], surprise_outputs, api_name="pixelcnn_surprise"
    ).success(**clears([surprise_link]))

    described = [metrics, to_complete.gallery, to_map.gallery]
    model.change(describe, model, described, api_visibility="private")
    demo.load(describe, model, described, api_visibility="private")
    model.input(
        **clears(
            [*sample_outputs, sample_link, *complete_outputs, complete_link]
            + [*surprise_outputs, surprise_link]
        )
    )
    shareable(
        demo,
        "pixelcnn",
        dict(model=model, count=count, seed=seed),
        sample_at_once,
        sample_outputs,
        sample_link,
        [drawn],
        view=(views, "sample"),
        events=DRAWING,
    )
    shareable(
        demo,
        "pixelcnn/complete",
        dict(
            model=model,
            example=to_complete.example,
            hide=hide,
            count=completions,
            seed=complete_seed,
        ),
        complete_example_at_once,
        complete_outputs,
        complete_link,
        completed_examples,
        view=(views, "complete"),
        events=DRAWING,
    )
    shareable(
        demo,
        "pixelcnn/surprise",
        dict(model=model, example=to_map.example),
        surprise_example,
        surprise_outputs,
        surprise_link,
        mapped,
        view=(views, "surprise"),
        first=True,
    )


def build() -> gr.Blocks:
    """The PixelCNN demo as an app of its own."""
    with gr.Blocks(title="genzoo: PixelCNN") as demo:
        gr.Markdown("# genzoo: PixelCNN")
        render(demo)
    return demo


if __name__ == "__main__":
    launch(build())
