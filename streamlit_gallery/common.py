"""What every Streamlit page shares: picking a bundled model, showing bad input as a message,
and share links (the settings that made a result, in the page's query parameters)."""

from __future__ import annotations

import hashlib
import inspect
from urllib.parse import parse_qsl

import streamlit as st
from PIL import Image

from genzoo import provenance, share
from genzoo.cards import (
    NO_TRAINING_CURVE,
    TIMELAPSE_CAPTION,
    TRAINING_CURVE_AXES,
    training_curve,
    training_timelapse,
)
from genzoo.hub import ModelNotFoundError
from genzoo.images import InvalidInputError
from genzoo.registry import BUNDLED, FAMILY_TABLE, bundled
from genzoo.settings import Setting
from words.catalogue import metrics_markdown


def pick_model(family: str, label: str = "Model", linked: str | None = None) -> str:
    """A model picker over the bundled models of `family` (starting at `linked` when a share
    link names one of them), with their measured quality."""
    names = [entry.name for entry in bundled(family)]
    if not names:
        st.error(FAMILY_TABLE[family].missing_message())
        st.stop()
    index = names.index(linked) if linked in names else 0
    model = st.selectbox(label, names, index, format_func=lambda name: BUNDLED[name].title)
    with st.expander("Measured quality"):
        st.markdown(metrics_markdown(model))
        show_training_curve(model)
    return model


def show_training_curve(model: str) -> None:
    """The model's training losses over the steps and its training time-lapse, or a line saying
    it has none."""
    curve = training_curve(model)
    if not curve:
        st.markdown(NO_TRAINING_CURVE)
        return
    st.markdown("**Training curve**")
    st.line_chart(
        curve,
        x="step",
        y="value",
        color="loss",
        x_label=TRAINING_CURVE_AXES[0],
        y_label=TRAINING_CURVE_AXES[1],
    )
    gif = training_timelapse(model)
    if gif:
        st.image(gif, caption=TIMELAPSE_CAPTION)


def show(where, picture, **options) -> None:
    """`where.image(picture, **options)` (a picture or a list), each picture that says what made
    it sent as PNG bytes that carry that: Streamlit would re-encode it without (as it does any
    picture shown narrower than it is)."""

    def carried(one):
        if isinstance(one, Image.Image) and provenance.FACTS in one.info:
            return provenance.png_bytes(one)
        return one

    where.image(
        [carried(one) for one in picture] if isinstance(picture, list) else carried(picture),
        **options,
    )


def showing_errors(action, *args, **kwargs):
    """Run a pipeline function; show bad input as a message instead of a traceback."""
    try:
        return action(*args, **kwargs)
    except (InvalidInputError, ModelNotFoundError) as error:
        st.error(str(error))
        return None


def result_of(name: str, asked: bool | None, doing: str, action, *args, **kwargs):
    """What `action(*args, **kwargs)` makes, computed only when `asked` (a button just pressed,
    or a share link opening the page; None: whenever the settings differ from the last result's),
    with a progress bar over its denoising steps when it
    reports them (`on_step`). Kept while the settings that made it stay the same, so that other
    reruns of the page do not recompute it; gone (None) once they change, so nothing stale stays."""
    key, made_with = f"result-{name}", _fingerprint(args, kwargs)
    last = st.session_state.get(key)
    if asked or (asked is None and (last is None or last[0] != made_with)):
        bar = st.progress(0.0, text=f"{doing}…")

        def on_step(done: int, total: int) -> None:
            bar.progress(done / total, text=f"{doing}: step {done} of {total}")

        reports = "on_step" in inspect.signature(action).parameters
        made = showing_errors(action, *args, **kwargs, **({"on_step": on_step} if reports else {}))
        bar.empty()
        st.session_state[key] = last = (made_with, made)
    return last[1] if last is not None and last[0] == made_with else None


def _fingerprint(args, kwargs) -> str:
    """The settings as text, pictures by their pixels (a new upload of the same file matches)."""

    def text(value) -> str:
        if isinstance(value, Image.Image):
            return hashlib.sha256(value.tobytes()).hexdigest()
        return repr(value)

    return "|".join([*map(text, args), *(f"{k}={text(v)}" for k, v in sorted(kwargs.items()))])


