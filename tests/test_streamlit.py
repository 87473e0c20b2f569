"""The Streamlit gallery through AppTest: Home, and the VAE page's widgets end to end."""

from urllib.parse import quote_plus

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from genzoo.cards import TIMELAPSE_CAPTION
from tests.helpers import REPO, png, png_header_claiming

TIMEOUT = 60


@pytest.fixture
def vae_page() -> AppTest:
    app = AppTest.from_file(str(REPO / "Home.py"), default_timeout=TIMEOUT).run()
    app.switch_page("streamlit_gallery/pages/1_VAE.py").run()
    assert not app.exception
    return app


def test_home_lists_families_and_metrics():
    app = AppTest.from_file(str(REPO / "Home.py"), default_timeout=TIMEOUT).run()
    assert not app.exception
    assert app.title[0].value == "genzoo"
    assert any("Variational autoencoders" in h.value for h in app.subheader)
    assert any("Negative ELBO" in m.value for m in app.markdown)


def test_vae_page_shows_manifold_map_and_metrics(vae_page):
    assert vae_page.title[0].value == "Variational autoencoders"
    captions = [caption for image in vae_page.get("image") for caption in image.captions]
    assert "Decodings over the latent plane" in captions
    assert "Test set by class" in captions
    assert any(c.startswith("16 samples") for c in captions)
    assert any("Negative ELBO" in m.value for m in vae_page.markdown)
    assert not vae_page.error


def test_vae_page_widgets_rerun(vae_page):
    vae_page.selectbox[0].set_value("vae-mnist").run()
    grid = next(s for s in vae_page.slider if s.label.startswith("Grid size"))
    grid.set_value(8).run()
    x = next(s for s in vae_page.slider if s.label == "x")
    x.set_value(1.5).run()
    assert not vae_page.exception and not vae_page.error
    captions = [caption for image in vae_page.get("image") for caption in image.captions]
    assert any("(1.50, 0.00)" in c for c in captions)


def test_vae_page_encodes_an_upload(vae_page):
    shirt = Image.new("L", (60, 80), 0)
    shirt.paste(220, (15, 15, 45, 65))
    vae_page.file_uploader(key="encode_upload").set_value(
        ("shirt.png", png(shirt), "image/png")
    ).run()
    assert not vae_page.exception and not vae_page.error
    captions = [caption for image in vae_page.get("image") for caption in image.captions]
    assert "Reconstruction" in captions and any(c.startswith("Lands at") for c in captions)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"not an image at all", "not an image"), (png_header_claiming(40_000, 40_000), "too large")],
    ids=["text", "bomb"],
)
def test_vae_page_reports_a_bad_upload(vae_page, data, message):
    vae_page.file_uploader(key="encode_upload").set_value(("bad.png", data, "image/png")).run()
    assert not vae_page.exception
    assert any(message in error.value for error in vae_page.error)


# The GAN pages


def page(path: str) -> AppTest:
    app = AppTest.from_file(str(REPO / "Home.py"), default_timeout=TIMEOUT).run()
    app.switch_page(path).run()
    assert not app.exception and not app.error
    return app


def images(app: AppTest) -> dict[str, str]:
    """caption -> the served image's URL, which names its content."""
    return {img.caption: img.url for element in app.get("image") for img in element.proto.imgs}


def test_home_shows_every_family_as_a_card_to_try_with_its_models_folded():
    from genzoo.registry import FAMILIES, FAMILY_TABLE, bundled
    from words.catalogue import family_summaries

    app = AppTest.from_file(str(REPO / "Home.py"), default_timeout=TIMEOUT).run()
    assert not app.exception
    titles = [h.value for h in app.subheader]
    assert titles[0] == "Text to image (latent diffusion)"  # the flagship first
    assert titles == [FAMILY_TABLE[family].title for family in FAMILIES]
    links = [link.proto.label for link in app.get("page_link")]
    assert links == [f"Try {FAMILY_TABLE[family].tab}" for family in FAMILIES]
    folded = [expander.markdown[0].value for expander in app.expander]
    assert len(folded) == len(FAMILIES)
    for family, card in zip(FAMILIES, folded, strict=True):
        assert bundled(family), f"no bundled {family} model"
        for entry in bundled(family):
            assert f"`{entry.name}`" in card
        assert "Weights:" in card and " MB · trained in " in card
    shown = sum(len(element.proto.imgs) for element in app.get("image"))
    assert shown == sum(summary.sample is not None for summary in family_summaries())
    text = " ".join(folded)
    assert "real vs real (floor)" in text and "identity baseline" in text  # GAN references


def test_visitors_get_no_deploy_button_nor_developer_menu(monkeypatch):
    """The gallery's own config, as `streamlit run` reads it from the project's folder."""
    from streamlit import config

    monkeypatch.chdir(REPO)
    config.get_config_options(force_reparse=True)
    assert config.get_option("client.toolbarMode") in ("viewer", "minimal")


