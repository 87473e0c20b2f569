"""Train a multi-scale Glow on an image folder or a Hub image dataset, and write a Hub folder.

    python training/train_flow.py --preset flow-fashion-mnist
    python training/train_flow.py --preset flow-fashion-mnist --resume   # the next sitting
    torchrun --nproc_per_node 2 training/train_flow.py --preset flow-fashion-mnist --max_steps 20

The loss is the bits per dimension of the dequantised 8-bit training images; the card reports
the same on the whole test split, and the Fréchet distance of samples at the card's temperature
(and at `extra_temperatures`) to test images, beside its real-vs-real floor. See `Settings` for
every option (`--help` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

from genzoo import hub, training
from genzoo.data import ImageTensors, load_split
from genzoo.evaluation import Metric, frechet_distance, image_features
from genzoo.images import make_grid
from genzoo.model_cards import finish_hub_folder, parameter_count
from genzoo.model_cards.flow import SAMPLES_FILE, bits_per_dim_metric, flow_card, frechet_metric
from genzoo.models.flow import PREPROCESSING, Glow, mean_bits_per_dim


@dataclass
class Settings(training.RunSettings):
    """Training settings for a Glow; every one is a command-line option."""

    dataset: str = field(
        default="data/fashion-mnist", metadata={"help": "image folder or Hub dataset id"}
    )
    dataset_name: str = field(
        default="", metadata={"help": "name in the card (default: folder name)"}
    )
    dataset_license: str = "mit"
    output_dir: str = field(
        default="checkpoints/flow-fashion-mnist", metadata={"help": "Hub folder"}
    )
    title: str = "Glow"
    image_size: int = 28
    channels: int = 1
    levels: int = field(default=2, metadata={"help": "squeeze-and-split levels"})
    steps_per_level: int = field(default=8, metadata={"help": "Glow steps (K) per level"})
    hidden_channels: int = field(default=128, metadata={"help": "width of each coupling's net"})
    preprocessing: str = field(
        default="logit", metadata={"help": f"pixels to the flow: {' or '.join(PREPROCESSING)}"}
    )
    logit_alpha: float = 0.05
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    warmup_fraction: float = field(default=0.05, metadata={"help": "of the steps, lr rising"})
    max_grad_norm: float = 50.0
    mixed_precision: str = field(
        default="no", metadata={"help": "float32 by default: exact inverses and log-dets"}
    )
    init_images: int = field(default=512, metadata={"help": "training images for actnorm init"})
    eval_images: int = field(default=1000, metadata={"help": "test images measured at each grid"})
    temperature: float = field(
        default=0.7, metadata={"help": "of the card's samples and its headline distance"}
    )
    extra_temperatures: list[float] = field(
        default_factory=lambda: [1.0],
        metadata={"help": "the samples' distance is measured at these temperatures too"},
    )
    fd_images: int = field(
        default=2000,
        metadata={"help": "samples, test and training images per distance (0: not measured)"},
    )
    examples: int = field(default=2000, metadata={"help": "test images shipped for the gallery"})


PRESETS = {
    "flow-fashion-mnist": dict(
        dataset="data/fashion-mnist",
        output_dir="checkpoints/flow-fashion-mnist",
        title="Glow, multi-scale, Fashion-MNIST",
        steps_per_level=16,
        hidden_channels=128,
        epochs=10,  # 9,370 steps of about 0.72 s on 2 CPU cores: about 2 hours
        sample_every=500,
        checkpoint_every=250,  # about every 3 minutes
    ),
}


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    train_data, test_data = load_data(settings)
    model = build_model(settings, train_data)
    train(settings, model, train_data, test_data, accelerator)
    if accelerator.is_main_process:
        model = accelerator.unwrap_model(model).float().eval().cpu()
        model = model.to(memory_format=torch.contiguous_format)
        metrics = [bits_per_dim_metric(mean_bits_per_dim(model, test_data.images))]
        metrics += measure_samples(settings, model, train_data, test_data)
        save_hub_folder(settings, model, test_data, metrics, command)
        training.push_if_asked(settings)
    accelerator.end_training()


def load_data(settings: Settings) -> tuple[ImageTensors, ImageTensors]:
    size, channels = settings.image_size, settings.channels
    train_data = load_split(settings.dataset, "train", size, channels, settings.train_limit or None)
    test_data = load_split(settings.dataset, "test", size, channels, settings.test_limit or None)
    return train_data, test_data


def build_model(settings: Settings, train_data: ImageTensors) -> Glow:
    """A Glow whose actnorms are initialised on `init_images` training images in a seeded order
    (the same in every process; a resumed run then loads its checkpoint over them), its
    convolutions' weights laid out channels-last for training."""
    model = Glow(
        image_size=settings.image_size,
        in_channels=settings.channels,
        levels=settings.levels,
        steps_per_level=settings.steps_per_level,
        hidden_channels=settings.hidden_channels,
        preprocessing=settings.preprocessing,
        logit_alpha=settings.logit_alpha,
        class_names=train_data.class_names,
    )
    seeded = torch.Generator().manual_seed(settings.seed)
    first = torch.randperm(len(train_data.images), generator=seeded)[: settings.init_images]
    model.initialize(train_data.images[first], seeded)
    return model.to(memory_format=torch.channels_last)  # about 1.3x faster on the CPU