class Link:
    """The settings of `action` (see `genzoo.share`) that the page's share link carries, read
    once per session (so that a control changed afterwards keeps its new value)."""

    def __init__(self, action: str):
        self.action = action
        key = f"share-link-{action}"
        if key not in st.session_state:
            params = st.query_params.to_dict()
            st.session_state[key] = (
                share.links_to(action, params),
                params.get("tab") == share.tab_of(action),
                share.read_query(action, params),
            )
        self.opened, self.page_opened, self.settings = st.session_state[key]
        self.keys = st.session_state.setdefault(f"share-link-keys-{action}", set())
        """The keyed controls of the link's settings: a keyed control keeps its value over
        reruns, so `follow` forgets them, for them to take the followed link's values."""

    def get(self, name: str, default, low=None, high=None):
        """The linked value of `name`, or `default` when the link has none or one out of range."""
        value = self.settings.get(name, default)
        if (low is not None and value < low) or (high is not None and value > high):
            st.warning(f"The link's {name} ({value}) is out of range; using {default}.")
            return default
        return value

    def value(self, setting: Setting):
        """The linked value of a declared setting; its default when the link has none, or one
        that its pipeline would refuse."""
        if setting.name not in self.settings:
            return setting.default
        try:
            return setting.check(self.settings[setting.name])
        except InvalidInputError as error:
            st.warning(f"The link's {setting.label.lower()}: {error} Using {setting.default}.")
            return setting.default

    def opens_now(self) -> bool:
        """Whether this run is the link's first: it makes the linked result once, and a later
        rerun (a Cancel, say) does not make it again."""
        key = f"share-link-made-{self.action}"
        first = self.opened and key not in st.session_state
        if first:
            st.session_state[key] = True
        return first

    def follow(self, settings: dict) -> None:
        """Open the page again as the share link of `settings` would (making their result)."""
        query = share.share_query(self.action, settings)
        st.query_params.from_dict(dict(parse_qsl(query[1:])))
        del st.session_state[f"share-link-{self.action}"]
        st.session_state.pop(f"share-link-made-{self.action}", None)
        for key in self.keys:
            st.session_state.pop(key, None)
        st.rerun()

    def show(self, settings: dict) -> None:
        """Show `settings` as a link to copy; the page's address follows the view the page was
        opened at (its first view when no link opened it)."""
        query = share.share_query(self.action, settings)
        if self.opened or (not self.page_opened and share.tab_of(self.action) == self.action):
            st.query_params.from_dict(dict(parse_qsl(query[1:])))
        st.markdown(share.LINK_MARKDOWN.format(query))


def control(setting: Setting, link: Link | None = None, where=st, **options):
    """The control for a declared setting, at the link's value or its default; `where` is a
    column or the page, and `options` add to its facts."""
    value = link.value(setting) if link else setting.default
    if link and "key" in options:
        link.keys.add(options["key"])
    facts = dict(label=setting.label, help=setting.help or None) | options
    if setting.choices:
        return where.selectbox(options=setting.choices, index=setting.choices.index(value), **facts)
    if setting.kind is bool:
        return where.checkbox(value=value, **facts)
    if setting.kind is str:
        return _within_limit(setting, where.text_input(value=value, **facts), where)
    bounds = dict(min_value=setting.low, max_value=setting.high, value=value)
    if setting.step is None:
        return where.number_input(**bounds, **facts)
    return where.slider(**bounds, step=setting.step, **facts)


def _within_limit(setting: Setting, text: str, where) -> str:
    """`text` cut to the setting's most characters, saying so under its box. (A box given
    `max_chars` silently refuses a paste that is too long.)"""
    if setting.high is None or len(text) <= setting.high:
        return text
    where.warning(
        f"The {setting.label.lower()} is {len(text):,} characters long; only its first "
        f"{setting.high:g} are used."
    )
    return text[: int(setting.high)]


def opened(links: list[tuple[str, Link]]) -> tuple[str | None, Link]:
    """The tab label (for `st.tabs(..., default=...)`) and the link that opened the page, from a
    page's (tab label, link) pairs; `None` and the first link when none did."""
    return next(((label, link) for label, link in links if link.opened), (None, links[0][1]))
