"""Message bodies: channel messages, webhook follow-ups, interaction responses, autocomplete
results and modals (docs: resources/message#create-message, interactions/receiving-and-responding).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import Problem, Problems, is_int
from .components import CUSTOM_ID_MAX, validate_components, validate_modal_components
from .embeds import validate_embeds

__all__ = ["validate_autocomplete", "validate_followup", "validate_message", "validate_modal"]

CONTENT_MAX = 2000
NONCE_MAX = 25
MENTION_IDS_MAX = 100
ATTACHMENTS_MAX = 10
STICKERS_MAX = 3
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
MODAL_TITLE_MAX = 45
MENTION_KINDS = ("users", "roles", "everyone")
FOLLOWUP_UNSUPPORTED = ("username", "avatar_url", "thread_name")


def _validate_allowed_mentions(problems: Problems, value: Any) -> None:
    mentions = problems.obj(("allowed_mentions",), value)
    if mentions is None:
        return
    parse = problems.array(("allowed_mentions", "parse"), mentions.get("parse"))
    for index, kind in enumerate(parse):
        problems.choice(("allowed_mentions", "parse", index), kind, MENTION_KINDS)
    for kind in ("users", "roles"):
        # "Array of user/role ids to mention, max 100" (resources/message#allowed-mentions-object)
        problems.snowflakes(("allowed_mentions", kind), mentions.get(kind), MENTION_IDS_MAX)
        if kind in parse and mentions.get(kind):
            problems.add(
                ("allowed_mentions", "parse"),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
    problems.boolean(("allowed_mentions", "replied_user"), mentions.get("replied_user"))


def _validate_nonce(problems: Problems, nonce: Any) -> None:
    """``integer or string``; a string of at most 25 characters (create-message params)."""
    if nonce is None or is_int(nonce):
        return
    if not isinstance(nonce, str):
        problems.add(("nonce",), "BASE_TYPE_STRING", "Must be a string or an integer.")
    elif len(nonce) > NONCE_MAX:
        problems.add(("nonce",), "BASE_TYPE_MAX_LENGTH", f"Must be {NONCE_MAX} or fewer in length.")


def validate_message(
    payload: Mapping[str, Any], *, require_body: bool = True, uploads: int = 0
) -> list[Problem]:
    """A message create/edit body (channel messages, webhooks, interaction responses).

    ``require_body`` is false for edits, which may change a single field. ``uploads`` is the
    number of ``files[n]`` parts sent with it (at most 10 attachments per message).
    """
    problems = Problems()
    content = payload.get("content")
    problems.max_length(("content",), content, CONTENT_MAX)
    validate_embeds(problems, payload.get("embeds"))
    flags = problems.integer(("flags",), payload.get("flags"), 0) or 0
    validate_components(problems, payload.get("components"), flags)
    _validate_allowed_mentions(problems, payload.get("allowed_mentions"))
    _validate_nonce(problems, payload.get("nonce"))
    for key in ("tts", "enforce_nonce"):
        problems.boolean((key,), payload.get(key))
    problems.snowflakes(("sticker_ids",), payload.get("sticker_ids"), STICKERS_MAX)
    attachments = problems.objects(("attachments",), payload.get("attachments"))
    for at, attachment in attachments:
        problems.snowflake((*at, "id"), attachment.get("id"), required=True)
        problems.max_length((*at, "filename"), attachment.get("filename"), 1024)
        problems.max_length((*at, "description"), attachment.get("description"), 1024)
    if max(len(attachments), uploads) > ATTACHMENTS_MAX:
        problems.add(
            ("attachments",),
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {ATTACHMENTS_MAX} or fewer in length.",
        )
    reference = problems.obj(("message_reference",), payload.get("message_reference"))
    if reference is not None:
        problems.snowflake(("message_reference", "message_id"), reference.get("message_id"))
        problems.boolean(
            ("message_reference", "fail_if_not_exists"), reference.get("fail_if_not_exists")
        )
    if (
        require_body
        and not problems
        and not (
            content
            or payload.get("embeds")
            or payload.get("components")
            or payload.get("attachments")
            or uploads
            or payload.get("sticker_ids")
            or payload.get("poll")
        )
    ):
        problems.add((), "50006", "Cannot send an empty message")
    return list(problems)


def validate_followup(payload: Mapping[str, Any], *, uploads: int = 0) -> list[Problem]:
    """A follow-up (execute webhook on an interaction token): a message, but "the thread_id,
    avatar_url, and username parameters are not supported" (receiving-and-responding#create-
    followup-message); ``thread_name`` creates a forum post, which a follow-up cannot."""
    problems = validate_message(payload, uploads=uploads)
    for key in FOLLOWUP_UNSUPPORTED:
        if key in payload:
            problems.append(
                Problem(
                    (key,),
                    "INTERACTION_FOLLOWUP_FIELD_UNSUPPORTED",
                    f"{key} is not supported for interaction follow-ups",
                )
            )
    return problems


def validate_autocomplete(data: Any) -> list[Problem]:
    """The ``data`` of an autocomplete result (callback type 8)."""
    problems = Problems()
    body = problems.obj(("data",), data, required=True)
    if body is None:
        return list(problems)
    choices = problems.objects(("data", "choices"), body.get("choices"))
    problems.too_many(("data", "choices"), choices, CHOICES_MAX)
    for at, choice in choices:
        problems.length_between((*at, "name"), choice.get("name"), 1, CHOICE_NAME_MAX)
        value = choice.get("value")
        if isinstance(value, str):
            problems.max_length((*at, "value"), value, CHOICE_STRING_VALUE_MAX)
        elif not isinstance(value, int | float) or isinstance(value, bool):
            problems.add(
                (*at, "value"), "BASE_TYPE_CHOICES", "Must be a string, an integer or a number."
            )
        problems.localizations(
            (*at, "name_localizations"),
            choice.get("name_localizations"),
            lambda p, text: problems.length_between(p, text, 1, CHOICE_NAME_MAX),
        )
    return list(problems)


def validate_modal(data: Any) -> list[Problem]:
    """The ``data`` of a modal response (callback type 9)."""
    problems = Problems()
    body = problems.obj(("data",), data, required=True)
    if body is None:
        return list(problems)
    problems.length_between(("data", "title"), body.get("title"), 1, MODAL_TITLE_MAX)
    problems.length_between(("data", "custom_id"), body.get("custom_id"), 1, CUSTOM_ID_MAX)
    validate_modal_components(problems, body.get("components"))
    return list(problems)
