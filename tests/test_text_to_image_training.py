"""The text-to-image family's data and training, for real on tiny emoji folders: captions, the
autoencoder script, the UNet script writing a stock `StableDiffusionPipeline` folder that
diffusers loads without genzoo, and the retrieval judge behind the alignment metric."""

import importlib
import json
import os
import shutil
import subprocess
import sys

import pytest
import torch
from diffusers import AutoencoderKL, DiffusionPipeline, UNet2DConditionModel
from huggingface_hub import ModelCard
from safetensors.torch import load_file

from genzoo.alignment import (
    REAL_CEILING,
    Judge,
    one_caption_per_emoji,
    seen_emoji,
    top_k,
)
from genzoo.cards import SEEN_SECTION, card_metrics, card_runs
from genzoo.data import load_split
from genzoo.data.captions import (
    COLOUR_STYLES,
    LEFT_OUT,
    TEMPLATES,
    captions,
    licence,
    load_captioned,
    with_article,
)
from genzoo.data.masks import random_masks
from genzoo.diffusion.encoded_captions import EncodedCaptions
from genzoo.diffusion.folders import complete_folder
from genzoo.evaluation import FRECHET_KEY, REAL_FLOOR, image_features
from genzoo.history import gif_frames, logged_curve, sample_grids
from genzoo.hub import load_training_curve, timelapse_path
from genzoo.inpainting_evaluation import GREY_HOLE, HOLE_L1, TRUTH
from genzoo.models import latent_diffusion
from genzoo.training import total_steps, training_seconds
from tests.helpers import COLOUR, REPO, colour_folders, free_port

ROW = {
    "name": "red apple",
    "style_caption": "flat icon",
    "keywords": ["apple", "fruit", "red", "food"],
    "category": "Food & Drink",
}


def test_captions_fill_every_template_from_the_metadata():
    made = captions(ROW)
    assert len(made) == len(TEMPLATES) and len(set(made)) == len(made)
    assert made[0] == "a flat icon of a red apple"
    assert "a red apple, flat icon" in made and "red apple" in made
    # keywords already in the name are not repeated
    assert "a red apple: fruit, food" in made
    assert with_article("OK hand") == "an OK hand" and with_article("cat") == "a cat"


def test_encoded_captions_are_what_the_pipeline_would_encode(tiny_text_to_image):
    """Training looks captions up instead of encoding each batch: every image's rows hold its
    captions' encodings as `StableDiffusionPipeline.encode_prompt` makes them, "" included."""
    captions = [["a red apple", "red apple"], ["a cat face", "red apple"]]
    encoded = EncodedCaptions.of(captions)
    assert sorted(encoded.texts) == ["", "a cat face", "a red apple", "red apple"]
    assert encoded.texts[encoded.empty] == "" and encoded.rows[0][1] == encoded.rows[1][1]
    pipeline = DiffusionPipeline.from_pretrained(tiny_text_to_image.out)
    for image, texts in enumerate(captions):
        for row, text in zip(encoded.rows[image], texts, strict=True):
            expected, _ = pipeline.encode_prompt(text, "cpu", 1, False)
            torch.testing.assert_close(encoded[[row]], expected, atol=1e-5, rtol=1e-5)
    empty, _ = pipeline.encode_prompt("", "cpu", 1, False)
    torch.testing.assert_close(encoded[[encoded.empty]], empty, atol=1e-5, rtol=1e-5)
    assert encoded[[0, 2, 0]].shape == (3, latent_diffusion.PROMPT_TOKENS, 384)


