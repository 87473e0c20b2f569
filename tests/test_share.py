"""Share links: the settings and seed of a result travel in the URL's query, and opening the link
makes the same result, in the Gradio gallery (a real browser) and on the Streamlit pages."""

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect
from streamlit.testing.v1 import AppTest

from genzoo import share
from genzoo.pipelines import clip, gan, text_to_image, translation, vae
from tests.helpers import REPO

T2I = {"model": "text-to-image-emoji", "prompt": "a cat face", "guidance": 4.0, "steps": 6}
T2I |= {"scheduler": "DDIM", "seed": 5, "count": 2}


def test_a_query_round_trips_and_drops_what_does_not_parse():
    query = share.share_query("text-to-image", T2I | {"thresholding": True})
    assert query.startswith("?tab=text-to-image&") and "prompt=a+cat+face" in query
    params = dict(pair.split("=") for pair in query[1:].split("&"))
    read = share.read_query("text-to-image", {k: v.replace("+", " ") for k, v in params.items()})
    assert read == T2I | {"thresholding": True}
    assert share.read_query("dcgan", {"tab": "dcgan", "seed": "x1", "count": "4"}) == {"count": 4}
    assert share.read_query("dcgan", {"tab": "vae", "seed": "3"}) == {}  # another tab's link


def image_from(page, selector: str) -> np.ndarray:
    source = page.eval_on_selector(selector, "img => img.src")
    return np.asarray(Image.open(io.BytesIO(page.request.get(source).body())).convert("RGB"))


