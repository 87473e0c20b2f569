"""The training script for real, on tiny data: save, reload, decode; resume; two processes."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import torch
from huggingface_hub import ModelCard
from safetensors.torch import load_file

from genzoo.cards import training_curve
from genzoo.hub import load_model
from tests.helpers import REPO, free_port
from training.train_vae import main

pytestmark = pytest.mark.slow  # each test trains on npm's digits


def test_smoke_run_writes_a_complete_hub_folder(tiny_vae):
    files = {path.name for path in tiny_vae.iterdir()}
    assert {"config.json", "model.safetensors", "README.md", "examples.safetensors"} <= files
    assert {"samples.png", "manifold.png", "training_config.json"} <= files
    assert {"training_curve.json", "training_timelapse.gif"} <= files  # how it learned
    assert not any(name.endswith((".pt", ".bin", ".pkl")) for name in files)

    card = ModelCard.load(tiny_vae / "README.md")
    assert card.data.license == "mit" and card.data.library_name == "genzoo"
    assert "vae" in card.data.tags and card.data.pipeline_tag == "unconditional-image-generation"
    assert card.data.datasets == ["genzoo/mnist"]  # the built folder, by its published id
    metrics = {r.metric_type: r.metric_value for r in card.data.eval_results}
    assert {"neg_elbo", "iw_nll", "reconstruction", "kl", "mse"} <= set(metrics)
    assert metrics["iw_nll"] <= metrics["neg_elbo"] + 1e-3  # the IW bound is tighter
    assert "training/train_vae.py" in card.text and "Wall time" in card.text
    assert "Hardware" in card.text and "![" in card.text
    assert "(training_timelapse.gif)" in card.text

    model = load_model(str(tiny_vae), family="vae")
    image = model.decode(torch.zeros(1, 2))
    assert image.shape == (1, 1, 28, 28) and torch.isfinite(image).all()


def test_run_folder_has_grids_logs_and_checkpoints(tiny_vae):
    run = tiny_vae.parent.parent / "runs0" / "tiny-vae"
    if not run.exists():  # pytest numbers its temp folders; find the run by name
        run = next(tiny_vae.parent.parent.glob("runs*/tiny-vae"))
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["step-3", "step-6"]
    assert any((run / "samples").glob("samples-000003.png"))
    assert any((run / "samples").glob("reconstructions-000006.png"))
    assert any((run / "logs").rglob("events.out.tfevents.*"))


def run_args(data, out, run, steps):
    return [
        "--dataset", str(data), "--output_dir", str(out), "--run_dir", str(run),
        "--hidden_channels", "8", "16", "--hidden_features", "32", "--batch_size", "16",
        "--max_steps", str(steps), "--checkpoint_every", "2", "--sample_every", "100",
    ]  # fmt: skip


def test_resume_continues_an_interrupted_run(tiny_mnist, tmp_path, capsys):
    main(run_args(tiny_mnist, tmp_path / "a", tmp_path / "run", 4))
    main(run_args(tiny_mnist, tmp_path / "b", tmp_path / "run", 8) + ["--resume"])
    out = capsys.readouterr().out
    assert "Resumed from" in out and "at step 4" in out
    steps = sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir())
    assert steps == ["step-6", "step-8"]
    # The model folder's training curve: the logged loss means of both sittings, each step once
    # (the last step of a sitting is always logged), for the galleries' charts.
    curve = json.loads((tmp_path / "b" / "training_curve.json").read_text())
    assert [row["step"] for row in curve] == [4, 8]
    assert all(row["loss/loss"] > 0 and row["lr"] > 0 for row in curve)
    points = training_curve(str(tmp_path / "b"))  # as the galleries chart it: losses only
    assert {(p["step"], p["loss"]) for p in points} == {
        (step, loss) for step in (4, 8) for loss in ("loss", "reconstruction", "kl")
    }


@pytest.mark.distributed
def test_two_processes_with_torchrun(tiny_mnist, tmp_path):
    """The distributed path: torchrun gives accelerate a gloo group of 2 on the CPU."""
    command = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
        "--master_port", str(free_port()), str(REPO / "training" / "train_vae.py"),
        *run_args(tiny_mnist, tmp_path / "out", tmp_path / "run", 4),
    ]  # fmt: skip
    env = os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["latent_dim"] == 2
    card = (tmp_path / "out" / "README.md").read_text()
    assert "torchrun --nproc_per_node 2" in card
    saved = {path.name for path in (tmp_path / "run" / "checkpoints" / "step-4").iterdir()}
    assert {"random_states_0.pkl", "random_states_1.pkl"} <= saved  # two processes trained


def test_a_run_resumed_mid_epoch_ends_bit_for_bit_where_the_unbroken_run_did(tiny_mnist, tmp_path):
    """Four steps unbroken, and the same four resumed from the step-2 checkpoint of a copy: the
    very same weights."""
    main(run_args(tiny_mnist, tmp_path / "a", tmp_path / "run-a", 4))
    shutil.copytree(tmp_path / "run-a", tmp_path / "run-b")
    shutil.rmtree(tmp_path / "run-b" / "checkpoints" / "step-4")
    main(run_args(tiny_mnist, tmp_path / "b", tmp_path / "run-b", 4) + ["--resume"])
    unbroken, resumed = (load_file(tmp_path / x / "model.safetensors") for x in ("a", "b"))
    assert resumed.keys() == unbroken.keys()
    assert all(torch.equal(resumed[name], unbroken[name]) for name in unbroken)
