"""Build a dataset: `python -m genzoo.data build fashion-mnist [--out data/fashion-mnist]`."""

import argparse

from genzoo.data import SOURCES, build


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m genzoo.data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    builder = commands.add_parser("build", help="build an offline dataset into an image folder")
    builder.add_argument("name", choices=sorted(SOURCES))
    builder.add_argument("--out", help="output folder (default: data/<name>)")
    builder.add_argument("--limit", type=int, help="keep only the first N images per split")
    args = parser.parse_args()
    out = build(args.name, args.out or f"data/{args.name}", limit=args.limit)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
