"""The parser's error, stable ids and the checks every file passes before parsing."""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["TranscriptError", "line_count", "normalise", "passage_id", "slugify"]


class TranscriptError(Exception):
    """A transcript that cannot be parsed; `line` is 1-based, None when no line applies."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


def slugify(name: str) -> str:
    """Lower-case, accent-free, hyphen-separated form of `name` ("Café_Talk 2" -> "cafe-talk-2")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    chars = [ch if ch.isalnum() else "-" for ch in folded if not unicodedata.combining(ch)]
    slug = re.sub(r"-{2,}", "-", "".join(chars)).strip("-")
    if slug:
        return slug
    if not name.strip():
        return "untitled"
    return "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def passage_id(interview_id: str, text: str, occurrence: int = 0) -> str:
    """Stable 12-hex id from the interview and the passage's whitespace-normalised text.

    `occurrence` tells apart identical texts in one interview (0 for the first).
    """
    key = f"{interview_id}\0{normalise(text)}"
    if occurrence > 0:
        key += f"\0{occurrence}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BINARY_RATIO = 50  # more than one control character per 50 characters is binary


def line_count(text: str) -> int:
    return text.count("\n") + 1


def check_text(text: str, source: str) -> None:
    nul = text.find("\0")
    if nul >= 0:
        raise TranscriptError(source, line_count(text[:nul]), "binary file (NUL byte)")
    first = _CONTROL.search(text)
    if first and len(_CONTROL.findall(text)) * _BINARY_RATIO > len(text):
        raise TranscriptError(
            source, line_count(text[: first.start()]), "binary file (control characters)"
        )
    if not text.strip():
        raise TranscriptError(source, 1, "empty transcript")
