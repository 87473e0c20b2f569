"""Environment defaults for the apps: no analytics or telemetry, and the Hub offline unless the
user set HF_HUB_OFFLINE=0. huggingface_hub reads these once, when it is first imported, so the
apps call `offline_defaults()` before importing gradio or genzoo's hub code."""

import os

DEFAULTS = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
}


def offline_defaults() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
