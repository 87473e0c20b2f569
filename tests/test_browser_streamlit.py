"""The Streamlit gallery (`streamlit run`) in a real browser (Debian's chromium, driven by
Playwright), where a visitor would trip: an upload on the Inpaint tab keeps that tab, the sidebar
lists the pages in the home page's order with no Deploy button, and on a phone nothing is cut."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from genzoo.registry import FAMILIES, FAMILY_TABLE, SHOWN

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_an_upload_on_the_inpaint_tab_keeps_the_visitor_there(browser, streamlit_url, tmp_path):
    picture = tmp_path / "orange.png"
    Image.new("RGB", (64, 64), "orange").save(picture)
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{streamlit_url}/Text_to_image")
    tab = page.get_by_role("tab", name="Inpaint", exact=True)
    tab.click(timeout=120_000)
    expect(tab).to_have_attribute("aria-selected", "true")
    panel = page.locator("[role=tabpanel]:visible")
    upload_when_idle(page, panel.locator("[data-testid=stFileUploader]"), picture)
    # the upload reruns the page, which now shows the picture to paint on
    expect(page.get_by_text("Paint the part to redo", exact=False)).to_be_visible(timeout=120_000)
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="Generate", exact=True)).to_have_attribute(
        "aria-selected", "false"
    )
    expect(panel.get_by_text("Upload an image, paint over the part to redo")).to_be_visible()


def upload_when_idle(page, uploader, picture, tries: int = 3) -> None:
    """Give `uploader` the file once the page's script has finished running, and again if the
    uploader does not show it: a file set while the first run still draws the page can land on
    an input that the run then replaces (seen on a cold server)."""
    for _ in range(tries):
        expect(uploader).to_be_visible(timeout=120_000)
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)
        uploader.locator("input[type=file]").set_input_files(str(picture))
        try:
            expect(uploader.get_by_text(picture.name)).to_be_visible(timeout=30_000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the uploader never showed {picture.name} after {tries} tries")


def test_the_sidebar_lists_the_pages_as_the_home_page_does_with_no_deploy_button(
    browser,
    streamlit_url,
):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(streamlit_url)
    links = page.locator("[data-testid=stPageLink] a")
    expect(links).to_have_count(len(FAMILIES), timeout=120_000)
    tabs = [FAMILY_TABLE[name].tab for name in FAMILIES]
    labels = [text.split("\n")[-1] for text in links.all_inner_texts()]  # less the icon
    assert labels == [f"Try {tab}" for tab in tabs]
    sidebar = page.locator("[data-testid=stSidebarNav] a")
    pages = [row.tab for row in SHOWN.values()]  # the families, as on the home page, then labs
    assert pages[: len(tabs)] == tabs
    expect(sidebar).to_have_text(["Home", *pages], timeout=60_000)
    # the pages keep their addresses (share links name them)
    for link, tab in zip(sidebar.all()[1:], pages, strict=True):
        expect(link).to_have_attribute("href", streamlit_url + "/" + tab.replace(" ", "_"))
    page.get_by_role("link", name="Try Text to image").click()
    expect(page).to_have_url(f"{streamlit_url}/Text_to_image", timeout=120_000)
    title = page.get_by_role("heading", name="Text to image", exact=True)  # not the card's
    expect(title).to_be_visible(timeout=120_000)
    assert page.get_by_role("button", name="Deploy").count() == 0  # client.toolbarMode


def test_on_a_phone_no_link_nor_the_clip_ranking_is_cut(browser, streamlit_url):
    page = browser.new_page(viewport=PHONE)
    page.goto(streamlit_url)
    links = page.locator("[data-testid=stPageLink] a")
    expect(links).to_have_count(len(FAMILIES), timeout=120_000)
    for link in links.all():
        link.scroll_into_view_if_needed()
        cut = link.evaluate(
            "a => [a, ...a.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1"
            " || e.getBoundingClientRect().right > window.innerWidth).map(e => e.outerHTML)"
        )
        assert not cut, (link.inner_text(), cut)

    page.goto(f"{streamlit_url}/CLIP")
    table = page.locator("[data-testid=stDataFrame]").first
    expect(table).to_be_visible(timeout=120_000)
    table.scroll_into_view_if_needed()
    headers = table.locator("th")  # the grid's accessible copy of its canvas
    expect(headers.first).to_have_text("probability")  # the answer first, never scrolled away
    scroller = table.locator(".dvn-scroller").first
    assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # no column is cut
    assert table.bounding_box()["x"] + table.bounding_box()["width"] <= PHONE["width"]
