"""Median latency of every demo action on the bundled models, printed as a markdown table.

    python -m benchmarks.bench [--runs 21] [--threads N] [--family NAME]

Each action is the same pipeline function a button calls; each family's and each lab's actions
are declared in the module its registry row names (`benchmarks/latency/<name>.py`): a family's
per bundled model, a lab's once (it covers several models). "load" is a cold load: the process
caches are cleared before each run, so it counts reading the safetensors and encoding the shipped
examples.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from collections.abc import Callable
from types import ModuleType

from genzoo.env import offline_defaults

offline_defaults()

import torch

from genzoo import hub
from genzoo.registry import FAMILY_TABLE, LAB_TABLE, bundled, module_of
from genzoo.system import describe_hardware
from words.catalogue import summaries


def median_ms(
    action: Callable[[], object], runs: int, before: Callable[[], None] | None = None
) -> float:
    times = []
    for index in range(runs + 2):  # two warm-up runs
        if before:
            before()
        start = time.perf_counter()
        action()
        if index >= 2:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def clear_caches(modules) -> None:
    """Forget every loaded model and every cache the benchmark modules declare."""
    hub.forget_loaded()
    for module in modules:
        for cache in module.CACHES:
            cache.cache_clear()


def benchmark_modules() -> dict[str, ModuleType]:
    """Each family's and each lab's benchmark module (its registry row's `benchmark`), in table
    order, the labs last."""
    rows = FAMILY_TABLE | LAB_TABLE
    return {
        name: importlib.import_module(module_of(row.benchmark))
        for name, row in rows.items()
        if row.benchmark
    }


def timed_actions(name: str, module: ModuleType) -> list[tuple[str, str, Callable]]:
    """(what it runs on, action, callable) for every action a benchmark module declares: a
    family's for each of its bundled models, a lab's once."""
    if name in LAB_TABLE:
        return [(f"{name} (lab)", action, run) for action, run in module.actions().items()]
    return [
        (entry.name, action, run)
        for entry in bundled(name)
        for action, run in module.actions(entry.name).items()
    ]


def main() -> None:
    modules = benchmark_modules()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument(
        "--family", action="append", choices=list(modules), help="only these families or labs"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"Hardware: {describe_hardware()}")
    print(f"Median of {args.runs} runs after 2 warm-up runs, in milliseconds.\n")
    print("| model | action | median ms |")
    print("|---|---|---:|")
    for family, module in modules.items():
        if args.family and family not in args.family:
            continue
        for model, name, action in timed_actions(family, module):
            cold = name.startswith("load")
            before = (lambda: clear_caches(modules.values())) if cold else None
            milliseconds = median_ms(action, args.runs, before)
            print(f"| {model} | {name} | {milliseconds:.1f} |", flush=True)
    if not args.family:
        milliseconds = median_ms(summaries, args.runs)
        print(f"| (all) | home: every model's card | {milliseconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
