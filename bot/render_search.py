"""Discord rendering of a /quote search: the footer that keeps it, filter words, choices."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.render import safe
from bot.textutil import one_line, truncate

SEARCH_MARK = " · search: "
SPEAKER_MARK = " · by: "
INTERVIEW_MARK = " · in: "


@dataclass(frozen=True, slots=True)
class Search:
    """A /quote search as the footer of its reply keeps it (for Another match)."""

    query: str
    speaker: str | None = None
    interview: str | None = None  # the interview's title


def match_footer(rank: int, search: Search) -> str:
    text = f"Match {rank + 1}{SEARCH_MARK}{one_line(search.query)}"
    if search.speaker:
        text += f"{SPEAKER_MARK}{one_line(search.speaker)}"
    if search.interview:
        text += f"{INTERVIEW_MARK}{one_line(search.interview)}"
    return text


def search_from(message: discord.Message | None) -> Search | None:
    if message is None or not message.embeds or not message.embeds[0].footer.text:
        return None
    text = message.embeds[0].footer.text
    if SEARCH_MARK not in text:
        return None
    rest = text.split(SEARCH_MARK, 1)[1]
    rest, _, interview = rest.partition(INTERVIEW_MARK)
    query, _, speaker = rest.partition(SPEAKER_MARK)
    return Search(query, speaker or None, interview or None)


def count_label(name: str, count: int) -> str:
    """An autocomplete choice's name: `name (N quotes)`, the count kept whole within 100."""
    suffix = f" ({count} quote{'s' if count != 1 else ''})"
    return truncate(one_line(name), 100 - len(suffix)) + suffix


def filter_words(search: Search) -> str:
    """` by X in “Y”` for a no-match message."""
    words = ""
    if search.speaker:
        words += f" by {safe(search.speaker, 100)}"
    if search.interview:
        words += f" in “{safe(search.interview, 150)}”"
    return words
