"""The likelihood lab: the VAE's decoder read over the 256 grey levels is a distribution, its
importance-weighted bound lies below the exact log-likelihood and rises towards it, each family's
figure is its model's own, the codecs' sizes, the out-of-distribution summary and chart, the
lab's table and its messages for bad input, and both UIs."""

import json
import math
import shutil

import numpy as np
import pytest
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from genzoo import likelihood
from genzoo.hub import load_examples
from genzoo.images import InvalidInputError
from genzoo.models.flow import Glow
from genzoo.models.pixelcnn import GatedPixelCNN
from genzoo.models.vae import VAE, importance_weighted_log_prob, level_log_prob
from genzoo.pipelines import likelihood as lab
from tests.helpers import REPO, png, png_header_claiming

PAGE = str(REPO / "streamlit_gallery/pages/9_Likelihood_lab.py")


def random_levels(count: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (count, 1, 28, 28), generator=generator, dtype=torch.uint8)


def sharp_vae(scale: float = 20.0) -> VAE:
    """A 2-D VAE with random weights whose decoder's logits are `scale` times larger: its
    posterior is narrow and far from its encoder's guess, so one importance sample is a loose
    bound."""
    torch.manual_seed(0)
    model = VAE(latent_dim=2, hidden_channels=[8, 16], hidden_features=32).eval()
    with torch.no_grad():
        model.decoder[-1].weight.mul_(scale)
    return model


def decoded_levels(model: VAE, z: torch.Tensor, seed: int = 1) -> torch.Tensor:
    """8-bit images drawn from the decoder's distribution over grey levels at latents `z`."""
    with torch.no_grad():
        log_probs = level_log_prob_table(model.decode_logits(z))
    uniform = torch.rand(log_probs.shape[:-1], generator=torch.Generator().manual_seed(seed))
    below = (log_probs.exp().cumsum(-1) < uniform[..., None].double()).sum(-1)
    return below.clamp(max=255).to(torch.uint8)


def level_log_prob_table(logits: torch.Tensor) -> torch.Tensor:
    """(..., 256): each level's log-probability, one `level_log_prob` call per level."""
    flat = logits.reshape(-1, 1, 1, 1)
    levels = [level_log_prob(flat, torch.full_like(flat, v)) for v in range(256)]
    return torch.stack(levels, -1).view(*logits.shape, 256).double()


def test_the_decoder_read_over_grey_levels_is_a_distribution():
    logits = [-900.0, -40.0, -3.0, -1e-5, 0.0, 1e-9, 0.2, 7.0, 60.0, 900.0]
    table = level_log_prob_table(torch.tensor(logits, dtype=torch.double))
    assert table.logsumexp(-1).abs().max() < 1e-9  # the levels' probabilities add up to one
    assert torch.allclose(table[4], torch.full((256,), -math.log(256), dtype=torch.double))
    assert (table[-1].argmax(), table[0].argmax()) == (255, 0)  # a large logit: white, as trained


@torch.no_grad()
def test_the_importance_weighted_bound_is_below_the_exact_value_and_rises_with_k():
    """A 2-D latent: log P(x) = log of the integral of P(x|z) p(z), exactly enough on a grid."""
    model = sharp_vae()
    levels = decoded_levels(model, torch.tensor([[0.5, -0.3], [1.0, 1.0], [-1.2, 0.2]]))
    ticks = torch.linspace(-6, 6, 121)  # finer grids move it by less than 1e-4 nats
    grid = torch.cartesian_prod(ticks, ticks)
    logits = model.decode_logits(grid)
    prior = -0.5 * grid.pow(2).sum(1).double() - math.log(2 * math.pi)
    cell = 2 * math.log(float(ticks[1] - ticks[0]))
    exact = (
        torch.stack(
            [
                (
                    level_log_prob(logits, image.expand(len(grid), -1, -1, -1)).double() + prior
                ).logsumexp(0)
                for image in levels
            ]
        )
        + cell
    )

    def bound(k: int, seeds: int) -> torch.Tensor:
        draws = [
            importance_weighted_log_prob(model, levels, k, torch.Generator().manual_seed(seed))
            for seed in range(seeds)
        ]
        return torch.stack(draws).double().mean(0)

    one, many = bound(1, 20), bound(256, 4)
    assert one.mean() < exact.mean() - 1  # a loose bound, in nats per image
    assert many.mean() > one.mean() + 1  # more samples: not lower, here much higher
    assert (many - exact).abs().max() < 0.5  # and close to the exact value


