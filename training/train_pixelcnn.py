"""Train a Gated PixelCNN on an image folder or a Hub image dataset, and write a Hub folder.

    python training/train_pixelcnn.py --preset pixelcnn-fashion-mnist
    python training/train_pixelcnn.py --preset pixelcnn-fashion-mnist --output logistic_mixture \
        --output_dir out/pixelcnn-mixture
    python training/train_pixelcnn.py --dataset user/some-dataset --output_dir out --push_to_hub \
        --hub_model_id user/my-pixelcnn

The loss is the exact negative log-likelihood of the 8-bit pixels, in bits per dimension. The
card reports the same on the whole test split, and the Fréchet distance of `fd_images` samples to
test images, beside its real-vs-real floor. See `Settings` for every option (`--help` lists them).
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

from genzoo import hub, training
from genzoo.data import ImageTensors, load_split
from genzoo.evaluation import Metric, evaluate_samples
from genzoo.images import make_grid
from genzoo.likelihood import BITS_PER_DIM_KEY
from genzoo.model_cards import finish_hub_folder, parameter_count
from genzoo.model_cards.pixelcnn import SAMPLES_FILE, pixelcnn_card
from genzoo.models.pixelcnn import LEVELS, OUTPUTS, GatedPixelCNN
from genzoo.samplers.autoregressive import sample


@dataclass
class Settings(training.RunSettings):
    """Training settings for a Gated PixelCNN; every one is a command-line option."""

    dataset: str = field(
        default="data/fashion-mnist", metadata={"help": "image folder or Hub dataset id"}
    )
    dataset_name: str = field(
        default="", metadata={"help": "name in the card (default: folder name)"}
    )
    dataset_license: str = "mit"
    output_dir: str = field(
        default="checkpoints/pixelcnn-fashion-mnist", metadata={"help": "Hub folder"}
    )
    title: str = "Gated PixelCNN"
    image_size: int = 28
    channels: int = field(default=64, metadata={"help": "channels of each stack"})
    layers: int = field(default=10, metadata={"help": "gated layers"})
    kernel_size: int = field(default=3, metadata={"help": "odd: each layer's reach is half"})
    head_channels: int = 128
    output: str = field(
        default="softmax", metadata={"help": f"the output head: {' or '.join(OUTPUTS)}"}
    )
    mixture_components: int = field(default=5, metadata={"help": "for logistic_mixture"})
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = field(default=1e-3, metadata={"help": "Adam's, cosine to zero"})
    grid_images: int = field(default=16, metadata={"help": "images drawn for each grid"})
    fd_images: int = field(
        default=2000, metadata={"help": "samples, test and training images in the distance"}
    )
    examples: int = field(default=200, metadata={"help": "test images shipped for the gallery"})


PRESETS = {
    "pixelcnn-fashion-mnist": dict(
        dataset="data/fashion-mnist",
        output_dir="checkpoints/pixelcnn-fashion-mnist",
        title="Gated PixelCNN, Fashion-MNIST",
        output="logistic_mixture",  # docs/experiments/pixelcnn.md: ahead at equal CPU time
        epochs=2,  # 1,874 steps of about 5.5 CPU-seconds (one thread of the 2-core EPYC)
        sample_every=600,
        checkpoint_every=100,  # every few minutes
        grid_images=9,  # each grid is 784 passes of the network (the naive sampler)
    ),
}


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    train_data, test_data = load_data(settings)
    model = build_model(settings)
    cpu_seconds = train(settings, model, train_data, accelerator)
    if accelerator.is_main_process:
        model = accelerator.unwrap_model(model).float().eval().cpu()
        metrics = evaluate(model, train_data, test_data, settings)
        compared = fd_count(settings, train_data, test_data)
        save_hub_folder(settings, model, test_data, metrics, command, cpu_seconds, compared)
        training.push_if_asked(settings)
    accelerator.end_training()


def load_data(settings: Settings) -> tuple[ImageTensors, ImageTensors]:
    size = settings.image_size
    train_data = load_split(settings.dataset, "train", size, 1, settings.train_limit or None)
    test_data = load_split(settings.dataset, "test", size, 1, settings.test_limit or None)
    return train_data, test_data


def build_model(settings: Settings) -> GatedPixelCNN:
    return GatedPixelCNN(
        image_size=settings.image_size,
        channels=settings.channels,
        layers=settings.layers,
        kernel_size=settings.kernel_size,
        head_channels=settings.head_channels,
        output=settings.output,
        mixture_components=settings.mixture_components,
    )


def train(settings: Settings, model: GatedPixelCNN, train_data: ImageTensors, accelerator) -> float:
    """The loop: batches -> bits per dimension -> step; grids, logs and checkpoints on the way.
    Returns the CPU seconds it took, over every sitting."""
    loader = DataLoader(
        TensorDataset(train_data.images), settings.batch_size, shuffle=True, drop_last=True
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    schedule = training.learning_rate_schedule(accelerator, optimizer, total, cosine=True)
    checkpoints = training.Checkpoints(accelerator, settings.run_path)
    clock = ProcessorTime(accelerator)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "pixelcnn", settings)

    def draw(step: int) -> None:
        if accelerator.is_main_process:
            grid = sample_grid(accelerator.unwrap_model(model), settings)[0]
            training.save_sample(grid, settings.run_path, "samples", step, accelerator)

    losses = training.RunningLosses()
    steps = training.Steps(accelerator, loader, start, total, settings, checkpoints)
    for step, (batch,) in steps:
        losses.add(bits_per_dim=train_step(model, batch, optimizer, schedule, accelerator))
        steps.end(step, losses, draw, lr=schedule.get_last_lr()[0], cpu_seconds=clock.seconds)
    return clock.seconds


def train_step(model, images: torch.Tensor, optimizer, schedule, accelerator) -> float:
    """One step on (B, 1, H, W) uint8 images; returns their bits per dimension."""
    model.train()
    with accelerator.autocast():
        params = model(images)  # through the wrapper, for distributed gradients
    log_prob = accelerator.unwrap_model(model).pixel_log_prob(params, images)
    loss = -log_prob.mean() / math.log(2)
    training.optimizer_step(accelerator, optimizer, loss)
    schedule.step()
    return loss.item()


class ProcessorTime:
    """The CPU seconds this process has trained for, over every sitting of a resumed run: saved
    and restored with the run's checkpoints."""

    def __init__(self, accelerator):
        self.earlier, self.started = 0.0, time.process_time()
        accelerator.register_for_checkpointing(self)

    @property
    def seconds(self) -> float:
        return self.earlier + time.process_time() - self.started

    def state_dict(self) -> dict:
        return {"seconds": self.seconds}

    def load_state_dict(self, state: dict) -> None:
        self.earlier, self.started = state["seconds"], time.process_time()


