"""What machine this is, in words, for model cards and benchmark tables."""

from __future__ import annotations

import os
import platform

import torch


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_hardware() -> str:
    """One line: the GPU if torch sees one, else the CPU and its core count, and torch's version."""
    if torch.cuda.is_available():
        device = f"{torch.cuda.device_count()} x {torch.cuda.get_device_name(0)}"
    else:
        threads = torch.get_num_threads()
        device = f"CPU: {cpu_name()}, {os.cpu_count()} cores, {threads} thread{'s' * (threads > 1)}"
    return f"{device}; torch {torch.__version__}; Python {platform.python_version()}"