def small_models(tmp_path) -> list[tuple[str, str]]:
    """A PixelCNN, a Glow (actnorm initialised) and a VAE with random weights, saved as folders
    the lab loads: (family, folder) pairs."""
    torch.manual_seed(0)
    pixelcnn = GatedPixelCNN(channels=8, layers=2, head_channels=16)
    glow = Glow(steps_per_level=1, hidden_channels=8)
    glow.initialize(random_levels(16))
    vae = VAE(latent_dim=2, hidden_channels=[8, 16], hidden_features=32)
    models = []
    for family, model in (("pixelcnn", pixelcnn), ("flow", glow), ("vae", vae)):
        model.save_pretrained(tmp_path / f"small-{family}")
        models.append((family, str(tmp_path / f"small-{family}")))
    return models


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> list[tuple[str, str]]:
    return small_models(tmp_path_factory.mktemp("lab-models"))


@torch.no_grad()
def test_each_familys_figure_is_its_models_own(models):
    images = random_levels(6)
    classes = {"pixelcnn": GatedPixelCNN, "flow": Glow, "vae": VAE}
    loaded = {family: classes[family].from_pretrained(folder).eval() for family, folder in models}
    pixelcnn = likelihood.bits_per_dim("pixelcnn", loaded["pixelcnn"], images, batch_size=4)
    assert np.allclose(pixelcnn, loaded["pixelcnn"].bits_per_dim(images).numpy(), atol=1e-5)
    flow = likelihood.bits_per_dim("flow", loaded["flow"], images)
    seeded = torch.Generator().manual_seed(likelihood.SEED)
    assert np.allclose(flow, loaded["flow"].bits_per_dim(images, seeded).numpy(), atol=1e-5)
    vae = likelihood.bits_per_dim("vae", loaded["vae"], images)
    seeded = torch.Generator().manual_seed(likelihood.SEED)
    bound = importance_weighted_log_prob(loaded["vae"], images, likelihood.IWAE_SAMPLES, seeded)
    assert np.allclose(vae, (-bound / (784 * math.log(2))).numpy(), atol=1e-5)
    assert np.array_equal(vae, likelihood.bits_per_dim("vae", loaded["vae"], images))  # seeded
    assert likelihood.MEASURES["pixelcnn"].exact and not likelihood.MEASURES["vae"].exact


def test_codecs_store_a_flat_image_in_far_fewer_bits_than_noise():
    flat = np.full((28, 28), 90, np.uint8)
    noise = random_levels(1)[0, 0].numpy()
    for codec in likelihood.CODECS:
        assert likelihood.codec_bits_per_dim(codec, flat) < 1.5, codec
        assert likelihood.codec_bits_per_dim(codec, noise) > 7.5, codec  # 8 bits of entropy


def test_codecs_reach_the_reference_figures_on_fashion_mnist():
    """The reference figures, image by image on the first 2,000 test images: PNG 5.19 and lossless
    WebP 4.55 bits per dimension. The shipped examples are those images."""
    images = load_examples("vae-fashion-mnist")[0]["images"][:, 0].numpy()
    png_mean = np.mean([likelihood.codec_bits_per_dim("PNG", image) for image in images])
    webp = [likelihood.codec_bits_per_dim("WebP (lossless)", image) for image in images[:300]]
    assert png_mean == pytest.approx(5.19, abs=0.05)
    assert np.mean(webp) == pytest.approx(4.55, abs=0.2)  # a tenth of them: its ballpark


