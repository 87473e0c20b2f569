"""The translation tabs in a real browser (Debian's chromium, driven by Playwright): CycleGAN's
pictures named by their styles, with labels that show whole on a desktop and on a phone (in the
Gradio gallery and on the Streamlit page), its difference image and figure arriving, and the truth
shown only beside an example, in CycleGAN and pix2pix alike."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.helpers import image_source, wait_for_new_image

pytestmark = pytest.mark.browser

CYCLEGAN_PICTURES = (
    "cyclegan-output",
    "cyclegan-difference",
    "cyclegan-truth",
    "cyclegan-returned",
)

HIDDEN_LABELS = """ids => ids.flatMap(id => {
  const block = document.getElementById(id);
  const label = block && block.querySelector('[data-testid=block-label]');
  if (!label || !block.offsetParent) return [`${id}: not shown`];
  const box = label.getBoundingClientRect(), frame = block.getBoundingClientRect();
  const overlaps = (r) => r.left < box.right && r.right > box.left
    && r.top < box.bottom && r.bottom > box.top;
  const covered = [...block.querySelectorAll('.icon-button-wrapper button')]
    .filter(b => !label.contains(b) && b.offsetParent && overlaps(b.getBoundingClientRect()));
  const clipped = box.right > frame.right + 1 || box.left < frame.left - 1
    || box.right > window.innerWidth || label.scrollWidth > label.clientWidth + 1;
  return covered.length || clipped ? [`${id}: ${label.textContent.trim()}`] : [];
})"""
"""The pictures whose label is covered by the picture's buttons or cut off by its frame or by
the window (a block clips what overflows it)."""

CUT_CHOICES = """labels => labels.filter(label => {
  const box = label.getBoundingClientRect();
  return label.scrollWidth > label.clientWidth + 1 || box.right > window.innerWidth;
}).map(label => label.textContent.trim())"""


def open_tab(view, gallery_url: str, tab: str, width: int, height: int) -> None:
    view.set_viewport_size({"width": width, "height": height})
    view.goto(f"{gallery_url}?tab={tab}", wait_until="domcontentloaded")
    image_source(view, f"#{tab}-output img")  # example 0, translated as the page loads


def upload_and_translate(view, picture: Image.Image) -> None:
    """Upload a PNG in the open tab's Upload tab and press its Translate button."""
    view.get_by_role("tab", name="Upload", exact=True).click()
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    files = view.locator("[role=tabpanel]:visible input[type=file]").first
    files.set_input_files({"name": "p.png", "mimeType": "image/png", "buffer": buffer.getvalue()})
    # on the server, before it is translated: the file's row links to its copy there (its name is
    # drawn in two spans, which a text match can miss)
    uploaded = view.locator("[role=tabpanel]:visible a[href$='/p.png']").first
    expect(uploaded).to_be_visible(timeout=60_000)
    button = view.get_by_role("button", name="Translate upload", exact=True)
    expect(button).to_be_enabled(timeout=60_000)
    button.click()


def a_picture() -> Image.Image:
    picture = Image.new("RGB", (70, 70), "white")
    picture.paste((0, 0, 0), (15, 30, 55, 36))
    picture.paste((0, 0, 0), (32, 12, 38, 58))
    return picture


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_cyclegan_labels_name_the_styles_and_show_whole(page, gallery_url, width, height):
    open_tab(page, gallery_url, "cyclegan", width, height)
    expect(page.locator("#cyclegan-output [data-testid=block-label]")).to_have_text("As Noto emoji")
    expect(page.locator("#cyclegan-returned [data-testid=block-label]")).to_have_text(
        "Back to Twemoji"
    )
    assert page.evaluate(HIDDEN_LABELS, list(CYCLEGAN_PICTURES)) == []
    choices = page.locator("[role=tabpanel]:visible label:has(input[type=radio])")
    expect(choices).to_have_text(["Twemoji → Noto emoji", "Noto emoji → Twemoji"])
    assert choices.evaluate_all(CUT_CHOICES) == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.get_by_text("A→B")).to_have_count(0)

    # The other way: the labels follow the direction, and still show whole.
    first = image_source(page, "#cyclegan-output img")
    choices.nth(1).click()
    expect(page.locator("#cyclegan-returned [data-testid=block-label]")).to_have_text(
        "Back to Noto emoji"
    )
    page.get_by_role("button", name="Translate example", exact=True).click()
    wait_for_new_image(page, "#cyclegan-output img", first)
    assert page.evaluate(HIDDEN_LABELS, list(CYCLEGAN_PICTURES)) == []


