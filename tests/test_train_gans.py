"""The three GAN training scripts for real, on tiny emoji folders: the Hub folder each writes
(weights that the family's stock `from_pretrained` loads, a card with measured metrics beside their
references), the run folder (grids, checkpoints, logs), and resuming an interrupted run."""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from huggingface_hub import ModelCard
from PIL import Image
from safetensors.torch import load_file

from genzoo.cards import card_metrics
from genzoo.data import PairedImages, load_pairs
from genzoo.evaluation import FRECHET_KEY, IDENTITY_BASELINE, REAL_FLOOR, l1, psnr
from genzoo.models.cyclegan import CycleGAN
from genzoo.models.dcgan import Generator
from genzoo.models.pix2pix import UNetGenerator
from genzoo.pipelines.translation import translate_batches, varied_examples
from genzoo.training import training_seconds
from tests.helpers import REPO, TOKEN, client_env
from tests.hub_server import HubServer
from training import train_cyclegan, train_dcgan, train_pix2pix

pytestmark = pytest.mark.slow  # each test trains, on npm's emoji

FAMILIES = {
    "dcgan": ("tiny_dcgan", train_dcgan, Generator, "samples"),
    "pix2pix": ("tiny_pix2pix", train_pix2pix, UNetGenerator, "translations"),
    "cyclegan": ("tiny_cyclegan", train_cyclegan, CycleGAN, "translations"),
}
RUN_ONLY = (".pt", ".bin", ".pkl")


@pytest.fixture(params=list(FAMILIES))
def family(request):
    return request.param


@pytest.fixture
def smoke(family, request):
    return request.getfixturevalue(FAMILIES[family][0])


def test_hub_folder_has_inference_files_only(family, smoke):
    files = {path.name for path in smoke.out.iterdir()}
    assert {"config.json", "model.safetensors", "README.md", "training_config.json"} <= files
    if family == "dcgan":
        assert "samples.png" in files
    else:
        assert {"examples.safetensors", "translations.png"} <= files
    assert not any(name.endswith(RUN_ONLY) for name in files)
    assert not (smoke.out / "checkpoints").exists() and not (smoke.out / "samples").exists()


def test_stock_from_pretrained_loads_the_trained_weights(family, smoke):
    """The Hub folder holds the generator(s) as they were at the last step of training; for
    CycleGAN, whose smoke run keeps a moving average, the average as checkpointed then."""
    cls = FAMILIES[family][2]
    model = cls.from_pretrained(smoke.out).eval()
    assert type(model) is cls
    last = smoke.run / "checkpoints" / "step-4"
    if family == "cyclegan":
        average = torch.load(last / "custom_checkpoint_0.pkl", weights_only=True)
        names = [
            f"{g}.{name}"
            for g in ("a_to_b", "b_to_a")
            for name, _ in model.get_submodule(g).named_parameters()
        ]
        saved = dict(zip(names, average["shadow_params"], strict=True))
        last_step = load_file(last / "model.safetensors")  # the raw A -> B generator
        assert any(not torch.equal(saved[f"a_to_b.{k}"], v) for k, v in last_step.items())
    else:
        saved = load_file(last / "model.safetensors")  # the generator, prepared first
    state = model.state_dict()
    assert state.keys() == saved.keys()
    for name, value in saved.items():
        assert torch.equal(state[name], value), name


def test_config_carries_the_settings(tiny_dcgan, tiny_pix2pix, tiny_cyclegan):
    dcgan = Generator.from_pretrained(tiny_dcgan.out)
    assert (dcgan.latent_dim, dcgan.image_size, dcgan.channels) == (16, 16, 3)
    with torch.no_grad():
        images = dcgan.eval()(torch.randn(3, 16))
    assert images.shape == (3, 3, 16, 16) and torch.isfinite(images).all()

    pix2pix = UNetGenerator.from_pretrained(tiny_pix2pix.out)
    assert pix2pix.image_size == 32 and pix2pix._hub_mixin_config["max_channels"] == 32
    assert (pix2pix.source_style, pix2pix.target_style) == (
        "emoji-openmoji-line",
        "emoji-openmoji-color",
    )

    cyclegan = CycleGAN.from_pretrained(tiny_cyclegan.out)
    assert (cyclegan.domain_a, cyclegan.domain_b) == ("emoji-fluent-flat", "emoji-fluent-modern")
    assert cyclegan._hub_mixin_config["blocks"] == 1
    assert cyclegan._hub_mixin_config["base_channels"] == 8