SAMPLING_THREADS = 1  # docs/experiments/pixelcnn.md: on the shared 2-core CPU, 2 threads lose
SAMPLES_PER_CALL = 250  # more cost the caches memory and hardly less time an image


@torch.no_grad()
def evaluate(
    model: GatedPixelCNN,
    train_data: ImageTensors,
    test_data: ImageTensors,
    settings: Settings,
    batch_size: int = 500,
) -> list[Metric]:
    """The exact bits per dimension of the test split, beside those of a model of each pixel
    alone (its histogram over the training split); and the samples' Fréchet distance
    (`sample_distance`)."""
    model.eval()
    bits = torch.cat([model.bits_per_dim(batch) for batch in test_data.images.split(batch_size)])
    likelihood = Metric(
        BITS_PER_DIM_KEY,
        "Bits per dimension (exact, test split, 8-bit pixels)",
        bits.mean().item(),
        reference=histogram_bits_per_dim(train_data.images, test_data.images),
        reference_name="each pixel's own histogram over the training split",
    )
    return [likelihood, *sample_distance(model, train_data, test_data, settings)]


def fd_count(settings: Settings, train_data: ImageTensors, test_data: ImageTensors) -> int:
    """The images in each set of the distance: `fd_images`, or fewer if a split is smaller."""
    return min(settings.fd_images, len(train_data.images), len(test_data.images))


