"""Caption caching for training: every caption of a training set through the frozen text encoder
once, kept on disk under a hash of the captions, so that training looks encodings up."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from genzoo.models.latent_diffusion import (
    PROMPT_TOKENS,
    encode_prompts,
    text_encoder,
    text_encoder_folder,
    tokenizer,
)


@dataclass
class EncodedCaptions:
    """Every caption of a training set through the frozen text encoder, once: captions come from
    a fixed set of templates, so training looks their encodings up instead of encoding each
    batch again. `captions[rows]` is the (len(rows), tokens, width) context of those rows."""

    texts: list[str]  # the distinct captions, "" among them
    encodings: torch.Tensor  # (distinct captions, PROMPT_TOKENS, TEXT_WIDTH)
    rows: list[list[int]]  # each image's captions, as rows of `encodings`
    empty: int  # the row of "", for caption dropout

    @classmethod
    def of(
        cls,
        captions: Sequence[Sequence[str]],
        device: torch.device | str = "cpu",
        cache: str | Path | None = None,
    ) -> EncodedCaptions:
        """Encode `captions` (a list per image); with `cache`, a folder, the encodings are kept
        there under a hash of the captions and reused (encoding 23,000 captions takes minutes)."""
        distinct = sorted({""}.union(*captions))
        row = {caption: number for number, caption in enumerate(distinct)}
        rows = [[row[caption] for caption in each] for each in captions]
        file = Path(cache) / f"{_cache_key(distinct)}.safetensors" if cache else None
        if file and file.is_file():
            encodings = load_file(file)["encodings"]
        else:
            encodings = encode_all(distinct, device)
            if file:
                _save_atomically(encodings, file)
        return cls(distinct, encodings.to(device), rows, row[""])

    def __getitem__(self, rows: list[int]) -> torch.Tensor:
        return self.encodings[rows]


def _cache_key(distinct: list[str]) -> str:
    """A name for these captions' encodings, which changes with the captions, the prompt length
    and the text encoder's weights (by their size)."""
    weights = (text_encoder_folder() / "model.safetensors").stat().st_size
    key = hashlib.sha256("\n".join([*distinct, f"{PROMPT_TOKENS} {weights}"]).encode())
    return key.hexdigest()[:32]


def _save_atomically(encodings: torch.Tensor, file: Path) -> None:
    """Write beside `file`, then rename, so that an interrupted run leaves no half a cache."""
    file.parent.mkdir(parents=True, exist_ok=True)
    save_file({"encodings": encodings}, file.with_suffix(".partial"))
    file.with_suffix(".partial").replace(file)


def encode_all(prompts: Sequence[str], device: torch.device | str = "cpu", batch: int = 256):
    """`encode_prompts` over many prompts, a batch at a time."""
    encoder, words = text_encoder().to(device), tokenizer()
    return torch.cat(
        [
            encode_prompts(encoder, words, list(prompts[start : start + batch]))
            for start in range(0, len(prompts), batch)
        ]
    )
