"""Choosing which of a run's weights to ship, judged on training data: the held-out split, which
the model card reports, plays no part in the choice.

An image-to-image model is judged against the identity baseline (its input returned unchanged) on
pairs of the training split: first by how many of its figures beat the baseline, then by its
narrowest margin. A run judges its weights every so often; `BestWeights` keeps the best so far in
the run's folder, so that a resumed run remembers them, with a log of every judgement for the card.
A model whose parts work alone (a CycleGAN's two generators) can have each part judged on its own
figures and kept from its own best step.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from genzoo.data import PairedImages
from genzoo.evaluation import Metric, evaluate_translation, image_features
from genzoo.pipelines.translation import translate_batches

JUDGEMENTS_FILE = "judgements.jsonl"


@dataclass
class SelectionSettings:
    """The options of a training script that chooses its weights this way."""

    select_every: int = field(
        default=0,
        metadata={
            "help": "every this many steps, judge the model on training pairs and ship the best "
            "weights (0: ship the last)"
        },
    )
    selection_pairs: int = field(default=800, metadata={"help": "training pairs judged on"})


def margin(metric: Metric) -> float:
    """How much better than its reference a metric is, as a fraction of the reference."""
    gain = metric.reference - metric.value
    return (gain if metric.lower_is_better else -gain) / abs(metric.reference)


def standing(metrics: list[Metric]) -> tuple[int, float]:
    """(figures that beat their reference, the narrowest margin): the larger, the better."""
    margins = [margin(m) for m in metrics]
    return sum(m > 0 for m in margins), min(margins)


class TranslationJudge:
    """Scores a translation model on `count` pairs spread over `pairs` (training pairs), in each
    direction named (`a_to_b`, `b_to_a`: the model's generators), against the identity baseline;
    the inputs' and targets' features are computed once."""

    def __init__(self, pairs: PairedImages, count: int, directions=("a_to_b", "b_to_a")):
        spread = torch.linspace(0, len(pairs.keys) - 1, count).long().unique()
        a, b = pairs.a[spread].float() / 255, pairs.b[spread].float() / 255
        ways = {"a_to_b": (a, b), "b_to_a": (b, a)}
        features = {"a": image_features(a), "b": image_features(b)}
        self.directions = {
            name: (*ways[name], features[name[0]], features[name[-1]]) for name in directions
        }

    @torch.no_grad()
    def metrics(self, model: nn.Module) -> list[Metric]:
        """`evaluate_translation`'s figures for each direction, keyed `<direction>_<metric>`."""
        return [
            replace(m, key=f"{name}_{m.key}")
            for name, (inputs, targets, input_features, target_features) in self.directions.items()
            for m in evaluate_translation(
                translate_batches(getattr(model, name).eval(), inputs),
                targets,
                inputs,
                target_features=target_features,
                input_features=input_features,
            )
        ]


class BestWeights:
    """The best-standing weights a run has judged, kept under `folder` (the run's), for each of
    the model's `parts`: submodules named by their figures' key prefix (a CycleGAN's `a_to_b` and
    `b_to_a`, each judged on its own direction's figures), described for the card; the default
    part, "", is the whole model, judged on every figure."""

    def __init__(self, folder: Path, parts: dict[str, str] | None = None):
        self.folder, self.parts = folder, parts or {"": "the model"}

    def start(self, resume: bool) -> None:
        """Before the first judgement: a run that does not resume forgets an earlier run's."""
        if not resume:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    def judgements(self) -> list[dict]:
        """Every judgement so far, in order: step, figures and, for each part, its standing
        (figures beaten, of how many, narrowest margin)."""
        log = self.folder / JUDGEMENTS_FILE
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def best(self, part: str = "") -> dict | None:
        """The judgement whose weights of `part` are kept (the first of equals), or None."""
        return max(self.judgements(), key=lambda j: _rank(j["standings"][part]), default=None)

    def consider(self, step: int, metrics: list[Metric], model: nn.Module) -> list[str]:
        """Log the judgement of `model` at `step`, and keep the weights of each part that stands
        best; the parts kept. A resumed run that judges a step again (it stopped before its
        checkpoint) changes nothing."""
        if any(j["step"] == step for j in self.judgements()):
            return []
        standings = {}
        for part in self.parts:
            own = [m for m in metrics if m.key.startswith(part)]
            beaten, narrowest = standing(own)
            standings[part] = [beaten, len(own), narrowest]
        best = {part: self.best(part) for part in self.parts}
        judgement = {
            "step": step,
            "standings": standings,
            "figures": {m.key: [m.value, m.reference] for m in metrics},
        }
        with open(self.folder / JUDGEMENTS_FILE, "a") as log:
            log.write(json.dumps(judgement) + "\n")
        kept = [
            part
            for part in self.parts
            if best[part] is None or _rank(standings[part]) > _rank(best[part]["standings"][part])
        ]
        for part in kept:
            state = model.get_submodule(part).state_dict()
            save_file(
                {k: v.detach().cpu().contiguous() for k, v in state.items()}, self._file(part)
            )
        return kept

    def load_into(self, model: nn.Module) -> None:
        """Load the kept weights of each part into `model`."""
        for part in self.parts:
            model.get_submodule(part).load_state_dict(load_file(self._file(part)))

    def notes(self) -> list[str]:
        """The model card's word on which weights were shipped and how they were chosen (none
        if the run judged nothing)."""
        judged = self.judgements()
        if not judged:
            return []
        chosen = "; ".join(
            f"{label}, step {self.best(part)['step']:,} "
            f"(at the steps judged, figures beaten of {judged[0]['standings'][part][1]}: "
            + ", ".join(f"{j['step']:,}: {j['standings'][part][0]}" for j in judged)
            + ")"
            for part, label in self.parts.items()
        )
        return [
            "The weights shipped were chosen on training data, every so often during training: "
            "the model translated training images whose true translation is also in training "
            "(training steps never pair them), and the weights that beat the identity on the most "
            "figures, the narrowest margin breaking ties, were kept. The held-out pairs played no "
            f"part in the choice. Chosen: {chosen}."
        ]

    def _file(self, part: str) -> Path:
        return self.folder / f"{part or 'model'}.safetensors"


def _rank(part_standing: list) -> tuple[int, float]:
    beaten, _, narrowest = part_standing
    return beaten, narrowest


def judging(best: BestWeights, judge: TranslationJudge, model: nn.Module, parameters, average=None):
    """`judge_and_keep(step)`: `model` judged, with the moving `average` of its `parameters`
    swapped in if one is kept, and its weights kept by `best` if they stand best."""

    def judge_and_keep(step: int) -> None:
        if average is not None:
            average.store(parameters)
            average.copy_to(parameters)
        best.consider(step, judge.metrics(model), model)
        if average is not None:
            average.restore(parameters)

    return judge_and_keep
