"""What a setting of a visitor's action is: its name, label, default, range or choices, and help,
declared once beside the pipeline function that takes it. The pipeline checks values against the
declaration; share links carry settings by its name and type; both galleries draw their controls
from it. `MODEL`, `SEED` and `EXAMPLE` are the settings several families share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from genzoo.images import MAX_SEED, InvalidInputError, check_int, check_range


@dataclass(frozen=True)
class Setting:
    """One setting. Its type is its default's. Numbers lie in [low, high] and are drawn as a
    slider when they have a `step`, as a number box otherwise; text is at most `high` characters
    (and is refused empty, with `if_empty`, when that is given); `choices` make a dropdown."""

    name: str
    label: str
    default: str | int | float | bool
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    if_empty: str = ""

    @property
    def kind(self) -> type:
        return type(self.default)

    def check(self, value):
        """`value` as this setting's type, or `InvalidInputError` saying what is allowed."""
        if self.kind is bool:
            return bool(value)
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        if self.kind is int:
            return check_int(self.label, value, low, high)
        if self.kind is float:
            return check_range(self.label, value, low, high)
        text = str(value or "").strip()
        if self.choices and text not in self.choices:
            raise InvalidInputError(
                f"Unknown {self.label.lower()} {text!r}; choose one of {', '.join(self.choices)}."
            )
        if not text and self.if_empty:
            raise InvalidInputError(self.if_empty)
        if self.high is not None and len(text) > self.high:
            raise InvalidInputError(
                f"The {self.label.lower()} is {len(text)} characters long; keep it under "
                f"{self.high:g}."
            )
        return text

    def but(self, **changes) -> Setting:
        """This setting with some facts changed (another label or default, say)."""
        return replace(self, **changes)


def declare(*settings: Setting) -> dict[str, Setting]:
    """An action's settings by name, in the order its pipeline function takes them."""
    return {setting.name: setting for setting in settings}


def check_all(declared: Mapping[str, Setting], values: Mapping[str, object]) -> dict:
    """Every declared setting, checked: the value given, or the default."""
    unknown = set(values) - set(declared)
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    return {
        name: setting.check(values.get(name, setting.default)) for name, setting in declared.items()
    }


# Its choices are the bundled models of the family.
MODEL = Setting(name="model", label="Model", default="")
EXAMPLE = Setting(
    name="example",
    label="Example",
    default=0,
    low=0,  # the highest is the model's last example
    help="A held-out example: the model never saw it in training.",
)
SEED = Setting(
    name="seed",
    label="Seed",
    default=0,
    low=0,
    high=MAX_SEED,
    help="The same seed gives the same result on any machine.",
)
