"""The emulator's validators, called directly: each of Discord's rules, both sides of its edge.

Rules come from Discord's developer docs (interactions/application-commands, components/reference,
resources/message); see the module docstrings in ``bot/emulator/validation/``. The same checks
answered over HTTP are in ``test_emulator_http.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from longmode import budget

from bot.emulator.validation import (
    Problem,
    valid_name,
    validate_application_command,
    validate_application_commands,
    validate_autocomplete,
    validate_followup,
    validate_message,
    validate_modal,
)

JSON = dict[str, Any]


def where(problems: list[Problem]) -> set[str]:
    return {".".join(str(p) for p in problem.path) for problem in problems}


def option(name: str = "text", kind: int = 3, **extra: Any) -> JSON:
    return {"type": kind, "name": name, "description": "an option", **extra}


def command(*options: JSON, **extra: Any) -> JSON:
    return {"type": 1, "name": "cmd", "description": "a command", "options": list(options), **extra}


def with_field(path: tuple[str | int, ...], value: Any, base: JSON) -> JSON:
    """``base`` with ``value`` set at ``path`` (a deep copy)."""
    changed = copy.deepcopy(base)
    node: Any = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


# names


@pytest.mark.parametrize(
    "name",
    [
        "quote",
        "don't",  # apostrophes are in the pattern
        "x-y_z",
        "año",
        "日本語",
        "नमस्ते",  # Devanagari with virama and vowel signs (combining marks, not \p{L})
        "สวัสดี",  # Thai with combining vowel and tone marks
        "٣٤",  # Arabic-Indic digits are \p{N}
        "a" * 32,
    ],
)
def test_chat_input_names_discord_accepts(name: str) -> None:
    assert valid_name(name, chat_input=True)
    assert validate_application_command(command(option(name=name), name=name)) == []


@pytest.mark.parametrize(
    "name",
    [
        "",
        "a" * 33,
        "Quote",  # a letter with a lowercase variant must use it
        "ÉCOLE",
        "two words",
        "dot.",
        "semi;colon",
        "smile😀",
        "e\u0301",  # a combining accent is neither a letter nor Devanagari/Thai
        "\u0e3b",  # unassigned in the Thai block
        42,
        None,
    ],
)
def test_chat_input_names_discord_rejects(name: Any) -> None:
    assert not valid_name(name, chat_input=True)
    assert where(validate_application_command(command(name=name))) == {"name"}
    assert where(validate_application_command(command(option(name=name)))) == {"options.0.name"}


def test_context_menu_names_may_be_mixed_case_with_spaces() -> None:
    assert validate_application_command({"type": 2, "name": "Show Quote", "description": ""}) == []
    assert where(validate_application_command({"type": 3, "name": "x" * 33})) == {"name"}


def test_name_localizations_follow_the_name_rules() -> None:
    good = command(
        name_localizations={"hi": "नमस्ते", "fr": "citation"},
        description_localizations={"de": "Ein Befehl"},
    )
    assert validate_application_command(good) == []
    bad = command(
        option(name_localizations={"fr": "Mauvais Nom", "de": "x" * 33}),
        name_localizations={"xx": "cmd"},
        description_localizations={"de": "", "fr": "x" * 101},
    )
    assert where(validate_application_command(bad)) == {
        "name_localizations.xx",
        "description_localizations.de",
        "description_localizations.fr",
        "options.0.name_localizations.fr",
        "options.0.name_localizations.de",
    }
    assert where(validate_application_command(command(name_localizations=["cmd"]))) == {
        "name_localizations"
    }


# command-level fields


@pytest.mark.parametrize("key, allowed", [("contexts", (0, 1, 2)), ("integration_types", (0, 1))])
def test_contexts_and_integration_types(key: str, allowed: tuple[int, ...]) -> None:
    assert validate_application_command(command(**{key: list(allowed)})) == []
    assert validate_application_command(command(**{key: None})) == []
    assert where(validate_application_command(command(**{key: []}))) == {key}
    assert where(validate_application_command(command(**{key: [0, 0]}))) == {f"{key}.1"}
    assert where(validate_application_command(command(**{key: [len(allowed)]}))) == {f"{key}.0"}
    assert where(validate_application_command(command(**{key: ["0"]}))) == {f"{key}.0"}
    assert where(validate_application_command(command(**{key: 0}))) == {key}


@pytest.mark.parametrize("value", ["0", "8", "1099511627776", 32, None])
def test_default_member_permissions_accepted(value: Any) -> None:
    assert validate_application_command(command(default_member_permissions=value)) == []


@pytest.mark.parametrize("value", ["admin", "-1", "", "1.5", -1, True, 1.5, [8], {"a": 1}])
def test_default_member_permissions_rejected(value: Any) -> None:
    problems = validate_application_command(command(default_member_permissions=value))
    assert where(problems) == {"default_member_permissions"}


@pytest.mark.parametrize("key", ["dm_permission", "nsfw"])
def test_boolean_command_fields(key: str) -> None:
    for good in (True, False, None):
        assert validate_application_command(command(**{key: good})) == []
    for bad in ("true", 1, 0, []):
        assert where(validate_application_command(command(**{key: bad}))) == {key}


# options


@pytest.mark.parametrize("kind", [0, 12, -1, "3", 3.0, None, True])
def test_unknown_option_types_are_rejected(kind: Any) -> None:
    assert "options.0.type" in where(validate_application_command(command(option(kind=kind))))


def test_every_documented_option_type_is_accepted() -> None:
    plain = [option(name=f"o{kind}", kind=kind) for kind in range(3, 12)]
    assert validate_application_command(command(*plain)) == []


@pytest.mark.parametrize(
    "key, value, ok",
    [
        ("min_length", 0, True),
        ("min_length", 6000, True),
        ("min_length", -1, False),
        ("min_length", 6001, False),
        ("min_length", "5", False),
        ("max_length", 1, True),
        ("max_length", 6000, True),
        ("max_length", 0, False),
        ("max_length", 6001, False),
        ("max_length", 2.5, False),
    ],
)
def test_string_length_bounds(key: str, value: Any, ok: bool) -> None:
    problems = validate_application_command(command(option(**{key: value})))
    assert where(problems) == (set() if ok else {f"options.0.{key}"})


def test_length_bounds_are_for_string_options_only() -> None:
    problems = validate_application_command(command(option(kind=4, max_length=10)))
    assert where(problems) == {"options.0.max_length"}


@pytest.mark.parametrize("kind, ok", [(3, True), (4, True), (10, True), (5, False), (6, False)])
def test_autocomplete_only_on_strings_and_numbers(kind: int, ok: bool) -> None:
    problems = validate_application_command(command(option(kind=kind, autocomplete=True)))
    assert where(problems) == (set() if ok else {"options.0.autocomplete"})
    assert validate_application_command(command(option(kind=kind, autocomplete=False))) == []


def test_autocomplete_with_choices_is_rejected() -> None:
    opt = option(autocomplete=True, choices=[{"name": "a", "value": "a"}])
    assert where(validate_application_command(command(opt))) == {"options.0.autocomplete"}


@pytest.mark.parametrize(
    "kind, value, ok",
    [
        (3, "jazz", True),
        (3, 3, False),
        (3, "x" * 101, False),
        (4, 3, True),
        (4, "3", False),  # a string choice on an integer option
        (4, 2.5, False),
        (4, True, False),
        (10, 2.5, True),
        (10, 2, True),
        (10, "2.5", False),
    ],
)
def test_choice_value_type_follows_the_option(kind: int, value: Any, ok: bool) -> None:
    opt = option(kind=kind, choices=[{"name": "pick", "value": value}])
    problems = validate_application_command(command(opt))
    assert where(problems) == (set() if ok else {"options.0.choices.0.value"})


def test_choices_only_on_strings_and_numbers() -> None:
    opt = option(kind=5, choices=[{"name": "yes", "value": True}])
    assert "options.0.choices" in where(validate_application_command(command(opt)))


def subcommand(name: str, *options: JSON) -> JSON:
    return option(name=name, kind=1, options=list(options))


def group(name: str, *options: JSON) -> JSON:
    return option(name=name, kind=2, options=list(options))


def test_subcommands_and_groups_nest_as_discord_allows() -> None:
    good = command(subcommand("add", option()), group("admin", subcommand("sync")))
    assert validate_application_command(good) == []
    mixed = command(subcommand("add"), option(name="plain"))
    assert where(validate_application_command(mixed)) == {"options"}
    group_with_plain = command(group("admin", subcommand("sync"), option()))
    assert where(validate_application_command(group_with_plain)) == {"options.0.options"}
    nested_group = command(group("admin", group("deeper", subcommand("sync"))))
    assert where(validate_application_command(nested_group)) == {"options.0.options"}
    sub_in_sub = command(subcommand("add", subcommand("more")))
    assert where(validate_application_command(sub_in_sub)) == {"options.0.options"}


# the 8,000-character total


def sized_command(choice_text: int, choices: int, options: int) -> JSON:
    """``options`` options of ``choices`` choices, each with name and value ``choice_text``."""
    return command(
        *[
            option(
                name=f"o{i}",
                choices=[
                    {"name": f"{c:03}".ljust(choice_text, "n"), "value": "v" * choice_text}
                    for c in range(choices)
                ],
            )
            for i in range(options)
        ]
    )


def command_size(cmd: JSON) -> int:
    """Characters counted by hand: names, descriptions, choice names and values."""
    size = len(cmd["name"]) + len(cmd["description"])
    for opt in cmd["options"]:
        size += len(opt["name"]) + len(opt["description"])
        size += sum(len(c["name"]) + len(c["value"]) for c in opt.get("choices", []))
    return size


def test_command_total_size_limit() -> None:
    under = sized_command(choice_text=100, choices=25, options=1)  # one option: ~5,000
    assert command_size(under) < 8000 and validate_application_command(under) == []
    over = sized_command(choice_text=100, choices=25, options=2)  # two: ~10,000
    assert command_size(over) > 8000
    assert where(validate_application_command(over)) == {""}


def test_command_size_counts_the_longest_localisation_only() -> None:
    base = sized_command(choice_text=99, choices=20, options=2)  # 7,954: 46 to spare
    room = 8000 - command_size(base)
    assert 0 < room < 100
    # localisations no longer than the default add nothing, however many there are
    same = with_field(
        ("description_localizations",), {loc: "x" * 9 for loc in ("de", "fr", "ja")}, base
    )
    assert validate_application_command(same) == []
    # a longer one counts its extra characters once
    fits = with_field(("description_localizations",), {"de": "d" * (9 + room)}, base)
    assert validate_application_command(fits) == []
    too_long = with_field(("description_localizations",), {"de": "d" * (10 + room)}, base)
    assert where(validate_application_command(too_long)) == {""}
    choice_loc = with_field(
        ("options", 0, "choices", 0, "name_localizations"), {"fr": "c" * 99}, base
    )
    assert validate_application_command(choice_loc) == []  # same length as the default


# how many commands a scope holds


@pytest.mark.parametrize("kind, limit", [(1, 100), (2, 15), (3, 15)])
def test_commands_per_type(kind: int, limit: int) -> None:
    def commands(n: int) -> list[JSON]:
        if kind == 1:
            return [command(name=f"c{i}") for i in range(n)]
        return [{"type": kind, "name": f"Menu {i}"} for i in range(n)]

    assert validate_application_commands(commands(limit)) == []
    assert where(validate_application_commands(commands(limit + 1))) == {""}
    mixed = [*commands(limit), {"type": 1 if kind != 1 else 2, "name": "other", "description": ""}]
    if kind != 1:
        mixed[-1]["description"] = "the other type"
    assert validate_application_commands(mixed) == []


# buttons


def button(**fields: Any) -> JSON:
    return {"components": [{"type": 1, "components": [{"type": 2, **fields}]}]}


BUTTON_AT = "components.0.components.0"


@pytest.mark.parametrize(
    "fields",
    [
        {"style": 1, "custom_id": "b", "label": "Go"},
        {"style": 4, "custom_id": "b", "emoji": {"name": "🔥"}},  # an emoji alone is enough
        {"style": 5, "url": "https://example.com", "label": "Docs"},
        {"style": 6, "sku_id": "1234567890"},
    ],
)
def test_buttons_discord_accepts(fields: JSON) -> None:
    assert validate_message(button(**fields)) == []


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"style": 0, "custom_id": "b", "label": "Go"}, "style"),
        ({"style": 7, "custom_id": "b", "label": "Go"}, "style"),
        ({"style": "1", "custom_id": "b", "label": "Go"}, "style"),
        ({"style": 1, "custom_id": "b"}, "label"),  # neither label nor emoji
        ({"style": 1, "custom_id": "b", "label": ""}, "label"),
        ({"style": 5, "label": "Docs"}, "url"),  # link without url
        (
            {"style": 5, "url": "https://example.com", "label": "Docs", "custom_id": "b"},
            "custom_id",
        ),
        ({"style": 2, "custom_id": "b", "label": "Go", "url": "https://example.com"}, "url"),
        ({"style": 1, "custom_id": "b", "label": "Go", "sku_id": "1"}, "sku_id"),
        ({"style": 6}, "sku_id"),  # premium without sku
        ({"style": 6, "sku_id": "1", "label": "Buy"}, "label"),
        ({"style": 1, "label": "Go"}, "custom_id"),
    ],
)
def test_buttons_discord_rejects(fields: JSON, field: str) -> None:
    assert where(validate_message(button(**fields))) == {f"{BUTTON_AT}.{field}"}


@pytest.mark.parametrize(
    "key, value, ok",
    [
        ("max_values", 0, False),
        ("max_values", 1, True),
        ("max_values", 26, False),
        ("min_values", 0, True),
        ("min_values", -1, False),
        ("max_values", "2", False),
    ],
)
def test_select_value_counts(key: str, value: Any, ok: bool) -> None:
    select = {
        "type": 3,
        "custom_id": "s",
        "options": [{"label": "a", "value": "a"}],
        key: value,
    }
    problems = validate_message({"components": [{"type": 1, "components": [select]}]})
    assert where(problems) == (set() if ok else {f"{BUTTON_AT}.{key}"})


# embeds


@pytest.mark.parametrize(
    "color, ok",
    [(0, True), (0xFFFFFF, True), (0x1000000, False), (-1, False), ("red", False), (1.5, False)],
)
def test_embed_color(color: Any, ok: bool) -> None:
    problems = validate_message({"embeds": [{"title": "t", "color": color}]})
    assert where(problems) == (set() if ok else {"embeds.0.color"})


@pytest.mark.parametrize("key", ["name", "value"])
@pytest.mark.parametrize("blank", ["", " ", "\n\t ", "\u3000"])
def test_whitespace_only_field_text_is_empty(key: str, blank: str) -> None:
    item = {"name": "n", "value": "v", key: blank}
    problems = validate_message({"embeds": [{"fields": [item]}]})
    assert where(problems) == {f"embeds.0.fields.0.{key}"}


def test_embed_lengths_are_counted_after_trimming() -> None:
    padded = {
        "title": "  " + "t" * 256 + "\n",
        "description": "\n" + "d" * 4096 + "   ",
        "fields": [{"name": " " + "n" * 256 + " ", "value": "\t" + "v" * 1024 + "\n"}],
        "footer": {"text": " " * 50 + "f" * 200},
    }
    assert validate_message({"embeds": [padded]}) == []
    longer = with_field(("title",), "  " + "t" * 257, padded)
    assert where(validate_message({"embeds": [longer]})) == {"embeds.0.title"}


def test_embed_total_counts_trimmed_text() -> None:
    # two embeds of 3,000 visible characters each, padded with whitespace: exactly 6,000
    embeds = [{"description": "   " + "d" * 3000 + "   "} for _ in range(2)]
    assert validate_message({"embeds": embeds}) == []
    embeds[1]["title"] = " x "
    assert where(validate_message({"embeds": embeds})) == {"embeds"}


@pytest.mark.parametrize("embeds", [{"title": "x"}, "x", 3, [["x"]], ["x"], [None]])
def test_malformed_embeds_are_problems_not_crashes(embeds: Any) -> None:
    problems = validate_message({"content": "hi", "embeds": embeds})
    assert problems and all(p.path[0] == "embeds" for p in problems)


# the rest of a message


@pytest.mark.parametrize(
    "nonce, ok", [("x" * 25, True), ("x" * 26, False), (12345, True), (1.5, False), (["n"], False)]
)
def test_nonce(nonce: Any, ok: bool) -> None:
    problems = validate_message({"content": "hi", "nonce": nonce})
    assert where(problems) == (set() if ok else {"nonce"})


@pytest.mark.parametrize("kind", ["users", "roles"])
def test_allowed_mentions_hold_at_most_100_ids(kind: str) -> None:
    ids = [str(10**17 + i) for i in range(101)]
    fine = {"content": "hi", "allowed_mentions": {"parse": [], kind: ids[:100]}}
    assert validate_message(fine) == []
    too_many = {"content": "hi", "allowed_mentions": {"parse": [], kind: ids}}
    assert where(validate_message(too_many)) == {f"allowed_mentions.{kind}"}
    not_ids = {"content": "hi", "allowed_mentions": {kind: ["me"]}}
    assert where(validate_message(not_ids)) == {f"allowed_mentions.{kind}.0"}


def test_at_most_ten_attachments() -> None:
    listed = [{"id": i, "filename": f"{i}.txt"} for i in range(11)]
    assert validate_message({"attachments": listed[:10]}) == []
    assert where(validate_message({"attachments": listed})) == {"attachments"}
    assert validate_message({"content": "files"}, uploads=10) == []
    assert where(validate_message({"content": "files"}, uploads=11)) == {"attachments"}


def test_followups_cannot_set_username_or_avatar() -> None:
    assert validate_followup({"content": "hi"}) == []
    problems = validate_followup(
        {"content": "hi", "username": "someone else", "avatar_url": "https://example.com/a.png"}
    )
    assert where(problems) == {"username", "avatar_url"}
    assert validate_message({"content": "hi", "username": "fine on a plain webhook"}) == []


def test_empty_message_is_still_rejected() -> None:
    [problem] = validate_message({"content": "", "embeds": []})
    assert problem.code == "50006"
    assert validate_message({"content": ""}, require_body=False) == []


# any shape of input: problems, never exceptions

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
MESSAGE_KEYS = [
    "content",
    "embeds",
    "components",
    "allowed_mentions",
    "nonce",
    "flags",
    "attachments",
    "message_reference",
    "tts",
    "sticker_ids",
    "poll",
]
COMMAND_KEYS = [
    "type",
    "name",
    "description",
    "options",
    "name_localizations",
    "description_localizations",
    "default_member_permissions",
    "dm_permission",
    "contexts",
    "integration_types",
    "nsfw",
]


def shaped(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the real field names and values of any JSON type (more reach than random
    keys, which the validators would mostly ignore)."""
    return st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys))


