"""Choosing a run's weights on training pairs (genzoo.selection): the standing of a set of figures,
the weights kept across a run's judgements, and CycleGAN's training script shipping the weights it
judged best, with the card saying which and how."""

import json

import pytest
import torch
from huggingface_hub import ModelCard
from safetensors.torch import load_file
from torch import nn

from genzoo.data import load_pairs
from genzoo.evaluation import Metric
from genzoo.models.cyclegan import CycleGAN
from genzoo.selection import (
    JUDGEMENTS_FILE,
    BestWeights,
    TranslationJudge,
    margin,
    standing,
)


def _metric(value: float, reference: float, lower_is_better: bool = True, key="m") -> Metric:
    return Metric(key, key, value, lower_is_better, reference)


def test_margin_is_the_gain_over_the_reference_as_a_fraction_of_it():
    assert margin(_metric(80, 100)) == pytest.approx(0.2)  # a distance, lower is better
    assert margin(_metric(120, 100)) == pytest.approx(-0.2)
    assert margin(_metric(22, 20, lower_is_better=False)) == pytest.approx(0.1)  # PSNR
    assert margin(_metric(18, 20, lower_is_better=False)) == pytest.approx(-0.1)


def test_standing_counts_figures_beaten_then_the_narrowest_margin():
    figures = [_metric(80, 100), _metric(99, 100), _metric(22, 20, lower_is_better=False)]
    assert standing(figures) == (3, pytest.approx(0.01))
    assert standing([*figures, _metric(105, 100)]) == (3, pytest.approx(-0.05))


def test_best_weights_keeps_the_best_standing_and_the_first_of_equals(tmp_path):
    best, model = BestWeights(tmp_path / "selected"), nn.Linear(2, 1)
    best.start(resume=False)
    judged = [(1, [80, 120]), (2, [80, 90]), (3, [70, 95]), (4, [80, 90]), (5, [60, 130])]
    kept = []
    for step, values in judged:
        nn.init.constant_(model.weight, step)
        if best.consider(step, [_metric(v, 100) for v in values], model) == [""]:
            kept.append(step)
    # step 2 beats both figures; step 3 too, by a narrower margin (5% against 10%)
    assert kept == [1, 2]
    assert best.best()["step"] == 2 and best.best()["standings"][""] == [2, 2, 0.1]
    assert [j["step"] for j in best.judgements()] == [1, 2, 3, 4, 5]
    fresh = nn.Linear(2, 1)
    best.load_into(fresh)
    assert torch.equal(fresh.weight, torch.full((1, 2), 2.0))
    # a resumed run judging a step again changes nothing; a fresh run forgets the old one
    assert best.consider(3, [_metric(1, 100), _metric(1, 100)], model) == []
    assert len(best.judgements()) == 5
    BestWeights(tmp_path / "selected").start(resume=True)
    assert len(best.judgements()) == 5
    best.start(resume=False)
    assert best.judgements() == [] and best.best() is None and best.notes() == []


def test_each_part_is_judged_on_its_own_figures_and_kept_from_its_own_best_step(tmp_path):
    model = nn.ModuleDict({"a_to_b": nn.Linear(2, 1), "b_to_a": nn.Linear(2, 1)})
    best = BestWeights(tmp_path, {"a_to_b": "A → B", "b_to_a": "B → A"})
    best.start(resume=False)
    for step, (there, back) in enumerate([(90, 120), (110, 95), (95, 99)], start=1):
        nn.init.constant_(model["a_to_b"].weight, step)
        nn.init.constant_(model["b_to_a"].weight, -step)
        figures = [
            Metric("a_to_b_fd", "", there, True, 100),
            Metric("b_to_a_fd", "", back, True, 100),
        ]
        best.consider(step, figures, model)
    assert best.best("a_to_b")["step"] == 1 and best.best("b_to_a")["step"] == 2
    fresh = nn.ModuleDict({"a_to_b": nn.Linear(2, 1), "b_to_a": nn.Linear(2, 1)})
    best.load_into(fresh)
    assert torch.equal(fresh["a_to_b"].weight, torch.full((1, 2), 1.0))
    assert torch.equal(fresh["b_to_a"].weight, torch.full((1, 2), -2.0))
    (note,) = best.notes()
    assert "A → B, step 1 (at the steps judged, figures beaten of 1: 1: 1, 2: 0, 3: 1)" in note
    assert "B → A, step 2 (at the steps judged, figures beaten of 1: 1: 0, 2: 1, 3: 1)" in note


def test_cyclegan_ships_the_generators_it_judged_best_on_training_pairs(tiny_cyclegan, tmp_path):
    from training.train_cyclegan import main

    out, run = tmp_path / "out", tmp_path / "run"
    main(tiny_cyclegan.again(out, run, "--select_every", "2", "--selection_pairs", "6"))
    judgements = [
        json.loads(line) for line in (run / "selected" / JUDGEMENTS_FILE).read_text().splitlines()
    ]
    assert [j["step"] for j in judgements] == [2, 4]
    assert all(len(j["figures"]) == 8 for j in judgements)
    assert all(j["standings"][d][1] == 4 for j in judgements for d in ("a_to_b", "b_to_a"))

    shipped = CycleGAN.from_pretrained(out).eval()
    last = CycleGAN.from_pretrained(tiny_cyclegan.out)  # the same run, shipping its last step
    pairs = load_pairs(*tiny_cyclegan.args[1:4:2], "train", 32)
    figures = {m.key: m.value for m in TranslationJudge(pairs, 6).metrics(shipped)}
    for direction in ("a_to_b", "b_to_a"):
        chosen = max(judgements, key=lambda j: j["standings"][direction][::2])
        kept = load_file(run / "selected" / f"{direction}.safetensors")
        generator = shipped.get_submodule(direction).state_dict()
        assert all(torch.equal(generator[k], v) for k, v in kept.items())
        # the figures judged are those of the shipped generator (the moving average)
        judged = {k: v[0] for k, v in chosen["figures"].items() if k.startswith(direction)}
        assert {k: figures[k] for k in judged} == pytest.approx(judged, abs=1e-4)
        # judging does not disturb training: the last step's weights are the plain run's
        same_as_last = all(
            torch.equal(last.get_submodule(direction).state_dict()[k], v) for k, v in kept.items()
        )
        assert same_as_last == (chosen["step"] == 4)

    card = ModelCard.load(out / "README.md").text
    assert "The weights shipped were chosen on training data" in card
    assert "emoji-fluent-flat → emoji-fluent-modern, step " in card
    assert "The weights shipped" not in ModelCard.load(tiny_cyclegan.out / "README.md").text