def test_captioned_split_leaves_out_flags_and_keeps_metadata(tiny_emoji):
    folders = colour_folders(tiny_emoji)
    data = load_captioned(folders, "test", 16)
    assert len(data) == len(data.captions) == len(data.keys) == len(data.styles) > 0
    assert data.images.shape[1:] == (3, 16, 16) and data.images.dtype == torch.uint8
    assert set(data.styles) == set(COLOUR)
    categories = {}
    for folder in folders:
        categories |= {r["key"]: r["category"] for r in load_split(folder, "test", 16, 3).rows}
    assert {categories[key] for key in data.keys}.isdisjoint(LEFT_OUT)
    everything = load_captioned(folders, "test", 16, left_out=())
    assert len(everything) - len(data) == sum(
        categories[key] in LEFT_OUT for key in everything.keys
    )
    train = load_captioned(folders, "train", 16)
    assert not set(train.keys) & set(data.keys)  # split by emoji


def test_licence_of_mixed_styles_is_share_alike_with_attribution():
    name, notes = licence(COLOUR_STYLES)
    assert name == "cc-by-sa-4.0"
    assert any("Twemoji" in n for n in notes) and any("OpenMoji" in n for n in notes)
    assert licence(["data/emoji-fluent-flat"]) == ("mit", [])


def test_judge_ranks_real_images_of_an_unseen_style_above_chance(tiny_emoji):
    held_out = load_captioned(colour_folders(tiny_emoji), "test", 32)
    features = image_features(held_out.floats())
    judge = Judge.fit(held_out, features)
    assert set(judge.probes) == set(COLOUR)
    chosen = one_caption_per_emoji(held_out, 100)
    keys = [held_out.keys[i] for i in chosen]
    assert len(set(keys)) == len(keys) == len(judge.keys)
    assert len({held_out.styles[i] for i in chosen}) > 1  # styles taken in turn
    ranks = judge.ranks(features[chosen], keys, [held_out.styles[i] for i in chosen])
    chance = 5 / len(judge.keys)
    assert top_k(ranks, 5) > 2 * chance
    assert top_k(ranks, 1) <= top_k(ranks, 5) <= 1


def test_autoencoder_folder_loads_with_stock_diffusers(tiny_autoencoder):
    vae = AutoencoderKL.from_pretrained(tiny_autoencoder.out)
    assert vae.config.block_out_channels == [8, 8, 16] and vae.config.sample_size == 32
    assert vae.config.scaling_factor != 1.0  # measured from the latents
    with torch.no_grad():
        latents = vae.encode(torch.zeros(1, 3, 32, 32)).latent_dist.mode()
    assert latents.shape == (1, 4, 8, 8)
    samples = sorted(p.name for p in (tiny_autoencoder.run / "samples").iterdir())
    assert samples == [f"reconstructions-{s:06d}.png" for s in (2, 4)]


def test_autoencoder_card_reports_psnr_beside_the_thumbnail_baseline(tiny_autoencoder):
    metrics = {m["type"]: m for m in card_metrics(str(tiny_autoencoder.out))}
    assert {"l1", "psnr", "ssim", FRECHET_KEY} <= set(metrics)
    assert "thumbnail" in metrics["psnr"]["reference_name"]
    assert 0 < metrics["psnr"]["value"] < 60 and metrics["psnr"]["reference"] > 0
    card = ModelCard.load(tiny_autoencoder.out / "README.md")
    assert card.data.license == "cc-by-sa-4.0" and "Twemoji" in card.text
    assert "AutoencoderKL.from_pretrained" in card.text


