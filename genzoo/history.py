"""How a model learned: the training curve and the time-lapse that training leaves in its model
folder, for the cards and the galleries.

A run logs its loss means to `CURVE_FILE` and saves sample grids under `samples/` in its run
folder. At the end, `save_history` turns them into the model folder's `TRAINING_CURVE` and
`TIMELAPSE`. A model that went on from another one's folder (the autoencoder's decoder
fine-tune, say) continues that folder's curve and time-lapse, so they tell the whole story.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path

from PIL import Image, ImageSequence

from genzoo.hub import TIMELAPSE, TRAINING_CURVE, load_training_curve, timelapse_path
from genzoo.images import timelapse

CURVE_FILE = "training_curve.jsonl"  # in the run folder: the logged means, a line per log


def save_history(folder: str | Path, run_dir: Path, builds_on: str = "") -> bool:
    """Write the model folder's training curve and time-lapse from the run in `run_dir`, after
    those of the model folder `builds_on` (if given), its steps counted on from there. Returns
    whether there is a time-lapse."""
    earlier = load_training_curve(builds_on) if builds_on else []
    offset = earlier[-1]["step"] if earlier else 0
    rows = earlier + [row | {"step": row["step"] + offset} for row in logged_curve(run_dir)]
    if rows:
        (Path(folder) / TRAINING_CURVE).write_text(json.dumps(rows) + "\n")
    earlier_gif = timelapse_path(builds_on) if builds_on else None
    frames = gif_frames(earlier_gif.read_bytes()) if earlier_gif else []
    grids = sample_grids(run_dir)
    if not grids:
        return False
    steps = [step + offset for step, _ in grids]
    gif = timelapse([path for _, path in grids], steps, earlier=frames)
    (Path(folder) / TIMELAPSE).write_bytes(gif)
    return True


def logged_curve(run_dir: Path) -> list[dict]:
    """The run's logged loss means, one row per log; a resumed sitting's rows replace those it
    logged again."""
    logged = run_dir / CURVE_FILE
    if not logged.exists():
        return []
    rows = {}
    for line in logged.read_text().splitlines():
        row = json.loads(line)
        rows = {step: r for step, r in rows.items() if step < row["step"]} | {row["step"]: row}
    return list(rows.values())


def sample_grids(run_dir: Path) -> list[tuple[int, Path]]:
    """The run's sample grids, (step, path) in order: its `samples-*` ones, else its most
    numerous kind."""
    kinds = defaultdict(list)
    for path in sorted((run_dir / "samples").glob("*-*.png")):
        kinds[path.stem.rpartition("-")[0]].append(path)
    if not kinds:
        return []
    grids = kinds.get("samples") or max(kinds.values(), key=len)
    return [(int(path.stem.rpartition("-")[2]), path) for path in grids]


def gif_frames(data: bytes) -> list[Image.Image]:
    """Every frame of a GIF, as RGB images."""
    with Image.open(io.BytesIO(data)) as gif:
        return [frame.convert("RGB") for frame in ImageSequence.Iterator(gif)]
