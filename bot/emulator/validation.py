"""Checks payloads the bot sends against Discord's documented limits.

Each checker returns a list of :class:`Problem`; an empty list means Discord would accept it. The
emulator turns problems into a ``400 Invalid Form Body`` (code 50035) shaped like Discord's, and
records them as violations so a test fails even if the bot swallowed the error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Problem",
    "errors_object",
    "validate_application_command",
    "validate_application_commands",
    "validate_autocomplete",
    "validate_message",
    "validate_modal",
]

JSON = dict[str, Any]
Path = tuple[str | int, ...]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_LIMITS = {"title": 256, "description": 4096}
EMBED_FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_TEXT_MAX = 2048
AUTHOR_NAME_MAX = 256
ACTION_ROWS_MAX = 5
ROW_CHILDREN_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMANDS_PER_SCOPE_MAX = 100
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000

SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
SELECT_TYPES = {3, 5, 6, 7, 8}


@dataclass(frozen=True)
class Problem:
    """One rejected field: where (a JSON path), Discord's error code, and a readable message."""

    path: Path
    code: str
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path) or "<root>"
        return f"{where}: {self.message}"


def errors_object(problems: Iterable[Problem]) -> JSON:
    """Nest problems the way Discord's ``errors`` object does (``{"embeds": {"0": {...}}}``)."""
    root: JSON = {}
    for problem in problems:
        node = root
        for part in problem.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return root


