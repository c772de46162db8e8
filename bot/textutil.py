"""Text-shaping rules shared by every renderer: clean truncation and mention safety."""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"
_ZERO_WIDTH = "\u200b"
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")


def truncate(text: str, limit: int) -> str:
    """Shorten `text` to at most `limit` characters, cutting at a word and adding an ellipsis.

    Text that fits is returned unchanged. A single word longer than the limit is cut
    mid-word rather than dropped.
    """
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return ELLIPSIS
    head = text[: limit - 1]
    cut = head.rstrip()
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= max(1, (limit - 1) // 2):
        cut = cut[:space]
    cut = cut.rstrip(" ,;:–—-\n")
    return (cut or head) + ELLIPSIS


def defuse_mentions(text: str) -> str:
    """Make @everyone/@here and raw user/role/channel mentions inert in displayed text.

    allowed_mentions already stops pings; this also stops them *looking* like pings.
    """
    return _MENTION.sub(lambda m: m.group(0)[0] + _ZERO_WIDTH + m.group(0)[1:], text)


def one_line(text: str) -> str:
    return " ".join(text.split())


def paginate(text: str, size: int) -> list[str]:
    """Split `text` into pages of at most `size` characters.

    Cuts prefer paragraph breaks, then sentence ends, then spaces; a page is never empty
    and no character other than the whitespace at a cut is lost.
    """
    if size <= 0:
        raise ValueError("page size must be positive")
    text = text.strip()
    pages: list[str] = []
    while len(text) > size:
        window = text[: size + 1]
        cut = -1
        for sep in ("\n\n", "\n", ". ", "? ", "! ", "” ", " "):
            pos = window.rfind(sep, 0, size)
            if pos >= size // 3:
                cut = pos + (len(sep.rstrip()) if sep.strip() else 0)
                break
        if cut <= 0:
            cut = size
        pages.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not pages:
        pages.append(text)
    return pages


_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def toml_string(value: str) -> str:
    """`value` as a TOML basic string (escapes quotes, backslashes and every control character)."""
    out = []
    for ch in value:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif unicodedata.category(ch) == "Cc":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
