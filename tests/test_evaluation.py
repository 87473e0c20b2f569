"""The GAN family's metrics: EfficientNet-Lite0 features, their Fréchet distance, paired L1, PSNR
and SSIM, and how a metric's reference number travels through a model card to the gallery."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from genzoo.cards import CardFacts, card_metrics, card_runs, write_model_card
from genzoo.evaluation import (
    FRECHET_KEY,
    FRECHET_NAME,
    IDENTITY_BASELINE,
    REAL_FLOOR,
    Metric,
    evaluate_samples,
    evaluate_translation,
    frechet_distance,
    hot_spot,
    image_features,
    l1,
    psnr,
    ssim,
    ssim_map,
)
from words.catalogue import metrics_markdown


def smooth_images(count: int, channels: int = 3, size: int = 32, seed: int = 0) -> torch.Tensor:
    """Random images in [0, 1] with structure at several scales, like blurry photographs."""
    generator = torch.Generator().manual_seed(seed)
    coarse = torch.rand(count, channels, 6, 6, generator=generator)
    images = F.interpolate(coarse, size=size, mode="bicubic", align_corners=False)
    return (images + 0.05 * torch.randn(images.shape, generator=generator)).clamp(0, 1)


def with_noise(images: torch.Tensor, std: float, seed: int = 1) -> torch.Tensor:
    noise = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed))
    return (images + std * noise).clamp(0, 1)


def test_image_features_are_1280_doubles_and_deterministic():
    images = smooth_images(4)
    features = image_features(images, batch_size=2)
    assert features.shape == (4, 1280) and features.dtype == torch.float64
    assert torch.isfinite(features).all() and features.std(0).mean() > 0
    assert torch.equal(image_features(images, batch_size=2), features)
    assert torch.allclose(image_features(images, batch_size=4), features, atol=1e-4)


def test_grey_images_are_seen_as_grey_rgb():
    grey = smooth_images(2, channels=1)
    assert torch.allclose(image_features(grey), image_features(grey.repeat(1, 3, 1, 1)))


def random_features(count: int, dim: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    mixing = torch.randn(dim, dim, generator=generator, dtype=torch.float64)
    return torch.randn(count, dim, generator=generator, dtype=torch.float64) @ mixing + seed


def numpy_frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Brute force: tr (S_a S_b)^(1/2) as the sum of square roots of the eigenvalues of S_a S_b
    (real and non-negative, since S_a S_b is similar to S_a^(1/2) S_b S_a^(1/2))."""
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    eigenvalues = np.linalg.eigvals(cov_a @ cov_b).real.clip(min=0)
    cross = np.sqrt(eigenvalues).sum()
    mean_term = np.square(a.mean(0) - b.mean(0)).sum()
    return mean_term + np.trace(cov_a) + np.trace(cov_b) - 2 * cross


@pytest.mark.parametrize("count_a, count_b", [(200, 150), (6, 9)])  # full rank; singular
def test_frechet_distance_matches_a_numpy_reference(count_a, count_b):
    a, b = random_features(count_a, 12, seed=1), random_features(count_b, 12, seed=2)
    expected = numpy_frechet_distance(a.numpy(), b.numpy())
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-7)


def test_frechet_distance_of_gaussians_known_in_closed_form():
    # Diagonal covariances: |m_a - m_b|^2 + sum over dimensions of (sigma_a - sigma_b)^2.
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(5000, 3, generator=generator, dtype=torch.float64)
    b = torch.randn(5000, 3, generator=generator, dtype=torch.float64)
    a, b = (a - a.mean(0)) / a.std(0), (b - b.mean(0)) / b.std(0)  # exactly mean 0, std 1
    scaled = b * torch.tensor([1.0, 2.0, 3.0]) + torch.tensor([0.0, 0.0, 4.0])
    expected = 4.0**2 + (1 - 1) ** 2 + (1 - 2) ** 2 + (1 - 3) ** 2
    # The sample cross-covariance of independent draws is ~1/sqrt(N), not 0: a loose tolerance.
    assert frechet_distance(a, scaled) == pytest.approx(expected, abs=0.05)


def test_frechet_distance_is_zero_for_itself_symmetric_and_grows_with_a_shift():
    a, b = random_features(100, 8, seed=1), random_features(80, 8, seed=2)
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-9)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-10)
    shift = torch.full((8,), 0.5, dtype=torch.float64)
    # Same covariance: the distance is exactly the squared length of the shift.
    assert frechet_distance(a, a + shift) == pytest.approx(shift.square().sum().item(), rel=1e-9)
    assert frechet_distance(a, a + 2 * shift) > frechet_distance(a, a + shift)


