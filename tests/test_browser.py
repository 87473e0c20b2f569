"""A real browser (Debian's chromium, driven by Playwright) opens the Gradio gallery, uses the VAE
tab and sees images arrive, clicks through every tab of the gallery and every Streamlit page
(`streamlit run`) and sees an image on each, and draws on the Streamlit page's sketch pad."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import image_source, wait_for_new_image

pytestmark = pytest.mark.browser


def loaded(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


def test_vae_tab_draws_the_manifold_and_decodes_a_click(page):
    expect(page.get_by_role("tab", name="VAE")).to_be_visible(timeout=60_000)
    page.get_by_role("tab", name="VAE").click()
    page.get_by_role("button", name="Draw the manifold").click()
    manifold = page.locator("#vae-manifold img")
    expect(manifold).to_be_visible(timeout=60_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('#vae-manifold img');"
        " return i && i.complete && i.naturalWidth === 560; }",
        timeout=60_000,
    )
    assert loaded(page, "#vae-manifold img")

    page.get_by_role("tab", name="Latent map").click()
    latent_map = page.locator("#vae-map img")
    expect(latent_map).to_be_visible(timeout=60_000)
    latent_map.click(position={"x": 200, "y": 150})
    expect(page.locator("#vae-decoded img")).to_be_visible(timeout=60_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('#vae-decoded img');"
        " return i && i.complete && i.naturalWidth === 112; }",
        timeout=60_000,
    )


def test_dcgan_tab_generates_samples_for_a_new_seed(page):
    expect(page.get_by_role("tab", name="DCGAN")).to_be_visible(timeout=60_000)
    page.get_by_role("tab", name="DCGAN").click()
    samples = page.locator("#gan-samples img")
    expect(samples).to_be_visible(timeout=60_000)
    first = image_source(page, "#gan-samples img")  # drawn for seed 0 when the page loads
    seed = page.get_by_label("Seed", exact=True).locator("visible=true")
    seed.fill("12345")
    page.get_by_role("button", name="Generate").click()
    wait_for_new_image(page, "#gan-samples img", first)
    assert loaded(page, "#gan-samples img")
    assert page.eval_on_selector("#gan-samples img", "img => img.naturalWidth") > 100


@pytest.mark.parametrize(("tab", "name"), [("pix2pix", "pix2pix"), ("CycleGAN", "cyclegan")])
def test_translation_tab_translates_a_clicked_example(page, tab, name):
    expect(page.get_by_role("tab", name=tab, exact=True)).to_be_visible(timeout=60_000)
    page.get_by_role("tab", name=tab, exact=True).click()
    examples = page.locator(f"#{name}-examples button.thumbnail-item")
    expect(examples.nth(2)).to_be_visible(timeout=60_000)
    output = f"#{name}-output img"
    first = image_source(page, output)  # example 0, translated when the page loads
    examples.nth(2).click()
    wait_for_new_image(page, output, first)
    assert page.eval_on_selector(output, "img => img.naturalWidth") == 256


def test_a_sketch_pad_draws_at_first_touch(page):
    """Gradio's pads open with no tool chosen (a stroke would select the page's text); the
    gallery puts the pen in hand, so a first stroke is ink that the model translates."""
    page.get_by_role("tab", name="pix2pix", exact=True).click()
    page.get_by_role("tab", name="Draw", exact=True).click()
    output = "#pix2pix-output img"
    first = image_source(page, output)  # example 0, translated when the page loads
    canvas = page.locator("#pix2pix-drawing canvas").first
    expect(canvas).to_be_visible(timeout=60_000)
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 20):
        page.mouse.move(x + i * 8, y + i * 3)
    page.mouse.up()
    assert page.evaluate("() => window.getSelection().toString()") == ""
    page.get_by_role("button", name="Translate drawing").click()
    wait_for_new_image(page, output, first)
    assert not page.locator(".toast-body").count()  # no "draw something first"


@pytest.mark.parametrize("width", [1400, 390])
def test_example_pickers_show_every_column_whole(page, gallery_url, width):
    """The held-out examples fill as many columns as their box has room for, none cut off, on
    a desktop and on a phone."""
    page.set_viewport_size({"width": width, "height": 900})
    for tab, name in (("CLIP", "clip"), ("pix2pix", "pix2pix"), ("CycleGAN", "cyclegan")):
        page.goto(f"{gallery_url}?tab={name}", wait_until="domcontentloaded")
        wrap = page.locator(f"#{name}-examples .grid-wrap")
        expect(page.locator(f"#{name}-examples img").first).to_be_visible(timeout=60_000)
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), tab


def test_an_arithmetic_preset_fills_the_picks_and_computes(page):
    from genzoo.pipelines import gan

    preset = gan.arithmetic_presets("dcgan-emoji-faces")[0]
    page.goto(page.url.split("?")[0] + "?tab=dcgan&model=dcgan-emoji-faces")
    page.get_by_role("tab", name="Arithmetic", exact=True).click()
    page.get_by_label("Preset").click()
    page.get_by_role("option", name=preset.name).click()
    image_source(page, "#gan-arithmetic img")
    link = page.locator("#gan-arithmetic-share a")
    expect(link).to_have_attribute(
        "href", re.compile("seed={seed}&a={a}&b={b}&c={c}$".format(**preset.settings()))
    )
    page.get_by_label("Sample c").locator("visible=true").first.fill("4")
    page.get_by_label("Sample c").locator("visible=true").first.press("Enter")
    expect(page.get_by_label("Preset")).to_have_value("")  # the picks are the visitor's now


def test_a_strips_label_sits_above_its_pictures(page):
    """A strip is a single row of small pictures: its floating label must not cover the first,
    nor its buttons the last."""
    page.get_by_role("tab", name="DCGAN", exact=True).click()
    page.get_by_role("tab", name="Interpolate", exact=True).click()
    page.get_by_role("button", name="Interpolate", exact=True).click()
    image_source(page, "#gan-strip img")
    label = page.locator("#gan-strip label").first.bounding_box()
    picture = page.locator("#gan-strip img").bounding_box()
    assert label["y"] + label["height"] <= picture["y"] + 1, (label, picture)
    buttons = page.locator("#gan-strip .icon-button-wrapper").first.bounding_box()
    assert buttons["y"] + buttons["height"] <= picture["y"] + 1, (buttons, picture)


def test_streamlit_sketchpad_drawing_is_encoded(browser, streamlit_url):
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page.goto(f"{streamlit_url}/VAE")
    page.get_by_role("tab", name="Encode").click(timeout=60_000)
    canvas = page.locator(".pad canvas").first
    expect(canvas).to_be_visible(timeout=60_000)
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 40
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(30):
        page.mouse.move(x + step / 2, y + step * 6)
    page.mouse.up()
    page.get_by_role("button", name="Use drawing").first.click()
    expect(page.get_by_text("Lands at (")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("What the model sees", exact=True)).to_be_visible()


GALLERY_TABS = ("Models", "VAE", "DCGAN", "pix2pix", "CycleGAN", "Text to image", "CLIP")
FIRST_ACTION = {"VAE": "Draw the manifold", "Text to image": "Generate"}  # else images on load


def test_every_gallery_tab_shows_an_image(page):
    """Each tab, at 1400 x 900, has its button and its first result on the first screen."""
    page.set_viewport_size({"width": 1400, "height": 900})
    for tab in GALLERY_TABS:
        button = page.get_by_role("tab", name=tab, exact=True)
        expect(button).to_be_visible(timeout=60_000)
        button.click()
        if tab in FIRST_ACTION:
            page.get_by_role("button", name=FIRST_ACTION[tab], exact=True).first.click()
        image = page.locator("[role=tabpanel]:visible img").first
        expect(image).to_be_visible(timeout=120_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[role=tabpanel] img')].some("
            "i => i.offsetParent !== null && i.complete && i.naturalWidth > 0)",
            timeout=120_000,
        )
        if tab != "Models":
            button = page.locator("[role=tabpanel]:visible button.lg:visible").first
            box = button.bounding_box()
            assert box["y"] + box["height"] <= 900, f"{tab}: its button is below the fold"
            assert image.bounding_box()["y"] < 900, f"{tab}: its result is below the fold"


STREAMLIT_PAGES = ("", "VAE", "DCGAN", "pix2pix", "CycleGAN", "Text_to_image", "CLIP")


def test_every_streamlit_page_shows_an_image(browser, streamlit_url):
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    for name in STREAMLIT_PAGES:
        page.goto(f"{streamlit_url}/{name}")
        if name == "Text_to_image":  # it denoises only when asked
            button = page.get_by_role("button", name="Generate")
            expect(button).to_be_visible(timeout=120_000)
            button.click()
        # a card's time-lapse may sit in a closed expander above the page's own picture
        image = page.locator("[data-testid=stImage] img:visible").first
        expect(image).to_be_visible(timeout=180_000)
        assert page.locator("[data-testid=stException]").count() == 0, name


def test_text_to_image_puts_the_prompt_and_generate_on_the_first_screen(page):
    """What a visitor came to do comes first: at 1400 x 900 the prompt, the Generate button and
    the first images are on screen without scrolling; the settings wait, folded, below."""
    page.set_viewport_size({"width": 1400, "height": 900})
    tab = page.get_by_role("tab", name="Text to image", exact=True)
    expect(tab).to_be_visible(timeout=60_000)
    tab.click()
    button = page.locator("#t2i-generate")
    expect(button).to_be_visible(timeout=60_000)
    for selector in ("#t2i-prompt textarea", "#t2i-generate"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 900, f"{selector} is below the fold: {box}"
    expect(page.get_by_text("Guidance scale", exact=True)).to_be_hidden()  # folded away
    button.click()
    image = page.locator("#t2i-images img").first
    expect(image).to_be_visible(timeout=120_000)
    assert image.bounding_box()["y"] < 900
    # Shown whole: the gallery is as tall as its pictures, with no band under them and no
    # scroll bar hiding some of them.
    wrap = page.locator("#t2i-images .grid-wrap")
    tiles = page.locator("#t2i-images .thumbnail-item")
    last = tiles.nth(tiles.count() - 1).bounding_box()
    box = wrap.bounding_box()
    assert box["y"] + box["height"] - (last["y"] + last["height"]) < 40, (box, last)
    assert wrap.evaluate("e => e.scrollHeight <= e.clientHeight + 1")


def test_on_a_phone_text_to_image_is_in_the_tab_bar_and_the_picker_stacks(page):
    """At 390 x 844 the flagship's tab shows in the tab bar (as every tab does), its
    prompt is within the first screen and a half, and a family's model picker and folded
    metrics stack instead of squeezing each other."""
    page.set_viewport_size({"width": 390, "height": 844})
    tab = page.get_by_role("tab", name="Text to image", exact=True)
    expect(tab).to_be_visible(timeout=60_000)
    tab.click()
    prompt = page.locator("#t2i-prompt textarea")
    expect(prompt).to_be_visible(timeout=60_000)
    assert prompt.bounding_box()["y"] < 1.5 * 844
    page.locator("#t2i-generate").click()  # four images: in two columns, none cut off
    expect(page.locator("#t2i-images img").nth(3)).to_be_visible(timeout=120_000)
    wrap = page.locator("#t2i-images .grid-wrap")
    assert wrap.evaluate(
        "e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1"
    )
    page.get_by_role("tab", name="VAE", exact=True).click()  # every tab in the bar, wrapped
    panel = page.locator("[role=tabpanel]:visible")
    picker = panel.get_by_label("Model").first.bounding_box()
    metrics = panel.get_by_text("Measured quality (held-out test split)").first.bounding_box()
    assert metrics["y"] >= picker["y"] + picker["height"] - 1, (picker, metrics)
    assert abs(metrics["x"] - picker["x"]) < 40  # one above the other, each the page's width
