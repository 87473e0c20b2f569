"""Build a dataset: `python -m genzoo.data build fashion-mnist [--out data/fashion-mnist]`.

`build emoji-all` builds the seven emoji styles, each into `data/emoji-<style>` (or `--out`/<name>);
`--size` sets the emoji's side in pixels (default 64).
"""

import argparse
import time
from pathlib import Path

from genzoo.data import SOURCES, build
from genzoo.data.emoji_dataset import EMOJI_SOURCES

GROUPS = {"emoji-all": list(EMOJI_SOURCES)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m genzoo.data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    builder = commands.add_parser("build", help="build an offline dataset into an image folder")
    builder.add_argument("name", choices=sorted(SOURCES) + sorted(GROUPS))
    builder.add_argument("--out", help="output folder (default: data/<name>)")
    builder.add_argument("--limit", type=int, help="keep only the first N images per split")
    builder.add_argument("--size", type=int, help="image side in pixels, for the emoji")
    args = parser.parse_args()
    options = {}
    if args.size is not None:
        if not args.name.startswith("emoji-"):
            parser.error("--size is for the emoji, which render to any size")
        options["size"] = args.size
    for name in GROUPS.get(args.name, [args.name]):
        if args.out is None:
            out = Path("data", name)
        else:
            out = Path(args.out, name) if args.name in GROUPS else Path(args.out)
        start = time.perf_counter()
        build(name, out, limit=args.limit, **options)
        print(f"wrote {out} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
