"""Embed limits (docs: resources/message#embed-object-embed-limits).

"Leading and trailing whitespace characters are not included (they are trimmed automatically)":
every length, and the 6,000-character total, is measured on the trimmed text, so a field
name or value of only whitespace is empty, and empty is rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import Path, Problems

__all__ = ["validate_embeds"]

EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_FIELDS_MAX = 25
COLOR_MAX = 0xFFFFFF
TEXT_LIMITS = {"title": 256, "description": 4096}
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_TEXT_MAX = 2048
AUTHOR_NAME_MAX = 256


def _trimmed_length(value: Any) -> int:
    return len(value.strip()) if isinstance(value, str) else 0


def _text_length(embed: Mapping[str, Any]) -> int:
    """What counts towards the 6,000 total: title, description, field names and values, footer
    text and author name, each trimmed."""
    total = _trimmed_length(embed.get("title")) + _trimmed_length(embed.get("description"))
    for key, inner in (("footer", "text"), ("author", "name")):
        part = embed.get(key)
        if isinstance(part, Mapping):
            total += _trimmed_length(part.get(inner))
    fields = embed.get("fields")
    for item in fields if isinstance(fields, list) else []:
        if isinstance(item, Mapping):
            total += _trimmed_length(item.get("name")) + _trimmed_length(item.get("value"))
    return total


def _validate_embed(problems: Problems, at: Path, embed: Mapping[str, Any]) -> None:
    for key, limit in TEXT_LIMITS.items():
        problems.max_length((*at, key), embed.get(key), limit, trim=True)
    problems.integer((*at, "color"), embed.get("color"), 0, COLOR_MAX)
    for key in ("url", "timestamp"):
        problems.string((*at, key), embed.get(key))
    footer = problems.obj((*at, "footer"), embed.get("footer"))
    if footer is not None:
        problems.max_length((*at, "footer", "text"), footer.get("text"), FOOTER_TEXT_MAX, trim=True)
    author = problems.obj((*at, "author"), embed.get("author"))
    if author is not None:
        problems.max_length((*at, "author", "name"), author.get("name"), AUTHOR_NAME_MAX, trim=True)
    for key in ("image", "thumbnail"):
        media = problems.obj((*at, key), embed.get(key))
        if media is not None:
            problems.string((*at, key, "url"), media.get("url"))
    fields = problems.objects((*at, "fields"), embed.get("fields"))
    problems.too_many((*at, "fields"), [f for _, f in fields], EMBED_FIELDS_MAX)
    for f_at, item in fields:
        problems.length_between((*f_at, "name"), item.get("name"), 1, FIELD_NAME_MAX, trim=True)
        problems.length_between((*f_at, "value"), item.get("value"), 1, FIELD_VALUE_MAX, trim=True)
        problems.boolean((*f_at, "inline"), item.get("inline"))


def validate_embeds(problems: Problems, value: Any) -> None:
    """The ``embeds`` array of a message body."""
    embeds = problems.objects(("embeds",), value)
    problems.too_many(("embeds",), [e for _, e in embeds], EMBEDS_MAX)
    for at, embed in embeds:
        _validate_embed(problems, at, embed)
    total = sum(_text_length(e) for _, e in embeds)
    if total > EMBED_TOTAL_MAX:
        problems.add(
            ("embeds",),
            "BASE_TYPE_MAX_LENGTH",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} (got {total})",
        )
