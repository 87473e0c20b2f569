"""What a new visitor tried in a real browser (Debian's chromium, driven by Playwright) on the
Gradio gallery: the first screen on a phone, every tab within reach, a huge upload into the
inpaint editor, files that are no image or too big, a bad file in the "reuse settings" box, and
the charts' legends."""

import time

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from genzoo.cards import guidance_curve
from genzoo.images import MAX_UPLOAD_BYTES, NOT_AN_IMAGE, TOO_BIG_FILE
from genzoo.pipelines import text_to_image as actions
from genzoo.registry import FAMILIES, FAMILY_TABLE

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
T2I = "text-to-image-emoji"


def responds_within(page, seconds: float) -> bool:
    """Whether the page runs a script within `seconds` (a frozen tab does not)."""
    started = time.monotonic()
    page.evaluate("() => 1 + 1")
    return time.monotonic() - started < seconds


def test_on_a_phone_the_first_screen_invites_a_try_and_every_tab_is_named(page):
    """Each family is a card with its picture and a button to its tab, the metrics folded; the
    cards stack, and every tab is named in the tab bar, none behind an unlabelled menu."""
    page.set_viewport_size(PHONE)
    first = page.locator("#try-text-to-image")
    expect(first).to_be_visible(timeout=60_000)
    assert first.bounding_box()["y"] + first.bounding_box()["height"] <= PHONE["height"]
    for family in FAMILIES:
        expect(page.locator(f"#try-{family}")).to_have_text(f"Try {FAMILY_TABLE[family].tab}")
        expect(page.locator(f"#card-{family}")).to_be_hidden()  # folded
        tab = page.get_by_role("tab", name=FAMILY_TABLE[family].tab, exact=True)
        expect(tab).to_be_visible()
        box = tab.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], family
    assert page.get_by_role("button", name="More tabs").count() == 0
    cards = page.locator(".family-card")
    left = {round(cards.nth(i).bounding_box()["x"]) for i in range(cards.count())}
    assert cards.count() == len(FAMILIES) and len(left) == 1  # stacked, one above the other
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("document.body.scrollHeight") < 5 * PHONE["height"]

    page.get_by_text("How it was trained, and how it measured").nth(2).click()
    measured = page.locator(f"#card-{FAMILIES[2]}")
    expect(measured).to_be_visible()
    assert measured.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # a list, not a table

    page.locator("#try-cyclegan").click()
    expect(page.get_by_role("tab", name="CycleGAN", exact=True)).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page.locator("#cyclegan-examples img").first).to_be_visible(timeout=60_000)


