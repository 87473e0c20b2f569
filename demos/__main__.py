"""One family's demo on its own: `python -m demos <family>` (what `make demo-<family>` runs).

The family's registry row names its demo module, whose `build()` makes the standalone app.
"""

from __future__ import annotations

import argparse
from importlib import import_module

from demos.common import launch
from genzoo.registry import FAMILIES, FAMILY_TABLE, module_of


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demos", description=__doc__.splitlines()[0])
    parser.add_argument("family", choices=FAMILIES)
    family = FAMILY_TABLE[parser.parse_args(argv).family]
    launch(import_module(module_of(family.demo)).build())


if __name__ == "__main__":
    main()
