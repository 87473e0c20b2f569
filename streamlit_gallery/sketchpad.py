"""A sketch pad for the Streamlit pages: draw with the mouse or a finger, get PNG bytes back.

Streamlit has no drawing widget, so this is a small custom component (components v2, inline
HTML and JavaScript, no network). By default it draws thick white strokes on black, as the digit
datasets look; pix2pix asks for thin black lines on white. Untouched pixels stay transparent.
With a `background` image shown under the strokes (fitted and centred, as the pipelines fit
uploads), it paints an inpainting mask: the returned PNG holds only the strokes.
"""

from __future__ import annotations

import base64

import streamlit as st

_HTML = """
<div class="pad">
  <canvas width="280" height="280"></canvas>
  <div class="buttons">
    <button class="use">Use drawing</button><button class="clear">Clear</button>
  </div>
</div>
"""

_CSS = """
.pad canvas { background: #000; border-radius: 6px; touch-action: none; cursor: crosshair;
  border: 2px solid var(--st-border-color, #bbb); max-width: 100%; }
.pad .buttons { margin-top: .4rem; display: flex; gap: .5rem; }
.pad button { border: none; padding: .4rem .8rem; border-radius: var(--st-button-radius);
  background: var(--st-primary-color); color: white; cursor: pointer; }
.pad button.clear { background: var(--st-secondary-background-color); color: var(--st-text-color); }
"""

_JS = """
export default function (component) {
  const { setStateValue, parentElement, data } = component;
  const canvas = parentElement.querySelector("canvas");
  const context = canvas.getContext("2d");
  canvas.style.background = data.background
    ? `${data.paper} url(${data.background}) center / contain no-repeat` : data.paper;
  context.lineWidth = data.width; context.lineCap = "round"; context.lineJoin = "round";
  context.strokeStyle = data.ink;
  let drawing = false;
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width,
            (event.clientY - box.top) * canvas.height / box.height];
  };
  canvas.onpointerdown = (event) => {
    drawing = true; context.beginPath(); context.moveTo(...at(event)); context.lineTo(...at(event));
    context.stroke();
  };
  canvas.onpointermove = (event) => {
    if (drawing) { context.lineTo(...at(event)); context.stroke(); }
  };
  canvas.onpointerup = canvas.onpointerleave = () => { drawing = false; };
  parentElement.querySelector(".use").onclick = () => {
    setStateValue("png", canvas.toDataURL("image/png"));
  };
  parentElement.querySelector(".clear").onclick = () => {
    context.clearRect(0, 0, canvas.width, canvas.height); setStateValue("png", null);
  };
}
"""

_component = st.components.v2.component("genzoo_sketchpad", html=_HTML, css=_CSS, js=_JS)


def sketchpad(
    key: str,
    ink: str = "#fff",
    paper: str = "#000",
    line_width: int = 22,
    background: bytes | None = None,
) -> bytes | None:
    """Show a sketch pad; return the drawing as PNG bytes once the user clicks "Use drawing"."""
    picture = background and "data:image/png;base64," + base64.b64encode(background).decode()
    result = _component(
        key=key,
        data={"ink": ink, "paper": paper, "width": line_width, "background": picture or None},
        default={"png": None},
        on_png_change=lambda: None,
    )
    url = getattr(result, "png", None)
    if not url or not url.startswith("data:image/png;base64,"):
        return None
    return base64.b64decode(url.split(",", 1)[1])
