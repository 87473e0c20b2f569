"""Neighbour guidance: lean on the nearest caption the model learned, for prompts it never saw.

A prompt the model never saw ("a Noto emoji of a hot pepper") falls between the captions it
learned, and its own reading of it is vague. The caption nearest to it among those it learned
("a Noto emoji of a bell pepper"), by the frozen MiniLM's sentence embedding (the mean of its
token states, as all-MiniLM-L6-v2 is meant to be used), is one it draws well. Retrieving what
was learned is Re-Imagen's and kNN-Diffusion's answer to rare and unseen subjects; the two noise
predictions are summed as Composable Diffusion sums concepts:

    conditional = (1 - weight) * eps(prompt) + weight * eps(neighbour)

and classifier-free guidance then pushes from the unconditional prediction towards it. A prompt
that is itself a learned caption is its own neighbour and runs as before, at no extra cost.

A model ships the captions it learned, one per training image (the first template's), and their
sentence embeddings at 8 bits, in `NEIGHBOURS_FILE`; training writes it. Measured in the model's
card ("Neighbour guidance").
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from diffusers.models.unets.unet_2d_condition import UNet2DConditionOutput
from huggingface_hub.errors import EntryNotFoundError
from safetensors import safe_open
from safetensors.torch import save_file

from genzoo.diffusion.sharing import UNetWrapper, sharing
from genzoo.hub import model_file
from genzoo.models.latent_diffusion import encode_prompts

NEIGHBOURS_FILE = "neighbours.safetensors"
WEIGHT = 0.5  # the neighbour's share of the conditional prediction


@torch.no_grad()
def sentence_embeddings(text_encoder, tokenizer, texts: Sequence[str], batch=256) -> torch.Tensor:
    """Unit-length mean-pooled token states of the text encoder, (texts, width)."""
    pooled = []
    for start in range(0, len(texts), batch):
        # padded as the pipeline pads: a fast tokenizer keeps its padding setting between calls,
        # and the gallery's threads share one (another setting raced with diffusers' own call)
        words = tokenizer(
            list(texts[start : start + batch]),
            padding="max_length",
            truncation=True,
            max_length=tokenizer.model_max_length,
            return_tensors="pt",
        ).to(text_encoder.device)
        states = text_encoder(**words)[0].float()
        mask = words.attention_mask[..., None].float()
        pooled.append(F.normalize((states * mask).sum(1) / mask.sum(1), dim=-1).cpu())
    return torch.cat(pooled)


@dataclass
class Neighbours:
    """The captions a model learned and their sentence embeddings (unit length)."""

    captions: list[str]
    embeddings: torch.Tensor

    @functools.cached_property
    def learned(self) -> frozenset[str]:
        return frozenset(self.captions)

    @classmethod
    def of(cls, captions: Sequence[str], text_encoder, tokenizer) -> Neighbours:
        distinct = sorted(set(captions))
        return cls(distinct, sentence_embeddings(text_encoder, tokenizer, distinct))

    def save(self, folder: str | Path) -> None:
        """Into a model folder, the embeddings at 8 bits (their ranking barely moves)."""
        quantised = (self.embeddings * 127).round().to(torch.int8).contiguous()
        metadata = {"captions": json.dumps(self.captions)}
        save_file({"embeddings": quantised}, Path(folder) / NEIGHBOURS_FILE, metadata=metadata)

    @classmethod
    def load(cls, path: str | Path) -> Neighbours:
        with safe_open(str(path), "pt") as handle:
            captions = json.loads(handle.metadata()["captions"])
            embeddings = F.normalize(handle.get_tensor("embeddings").float(), dim=-1)
        return cls(captions, embeddings)

    def nearest(self, prompts_embedded: torch.Tensor) -> tuple[list[str], list[float]]:
        """Each prompt's nearest learned caption, and its cosine similarity."""
        similarity, index = (prompts_embedded @ self.embeddings.T).max(1)
        return [self.captions[i] for i in index.tolist()], similarity.tolist()


@functools.lru_cache(maxsize=4)
def load_neighbours(path: Path) -> Neighbours:
    return Neighbours.load(path)


class NeighbourGuidedUNet(UNetWrapper):
    """A UNet whose conditional prediction is mixed with its prediction under each prompt's
    neighbour; the pipeline sees a UNet. `states` are the neighbours' encoder states, one per
    prompt, in the pipeline's order (each prompt's images follow one another)."""

    def __init__(self, unet, states: torch.Tensor, weight: float, paired: bool):
        super().__init__(unet)
        self.states, self.weight, self.paired = states, weight, paired

    def forward(self, sample, timestep, encoder_hidden_states, *args, return_dict=True, **kwargs):
        # with classifier-free guidance (`paired`) the batch is [unconditional; conditional]
        half = len(sample) // 2 if self.paired else 0
        neighbours = self.states.repeat_interleave((len(sample) - half) // len(self.states), 0)
        eps = self.unet(
            torch.cat([sample, sample[half:]]),
            timestep,
            torch.cat([encoder_hidden_states, neighbours.to(encoder_hidden_states)]),
            *args,
            return_dict=False,
            **kwargs,
        )[0]
        own, theirs = eps[: len(sample)], eps[len(sample) :]
        mixed = (1 - self.weight) * own[half:] + self.weight * theirs
        eps = torch.cat([own[:half], mixed])
        return UNet2DConditionOutput(sample=eps) if return_dict else (eps,)


def nearest_learned(pipeline, neighbours: Neighbours, prompts: Sequence[str]) -> list[str]:
    """The learned caption each prompt leans on: its nearest, by the pipeline's text encoder;
    a learned caption leans on itself."""
    embedded = sentence_embeddings(pipeline.text_encoder, pipeline.tokenizer, prompts)
    captions, _ = neighbours.nearest(embedded)
    return [
        prompt if prompt in neighbours.learned else caption
        for prompt, caption in zip(prompts, captions, strict=True)
    ]


def guided_unet(pipeline, neighbours: Neighbours | None, prompts: Sequence[str], guidance: float):
    """The pipeline's UNet, leaning on the prompts' neighbours; as it is when there are none,
    or when every prompt is itself a learned caption."""
    if neighbours is None or neighbours.learned.issuperset(prompts):
        return pipeline.unet
    captions = nearest_learned(pipeline, neighbours, prompts)
    states = encode_prompts(pipeline.text_encoder, pipeline.tokenizer, captions)
    return NeighbourGuidedUNet(pipeline.unet, states, WEIGHT, paired=guidance > 1)


def batches_guided(pipeline, neighbours: Neighbours | None, guidance: float) -> Callable:
    """`genzoo.alignment.generate`'s `pipeline_for`: each batch's pipeline, guided by its
    prompts' neighbours."""
    return lambda prompts: sharing(
        pipeline, unet=guided_unet(pipeline, neighbours, prompts, guidance)
    )


def for_model(ref: str) -> Neighbours | None:
    """The learned captions a model (bundled, folder or Hub repo) ships; None if it has none."""
    try:
        path = model_file(ref, NEIGHBOURS_FILE)
    except EntryNotFoundError:
        return None
    return load_neighbours(path) if path.is_file() else None