def test_the_summary_and_its_auroc():
    inside, outside = np.array([3.0, 3.5, 4.0, 4.5]), np.array([1.0, 2.0, 2.5])
    assert likelihood.auroc(inside, outside) == 0.0  # every digit cheaper: backwards
    assert likelihood.auroc(outside, inside) == 1.0
    assert likelihood.auroc(inside, inside) == 0.5
    facts = {"model": "m", "family": "vae", "how": "a bound", "auroc": 0.0}
    facts |= likelihood.summarise({likelihood.IN_DISTRIBUTION: inside, "digits": outside}, bins=7)
    summary = likelihood.OutOfDistribution.of(facts)
    assert len(summary.edges) == 8 and summary.edges[0] <= 1.0 and summary.edges[-1] >= 4.5
    assert sum(summary.datasets["digits"].histogram) == 3
    assert summary.datasets[likelihood.IN_DISTRIBUTION].mean == 3.75
    shares = [summary.share_below(likelihood.IN_DISTRIBUTION, bits) for bits in (0, 3.8, 9)]
    assert shares[0] == 0 and 0 < shares[1] < 1 and shares[2] == 1


def test_the_table_names_every_model_and_codec_and_marks_the_bounds(models):
    shirt = Image.new("L", (60, 80), 0)
    shirt.paste(200, (15, 15, 45, 65))
    report = lab.likelihood_of(png(shirt), models)
    names = report.table()["model or codec"]
    assert names == ["small-pixelcnn", "small-flow", "small-vae", *likelihood.CODECS]
    hows = dict(zip(names, report.table()["how"], strict=True))
    assert hows["small-pixelcnn"] == "exact"
    assert hows["small-flow"].startswith("a bound") and hows["small-vae"].startswith("a bound")
    assert hows["PNG"].startswith("a file of") and report.input.size == (224, 224)
    assert set(report.marks()) == {"small-pixelcnn", "small-flow", "small-vae"}
    assert any("fitted into 28x28" in note for note in report.notes)
    assert "best model" in report.describe()


def test_the_table_of_models_trained_by_the_real_scripts(tiny_pixelcnn, tiny_flow, tiny_vae):
    chosen = [("pixelcnn", str(tiny_pixelcnn)), ("flow", str(tiny_flow.out))]
    chosen.append(("vae", str(tiny_vae)))
    digit = Image.new("L", (28, 28), 0)
    digit.paste(255, (12, 4, 16, 24))
    report = lab.likelihood_of(png(digit), chosen)
    names = list(report.marks())
    assert names == [lab.model_name(reference) for _, reference in chosen]
    levels = torch.from_numpy(np.asarray(report.input)[:: lab.ZOOM, :: lab.ZOOM].copy())
    assert torch.equal(levels, torch.tensor(np.asarray(digit)))  # 28x28: as it was
    own = GatedPixelCNN.from_pretrained(tiny_pixelcnn).eval().bits_per_dim(levels[None, None])
    assert report.marks()[names[0]] == pytest.approx(own.item(), abs=1e-5)


def test_the_default_table_covers_the_bundled_fashion_models_only():
    report = lab.likelihood_example(lab.DATASET.default, 0)
    names = report.table()["model or codec"]
    assert {"vae-fashion-mnist", "vae-fashion-mnist-16d"} <= set(names)
    assert "vae-mnist" not in names  # trained on digits: not a model of the lab's data
    assert names[-3:] == list(likelihood.CODECS)


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        (b"not an image at all", "not an image"),
        (png_header_claiming(20000, 20000), "too large"),
        (png(Image.new("RGB", (64, 64), (30, 160, 90))), "one flat colour"),
    ],
    ids=["not an image", "huge", "flat"],
)
def test_bad_input_gets_a_clear_message(models, picture, message):
    with pytest.raises(InvalidInputError, match=message):
        lab.likelihood_of(picture, models)


def test_a_colour_photo_is_converted_to_grey_and_said(models):
    photo = Image.new("RGB", (40, 40), (250, 250, 250))
    photo.paste((200, 20, 20), (8, 8, 32, 32))
    report = lab.likelihood_of(photo, models[:1])
    assert any("colour" in note and "grey" in note for note in report.notes)
    assert any("inverted" in note for note in report.notes)  # white paper, as a photo has