def train(
    settings: Settings, model: Glow, train_data: ImageTensors, test_data: ImageTensors, accelerator
) -> None:
    """The loop: batches -> bits per dimension -> step; grids, test figures, logs and
    checkpoints along the way."""
    loader = DataLoader(
        TensorDataset(train_data.images), settings.batch_size, shuffle=True, drop_last=True
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    # accelerate steps a prepared scheduler once per process at every optimizer step
    schedule = accelerator.prepare(
        torch.optim.lr_scheduler.OneCycleLR(
            optimizer,
            settings.learning_rate,
            total_steps=max(total * accelerator.num_processes, 2),
            pct_start=settings.warmup_fraction,
        )
    )
    checkpoints = training.Checkpoints(accelerator, settings.run_path)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "flow", settings)
    held_out = test_data.images[: settings.eval_images]

    def draw(step: int) -> None:
        unwrapped = accelerator.unwrap_model(model)
        save_grid_and_test_figure(unwrapped, held_out, settings, step, accelerator)

    losses = training.RunningLosses()
    steps = training.Steps(accelerator, loader, start, total, settings, checkpoints)
    for step, (batch,) in steps:
        losses.add(**train_step(model, batch, optimizer, schedule, accelerator, settings))
        steps.end(step, losses, draw, lr=schedule.get_last_lr()[0])


def train_step(
    model, images, optimizer, schedule, accelerator, settings: Settings
) -> dict[str, float]:
    model.train()
    with accelerator.autocast():
        loss = model(images).mean()  # bits per dimension, dequantised afresh
    optimizer.zero_grad(set_to_none=True)
    accelerator.backward(loss)
    accelerator.clip_grad_norm_(model.parameters(), settings.max_grad_norm)
    optimizer.step()
    schedule.step()
    return {"bits_per_dim": loss.item()}


@torch.no_grad()
def save_grid_and_test_figure(
    model: Glow, held_out: torch.Tensor, settings: Settings, step: int, accelerator
) -> None:
    """Samples at the card's temperature from fixed noise, and the bits per dimension of the
    first `eval_images` test images, logged."""
    if not accelerator.is_main_process:
        return
    model.eval()
    generator = torch.Generator().manual_seed(settings.seed)
    samples = model.sample(64, settings.temperature, generator).float().cpu()
    grid = make_grid(samples, rows=8, padding=1)
    training.save_sample(grid, settings.run_path, "samples", step, accelerator)
    bits = mean_bits_per_dim(model, held_out, seed=settings.seed)
    accelerator.log({"test/bits_per_dim": bits}, step=step)
    accelerator.print(f"step {step}: {bits:.4f} bits/dim on {len(held_out)} test images")


@torch.no_grad()
def measure_samples(
    settings: Settings, model: Glow, train_data: ImageTensors, test_data: ImageTensors
) -> list[Metric]:
    """The Fréchet distance of `fd_images` samples at each temperature to as many test images,
    beside the floor of as many training images (as the DCGAN's card measures it); none when
    `fd_images` is 0."""
    count = fd_count(settings, test_data)
    if not count:
        return []
    seeded = torch.Generator().manual_seed(settings.seed)
    test = test_data.floats()[torch.randperm(len(test_data.images), generator=seeded)[:count]]
    train = train_data.floats()[torch.randperm(len(train_data.images), generator=seeded)[:count]]
    test_features = image_features(test)
    floor = frechet_distance(image_features(train), test_features)
    extra = [t for t in settings.extra_temperatures if t != settings.temperature]
    metrics = []
    for temperature in [settings.temperature, *extra]:
        samples = draw_samples(model, count, temperature, seeded)
        distance = frechet_distance(image_features(samples), test_features)
        headline = temperature == settings.temperature
        metrics.append(frechet_metric(temperature, distance, floor, headline))
    return metrics


def draw_samples(
    model: Glow, count: int, temperature: float, generator: torch.Generator, batch_size: int = 500
) -> torch.Tensor:
    """`count` samples at `temperature`, in batches, on the CPU as float32 in [0, 1]."""
    sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
    return torch.cat([model.sample(n, temperature, generator).float().cpu() for n in sizes])


def fd_count(settings: Settings, test_data: ImageTensors) -> int:
    """How many images each set of a Fréchet distance holds."""
    return min(settings.fd_images, len(test_data.images))


def save_hub_folder(
    settings: Settings,
    model: Glow,
    test_data: ImageTensors,
    metrics: list[Metric],
    command: str,
) -> None:
    """Weights, config, shipped examples, samples and the model card, in `output_dir`."""
    folder = Path(settings.output_dir)
    model.save_pretrained(folder)
    shipped = min(settings.examples, len(test_data.images))
    hub.save_examples(
        folder, {"images": test_data.images[:shipped], "labels": test_data.labels[:shipped]}
    )
    generator = torch.Generator().manual_seed(settings.seed)
    samples = model.sample(64, settings.temperature, generator)
    make_grid(samples, rows=8, padding=1).save(folder / SAMPLES_FILE)
    facts = flow_card(
        settings,
        command,
        parameters=parameter_count(model),
        metrics=metrics,
        shipped=shipped,
        compared=fd_count(settings, test_data),
        images={f"Samples at temperature {settings.temperature:g}": SAMPLES_FILE},
    )
    finish_hub_folder(folder, facts, settings)


if __name__ == "__main__":
    main()
