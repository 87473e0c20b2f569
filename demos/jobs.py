"""The diffusion actions' jobs: one at a time between them, their progress shown step by step,
and a Cancel button that stops a session's job at its next step."""

from __future__ import annotations

import gradio as gr

from words.text_to_image import cancelled_says

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