def test_examples_are_checked():
    with pytest.raises(InvalidInputError, match="between 0 and 1999"):
        lab.likelihood_example(lab.DATASET.default, 5000)
    with pytest.raises(InvalidInputError, match="Unknown test images"):
        lab.likelihood_example("CIFAR", 0)


def test_the_chart_places_the_picture_among_the_test_sets(models, tmp_path):
    measured = tmp_path / "small-vae"
    shutil.copytree(models[2][1], measured)
    rng = np.random.default_rng(0)
    bits = {likelihood.IN_DISTRIBUTION: rng.normal(8.0, 0.2, 500)}
    bits[likelihood.OUTSIDE] = rng.normal(7.5, 0.2, 500)
    facts = {"model": "small-vae", "family": "vae", "how": "a bound", "auroc": 0.1}
    facts |= likelihood.summarise(bits)
    (measured / likelihood.OUT_OF_DISTRIBUTION).write_text(json.dumps(facts))
    chosen = [models[0], ("vae", str(measured))]
    report = lab.likelihood_example(lab.DATASET.default, 0, chosen)
    placement = lab.out_of_distribution(report, chosen)
    assert placement.chart.height == likelihood.LEGEND_HEIGHT + likelihood.PANEL_HEIGHT
    assert "small-pixelcnn: not measured yet" in placement.text
    vae_bits = report.marks()["small-vae"]
    share = np.mean(bits[likelihood.IN_DISTRIBUTION] < vae_bits)
    assert f"**small-vae**: {vae_bits:.2f} bits per dimension, more than {share:.0%}" in (
        placement.text
    )
    unmarked = lab.out_of_distribution(None, chosen)
    assert "small-vae" not in unmarked.text
    assert np.asarray(unmarked.chart).shape == np.asarray(placement.chart).shape
    assert not np.array_equal(np.asarray(unmarked.chart), np.asarray(placement.chart))


def test_the_bundled_summaries_show_on_the_chart():
    report = lab.likelihood_example(likelihood.OUTSIDE, 7)
    placement = lab.out_of_distribution(report)
    measured = [name for _, name in lab.lab_models()]
    assert all(f"**{name}**" in placement.text for name in measured)
    panels = likelihood.PANEL_HEIGHT * len(measured)
    assert placement.chart.height == likelihood.LEGEND_HEIGHT + panels
    summary = likelihood.load_out_of_distribution("vae-fashion-mnist-16d")
    assert {bits.count for bits in summary.datasets.values()} == {10_000}


def test_the_gradio_tab_builds_with_its_endpoints():
    import gradio as gr

    from demos.likelihood import build, score_upload

    demo = build()
    names = {fn.api_name for fn in demo.fns.values()}
    assert {"likelihood", "likelihood_example", "likelihood_drawing"} <= names
    with pytest.raises(gr.Error, match="one flat colour"):
        score_upload(png(Image.new("L", (30, 30), 255)))


def test_the_streamlit_page_scores_a_linked_example_and_refuses_a_flat_upload():
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.query_params.update({"tab": "likelihood", "dataset": likelihood.OUTSIDE, "example": "7"})
    app.run()
    assert not app.exception and not app.error
    assert "vae-fashion-mnist-16d" in list(app.dataframe[0].value["model or codec"])
    link = "?tab=likelihood&dataset=MNIST+digits&example=7"
    assert any(link in m.value for m in app.markdown)
    app.radio(key="lab_source").set_value("Upload").run()
    app.file_uploader(key="lab_upload").set_value(
        ("flat.png", png(Image.new("L", (30, 30), 128)), "image/png")
    ).run()
    assert not app.exception and any("one flat colour" in e.value for e in app.error)


def test_home_lists_the_lab_in_its_navigation():
    app = AppTest.from_file(str(REPO / "Home.py"), default_timeout=60).run()
    app.switch_page("streamlit_gallery/pages/9_Likelihood_lab.py").run()
    assert not app.exception and app.title[0].value == "Likelihood lab"