VALIDATORS: list[tuple[str, Callable[[Any], list[Problem]]]] = [
    ("message", validate_message),
    ("followup", validate_followup),
]


@settings(max_examples=budget(100, 1000), deadline=None)
@given(payload=shaped(MESSAGE_KEYS), inner=json_values)
def test_any_message_shape_gives_problems_not_exceptions(payload: JSON, inner: Any) -> None:
    for _, validate in VALIDATORS:
        assert all(isinstance(p, Problem) for p in validate(payload))
    for key in ("embeds", "components"):  # one level deeper: objects inside the lists
        nested = {**payload, key: [inner, {"type": 1, "components": [inner]}]}
        assert all(isinstance(p, Problem) for p in validate_message(nested))
    assert all(isinstance(p, Problem) for p in validate_autocomplete(inner))
    assert all(isinstance(p, Problem) for p in validate_modal(inner))
    assert all(isinstance(p, Problem) for p in validate_autocomplete({"choices": [inner]}))
    assert all(isinstance(p, Problem) for p in validate_modal({"components": [inner]}))


@settings(max_examples=budget(100, 1000), deadline=None)
@given(
    cmd=shaped(COMMAND_KEYS),
    opt=shaped(
        [
            "type",
            "name",
            "description",
            "options",
            "choices",
            "required",
            "autocomplete",
            "min_length",
            "max_length",
            "name_localizations",
        ]
    ),
)
def test_any_command_shape_gives_problems_not_exceptions(cmd: JSON, opt: JSON) -> None:
    full = {**cmd, "options": [opt, {"type": 2, "options": [opt]}]}
    for candidate in (cmd, full):
        assert all(isinstance(p, Problem) for p in validate_application_command(candidate))
        assert all(isinstance(p, Problem) for p in validate_application_commands([candidate]))
    assert validate_application_commands(cmd)  # an object where a list belongs
