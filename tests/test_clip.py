"""The CLIP family and CLIP guidance: the training script on tiny emoji folders writing a stock
`VisionTextDualEncoderModel` without MiniLM's weights, the bundled CLIP's zero-shot retrieval on
held-out emoji, and CLIP guidance through the pipeline, the Gradio endpoints and the page."""

import shutil
import subprocess

import numpy as np
import pytest
import torch
from huggingface_hub import ModelCard
from PIL import Image
from safetensors.torch import load_file
from streamlit.testing.v1 import AppTest
from transformers import VisionTextDualEncoderModel

from genzoo.alignment import top_k
from genzoo.cards import NOISE_AWARENESS_SECTION, card_metrics
from genzoo.data.captions import load_captioned
from genzoo.hub import load_model
from genzoo.images import InvalidInputError
from genzoo.models import latent_diffusion
from genzoo.models.clip import TEXT_SHARD, TRAINED_SHARD, complete_folder
from genzoo.pipelines import text_to_image as t2i
from genzoo.retrieval import CHANCE, clip_score, evaluate_retrieval, ranks
from tests.helpers import REPO, SMOKE_DIFFUSION, colour_folders, image_at, png, smoke_run, upload

T2I = "text-to-image-emoji"
PROMPT = "a red apple, flat icon"


@pytest.fixture(scope="module")
def tiny_clip(tiny_emoji, tmp_path_factory):
    from training.train_clip import main

    args = [
        "--sources", *colour_folders(tiny_emoji), "--image_size", "32",
        "--widths", "8", "16", "16", "32", "--projection_dim", "16", "--batch_size", "8",
        "--train_limit", "8", "--test_limit", "8", "--eval_count", "12",
        "--diffusion_model", str(REPO / "checkpoints" / T2I), "--title", "tiny CLIP",
        *SMOKE_DIFFUSION,
    ]  # fmt: skip
    return smoke_run(tmp_path_factory, "tiny-clip", main, args)


def test_a_run_resumed_mid_epoch_ends_bit_for_bit_where_the_unbroken_run_did(tiny_clip, tmp_path):
    """The 4-step run again, resumed from its step-2 checkpoint: the very weights the unbroken
    run saved (its seeded draws of blur and noise are checkpointed too)."""
    from training.train_clip import main

    run = tmp_path / "run"
    shutil.copytree(tiny_clip.run, run)
    shutil.rmtree(run / "checkpoints" / "step-4")
    main(tiny_clip.again(tmp_path / "out", run, "--resume"))
    resumed, unbroken = (load_file(f / TRAINED_SHARD) for f in (tmp_path / "out", tiny_clip.out))
    assert resumed.keys() == unbroken.keys()
    assert all(torch.equal(resumed[name], unbroken[name]) for name in unbroken)


def test_training_writes_a_stock_dual_encoder_with_its_metrics(tiny_clip):
    folder = tiny_clip.out
    (folder / TEXT_SHARD).unlink()  # as a fresh clone has it: the trained shard alone
    model = VisionTextDualEncoderModel.from_pretrained(complete_folder(folder))
    minilm = latent_diffusion.text_encoder()
    assert torch.equal(
        model.text_model.embeddings.word_embeddings.weight,
        minilm.embeddings.word_embeddings.weight,
    )
    assert (folder / TRAINED_SHARD).stat().st_size < 2_000_000  # no MiniLM in it
    card = ModelCard.load(folder / "README.md")
    assert "clip" in card.data.tags
    metrics = {m["type"]: m for m in card_metrics(str(folder))}
    for key in ("retrieval_image_to_text_top1", "retrieval_text_to_image_top5"):
        assert 0 <= metrics[key]["value"] <= 1
        assert metrics[key]["reference_name"] == CHANCE and metrics[key]["reference"] > 0
    assert "| t | noisy image | predicted clean image |" in card.text


def test_git_keeps_minilm_out_of_the_bundled_folder():
    shard = f"checkpoints/clip-emoji/{TEXT_SHARD}"
    ignored = subprocess.run(["git", "check-ignore", "-q", shard], cwd=REPO, check=False)
    assert ignored.returncode == 0
    assert (REPO / "checkpoints/clip-emoji" / TRAINED_SHARD).is_file()


def test_ranks_count_the_entries_above_the_diagonal():
    similarity = torch.tensor([[0.9, 0.1, 0.2], [0.8, 0.5, 0.1], [0.3, 0.4, 0.2]])
    assert ranks(similarity).tolist() == [0, 1, 2]


