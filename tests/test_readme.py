"""The README is a users' guide: short, with a table of contents that leads where it says, the
quick start first, its generated parts up to date, no word of the tracker, and every file and
link it names there."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAX_LINES = 300
QUICK_START_WITHIN = 60  # lines after the front matter
ADDING_A_FAMILY = "## Adding a family"  # its paths name an example family's files, to be written


def _text() -> str:
    return README.read_text()


def _body_lines() -> list[str]:
    """The README's lines after the Space front matter."""
    lines = _text().splitlines()
    assert lines[0] == "---"
    return lines[lines.index("---", 1) + 1 :]


def _prose() -> str:
    """The README's text outside fenced code blocks."""
    return re.sub(r"^```.*?^```$", "", _text(), flags=re.MULTILINE | re.DOTALL)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation but hyphens and underscores
    dropped, each space a hyphen."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readme_is_at_most_300_lines() -> None:
    assert len(_text().splitlines()) <= MAX_LINES


def test_the_table_of_contents_links_every_section_in_order() -> None:
    body = _body_lines()
    headings = [line[3:] for line in body if line.startswith("## ")]
    contents = body.index("## Contents")
    end = next(n for n in range(contents + 1, len(body)) if body[n].startswith("## "))
    links = re.findall(r"^- \[([^\]]+)\]\(#([^)]+)\)$", "\n".join(body[contents:end]), re.M)
    sections = [heading for heading in headings if heading != "Contents"]
    assert [title for title, _ in links] == sections
    assert [anchor for _, anchor in links] == [github_anchor(h) for h in sections]


def test_github_anchor_follows_githubs_rules() -> None:
    assert github_anchor("Using the models from Python") == "using-the-models-from-python"
    assert github_anchor("Data and licences") == "data-and-licences"
    assert github_anchor("2026-11-22: offset noise") == "2026-11-22-offset-noise"


def test_the_quick_start_gives_the_two_commands_near_the_top() -> None:
    body = _body_lines()
    start = body.index("## Quick start")
    commands = [line.split("#")[0].strip() for line in body[start:QUICK_START_WITHIN]]
    assert "make gallery" in commands and "make test" in commands


def _load_generator():
    spec = importlib.util.spec_from_file_location("readme_generator", ROOT / "scripts/readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_parts_are_up_to_date() -> None:
    """`python scripts/readme.py --check`: the front matter's models and datasets and the family
    table are what the registry and the cards say."""
    generator = _load_generator()
    assert generator.stale_diff(README) == "", "run `python scripts/readme.py`"
    marked = re.findall(r"generated: ([\w-]+)", _text())
    assert sorted(marked) == sorted(generator.GENERATORS)


def test_a_stale_readme_is_caught(tmp_path: Path) -> None:
    generator = _load_generator()
    stale = tmp_path / "README.md"
    stale.write_text(_text().replace("genzoo/vae-mnist,", "genzoo/vae-mnist-old,", 1))
    assert "vae-mnist-old" in generator.stale_diff(stale)
    assert generator.regenerate(stale.read_text()) == _text()


def test_no_word_of_the_tracker() -> None:
    assert not re.search(r"\bissues? \d+|\bsessions?\b", _text(), re.IGNORECASE)


def _repo_paths(text: str) -> list[str]:
    """Backticked words that name a file or folder of the repository by path."""
    spans = re.findall(r"`([^`\s]+)`", text)
    return [
        span.rstrip("/")
        for span in spans
        if "/" in span
        and re.fullmatch(r"[\w.\-/]+", span)
        and span.split("/")[0] in {path.name for path in ROOT.iterdir()}
    ]


def _without_section(text: str, heading: str) -> str:
    """`text` less the section under `heading` (up to the next heading of its level)."""
    return re.sub(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", "", text, flags=re.M | re.S)


def test_every_backticked_path_exists() -> None:
    """Outside "Adding a family", whose paths are the files a new family writes."""
    named = _repo_paths(_without_section(_prose(), ADDING_A_FAMILY))
    assert named, "the README names no repository path"
    assert not [path for path in named if not (ROOT / path).exists()]


def test_every_relative_link_resolves() -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", _prose())
    relative = [link for link in links if not re.match(r"\w+://", link)]
    assert relative
    assert not [link for link in relative if not (ROOT / link).exists()]


def test_the_docs_links_resolve_and_keep_no_word_of_the_tracker() -> None:
    """The pages the README sends readers to: their relative links lead to files, and they too
    say nothing of the tracker."""
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text()
        assert not re.search(r"\bissues? \d+|\bsessions?\b", text, re.IGNORECASE), page
        for link, anchor in re.findall(r"\]\(([^)#\s]+)(?:#([^)]*))?\)", text):
            if re.match(r"\w+://", link):
                continue
            target = page.parent / link
            assert target.exists(), (page, link)
            if anchor:
                headings = re.findall(r"^#+ (.+)$", target.read_text(), re.M)
                assert anchor in [github_anchor(h) for h in headings], (page, link, anchor)
