"""Train a DCGAN on one or more image folders (or Hub image datasets) and write a Hub folder.

    python training/train_dcgan.py --preset dcgan-emoji-faces
    python training/train_dcgan.py --preset dcgan-fashion-mnist --max_steps 20 --output_dir /tmp/g

See `Settings` for every option (`--help` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from diffusers.training_utils import EMAModel
from torch.utils.data import DataLoader, TensorDataset

from genzoo import adversarial, training
from genzoo.data import ImageTensors, load_split
from genzoo.evaluation import Metric, evaluate_samples
from genzoo.images import make_grid
from genzoo.model_cards import finish_hub_folder, parameter_count
from genzoo.model_cards.dcgan import SAMPLES_FILE, dcgan_card
from genzoo.models.dcgan import Discriminator, Generator


@dataclass
class Settings(training.RunSettings):
    """Training settings for a DCGAN; every one is a command-line option."""

    dataset: list[str] = field(
        default_factory=lambda: ["data/emoji-google"],
        metadata={"help": "image folders or Hub dataset ids, trained on together"},
    )
    categories: list[str] = field(
        default_factory=list,
        metadata={"help": "train on these classes only, e.g. 'Smileys & Emotion' (all if none)"},
    )
    dataset_name: str = field(default="", metadata={"help": "name in the card"})
    dataset_license: str = "apache-2.0"
    attribution: str = field(default="", metadata={"help": "credit the data's licence requires"})
    output_dir: str = field(default="checkpoints/dcgan-emoji", metadata={"help": "Hub folder"})
    title: str = "DCGAN"
    image_size: int = 64
    channels: int = 3
    latent_dim: int = 100
    generator_channels: int = 64
    discriminator_channels: int = 64
    epochs: int = 25
    batch_size: int = 128
    beta1: float = 0.5
    real_label: float = field(default=1.0, metadata={"help": "below 1: one-sided smoothing"})
    augment: bool = field(
        default=False, metadata={"help": "DiffAugment every image D sees (small datasets)"}
    )
    ema_decay: float = field(
        default=0.0,
        metadata={"help": "ship an exponential moving average of the generator (0: off)"},
    )
    eval_images: int = field(default=2000, metadata={"help": "images per set in the distance"})


TWEMOJI = "Twemoji graphics by Twitter, Inc and other contributors, licensed CC-BY 4.0."
PRESETS = {
    # Not bundled: all emoji at once measured 220.4 against its floor of 42.3, 5.2x (the run's
    # story: docs/experiments/dcgan.md).
    "dcgan-emoji": dict(
        dataset=["data/emoji-google", "data/emoji-twitter", "data/emoji-fluent-flat"],
        dataset_name="emoji (Noto, Twemoji, Fluent flat)",
        dataset_license="apache-2.0, cc-by-4.0, mit",
        attribution=TWEMOJI,
        output_dir="runs/dcgan-emoji/hub",
        run_dir="runs/dcgan-emoji",
        title="DCGAN, colour emoji at 64 px",
        generator_channels=32,
        discriminator_channels=32,
        epochs=40,
        batch_size=64,
        augment=True,
        sample_every=250,
    ),
    "dcgan-emoji-faces": dict(
        dataset=[
            "data/emoji-google",
            "data/emoji-twitter",
            "data/emoji-fluent-flat",
            "data/emoji-fluent-modern",
        ],
        categories=["Smileys & Emotion"],
        dataset_name="emoji faces (Smileys & Emotion in Noto, Twemoji, Fluent flat and 3-D)",
        dataset_license="apache-2.0, cc-by-4.0, mit",
        attribution=TWEMOJI,
        output_dir="checkpoints/dcgan-emoji-faces",
        title="DCGAN, emoji faces at 64 px",
        generator_channels=32,
        discriminator_channels=32,
        epochs=400,
        batch_size=64,
        augment=True,
        sample_every=250,
        checkpoint_every=500,
    ),
    "dcgan-fashion-mnist": dict(
        dataset=["data/fashion-mnist"],
        dataset_name="fashion-mnist",
        dataset_license="mit",
        output_dir="checkpoints/dcgan-fashion-mnist",
        title="DCGAN, Fashion-MNIST at 32 px",
        image_size=32,
        channels=1,
        generator_channels=32,
        discriminator_channels=32,
        epochs=40,
        checkpoint_every=500,
        ema_decay=0.999,
    ),
}


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    train_data, test_data = load_data(settings)
    generator, discriminator = build_models(settings)
    ema = train(settings, generator, discriminator, train_data, accelerator)
    if accelerator.is_main_process:
        generator = shipped_generator(settings, accelerator.unwrap_model(generator), ema).cpu()
        metrics, samples = measure(settings, generator, train_data, test_data)
        save_hub_folder(settings, generator, metrics, samples, command)
        training.push_if_asked(settings)
    accelerator.end_training()


def load_data(settings: Settings) -> tuple[ImageTensors, ImageTensors]:
    """The train and test splits of every dataset (of its `categories` only, if any), each pooled
    into one set."""

    def pooled(split: str, limit: int) -> ImageTensors:
        parts = [
            load_split(source, split, settings.image_size, settings.channels, limit or None).only(
                settings.categories
            )
            for source in settings.dataset
        ]
        return ImageTensors(
            torch.cat([p.images for p in parts]), torch.cat([p.labels for p in parts]), []
        )

    return pooled("train", settings.train_limit), pooled("test", settings.test_limit)


def build_models(settings: Settings) -> tuple[Generator, Discriminator]:
    generator = Generator(
        latent_dim=settings.latent_dim,
        image_size=settings.image_size,
        channels=settings.channels,
        base_channels=settings.generator_channels,
    )
    discriminator = Discriminator(
        image_size=settings.image_size,
        channels=settings.channels,
        base_channels=settings.discriminator_channels,
    )
    return generator, discriminator


def train(
    settings: Settings,
    generator: Generator,
    discriminator: Discriminator,
    train_data: ImageTensors,
    accelerator,
) -> EMAModel | None:
    """The loop: a discriminator step on real and fake, then a generator step; grids, logs and
    checkpoints along the way. Returns the generator's moving average, if asked for one."""
    run_dir = settings.run_path
    generator, discriminator, g_optimizer, d_optimizer, loader = prepare(
        settings, generator, discriminator, train_data, accelerator
    )
    ema = None
    if settings.ema_decay:
        # The average smooths the generator's step-to-step swings (Yazıcı et al., 2019).
        ema = training.moving_average(generator.parameters(), settings.ema_decay, accelerator)
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    checkpoints = training.Checkpoints(accelerator, run_dir)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "dcgan", settings)
    gan_loss, losses = adversarial.GANLoss("vanilla"), training.RunningLosses()
    fixed_noise = torch.randn(
        64, settings.latent_dim, generator=torch.Generator().manual_seed(settings.seed)
    )

    def critic(images: torch.Tensor) -> torch.Tensor:
        return discriminator(adversarial.diff_augment(images) if settings.augment else images)

    def draw(step: int) -> None:
        unwrapped = accelerator.unwrap_model(generator)
        save_grid(unwrapped, fixed_noise, run_dir, step, accelerator)

    steps = training.Steps(accelerator, loader, start, total, settings, checkpoints)
    for step, (batch,) in steps:
        real = batch.float() / 127.5 - 1.0
        noise = torch.randn(len(real), settings.latent_dim, device=real.device)
        generator.train(), discriminator.train()
        with accelerator.autocast():
            fake = generator(noise)
            d_loss = adversarial.discriminator_loss(
                critic, real, fake, gan_loss, settings.real_label
            )
        training.optimizer_step(accelerator, d_optimizer, d_loss)
        with adversarial.frozen(discriminator), accelerator.autocast():
            g_loss = gan_loss(critic(fake), True)
        training.optimizer_step(accelerator, g_optimizer, g_loss)
        if ema is not None:
            ema.step(generator.parameters())

        losses.add(d=d_loss, g=g_loss)
        steps.end(step, losses, draw)
    return ema