def test_pipeline_folder_is_stock_and_loads_without_genzoo(tiny_text_to_image):
    """A fresh interpreter that imports only diffusers loads the folder and draws an image."""
    folder = tiny_text_to_image.out
    index = json.loads((folder / "model_index.json").read_text())
    assert index["_class_name"] == "StableDiffusionPipeline"
    assert index["text_encoder"] == ["transformers", "BertModel"]
    assert index["safety_checker"] == [None, None] and not index["requires_safety_checker"]
    # the text encoder is linked in from the installed package, never copied
    weights = folder / "text_encoder" / "model.safetensors"
    assert weights.is_symlink()
    assert weights.resolve() == (latent_diffusion.text_encoder_folder() / "model.safetensors")
    script = (
        "import sys, torch\n"
        "from diffusers import DiffusionPipeline\n"
        "pipe = DiffusionPipeline.from_pretrained(sys.argv[1])\n"
        "pipe.set_progress_bar_config(disable=True)\n"
        "out = pipe('a red apple', num_inference_steps=3, guidance_scale=4,\n"
        "           generator=torch.Generator().manual_seed(0)).images[0]\n"
        "assert 'genzoo' not in sys.modules\n"
        "print(type(pipe).__name__, pipe.tokenizer.model_max_length, out.size)\n"
    )
    env = os.environ | {"PYTHONPATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        capture_output=True,
        text=True,
        cwd="/",
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["StableDiffusionPipeline", "24", "(32,", "32)"]


def test_pipeline_card_has_the_guidance_table_and_alignment(tiny_text_to_image):
    folder = tiny_text_to_image.out
    metrics = {m["type"]: m for m in card_metrics(str(folder))}
    assert {FRECHET_KEY, "alignment_top1", "alignment_top5"} <= set(metrics)
    assert metrics[FRECHET_KEY]["reference_name"] == REAL_FLOOR
    assert metrics["alignment_top1"]["reference_name"] == REAL_CEILING
    assert 0 <= metrics["alignment_top1"]["value"] <= metrics["alignment_top5"]["value"] <= 1
    card = ModelCard.load(folder / "README.md")
    assert card.data.pipeline_tag == "text-to-image" and "diffusers" in card.data.tags
    section = card.text.split("## Guidance and steps\n")[1].split("\n## ")[0]
    table = [line for line in section.splitlines() if line.startswith("| ")]
    for guidance in ("1", "5"):
        for steps in ("2", "3"):
            assert any(line.startswith(f"| {guidance} | {steps} |") for line in table)
    assert (folder / "vae" / "README.md").is_file() and (folder / "samples.png").is_file()
    assert "DiffusionPipeline.from_pretrained" in card.text
    # The same table on emoji it was trained on, at the most steps, judged among them.
    assert metrics["alignment_seen_top1"]["reference_name"] == "real training images (ceiling)"
    assert "among 6 training emoji" in metrics["alignment_seen_top5"]["name"]
    section = card.text.split(f"## {SEEN_SECTION}\n")[1].split("\n## ")[0]
    assert "emoji of the training split" in section
    assert [line.split(" | ")[:2] for line in section.splitlines() if line[2:3].isdigit()] == [
        ["| 1", "3"],
        ["| 5", "3"],
    ]


def test_two_moving_averages_are_measured_and_the_better_saved(tiny_text_to_image):
    """With --second_ema_decay, both averages draw the held-out captions; the card's table
    marks the one saved, and its summary names that one's decay."""
    card = ModelCard.load(tiny_text_to_image.out / "README.md").text
    section = card.split("## Moving averages\n")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| 0.")]
    assert [row.split(" | ")[0].split()[1] for row in rows] == ["0.999", "0.5"]
    (saved,) = [row for row in rows if "(saved)" in row]
    assert f"(decay {saved.split()[1]})" in card
    for row in rows:
        distance, top1, top5 = (float(cell) for cell in row.strip(" |").split(" | ")[1:])
        assert distance > 0 and 0 <= top1 <= top5 <= 1


def test_seen_emoji_keeps_every_image_of_some_training_emoji(tiny_emoji):
    train_set = load_captioned(colour_folders(tiny_emoji), "train", 32)
    seen = seen_emoji(train_set, 3)
    assert len(set(seen.keys)) == 3 and set(seen.keys) <= set(train_set.keys)
    assert len(seen) == sum(key in set(seen.keys) for key in train_set.keys)
    assert seen.images.shape[1:] == train_set.images.shape[1:]


def test_text_to_image_run_saves_ema_checkpoints_and_grids(tiny_text_to_image):
    run = tiny_text_to_image.run
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["step-2", "step-4"]
    assert any(
        p.name.startswith("custom_checkpoint") for p in (run / "checkpoints/step-4").iterdir()
    )
    grids = sorted(p.name for p in (run / "samples").iterdir())
    assert grids == ["validation-000002.png", "validation-000004.png"]


def test_complete_folder_relinks_a_moved_text_encoder(tiny_text_to_image, tmp_path):
    copy = tmp_path / "pipe"
    subprocess.run(["cp", "-r", "--no-dereference", str(tiny_text_to_image.out), str(copy)])
    link = copy / "text_encoder" / "model.safetensors"
    link.unlink()
    os.symlink(tmp_path / "gone.safetensors", link)  # dangling, as after the venv moved
    complete_folder(copy)
    assert link.exists() and link.resolve().name == "model.safetensors"
    complete_folder(copy)  # idempotent


def test_bundled_text_encoder_is_never_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "checkpoints/text-to-image-emoji/text_encoder/x"],
        cwd=REPO,
    )
    assert ignored.returncode == 0


