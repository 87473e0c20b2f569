"""Machinery every training script shares: settings from the command line, an accelerate setup
with TensorBoard logging, resumable checkpoints, sample grids, and the run's provenance.

A script's run folder (`runs/<name>` unless told otherwise) holds what only training needs:
`checkpoints/step-N` (accelerate state), `logs/` (TensorBoard) and `samples/` (grids). The Hub
folder it finally writes (`genzoo.model_cards`) holds only what inference needs.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import shlex
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import DataLoaderConfiguration, ProjectConfiguration, set_seed
from diffusers.optimization import get_scheduler
from diffusers.training_utils import EMAModel
from PIL import Image
from tqdm.auto import tqdm
from transformers import HfArgumentParser

from genzoo.history import CURVE_FILE
from genzoo.hub import publish

Settings = TypeVar("Settings")


@dataclass
class RunSettings:
    """The options every training script shares; a script's own `Settings` extends these."""

    output_dir: str = field(default="", metadata={"help": "the Hub folder to write"})
    run_dir: str = field(default="", metadata={"help": "checkpoints, logs, grids (runs/<name>)"})
    title: str = ""
    epochs: int = 10
    max_steps: int = field(default=0, metadata={"help": "stop after this many steps (0: no limit)"})
    batch_size: int = 16
    learning_rate: float = 2e-4
    train_limit: int = field(default=0, metadata={"help": "use only N training images (0: all)"})
    test_limit: int = field(default=0, metadata={"help": "use only N test images (0: all)"})
    sample_every: int = 500
    checkpoint_every: int = 1000
    resume: bool = field(default=False, metadata={"help": "continue from the latest checkpoint"})
    mixed_precision: str = field(default="auto", metadata={"help": "auto, no, fp16 or bf16"})
    seed: int = 0
    push_to_hub: bool = False
    hub_model_id: str = ""
    hub_private: bool = False

    @property
    def run_path(self) -> Path:
        """Where checkpoints, logs and grids go: `run_dir`, or runs/<output folder name>."""
        return Path(self.run_dir or Path("runs") / Path(self.output_dir).name)


def parse_settings(
    cls: type[Settings], presets: dict[str, dict], argv: list[str] | None = None
) -> Settings:
    """Build `cls` (a dataclass) from the command line; `--preset NAME` sets defaults first."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = HfArgumentParser(cls, description=cls.__doc__)
    parser.add_argument("--preset", choices=sorted(presets), help="a named set of defaults")
    preset, _ = parser.parse_known_args(argv)
    if preset.preset:
        parser.set_defaults(**presets[preset.preset])
    settings, _preset = parser.parse_args_into_dataclasses(argv, look_for_args_file=False)
    return settings


def begin(
    cls: type[Settings], presets: dict[str, dict], argv: list[str] | None, script: str
) -> tuple[Settings, str, Accelerator]:
    """The start of every training script's `main()`: its settings (`parse_settings`), the
    command that started it (`command_line`), and an accelerator logging to its run folder."""
    settings = parse_settings(cls, presets, argv)
    accelerator = make_accelerator(settings.run_path, settings.mixed_precision, settings.seed)
    return settings, command_line(script, argv), accelerator


def command_line(script: str, argv: list[str] | None) -> str:
    """The command that started this run, as one would type it again from the repo root (a
    resumed sitting's without `--resume`: it is the same run)."""
    path = Path(script).resolve()
    with contextlib.suppress(ValueError):
        path = path.relative_to(Path.cwd())
    args = [arg for arg in (sys.argv[1:] if argv is None else argv) if arg != "--resume"]
    launcher = f"torchrun --nproc_per_node {_world_size()} " if _world_size() > 1 else ""
    return launcher + shlex.join(["python", str(path), *args])


def _world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def make_accelerator(run_dir: Path, mixed_precision: str, seed: int) -> Accelerator:
    """An Accelerator logging to TensorBoard in `run_dir/logs`; on a GPU, bf16 when 'auto', and
    TF32 for what stays in float32."""
    if mixed_precision == "auto":
        mixed_precision = "bf16" if torch.cuda.is_available() else "no"
    if torch.cuda.is_available():
        torch.set_float32_matmul_precision("high")
    accelerator = Accelerator(
        cpu=not torch.cuda.is_available(),  # under torchrun without GPUs: a gloo group on the CPU
        mixed_precision=mixed_precision,
        log_with="tensorboard",
        project_config=ProjectConfiguration(
            project_dir=str(run_dir), logging_dir=str(run_dir / "logs")
        ),
        dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True),
    )
    set_seed(seed, device_specific=False)
    return accelerator


