"""Train pix2pix on paired image folders (the same emoji in two styles) and write a Hub folder.

    python training/train_pix2pix.py --preset pix2pix-emoji-line-to-color
    python training/train_pix2pix.py --source data/emoji-fluent-high-contrast \
        --target data/emoji-fluent-flat --output_dir checkpoints/pix2pix-contrast-to-flat

Pairs are the emoji present in both folders, joined on their key; the test split's pairs are
held out for the metrics and the gallery's examples. See `Settings` (`--help` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

from genzoo import adversarial, training
from genzoo.data import PairedImages, load_pairs
from genzoo.evaluation import Metric, evaluate_translation, ssim_map
from genzoo.images import make_grid
from genzoo.model_cards import finish_hub_folder, parameter_count
from genzoo.model_cards.pix2pix import GRID_FILE, pix2pix_card
from genzoo.models.pix2pix import PatchDiscriminator, UNetGenerator
from genzoo.pipelines.translation import save_examples, translate_batches, varied_examples


@dataclass
class Settings(training.RunSettings):
    """Training settings for pix2pix; every one is a command-line option."""

    source: str = field(default="data/emoji-openmoji-line", metadata={"help": "input style"})
    target: str = field(default="data/emoji-openmoji-color", metadata={"help": "output style"})
    dataset_name: str = "openmoji line art -> colour"
    dataset_license: str = "cc-by-sa-4.0"
    attribution: str = field(default="", metadata={"help": "credit the data's licence requires"})
    image_size: int = 64
    generator_channels: int = 64
    max_channels: int = 512
    discriminator_channels: int = 64
    discriminator_layers: int = 2
    exclude_categories: list[str] = field(
        default_factory=list, metadata={"help": "emoji categories left out of every split"}
    )
    l1_weight: float = field(default=100.0, metadata={"help": "lambda of the L1 term"})
    ssim_weight: float = field(
        default=0.0, metadata={"help": "weight of a 1 - SSIM term (keeps flat regions flat)"}
    )
    flip: bool = field(default=True, metadata={"help": "random horizontal flips of pairs"})
    examples: int = field(default=24, metadata={"help": "held-out pairs shipped for the gallery"})


OPENMOJI = (
    "All emojis designed by OpenMoji - the open-source emoji and icon project. "
    "License: CC BY-SA 4.0. This model is a derived work and shares alike under CC BY-SA 4.0."
)
PRESETS = {
    "pix2pix-emoji-line-to-color": dict(
        output_dir="checkpoints/pix2pix-emoji-line-to-color",
        title="pix2pix, OpenMoji line art to colour, 64 px",
        attribution=OPENMOJI,
        generator_channels=32,
        max_channels=256,
        discriminator_channels=32,
        epochs=40,
        batch_size=16,
        sample_every=250,
        exclude_categories=["Flags"],
        ssim_weight=20,
    ),
}


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    train_pairs, test_pairs = load_data(settings)
    generator, discriminator = build_models(settings)
    train(settings, generator, discriminator, train_pairs, test_pairs, accelerator)
    if accelerator.is_main_process:
        generator = accelerator.unwrap_model(generator).float().eval().cpu()
        metrics, outputs = measure(generator, test_pairs)
        save_hub_folder(settings, generator, test_pairs, metrics, outputs, command)
        training.push_if_asked(settings)
    accelerator.end_training()


def load_data(settings: Settings) -> tuple[PairedImages, PairedImages]:
    def pairs(split: str, limit: int) -> PairedImages:
        return load_pairs(
            settings.source,
            settings.target,
            split,
            settings.image_size,
            limit=limit or None,
            exclude=settings.exclude_categories,
        )

    return pairs("train", settings.train_limit), pairs("test", settings.test_limit)


def build_models(settings: Settings) -> tuple[UNetGenerator, PatchDiscriminator]:
    generator = UNetGenerator(
        image_size=settings.image_size,
        base_channels=settings.generator_channels,
        max_channels=settings.max_channels,
        source_style=Path(settings.source).name,
        target_style=Path(settings.target).name,
    )
    discriminator = PatchDiscriminator(
        channels=6,  # the discriminator judges (input, output) pairs
        base_channels=settings.discriminator_channels,
        layers=settings.discriminator_layers,
    )
    return generator, discriminator


def train(
    settings: Settings,
    generator: UNetGenerator,
    discriminator: PatchDiscriminator,
    train_pairs: PairedImages,
    test_pairs: PairedImages,
    accelerator,
) -> None:
    """The loop: D on (input, truth) vs (input, output); then G on fooling D plus L1 to truth."""
    loader = DataLoader(
        TensorDataset(train_pairs.a, train_pairs.b),
        settings.batch_size,
        shuffle=True,
        drop_last=True,
    )
    optimizers = [
        adversarial.adam(m.parameters(), settings.learning_rate) for m in (generator, discriminator)
    ]
    generator, discriminator, g_optimizer, d_optimizer, loader = accelerator.prepare(
        generator, discriminator, *optimizers, loader
    )
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    checkpoints = training.Checkpoints(accelerator, settings.run_path)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "pix2pix", settings)
    gan_loss, losses = adversarial.GANLoss("vanilla"), training.RunningLosses()
    shown = varied_examples(test_pairs, 8)
    fixed = test_pairs.a[shown].float() / 127.5 - 1, test_pairs.b[shown].float() / 127.5 - 1

    def draw(step: int) -> None:
        unwrapped = accelerator.unwrap_model(generator)
        save_grid(unwrapped, *fixed, settings.run_path, step, accelerator)

    steps = training.Steps(accelerator, loader, start, total, settings, checkpoints)
    for step, (source, target) in steps:
        source, target = adversarial.random_flip(
            source.float() / 127.5 - 1, target.float() / 127.5 - 1, enabled=settings.flip
        )
        rate = adversarial.set_linear_decay(optimizers, settings.learning_rate, step, total)
        generator.train(), discriminator.train()
        with accelerator.autocast():
            fake = generator(source)
            d_loss = adversarial.discriminator_loss(
                discriminator,
                torch.cat([source, target], 1),
                torch.cat([source, fake], 1),
                gan_loss,
            )
        training.optimizer_step(accelerator, d_optimizer, d_loss)
        with adversarial.frozen(discriminator), accelerator.autocast():
            terms = generator_losses(settings, discriminator, source, fake, target, gan_loss)
        training.optimizer_step(accelerator, g_optimizer, terms.pop("loss"))

        losses.add(d=d_loss, **terms)
        steps.end(step, losses, draw, lr=rate)


def generator_losses(
    settings: Settings,
    discriminator: PatchDiscriminator,
    source: torch.Tensor,
    fake: torch.Tensor,
    target: torch.Tensor,
    gan_loss: adversarial.GANLoss,
) -> dict[str, torch.Tensor]:
    """The generator's losses: fooling D, L1 and 1 - SSIM to the truth; their weighted sum as
    `loss`."""
    g_gan = gan_loss(discriminator(torch.cat([source, fake], 1)), True)
    g_l1 = (fake - target).abs().mean()
    g_ssim = 1 - ssim_map((fake.float() + 1) / 2, (target + 1) / 2).mean()
    loss = g_gan + settings.l1_weight * g_l1 + settings.ssim_weight * g_ssim
    return dict(g_gan=g_gan, l1=g_l1, ssim=g_ssim, loss=loss)


@torch.no_grad()
def save_grid(generator, source, target, run_dir: Path, step: int, accelerator) -> None:
    """Rows of input | output | truth for the same held-out pairs at every grid."""
    if accelerator.is_main_process:
        generator.eval()
        output = generator(source.to(generator.device)).float().cpu()
        rows = torch.stack([source, output, target], 1).flatten(0, 1)
        grid = make_grid((rows + 1) / 2, rows=len(source), padding=1)
        training.save_sample(grid, run_dir, "translations", step, accelerator)


def measure(
    generator: UNetGenerator, test_pairs: PairedImages
) -> tuple[list[Metric], torch.Tensor]:
    """The metrics on every held-out pair, and the outputs (in [0, 1])."""
    inputs, targets = test_pairs.a.float() / 255, test_pairs.b.float() / 255
    outputs = translate_batches(generator, inputs)
    return evaluate_translation(outputs, targets, inputs), outputs


def save_hub_folder(
    settings: Settings,
    generator: UNetGenerator,
    test_pairs: PairedImages,
    metrics: list[Metric],
    outputs: torch.Tensor,
    command: str,
) -> None:
    """Weights, config, held-out examples, a translation grid and the card with the metrics."""
    folder = Path(settings.output_dir)
    generator.save_pretrained(folder)
    save_examples(folder, test_pairs, settings.examples)
    inputs, targets = test_pairs.a.float() / 255, test_pairs.b.float() / 255
    shown = varied_examples(test_pairs, 8)
    rows = torch.stack([inputs[shown], outputs[shown], targets[shown]], 1).flatten(0, 1)
    make_grid(rows, rows=len(shown), padding=1).save(folder / GRID_FILE)
    facts = pix2pix_card(
        settings,
        command,
        parameters=parameter_count(generator),
        metrics=metrics,
        held_out=len(test_pairs.keys),
    )
    finish_hub_folder(folder, facts, settings)


if __name__ == "__main__":
    main()
