"""Loading models (bundled name, local folder, or Hub repo id at a revision) and publishing them.

`load_model` is the one way the demos, the benchmark and the tests get a model: it resolves the
reference, loads safetensors weights with the family's stock `from_pretrained`, caches the result
per process and, when that is impossible, raises `ModelNotFoundError` saying what to do.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import threading
from pathlib import Path

import torch
from huggingface_hub import HfApi, ModelCard, hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    HFValidationError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

from genzoo.registry import BUNDLED, ModelNotFoundError, complete_folder, family_class

RUN_ONLY_FILES = ["checkpoints/*", "logs/*", "samples/*", "*.pt", "*.bin", "*.pkl"]


def resolve(ref: str, family: str | None = None) -> tuple[str, str]:
    """(family, where to load from) for a bundled name, a local folder or a Hub repo id."""
    if ref in BUNDLED:
        entry = BUNDLED[ref]
        return entry.family, str(entry.folder)
    if family is None:
        raise ModelNotFoundError(
            f"{ref!r} is not a bundled model ({', '.join(BUNDLED)}); "
            "say which family it is (for example family='vae') to load it from a folder or the Hub."
        )
    return family, ref


def load_model(ref: str, *, family: str | None = None, revision: str | None = None) -> nn.Module:
    """Load a model for inference, once per process; see the module docstring."""
    family, location = resolve(ref, family)
    with _LOADING:
        return _load(family, location, revision)


# One load at a time: transformers and diffusers build models on the "meta" device by patching
# torch for the whole process while they load, which breaks a model built meanwhile in another
# thread (two users opening the gallery at once).
_LOADING = threading.RLock()


@functools.lru_cache(maxsize=16)
def _load(family: str, location: str, revision: str | None) -> nn.Module:
    complete_folder(family, location)
    with _explained(location, revision):
        model = family_class(family).from_pretrained(location, revision=revision)
    # channels-last convolutions run about 1.5x faster on CPU, with identical results
    return model.eval().requires_grad_(False).to(memory_format=torch.channels_last)


def load_pipeline(ref: str, *, revision: str | None = None):
    """A diffusers text-to-image pipeline (bundled name, folder or Hub repo id), once per process:
    in half precision on a GPU when there is one, else in float32 on the CPU. A bundled folder is
    first completed with the installed text encoder (`registry.complete_folder`)."""
    family, location = resolve(ref, "text-to-image")
    if family != "text-to-image":
        raise ModelNotFoundError(f"{ref!r} is a {family} model, not a text-to-image pipeline.")
    with _LOADING:
        return _load_pipeline(location, revision)


@functools.lru_cache(maxsize=4)
def _load_pipeline(location: str, revision: str | None):
    complete_folder("text-to-image", location)
    cuda = torch.cuda.is_available()
    with _explained(location, revision):
        pipeline = family_class("text-to-image").from_pretrained(
            location, revision=revision, dtype=torch.float16 if cuda else torch.float32
        )
    pipeline.set_progress_bar_config(disable=True)
    return pipeline.to("cuda") if cuda else pipeline


@contextlib.contextmanager
def _explained(location: str, revision: str | None):
    """Turn the Hub client's errors into a `ModelNotFoundError` that says what to do."""
    try:
        yield
    except (LocalEntryNotFoundError, EntryNotFoundError) as error:
        raise ModelNotFoundError(
            f"{location!r} (revision {revision or 'main'}) is not in the Hugging Face cache and "
            "the Hub cannot be reached (or HF_HUB_OFFLINE=1 is set). Connect to the network and "
            f"unset HF_HUB_OFFLINE, or fetch it once with `hf download {location}"
            f"{' --revision ' + revision if revision else ''}`, or pass a local folder."
        ) from error
    except (RepositoryNotFoundError, RevisionNotFoundError, HFValidationError) as error:
        raise ModelNotFoundError(
            f"{location!r} is neither a bundled model ({', '.join(BUNDLED)}), nor a folder, "
            f"nor a Hub repo with revision {revision or 'main'}: {error}"
        ) from error
    except HfHubHTTPError as error:
        raise ModelNotFoundError(f"The Hub could not serve {location!r}: {error}") from error


