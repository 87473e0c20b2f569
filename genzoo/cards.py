"""Model cards: front matter the Hub indexes (licence, tags, datasets, model-index) and a body
that says what the model was trained on, by which exact command, how long it took, on what
hardware, how good it measured, and what its samples look like."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from genzoo.evaluation import Metric


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
    training_settings: dict = field(default_factory=dict)


def write_model_card(folder: str | Path, facts: CardFacts) -> ModelCard:
    """Write README.md into a Hub folder (replacing the mixin's stub) and return the card."""
    data = ModelCardData(
        license=facts.license,
        library_name="genzoo",
        tags=sorted({facts.family, "genzoo", *facts.tags}),
        datasets=[facts.dataset_name],
        pipeline_tag=facts.task,
        model_name=facts.title,
        eval_results=[
            EvalResult(
                task_type=facts.task,
                dataset_type=facts.dataset_name,
                dataset_name=facts.dataset_name,
                dataset_split="test",
                metric_type=metric.key,
                metric_name=metric.name,
                metric_value=round(metric.value, 4),
            )
            for metric in facts.metrics
        ],
    )
    card = ModelCard(f"---\n{data.to_yaml()}\n---\n{_body(facts)}")
    card.save(Path(folder) / "README.md")
    return card


def _body(facts: CardFacts) -> str:
    metric_rows = "\n".join(
        f"| {m.name} | {m.value:.4f} | {'lower' if m.lower_is_better else 'higher'} |"
        for m in facts.metrics
    )
    images = "\n\n".join(
        f"**{caption}**\n\n![{caption}]({file})" for caption, file in facts.images.items()
    )
    settings = "\n".join(f"| `{k}` | `{v}` |" for k, v in facts.training_settings.items())
    notes = "\n".join(f"- {note}" for note in facts.notes)
    minutes = facts.wall_time_s / 60
    return f"""
# {facts.title}

{facts.summary}

## Data

`{facts.dataset_source}` ({facts.dataset_name}, licence: {facts.dataset_license.upper()}); metrics
on its held-out test split.

## Metrics (test split)

| metric | value | better |
|---|---|---|
{metric_rows}

## Samples

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
from genzoo.hub import load_model

model = load_model("path/or/repo-id", family="{facts.family}")
```

Trained from scratch with genzoo. Weights are safetensors.
"""


def metrics_markdown(ref: str) -> str:
    """The metrics in a model's card as a small markdown table, for the gallery."""
    from genzoo.hub import card_metrics

    metrics = card_metrics(ref)
    if not metrics:
        return "_No measured metrics in this model's card._"
    rows = "\n".join(f"| {m['name']} | {m['value']:.4g} |" for m in metrics)
    return f"| metric (held-out test split) | value |\n|---|---|\n{rows}"