def test_random_masks_are_boxes_or_whole_and_reproducible():
    masks = random_masks(200, 32, generator=torch.Generator().manual_seed(1), full_share=0.25)
    again = random_masks(200, 32, generator=torch.Generator().manual_seed(1), full_share=0.25)
    assert torch.equal(masks, again) and masks.shape == (200, 1, 32, 32)
    assert set(masks.unique().tolist()) == {0.0, 1.0}
    covered = masks.mean((1, 2, 3))
    whole = int((covered == 1).sum())
    assert 25 < whole < 75  # about a quarter
    assert covered[covered < 1].min() >= (8 * 8) / (32 * 32)  # at least one box of a quarter side
    assert covered[covered < 1].max() < 1


def test_mask_channels_start_as_the_text_to_image_model(tiny_text_to_image):
    unet = UNet2DConditionModel.from_pretrained(tiny_text_to_image.out, subfolder="unet")
    wide = latent_diffusion.with_mask_channels(unet)
    assert wide.config.in_channels == 9 and latent_diffusion.reads_mask(wide)
    assert not latent_diffusion.reads_mask(unet)
    latents, context = torch.randn(1, 4, 8, 8), torch.randn(1, 24, 384)
    extra = torch.randn(1, 5, 8, 8)  # anything in the new channels: their weights are zero
    with torch.no_grad():
        narrow = unet(latents, 10, context).sample
        widened = wide(torch.cat([latents, extra], 1), 10, context).sample
    torch.testing.assert_close(widened, narrow)


def test_pooled_text_starts_as_the_text_to_image_model_and_then_hears_the_caption(
    tiny_text_to_image, tmp_path
):
    """`--pooled_text` on a saved UNet: the same predictions at first, and a stock config that
    diffusers loads again; once its pooling is trained, another caption changes every block."""
    unet = UNet2DConditionModel.from_pretrained(tiny_text_to_image.out, subfolder="unet")
    pooled = latent_diffusion.with_pooled_text(unet, heads=2)
    assert latent_diffusion.pools_text(pooled) and not latent_diffusion.pools_text(unet)
    fresh = latent_diffusion.denoiser(
        latent_size=8, channels=(16, 16, 32), heads=2, pooled_text=True
    )
    assert latent_diffusion.pools_text(fresh) and fresh.config.addition_embed_type_num_heads == 2
    latents, context = torch.randn(1, 4, 8, 8), torch.randn(1, 24, 384)
    with torch.no_grad():
        torch.testing.assert_close(
            pooled(latents, 10, context).sample, unet(latents, 10, context).sample
        )
    pooled.save_pretrained(tmp_path / "unet")
    again = UNet2DConditionModel.from_pretrained(tmp_path / "unet")
    assert latent_diffusion.pools_text(again)
    torch.nn.init.ones_(again.add_embedding.norm2.weight)
    with torch.no_grad():
        assert not torch.allclose(
            again(latents, 10, context).sample, unet(latents, 10, context).sample
        )


