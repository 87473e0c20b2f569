"""Model cards: front matter the Hub indexes (licence, tags, datasets, model-index) and a body
that says what the model was trained on, by which exact command, how long it took, on what
hardware, how good it measured, and what its samples look like.

A metric's reference number (e.g. the real-vs-real floor) goes into model-index as a result of
its own, typed `<key>_reference` and named `<metric name> — reference: <reference name>`, so the
Hub indexes it too and `genzoo.hub.card_metrics` can put it back beside its metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from genzoo.evaluation import Metric
from genzoo.registry import family_class

REFERENCE_SUFFIX = "_reference"
REFERENCE_LABEL = " — reference: "


@dataclass
class CardFacts:
    title: str
    family: str
    summary: str
    dataset_name: str  # as the card names it, e.g. "fashion-mnist"
    dataset_source: str  # a folder or a Hub id, as passed to the training script
    dataset_license: str
    command: str
    wall_time_s: float
    hardware: str
    metrics: Sequence[Metric]
    task: str = "unconditional-image-generation"
    license: str = "mit"
    tags: list[str] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)  # caption -> file in the folder
    notes: list[str] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # heading -> markdown, after metrics
    training_settings: dict = field(default_factory=dict)
    usage: str = ""  # a Python snippet that loads the model; genzoo's `load_model` by default


def write_model_card(folder: str | Path, facts: CardFacts) -> ModelCard:
    """Write README.md into a Hub folder (replacing the mixin's stub) and return the card."""
    library, library_tags = _library(facts.family)
    data = ModelCardData(
        license=facts.license,
        library_name=library,
        tags=sorted({facts.family, "genzoo", *library_tags, *facts.tags}),
        datasets=[facts.dataset_name],
        pipeline_tag=facts.task,
        model_name=facts.title,
        eval_results=[
            EvalResult(
                task_type=facts.task,
                dataset_type=facts.dataset_name,
                dataset_name=facts.dataset_name,
                dataset_split="test",
                metric_type=key,
                metric_name=name,
                metric_value=round(value, 4),
            )
            for key, name, value in _indexed_numbers(facts.metrics)
        ],
    )
    card = ModelCard(f"---\n{data.to_yaml()}\n---\n{_body(facts)}")
    card.save(Path(folder) / "README.md")
    return card


def _library(family: str) -> tuple[str, list[str]]:
    """The library that loads `family`'s folders, as the Hub names it (its snippets follow), and
    its tags: a genzoo class's own (`PyTorchModelHubMixin`), else diffusers' or transformers'."""
    loader = family_class(family)
    mixin = getattr(loader, "_hub_mixin_info", None)
    if mixin is not None:
        return mixin.model_card_data["library_name"], mixin.model_card_data["tags"]
    return loader.__module__.partition(".")[0], []


def _indexed_numbers(metrics: Sequence[Metric]) -> list[tuple[str, str, float]]:
    """(type, name, value) of each metric and, after it, of its reference if it has one."""
    numbers = []
    for m in metrics:
        numbers.append((m.key, m.name, m.value))
        if m.reference is not None:
            reference_name = f"{m.name}{REFERENCE_LABEL}{m.reference_name}"
            numbers.append((m.key + REFERENCE_SUFFIX, reference_name, m.reference))
    return numbers


def _reference_cell(value: float | None, name: str, digits: str) -> str:
    return "" if value is None else f"{name}: {value:{digits}}"


def _body(facts: CardFacts) -> str:
    metric_rows = "\n".join(
        f"| {m.name} | {m.value:.4f} | {_reference_cell(m.reference, m.reference_name, '.4f')} "
        f"| {'lower' if m.lower_is_better else 'higher'} |"
        for m in facts.metrics
    )
    images = "\n\n".join(
        f"**{caption}**\n\n![{caption}]({file})" for caption, file in facts.images.items()
    )
    settings = "\n".join(f"| `{k}` | `{v}` |" for k, v in facts.training_settings.items())
    notes = "\n".join(f"- {note}" for note in facts.notes)
    sections = "".join(f"## {heading}\n\n{text}\n\n" for heading, text in facts.sections.items())
    minutes = facts.wall_time_s / 60
    return f"""
# {facts.title}

{facts.summary}

## Data

`{facts.dataset_source}` ({facts.dataset_name}, licence: {facts.dataset_license.upper()}); metrics
on its held-out test split.

## Metrics (test split)

| metric | value | reference | better |
|---|---|---|---|
{metric_rows}

{sections}## Samples

{images}

## Training

- Command: `{facts.command}`
- Wall time: {facts.wall_time_s:.0f} s ({minutes:.1f} min)
- Hardware: {facts.hardware}

| setting | value |
|---|---|
{settings}

{notes}

## Use

```python
{facts.usage or _genzoo_usage(facts.family)}
```

Trained from scratch with genzoo. Weights are safetensors.
"""


def _genzoo_usage(family: str) -> str:
    return (
        "from genzoo.hub import load_model\n\n"
        f'model = load_model("path/or/repo-id", family="{family}")'
    )


def metrics_markdown(ref: str) -> str:
    """The metrics in a model's card as a small markdown table, for the gallery."""
    from genzoo.hub import card_metrics

    metrics = card_metrics(ref)
    if not metrics:
        return "_No measured metrics in this model's card._"
    header = "| metric (held-out test split) | value |\n|---|---|"
    rows = [f"| {m['name']} | {m['value']:.4g} |" for m in metrics]
    if any(m["reference"] is not None for m in metrics):
        header = "| metric (held-out test split) | value | reference |\n|---|---|---|"
        rows = [
            f"{row} {_reference_cell(m['reference'], m['reference_name'], '.4g')} |"
            for row, m in zip(rows, metrics, strict=True)
        ]
    return "\n".join([header, *rows])


def add_to_card(
    folder: str | Path, metrics: Sequence[Metric], sections: dict[str, str], task: str
) -> ModelCard:
    """Add measurements made after training to a Hub folder's card: `metrics` to its
    model-index (replacing those of the same key) and `sections` before its samples (replacing
    those of the same heading)."""
    path = Path(folder) / "README.md"
    card = ModelCard.load(path)
    data = card.data
    keys = {key for key, _, _ in _indexed_numbers(metrics)}
    dataset = data.eval_results[0].dataset_name if data.eval_results else ""
    data.eval_results = [r for r in data.eval_results or [] if r.metric_type not in keys] + [
        EvalResult(
            task_type=task,
            dataset_type=dataset,
            dataset_name=dataset,
            dataset_split="test",
            metric_type=key,
            metric_name=name,
            metric_value=round(value, 4),
        )
        for key, name, value in _indexed_numbers(metrics)
    ]
    body = card.text
    for heading, text in sections.items():
        block = f"## {heading}\n\n{text}\n\n"
        start = body.find(f"## {heading}\n")
        if start >= 0:
            end = body.find("\n## ", start + 1)
            body = body[:start] + block + body[end + 1 :]
        else:
            at = body.find("## Samples")
            body = body[:at] + block + body[at:] if at >= 0 else body + "\n" + block
    card = ModelCard(f"---\n{data.to_yaml()}\n---\n{body}")
    card.save(path)
    return card


def card_section(ref: str, heading: str) -> str:
    """The markdown under `## heading` in a model's card, or "" if it has none."""
    from genzoo.hub import load_card

    card = load_card(ref)
    text = card.text if card else ""
    start = text.find(f"## {heading}\n")
    if start < 0:
        return ""
    end = text.find("\n## ", start + 1)
    return text[start + len(heading) + 4 : end if end >= 0 else None].strip()
