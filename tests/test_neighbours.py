"""Neighbour guidance (`genzoo.diffusion.neighbours`): a model ships the captions it learned, and
a prompt it never saw leans on the nearest of them, while a learned caption runs as before."""

import subprocess
import sys

import pytest
import torch

from genzoo.data.captions import load_captioned
from genzoo.diffusion.neighbours import (
    NEIGHBOURS_FILE,
    NeighbourGuidedUNet,
    Neighbours,
    for_model,
    guided_unet,
    nearest_learned,
    sentence_embeddings,
)
from genzoo.hub import load_pipeline
from genzoo.models.latent_diffusion import encode_prompts
from genzoo.pipelines import text_to_image as t2i
from tests.helpers import REPO, colour_folders
from words import text_to_image as words

UNSEEN = "a watercolour of a lighthouse on a cliff"


@pytest.fixture(scope="module")
def model(tiny_text_to_image) -> str:
    return str(tiny_text_to_image.out)


def test_training_ships_one_first_caption_per_training_image(model, tiny_emoji):
    shipped = for_model(model)
    train = load_captioned(colour_folders(tiny_emoji), "train", 32, limit=8)
    held_out = load_captioned(colour_folders(tiny_emoji), "test", 32, limit=8)
    assert shipped.captions == sorted({each[0] for each in train.captions})
    assert not set(shipped.captions) & {c for each in held_out.captions for c in each}
    assert shipped.embeddings.shape == (len(shipped.captions), 384)


def test_a_learned_caption_is_its_own_neighbour_and_runs_unchanged(model):
    pipeline, shipped = load_pipeline(model), for_model(model)
    learned = shipped.captions[:3]
    captions, similarity = shipped.nearest(
        sentence_embeddings(pipeline.text_encoder, pipeline.tokenizer, learned)
    )
    assert captions == learned and min(similarity) > 0.99  # after the 8-bit round trip
    assert guided_unet(pipeline, shipped, learned, 5.0) is pipeline.unet
    assert guided_unet(pipeline, None, [UNSEEN], 5.0) is pipeline.unet
    unseen = guided_unet(pipeline, shipped, [UNSEEN], 5.0)
    assert isinstance(unseen, NeighbourGuidedUNet) and unseen.unet is pipeline.unet


def test_the_saved_index_loads_back(tmp_path, model):
    pipeline = load_pipeline(model)
    made = Neighbours.of(["a red apple", "a cat face", "a red apple"], *text_parts(pipeline))
    made.save(tmp_path)
    loaded = Neighbours.load(tmp_path / NEIGHBOURS_FILE)
    assert loaded.captions == ["a cat face", "a red apple"]
    assert torch.allclose(loaded.embeddings, made.embeddings, atol=0.02)
    assert for_model(str(tmp_path)).captions == loaded.captions
    (tmp_path / "plain").mkdir()
    assert for_model(str(tmp_path / "plain")) is None


def text_parts(pipeline):
    return pipeline.text_encoder, pipeline.tokenizer