def test_dropout_reaches_every_residual_block_of_a_fresh_or_saved_unet(tiny_text_to_image):
    """`--dropout` (DDPM's regulariser) on a fresh UNet and on a `--unet_from` one: it acts in
    training and not at inference, and a saved UNet starts from its own weights."""
    from training.train_text_to_image import Settings, build_unet

    vae = AutoencoderKL.from_pretrained(tiny_text_to_image.out, subfolder="vae")
    shape = dict(image_size=32, channels=[16, 16, 32], heads=2, dropout=0.3)
    saved = UNet2DConditionModel.from_pretrained(tiny_text_to_image.out, subfolder="unet")
    for unet_from in ("", str(tiny_text_to_image.out)):
        unet = build_unet(Settings(**shape, unet_from=unet_from), vae)
        rates = [m.p for m in unet.modules() if isinstance(m, torch.nn.Dropout) and m.p]
        assert unet.config.dropout == 0.3 and len(rates) >= len(shape["channels"])
        latents, context = torch.randn(2, 4, 8, 8), torch.randn(2, 24, 384)
        with torch.no_grad():
            unet.train()
            assert not torch.allclose(
                unet(latents, 10, context).sample, unet(latents, 10, context).sample
            )
            unet.eval()
            torch.testing.assert_close(
                unet(latents, 10, context).sample, unet(latents, 10, context).sample
            )
    torch.testing.assert_close(unet.state_dict(), saved.float().state_dict())


def test_inpainting_fine_tune_writes_a_stock_inpaint_pipeline_measured_against_blending(
    tiny_inpainting,
):
    folder = tiny_inpainting.out
    index = json.loads((folder / "model_index.json").read_text())
    assert index["_class_name"] == "StableDiffusionInpaintPipeline"
    pipe = DiffusionPipeline.from_pretrained(folder)
    assert type(pipe).__name__ == "StableDiffusionInpaintPipeline"
    assert pipe.unet.config.in_channels == 9
    metrics = {m["type"]: m for m in card_metrics(str(folder))}
    assert {HOLE_L1, FRECHET_KEY, "alignment_top5"} <= set(metrics)
    assert metrics[HOLE_L1]["reference_name"].startswith("latent blending")
    assert 0 < metrics[HOLE_L1]["value"] < 1 and 0 < metrics[HOLE_L1]["reference"] < 1
    card = ModelCard.load(folder / "README.md")
    assert "inpainting" in card.data.tags and "mask_image=mask" in card.text
    section = card.text.split("## Mask channel against latent blending\n")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    for approach in ("mask channel", "latent blending", GREY_HOLE, TRUTH):
        assert any(line.startswith(f"| {approach}") for line in rows), approach
    assert "Nearer the truth in the hole:" in section
    assert (folder / "samples.png").is_file()
    grids = sorted(p.name for p in (tiny_inpainting.run / "samples").iterdir())
    assert grids == ["validation-000002.png", "validation-000004.png"]


@pytest.mark.slow
@pytest.mark.distributed
@pytest.mark.parametrize(
    "script, run",
    [("train_autoencoder", "tiny_autoencoder"), ("train_text_to_image", "tiny_text_to_image")],
)
def test_training_runs_in_two_processes_with_torchrun(script, run, request, tmp_path):
    """The distributed path: torchrun gives accelerate a gloo group of 2 on the CPU (a user
    with GPUs runs the same script with `accelerate launch`); the autoencoder's GAN term on."""
    tiny = request.getfixturevalue(run)
    command = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
        "--master_port", str(free_port()), str(REPO / "training" / f"{script}.py"),
        *tiny.again(tmp_path / "out", tmp_path / "run"),
    ]  # fmt: skip
    env = os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-9000:]}"
    assert "torchrun --nproc_per_node 2" in (tmp_path / "out" / "README.md").read_text()
    saved = {path.name for path in (tmp_path / "run" / "checkpoints" / "step-4").iterdir()}
    assert {"random_states_0.pkl", "random_states_1.pkl"} <= saved  # two processes trained
    config = "config.json" if script == "train_autoencoder" else "unet/config.json"
    made, alone = (
        json.loads((folder / config).read_text()) for folder in (tmp_path / "out", tiny.out)
    )
    assert made["block_out_channels"] == alone["block_out_channels"]


