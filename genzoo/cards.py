"""Model cards: front matter the Hub indexes (licence, tags, datasets, model-index) and a body
that says what the model was trained on, by which exact command, how long it took, on what
hardware, how good it measured, and what its samples look like.

model-index holds the model's own results only. A metric's reference number (the real-vs-real
floor, the identity, a ceiling) is not a result of the model: it goes under `genzoo_references`
in the front matter, and `card_metrics` puts it back beside its metric.

What each family's training writes into its card is `genzoo.model_cards`'; the benchmarks add
their measurements with `report_measurement`, and the gallery reads cards back with the functions
at the end of this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from genzoo.evaluation import Metric
from genzoo.hub import load_card, load_training_curve, timelapse_path
from genzoo.registry import dataset_repo_id, family_class
from genzoo.system import describe_hardware

REFERENCES = "genzoo_references"  # front matter: [{metric, name, value}], beside model-index
RUNS = "genzoo_runs"  # front matter: [{command, seconds}], the runs that made the weights


@dataclass
class CardFacts:
    title: str
    family: str
    summary: str
    dataset_name: str  # as the card names it, e.g. "fashion-mnist"
    dataset_source: str  # a folder or a Hub id, as passed to the training script
    dataset_license: str
    datasets: list[str]  # the data folders or Hub ids trained on, as the command named them
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
    earlier_runs: list[dict] = field(default_factory=list)  # what this run went on from

    @property
    def dataset_ids(self) -> list[str]:
        """The datasets as the Hub names them: a built folder by its published copy's id."""
        return [dataset_repo_id(source) for source in self.datasets]

    @property
    def runs(self) -> list[dict]:
        """Every run that made these weights, in order: the earlier ones, then this one."""
        return [*self.earlier_runs, {"command": self.command, "seconds": round(self.wall_time_s)}]


