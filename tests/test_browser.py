"""A real browser (Debian's chromium, driven by Playwright) opens the gallery, uses the VAE tab
and sees images arrive."""

import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def page(gallery_url, tmp_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(gallery_url, wait_until="domcontentloaded")
        yield page
        page.screenshot(path=str(tmp_path / "gallery.png"), full_page=True)
        browser.close()


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