def test_decoder_fine_tune_keeps_the_latents(tiny_autoencoder, tmp_path):
    """--decoder_from trains the decoder alone (here against a mark, --mark_weight): the
    encoder, and so every latent a UNet learned from, and their scale stay exactly as they were."""
    from training.train_autoencoder import main

    main(tiny_autoencoder.again(tmp_path / "out", tmp_path / "run", "--decoder_from",
                                str(tiny_autoencoder.out), "--mark_weight", "1",
                                "--flat_images", "2", "--clamped_loss", "true"))  # fmt: skip
    before = AutoencoderKL.from_pretrained(tiny_autoencoder.out)
    after = AutoencoderKL.from_pretrained(tmp_path / "out")
    old, new = before.state_dict(), after.state_dict()
    assert all(torch.equal(old[k], new[k]) for k in old if k.startswith(("encoder.", "quant")))
    assert any(not torch.equal(old[k], new[k]) for k in old if k.startswith("decoder."))
    assert after.config.scaling_factor == before.config.scaling_factor
    card = (tmp_path / "out" / "README.md").read_text()
    assert "decoder alone was fine-tuned" in card and "2 images were made one flat colour" in card
    assert "and of each flat image" in card and "on the clamped output" in card
    runs = card_runs(str(tmp_path / "out"))  # both runs, and the time of both
    assert [run["command"] for run in runs[:1]] == [
        card_runs(str(tiny_autoencoder.out))[0]["command"]
    ]
    assert len(runs) == 2 and "--decoder_from" in runs[1]["command"]
    assert f"- Wall time: {sum(run['seconds'] for run in runs)} s" in card
    assert "same place on every output" in card
    # how it learned: the first run's curve and time-lapse, then this run's, its steps counted on
    first = [row["step"] for row in load_training_curve(str(tiny_autoencoder.out))]
    own = [row["step"] for row in logged_curve(tmp_path / "run")]
    both = [row["step"] for row in load_training_curve(str(tmp_path / "out"))]
    assert first and own and both == first + [first[-1] + step for step in own]
    frames = [len(gif_frames(timelapse_path(str(folder)).read_bytes())) for folder in
              (tiny_autoencoder.out, tmp_path / "out")]  # fmt: skip
    assert frames[1] == frames[0] + len(sample_grids(tmp_path / "run")) and frames[0] >= 2


def test_the_mark_term_weighs_common_errors_and_each_flat_images_worst_pixel():
    from training.train_autoencoder import mark

    real = torch.zeros(4, 3, 8, 8)
    common = real.clone()
    common[:, 0, 7, 7] = 0.5  # every image wrong at one pixel: a mark
    assert mark(common, real) == pytest.approx(0.5)
    scattered = real.clone()
    scattered[torch.arange(4), 0, torch.arange(4), 0] = 0.5  # each wrong somewhere else
    assert mark(scattered, real) == pytest.approx(0.125)
    flat = real.clone()
    flat[0, 1, 0, 0] = 0.3  # the flat image's corner
    assert mark(flat, real, flat_images=1) == pytest.approx(0.3)


def test_flat_images_replace_the_first_of_a_batch():
    from training.train_autoencoder import with_flat_images

    batch = torch.rand(5, 3, 8, 8) * 2 - 1
    made = with_flat_images(batch, 2)
    assert made.shape == batch.shape and torch.equal(made[2:], batch[2:])
    assert torch.equal(made[0], torch.ones(3, 8, 8))
    assert torch.equal(made[1], made[1, :, :1, :1].expand(3, 8, 8))  # one colour
    assert with_flat_images(batch, 0) is batch