def test_card_front_matter(family, smoke):
    card = ModelCard.load(smoke.out / "README.md")
    assert {family, "gan", "genzoo"} <= set(card.data.tags)
    assert card.data.library_name == "genzoo"
    task = "unconditional-image-generation" if family == "dcgan" else "image-to-image"
    assert card.data.pipeline_tag == task
    assert card.data.license == ("cc-by-sa-4.0" if family == "pix2pix" else "mit")
    assert f"training/train_{family}.py" in card.text and "--max_steps 4" in card.text
    assert "Wall time" in card.text and "Hardware" in card.text and "![" in card.text
    assert card.data.eval_results and all(r.dataset_split == "test" for r in card.data.eval_results)


def test_dcgan_card_measures_against_the_real_floor(tiny_dcgan):
    (metric,) = card_metrics(str(tiny_dcgan.out))
    assert metric["type"] == FRECHET_KEY and "not FID" in metric["name"]
    assert metric["reference_name"] == REAL_FLOOR
    assert math.isfinite(metric["value"]) and metric["reference"] > 0
    # four steps of training are far from real images: worse than the real-vs-real floor
    assert metric["value"] > metric["reference"]
    assert REAL_FLOOR in (tiny_dcgan.out / "README.md").read_text()


def _held_out(smoke, source: str, target: str):
    settings = smoke.args
    pairs = load_pairs(
        settings[settings.index(source) + 1], settings[settings.index(target) + 1], "test", 32
    )
    limit = int(settings[settings.index("--test_limit") + 1])
    return pairs.a[:limit].float() / 255, pairs.b[:limit].float() / 255


def _by_type(metrics: list[dict]) -> dict[str, dict]:
    return {m["type"]: m for m in metrics}


def test_pix2pix_card_metrics_match_the_held_out_pairs(tiny_pix2pix):
    """Recompute the L1 and PSNR of the published model on the held-out pairs, and of the
    identity baseline (the input as the output): the card holds the same numbers."""
    metrics = _by_type(card_metrics(str(tiny_pix2pix.out)))
    assert set(metrics) == {"l1", "psnr", "ssim", FRECHET_KEY}
    assert {m["reference_name"] for m in metrics.values()} == {IDENTITY_BASELINE}
    inputs, targets = _held_out(tiny_pix2pix, "--source", "--target")
    outputs = translate_batches(UNetGenerator.from_pretrained(tiny_pix2pix.out).eval(), inputs)
    assert metrics["l1"]["value"] == pytest.approx(l1(outputs, targets), abs=1e-4)
    assert metrics["l1"]["reference"] == pytest.approx(l1(inputs, targets), abs=1e-4)
    assert metrics["psnr"]["value"] == pytest.approx(psnr(outputs, targets), abs=1e-3)
    assert metrics["psnr"]["reference"] == pytest.approx(psnr(inputs, targets), abs=1e-3)
    assert 0 < metrics["ssim"]["reference"] <= 1
    card = ModelCard.load(tiny_pix2pix.out / "README.md")
    assert "an L1 term (weight 100) and a 1 - SSIM term (weight 5)" in card.text