@pytest.fixture
def inpaint_editor(page, gallery_url):
    page.goto(f"{gallery_url}?tab=text-to-image", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Inpaint", exact=True).click(timeout=60_000)
    editor = page.locator("#t2i-editor")
    expect(editor).to_be_visible(timeout=60_000)
    return editor


def upload_into(page, editor, path) -> None:
    with page.expect_file_chooser() as chooser:
        editor.locator("button[aria-label=Upload]").click()
    chooser.value.set_files(str(path))


def test_a_huge_photo_in_the_inpaint_editor_is_fitted_and_the_page_keeps_answering(
    page,
    inpaint_editor,
    tmp_path,
):
    """A 4000 x 3000 picture is fitted into the editor's small canvas as it loads: shown at a
    readable zoom, painted on at once, and never more than 512 px when it reaches the model."""
    photo = tmp_path / "photo.png"
    ramp = np.linspace(0, 255, 4000, dtype=np.float32)[None, :, None] * np.ones((3000, 1, 3))
    ramp[1000:2000, 1500:2500] = (40, 90, 200)
    Image.fromarray(ramp.astype(np.uint8)).save(photo)
    started = time.monotonic()
    upload_into(page, inpaint_editor, photo)
    expect(inpaint_editor.get_by_text("Upload an image")).to_be_hidden(timeout=30_000)
    while not responds_within(page, 0.5) and time.monotonic() - started < 60:
        pass
    settled = time.monotonic() - started
    print(f"fitted and answering {settled:.1f} s after the upload")
    assert settled < 30  # decoding 12 million pixels takes the browser a moment, once
    zoom = int(inpaint_editor.get_by_text("%").first.inner_text().strip("% "))
    assert zoom >= 50, f"the picture shows at {zoom}%"

    canvas = inpaint_editor.locator("canvas").first.bounding_box()
    inpaint_editor.locator("button[aria-label=Brush]").click()
    x, y = canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2
    started = time.monotonic()
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(10):
        page.mouse.move(x + step * 3, y + step * 2)
    page.mouse.up()
    assert time.monotonic() - started < 15  # ten strokes: seconds, not minutes
    assert responds_within(page, 3)
    expect(page.locator(".genzoo-refused")).to_have_count(0)  # a fine picture: no message


def test_a_file_that_is_no_image_or_too_big_gets_one_message_in_the_editor(
    page,
    inpaint_editor,
    tmp_path,
):
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    upload_into(page, inpaint_editor, text)
    refused = inpaint_editor.locator(".genzoo-refused")
    expect(refused).to_have_text(NOT_AN_IMAGE)
    assert inpaint_editor.locator("canvas").count() == 0 or "Upload an image" in (
        inpaint_editor.inner_text()
    )

    noise = tmp_path / "noise.png"
    pixels = np.random.default_rng(0).integers(0, 256, (3000, 3000, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(noise, compress_level=0)
    assert noise.stat().st_size > MAX_UPLOAD_BYTES
    upload_into(page, inpaint_editor, noise)
    expect(refused).to_have_text(TOO_BIG_FILE)
    assert page.locator(".genzoo-refused").count() == 1
    assert "Upload an image" in inpaint_editor.inner_text()  # still empty, ready for another
    assert responds_within(page, 2)


def test_a_bad_file_in_the_reuse_box_says_so_once_and_leaves_the_controls_alone(
    page,
    gallery_url,
    tmp_path,
):
    page.goto(f"{gallery_url}?tab=text-to-image", wait_until="domcontentloaded")
    prompt = page.locator("#t2i-prompt textarea")
    expect(prompt).to_be_visible(timeout=60_000)
    before = prompt.input_value()
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"GIF89a not a png at all")
    page.locator("#t2i-reuse input[type=file]").set_input_files(str(fake))
    said = page.locator("#t2i-reused")
    expect(said).to_contain_text("Could not reuse that file.", timeout=30_000)
    expect(said).to_contain_text(NOT_AN_IMAGE)
    assert prompt.input_value() == before
    panel = page.locator("[role=tabpanel]:visible").first
    assert panel.get_by_text("Error", exact=True).count() == 0  # no badge on any control
    assert page.locator(".toast-body").count() == 0  # one message, not two


def test_every_chart_shows_its_whole_legend(page, gallery_url):
    """A chart's legend names its lines (the number of steps, the losses) below the plot, and its
    axes say what they measure: none is cut off."""
    page.goto(f"{gallery_url}?tab=text-to-image", wait_until="domcontentloaded")
    page.get_by_text("Model and its measured quality").click(timeout=60_000)
    charts = page.locator(".genzoo-chart:visible")
    expect(charts.first).to_be_visible(timeout=60_000)
    expect(charts.first).to_contain_text("denoising steps", timeout=60_000)
    assert charts.count() == 3  # guidance against alignment and distance, the training curve
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "e => e.querySelector('svg') && e.scrollHeight <= e.clientHeight + 1",
            arg=chart.element_handle(),
            timeout=30_000,
        )
        assert "…" not in chart.inner_text()  # no title cut short
    alignment = charts.nth(0).inner_text()
    assert actions.GUIDANCE.label in alignment
    steps = {row["steps"] for row in guidance_curve(T2I)}
    assert len(steps) > 1 and all(f"{count} steps" in alignment for count in steps)
