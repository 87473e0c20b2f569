"""Text-to-image throughput, printed as a markdown table: images per second sampled at a large
batch, and training speed of genzoo's loop against a plain diffusers-example-style loop on the
same UNet, measured in one run.

    python -m benchmarks.throughput [--batch 64] [--train_batch 32] [--runs 5]

Sampling is the bundled pipeline as the gallery loads it: half precision on a GPU (an H100 is the
reference), float32 on the CPU. Training uses the bundled preset's UNet, fresh, and the bundled
autoencoder, with the training script's mixed precision (bf16 on a GPU). genzoo's loop is the
training script's own `training_step`: latents encoded once up front, each step sampling from
their posteriors. Its captions are encoded once up front too, and AdamW is fused; the loop as it
was before both (`EncodedEachStep`: each batch's captions through the text encoder again, and
AdamW's per-parameter loop) is timed beside it.
The plain loop does what the diffusers text-to-image example does each step: encode the batch's
pixels with the autoencoder (in the mixed-precision dtype), then the same noise, UNet, loss,
optimizer and EMA. The loops alternate, `--train_steps` steps at a time, and each figure is the
median over `--runs` rounds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from genzoo.env import offline_defaults

offline_defaults()

import torch
import torch.nn.functional as F
from diffusers import AutoencoderKL, DDPMScheduler

from genzoo import diffusion_training, hub, training
from genzoo.data.captions import load_captioned_splits
from genzoo.diffusion.encoded_captions import EncodedCaptions
from genzoo.models import latent_diffusion
from genzoo.registry import bundled
from genzoo.system import describe_hardware
from training import train_text_to_image as script

PROMPT = "a red apple, flat icon"


def synchronized(action: Callable[[], object]) -> Callable[[], float]:
    """`action` as a function returning its wall time in seconds, GPU work included."""

    def timed() -> float:
        start = time.perf_counter()
        action()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        return time.perf_counter() - start

    return timed


def sampling_seconds(model: str, batch: int, steps: int, runs: int) -> list[float]:
    pipeline = hub.load_pipeline(model)
    generator = torch.Generator().manual_seed(0)
    sample = synchronized(
        lambda: pipeline(
            PROMPT,
            num_images_per_prompt=batch,
            num_inference_steps=steps,
            guidance_scale=5.0,
            generator=generator,
        )
    )
    sample()  # warm-up
    return [sample() for _ in range(runs)]


def plain_step(settings, unet, images, captions, optimizer, ema, accelerator):
    """The diffusers example's step: pixels through the autoencoder every time."""
    weight_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(
        accelerator.mixed_precision, torch.float32
    )
    vae = AutoencoderKL.from_pretrained(settings.autoencoder, torch_dtype=weight_dtype)
    vae = vae.requires_grad_(False).to(accelerator.device)
    text_encoder = latent_diffusion.text_encoder().to(accelerator.device, weight_dtype)
    tokenizer = latent_diffusion.tokenizer()
    noise_scheduler = DDPMScheduler.from_config(latent_diffusion.scheduler().config)

    def step(index: torch.Tensor) -> float:
        pixels = images[index].to(accelerator.device, weight_dtype) / 127.5 - 1
        latents = vae.encode(pixels).latent_dist.sample() * vae.config.scaling_factor
        context = latent_diffusion.encode_prompts(
            text_encoder, tokenizer, [captions[i][0] for i in index.tolist()]
        )
        noise = torch.randn_like(latents)
        timesteps = torch.randint(
            0, noise_scheduler.config.num_train_timesteps, (len(latents),), device=latents.device
        )
        noisy = noise_scheduler.add_noise(latents, noise, timesteps)
        unet.train()
        with accelerator.autocast():
            prediction = unet(noisy, timesteps, context).sample
        loss = F.mse_loss(prediction.float(), noise.float())
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(unet.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        ema.step(accelerator.unwrap_model(unet).parameters())
        return loss.item()

    return step


class EncodedEachStep:
    """`EncodedCaptions` as genzoo's loop had them before: the same rows, but each batch's
    captions run through the text encoder again."""

    def __init__(self, encoded: EncodedCaptions, device: torch.device):
        self.texts, self.rows, self.empty = encoded.texts, encoded.rows, encoded.empty
        self.encoder = latent_diffusion.text_encoder().to(device)
        self.tokenizer = latent_diffusion.tokenizer()

    def __getitem__(self, rows: list[int]) -> torch.Tensor:
        prompts = [self.texts[row] for row in rows]
        return latent_diffusion.encode_prompts(self.encoder, self.tokenizer, prompts)


def training_seconds(
    folder: str, train_batch: int, steps: int, runs: int, sources: list[str]
) -> tuple[dict[str, list[float]], float]:
    """Seconds per `steps` steps of each loop, a list per loop, and the one-off latent encoding."""
    with tempfile.TemporaryDirectory() as run_dir:
        settings = benchmark_settings(folder, train_batch, sources, run_dir)
        accelerator = training.make_accelerator(
            settings.run_path, settings.mixed_precision, settings.seed
        )
        train_set, _ = load_captioned_splits(
            settings.sources, settings.image_size, settings.train_limit, 1
        )
        vae = AutoencoderKL.from_pretrained(settings.autoencoder).eval().requires_grad_(False)
        start = time.perf_counter()
        moments = diffusion_training.encode_latents(vae, train_set.images)
        encoding = time.perf_counter() - start
        loops = training_loops(settings, vae, moments, train_set, accelerator)
        batches = torch.randperm(len(moments)).split(train_batch)
        return time_loops(loops, batches, steps, runs), encoding


def benchmark_settings(folder: str, train_batch: int, sources: list[str], run_dir: str):
    """The bundled model's preset with the autoencoder of `folder`, on four batches of
    `train_batch` training images, writing only under `run_dir`."""
    options = {
        "--preset": "text-to-image-emoji",
        "--autoencoder": f"{folder}/vae",
        "--batch_size": str(train_batch),
        "--train_limit": str(4 * train_batch),
        "--run_dir": run_dir,
        "--output_dir": str(Path(run_dir) / "out"),
    }
    argv = [part for option in options.items() for part in option]
    if sources:
        argv += ["--sources", *sources]
    return training.parse_settings(script.Settings, script.PRESETS, argv)


def training_loops(
    settings, vae: AutoencoderKL, moments: torch.Tensor, train_set, accelerator
) -> dict[str, Callable[[torch.Tensor], float]]:
    """Each loop's step as a function of a batch's indices, each over the same new UNet,
    optimizer and moving average: genzoo's, genzoo's as it was before (captions encoded each
    step, AdamW unfused), and a plain diffusers-example loop."""

    def fresh(fused=True):
        return diffusion_training.prepare(
            settings, script.build_unet(settings, vae), vae, moments, accelerator, fused
        )

    encoded = EncodedCaptions.of(train_set.captions, accelerator.device)
    loops = {}
    for name, captions in (
        ("genzoo", encoded),
        ("before", EncodedEachStep(encoded, accelerator.device)),
    ):
        unet, optimizer, _, averages = fresh(fused=name == "genzoo")
        loops[name] = diffusion_training.training_step(
            settings,
            unet,
            vae,
            moments,
            captions,
            optimizer,
            averages,
            accelerator,
            random.Random(settings.seed),
        )
    unet, optimizer, _, (ema, *_) = fresh()
    loops["plain"] = plain_step(
        settings, unet, train_set.images, train_set.captions, optimizer, ema, accelerator
    )
    return loops


def time_loops(
    loops: dict[str, Callable[[torch.Tensor], float]],
    batches: tuple[torch.Tensor, ...],
    steps: int,
    runs: int,
) -> dict[str, list[float]]:
    """Seconds per `steps` steps of each loop over the first four `batches`, in turn, `runs`
    times after a warm-up."""
    timers = {
        name: synchronized(lambda step=step: [step(batches[i % 4]) for i in range(steps)])
        for name, step in loops.items()
    }
    for timer in timers.values():
        timer()  # warm-up
    seconds = {name: [] for name in timers}
    for _ in range(runs):
        for name, timer in timers.items():
            seconds[name].append(timer())
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64, help="images sampled at once")
    parser.add_argument("--steps", type=int, default=20, help="sampling steps")
    parser.add_argument("--train_batch", type=int, default=32)
    parser.add_argument("--train_steps", type=int, default=10, help="steps per timed round")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sources", nargs="*", help="emoji folders (default: the preset's)")
    args = parser.parse_args(argv)
    (entry,) = bundled("text-to-image")
    model = str(entry.folder)
    print(f"Hardware: {describe_hardware()}")
    print(f"Median of {args.runs} runs after a warm-up.\n")
    print("| measure | median | throughput |")
    print("|---|---:|---:|")
    seconds = statistics.median(sampling_seconds(model, args.batch, args.steps, args.runs))
    print(
        f"| sampling: {args.batch} images, {args.steps} steps, guidance 5 | {seconds:.2f} s | "
        f"{args.batch / seconds:.1f} images/s |",
        flush=True,
    )
    rounds, encoding = training_seconds(
        model, args.train_batch, args.train_steps, args.runs, args.sources
    )
    rates = {}
    for name, label in (
        ("genzoo", "genzoo's loop"),
        ("before", "genzoo's loop as it was: captions encoded each step, AdamW unfused"),
        ("plain", "plain diffusers-example loop"),
    ):
        per_step = statistics.median(rounds[name]) / args.train_steps
        rates[name] = args.train_batch / per_step
        print(
            f"| training, {label}, batch {args.train_batch} | {per_step * 1000:.1f} ms/step | "
            f"{rates[name]:.1f} images/s |"
        )
    per_image = encoding / (4 * args.train_batch) * 1000
    print(f"| genzoo: encoding the latents, once | {per_image:.2f} ms/image | |")
    print(f"| genzoo ÷ before, training | | {rates['genzoo'] / rates['before']:.2f}x |")
    print(f"| genzoo ÷ plain, training | | {rates['genzoo'] / rates['plain']:.2f}x |")


if __name__ == "__main__":
    main()
