"""One family's (or lab's) demo on its own: `python -m demos <name>` (what `make demo-<name>`
runs).

Its registry row names its demo module, whose `build()` makes the standalone app.
"""

from __future__ import annotations

import argparse
from importlib import import_module

from demos.common import launch
from genzoo.registry import SHOWN, module_of


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demos", description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=list(SHOWN), help="a family or a lab")
    row = SHOWN[parser.parse_args(argv).name]
    launch(import_module(module_of(row.demo)).build())


if __name__ == "__main__":
    main()
