"""The Gated PixelCNN, its sampler and its training script: causality, exact likelihoods on known
distributions, seeded sampling, completion, and a tiny training run's Hub folder."""

import json
import math
import shutil

import pytest
import torch
from huggingface_hub import ModelCard
from safetensors.torch import load_file

from genzoo.cards import card_metrics
from genzoo.data import load_split
from genzoo.evaluation import FRECHET_KEY, REAL_FLOOR
from genzoo.likelihood import BITS_PER_DIM_KEY
from genzoo.models.pixelcnn import LEVELS, OUTPUTS, GatedPixelCNN
from genzoo.samplers.autoregressive import sample
from training.train_pixelcnn import Settings, main, sample_distance

SIZE = 8  # the tiny models' images: 8x8, so that a test draws 64 pixels


def tiny_model(output: str, layers: int = 2, seed: int = 0) -> GatedPixelCNN:
    torch.manual_seed(seed)
    model = GatedPixelCNN(
        image_size=SIZE, channels=8, layers=layers, head_channels=16, output=output
    )
    return model.eval()


def random_images(count: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, LEVELS, (count, 1, SIZE, SIZE), generator=generator, dtype=torch.uint8)


def input_gradients(model: GatedPixelCNN, image: torch.Tensor) -> torch.Tensor:
    """(H * W, H * W): row i says how much pixel i's output parameters move with each input
    pixel (raster order), from one backward pass over H * W copies of `image`."""
    pixels = image.float().repeat(SIZE * SIZE, 1, 1, 1).requires_grad_(True)
    outputs = model(pixels).flatten(2)  # (H * W copies, P, H * W pixels)
    own = torch.arange(SIZE * SIZE)
    outputs[own, :, own].sum().backward()
    return pixels.grad.flatten(1).abs()


@pytest.mark.parametrize("output", OUTPUTS)
def test_each_pixel_sees_only_the_pixels_before_it(output):
    seen = input_gradients(tiny_model(output), random_images(1))
    assert (seen.triu() == 0).all(), "a pixel sees itself or a pixel after it"
    assert (seen.tril(-1)[1:].sum(1) > 0).all(), "a pixel sees none before it"


@pytest.mark.parametrize("output", OUTPUTS)
def test_no_blind_spot_above_and_to_the_right(output):
    """The first PixelCNN could not see up and to the right; the two stacks can."""
    seen = input_gradients(tiny_model(output), random_images(1))[4 * SIZE + 4].view(SIZE, SIZE)
    for row, column in [(4, 3), (3, 3), (3, 4), (3, 5), (2, 6), (2, 2)]:
        assert seen[row, column] > 0, f"(4, 4) does not see ({row}, {column})"


@pytest.mark.parametrize("output", OUTPUTS)
def test_fewer_rows_give_the_same_outputs_for_those_rows(output):
    """What the sampler relies on: the rows below a pixel change nothing above them."""
    model, images = tiny_model(output), random_images(2)
    with torch.no_grad():
        assert torch.allclose(model(images)[:, :, :5], model(images[:, :, :5]), atol=1e-5)


@pytest.mark.parametrize("output", OUTPUTS)
def test_each_pixels_256_probabilities_add_up_to_one(output):
    model = tiny_model(output)
    with torch.no_grad():
        params = model(random_images(3)) * 10  # sharp and broad distributions alike
        total = model.value_log_probs(params).logsumexp(1)
    assert total.shape == (3, SIZE, SIZE)
    assert total.abs().max() < 1e-5


@pytest.mark.parametrize("output", OUTPUTS)
def test_log_prob_is_the_drawn_values_entry_of_the_distribution(output):
    model, images = tiny_model(output), random_images(2)
    with torch.no_grad():
        every_value = model.value_log_probs(model(images))
        assert torch.allclose(model.log_prob(images), every_value.gather(1, images.long()))


def test_a_uniform_model_scores_exactly_8_bits_per_dimension():
    model = tiny_model("softmax")
    final = model.head[-1]
    torch.nn.init.zeros_(final.weight), torch.nn.init.zeros_(final.bias)
    with torch.no_grad():
        bits = model.bits_per_dim(random_images(4))
    assert torch.allclose(bits, torch.full((4,), 8.0), atol=1e-5)


