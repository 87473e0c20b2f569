"""Train a convolutional VAE on an image folder or a Hub image dataset, and write a Hub folder.

    python training/train_vae.py --preset vae-fashion-mnist
    torchrun --nproc_per_node 2 training/train_vae.py --preset vae-mnist --max_steps 20
    python training/train_vae.py --dataset user/some-dataset --output_dir out --push_to_hub \
        --hub_model_id user/my-vae

See `Settings` for every option (`--help` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

from genzoo import hub, training
from genzoo.data import ImageTensors, load_split
from genzoo.evaluation import Metric, evaluate_vae
from genzoo.images import make_grid
from genzoo.model_cards import finish_hub_folder, parameter_count
from genzoo.model_cards.vae import MANIFOLD_FILE, SAMPLES_FILE, vae_card
from genzoo.models.vae import VAE, negative_elbo


@dataclass
class Settings(training.RunSettings):
    """Training settings for a VAE; every one is a command-line option."""

    dataset: str = field(
        default="data/fashion-mnist", metadata={"help": "image folder or Hub dataset id"}
    )
    dataset_name: str = field(
        default="", metadata={"help": "name in the card (default: folder name)"}
    )
    dataset_license: str = "mit"
    output_dir: str = field(
        default="checkpoints/vae-fashion-mnist", metadata={"help": "Hub folder"}
    )
    title: str = "VAE"
    image_size: int = 28
    channels: int = 1
    latent_dim: int = 2
    hidden_channels: list[int] = field(default_factory=lambda: [32, 64])
    hidden_features: int = 256
    epochs: int = 30
    batch_size: int = 128
    learning_rate: float = 2e-3
    beta: float = field(default=1.0, metadata={"help": "weight of the KL term"})
    examples: int = field(default=2000, metadata={"help": "test images shipped for the gallery"})


PRESETS = {
    "vae-fashion-mnist": dict(
        dataset="data/fashion-mnist",
        output_dir="checkpoints/vae-fashion-mnist",
        title="VAE with a 2-D latent, Fashion-MNIST",
        epochs=20,
    ),
    "vae-fashion-mnist-16d": dict(
        dataset="data/fashion-mnist",
        output_dir="checkpoints/vae-fashion-mnist-16d",
        title="VAE with a 16-D latent, Fashion-MNIST",
        epochs=20,
        latent_dim=16,
    ),
    "vae-mnist": dict(
        dataset="data/mnist",
        output_dir="checkpoints/vae-mnist",
        title="VAE with a 2-D latent, MNIST digits",
        epochs=50,
    ),
}


def main(argv: list[str] | None = None) -> None:
    settings, command, accelerator = training.begin(Settings, PRESETS, argv, __file__)
    train_data, test_data = load_data(settings)
    model = build_model(settings, train_data.class_names)
    train(settings, model, train_data, test_data, accelerator)
    if accelerator.is_main_process:
        model = accelerator.unwrap_model(model).float().eval().cpu()
        metrics = evaluate_vae(model, test_data.floats())
        save_hub_folder(settings, model, test_data, metrics, command)
        training.push_if_asked(settings)
    accelerator.end_training()


def load_data(settings: Settings) -> tuple[ImageTensors, ImageTensors]:
    size, channels = settings.image_size, settings.channels
    train_data = load_split(settings.dataset, "train", size, channels, settings.train_limit or None)
    test_data = load_split(settings.dataset, "test", size, channels, settings.test_limit or None)
    return train_data, test_data


def build_model(settings: Settings, class_names: list[str]) -> VAE:
    return VAE(
        image_size=settings.image_size,
        in_channels=settings.channels,
        latent_dim=settings.latent_dim,
        hidden_channels=settings.hidden_channels,
        hidden_features=settings.hidden_features,
        class_names=class_names,
    )


def train(
    settings: Settings, model: VAE, train_data: ImageTensors, test_data: ImageTensors, accelerator
) -> None:
    """The loop: batches -> negative ELBO -> step; grids, logs and checkpoints along the way."""
    loader = DataLoader(
        TensorDataset(train_data.images), settings.batch_size, shuffle=True, drop_last=True
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, weight_decay=0.0)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    total = training.total_steps(settings.epochs, len(loader), settings.max_steps)
    # accelerate steps a prepared scheduler once per process at every optimizer step
    schedule = accelerator.prepare(
        torch.optim.lr_scheduler.OneCycleLR(
            optimizer, settings.learning_rate, total_steps=max(total * accelerator.num_processes, 2)
        )
    )
    checkpoints = training.Checkpoints(accelerator, settings.run_path)
    start = checkpoints.resume() if settings.resume else 0
    training.start_logging(accelerator, "vae", settings)
    seeded = torch.Generator().manual_seed(settings.seed)
    fixed_z = torch.randn(64, settings.latent_dim, generator=seeded)
    fixed_x = test_data.floats()[:32]

    def draw(step: int) -> None:
        unwrapped = accelerator.unwrap_model(model)
        save_grids(unwrapped, fixed_z, fixed_x, settings.run_path, step, accelerator)

    losses = training.RunningLosses()
    steps = training.Steps(accelerator, loader, start, total, settings, checkpoints)
    for step, (batch,) in steps:
        terms = train_step(model, batch.float() / 255.0, optimizer, schedule, accelerator, settings)
        losses.add(**terms)
        steps.end(step, losses, draw, lr=schedule.get_last_lr()[0])


def train_step(model, x, optimizer, schedule, accelerator, settings: Settings) -> dict[str, float]:
    model.train()
    with accelerator.autocast():
        terms = negative_elbo(model(x), x, settings.beta)
    optimizer.zero_grad(set_to_none=True)
    accelerator.backward(terms["loss"])
    optimizer.step()
    schedule.step()
    return {k: v.item() for k, v in terms.items()}


@torch.no_grad()
def save_grids(
    model: VAE, fixed_z: torch.Tensor, fixed_x: torch.Tensor, run_dir: Path, step: int, accelerator
) -> None:
    if not accelerator.is_main_process:
        return
    model.eval()
    samples = model.decode(fixed_z.to(model.device)).float().cpu()
    reconstructions = model.decode(model.encode(fixed_x.to(model.device))[0]).float().cpu()
    pairs = torch.stack([fixed_x, reconstructions], 1).flatten(0, 1)
    training.save_sample(
        make_grid(samples, rows=8, padding=1), run_dir, "samples", step, accelerator
    )
    training.save_sample(
        make_grid(pairs, rows=8, padding=1), run_dir, "reconstructions", step, accelerator
    )


def save_examples(folder: Path, test_data: ImageTensors, count: int) -> None:
    """Ship the first `count` test images and labels, for the gallery's map and pickers."""
    tensors = {"images": test_data.images[:count], "labels": test_data.labels[:count]}
    hub.save_examples(folder, tensors)