def test_frechet_distance_of_image_features_grows_with_damage():
    images = smooth_images(12)
    clean = image_features(images)
    distances = [frechet_distance(clean, image_features(with_noise(images, s))) for s in (0.1, 0.3)]
    assert frechet_distance(clean, clean) == pytest.approx(0, abs=1e-6)
    assert 0 < distances[0] < distances[1]


def test_l1_and_psnr_of_a_known_error():
    targets = torch.full((2, 3, 8, 8), 0.5)
    assert l1(targets + 0.1, targets) == pytest.approx(0.1)
    # MSE 0.01 in one image and 0.0001 in the other: 20 dB and 40 dB.
    outputs = targets + torch.tensor([0.1, 0.01]).view(2, 1, 1, 1)
    assert psnr(outputs, targets) == pytest.approx(30.0, abs=1e-4)
    assert psnr(targets, targets) == pytest.approx(100.0)  # floored, not infinite


def test_ssim_is_one_for_identical_images_and_falls_with_noise():
    images = smooth_images(4, size=48)
    assert ssim(images, images) == pytest.approx(1.0, abs=1e-6)
    scores = [ssim(with_noise(images, s), images) for s in (0.01, 0.05, 0.2)]
    assert 1 > scores[0] > scores[1] > scores[2] > 0
    assert ssim(images, with_noise(images, 0.05)) == pytest.approx(scores[1], abs=1e-6)


def test_ssim_map_as_a_loss_pulls_noise_towards_the_target():
    """pix2pix's 1 - SSIM term: its gradient step makes a noisy image more similar."""
    targets = smooth_images(2, size=32)
    noisy = with_noise(targets, 0.1).requires_grad_(True)
    loss = 1 - ssim_map(noisy, targets).mean()
    loss.backward()
    stepped = (noisy - 0.05 * noisy.grad / noisy.grad.abs().max()).detach()
    assert ssim(stepped, targets) > ssim(noisy.detach(), targets)


def test_ssim_of_a_constant_shift_is_its_luminance_term():
    # Flat images a and b: no variance, so SSIM = (2ab + C1) / (a^2 + b^2 + C1) everywhere.
    a, b, c1 = 0.25, 0.5, 0.01**2  # exact in float32
    expected = (2 * a * b + c1) / (a**2 + b**2 + c1)
    assert ssim(torch.full((1, 1, 16, 16), a), torch.full((1, 3, 16, 16), b)) == pytest.approx(
        expected, rel=1e-9
    )


def test_evaluate_translation_perfect_outputs_beat_the_identity_baseline():
    targets = smooth_images(8, seed=0)
    inputs = smooth_images(8, channels=1, seed=1)  # e.g. a grey sketch of each target
    metrics = {m.key: m for m in evaluate_translation(targets.clone(), targets, inputs)}
    assert list(metrics) == ["l1", "psnr", "ssim", FRECHET_KEY]
    assert all(m.reference_name == IDENTITY_BASELINE for m in metrics.values())
    assert metrics["l1"].value == 0 < metrics["l1"].reference
    assert metrics["psnr"].value == pytest.approx(100) and metrics["psnr"].reference < 40
    assert metrics["ssim"].value == pytest.approx(1) and metrics["ssim"].reference < 0.9
    assert metrics[FRECHET_KEY].value == pytest.approx(0, abs=1e-6)
    assert metrics[FRECHET_KEY].reference > 1
    assert metrics[FRECHET_KEY].name == FRECHET_NAME
    better = {key: m.lower_is_better for key, m in metrics.items()}
    assert better == {"l1": True, "psnr": False, "ssim": False, FRECHET_KEY: True}