@pytest.mark.slow
@pytest.mark.parametrize(
    "script, run, weights",
    [
        ("autoencoder", "tiny_autoencoder", "diffusion_pytorch_model.safetensors"),
        ("text_to_image", "tiny_text_to_image", "unet/diffusion_pytorch_model.safetensors"),
        ("inpainting", "tiny_inpainting", "unet/diffusion_pytorch_model.safetensors"),
    ],
)
def test_a_run_resumed_mid_epoch_ends_bit_for_bit_where_the_unbroken_run_did(
    script, run, weights, request, tmp_path
):
    """The 4-step run again, resumed from its step-2 checkpoint (the middle of an epoch): the very
    weights the unbroken run saved, so a long run split over sittings is the run its preset's
    one command makes."""
    tiny = request.getfixturevalue(run)
    folder = tmp_path / "run"
    shutil.copytree(tiny.run, folder)
    shutil.rmtree(folder / "checkpoints" / "step-4")
    importlib.import_module(f"training.train_{script}").main(
        tiny.again(tmp_path / "out", folder, "--resume")
    )
    resumed, unbroken = (load_file(f / weights) for f in (tmp_path / "out", tiny.out))
    assert resumed.keys() == unbroken.keys()
    assert all(torch.equal(resumed[name], unbroken[name]) for name in unbroken)
    said = card_runs(str(tmp_path / "out"))[-1]["command"]
    assert "--resume" not in said and said.startswith(f"python training/train_{script}.py")


@pytest.mark.slow
@pytest.mark.parametrize(
    "script, run", [("autoencoder", "tiny_autoencoder"), ("text_to_image", "tiny_text_to_image")]
)
def test_resume_continues_from_the_saved_step(script, run, request, tmp_path, capsys):
    """A copy of the finished 4-step run, resumed to 6 steps (what each long run does in every
    session after its first): only steps 5 and 6 are trained, from the saved weights, optimizer,
    learning-rate schedule and moving averages, and the card's wall time counts both sittings."""
    tiny = request.getfixturevalue(run)
    main = importlib.import_module(f"training.train_{script}").main
    folder = tmp_path / "run"
    shutil.copytree(tiny.run, folder)
    shutil.rmtree(folder / "samples")
    first_sitting = folder / "checkpoints" / "step-4" / "genzoo_step.json"
    first_sitting.write_text(json.dumps({"step": 4, "seconds": 5000.0}))
    capsys.readouterr()
    more = ("--max_steps", "6", "--sample_every", "1", "--resume")
    main(tiny.again(tmp_path / "out", folder, *more))
    assert "Resumed from" in capsys.readouterr().out
    assert sorted(p.name for p in (folder / "checkpoints").iterdir()) == ["step-4", "step-6"]
    grids = sorted(p.name for p in (folder / "samples").iterdir())
    assert [int(name[-10:-4]) for name in grids] == [5, 6]  # from scratch would draw 1 to 6
    assert 5000 < training_seconds(folder) < 5600