def model_file(ref: str, filename: str, *, revision: str | None = None) -> Path:
    """A file inside a model's folder: bundled, local, or downloaded from the Hub (then cached)."""
    if ref in BUNDLED:
        return BUNDLED[ref].folder / filename
    if Path(ref).is_dir():
        return Path(ref) / filename
    return Path(hf_hub_download(ref, filename, revision=revision))


def forget_loaded() -> None:
    """Drop every model and pipeline loaded so far: the next load reads the files again."""
    _load.cache_clear()
    _load_pipeline.cache_clear()


EXAMPLES_FILE = "examples.safetensors"  # held-out inputs a model ships for the gallery's pickers


def save_examples(folder: str | Path, tensors: dict[str, torch.Tensor], **facts) -> None:
    """Ship example tensors with a model, and facts about them (JSON, in the file's metadata)."""
    contiguous = {name: tensor.contiguous() for name, tensor in tensors.items()}
    metadata = {name: json.dumps(value) for name, value in facts.items()}
    save_file(contiguous, Path(folder) / EXAMPLES_FILE, metadata=metadata or None)


def load_examples(ref: str) -> tuple[dict[str, torch.Tensor], dict]:
    """The example tensors that a model ships, and the facts saved with them."""
    with safe_open(str(model_file(ref, EXAMPLES_FILE)), "pt") as handle:
        facts = {name: json.loads(value) for name, value in (handle.metadata() or {}).items()}
        names = handle.keys()
        return {name: handle.get_tensor(name) for name in names}, facts


def load_card(ref: str) -> ModelCard | None:
    """The model card of a bundled model or local folder, if it has one."""
    path = _folder(ref) / "README.md"
    return ModelCard.load(path) if path.is_file() else None


TRAINING_CURVE = "training_curve.json"
"""In a model folder: the run's logged means, a dict per log ({"step": …, "loss/<name>": …})."""


TIMELAPSE = "training_timelapse.gif"
"""In a model folder: the run's sample grids, from the first to the last, as an animation."""


def timelapse_path(ref: str) -> Path | None:
    """The training time-lapse of a bundled model or local folder, if it has one."""
    path = _folder(ref) / TIMELAPSE
    return path if path.is_file() else None


def load_json(ref: str, filename: str, default=None):
    """A JSON file of a bundled model or local folder; `default` if it has none."""
    path = _folder(ref) / filename
    return json.loads(path.read_text()) if path.is_file() else default


def load_training_curve(ref: str) -> list[dict[str, float]]:
    """The training curve of a bundled model or local folder; [] if it has none."""
    return load_json(ref, TRAINING_CURVE, [])


@functools.cache
def revision(ref: str) -> str:
    """Which weights a bundled model or local folder holds: the first 12 hex digits of the
    SHA-256 of its safetensors files (their paths and bytes, in order)."""
    folder = _folder(ref)
    if not folder.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.safetensors")):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _folder(ref: str) -> Path:
    return BUNDLED[ref].folder if ref in BUNDLED else Path(ref)


def publish(
    folder: str | Path,
    repo_id: str,
    *,
    private: bool = False,
    commit_message: str = "Upload model trained with genzoo",
    token: str | None = None,
) -> str:
    """Create (if needed) the Hub repo `repo_id` and upload `folder` to it; return the commit URL.

    The token comes from `token`, `HF_TOKEN` or the login cache; it is never printed or logged.
    """
    api = HfApi(token=token)
    api.create_repo(repo_id, private=private, exist_ok=True)
    commit = api.upload_folder(
        folder_path=str(folder),
        repo_id=repo_id,
        commit_message=commit_message,
        ignore_patterns=RUN_ONLY_FILES,
    )
    return commit.commit_url