def write_model_card(folder: str | Path, facts: CardFacts) -> ModelCard:
    """Write README.md into a Hub folder (replacing the mixin's stub) and return the card."""
    library, library_tags = _library(facts.family)
    data = ModelCardData(
        license=facts.license,
        library_name=library,
        tags=sorted({facts.family, "genzoo", *library_tags, *facts.tags}),
        datasets=facts.dataset_ids,
        pipeline_tag=facts.task,
        model_name=facts.title,
        eval_results=[
            _result(m, facts.task, facts.dataset_ids[0], facts.dataset_name) for m in facts.metrics
        ],
        **({REFERENCES: _references(facts.metrics)} if _references(facts.metrics) else {}),
        genzoo_runs=facts.runs,
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


def _result(metric: Metric, task: str, dataset_id: str, dataset_name: str) -> EvalResult:
    """A model-index result, on the test split of the dataset `dataset_id` (the first, where the
    name in prose says there are more)."""
    return EvalResult(
        task_type=task,
        dataset_type=dataset_id,
        dataset_name=dataset_name,
        dataset_split="test",
        metric_type=metric.key,
        metric_name=metric.name,
        metric_value=round(metric.value, _decimals(metric)),
    )


def _decimals(metric: Metric) -> int:
    """4, or as many more (up to 6) as tell the value from its reference."""
    differ = (d for d in (4, 5) if round(metric.value, d) != round(metric.reference or 0, d))
    return 4 if metric.reference is None else next(differ, 6)


def _references(metrics: Sequence[Metric]) -> list[dict]:
    return [
        {"metric": m.key, "name": m.reference_name, "value": round(m.reference, _decimals(m))}
        for m in metrics
        if m.reference is not None
    ]


def card_metrics(ref: str) -> list[dict]:
    """The metrics in a card's `model-index`: dicts with name, type and value, and the reference
    number kept beside the metric (reference, reference_name; None and "" if there is none)."""
    card = load_card(ref)
    if card is None or not card.data.eval_results:
        return []
    references = {r["metric"]: r for r in card.data.get(REFERENCES) or []}
    return [
        {
            "name": result.metric_name,
            "type": result.metric_type,
            "value": result.metric_value,
            "reference": references.get(result.metric_type, {}).get("value"),
            "reference_name": references.get(result.metric_type, {}).get("name", ""),
        }
        for result in card.data.eval_results
    ]


def card_runs(ref: str) -> list[dict]:
    """The runs a card says made its weights (`{command, seconds}`, in order); none if unsaid, or
    if `ref` is empty (no model)."""
    card = load_card(ref) if ref else None
    return list(card.data.get(RUNS) or []) if card is not None else []


def _reference_cell(value: float | None, name: str, digits: str) -> str:
    return "" if value is None else f"{name}: {value:{digits}}"


def _metric_table(metrics: Sequence[Metric]) -> str:
    """The card's metrics as a Markdown table, with a reference column only if one has a
    reference."""
    with_references = any(m.reference is not None for m in metrics)
    header = (
        "| metric | value | reference | better |"
        if with_references
        else "| metric | value | better |"
    )
    rows = [header, "|---" * header.count(" | ") + "|---|"]
    for m in metrics:
        reference = (
            f" {_reference_cell(m.reference, m.reference_name, f'.{_decimals(m)}f')} |"
            if with_references
            else ""
        )
        better = "lower" if m.lower_is_better else "higher"
        rows.append(f"| {m.name} | {m.value:.{_decimals(m)}f} |{reference} {better} |")
    return "\n".join(rows)


def _body(facts: CardFacts) -> str:
    metric_table = _metric_table(facts.metrics)
    images = "\n\n".join(
        f"**{caption}**\n\n![{caption}]({file})" for caption, file in facts.images.items()
    )
    settings = "\n".join(f"| `{k}` | `{v}` |" for k, v in facts.training_settings.items())
    notes = "\n".join(f"- {note}" for note in facts.notes)
    sections = "".join(f"## {heading}\n\n{text}\n\n" for heading, text in facts.sections.items())
    seconds = sum(run["seconds"] for run in facts.runs)
    commands = (
        f"- Command: `{facts.command}`"
        if not facts.earlier_runs
        else "- Commands, in order (each builds on the one before):\n"
        + "\n".join(
            f"  {i}. `{run['command']}` ({run['seconds'] / 60:.1f} min)"
            for i, run in enumerate(facts.runs, 1)
        )
    )
    return f"""
# {facts.title}

{facts.summary}

## Data

`{facts.dataset_source}` ({facts.dataset_name}, licence: {facts.dataset_license.upper()}); metrics
on its held-out test split.

## Metrics (test split)

{metric_table}

{sections}## Samples

{images}

## Training

{commands}
- Wall time: {seconds:.0f} s ({seconds / 60:.1f} min)
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


def add_to_card(
    folder: str | Path, metrics: Sequence[Metric], sections: dict[str, str], task: str
) -> ModelCard:
    """Add measurements made after training to a Hub folder's card: `metrics` to its
    model-index (replacing those of the same key) and `sections` before its samples (replacing
    those of the same heading)."""
    path = Path(folder) / "README.md"
    card = ModelCard.load(path)
    data = card.data
    keys = {m.key for m in metrics}
    first = data.eval_results[0] if data.eval_results else None
    dataset = (first.dataset_type, first.dataset_name) if first else (data.datasets[0], "")
    data.eval_results = [r for r in data.eval_results or [] if r.metric_type not in keys] + [
        _result(m, task, *dataset) for m in metrics
    ]
    references = [r for r in data.get(REFERENCES) or [] if r["metric"] not in keys]
    if references + _references(metrics):
        data[REFERENCES] = references + _references(metrics)
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


def report_measurement(
    table: str,
    command: str,
    *,
    note: str = "",
    write: bool = False,
    folder: str | Path = "",
    section: str = "",
    task: str = "",
    metrics: Sequence[Metric] = (),
) -> str:
    """How a benchmark ends: its table, a `note` on what was measured, and the command and
    hardware that measured it, printed; with `write` (its `--write-card`), also put into the
    card of `folder` as `section`, with `metrics` (see `add_to_card`)."""
    text = (
        f"{table}\n\n{note}{' ' if note else ''}Measured by `{command}` on {describe_hardware()}."
    )
    print(text)
    if write:
        add_to_card(folder, metrics, {section: text}, task)
    return text


# The headings of the card sections that training and the `--write-card` benchmarks write, and
# the gallery reads.
GUIDANCE_KINDS_SECTION = "CLIP guidance against classifier-free guidance"
"""The text-to-image card's section that `benchmarks/clip_guidance.py` writes."""
HELD_OUT_SECTION = "Guidance and steps"
"""The text-to-image card's table of alignment and distance over guidance and steps, on held-out
captions (training writes it)."""
SEEN_SECTION = "Guidance on emoji seen in training"
"""The text-to-image card's table of alignment on captions of emoji seen in training, that
training and `benchmarks/seen_alignment.py` write."""
NEIGHBOURS_SECTION = "Neighbour guidance"
"""The text-to-image card's comparison of neighbour guidance on and off, on held-out captions
(training writes it)."""
PREVIEW_SECTION = "Live preview against Generate"
"""The text-to-image card's section that `benchmarks/preview.py` writes."""
SDEDIT_SECTION = "Image to image (SDEdit) against pix2pix"
"""The text-to-image card's section that `benchmarks/sdedit.py` writes."""
INPAINTING_SECTION = "Inpainting: latent blending against a mask channel"
"""The text-to-image card's section that `benchmarks/inpainting.py` writes."""
NOISE_AWARENESS_SECTION = "Noisy and partially denoised images"
"""The CLIP card's section that its training and `benchmarks/noise_awareness.py` write."""
NOT_MEASURED = "_Not measured for this model yet._"


def measured_section(ref: str, heading: str) -> str:
    """A measurement's section of the model's card (one of the headings above), or a line saying
    the model has none."""
    return card_section(ref, heading) or NOT_MEASURED


def card_table(ref: str, heading: str) -> list[dict[str, str]]:
    """The rows of the first markdown table under `## heading` in a model's card, each a dict
    keyed by the header's cells; [] if there is none."""
    lines = [line for line in card_section(ref, heading).splitlines() if line.startswith("|")]
    if len(lines) < 3:
        return []
    cells = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    return [dict(zip(cells[0], row, strict=False)) for row in cells[2:]]


def guidance_curve(ref: str) -> list[dict[str, float]]:
    """The card's held-out alignment (top-5) and Fréchet distance at each guidance scale and
    step count, as numbers for a chart; [] for a card without that table."""
    points = []
    for row in card_table(ref, HELD_OUT_SECTION):
        try:
            guidance, steps = float(row["guidance"]), int(row["steps"])
        except (KeyError, ValueError):
            continue  # the real images' row
        top5 = next(float(v) for k, v in row.items() if k.startswith("top-5"))
        distance = next(float(v) for k, v in row.items() if k.startswith("Fréchet"))
        points.append({"guidance": guidance, "steps": steps, "top-5": top5, "distance": distance})
    return points


def training_curve(ref: str) -> list[dict]:
    """The losses the model's training logged, one point per loss and log (step, loss, value),
    for a chart; [] for a model trained before genzoo recorded curves."""
    return [
        {"step": row["step"], "loss": name.removeprefix("loss/"), "value": value}
        for row in load_training_curve(ref)
        for name, value in row.items()
        if name.startswith("loss/")
    ]


def training_timelapse(ref: str) -> bytes | None:
    """The model's sample grids along its training, as an animated GIF, if it has them."""
    path = timelapse_path(ref)
    return path.read_bytes() if path else None


TIMELAPSE_CAPTION = "How it learned: its samples along the training"
TRAINING_CURVE_AXES = ("training step", "loss (logged means; lower is better)")

NO_TRAINING_CURVE = (
    "_No training curve: this model was trained before genzoo recorded one. Its preset's "
    "command writes one into the model folder._"
)


def card_section(ref: str, heading: str) -> str:
    """The markdown under `## heading` in a model's card, or "" if it has none."""
    card = load_card(ref)
    text = card.text if card else ""
    start = text.find(f"## {heading}\n")
    if start < 0:
        return ""
    end = text.find("\n## ", start + 1)
    return text[start + len(heading) + 4 : end if end >= 0 else None].strip()