def start_logging(accelerator: Accelerator, name: str, settings) -> None:
    config = {k: v for k, v in asdict(settings).items() if isinstance(v, int | float | str | bool)}
    accelerator.init_trackers(name, config=config)


def epoch_batches(accelerator: Accelerator, loader, epoch: int, skip: int):
    """The batches of `epoch` in its seeded order, without the first `skip` (after a resume)."""
    loader.set_epoch(epoch)
    batches = iter(accelerator.skip_first_batches(loader, skip) if skip else loader)
    state = torch.get_rng_state()
    first = next(batches, None)  # starting the epoch draws its seed from the global generator
    if skip:  # an unbroken run drew it at the epoch's start, before the checkpoint restored here
        torch.set_rng_state(state)
    return itertools.chain([] if first is None else [first], batches)


class RunningLosses:
    """Means of each loss since the last `pop()`: smooth numbers for the bar and the logs."""

    def __init__(self):
        self.sums, self.counts = defaultdict(float), defaultdict(int)

    def add(self, **losses: torch.Tensor | float) -> None:
        for name, value in losses.items():
            self.sums[name] += value.item() if isinstance(value, torch.Tensor) else value
            self.counts[name] += 1

    def means(self) -> dict[str, float]:
        return {name: self.sums[name] / self.counts[name] for name in self.sums}

    def pop(self) -> dict[str, float]:
        means = self.means()
        self.sums.clear()
        self.counts.clear()
        return means


LOG_EVERY = 50  # steps between the logged means of the losses


class Steps:
    """The training loop's iterator: `for step, batch in Steps(...)` runs from `start` to `total`
    optimizer steps through the prepared `loader`, epoch after epoch in seeded order, skipping
    the batches a resumed run already saw, with a progress bar (`show(**numbers)`); `end(...)`
    is every step's tail: logs, grids and checkpoints."""

    def __init__(
        self,
        accelerator: Accelerator,
        loader,
        start: int,
        total: int,
        settings=None,
        checkpoints: Checkpoints | None = None,
    ):
        self.accelerator = accelerator
        self.loader = loader
        self.start = start
        self.total = total
        self.settings = settings
        self.checkpoints = checkpoints
        self.per_epoch = len(loader)
        self.bar = tqdm(total=total, initial=start, disable=not accelerator.is_local_main_process)

    def __iter__(self):
        step = self.start
        while step < self.total:
            epoch = step // self.per_epoch
            for batch in epoch_batches(self.accelerator, self.loader, epoch, step % self.per_epoch):
                step += 1
                yield step, batch
                self.bar.update()
                if step >= self.total:
                    break
        self.bar.close()

    def show(self, **numbers: float) -> None:
        self.bar.set_postfix({k: f"{v:.3g}" for k, v in numbers.items()}, refresh=False)

    def end(self, step: int, losses: RunningLosses, draw, **logged: float) -> None:
        """After step `step`: the bar shows the running losses; every `LOG_EVERY` steps their
        means (and `logged`, the learning rate say) go to TensorBoard and to the run's training
        curve; every `sample_every` steps `draw(step)` saves a grid, and every `checkpoint_every` a
        checkpoint is saved; at the last step, all three. `draw` takes the step."""
        last = step == self.total
        self.show(**losses.means())
        if step % LOG_EVERY == 0 or last:
            means = {f"loss/{k}": v for k, v in losses.pop().items()} | logged
            self.accelerator.log(means, step=step)
            if self.accelerator.is_main_process:
                with open(self.settings.run_path / CURVE_FILE, "a") as curve:
                    curve.write(json.dumps({"step": step} | means) + "\n")
        if step % self.settings.sample_every == 0 or last:
            draw(step)
        if step % self.settings.checkpoint_every == 0 or last:
            self.checkpoints.save(step)


def optimizer_step(accelerator: Accelerator, optimizer, loss: torch.Tensor) -> None:
    """Gradients of `loss` (the old ones dropped) through the accelerator, and one step."""
    optimizer.zero_grad(set_to_none=True)
    accelerator.backward(loss)
    optimizer.step()


def total_steps(epochs: int, loader_length: int, max_steps: int) -> int:
    """Steps for `epochs` passes over a loader of `loader_length` batches, capped by `max_steps`
    (said on the console when the epochs end training first)."""
    total = epochs * loader_length
    if max_steps > total:
        print(
            f"--max_steps {max_steps} is more than {epochs} epochs of {loader_length} batches "
            f"give: training stops at step {total}. Raise --epochs to go further."
        )
    return min(total, max_steps) if max_steps else total