def sample_distance(
    model: GatedPixelCNN, train_data: ImageTensors, test_data: ImageTensors, settings: Settings
) -> list[Metric]:
    """The Fréchet distance of `fd_count` samples to as many test images, beside the floor of as
    many training images, both drawn at random from the run's seed (as the DCGAN's card)."""
    seeded = torch.Generator().manual_seed(settings.seed)
    count = fd_count(settings, train_data, test_data)
    test = test_data.floats()[torch.randperm(len(test_data.images), generator=seeded)[:count]]
    reference = train_data.floats()[
        torch.randperm(len(train_data.images), generator=seeded)[:count]
    ]
    samples = draw_samples(model, count, settings.seed)
    return evaluate_samples(samples.float() / 255, test, reference)


def draw_samples(model: GatedPixelCNN, count: int, seed: int) -> torch.Tensor:
    """`count` samples (count, 1, H, W) uint8, `SAMPLES_PER_CALL` a call to the sampler, the
    i-th call seeded `seed + i`: the first call's first images are the grid's."""
    starts = range(0, count, SAMPLES_PER_CALL)
    with sampling_threads():
        return torch.cat(
            [
                sample(model, count=min(SAMPLES_PER_CALL, count - start), seed=seed + index)
                for index, start in enumerate(starts)
            ]
        )


@contextlib.contextmanager
def sampling_threads():
    """torch on `SAMPLING_THREADS` threads while sampling, and as many as before afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(SAMPLING_THREADS)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def histogram_bits_per_dim(train_images: torch.Tensor, test_images: torch.Tensor) -> float:
    """Bits per dimension of `test_images` when each pixel is drawn from its own histogram of
    values in `train_images` (add-one smoothed): a model that sees no other pixel."""
    train_pixels = train_images.flatten(1).long().T  # (D, N)
    counts = torch.ones(train_pixels.shape[0], LEVELS)
    counts.scatter_add_(1, train_pixels, torch.ones(train_pixels.shape))
    log_probs = (counts / counts.sum(1, keepdim=True)).log()  # (D, 256)
    nats = -log_probs.gather(1, test_images.flatten(1).long().T).mean()
    return nats.item() / math.log(2)


def sample_grid(model: GatedPixelCNN, settings: Settings):
    """`grid_images` samples drawn in one batch from the run's seed, as a grid; and the seconds
    they took an image."""
    model.eval()
    started = time.perf_counter()
    with sampling_threads():
        images = sample(model, count=settings.grid_images, seed=settings.seed)
    seconds = (time.perf_counter() - started) / settings.grid_images
    rows = math.isqrt(settings.grid_images)
    return make_grid(images.float() / 255, rows=rows, padding=1), seconds


def save_hub_folder(
    settings: Settings,
    model: GatedPixelCNN,
    test_data: ImageTensors,
    metrics: list[Metric],
    command: str,
    cpu_seconds: float,
    compared: int,
) -> None:
    """Weights, config, shipped examples, samples and the model card, in `output_dir`; the
    metrics' distance compared `compared` samples."""
    folder = Path(settings.output_dir)
    model.save_pretrained(folder)
    shipped = min(settings.examples, len(test_data.images))
    examples = {"images": test_data.images[:shipped], "labels": test_data.labels[:shipped]}
    hub.save_examples(folder, examples)
    grid, seconds = sample_grid(model, settings)
    grid.save(folder / SAMPLES_FILE)
    facts = pixelcnn_card(
        settings,
        command,
        parameters=parameter_count(model),
        metrics=metrics,
        measured=len(test_data.images),
        shipped=shipped,
        cpu_seconds=cpu_seconds,
        sampling_seconds=seconds,
        compared=compared,
    )
    finish_hub_folder(folder, facts, settings)


if __name__ == "__main__":
    main()
