"""The fonts a quote card is set in, and which of them draws each character.

Pillow draws a string with one font; a quote may mix scripts and emoji. A :class:`FontChain`
is an ordered list of font files: each letter goes to the first font that has it (Noto Serif
first), and spaces, punctuation, digits, combining marks, variation selectors and emoji
joiners stay with the font of the run they are in when it has them, so a word, an Arabic
phrase or an emoji sequence is shaped as one run (raqm does the shaping and the joining).

The shipped fonts live in ``bot/fonts/`` (OFL; see the README there): nothing is read from the
system. Operators may add fonts (e.g. Noto Serif CJK) after the shipped ones.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow and fontTools load on the first card drawn, not at the bot's start
    from PIL import ImageFont


__all__ = ["FONT_DIR", "SHIPPED_FONTS", "FontChain", "Run", "default_chain"]

FONT_DIR = Path(__file__).with_name("fonts")
SHIPPED_FONTS = (
    "NotoSerif-Regular.ttf",  # Latin, Greek, Cyrillic, Vietnamese: the card's face
    "NotoEmoji-Regular.ttf",  # emoji, drawn in the text colour
    "NotoSansSymbols2-Regular.ttf",  # stars, check marks, dingbats, music, games
    "NotoSansSymbols-Regular.ttf",  # arrows, technical and other symbols
    "NotoNaskhArabic-Regular.ttf",
    "NotoSerifHebrew-Regular.ttf",
    "NotoSerifDevanagari-Regular.ttf",
    "NotoSerifThai-Regular.ttf",
    "NotoSerifArmenian-Regular.ttf",
    "NotoSerifGeorgian-Regular.ttf",
)

# Characters that belong to the run before them whatever font has them.
_JOINERS = frozenset("\u200c\u200d\ufe0e\ufe0f\u20e3")
_RTL = frozenset({"R", "AL"})


def _follows(ch: str) -> bool:
    code = ord(ch)
    return (
        ch in _JOINERS
        or unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences (flags of regions)
    )


def is_rtl(text: str) -> bool:
    """Whether the first strong character of `text` is right-to-left (Arabic, Hebrew...)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in _RTL:
            return True
        if kind == "L":
            return False
    return False


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive characters drawn with one font."""

    font: int
    text: str

    @property
    def direction(self) -> str:
        return "rtl" if any(unicodedata.bidirectional(c) in _RTL for c in self.text) else "ltr"


class FontChain:
    """Ordered fonts; splits text into runs and hands out sized fonts (thread-safe)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        if not paths:
            raise ValueError("a font chain needs at least one font")
        self.paths = tuple(paths)
        self._coverage: list[frozenset[int]] | None = None
        self._fonts: dict[tuple[int, int], ImageFont.FreeTypeFont] = {}
        self._lock = threading.Lock()

    @property
    def coverage(self) -> list[frozenset[int]]:
        if self._coverage is None:
            with self._lock:
                if self._coverage is None:
                    self._coverage = [_cmap(p) for p in self.paths]
        return self._coverage

    def font(self, index: int, size: int) -> ImageFont.FreeTypeFont:
        key = (index, size)
        found = self._fonts.get(key)
        if found is None:
            with self._lock:
                found = self._fonts.get(key)
                if found is None:
                    from PIL import ImageFont

                    found = ImageFont.truetype(
                        str(self.paths[index]), size, layout_engine=ImageFont.Layout.RAQM
                    )
                    self._fonts[key] = found
        return found

    def covers(self, ch: str) -> bool:
        return any(ord(ch) in c for c in self.coverage)

    def _first(self, code: int) -> int | None:
        return next((i for i, c in enumerate(self.coverage) if code in c), None)

    def runs(self, text: str) -> list[Run]:
        """Split `text` into runs of one font each, in logical order.

        A space or punctuation mark between two right-to-left characters stays in their run
        (so an Arabic phrase is shaped and ordered as one); elsewhere it goes to the first
        font that has it, the card's own face.
        """
        coverage = self.coverage
        primary = coverage[0]
        if all(ord(ch) in primary for ch in text) and not any(
            unicodedata.bidirectional(ch) in _RTL or _follows(ch) for ch in text
        ):
            return [Run(0, text)] if text else []
        rtl_after = _rtl_after(text)
        runs: list[Run] = []
        current: int | None = None
        previous_rtl = False
        chars: list[str] = []
        for position, ch in enumerate(text):
            code = ord(ch)
            kind = unicodedata.bidirectional(ch)
            if current is not None and (
                _follows(ch)
                or (
                    _sticky(ch)
                    and previous_rtl
                    and rtl_after[position]
                    and code in coverage[current]
                )
            ):
                chars.append(ch)
                continue
            if kind in _RTL:
                previous_rtl = True
            elif kind == "L":
                previous_rtl = False
            chosen = self._first(code)
            if chosen is None:
                chosen = current if current is not None else 0  # drawn as the font's box
            if chosen != current and chars:
                runs.append(Run(current if current is not None else 0, "".join(chars)))
                chars = []
            current = chosen
            chars.append(ch)
        if chars:
            runs.append(Run(current if current is not None else 0, "".join(chars)))
        return runs

    def width(self, runs: Iterable[Run], size: int) -> float:
        return sum(self.font(r.font, size).getlength(r.text, direction=r.direction) for r in runs)


def _rtl_after(text: str) -> list[bool]:
    """For each position: whether the next strong character after it is right-to-left."""
    result = [False] * len(text)
    following = False
    for position in range(len(text) - 1, -1, -1):
        result[position] = following
        kind = unicodedata.bidirectional(text[position])
        if kind in _RTL:
            following = True
        elif kind == "L":
            following = False
    return result


def _sticky(ch: str) -> bool:
    """Not a letter or symbol: keeps the current run's font when that font has it."""
    return unicodedata.category(ch)[0] in "ZPNC"


def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    try:
        return frozenset(font.getBestCmap() or ())
    finally:
        font.close()


def default_chain(extra: Sequence[Path] = ()) -> FontChain:
    """The shipped fonts, then ``extra`` ones (files, or folders of .ttf/.otf files)."""
    paths = [FONT_DIR / name for name in SHIPPED_FONTS]
    for item in extra:
        if item.is_dir():
            paths.extend(sorted(p for p in item.iterdir() if p.suffix.lower() in (".ttf", ".otf")))
        elif item.is_file():
            paths.append(item)
    return FontChain(paths)
