"""Message components and modals (docs: components/reference)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import Path, Problems

__all__ = ["validate_components", "validate_modal_components"]

ACTION_ROWS_MAX = 5
ROW_CHILDREN_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
BUTTON_URL_MAX = 512
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT, LABEL = 1, 2, 3, 4, 18
SELECT_TYPES = (3, 5, 6, 7, 8)
BUTTON_STYLES = (1, 2, 3, 4, 5, 6)
LINK, PREMIUM = 5, 6


def _validate_button(problems: Problems, at: Path, button: Mapping[str, Any]) -> None:
    """Styles 1–4 need a ``custom_id`` and no ``url``/``sku_id``; link (5) needs a ``url`` and no
    ``custom_id``; premium (6) needs a ``sku_id`` and none of ``custom_id``, ``label``, ``url``,
    ``emoji``; every non-premium button shows a label or an emoji (components/reference#button).
    """
    style = button.get("style")
    problems.choice((*at, "style"), style, BUTTON_STYLES)

    def forbidden(*keys: str) -> None:
        for key in keys:
            if button.get(key) is not None:
                problems.add(
                    (*at, key),
                    "COMPONENT_INVALID_FIELD",
                    f"Buttons of style {style} cannot have a {key}",
                )

    if style == PREMIUM:
        problems.snowflake((*at, "sku_id"), button.get("sku_id"), required=True)
        forbidden("custom_id", "label", "url", "emoji")
        return
    if style == LINK:
        url = button.get("url")
        problems.length_between((*at, "url"), url, 1, BUTTON_URL_MAX)
        forbidden("custom_id", "sku_id")
    else:
        problems.length_between((*at, "custom_id"), button.get("custom_id"), 1, CUSTOM_ID_MAX)
        forbidden("url", "sku_id")
    problems.max_length((*at, "label"), button.get("label"), BUTTON_LABEL_MAX)
    problems.obj((*at, "emoji"), button.get("emoji"))
    if not button.get("label") and not button.get("emoji"):
        problems.add(
            (*at, "label"), "BUTTON_COMPONENT_LABEL_REQUIRED", "A button needs a label or an emoji"
        )


def _validate_select(problems: Problems, at: Path, kind: int, select: Mapping[str, Any]) -> None:
    problems.length_between((*at, "custom_id"), select.get("custom_id"), 1, CUSTOM_ID_MAX)
    problems.max_length((*at, "placeholder"), select.get("placeholder"), SELECT_PLACEHOLDER_MAX)
    if kind == STRING_SELECT:
        options = problems.objects((*at, "options"), select.get("options"))
        if not options:
            problems.add((*at, "options"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
        problems.too_many((*at, "options"), [o for _, o in options], SELECT_OPTIONS_MAX)
        for o_at, option in options:
            for key in ("label", "value"):
                problems.length_between((*o_at, key), option.get(key), 1, SELECT_OPTION_TEXT_MAX)
            problems.max_length(
                (*o_at, "description"), option.get("description"), SELECT_OPTION_TEXT_MAX
            )
    # min_values: 0–25; max_values: 1–25 (a select nobody can pick anything in is rejected).
    problems.integer((*at, "min_values"), select.get("min_values"), 0, SELECT_OPTIONS_MAX)
    problems.integer((*at, "max_values"), select.get("max_values"), 1, SELECT_OPTIONS_MAX)


def validate_components(problems: Problems, value: Any, flags: int) -> None:
    """A message's ``components``: action rows (or any layout with the components v2 flag)."""
    custom_ids: set[str] = set()
    components_v2 = bool(flags & (1 << 15))
    top = problems.objects(("components",), value)
    if not components_v2:
        problems.too_many(("components",), [c for _, c in top], ACTION_ROWS_MAX)

    def visit(at: Path, component: Mapping[str, Any], top_level: bool) -> None:
        kind = component.get("type")
        if kind is None:
            problems.required((*at, "type"))
        problems.integer((*at, "type"), kind)
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in custom_ids:
                problems.add(
                    (*at, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            custom_ids.add(custom_id)
        if top_level and not components_v2 and kind != ACTION_ROW:
            problems.add(
                (*at, "type"),
                "UNION_TYPE_CHOICES",
                "Top-level components must be action rows without the components v2 flag",
            )
        children = problems.objects((*at, "components"), component.get("components"))
        if kind == ACTION_ROW:
            if not children:
                problems.add(
                    (*at, "components"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."
                )
            problems.too_many((*at, "components"), children, ROW_CHILDREN_MAX)
            if len(children) > 1 and any(c.get("type") in SELECT_TYPES for _, c in children):
                problems.add(
                    (*at, "components"),
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "A select menu must be alone in its action row",
                )
        elif kind == BUTTON:
            _validate_button(problems, at, component)
        elif isinstance(kind, int) and kind in SELECT_TYPES:
            _validate_select(problems, at, kind, component)
        for child_at, child in children:
            visit(child_at, child, False)
        for key in ("component", "accessory"):
            child_obj = problems.obj((*at, key), component.get(key))
            if child_obj is not None:
                visit((*at, key), child_obj, False)

    for at, component in top:
        visit(at, component, True)


def validate_modal_components(problems: Problems, value: Any) -> None:
    """The ``components`` of a modal (callback type 9): 1–5 rows or labels of text inputs."""
    at: Path = ("data", "components")
    components = problems.objects(at, value)
    if not 1 <= len(components) <= MODAL_COMPONENTS_MAX:
        problems.add(
            at, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MODAL_COMPONENTS_MAX} in length."
        )

    def visit(c_at: Path, component: Mapping[str, Any]) -> None:
        kind = component.get("type")
        if kind == TEXT_INPUT:
            problems.length_between(
                (*c_at, "custom_id"), component.get("custom_id"), 1, CUSTOM_ID_MAX
            )
            problems.max_length((*c_at, "label"), component.get("label"), TEXT_INPUT_LABEL_MAX)
            problems.max_length((*c_at, "value"), component.get("value"), TEXT_INPUT_VALUE_MAX)
            problems.max_length((*c_at, "placeholder"), component.get("placeholder"), 100)
        elif kind == LABEL:
            problems.max_length((*c_at, "label"), component.get("label"), TEXT_INPUT_LABEL_MAX)
        elif isinstance(kind, int) and kind in SELECT_TYPES:
            _validate_select(problems, c_at, kind, component)
        for child_at, child in problems.objects((*c_at, "components"), component.get("components")):
            visit(child_at, child)
        child_obj = problems.obj((*c_at, "component"), component.get("component"))
        if child_obj is not None:
            visit((*c_at, "component"), child_obj)

    for c_at, component in components:
        visit(c_at, component)
