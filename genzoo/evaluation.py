"""Quality metrics, shared by training (model cards), the gallery and the tests.

VAE: all in nats per image under the model's Bernoulli likelihood, on held-out images in [0, 1]:
the negative ELBO, its two terms, an importance-weighted bound on -log p(x) (Burda et al., 2016)
that is tighter than the ELBO, and the pixel MSE of the mean reconstruction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from genzoo.models.vae import VAE, kl_nats, reconstruction_nats


@dataclass(frozen=True)
class Metric:
    """One measured number, with how a model card and the gallery name it."""

    key: str
    name: str
    value: float
    lower_is_better: bool = True


@torch.no_grad()
def evaluate_vae(
    model: VAE,
    images: torch.Tensor,
    *,
    batch_size: int = 500,
    importance_samples: int = 64,
    importance_images: int = 1000,
    seed: int = 0,
) -> list[Metric]:
    """Metrics of `model` on `images` (N, C, H, W) in [0, 1]; see the module docstring."""
    model.eval()
    generator = torch.Generator(device="cpu").manual_seed(seed)
    device = model.device
    sums = {"elbo": 0.0, "rec": 0.0, "kl": 0.0, "mse": 0.0}
    for batch in images.split(batch_size):
        batch = batch.to(device)
        output = model(batch, generator=_noise_generator(generator, device))
        rec = reconstruction_nats(output.logits, batch)
        kl = kl_nats(output.mean, output.logvar)
        mean_image = model.decode(output.mean)
        sums["rec"] += rec.sum().item()
        sums["kl"] += kl.sum().item()
        sums["elbo"] += (rec + kl).sum().item()
        sums["mse"] += (mean_image - batch).pow(2).flatten(1).mean(1).sum().item()
    count = len(images)
    iw = importance_weighted_nll(
        model, images[:importance_images], importance_samples, generator=generator
    )
    return [
        Metric("neg_elbo", "Negative ELBO (nats/image)", sums["elbo"] / count),
        Metric(
            "iw_nll",
            f"-log p(x), importance-weighted bound, k={importance_samples} (nats/image)",
            iw,
        ),
        Metric(
            "reconstruction",
            "Reconstruction term, -log p(x given z) (nats/image)",
            sums["rec"] / count,
        ),
        Metric("kl", "KL term, KL(q ‖ prior) (nats/image)", sums["kl"] / count),
        Metric("mse", "Reconstruction MSE (pixels in [0, 1])", sums["mse"] / count),
    ]


def _noise_generator(cpu_generator: torch.Generator, device: torch.device) -> torch.Generator:
    if device.type == "cpu":
        return cpu_generator
    seed = int(torch.randint(0, 2**31, (1,), generator=cpu_generator))
    return torch.Generator(device=device).manual_seed(seed)


@torch.no_grad()
def importance_weighted_nll(
    model: VAE,
    images: torch.Tensor,
    samples: int,
    *,
    generator: torch.Generator | None = None,
    batch_size: int = 100,
) -> float:
    """Mean of -log (1/K sum_k p(x, z_k) / q(z_k|x)), z_k ~ q(z|x): an upper bound on -log p(x)."""
    total = 0.0
    for batch in images.split(batch_size):
        batch = batch.to(model.device)
        mean, logvar = model.encode(batch)
        std = torch.exp(0.5 * logvar)
        noise = torch.randn((samples, *mean.shape), generator=generator).to(mean)
        z = mean + noise * std  # (K, B, D)
        logits = model.decode_logits(z.flatten(0, 1))
        repeated = batch.expand(samples, *batch.shape).flatten(0, 1)
        log_px_z = -reconstruction_nats(logits, repeated).view(samples, -1)
        log_pz = _standard_normal_log_prob(z)
        log_qz_x = _standard_normal_log_prob(noise) - 0.5 * logvar.sum(-1)
        log_w = log_px_z + log_pz - log_qz_x
        total += -(torch.logsumexp(log_w, 0) - math.log(samples)).sum().item()
    return total / len(images)


def _standard_normal_log_prob(z: torch.Tensor) -> torch.Tensor:
    return -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(-1)
