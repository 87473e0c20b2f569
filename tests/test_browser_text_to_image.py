"""The text-to-image tab in a real browser (Debian's chromium, driven by Playwright): its image
editors open at a zoom one can draw at, on a desktop and on a phone, and stay there for a large
upload; picking held-out line art puts that example's own caption in the prompt."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from genzoo.pipelines import sketches as line_art
from tests.helpers import image_source

pytestmark = pytest.mark.browser

READABLE = (80, 150)
"""The zoom (percent) an editor may open at: its canvas about as large as it is drawn. Gradio's
default (an 800 px canvas) opens at 30%."""


@pytest.fixture(params=[(1400, 900), (390, 844)], ids=["desktop", "phone"])
def text_to_image_page(request, gallery_url, browser):
    width, height = request.param
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{gallery_url}?tab=text-to-image", wait_until="domcontentloaded")
    expect(page.locator("#t2i-prompt textarea")).to_be_visible(timeout=60_000)
    return page


def zoom(page, editor: str) -> int:
    """The zoom the editor shows, in percent."""
    shown = page.locator(f"{editor} .zoom-number span").first
    expect(shown).to_have_text(re.compile(r"\d+%"), timeout=60_000)
    return int(shown.inner_text().rstrip("%"))


@pytest.mark.parametrize(
    ("tabs", "editor"),
    [(["Inpaint"], "#t2i-editor"), (["Image to image", "Upload or draw"], "#t2i-rough")],
    ids=["inpaint", "image to image"],
)
def test_the_editors_open_at_a_readable_zoom(text_to_image_page, tabs, editor, tmp_path):
    page = text_to_image_page
    for name in tabs:
        page.get_by_role("tab", name=name, exact=True).click()
    expect(page.locator(f"{editor} canvas").first).to_be_visible(timeout=60_000)
    assert READABLE[0] <= zoom(page, editor) <= READABLE[1]
    photo = tmp_path / "photo.png"
    Image.new("RGB", (1200, 900), (200, 40, 40)).save(photo)
    page.locator(f"{editor} input[type=file]").first.set_input_files(str(photo))
    page.wait_for_timeout(2000)  # the editor draws the upload onto its canvas
    assert READABLE[0] <= zoom(page, editor) <= READABLE[1]  # fitted into the canvas


def test_picking_held_out_line_art_puts_its_caption_in_the_prompt(text_to_image_page):
    page = text_to_image_page
    page.get_by_role("tab", name="Image to image", exact=True).click()
    examples = page.locator("#t2i-sketches button.thumbnail-item")
    expect(examples.nth(2)).to_be_visible(timeout=60_000)
    examples.nth(2).click()
    expect(page.locator("#t2i-prompt textarea")).to_have_value(
        line_art.sketch_caption(2), timeout=30_000
    )
    image_source(page, "#t2i-redrawn img")  # redrawn under that caption
