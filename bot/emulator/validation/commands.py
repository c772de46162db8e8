"""Application command definitions (docs: interactions/application-commands).

Rules and where they come from (application-commands.mdx unless noted):

- names: see :func:`~.common.valid_name`; ``name_localizations`` values follow the same rules,
  ``description_localizations`` values the description's 1–100.
- option ``type`` is one of 1–11; a level holds either only subcommands/groups or only plain
  options; a group holds only subcommands; a subcommand holds only plain options.
- ``min_length`` 0–6000 and ``max_length`` 1–6000, for ``STRING`` options.
- ``autocomplete`` only on ``STRING``, ``INTEGER`` and ``NUMBER``, and never with ``choices``.
- ``choices`` only on those three types; the value's type is the option's (a string of at most
  100 characters, an integer, a number).
- "a maximum of 8000 characters for combined name, description, and value properties for each
  command, its options (including subcommands and groups), and choices. When localization
  fields are present, only the longest localization for each field (including the default
  value) is counted".
- ``default_member_permissions``: ``?string`` (a permission bit set as decimal digits, or an
  integer, which Discord coerces);
  ``dm_permission``, ``nsfw``: boolean; ``integration_types``: a non-empty set of 0 (guild
  install) and 1 (user install); ``contexts``: a non-empty set of 0 (guild), 1 (bot DM),
  2 (private channel).
- per scope: 100 ``CHAT_INPUT``, 15 ``USER``, 15 ``MESSAGE``, 1 ``PRIMARY_ENTRY_POINT``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import Path, Problem, Problems, is_int, is_snowflake, valid_name

__all__ = ["validate_application_command", "validate_application_commands"]

DESCRIPTION_MAX = 100
OPTIONS_MAX = 25
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
STRING_LENGTH_MAX = 6000
COMMAND_TEXT_MAX = 8000
COMMANDS_PER_TYPE_MAX = {1: 100, 2: 15, 3: 15, 4: 1}

CHAT_INPUT = 1
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
STRING, INTEGER, NUMBER = 3, 4, 10
OPTION_TYPES = tuple(range(1, 12))
VALUE_TYPES = (STRING, INTEGER, NUMBER)
INTEGRATION_TYPES = (0, 1)
CONTEXTS = (0, 1, 2)


def _invalid_name(problems: Problems, path: Path, name: Any) -> None:
    problems.add(path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")


def _check_name(problems: Problems, path: Path, name: Any, *, chat_input: bool) -> None:
    if not valid_name(name, chat_input=chat_input):
        _invalid_name(problems, path, name)


def _localized(
    problems: Problems, at: Path, item: Mapping[str, Any], *, chat_input: bool, described: bool
) -> int:
    """Check ``name_localizations`` (and ``description_localizations`` if ``described``);
    return the characters the name and description count towards the 8,000 total."""

    def name_rule(path: Path, text: Any) -> None:
        _check_name(problems, path, text, chat_input=chat_input)

    def description_rule(path: Path, text: Any) -> None:
        problems.length_between(path, text, 1, DESCRIPTION_MAX)

    size = _longest(
        item.get("name"),
        problems.localizations(
            (*at, "name_localizations"), item.get("name_localizations"), name_rule
        ),
    )
    if described:
        size += _longest(
            item.get("description"),
            problems.localizations(
                (*at, "description_localizations"),
                item.get("description_localizations"),
                description_rule,
            ),
        )
    return size


def _longest(default: Any, localized: Mapping[str, str]) -> int:
    texts = [default, *localized.values()]
    return max((len(t) for t in texts if isinstance(t, str)), default=0)


def _validate_choices(problems: Problems, at: Path, option: Mapping[str, Any], kind: Any) -> int:
    choices = problems.objects((*at, "choices"), option.get("choices"))
    if not choices:
        return 0
    if kind not in VALUE_TYPES:
        problems.add(
            (*at, "choices"),
            "APPLICATION_COMMAND_OPTION_CHOICES_INVALID_TYPE",
            "Only string, integer and number options can have choices",
        )
    problems.too_many((*at, "choices"), choices, CHOICES_MAX)
    size = 0
    for c_at, choice in choices:
        problems.length_between((*c_at, "name"), choice.get("name"), 1, CHOICE_NAME_MAX)
        size += _longest(
            choice.get("name"),
            problems.localizations(
                (*c_at, "name_localizations"),
                choice.get("name_localizations"),
                lambda p, text: problems.length_between(p, text, 1, CHOICE_NAME_MAX),
            ),
        )
        value = choice.get("value")
        if kind == STRING:
            problems.length_between((*c_at, "value"), value, 1, CHOICE_STRING_VALUE_MAX)
        elif kind == INTEGER and not is_int(value):
            problems.add((*c_at, "value"), "NUMBER_TYPE_COERCE", f"Value {value!r} is not int.")
        elif kind == NUMBER and (not isinstance(value, int | float) or isinstance(value, bool)):
            problems.add(
                (*c_at, "value"), "NUMBER_TYPE_COERCE", f"Value {value!r} is not a number."
            )
        # The docs count "value properties"; a number counts as its decimal text.
        size += len(value) if isinstance(value, str) else len(str(value))
    return size


def _validate_plain_option(
    problems: Problems, at: Path, option: Mapping[str, Any], kind: Any
) -> int:
    problems.boolean((*at, "required"), option.get("required"))
    autocomplete = option.get("autocomplete")
    problems.boolean((*at, "autocomplete"), autocomplete)
    if autocomplete is True and kind not in VALUE_TYPES:
        problems.add(
            (*at, "autocomplete"),
            "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID_TYPE",
            "Only string, integer and number options can autocomplete",
        )
    if autocomplete is True and option.get("choices"):
        problems.add(
            (*at, "autocomplete"),
            "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES",
            "Autocomplete cannot be set with choices",
        )
    for key, low in (("min_length", 0), ("max_length", 1)):
        if option.get(key) is None:
            continue
        if kind != STRING:
            problems.add(
                (*at, key), "APPLICATION_COMMAND_OPTION_INVALID_FIELD", f"{key} is for strings only"
            )
        problems.integer((*at, key), option.get(key), low, STRING_LENGTH_MAX)
    return _validate_choices(problems, at, option, kind)


def _validate_options(problems: Problems, at: Path, value: Any, parent: int | None) -> int:
    """Options under a command (``parent`` None), a group or a subcommand; returns their size."""
    options = problems.objects(at, value)
    problems.too_many(at, options, OPTIONS_MAX)
    kinds = [o.get("type") for _, o in options]
    nested = [k in (SUBCOMMAND, SUBCOMMAND_GROUP) for k in kinds]
    if parent == SUBCOMMAND_GROUP and not all(k == SUBCOMMAND for k in kinds):
        problems.add(
            at, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "A group holds only subcommands"
        )
    elif parent == SUBCOMMAND and any(nested):
        problems.add(
            at, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Subcommands cannot be nested here"
        )
    elif parent is None and any(nested) and not all(nested):
        problems.add(
            at,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Subcommands and groups cannot be mixed with other options",
        )
    seen_optional = False
    names: set[str] = set()
    size = 0
    for o_at, option in options:
        name = option.get("name")
        _check_name(problems, (*o_at, "name"), name, chat_input=True)
        if isinstance(name, str):
            if name in names:
                problems.add(
                    (*o_at, "name"),
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    "Option names must be unique",
                )
            names.add(name)
        problems.length_between(
            (*o_at, "description"), option.get("description"), 1, DESCRIPTION_MAX
        )
        size += _localized(problems, o_at, option, chat_input=True, described=True)
        kind = option.get("type")
        problems.choice((*o_at, "type"), kind, OPTION_TYPES)
        if kind in (SUBCOMMAND, SUBCOMMAND_GROUP):
            size += _validate_options(problems, (*o_at, "options"), option.get("options"), kind)
            continue
        if option.get("required") is True:
            if seen_optional:
                problems.add(
                    (*o_at, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        size += _validate_plain_option(problems, o_at, option, kind)
    return size


def _validate_command_fields(problems: Problems, path: Path, command: Mapping[str, Any]) -> None:
    # The spec types it ``?string``; Discord also takes a JSON integer (discord.py sends one),
    # so either form of a non-negative permission bit set passes, and nothing else.
    permissions = command.get("default_member_permissions")
    if permissions is not None and not is_snowflake(permissions):
        problems.add(
            (*path, "default_member_permissions"),
            "NUMBER_TYPE_COERCE",
            f"Value {permissions!r} is not a permission bit set (a string of digits).",
        )
    for key in ("dm_permission", "nsfw", "default_permission"):
        problems.boolean((*path, key), command.get(key))
    problems.enum_set(
        (*path, "integration_types"), command.get("integration_types"), INTEGRATION_TYPES
    )
    problems.enum_set((*path, "contexts"), command.get("contexts"), CONTEXTS)


def _problems_of_command(problems: Problems, command: Mapping[str, Any], path: Path) -> None:
    kind = command.get("type", CHAT_INPUT)
    problems.choice((*path, "type"), kind, tuple(COMMANDS_PER_TYPE_MAX))
    chat_input = kind == CHAT_INPUT
    _check_name(problems, (*path, "name"), command.get("name"), chat_input=chat_input)
    _validate_command_fields(problems, path, command)
    if not chat_input:
        _localized(problems, path, command, chat_input=False, described=False)
        if command.get("description") or command.get("options"):
            problems.add(
                (*path, "description"),
                "APPLICATION_COMMAND_CONTEXT_MENU_FIELDS",
                "Context menu commands cannot have a description or options",
            )
        return
    problems.length_between((*path, "description"), command.get("description"), 1, DESCRIPTION_MAX)
    size = _localized(problems, path, command, chat_input=True, described=True)
    size += _validate_options(problems, (*path, "options"), command.get("options"), None)
    if size > COMMAND_TEXT_MAX:
        problems.add(
            path,
            "APPLICATION_COMMAND_TOO_LARGE",
            f"Command exceeds maximum size ({COMMAND_TEXT_MAX}), got {size}",
        )


def validate_application_command(command: Any, path: Path = ()) -> list[Problem]:
    """One command definition (``POST``/``PATCH``, or one element of a bulk ``PUT``)."""
    problems = Problems()
    checked = problems.obj(path, command, required=True)
    if checked is not None:
        _problems_of_command(problems, checked, path)
    return list(problems)


def validate_application_commands(commands: Any) -> list[Problem]:
    """A bulk overwrite: a list of commands, unique (type, name) pairs, capped per type."""
    problems = Problems()
    items = problems.objects((), commands, required=True)
    seen: set[tuple[Any, str]] = set()
    per_type: dict[Any, int] = {}
    for at, command in items:
        _problems_of_command(problems, command, at)
        kind = command.get("type", CHAT_INPUT)
        key = (kind if is_int(kind) else repr(kind), str(command.get("name")))
        if key in seen:
            problems.add(
                (*at, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {key[1]!r}",
            )
        seen.add(key)
        if is_int(kind):
            per_type[kind] = per_type.get(kind, 0) + 1
    for kind, count in per_type.items():
        limit = COMMANDS_PER_TYPE_MAX.get(kind)
        if limit is not None and count > limit:
            problems.add(
                (),
                "BASE_TYPE_MAX_LENGTH",
                f"At most {limit} commands of type {kind}, got {count}",
            )
    return list(problems)