@pytest.mark.parametrize("paired", [True, False], ids=["guided batch", "unguided batch"])
def test_the_conditional_prediction_is_mixed_with_the_neighbours(model, paired):
    """Weight 0 is the UNet itself, weight 1 the neighbour's prediction, and the unconditional
    half of a guided batch is never touched; each prompt's images share its neighbour."""
    unet = load_pipeline(model).unet
    prompts, images = 2, 3
    batch = prompts * images * (2 if paired else 1)
    sample = torch.randn(batch, 4, 8, 8, generator=torch.Generator().manual_seed(0))
    states = torch.randn(batch, 24, 384, generator=torch.Generator().manual_seed(1))
    theirs = torch.randn(prompts, 24, 384, generator=torch.Generator().manual_seed(2))
    half = batch // 2 if paired else 0
    with torch.no_grad():
        own = unet(sample, 10, states).sample
        swapped = torch.cat([states[:half], theirs.repeat_interleave(images, 0)])
        neighbour = unet(sample, 10, swapped).sample
        mixed = {w: NeighbourGuidedUNet(unet, theirs, w, paired)(sample, 10, states).sample
                 for w in (0.0, 0.5, 1.0)}  # fmt: skip
    torch.testing.assert_close(mixed[0.0], own, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(mixed[1.0], neighbour, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(mixed[0.5], (own + neighbour) / 2, atol=1e-5, rtol=1e-4)
    if paired:
        torch.testing.assert_close(mixed[0.5][:half], own[:half])


def test_the_gallery_serves_unseen_prompts_with_their_neighbour(model, monkeypatch):
    """Through the button's function: an unseen prompt draws otherwise than without the model's
    captions, and a learned caption draws the same."""
    learned = for_model(model).captions[0]
    assert isinstance(t2i.pipeline_as_served(model, [UNSEEN]).unet, NeighbourGuidedUNet)

    def draw(prompt: str) -> bytes:
        return t2i.text_to_image(model, prompt, 2, steps=3, seed=4)[1].tobytes()

    served = [draw(UNSEEN), draw(learned)]
    monkeypatch.setattr(t2i.neighbours, "for_model", lambda ref: None)
    alone = [draw(UNSEEN), draw(learned)]
    assert served[0] != alone[0] and served[1] == alone[1]


def test_the_galleries_say_which_learned_caption_a_prompt_leaned_on(model, monkeypatch):
    """`leaning_says`, shown beside the images: an unseen prompt's nearest learned caption (the
    one its UNet leaned on), a learned caption said to be one, and nothing for a model that
    ships no captions."""
    pipeline, shipped = load_pipeline(model), for_model(model)
    leaned = t2i.leaned_on(model, UNSEEN)
    assert leaned in shipped.learned
    assert nearest_learned(pipeline, shipped, [UNSEEN, shipped.captions[2]]) == [
        leaned, shipped.captions[2]
    ]  # fmt: skip
    unet = t2i.pipeline_as_served(model, [UNSEEN]).unet
    own = encode_prompts(pipeline.text_encoder, pipeline.tokenizer, [leaned])
    torch.testing.assert_close(unet.states, own)  # the caption said is the one leaned on
    assert words.leaning_says(model, UNSEEN) == (
        f"Never learned this prompt; leaned on the learned caption “{leaned}”."
    )
    assert t2i.leaned_on(model, shipped.captions[0]) is None
    assert words.leaning_says(model, shipped.captions[0]).startswith("A caption the model learned")
    monkeypatch.setattr(t2i.neighbours, "for_model", lambda ref: None)
    assert t2i.leaned_on(model, UNSEEN) is None and words.leaning_says(model, UNSEEN) == ""


def test_the_benchmark_measures_neighbour_guidance_off_and_on(model, tiny_emoji):
    """`benchmarks/sampling_quality.py --compare neighbours`: a row for each, at each guidance."""
    done = subprocess.run(
        [
            sys.executable, "-m", "benchmarks.sampling_quality", "--model", model,
            "--compare", "neighbours", "--guidance", "1", "5", "--steps", "2", "--count", "4",
            "--sources", *colour_folders(tiny_emoji),
        ],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = [line.split("|")[1:-1] for line in done.stdout.splitlines() if line.startswith("| ")]
    rows = [[cell.strip() for cell in row] for row in rows[1:]]  # after the header
    assert [(row[0].split()[0], float(row[1])) for row in rows] == [
        ("off", 1), ("off", 5), ("on", 1), ("on", 5)
    ]  # fmt: skip
    assert all(float(row[2]) > 0 and 0 <= float(row[4]) <= 1 for row in rows)
    assert rows[1][2:] != rows[3][2:]  # the held-out captions are unseen: the images differ


def test_a_measured_batch_leans_on_each_prompts_own_neighbour(model):
    """`pipeline_as_served` for several prompts (how the benchmarks measure what is served):
    each prompt's images lean on that prompt's neighbour, a learned one on itself."""
    pipeline, learned = load_pipeline(model), for_model(model).captions[1]
    unet = t2i.pipeline_as_served(model, [UNSEEN, learned]).unet
    assert isinstance(unet, NeighbourGuidedUNet) and len(unet.states) == 2
    own = encode_prompts(pipeline.text_encoder, pipeline.tokenizer, [learned])
    torch.testing.assert_close(unet.states[1:], own)
