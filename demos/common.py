"""What every Gradio demo shares: turning errors into messages, the page's style (the CSS
classes the tabs give their charts, galleries and strips), emptying stale results, and
launching on loopback."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable

import gradio as gr

from demos.editors import BRUSH_IN_HAND, REFUSED, UPLOAD_GUARD
from demos.served import SERVED_LIFETIME_S
from genzoo.hub import ModelNotFoundError
from genzoo.images import MAX_UPLOAD_BYTES, InvalidInputError

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


QUEUE_SIZE = 64  # requests waiting past this are told the app is busy, to try again


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