def text_to_image_page() -> AppTest:
    app = AppTest.from_file(
        str(REPO / "streamlit_gallery/pages/5_Text_to_image.py"), default_timeout=300
    ).run()
    assert not app.exception
    return app


def messages(app: AppTest) -> list[str]:
    return [m.value for kind in ("error", "warning", "info", "success") for m in app.get(kind)]


def test_an_empty_prompt_gets_one_message():
    from genzoo.pipelines.text_to_image import PROMPT

    app = text_to_image_page()
    prompt = next(box for box in app.text_input if box.label == PROMPT.label)
    prompt.set_value("").run()
    assert messages(app) == ["Type a prompt and press *Generate*."]
    next(button for button in app.button if button.label == "Generate").click().run()
    assert messages(app) == [PROMPT.if_empty]  # the refusal alone, in red
    assert [e.value for e in app.error] == [PROMPT.if_empty]


@pytest.mark.slow
def test_an_over_long_prompt_is_cut_to_its_limit_with_a_message():
    """A box with a limit would silently refuse a long paste: the page takes it, and says that
    only the declared most characters are used."""
    from genzoo.pipelines.text_to_image import PROMPT

    app = text_to_image_page()
    prompt = next(box for box in app.text_input if box.label == PROMPT.label)
    assert prompt.proto.max_chars == 0  # no silent limit in the browser
    prompt.set_value("a red apple " * 200).run()
    assert not app.exception and not app.error
    said = f"The prompt is 2,400 characters long; only its first {PROMPT.high:g} are used."
    assert [w.value for w in app.warning] == [said]
    next(button for button in app.button if button.label == "Generate").click().run()
    assert not app.exception and not app.error
    link = next(m.value for m in app.markdown if "?tab=text-to-image" in m.value)
    made_with = ("a red apple " * 200)[: int(PROMPT.high)].strip()
    assert quote_plus(made_with) in link


def test_dcgan_page_shows_samples_interpolation_and_arithmetic():
    app = page("streamlit_gallery/pages/2_DCGAN.py")
    assert app.title[0].value == "DCGAN"
    shown = images(app)
    assert {
        "16 samples of seed 0",
        "A smooth path from seed 0's sample to seed 1's (slerp)",
        "As an animation",
        "a − b + c = result",
        "The seed's first 16 samples, numbered in reading order",
    } <= set(shown)
    assert any("real vs real (floor)" in m.value for m in app.markdown)


def test_dcgan_page_reacts_to_seed_count_and_steps():
    app = page("streamlit_gallery/pages/2_DCGAN.py")
    before = images(app)
    next(n for n in app.number_input if n.label == "Seed").set_value(5).run()
    after_seed = images(app)
    assert not app.exception and "16 samples of seed 5" in after_seed
    assert after_seed["16 samples of seed 5"] != before["16 samples of seed 0"]
    next(s for s in app.slider if s.label == "Number of samples").set_value(4).run()
    assert "4 samples of seed 5" in images(app)
    strip = "A smooth path from seed 0's sample to seed 1's (slerp)"
    next(s for s in app.slider if s.label == "Steps").set_value(3).run()
    assert images(app)[strip] != before[strip]
    app.number_input(key="pick_a").set_value(7).run()
    assert images(app)["a − b + c = result"] != before["a − b + c = result"]
    assert not app.exception and not app.error


@pytest.mark.slow
def test_dcgan_page_offers_the_faces_models_arithmetic_presets():
    from genzoo.pipelines import gan

    app = page("streamlit_gallery/pages/2_DCGAN.py")
    assert not [b for b in app.button if b.key and b.key.startswith("preset-")]  # Fashion: none
    app.selectbox[0].set_value("dcgan-emoji-faces").run()
    preset = gan.arithmetic_presets("dcgan-emoji-faces")[1]
    app.button(key=f"preset-{preset.name}").click().run()
    assert not app.exception and not app.error
    assert [
        app.number_input(key=k).value for k in ("arith_seed", "pick_a", "pick_b", "pick_c")
    ] == (list(preset.settings().values()))
    links = " ".join(m.value for m in app.markdown)
    assert "seed={seed}&a={a}&b={b}&c={c}".format(**preset.settings()) in links