def prepare(
    settings: Settings,
    generator: Generator,
    discriminator: Discriminator,
    train_data: ImageTensors,
    accelerator,
) -> tuple:
    """The generator, the discriminator, their optimizers and the loader, prepared by
    `accelerator`."""
    loader = DataLoader(
        TensorDataset(train_data.images), settings.batch_size, shuffle=True, drop_last=True
    )
    optimizers = [
        adversarial.adam(m.parameters(), settings.learning_rate, settings.beta1)
        for m in (generator, discriminator)
    ]
    return accelerator.prepare(generator, discriminator, *optimizers, loader)


def shipped_generator(settings: Settings, generator: Generator, ema: EMAModel | None) -> Generator:
    """The generator to ship, in float32 for inference: its moving average, if the run kept one
    (its batch-norm statistics measured again), else its last weights."""
    generator = generator.float()
    if ema is not None:
        ema.copy_to(generator.parameters())
        recalibrate_batch_norm(generator, settings)
    return generator.eval()


@torch.no_grad()
def recalibrate_batch_norm(generator: Generator, settings: Settings, batches: int = 50) -> None:
    """Batch-norm statistics that match averaged weights: the mean over `batches` fresh batches,
    since those the training left behind belong to the last weights, not to their average."""
    norms = [m for m in generator.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average
    generator.train()
    seeded = torch.Generator().manual_seed(settings.seed)
    for _ in range(batches):
        generator(torch.randn(settings.batch_size, settings.latent_dim, generator=seeded))
    for norm in norms:
        norm.momentum = 0.1


@torch.no_grad()
def save_grid(generator: Generator, noise: torch.Tensor, run_dir: Path, step: int, accelerator):
    """The same 64 latent points at every grid, so the grids show training progress."""
    if accelerator.is_main_process:
        generator.eval()
        images = generate(generator, noise)
        training.save_sample(
            make_grid(images, rows=8, padding=1), run_dir, "samples", step, accelerator
        )


@torch.no_grad()
def generate(generator: Generator, noise: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Images in [0, 1] on the CPU for latent points `noise`."""
    chunks = [generator(z.to(generator.device)).float().cpu() for z in noise.split(batch_size)]
    return (torch.cat(chunks) + 1) / 2


def measure(
    settings: Settings, generator: Generator, train_data: ImageTensors, test_data: ImageTensors
) -> tuple[list[Metric], torch.Tensor]:
    """The Fréchet distance of `eval_images` samples to as many held-out images, beside the floor
    of as many training images; and the samples (in [0, 1])."""
    seeded = torch.Generator().manual_seed(settings.seed)
    count = min(settings.eval_images, len(test_data.images))
    test = test_data.floats()[torch.randperm(len(test_data.images), generator=seeded)[:count]]
    reference = train_data.floats()[
        torch.randperm(len(train_data.images), generator=seeded)[:count]
    ]
    generated = generate(generator, torch.randn(count, settings.latent_dim, generator=seeded))
    return evaluate_samples(generated, test, reference), generated


def save_hub_folder(
    settings: Settings,
    generator: Generator,
    metrics: list[Metric],
    samples: torch.Tensor,
    command: str,
) -> None:
    """Weights, config, a sample grid and the model card with the measured distance."""
    folder = Path(settings.output_dir)
    generator.save_pretrained(folder)
    make_grid(samples[:64], rows=8, padding=1).save(folder / SAMPLES_FILE)
    facts = dcgan_card(
        settings,
        command,
        parameters=parameter_count(generator),
        metrics=metrics,
        compared=len(samples),
    )
    finish_hub_folder(folder, facts, settings)


if __name__ == "__main__":
    main()