def save_hub_folder(
    settings: Settings,
    model: VAE,
    test_data: ImageTensors,
    metrics: list[Metric],
    command: str,
) -> None:
    """Weights, config, shipped examples, sample grids and the model card, in `output_dir`."""
    folder = Path(settings.output_dir)
    model.save_pretrained(folder)
    save_examples(folder, test_data, settings.examples)
    facts = vae_card(
        settings,
        command,
        latent_dim=model.latent_dim,
        parameters=parameter_count(model),
        metrics=metrics,
        shipped=min(settings.examples, len(test_data.images)),
        images=save_pictures(settings, model, folder),
    )
    finish_hub_folder(folder, facts, settings)


@torch.no_grad()
def save_pictures(settings: Settings, model: VAE, folder: Path) -> dict[str, str]:
    """Samples from the prior, and for a 2-D latent the learned manifold, saved in `folder`;
    returns their captions and files."""
    z = torch.randn(64, model.latent_dim, generator=torch.Generator().manual_seed(settings.seed))
    make_grid(model.decode(z), rows=8, padding=1).save(folder / SAMPLES_FILE)
    images = {"Samples from the prior": SAMPLES_FILE}
    if model.latent_dim == 2:
        ticks = torch.linspace(-3, 3, 20)
        ys, xs = torch.meshgrid(-ticks, ticks, indexing="ij")
        grid = model.decode(torch.stack([xs.flatten(), ys.flatten()], 1))
        make_grid(grid, rows=20).save(folder / MANIFOLD_FILE)
        images["The learned manifold, z in [-3, 3]^2"] = MANIFOLD_FILE
    return images


if __name__ == "__main__":
    main()