def test_bundled_clip_retrieves_unseen_emoji_far_better_than_chance(tiny_emoji):
    clip = load_model("clip-emoji", family="clip")
    held_out = load_captioned(colour_folders(tiny_emoji), "test", 64)  # never seen in training
    retrieval = evaluate_retrieval(clip, held_out)
    count = len(retrieval.image_to_text)
    assert count >= 20
    assert top_k(retrieval.image_to_text, 1) > 5 / count  # five times chance
    assert top_k(retrieval.text_to_image, 1) > 5 / count


@pytest.mark.slow
def test_clip_guidance_raises_the_clip_score_and_is_seeded():
    clip = load_model("clip-emoji", family="clip")
    settings = dict(guidance=1.0, steps=8, seed=3)
    plain = t2i.text_to_image(T2I, PROMPT, 2, **settings)
    guided = t2i.text_to_image(T2I, PROMPT, 2, clip_guidance=3, **settings)
    again = t2i.text_to_image(T2I, PROMPT, 2, clip_guidance=3, **settings)
    assert all(
        np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(guided, again, strict=True)
    )

    def score(images):
        pixels = torch.stack([torch.from_numpy(np.asarray(i.resize((64, 64)))) for i in images])
        return clip_score(clip, pixels.permute(0, 3, 1, 2).float() / 255, [PROMPT] * 2)

    assert score(guided) > score(plain) + 1


@pytest.mark.slow
def test_guidance_comparison_puts_the_three_side_by_side():
    strip, ways = t2i.guidance_comparison(T2I, PROMPT, steps=4, seed=1, guidance=4.0)
    assert strip.width > 2.5 * strip.height
    assert ways == [
        "classifier-free 4",
        f"CLIP {t2i.DEFAULT_CLIP_GUIDANCE:g}",
        f"both (4, CLIP {t2i.DEFAULT_CLIP_GUIDANCE:g})",
    ]


@pytest.mark.parametrize("scale", [-1.0, t2i.CLIP_GUIDANCE.high + 1])
def test_out_of_range_clip_guidance_gets_a_message(scale):
    with pytest.raises(InvalidInputError, match="CLIP guidance scale"):
        t2i.check_request(PROMPT, clip_guidance=scale)


@pytest.mark.slow
def test_endpoints_take_a_clip_guidance_scale(client):
    settings = dict(negative_prompt="", guidance=1.0, steps=6, scheduler="DDIM", seed=5)
    plain = client.predict(T2I, PROMPT, **settings, count=1, api_name="/text_to_image")
    guided = client.predict(
        T2I, PROMPT, **settings, count=1, clip_guidance=3, api_name="/text_to_image"
    )
    plain, guided = (np.asarray(image_at(r[0]["image"]), float) for r in (plain, guided))
    assert np.abs(plain - guided).mean() > 1
    strip, ways = client.predict(
        T2I, PROMPT, "", 5.0, 4, "DDIM", 5, 5, api_name="/guidance_comparison"
    )
    assert image_at(strip).width > 2.5 * image_at(strip).height and "CLIP 5" in ways
    with pytest.raises(Exception, match="greater than maximum"):
        client.predict(
            T2I, PROMPT, **settings, count=1, clip_guidance=1e6, api_name="/text_to_image"
        )
    assert client.predict(T2I, PROMPT, **settings, count=1, api_name="/text_to_image")


@pytest.mark.slow
def test_streamlit_page_compares_the_guidances():
    app = AppTest.from_file(
        str(REPO / "streamlit_gallery/pages/5_Text_to_image.py"), default_timeout=300
    ).run()
    compare = next(b for b in app.button if b.label == "Compare")
    compare.click().run()
    assert not app.exception
    captions = [img.caption for element in app.get("image") for img in element.proto.imgs]
    assert any(c.startswith("Left to right: classifier-free") for c in captions)


def test_ranking_an_example_puts_probabilities_in_order():
    from genzoo.pipelines import clip as pipeline

    captions = pipeline.example_captions("clip-emoji", 3)
    assert pipeline.examples("clip-emoji")[1][3] in captions.splitlines()
    ranking = pipeline.rank_captions(
        "clip-emoji", pipeline.example_image("clip-emoji", 3), captions
    )
    assert sorted(ranking.captions) == sorted(captions.splitlines())
    assert ranking.probabilities == sorted(ranking.probabilities, reverse=True)
    assert abs(sum(ranking.probabilities) - 1) < 1e-5


def test_the_gradio_tab_opens_on_the_first_examples_own_captions():
    """Its first result is a fair question: the example's caption is among those ranked."""
    import demos.clip
    from genzoo.pipelines import clip as pipeline

    demo = demos.clip.build()
    textboxes = [c for c in demo.blocks.values() if type(c).__name__ == "Textbox"]
    (captions,) = [t for t in textboxes if t.label.startswith(pipeline.CAPTIONS.label)]
    assert pipeline.examples("clip-emoji")[1][0] in captions.value.splitlines()


