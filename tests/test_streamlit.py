"""The Streamlit gallery through AppTest: Home, and the VAE page's widgets end to end."""

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.test_gradio import png
from tests.test_images import png_header_claiming

TIMEOUT = 60


@pytest.fixture
def vae_page() -> AppTest:
    app = AppTest.from_file(str(REPO / "Home.py"), default_timeout=TIMEOUT).run()
    app.switch_page("pages/1_VAE.py").run()
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