def test_a_text_to_image_link_opens_its_tab_and_makes_the_same_images(gallery_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(gallery_url + share.share_query("text-to-image", T2I))
    images = page.locator("#t2i-images img")
    expect(images.first).to_be_visible(timeout=120_000)
    expect(page.locator("#t2i-prompt textarea")).to_have_value("a cat face")
    assert images.count() == 2
    settings = {k: v for k, v in T2I.items() if k not in ("model", "prompt", "count")}
    expected = text_to_image.text_to_image(T2I["model"], T2I["prompt"], 2, **settings)
    assert np.array_equal(image_from(page, "#t2i-images img"), np.asarray(expected[0]))
    every_setting = T2I | dict(negative_prompt="", thresholding=False, clip_guidance=0)
    expect(page.locator("#t2i-share a")).to_have_attribute(
        "href", share.share_query("text-to-image", every_setting)
    )


def test_a_dcgan_link_samples_its_seed_and_a_sample_offers_its_link(gallery_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(gallery_url + "?tab=dcgan&model=dcgan-emoji-faces&count=4&seed=77")
    expect(page.locator("#gan-share a")).to_have_attribute(
        "href", "?tab=dcgan&model=dcgan-emoji-faces&count=4&seed=77", timeout=120_000
    )
    expected = gan.sample("dcgan-emoji-faces", 4, 77)
    assert np.array_equal(image_from(page, "#gan-samples img"), np.asarray(expected.convert("RGB")))


def test_links_to_other_views_open_them_with_their_results(gallery_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    query = "?tab=dcgan&view=interpolate&model=dcgan-emoji-faces&seed_a=3&seed_b=9&steps=5"
    page.goto(gallery_url + query)
    expect(page.locator("#gan-interpolate-share a")).to_have_attribute(
        "href", query, timeout=120_000
    )
    expect(page.locator("#gan-strip img")).to_be_visible()  # the view is open
    expected = gan.interpolate("dcgan-emoji-faces", 3, 9, 5).strip.convert("RGB")
    assert np.array_equal(image_from(page, "#gan-strip img"), np.asarray(expected))
    # The first view shows the linked model's samples, not another model's.
    expected = gan.sample("dcgan-emoji-faces", 16, 0).convert("RGB")
    assert np.array_equal(image_from(page, "#gan-samples img"), np.asarray(expected))

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    query = "?tab=vae&view=sample&model=vae-mnist&count=9&seed=4"
    page.goto(gallery_url + query)
    expect(page.locator("#vae-sample-share a")).to_have_attribute("href", query, timeout=120_000)
    expect(page.locator("#vae-samples img")).to_be_visible()
    expected = vae.sample("vae-mnist", 9, 4).convert("RGB")
    assert np.array_equal(image_from(page, "#vae-samples img"), np.asarray(expected))


def test_example_links_translate_and_rank_the_same_example(gallery_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    query = "?tab=pix2pix&model=pix2pix-emoji-line-to-color&example=5"
    page.goto(gallery_url + query)
    expect(page.locator("#pix2pix-share a")).to_have_attribute("href", query, timeout=120_000)
    model = "pix2pix-emoji-line-to-color"
    expected = translation.pix2pix(model, translation.example_image(model, 5, "a")).output
    assert np.array_equal(image_from(page, "#pix2pix-output img"), np.asarray(expected))

    model = "cyclegan-emoji-twemoji-noto"
    query = f"?tab=cyclegan&model={model}&direction=B%E2%86%92A&example=7"
    page.goto(gallery_url + query)
    expect(page.locator("#cyclegan-share a")).to_have_attribute("href", query, timeout=120_000)
    image = translation.example_image(model, 7, "b")
    expected = translation.cyclegan(model, image, "B→A").translated
    assert np.array_equal(image_from(page, "#cyclegan-output img"), np.asarray(expected))

    query = "?tab=clip&model=clip-emoji&example=3&captions=a+red+apple%0Aa+cat"
    page.goto(gallery_url + query)
    expect(page.locator("#clip-share a")).to_have_attribute("href", query, timeout=120_000)
    ranking = clip.rank_captions(
        "clip-emoji", clip.example_image("clip-emoji", 3), "a red apple\na cat"
    )
    expect(page.locator("#clip-ranking")).to_contain_text(ranking.captions[0])


def test_a_link_naming_a_path_or_a_bad_value_falls_back_to_the_defaults(gallery_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(gallery_url + "?tab=dcgan&model=/etc&count=lots&seed=3")
    expect(page.locator("#gan-share a")).to_have_attribute(
        "href", "?tab=dcgan&model=dcgan-fashion-mnist&count=16&seed=3", timeout=120_000
    )


@pytest.mark.slow
def test_streamlit_pages_read_and_write_their_links():
    app = AppTest.from_file(str(REPO / "streamlit_gallery/pages/2_DCGAN.py"), default_timeout=120)
    app.query_params.update(
        {"tab": "dcgan", "model": "dcgan-emoji-faces", "count": "4", "seed": "77"}
    )
    app.run()
    assert not app.exception
    captions = [img.caption for element in app.get("image") for img in element.proto.imgs]
    assert "4 samples of seed 77" in captions
    assert app.selectbox[0].value == "dcgan-emoji-faces"
    app.number_input[0].set_value(78).run()
    assert app.query_params["seed"] == "78" and app.query_params["model"] == "dcgan-emoji-faces"
    assert any(
        "?tab=dcgan&model=dcgan-emoji-faces&count=4&seed=78" in m.value for m in app.markdown
    )

    app = AppTest.from_file(
        str(REPO / "streamlit_gallery/pages/5_Text_to_image.py"), default_timeout=300
    )
    app.query_params.update({"tab": "text-to-image", "prompt": "a cat face", "steps": "999"})
    app.run()
    assert not app.exception
    assert app.text_input[0].value == "a cat face"
    assert any("link's steps" in w.value and "999" in w.value for w in app.warning)


def test_streamlit_links_to_other_views_fill_them_and_keep_the_address():
    app = AppTest.from_file(str(REPO / "streamlit_gallery/pages/2_DCGAN.py"), default_timeout=120)
    query = {
        "tab": "dcgan",
        "view": "arithmetic",
        "model": "dcgan-emoji-faces",
        "seed": "5",
        "a": "4",
    }
    app.query_params.update(query)
    app.run()
    assert not app.exception
    assert app.selectbox[0].value == "dcgan-emoji-faces"
    seeds = {n.label: n.value for n in app.number_input if n.key in ("arith_seed", "pick_a")}
    assert seeds == {"Seed": 5, "Sample a": 4}
    link = "?tab=dcgan&view=arithmetic&model=dcgan-emoji-faces&seed=5&a=4&b=2&c=3"
    assert any(link in m.value for m in app.markdown)
    assert app.query_params["view"] == "arithmetic" and app.query_params["b"] == "2"
    # The samples' own link is offered too, with the linked model, but the address stays.
    assert any(
        "?tab=dcgan&model=dcgan-emoji-faces&count=16&seed=0" in m.value for m in app.markdown
    )

    app = AppTest.from_file(str(REPO / "streamlit_gallery/pages/1_VAE.py"), default_timeout=120)
    app.query_params.update({"tab": "vae", "view": "decode", "model": "vae-mnist", "x": "1.5"})
    app.run()
    assert not app.exception
    assert app.selectbox[0].value == "vae-mnist"
    captions = [img.caption for element in app.get("image") for img in element.proto.imgs]
    assert "Decoding of (1.50, 0.00)" in captions
    assert dict(app.query_params) == {
        "tab": "vae", "view": "decode", "model": "vae-mnist", "x": "1.5", "y": "0"
    }  # fmt: skip
    assert any(
        "?tab=vae&view=sample&model=vae-mnist&count=16&seed=0" in m.value for m in app.markdown
    )


def test_streamlit_example_links():
    model = "cyclegan-emoji-twemoji-noto"
    app = AppTest.from_file(
        str(REPO / "streamlit_gallery/pages/4_CycleGAN.py"), default_timeout=120
    )
    app.query_params.update({"tab": "cyclegan", "model": model, "direction": "B→A", "example": "7"})
    app.run()
    assert not app.exception
    assert app.radio[0].value == "B→A" and app.slider[0].value == 7
    assert app.query_params["example"] == "7" and app.query_params["direction"] == "B→A"

    app = AppTest.from_file(str(REPO / "streamlit_gallery/pages/6_CLIP.py"), default_timeout=120)
    app.query_params.update({"tab": "clip", "example": "3", "captions": "a red apple\na cat"})
    app.run()
    assert not app.exception
    assert app.slider[0].value == 3 and app.text_area[0].value == "a red apple\na cat"
    assert sorted(app.dataframe[0].value["caption"]) == ["a cat", "a red apple"]
    app.slider[0].set_value(4).run()  # another example: its own captions, not the link's
    assert app.text_area[0].value == clip.example_captions("clip-emoji", 4)
    assert app.query_params["example"] == "4"

    app = AppTest.from_file(str(REPO / "streamlit_gallery/pages/3_pix2pix.py"), default_timeout=120)
    app.query_params.update({"tab": "pix2pix", "example": "999"})
    app.run()
    assert not app.exception and app.slider[0].value == 0
    assert any("example (999) is out of range" in w.value for w in app.warning)


def test_a_streamlit_image_to_image_link_redraws_its_example():
    app = AppTest.from_file(
        str(REPO / "streamlit_gallery/pages/5_Text_to_image.py"), default_timeout=300
    )
    query = {
        "tab": "text-to-image", "view": "image-to-image", "example": "3",
        "prompt": "a red heart, flat icon", "strength": "0.6", "steps": "6", "seed": "9",
    }  # fmt: skip
    app.query_params.update(query)
    app.run()
    assert not app.exception and not app.error
    assert app.text_input[0].value == "a red heart, flat icon"
    captions = [img.caption for element in app.get("image") for img in element.proto.imgs]
    assert {"The picture", "Redrawn"} <= set(captions)
    link = (
        "?tab=text-to-image&view=image-to-image&model=text-to-image-emoji&example=3"
        "&prompt=a+red+heart%2C+flat+icon&strength=0.6&guidance=5&steps=6&seed=9"
    )
    assert any(link in m.value for m in app.markdown)