def learning_rate_schedule(accelerator: Accelerator, optimizer, total: int, cosine: bool):
    """diffusers' constant schedule, or its cosine to zero over `total` steps, registered for
    checkpoints; step it once after each optimizer step."""
    schedule = get_scheduler(
        "cosine" if cosine else "constant",
        optimizer,
        num_warmup_steps=0,
        num_training_steps=total,
    )
    accelerator.register_for_checkpointing(schedule)
    return schedule


def moving_average(parameters, decay: float, accelerator: Accelerator) -> EMAModel:
    """An exponential moving average of `parameters` on the run's device, saved and restored
    with the run's checkpoints."""
    average = EMAModel(parameters, decay=decay)
    average.to(accelerator.device)
    accelerator.register_for_checkpointing(average)
    return average


class Draws:
    """Seeded generators for a training loop's own random draws, `.torch` (a `torch.Generator`)
    and `.python` (a `random.Random`), saved and restored with the run's checkpoints, so that a
    resumed run draws what an unbroken one would."""

    def __init__(self, seed: int, accelerator: Accelerator):
        self.torch, self.python = torch.Generator().manual_seed(seed), random.Random(seed)
        accelerator.register_for_checkpointing(self)

    def state_dict(self) -> dict:
        return {"torch": self.torch.get_state(), "python": self.python.getstate()}

    def load_state_dict(self, state: dict) -> None:
        self.torch.set_state(state["torch"])
        self.python.setstate(state["python"])


class Checkpoints:
    """Accelerate state saved as `run_dir/checkpoints/step-N`, and the latest one found again.

    Each checkpoint also records the seconds of training behind it, counted over every sitting
    of a resumed run (see `training_seconds`)."""

    def __init__(self, accelerator: Accelerator, run_dir: Path, keep: int = 2):
        self.accelerator = accelerator
        self.folder = run_dir / "checkpoints"
        self.keep = keep
        self.started = time.perf_counter()
        self.earlier_seconds = 0.0

    def save(self, step: int) -> None:
        path = self.folder / f"step-{step}"
        self.accelerator.save_state(str(path))
        if self.accelerator.is_main_process:
            seconds = self.earlier_seconds + time.perf_counter() - self.started
            (path / "genzoo_step.json").write_text(json.dumps({"step": step, "seconds": seconds}))
            for old in saved_checkpoints(self.folder)[: -self.keep]:
                for file in sorted(old.rglob("*"), reverse=True):
                    file.unlink() if file.is_file() else file.rmdir()
                old.rmdir()
        self.accelerator.wait_for_everyone()

    def resume(self) -> int:
        """Load the latest checkpoint, if any; return the step to continue from (0 if none)."""
        found = saved_checkpoints(self.folder)
        if not found:
            self.accelerator.print(f"No checkpoint in {self.folder}; starting from scratch.")
            return 0
        self.accelerator.load_state(str(found[-1]))
        record = json.loads((found[-1] / "genzoo_step.json").read_text())
        self.earlier_seconds = record.get("seconds", 0.0)
        self.accelerator.print(f"Resumed from {found[-1]} at step {record['step']}.")
        return record["step"]


def saved_checkpoints(folder: Path) -> list[Path]:
    """The complete `step-N` folders in `folder`, oldest first."""
    done = [p for p in folder.glob("step-*") if (p / "genzoo_step.json").exists()]
    return sorted(done, key=lambda p: int(p.name.split("-")[1]))


def training_seconds(run_dir: Path) -> float:
    """The wall time of a finished run's training, resumed sittings included: what its last
    checkpoint (every script saves one at the last step) recorded."""
    last = saved_checkpoints(run_dir / "checkpoints")[-1]
    return json.loads((last / "genzoo_step.json").read_text())["seconds"]


def save_sample(
    image: Image.Image, run_dir: Path, name: str, step: int, accelerator: Accelerator
) -> None:
    """Save a grid as `samples/<name>-<step>.png` and log it to TensorBoard."""
    folder = run_dir / "samples"
    folder.mkdir(parents=True, exist_ok=True)
    image.save(folder / f"{name}-{step:06d}.png")
    tracker = accelerator.get_tracker("tensorboard", unwrap=True)
    tracker.add_image(name, np.asarray(image.convert("RGB")), step, dataformats="HWC")


def settings_dict(settings) -> dict:
    """Every setting, with `run_dir` as the folder it stood for (an empty one: runs/<name>)."""
    values = {f.name: getattr(settings, f.name) for f in fields(settings)}
    if isinstance(settings, RunSettings):
        values["run_dir"] = settings.run_path.as_posix()
    return values


def push_if_asked(settings: RunSettings) -> None:
    """Publish the Hub folder to `hub_model_id` when the run was started with --push_to_hub."""
    if settings.push_to_hub:
        url = publish(settings.output_dir, settings.hub_model_id, private=settings.hub_private)
        print("published:", url)