def test_cyclegan_card_scores_both_directions(tiny_cyclegan):
    metrics = _by_type(card_metrics(str(tiny_cyclegan.out)))
    keys = {"l1", "psnr", "ssim", FRECHET_KEY}
    assert set(metrics) == {f"{d}_{k}" for d in ("a_to_b", "b_to_a") for k in keys}
    assert all(m["reference_name"] == IDENTITY_BASELINE for m in metrics.values())
    assert metrics["a_to_b_l1"]["name"].startswith("emoji-fluent-flat → emoji-fluent-modern")
    assert metrics["b_to_a_l1"]["name"].startswith("emoji-fluent-modern → emoji-fluent-flat")
    a, b = _held_out(tiny_cyclegan, "--domain_a", "--domain_b")
    model = CycleGAN.from_pretrained(tiny_cyclegan.out).eval()
    assert metrics["a_to_b_l1"]["value"] == pytest.approx(
        l1(translate_batches(model.a_to_b, a), b), abs=1e-4
    )
    assert metrics["b_to_a_l1"]["value"] == pytest.approx(
        l1(translate_batches(model.b_to_a, b), a), abs=1e-4
    )
    # the identity baseline is the same distance seen from either side
    assert metrics["a_to_b_l1"]["reference"] == metrics["b_to_a_l1"]["reference"]
    assert metrics["a_to_b_l1"]["reference"] == pytest.approx(l1(a, b), abs=1e-4)
    card = ModelCard.load(tiny_cyclegan.out / "README.md")
    assert "Gaussian noise (std 0.1) before the way back" in card.text
    assert "weight 10; 2.5 for emoji-fluent-modern → emoji-fluent-flat → emoji-fluent-modern" in (
        card.text
    )
    assert "a moving average of the generators' (decay 0.5)" in card.text
    assert "Attribution" not in card.text  # Fluent emoji (MIT) ask for none


def test_cyclegan_card_credits_a_style_whose_licence_asks_for_it_and_says_why_the_pair(
    tiny_cyclegan, tmp_path
):
    from training.train_cyclegan import main

    twemoji = Path(tiny_cyclegan.args[tiny_cyclegan.args.index("--domain_b") + 1]).with_name(
        "emoji-twitter"
    )
    why = "Both styles draw the same emoji in colour, so the pair suits unpaired translation."
    extra = ["--domain_b", str(twemoji), "--learn_change", "--pair_note", why]
    main(tiny_cyclegan.again(tmp_path / "out", tmp_path / "run", *extra))
    card = (tmp_path / "out" / "README.md").read_text()
    assert "Attribution: Twemoji graphics by Twitter, Inc and other contributors" in card
    assert why in card
    assert "Each generator adds a learned change to its input" in card
    assert "learned change" not in (tiny_cyclegan.out / "README.md").read_text()


def test_examples_are_varied_held_out_pairs(tiny_pix2pix):
    examples = load_file(tiny_pix2pix.out / "examples.safetensors")
    inputs, targets = _held_out(tiny_pix2pix, "--source", "--target")
    pairs = PairedImages(
        (inputs * 255).round().to(torch.uint8), (targets * 255).round().to(torch.uint8), []
    )
    chosen = varied_examples(pairs, 6)
    assert examples["a"].dtype == torch.uint8 and len(examples["a"]) == len(chosen) >= 4
    assert torch.equal(examples["a"].float() / 255, inputs[chosen])
    assert torch.equal(examples["b"].float() / 255, targets[chosen])


def _grid_size(tiles_across: int, tiles_down: int, side: int) -> tuple[int, int]:
    return tiles_across * (side + 1) - 1, tiles_down * (side + 1) - 1


def test_run_folder_has_grids_logs_and_checkpoints(family, smoke):
    name = FAMILIES[family][3]
    assert sorted(p.name for p in (smoke.run / "checkpoints").iterdir()) == ["step-2", "step-4"]
    grids = sorted(p.name for p in (smoke.run / "samples").iterdir())
    assert grids == [f"{name}-000002.png", f"{name}-000004.png"]
    assert any((smoke.run / "logs").rglob("events.out.tfevents.*"))
    with Image.open(smoke.run / "samples" / grids[-1]) as grid:
        size = grid.size
    if family == "dcgan":  # the same 64 latent points, 8 x 8
        assert size == _grid_size(8, 8, 16)
    elif family == "pix2pix":  # input | output | truth for 8 held-out pairs
        assert size == _grid_size(3, 8, 32)
    else:  # A | A->B | A->B->A | B | B->A | B->A->B
        assert size == _grid_size(6, 8, 32)


def test_a_run_resumed_mid_epoch_ends_bit_for_bit_where_the_unbroken_run_did(
    family, smoke, tmp_path
):
    """The 4-step run again, resumed from its step-2 checkpoint (the middle of an epoch): the very
    weights the unbroken run saved, so a long run split over sittings is the run its preset's
    one command makes."""
    run = tmp_path / "run"
    shutil.copytree(smoke.run, run)
    shutil.rmtree(run / "checkpoints" / "step-4")
    FAMILIES[family][1].main(smoke.again(tmp_path / "out", run, "--resume"))
    resumed, unbroken = (
        load_file(folder / "model.safetensors") for folder in (tmp_path / "out", smoke.out)
    )
    assert resumed.keys() == unbroken.keys()
    assert all(torch.equal(resumed[name], unbroken[name]) for name in unbroken)