def test_one_logistic_gives_its_bins_probability_mass():
    """One component of mean 0.1 and scale 0.05: each value's probability is the logistic's
    mass over its bin, the end bins reaching to infinity."""
    model = GatedPixelCNN(image_size=SIZE, output="logistic_mixture", mixture_components=1)
    mean, scale = 0.1, 0.05
    params = torch.tensor([0.0, mean, math.log(scale)]).view(1, 3, 1, 1)
    centres = torch.arange(LEVELS, dtype=torch.float64) * 2 / 255 - 1
    upper = torch.sigmoid((centres + 1 / 255 - mean) / scale)
    lower = torch.sigmoid((centres - 1 / 255 - mean) / scale)
    upper[-1], lower[0] = 1.0, 0.0
    expected = upper - lower
    got = model.value_log_probs(params).double().exp().flatten()
    assert torch.allclose(got, expected, atol=1e-6)


@pytest.mark.parametrize("output", OUTPUTS)
def test_draw_inverts_the_cumulative_distribution(output):
    """Half the mass on 10 and half on 200 (softmax), or 96% on 77 (one sharp logistic):
    the uniform noise picks the value whose cumulative probability first passes it."""
    model = GatedPixelCNN(image_size=SIZE, output=output, mixture_components=1)
    if output == "softmax":
        logits = torch.full((LEVELS,), -1e4)
        logits[[10, 200]] = 0.0
        params, values = logits.view(1, LEVELS, 1, 1).expand(3, -1, -1, -1), [10, 10, 200]
    else:
        logistic = torch.tensor([0.0, 77 * 2 / 255 - 1, math.log(1e-3)])  # 2% on each side
        params, values = logistic.view(1, 3, 1, 1).expand(3, -1, -1, -1), [77, 77, 77]
    uniform = torch.tensor([0.03, 0.49, 0.51]).view(3, 1, 1, 1)
    drawn = model.draw(params, uniform)
    assert drawn.dtype == torch.uint8 and drawn.flatten().tolist() == values


@pytest.mark.parametrize("output", OUTPUTS)
def test_the_same_seed_draws_the_same_images(output):
    model = tiny_model(output)
    first, again = sample(model, count=3, seed=5), sample(model, count=3, seed=5)
    assert first.shape == (3, 1, SIZE, SIZE) and first.dtype == torch.uint8
    assert torch.equal(first, again)
    assert not torch.equal(first, sample(model, count=3, seed=6))
    assert torch.equal(sample(model, count=1, seed=5)[0], first[0])  # batch size changes nothing