def test_cyclegan_shows_how_much_it_changed_and_the_truth_only_for_examples(page, gallery_url):
    from genzoo.pipelines import translation

    open_tab(page, gallery_url, "cyclegan", 1400, 900)
    model = "cyclegan-emoji-twemoji-noto"
    difference = image_source(page, "#cyclegan-difference img")
    change = page.locator("#cyclegan-change")
    expected, _ = translation.cyclegan_example(model, 0, "A→B")
    figure = expected.summary.replace("**", "")
    expect(change).to_have_text(figure)
    assert "the true Noto emoji differs from the input by" in figure
    expect(page.locator("#cyclegan-truth img")).to_be_visible()

    upload_and_translate(page, a_picture())
    wait_for_new_image(page, "#cyclegan-difference img", difference)
    uploaded = translation.cyclegan(model, a_picture(), "A→B").summary.replace("**", "")
    expect(change).to_have_text(uploaded)
    expect(page.locator("#cyclegan-truth")).to_be_hidden()  # no truth beside an upload
    expect(page.locator("#cyclegan-share a")).to_have_count(0)  # nor an example's link

    page.get_by_role("tab", name="Held-out examples", exact=True).click()
    page.locator("#cyclegan-examples button.thumbnail-item").nth(4).click()
    expect(page.locator("#cyclegan-truth img")).to_be_visible(timeout=60_000)
    example, _ = translation.cyclegan_example(model, 4, "A→B")
    expect(change).to_have_text(example.summary.replace("**", ""))


def test_pix2pix_shows_no_stale_truth_beside_an_upload(page, gallery_url):
    open_tab(page, gallery_url, "pix2pix", 1400, 900)
    truth = page.locator("#pix2pix-truth")
    expect(truth.locator("img")).to_be_visible(timeout=60_000)
    first = image_source(page, "#pix2pix-output img")

    upload_and_translate(page, a_picture())
    wait_for_new_image(page, "#pix2pix-output img", first)
    expect(truth).to_be_hidden()  # the last example's truth is gone, box and all
    expect(page.locator("#pix2pix-share a")).to_have_count(0)

    page.get_by_role("tab", name="Held-out examples", exact=True).click()
    page.locator("#pix2pix-examples button.thumbnail-item").nth(3).click()
    expect(truth.locator("img")).to_be_visible(timeout=60_000)


def test_the_streamlit_cyclegan_page_names_the_styles_whole_on_a_phone(browser, streamlit_url):
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{streamlit_url}/CycleGAN")
    expect(phone.get_by_text("the true Noto emoji differs from the input by")).to_be_visible(
        timeout=180_000
    )
    captions = phone.locator("[data-testid=stImageCaption]:visible")
    expect(captions).to_have_text(
        ["Input (Twemoji)", "As Noto emoji", "What changed (×10)", "True Noto emoji",
         "Back to Twemoji"]
    )  # fmt: skip
    choices = phone.locator("[data-testid=stRadio] label:has(input[type=radio])")
    expect(choices.first).to_have_text("Twemoji → Noto emoji")
    for shown in (captions, choices):
        assert shown.evaluate_all(CUT_CHOICES) == []
    expect(phone.get_by_text("A→B")).to_have_count(0)
