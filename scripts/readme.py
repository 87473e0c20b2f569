"""Write the parts of README.md that other files already declare, so that none is typed twice:
the Space front matter's `models:` and `datasets:` (from the registry's bundled models and the
datasets their cards name) and the family table (from the registry's rows and each bundled
model's card: its first model-index metric is its headline).

    python scripts/readme.py          # rewrite the generated parts in place
    python scripts/readme.py --check  # exit 1, with a diff, if README.md is stale

A generated part sits between an opening marker (`<!-- generated: NAME -->`, or `# generated:
NAME` inside the front matter, where YAML comments are the only comments) and the next `end
generated` marker of the same kind.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from genzoo.cards import card_metrics
from genzoo.publish import trained_on
from genzoo.registry import BUNDLED, FAMILY_TABLE, LAB_TABLE, repo_id

README = Path(__file__).resolve().parent.parent / "README.md"
LINE_LENGTH = 100
_PART = re.compile(
    r"^(?P<open>(?:<!-- |# )generated: (?P<name>[\w-]+)(?: -->)?)\n"
    r"(?P<body>.*?)"
    r"^(?P<close>(?:<!-- |# )end generated(?: -->)?)$",
    re.MULTILINE | re.DOTALL,
)


def _flow_list(key: str, items: list[str]) -> str:
    """A YAML flow list, wrapped as the front matter's other long lines are."""
    return textwrap.fill(
        f"{key}: [{', '.join(items)}]",
        width=LINE_LENGTH,
        subsequent_indent="  ",
        break_on_hyphens=False,
    )


def space() -> str:
    """The Space's models (every bundled one, as published) and the datasets their cards name."""
    models = [repo_id(name) for name in BUNDLED]
    datasets = [repo_id(name) for name in trained_on(list(BUNDLED))]
    return f"{_flow_list('models', models)}\n{_flow_list('datasets', datasets)}"


def headline(model: str) -> str:
    """A bundled model's headline figure: the first metric of its card's model-index, with the
    reference the card keeps beside it."""
    metrics = card_metrics(model)
    if not metrics:
        return "not measured"
    metric = metrics[0]
    figure = f"{metric['name']}: **{metric['value']:.4g}**"
    if metric["reference"] is not None:
        figure += f" ({metric['reference_name']}: {metric['reference']:.4g})"
    return figure


def families() -> str:
    """The family table: what a visitor can do with each family, its bundled models with their
    headline figures (each linked to its card), and the commands that show and train it; then
    each lab, which shows the families' models side by side."""
    rows = [
        "| family | what you can do | bundled models: headline figure | commands |",
        "|---|---|---|---|",
    ]
    for family in FAMILY_TABLE.values():
        models = "<br>".join(
            f"[`{name}`](checkpoints/{name}/README.md): {headline(name)}"
            for name, entry in BUNDLED.items()
            if entry.family == family.name
        )
        commands = [f"`make train-{family.name}`"]
        if family.demo:
            commands.insert(0, f"`make demo-{family.name}`")
        rows.append(
            f"| {family.title} | {family.blurb} | {models or 'none'} | {'<br>'.join(commands)} |"
        )
    for lab in LAB_TABLE.values():  # a lab's models are the families' above
        command = f"`make demo-{lab.name}`"
        rows.append(f"| {lab.title} | {lab.blurb} | the families' above | {command} |")
    return "\n".join(rows)


GENERATORS: dict[str, Callable[[], str]] = {"space": space, "families": families}
"""Each generated part of README.md, by the name its marker gives, and what writes it."""


def regenerate(text: str) -> str:
    """`text` with every generated part written afresh; an unknown part's name is an error."""

    def fresh(part: re.Match) -> str:
        name = part["name"]
        if name not in GENERATORS:
            raise KeyError(f"README.md marks a part {name!r} that no generator writes")
        return f"{part['open']}\n{GENERATORS[name]()}\n{part['close']}"

    return _PART.sub(fresh, text)


def stale_diff(path: Path = README) -> str:
    """The unified diff from `path` to its regenerated text; empty when it is up to date."""
    text = path.read_text()
    return "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            regenerate(text).splitlines(keepends=True),
            fromfile=f"{path.name} (as it is)",
            tofile=f"{path.name} (generated)",
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 with a diff if stale")
    args = parser.parse_args(argv)
    diff = stale_diff()
    if args.check:
        if diff:
            print(diff + "\nREADME.md is stale: run `python scripts/readme.py`.")
        return 1 if diff else 0
    README.write_text(regenerate(README.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