def _max_length(problems: list[Problem], path: Path, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append(
            Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
        )


def _length_between(
    problems: list[Problem], path: Path, value: Any, low: int, high: int, *, required: bool = True
) -> None:
    if value is None:
        if required:
            problems.append(Problem(path, "BASE_TYPE_REQUIRED", "This field is required"))
        return
    if not isinstance(value, str) or not low <= len(value) <= high:
        problems.append(
            Problem(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
        )


def _too_many(problems: list[Problem], path: Path, items: Sequence[Any], limit: int) -> None:
    if len(items) > limit:
        problems.append(
            Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
        )


def _embed_text_length(embed: Mapping[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for item in embed.get("fields") or []:
        total += len(item.get("name") or "") + len(item.get("value") or "")
    return total


def _validate_embeds(problems: list[Problem], embeds: Sequence[JSON]) -> None:
    _too_many(problems, ("embeds",), embeds, EMBEDS_MAX)
    for index, embed in enumerate(embeds):
        at: Path = ("embeds", index)
        for key, limit in EMBED_LIMITS.items():
            _max_length(problems, (*at, key), embed.get(key), limit)
        footer = embed.get("footer") or {}
        _max_length(problems, (*at, "footer", "text"), footer.get("text"), FOOTER_TEXT_MAX)
        author = embed.get("author") or {}
        _max_length(problems, (*at, "author", "name"), author.get("name"), AUTHOR_NAME_MAX)
        fields = embed.get("fields") or []
        _too_many(problems, (*at, "fields"), fields, EMBED_FIELDS_MAX)
        for f_index, item in enumerate(fields):
            f_at: Path = (*at, "fields", f_index)
            _length_between(problems, (*f_at, "name"), item.get("name"), 1, FIELD_NAME_MAX)
            _length_between(problems, (*f_at, "value"), item.get("value"), 1, FIELD_VALUE_MAX)
    total = sum(_embed_text_length(e) for e in embeds)
    if total > EMBED_TOTAL_MAX:
        problems.append(
            Problem(
                ("embeds",),
                "BASE_TYPE_MAX_LENGTH",
                f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} (got {total})",
            )
        )


def _validate_interactive(problems: list[Problem], at: Path, component: JSON) -> None:
    kind = component.get("type")
    if kind == 2:
        is_link = component.get("style") == 5 or component.get("url") is not None
        is_premium = component.get("style") == 6
        if not is_link and not is_premium:
            _length_between(
                problems, (*at, "custom_id"), component.get("custom_id"), 1, CUSTOM_ID_MAX
            )
        if is_link and component.get("custom_id") is not None:
            problems.append(
                Problem(
                    (*at, "custom_id"), "COMPONENT_INVALID", "Link buttons cannot have a custom_id"
                )
            )
        _max_length(problems, (*at, "label"), component.get("label"), BUTTON_LABEL_MAX)
    elif kind in SELECT_TYPES:
        _length_between(problems, (*at, "custom_id"), component.get("custom_id"), 1, CUSTOM_ID_MAX)
        _max_length(
            problems, (*at, "placeholder"), component.get("placeholder"), SELECT_PLACEHOLDER_MAX
        )
        if kind == 3:
            options = component.get("options") or []
            if not options:
                problems.append(
                    Problem(
                        (*at, "options"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."
                    )
                )
            _too_many(problems, (*at, "options"), options, SELECT_OPTIONS_MAX)
            for o_index, option in enumerate(options):
                o_at: Path = (*at, "options", o_index)
                for key in ("label", "value"):
                    _length_between(
                        problems, (*o_at, key), option.get(key), 1, SELECT_OPTION_TEXT_MAX
                    )
                _max_length(
                    problems,
                    (*o_at, "description"),
                    option.get("description"),
                    SELECT_OPTION_TEXT_MAX,
                )
        for key in ("min_values", "max_values"):
            value = component.get(key)
            if value is not None and not 0 <= int(value) <= SELECT_OPTIONS_MAX:
                problems.append(
                    Problem((*at, key), "NUMBER_TYPE_MAX", "int value should be <= 25 and >= 0.")
                )


def _validate_components(problems: list[Problem], components: Sequence[JSON], flags: int) -> None:
    custom_ids: set[str] = set()
    components_v2 = bool(flags & (1 << 15))
    if not components_v2:
        _too_many(problems, ("components",), components, ACTION_ROWS_MAX)

    def visit(at: Path, component: JSON, top_level: bool) -> None:
        kind = component.get("type")
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in custom_ids:
                problems.append(
                    Problem(
                        (*at, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                )
            custom_ids.add(custom_id)
        if top_level and not components_v2 and kind != 1:
            problems.append(
                Problem(
                    (*at, "type"),
                    "UNION_TYPE_CHOICES",
                    "Top-level components must be action rows without the components v2 flag",
                )
            )
        if kind == 1:
            children = component.get("components") or []
            if not children:
                problems.append(
                    Problem(
                        (*at, "components"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."
                    )
                )
            _too_many(problems, (*at, "components"), children, ROW_CHILDREN_MAX)
            if any(c.get("type") in SELECT_TYPES for c in children) and len(children) > 1:
                problems.append(
                    Problem(
                        (*at, "components"),
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "A select menu must be alone in its action row",
                    )
                )
        _validate_interactive(problems, at, component)
        for index, child in enumerate(component.get("components") or []):
            visit((*at, "components", index), child, False)
        for key in ("component", "accessory"):
            child = component.get(key)
            if isinstance(child, dict):
                visit((*at, key), child, False)

    for index, component in enumerate(components):
        visit(("components", index), component, True)


def validate_message(payload: Mapping[str, Any], *, require_body: bool = True) -> list[Problem]:
    """A message create/edit body (channel messages, webhooks, interaction responses).

    ``require_body`` is false for edits, which may change a single field.
    """
    problems: list[Problem] = []
    content = payload.get("content")
    if content is not None and not isinstance(content, str):
        problems.append(Problem(("content",), "BASE_TYPE_STRING", "Must be a string."))
    _max_length(problems, ("content",), content, CONTENT_MAX)
    embeds = payload.get("embeds") or []
    _validate_embeds(problems, embeds)
    flags = int(payload.get("flags") or 0)
    _validate_components(problems, payload.get("components") or [], flags)
    mentions = payload.get("allowed_mentions")
    if mentions is not None:
        parse = mentions.get("parse") or []
        for index, value in enumerate(parse):
            if value not in ("users", "roles", "everyone"):
                problems.append(
                    Problem(
                        ("allowed_mentions", "parse", index),
                        "BASE_TYPE_CHOICES",
                        f"Value must be one of {{'users', 'roles', 'everyone'}}, got {value!r}.",
                    )
                )
        for kind in ("users", "roles"):
            if kind in parse and mentions.get(kind):
                problems.append(
                    Problem(
                        ("allowed_mentions", "parse"),
                        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                        f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                    )
                )
    if require_body and not (
        content
        or embeds
        or payload.get("components")
        or payload.get("attachments")
        or payload.get("sticker_ids")
        or payload.get("poll")
    ):
        problems.append(Problem((), "50006", "Cannot send an empty message"))
    return problems


def validate_autocomplete(data: Mapping[str, Any]) -> list[Problem]:
    """The ``data`` of an autocomplete result (callback type 8)."""
    problems: list[Problem] = []
    choices = data.get("choices") or []
    _too_many(problems, ("data", "choices"), choices, CHOICES_MAX)
    for index, choice in enumerate(choices):
        at: Path = ("data", "choices", index)
        _length_between(problems, (*at, "name"), choice.get("name"), 1, CHOICE_NAME_MAX)
        value = choice.get("value")
        if isinstance(value, str):
            _max_length(problems, (*at, "value"), value, CHOICE_STRING_VALUE_MAX)
    return problems


def validate_modal(data: Mapping[str, Any]) -> list[Problem]:
    """The ``data`` of a modal response (callback type 9)."""
    problems: list[Problem] = []
    _length_between(problems, ("data", "title"), data.get("title"), 1, MODAL_TITLE_MAX)
    _length_between(problems, ("data", "custom_id"), data.get("custom_id"), 1, CUSTOM_ID_MAX)
    components = data.get("components") or []
    if not 1 <= len(components) <= MODAL_COMPONENTS_MAX:
        problems.append(
            Problem(
                ("data", "components"),
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {MODAL_COMPONENTS_MAX} in length.",
            )
        )

    def visit(at: Path, component: JSON) -> None:
        if component.get("type") == 4:
            _length_between(
                problems, (*at, "custom_id"), component.get("custom_id"), 1, CUSTOM_ID_MAX
            )
            _max_length(problems, (*at, "label"), component.get("label"), TEXT_INPUT_LABEL_MAX)
            _max_length(problems, (*at, "value"), component.get("value"), TEXT_INPUT_VALUE_MAX)
            _max_length(problems, (*at, "placeholder"), component.get("placeholder"), 100)
        elif component.get("type") == 18:
            _max_length(problems, (*at, "label"), component.get("label"), TEXT_INPUT_LABEL_MAX)
        for index, child in enumerate(component.get("components") or []):
            visit((*at, "components", index), child)
        if isinstance(component.get("component"), dict):
            visit((*at, "component"), component["component"])

    for index, component in enumerate(components):
        visit(("data", "components", index), component)
    return problems


def _valid_name(name: Any, *, lowercase: bool) -> bool:
    """``^[-_\\p{L}\\p{N}]{1,32}$``; chat-input names must also be lowercase where a case exists."""
    if not isinstance(name, str) or not 1 <= len(name) <= COMMAND_NAME_MAX:
        return False
    if not all(ch.isalnum() or ch in "-_" for ch in name):
        return False
    return not lowercase or name == name.lower()


def _validate_options(problems: list[Problem], at: Path, options: Sequence[JSON]) -> None:
    _too_many(problems, at, options, COMMAND_OPTIONS_MAX)
    seen_optional = False
    names: set[str] = set()
    for index, option in enumerate(options):
        o_at: Path = (*at, index)
        name = option.get("name")
        if not _valid_name(name, lowercase=True):
            problems.append(
                Problem(
                    (*o_at, "name"),
                    "APPLICATION_COMMAND_INVALID_NAME",
                    f"Command name is invalid: {name!r}",
                )
            )
        if isinstance(name, str):
            if name in names:
                problems.append(
                    Problem(
                        (*o_at, "name"),
                        "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                        "Option names must be unique",
                    )
                )
            names.add(name)
        _length_between(
            problems, (*o_at, "description"), option.get("description"), 1, COMMAND_DESCRIPTION_MAX
        )
        kind = option.get("type")
        if kind in (SUBCOMMAND, SUBCOMMAND_GROUP):
            _validate_options(problems, (*o_at, "options"), option.get("options") or [])
            continue
        if option.get("required"):
            if seen_optional:
                problems.append(
                    Problem(
                        (*o_at, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                )
        else:
            seen_optional = True
        choices = option.get("choices") or []
        _too_many(problems, (*o_at, "choices"), choices, CHOICES_MAX)
        if choices and option.get("autocomplete"):
            problems.append(
                Problem(
                    (*o_at, "autocomplete"),
                    "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES",
                    "Autocomplete cannot be set with choices",
                )
            )
        for c_index, choice in enumerate(choices):
            c_at: Path = (*o_at, "choices", c_index)
            _length_between(problems, (*c_at, "name"), choice.get("name"), 1, CHOICE_NAME_MAX)
            _max_length(problems, (*c_at, "value"), choice.get("value"), CHOICE_STRING_VALUE_MAX)


def validate_application_command(command: Mapping[str, Any], path: Path = ()) -> list[Problem]:
    """One command definition (``POST``/``PATCH``, or one element of a bulk ``PUT``)."""
    problems: list[Problem] = []
    kind = command.get("type", 1)
    chat_input = kind == 1
    name = command.get("name")
    if not (
        _valid_name(name, lowercase=True)
        if chat_input
        else isinstance(name, str) and 1 <= len(name) <= COMMAND_NAME_MAX
    ):
        problems.append(
            Problem(
                (*path, "name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {name!r}",
            )
        )
    if chat_input:
        _length_between(
            problems,
            (*path, "description"),
            command.get("description"),
            1,
            COMMAND_DESCRIPTION_MAX,
        )
        _validate_options(problems, (*path, "options"), command.get("options") or [])
    elif command.get("description") or command.get("options"):
        problems.append(
            Problem(
                (*path, "description"),
                "APPLICATION_COMMAND_CONTEXT_MENU_FIELDS",
                "Context menu commands cannot have a description or options",
            )
        )
    return problems


def validate_application_commands(commands: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """A bulk overwrite: every command, unique (type, name) pairs, at most 100 per type."""
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    per_type: dict[int, int] = {}
    for index, command in enumerate(commands):
        problems.extend(validate_application_command(command, (index,)))
        key = (int(command.get("type", 1)), str(command.get("name")))
        if key in seen:
            problems.append(
                Problem(
                    (index, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {key[1]!r}",
                )
            )
        seen.add(key)
        per_type[key[0]] = per_type.get(key[0], 0) + 1
    for kind, count in per_type.items():
        if count > COMMANDS_PER_SCOPE_MAX:
            problems.append(
                Problem(
                    (),
                    "BASE_TYPE_MAX_LENGTH",
                    f"At most {COMMANDS_PER_SCOPE_MAX} commands of type {kind}, got {count}",
                )
            )
    return problems
