"""The bundled text-to-image model (`checkpoints/text-to-image-emoji`): does a visitor get what they
typed? Measured by the project's own judge on emoji of the colour styles it was trained on, both
emoji it saw in training and emoji it never saw."""

import pytest
import torch
from safetensors.torch import load_file

from genzoo.alignment import evaluate_text_to_image
from genzoo.cards import NEIGHBOURS_SECTION, card_metrics, card_table
from genzoo.data.captions import load_captioned
from genzoo.diffusion.neighbours import for_model
from genzoo.hub import load_pipeline
from genzoo.registry import BUNDLED
from tests.helpers import colour_folders

NAME = "text-to-image-emoji"
COUNT = 24  # emoji, each in one of its styles, judged among each other: chance top-5 is 5 / 24


@pytest.fixture(scope="module")
def splits(tiny_emoji):
    folders = colour_folders(tiny_emoji)
    return load_captioned(folders, "test", 64), load_captioned(folders, "train", 64)


@pytest.mark.parametrize("seen", [True, False], ids=["seen emoji", "held-out emoji"])
def test_the_pictures_are_recognised_as_their_prompts(splits, seen):
    """As the gallery serves the model: held-out captions lean on their neighbours."""
    held_out, train_set = splits
    table = evaluate_text_to_image(
        load_pipeline(NAME), held_out, train_set, count=COUNT, guidance_scales=(5.0,),
        step_counts=(10,), seen=seen, neighbours=for_model(NAME),
    )  # fmt: skip
    (row,) = table.rows
    assert table.emoji == COUNT
    # measured 0.54 seen and 0.54 held-out (13 of 24 each); a model drawing noise scores ~5
    assert row.top5 >= 9 / COUNT, f"top-5 {row.top5:.3f}: near chance ({5 / COUNT:.2f})"


def test_it_ships_the_captions_of_the_training_split_only(splits):
    held_out, train_set = splits
    learned = set(for_model(NAME).captions)
    assert {each[0] for each in train_set.captions} <= learned
    assert not learned & {caption for each in held_out.captions for caption in each}


def test_the_unet_is_stored_at_half_precision_and_runs_at_full():
    weights = BUNDLED[NAME].folder / "unet" / "diffusion_pytorch_model.safetensors"
    assert {tensor.dtype for tensor in load_file(weights).values()} == {torch.float16}
    assert load_pipeline(NAME).unet.dtype == torch.float32


def test_the_card_reports_better_pictures_than_the_first_model():
    """The first bundled model measured distance 163.2, held-out top-5 0.190 and seen top-5 0.214
    (guidance 5, 25 steps); issue 17's goals are 0.30 held-out and 0.50 seen top-5."""
    metrics = {m["type"]: m["value"] for m in card_metrics(NAME)}
    assert metrics["fd_effnet_lite0"] < 163.2 - 20
    assert metrics["alignment_top5"] >= 0.30
    assert metrics["alignment_seen_top5"] >= 0.50


def test_the_card_measures_neighbour_guidance_against_the_stock_pipeline():
    """The card's headline is the model as served; its "Neighbour guidance" table says what the
    stock pipeline scores, and serving with neighbours measured better on the unseen captions."""
    rows = {
        row["neighbour guidance"].split()[0]: row for row in card_table(NAME, NEIGHBOURS_SECTION)
    }
    served = {m["type"]: m["value"] for m in card_metrics(NAME)}["alignment_top5"]
    assert float(rows["on"]["top-5"]) == pytest.approx(served, abs=1e-3)
    assert float(rows["on"]["top-5"]) > float(rows["off"]["top-5"])
