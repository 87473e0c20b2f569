"""Environment defaults for the apps: no analytics or telemetry, the Hub offline unless the user
set HF_HUB_OFFLINE=0, and no warnings about what genzoo does on purpose. huggingface_hub reads
the environment once, when it is first imported, so the apps call `offline_defaults()` before
importing gradio or genzoo's hub code."""

import logging
import os

DEFAULTS = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
}

EXPECTED_WARNINGS = {
    # genzoo needs no torchvision: transformers' Pillow image processors serve its CLIP
    "transformers.utils.import_utils": "requires torchvision (not installed)",
    # the text-to-image model's text encoder is the MiniLM sentence encoder (a BertModel), not
    # CLIP's text model: stock diffusers loads and runs it, and says it expected CLIP's
    "diffusers.pipelines.pipeline_utils": "Expected types for text_encoder",
}
"""Warnings the libraries log about choices genzoo made on purpose, by logger: a newcomer would
read them as faults. The README says each once."""


def offline_defaults() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    quiet_expected_warnings()


def _unexpected(text: str):
    return lambda record: text not in record.getMessage()


def quiet_expected_warnings() -> None:
    """Drop the `EXPECTED_WARNINGS`; every other message of those loggers still shows."""
    for logger, text in EXPECTED_WARNINGS.items():
        logging.getLogger(logger).addFilter(_unexpected(text))
