"""What the bench times, one module per family (the registry row's `benchmark`).

Each module declares `actions(model) -> {name: callable}`: the same pipeline functions the
buttons call, on a bundled model, named as the bench's table shows them; and `CACHES`, the
process caches its cold load clears. An action named "load ..." is timed cold.
"""

from __future__ import annotations

import io

from PIL import Image


def png_of(image: Image.Image) -> bytes:
    """An image as the bytes of a PNG upload."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