def test_resume_continues_from_the_saved_step(family, smoke, tmp_path, capsys):
    """A copy of the finished 4-step run, resumed to 6 steps: only steps 5 and 6 are trained, and
    the card's wall time counts both sittings."""
    main = FAMILIES[family][1].main
    run = tmp_path / "run"
    shutil.copytree(smoke.run, run)
    shutil.rmtree(run / "samples")
    first_sitting = run / "checkpoints" / "step-4" / "genzoo_step.json"
    assert 0 < json.loads(first_sitting.read_text())["seconds"] < 600
    first_sitting.write_text(json.dumps({"step": 4, "seconds": 5000.0}))
    capsys.readouterr()
    main(smoke.again(tmp_path / "out", run, "--max_steps", "6", "--sample_every", "1", "--resume"))
    out = capsys.readouterr().out
    assert "Resumed from" in out and "at step 4" in out
    grids = sorted(p.name for p in (run / "samples").iterdir())
    assert [int(name[-10:-4]) for name in grids] == [5, 6]  # from scratch would draw 1 to 6
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["step-4", "step-6"]
    seconds = training_seconds(run)  # what step-6 recorded
    assert 5000 < seconds < 5600
    assert f"Wall time: {seconds:.0f} s" in (tmp_path / "out" / "README.md").read_text()
    cls = FAMILIES[family][2]
    resumed, before = cls.from_pretrained(tmp_path / "out"), cls.from_pretrained(smoke.out)
    assert resumed._hub_mixin_config == before._hub_mixin_config
    assert any(
        not torch.equal(value, before.state_dict()[name])
        for name, value in resumed.state_dict().items()
    )  # two more steps changed the weights


def test_a_dcgan_can_ship_its_moving_average(tiny_dcgan, tmp_path):
    """With --ema_decay the shipped generator is the average, with batch-norm statistics measured
    for it; the average is checkpointed, so a run with one resumes."""
    out, run = tmp_path / "out", tmp_path / "run"
    train_dcgan.main(tiny_dcgan.again(out, run, "--ema_decay", "0.9"))
    card = (out / "README.md").read_text()
    assert "moving average of the generator's weights (decay 0.9)" in card
    averaged, live = Generator.from_pretrained(out), Generator.from_pretrained(tiny_dcgan.out)
    assert not torch.equal(averaged.state_dict()["net.0.weight"], live.state_dict()["net.0.weight"])
    norm = next(m for m in averaged.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert norm.num_batches_tracked == 50  # measured again, not left by the last step
    train_dcgan.main(
        tiny_dcgan.again(out, run, "--ema_decay", "0.9", "--max_steps", "6", "--resume")
    )
    assert (run / "checkpoints" / "step-6").is_dir()


def test_pix2pix_run_publishes_its_folder_with_the_examples(tiny_pix2pix, tmp_path):
    """`--push_to_hub` sends the Hub folder, the gallery's examples included, and nothing of the
    run; the token never shows in the output."""
    args = tiny_pix2pix.again(tmp_path / "out", tmp_path / "run", "--max_steps", "1")
    args += ["--push_to_hub", "--hub_model_id", "alice/tiny-pix2pix"]
    with HubServer() as hub:
        result = subprocess.run(
            [sys.executable, "training/train_pix2pix.py", *args],
            cwd=REPO,
            env=client_env(tmp_path, tmp_path / "cache", hub.url) | {"PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        published = hub.repos["alice/tiny-pix2pix"].commits[hub.head("alice/tiny-pix2pix")]
    assert TOKEN not in result.stdout + result.stderr
    assert "published:" in result.stdout
    local = {p.name for p in (tmp_path / "out").iterdir()}
    assert set(published) == local | {".gitattributes"}
    assert {"examples.safetensors", "model.safetensors", "README.md"} <= set(published)
    for name in ("examples.safetensors", "model.safetensors"):
        assert published[name] == (tmp_path / "out" / name).read_bytes()