def test_evaluate_samples_puts_the_real_floor_beside_the_distance():
    test, train = smooth_images(10, seed=0), smooth_images(10, seed=1)
    noise = torch.rand(10, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    (metric,) = evaluate_samples(noise, test, train)
    assert (metric.key, metric.name, metric.reference_name) == (
        FRECHET_KEY,
        FRECHET_NAME,
        REAL_FLOOR,
    )
    assert 0 < metric.reference < metric.value


def card_facts(metrics: list[Metric]) -> CardFacts:
    return CardFacts(
        title="tiny test pix2pix",
        family="pix2pix",
        summary="A card written by the tests.",
        dataset_name="facades",
        dataset_source="data/facades",
        dataset_license="mit",
        datasets=["alice/facades"],
        command="python training/train_pix2pix.py",
        wall_time_s=12.0,
        hardware="test CPU",
        metrics=metrics,
        task="image-to-image",
    )


def test_a_reference_survives_the_model_card_round_trip(tmp_path: Path):
    metrics = [
        Metric("l1", "L1 error", 0.125, reference=0.25, reference_name=IDENTITY_BASELINE),
        Metric("psnr", "PSNR (dB)", 21.5, lower_is_better=False),
    ]
    card = write_model_card(tmp_path, card_facts(metrics))

    indexed = {r.metric_type: (r.metric_name, r.metric_value) for r in card.data.eval_results}
    assert indexed == {"l1": ("L1 error", 0.125), "psnr": ("PSNR (dB)", 21.5)}  # the model's
    assert card.data.genzoo_references == [
        {"metric": "l1", "name": IDENTITY_BASELINE, "value": 0.25}
    ]
    assert f"| L1 error | 0.1250 | {IDENTITY_BASELINE}: 0.2500 | lower |" in card.text
    assert "| PSNR (dB) | 21.5000 |  | higher |" in card.text

    read_back = card_metrics(str(tmp_path))
    assert [(m["type"], m["value"], m["reference"]) for m in read_back] == [
        ("l1", 0.125, 0.25),
        ("psnr", 21.5, None),
    ]
    assert read_back[0]["reference_name"] == IDENTITY_BASELINE
    shown = metrics_markdown(str(tmp_path)).splitlines()
    assert shown[0] == "Measured on held-out data:"
    assert shown[2] == (
        f"- Pixel error against the true picture (lower is better): **0.125** "
        f"({IDENTITY_BASELINE}: 0.25). *L1 error*"
    )
    assert shown[3].startswith("- Likeness to the true picture, pixel by pixel")
    assert "**21.5**" in shown[3]


def test_a_card_without_references_has_no_reference_column(tmp_path: Path):
    card = write_model_card(tmp_path, card_facts([Metric("l1", "L1 error", 0.125)]))
    assert "| metric | value | better |" in card.text
    assert "| L1 error | 0.1250 | lower |" in card.text
    assert "reference" not in card.text.split("## Metrics")[1].split("##")[0]


def test_the_gallery_shows_a_cards_metrics_in_plain_words_first():
    """Each metric a line (a narrow screen wraps it), its plain words before the card's name."""
    shown = metrics_markdown("vae-mnist").splitlines()
    assert shown[0] == "Measured on held-out data:" and len(shown) == 2 + 5
    assert all(line.startswith("- ") and "|" not in line for line in shown[2:])
    assert shown[2].startswith("- Surprise at unseen images (lower is better): **")
    assert shown[2].endswith("*Negative ELBO (nats/image)*")
    pix2pix = metrics_markdown("pix2pix-emoji-line-to-color")
    assert "identity baseline (output = input): " in pix2pix  # the reference beside its metric
    alignment = metrics_markdown("text-to-image-emoji")
    assert "within five guesses: **32%** (real held-out images (ceiling): 90%)" in alignment
    assert all(m["reference"] is None for m in card_metrics("vae-mnist"))
    assert math.isfinite(card_metrics("vae-mnist")[0]["value"])


def test_a_card_counts_every_run_that_made_its_weights(tmp_path: Path):
    first = write_model_card(tmp_path / "first", card_facts([]))
    command = "python training/train_pix2pix.py"
    assert first.data.genzoo_runs == [{"command": command, "seconds": 12}]
    assert "- Command: `python training/train_pix2pix.py`" in first.text

    facts = card_facts([])
    facts.command, facts.wall_time_s = "python training/train_pix2pix.py --resume", 48.4
    facts.earlier_runs = card_runs(str(tmp_path / "first"))
    second = write_model_card(tmp_path / "second", facts)

    assert [run["seconds"] for run in card_runs(str(tmp_path / "second"))] == [12, 48]
    assert "  1. `python training/train_pix2pix.py` (0.2 min)" in second.text
    assert "  2. `python training/train_pix2pix.py --resume` (0.8 min)" in second.text
    assert "- Wall time: 60 s (1.0 min)" in second.text


def test_a_hot_spot_is_an_error_every_image_shares_in_one_place():
    targets = torch.rand(6, 3, 16, 16)
    marked = targets.clone()
    marked[:, :, 15, 15] += 0.2  # every output wrong at its lower-right corner
    levels, position = hot_spot(marked, targets)
    assert levels == pytest.approx(0.2 * 255) and position == (15, 15)

    scattered = targets.clone()
    for i in range(6):  # the same error, each image somewhere else
        scattered[i, :, 2 * i, 3 + i] += 0.2
    assert hot_spot(scattered, targets)[0] == pytest.approx(0.2 * 255 / 6)
    assert hot_spot(targets, targets)[0] == 0
