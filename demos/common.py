"""What every Gradio demo shares: turning errors into messages, and launching on loopback."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable

import gradio as gr

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


def launch(demo: gr.Blocks, *, port: int | None = None, **kwargs) -> None:
    """Serve on 127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT override), never shared.

    Two requests run at once, more wait in a bounded queue, and oversized uploads are refused by
    the server before any of our code sees them.
    """
    demo.queue(default_concurrency_limit=2, max_size=64).launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=port or int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        max_file_size=MAX_UPLOAD_BYTES,
        share=False,
        **kwargs,
    )