@pytest.mark.parametrize("output", OUTPUTS)
def test_completion_keeps_every_visible_pixel_exactly(output):
    model, given = tiny_model(output), random_images(3, seed=1)
    upper_half = torch.zeros(1, 1, SIZE, SIZE, dtype=torch.bool)
    upper_half[..., : SIZE // 2, :] = True
    scattered = torch.rand(3, 1, SIZE, SIZE, generator=torch.Generator().manual_seed(2)) < 0.5
    for visible in (upper_half, scattered):
        completed = sample(model, count=3, seed=0, given=given, visible=visible)
        shown = visible.expand_as(given)
        assert torch.equal(completed[shown], given[shown])
        assert not torch.equal(completed[~shown], given[~shown])  # the rest was drawn


@pytest.mark.parametrize("output", OUTPUTS)
def test_the_incremental_forward_gives_each_pixel_the_full_forwards_parameters(output):
    model, images = tiny_model(output, layers=3), random_images(2)
    raster = model.raster(2)
    with torch.no_grad():
        full = model(images)
        for row in range(SIZE):
            raster.begin_row(images, row)
            for column in range(SIZE):
                params = raster.pixel(images, row, column)
                expected = full[:, :, row : row + 1, column : column + 1]
                assert torch.allclose(params, expected, atol=1e-6)


@pytest.mark.parametrize("output", OUTPUTS)
def test_the_cached_sampler_draws_the_naive_samplers_very_images(output):
    model, given = tiny_model(output, layers=3), random_images(3, seed=3)
    assert torch.equal(sample(model, count=3, seed=4), sample(model, count=3, seed=4, cache=False))
    scattered = torch.rand(3, 1, SIZE, SIZE, generator=torch.Generator().manual_seed(5)) < 0.3
    scattered[:, :, : SIZE // 2] = True  # the upper half shown: rows with nothing to draw
    fast, naive = (
        sample(model, count=3, seed=6, given=given, visible=scattered, cache=cache)
        for cache in (True, False)
    )
    assert torch.equal(fast, naive)
    assert not torch.equal(fast[~scattered], given[~scattered])


@pytest.mark.parametrize("cache", [True, False])
def test_the_callback_sees_every_row_and_can_cancel(cache):
    model, rows = tiny_model("softmax"), []

    def progress(done: int, images: torch.Tensor) -> None:
        rows.append(done)
        assert images.shape == (2, 1, SIZE, SIZE)
        if done == 3:
            raise KeyboardInterrupt("cancelled")

    with pytest.raises(KeyboardInterrupt, match="cancelled"):
        sample(model, count=2, seed=0, callback=progress, cache=cache)
    assert rows == [1, 2, 3]


def test_a_completion_needs_both_the_images_and_the_mask():
    with pytest.raises(ValueError, match="both"):
        sample(tiny_model("softmax"), given=random_images(1))


def test_training_writes_a_hub_folder_whose_card_has_the_exact_bits_per_dimension(
    tiny_pixelcnn, tiny_mnist
):
    files = {path.name for path in tiny_pixelcnn.iterdir()}
    assert {"config.json", "model.safetensors", "README.md", "examples.safetensors"} <= files
    assert {"samples.png", "training_config.json", "training_curve.json"} <= files

    card = ModelCard.load(tiny_pixelcnn / "README.md")
    assert {"pixelcnn", "autoregressive"} <= set(card.data.tags)
    assert card.data.pipeline_tag == "unconditional-image-generation"
    metrics = {r.metric_type: r.metric_value for r in card.data.eval_results}
    assert "training/train_pixelcnn.py" in card.text and "Wall time" in card.text
    assert "CPU time of training" in card.text

    model = GatedPixelCNN.from_pretrained(tiny_pixelcnn).eval()
    test_images = load_split(tiny_mnist, "test", 28, 1).images
    with torch.no_grad():
        bits = model.bits_per_dim(test_images).mean().item()
    assert metrics[BITS_PER_DIM_KEY] == pytest.approx(bits, abs=1e-4)
    assert 0 < bits < 8.5  # a few steps from a random start: near uniform, not yet far below


def test_the_card_gives_the_samples_distance_beside_its_real_floor(tiny_pixelcnn, tiny_mnist):
    """The distance of the fixture's 8 samples (seeds 0 and on) to 8 test images, measured
    again from the folder's weights: a random-start model's samples lie further than the
    floor of 8 training images."""
    card = ModelCard.load(tiny_pixelcnn / "README.md")
    model = GatedPixelCNN.from_pretrained(tiny_pixelcnn).eval()
    settings = Settings(fd_images=8)
    train, test = (load_split(tiny_mnist, split, 28, 1) for split in ("train", "test"))
    expected = sample_distance(model, train, test, settings)[0]
    [result] = [m for m in card_metrics(str(tiny_pixelcnn)) if m["type"] == FRECHET_KEY]
    assert result["value"] == pytest.approx(expected.value, rel=1e-3)
    assert result["reference"] == pytest.approx(expected.reference, rel=1e-3)
    assert result["reference_name"] == REAL_FLOOR
    assert result["value"] > result["reference"] > 0
    assert "compares 8 samples" in card.text and "one thread" in card.text


def run_args(data, out, run, steps: int) -> list[str]:
    return [
        "--dataset", str(data), "--output_dir", str(out), "--run_dir", str(run),
        "--channels", "8", "--layers", "2", "--head_channels", "16", "--batch_size", "16",
        "--max_steps", str(steps), "--checkpoint_every", "2", "--sample_every", "100",
        "--grid_images", "1", "--fd_images", "4", "--output", "logistic_mixture",
    ]  # fmt: skip


def test_a_resumed_run_ends_bit_for_bit_where_the_unbroken_run_did(tiny_mnist, tmp_path):
    """Four steps unbroken, and the same four resumed from the step-2 checkpoint of a copy: the
    very same weights, and the CPU time counted on from the checkpoint's."""
    main(run_args(tiny_mnist, tmp_path / "a", tmp_path / "run-a", 4))
    shutil.copytree(tmp_path / "run-a", tmp_path / "run-b")
    shutil.rmtree(tmp_path / "run-b" / "checkpoints" / "step-4")
    main(run_args(tiny_mnist, tmp_path / "b", tmp_path / "run-b", 4) + ["--resume"])
    unbroken, resumed = (load_file(tmp_path / x / "model.safetensors") for x in ("a", "b"))
    assert all(torch.equal(resumed[name], unbroken[name]) for name in unbroken)
    curve = json.loads((tmp_path / "b" / "training_curve.json").read_text())
    assert curve[-1]["step"] == 4 and curve[-1]["loss/bits_per_dim"] > 0
    step_2 = tmp_path / "run-b" / "checkpoints" / "step-2"
    saved = [torch.load(path, weights_only=False) for path in step_2.glob("custom_*.pkl")]
    earlier = next(state["seconds"] for state in saved if "seconds" in state)
    assert 0 < earlier < curve[-1]["cpu_seconds"]
