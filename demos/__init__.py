"""Gradio demos: one module per family with `render(demo)` (into the current Blocks) and `build()`
(a standalone app), and `app.py`, which tabs them all into the gallery.

Importing this package sets genzoo's offline environment defaults, before gradio is imported.
"""

from genzoo.env import offline_defaults

offline_defaults()