def test_throughput_benchmark_times_sampling_and_every_training_loop(tiny_emoji):
    """The GPU benchmark's command, tiny and on the CPU: every row of its table, with the ratios
    of genzoo's training loop to the loop before caption caching and to the plain one computed
    from the rows above them."""
    command = [
        sys.executable, "-m", "benchmarks.throughput", "--batch", "2", "--steps", "2",
        "--train_batch", "4", "--train_steps", "1", "--runs", "1",
        "--sources", *colour_folders(tiny_emoji),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {
        cells[0]: cells[1:]
        for line in done.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| measure")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert list(rows) == [
        "sampling: 2 images, 2 steps, guidance 5",
        "training, genzoo's loop, batch 4",
        "training, genzoo's loop as it was: captions encoded each step, AdamW unfused, batch 4",
        "training, plain diffusers-example loop, batch 4",
        "genzoo: encoding the latents, once",
        "genzoo ÷ before, training",
        "genzoo ÷ plain, training",
    ]
    assert float(rows["sampling: 2 images, 2 steps, guidance 5"][1].split()[0]) > 0
    genzoo, before, plain = (
        float(rows[f"training, {name}, batch 4"][0].removesuffix(" ms/step"))
        for name in (
            "genzoo's loop",
            "genzoo's loop as it was: captions encoded each step, AdamW unfused",
            "plain diffusers-example loop",
        )
    )
    for other, time_per_step in (("before", before), ("plain", plain)):
        ratio = float(rows[f"genzoo ÷ {other}, training"][1].removesuffix("x"))
        assert abs(ratio - time_per_step / genzoo) <= 0.006  # speed ratio: time, inverted
    assert done.stdout.startswith("Hardware: ")


def test_half_precision_stores_the_unet_alone_in_float16(tiny_text_to_image):
    """The bundled UNet is stored at half precision, half the size; loading upcasts it."""
    unet = load_file(tiny_text_to_image.out / "unet" / "diffusion_pytorch_model.safetensors")
    vae = load_file(tiny_text_to_image.out / "vae" / "diffusion_pytorch_model.safetensors")
    assert {t.dtype for t in unet.values()} == {torch.float16}
    assert {t.dtype for t in vae.values()} == {torch.float32}
    pipeline = DiffusionPipeline.from_pretrained(tiny_text_to_image.out, dtype=torch.float32)
    assert pipeline.unet.dtype == torch.float32


def test_a_new_sitting_goes_on_from_a_saved_unet_and_counts_every_run(tiny_text_to_image, tmp_path):
    """--unet_from trains the UNet a pipeline folder saved (the bundled one, when a session's runs
    are gone), and its card adds this sitting to the runs that made the weights before it, and its
    training curve to the curve before it."""
    from training.train_text_to_image import main

    main(tiny_text_to_image.again(tmp_path / "out", tmp_path / "run", "--unet_from",
                                  str(tiny_text_to_image.out), "--max_steps", "2"))  # fmt: skip
    before, after = (
        UNet2DConditionModel.from_pretrained(folder, subfolder="unet", dtype=torch.float32)
        for folder in (tiny_text_to_image.out, tmp_path / "out")
    )
    assert {k: v for k, v in after.config.items() if k != "_name_or_path"} == {
        k: v for k, v in before.config.items() if k != "_name_or_path"
    }
    old, new = before.state_dict(), after.state_dict()
    assert any(not torch.equal(old[k], new[k]) for k in old)  # trained on, from those weights
    fresh = UNet2DConditionModel.from_config(before.config).state_dict()

    def distance(a, b):
        return sum((a[k] - b[k]).abs().sum() for k in a)

    assert distance(old, new) < 0.1 * distance(old, fresh)  # went on, did not start afresh
    earlier, runs = card_runs(str(tiny_text_to_image.out)), card_runs(str(tmp_path / "out"))
    assert runs[:-1] == earlier and "--unet_from" in runs[-1]["command"]
    first, both = (load_training_curve(str(f)) for f in (tiny_text_to_image.out, tmp_path / "out"))
    assert both[: len(first)] == first and both[-1]["step"] == first[-1]["step"] + 2  # counted on


def test_epochs_that_end_training_before_max_steps_are_said(capsys):
    """A resumed sitting asked for more steps than its epochs give stops early: it says so."""
    assert total_steps(100, 213, 26000) == 21300
    assert "training stops at step 21300. Raise --epochs" in capsys.readouterr().out
    assert total_steps(100, 213, 19000) == 19000 and total_steps(2, 10, 0) == 20
    assert capsys.readouterr().out == ""
