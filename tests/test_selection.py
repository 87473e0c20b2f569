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
    WEIGHTS_FILE,
    BestWeights,
    TranslationJudge,
    margin,
    standing,
)


def _metric(value: float, reference: float, lower_is_better: bool = True) -> Metric:
    return Metric("m", "m", value, lower_is_better, reference)


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
    kept_weights = {}
    for step, values in judged:
        nn.init.constant_(model.weight, step)
        if best.consider(step, [_metric(v, 100) for v in values], model):
            kept_weights[step] = step
    # step 2 beats both figures; step 3 too, by a narrower margin (5% against 10%)
    assert sorted(kept_weights) == [1, 2]
    assert best.best()["step"] == 2 and best.best()["beaten"] == 2
    assert [j["step"] for j in best.judgements()] == [1, 2, 3, 4, 5]
    fresh = nn.Linear(2, 1)
    assert best.load_into(fresh)["step"] == 2
    assert torch.equal(fresh.weight, torch.full((1, 2), 2.0))
    # a resumed run judging a step again changes nothing; a fresh run forgets the old one
    assert not best.consider(3, [_metric(1, 100), _metric(1, 100)], model)
    assert len(best.judgements()) == 5
    BestWeights(tmp_path / "selected").start(resume=True)
    assert len(best.judgements()) == 5
    best.start(resume=False)
    assert best.judgements() == [] and best.best() is None and best.notes() == []


def test_cyclegan_ships_the_weights_it_judged_best_on_training_pairs(tiny_cyclegan, tmp_path):
    from training.train_cyclegan import main

    out, run = tmp_path / "out", tmp_path / "run"
    main(tiny_cyclegan.again(out, run, "--select_every", "2", "--selection_pairs", "6"))
    judgements = [
        json.loads(line) for line in (run / "selected" / JUDGEMENTS_FILE).read_text().splitlines()
    ]
    assert [j["step"] for j in judgements] == [2, 4]
    assert all(j["of"] == 8 and len(j["figures"]) == 8 for j in judgements)
    chosen = max(judgements, key=lambda j: (j["beaten"], j["margin"]))

    shipped = CycleGAN.from_pretrained(out).eval()
    kept = load_file(run / "selected" / WEIGHTS_FILE)
    assert all(torch.equal(shipped.state_dict()[k], v) for k, v in kept.items())
    # the figures judged are those of the shipped weights (the moving average), on training pairs
    pairs = load_pairs(*tiny_cyclegan.args[1:4:2], "train", 32)
    figures = {m.key: m.value for m in TranslationJudge(pairs, 6).metrics(shipped)}
    assert figures == pytest.approx({k: v[0] for k, v in chosen["figures"].items()}, abs=1e-4)
    last = CycleGAN.from_pretrained(tiny_cyclegan.out)  # the same run, shipping its last step
    same_as_last = all(torch.equal(last.state_dict()[k], v) for k, v in kept.items())
    assert same_as_last == (chosen["step"] == 4)

    card = ModelCard.load(out / "README.md").text
    assert (
        f"The weights shipped are those of step {chosen['step']}, chosen on training data" in card
    )
    assert f"2 ({judgements[0]['beaten']}), 4 ({judgements[1]['beaten']})" in card
    assert "The weights shipped" not in ModelCard.load(tiny_cyclegan.out / "README.md").text