def test_clip_rank_endpoint_and_its_bad_input(client, tmp_path):
    picture = upload(tmp_path, "apple.png", png(Image.new("RGB", (300, 120), (220, 30, 30))))
    seen, result = client.predict(
        "clip-emoji", picture, "a red apple\na blue car", api_name="/clip_rank"
    )
    assert {c["label"] for c in result["confidences"]} == {"a red apple", "a blue car"}
    assert image_at(seen).width >= 64
    _, result = client.predict(
        "clip-emoji", 3, "a cat\na dog\na sun", api_name="/clip_rank_example"
    )
    assert len(result["confidences"]) == 3
    with pytest.raises(Exception, match="at least two captions"):
        client.predict("clip-emoji", picture, "a red apple", api_name="/clip_rank")
    junk = upload(tmp_path, "junk.png", b"not an image at all")
    with pytest.raises(Exception, match="not an image I can read"):
        client.predict("clip-emoji", junk, "a\nb", api_name="/clip_rank")
    with pytest.raises(Exception, match="No image was given"):
        client.predict("clip-emoji", None, "a\nb", api_name="/clip_rank")
    assert client.predict("clip-emoji", picture, "a\nb", api_name="/clip_rank")[1]["label"]


def test_streamlit_clip_page_ranks_an_example_and_refuses_one_caption():
    app = AppTest.from_file(
        str(REPO / "streamlit_gallery/pages/6_CLIP.py"), default_timeout=120
    ).run()
    assert not app.exception and app.title[0].value == "CLIP"
    table = app.dataframe[0].value
    assert len(table) >= 2 and table["probability"].is_monotonic_decreasing
    app.text_area[0].set_value("just one").run()
    assert any("at least two captions" in e.value for e in app.error)


def test_measurements_after_training_go_into_the_card_once(tiny_clip):
    from genzoo.cards import add_to_card, card_section
    from genzoo.evaluation import Metric

    folder = str(tiny_clip.out)
    for value in (1.5, 2.5):  # measured twice: the second replaces the first
        metric = Metric("extra_score", "an extra score", value, False, 3.0, "ceiling")
        add_to_card(folder, [metric], {"Extra": f"measured {value}"}, "text-to-image")
    found = [m for m in card_metrics(folder) if m["type"] == "extra_score"]
    assert found == [
        {"name": "an extra score", "type": "extra_score", "value": 2.5, "reference": 3.0,
         "reference_name": "ceiling"}
    ]  # fmt: skip
    assert card_section(folder, "Extra") == "measured 2.5"
    assert card_section(folder, NOISE_AWARENESS_SECTION).startswith("Image →")


def test_a_benchmark_reports_its_table_and_writes_it_only_when_asked(tiny_clip, capsys):
    from genzoo.cards import card_section, report_measurement

    folder = str(tiny_clip.out)
    asked = dict(folder=folder, section="Report", task="text-to-image", note="Two rows.")
    text = report_measurement("| a | b |", "python benchmarks/x.py --write-card", **asked)
    assert capsys.readouterr().out.strip() == text
    assert text.startswith("| a | b |\n\nTwo rows. Measured by `python benchmarks/x.py")
    assert "CPU" in text and card_section(folder, "Report") == ""
    report_measurement("| c | d |", "python benchmarks/x.py --write-card", write=True, **asked)
    assert card_section(folder, "Report").startswith("| c | d |\n\nTwo rows. Measured by")


def test_guidance_kinds_are_measured_at_matched_cost(tiny_emoji):
    from genzoo.hub import load_pipeline
    from genzoo.retrieval import evaluate_guidance_kinds, guidance_kinds_markdown

    held_out = load_captioned(colour_folders(tiny_emoji), "test", 64)
    clip = load_model("clip-emoji", family="clip")
    rows, real = evaluate_guidance_kinds(
        load_pipeline(T2I), clip, held_out, steps=3, count=6, timing_prompts=2
    )
    assert [r.kind for r in rows] == ["classifier-free only", "CLIP only", "both"]
    assert rows[0].steps == 3 and all(1 <= r.steps <= 6 for r in rows)
    assert (rows[1].guidance, rows[1].clip_guidance) == (1.0, 3.0)
    assert 0 < real < 100
    table = guidance_kinds_markdown(rows, real, 6)
    assert table.count("\n| ") == 5 and "no ceiling" in table and "(ceiling)" not in table