def test_pix2pix_page_translates_examples_and_uploads():
    app = page("streamlit_gallery/pages/3_pix2pix.py")
    assert app.title[0].value == "pix2pix"
    first = images(app)
    assert {"Input, as the model sees it", "pix2pix output", "The truth"} <= set(first)
    next(s for s in app.slider if s.label == "Held-out example").set_value(2).run()
    second = images(app)
    assert second["pix2pix output"] != first["pix2pix output"]
    assert second["The truth"] != first["The truth"]

    app.radio[0].set_value("Drawing").run()  # the sketch pad, nothing drawn yet
    assert not app.exception and any("draw one" in i.value for i in app.info)
    assert "pix2pix output" not in images(app)
    app.radio[0].set_value("Upload").run()
    assert not app.exception and any("Upload an image" in i.value for i in app.info)
    lines = Image.new("RGB", (90, 60), "white")
    lines.paste((0, 0, 0), (10, 25, 80, 31))
    app.file_uploader(key="pix2pix_upload").set_value(("lines.png", png(lines), "image/png")).run()
    assert not app.exception and not app.error
    uploaded = images(app)
    assert {"Input, as the model sees it", "pix2pix output"} <= set(uploaded)
    assert "The truth" not in uploaded
    assert any("no truth to compare with" in c.value for c in app.caption)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not an image at all", "not an image"),
        (png(Image.new("RGB", (50, 50), "white")), "one flat colour"),
    ],
    ids=["text", "blank"],
)
def test_pix2pix_page_reports_a_bad_upload(data, message):
    app = page("streamlit_gallery/pages/3_pix2pix.py")
    app.radio[0].set_value("Upload").run()
    app.file_uploader(key="pix2pix_upload").set_value(("bad.png", data, "image/png")).run()
    assert not app.exception
    assert any(message in error.value for error in app.error)


def test_cyclegan_page_goes_both_ways():
    from genzoo.pipelines import translation

    app = page("streamlit_gallery/pages/4_CycleGAN.py")
    assert app.title[0].value == "CycleGAN"
    model = app.selectbox[0].value
    there = images(app)
    captions = {"Input (Twemoji)", "As Noto emoji", "What changed (×10)", "Back to Twemoji"}
    assert captions | {"True Noto emoji"} <= set(there)
    direction = next(r for r in app.radio if r.label == "Direction")
    assert direction.options == ["Twemoji → Noto emoji", "Noto emoji → Twemoji"]
    expected, _ = translation.cyclegan_example(model, 0, "A→B")
    assert expected.summary in [m.value for m in app.markdown]  # the figure, beside the truth's
    assert "the true Noto emoji differs from the input by" in expected.summary
    direction.set_value("B→A").run()
    back = images(app)
    assert {"Input (Noto emoji)", "As Twemoji", "Back to Noto emoji", "True Twemoji"} <= set(back)
    assert not app.exception
    assert back["Input (Noto emoji)"] == there["True Noto emoji"]  # the example's other side
    assert back["As Twemoji"] != there["As Noto emoji"]
    shown = [m.value for m in app.markdown] + [*direction.options] + list(back)
    assert not [text for text in shown if "A→B" in text or "B→A" in text]

    next(r for r in app.radio if r.label == "Input").set_value("Upload").run()
    picture = Image.new("RGB", (70, 70), "white")
    picture.paste((30, 160, 30), (15, 15, 55, 55))
    app.file_uploader(key="cyclegan_upload").set_value(("p.png", png(picture), "image/png")).run()
    assert not app.exception and not app.error
    uploaded = images(app)
    assert {"Input (Noto emoji)", "As Twemoji", "What changed (×10)"} <= set(uploaded)
    assert "True Twemoji" not in uploaded  # an upload has no truth
    expected = translation.cyclegan(model, png(picture), "B→A")
    assert expected.summary in [m.value for m in app.markdown]


def _training_curve_of(folder: str) -> None:
    from streamlit_gallery.common import show_training_curve

    show_training_curve(folder)


def test_a_models_training_curve_is_a_chart_or_a_line_saying_there_is_none(tiny_vae):
    def shown(folder) -> AppTest:
        return AppTest.from_function(
            _training_curve_of, args=(str(folder),), default_timeout=TIMEOUT
        ).run()

    app = shown(tiny_vae)
    assert not app.exception and len(app.get("vega_lite_chart")) == 1
    assert [img.caption for el in app.get("image") for img in el.proto.imgs] == [TIMELAPSE_CAPTION]
    app = shown(tiny_vae.parent)
    assert not app.exception and not app.get("vega_lite_chart")
    assert any("No training curve" in m.value for m in app.markdown)


def test_no_page_has_a_bare_string_that_streamlit_would_show():
    """Streamlit writes a page's bare string statements onto the page ("magic"): a docstring
    under a constant would greet every visitor. Only the module's own docstring is safe."""
    import ast

    from genzoo.registry import FAMILIES, FAMILY_TABLE

    for script in ["Home.py", *(FAMILY_TABLE[family].streamlit_page for family in FAMILIES)]:
        body = ast.parse((REPO / script).read_text()).body[1:]
        shown = [
            node.lineno
            for node in body
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ]
        assert not shown, f"{script}: bare strings at lines {shown}"
