"""Quote cards: a quote set as a PNG image with Pillow (plain code, no discord import).

A card is 1,200 px wide: a large opening quotation mark in the accent colour, the words in
Noto Serif (as large as fits: 60 px for a line or two, down to 34 px), a short rule, then the
speaker and the interview. Its height follows the text (630–1,600 px). A quote too long for
the card at 34 px is shortened at the end of the last sentence that fits, with an ellipsis
(mid-sentence at a word only when even its first sentence does not fit). Rendering is
deterministic for a given Pillow and font set, which the golden-image tests rely on.

Callers run :meth:`CardRenderer.render` off the event loop; it caches by (quote, theme).
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cardfonts import FontChain, Run, default_chain, is_rtl
from bot.transcript.sentences import split_sentences

if TYPE_CHECKING:  # Pillow loads on the first card drawn, not at the bot's start
    from PIL import ImageDraw

__all__ = [
    "THEMES",
    "CardQuote",
    "CardRenderer",
    "CardTheme",
    "Layout",
    "make_theme",
]

RGB = tuple[int, int, int]
THEMES = ("accent", "light", "dark")
ELLIPSIS = "…"
QUOTE_MARK = "“"
# Monochrome emoji have no skin tones; the modifier would draw as a separate swatch.
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff]")


@dataclass(frozen=True, slots=True)
class CardQuote:
    """What a card shows."""

    text: str
    speaker: str
    source: str  # the interview (and its date or publication)


@dataclass(frozen=True, slots=True)
class CardTheme:
    name: str
    background: RGB
    text: RGB
    muted: RGB
    accent: RGB


@dataclass(frozen=True, slots=True)
class Layout:
    """Geometry of a card, in pixels."""

    width: int = 1200
    min_height: int = 630
    margin: int = 96
    top: int = 200  # first baseline area starts below the quotation mark
    max_text_height: int = 1000
    sizes: tuple[int, ...] = (60, 54, 48, 43, 38, 34)
    line_spacing: float = 1.45
    mark_size: int = 240
    speaker_size: int = 36
    source_size: int = 28
    bottom: int = 84


def _luminance(colour: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio (1–21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _readable(colour: RGB, background: RGB, towards: RGB, floor: float = 3.0) -> RGB:
    """`colour` moved towards `towards` until it stands out from `background` (ratio ≥ floor)."""
    for step in range(11):
        candidate = _mix(colour, towards, step / 10)
        if contrast(candidate, background) >= floor:
            return candidate
    return towards


def make_theme(name: str, accent: RGB) -> CardTheme:
    """``light`` and ``dark`` cards with accent-coloured marks; ``accent`` is set on the colour."""
    if name == "light":
        background, text, muted = (250, 247, 242), (32, 33, 36), (92, 96, 102)
        return CardTheme(name, background, text, muted, _readable(accent, background, text))
    if name == "dark":
        background, text, muted = (30, 31, 34), (242, 243, 245), (181, 186, 193)
        return CardTheme(name, background, text, muted, _readable(accent, background, text))
    if name != "accent":
        raise ValueError(f"unknown card theme {name!r}; expected one of {THEMES}")
    white, ink = (255, 255, 255), (24, 25, 28)
    text = white if contrast(white, accent) >= contrast(ink, accent) else ink
    return CardTheme(name, accent, text, _mix(text, accent, 0.3), _mix(text, accent, 0.35))


@dataclass(frozen=True, slots=True)
class _Line:
    runs: tuple[Run, ...]
    rtl: bool


@dataclass(frozen=True, slots=True)
class _Fitted:
    lines: list[_Line]
    size: int
    shortened: bool


class CardRenderer:
    """Renders cards with one font chain and layout; keeps the last `cache_size` PNGs."""

    def __init__(
        self,
        fonts: FontChain | None = None,
        layout: Layout | None = None,
        *,
        cache_size: int = 128,
    ) -> None:
        self.fonts = fonts or default_chain()
        self.layout = layout or Layout()
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[CardQuote, CardTheme], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.renders = 0  # cards actually drawn (cache misses), for tests and logs

    # --- cache ----------------------------------------------------------------------

    def render(self, quote: CardQuote, theme: CardTheme) -> bytes:
        """The card as PNG bytes (from the cache when this quote was drawn in this theme)."""
        key = (quote, theme)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        png = self.draw(quote, theme)
        with self._lock:
            self._cache[key] = png
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return png

    def cached(self) -> int:
        return len(self._cache)

    # --- layout ---------------------------------------------------------------------

    def wrap(self, text: str, size: int) -> list[_Line]:
        return [self._line(line, rtl) for line, rtl in self._wrap(text, size)]

    def _wrap(
        self, text: str, size: int, measure: _Measure | None = None
    ) -> list[tuple[str, bool]]:
        """Lines of at most the text width, breaking at spaces (inside a word when one is
        wider than a line, as for scripts written without spaces)."""
        limit = self.layout.width - 2 * self.layout.margin
        measure = measure or _Measure(self, size)
        lines: list[tuple[str, bool]] = []
        for paragraph in text.split("\n"):
            rtl = is_rtl(paragraph)
            current: list[str] = []
            width = 0.0
            for token in re.findall(r"\S+\s*", paragraph.strip()):
                if current and width + measure(token.rstrip()) <= limit:
                    current.append(token)
                    width += measure(token)
                    continue
                if current:
                    lines.append(("".join(current).strip(), rtl))
                while measure(token.rstrip()) > limit:
                    head = self._fit_chars(token, size, limit)
                    lines.append((head.strip(), rtl))
                    token = token[len(head) :]
                current, width = [token], measure(token)
            if current and "".join(current).strip():
                lines.append(("".join(current).strip(), rtl))
        return lines

    def _fit_chars(self, token: str, size: int, limit: float) -> str:
        """The longest head of `token` that fits, never splitting a character from its marks."""
        cut = 1
        for end in range(1, len(token) + 1):
            if end < len(token) and _attached(token[end]):
                continue
            if self._width(token[:end], size) > limit:
                break
            cut = end
        return token[:cut]

    def _line(self, text: str, rtl: bool) -> _Line:
        return _Line(tuple(self.fonts.runs(text.strip())), rtl)

    def _width(self, text: str, size: int) -> float:
        return self.fonts.width(self.fonts.runs(text), size)

    def _line_height(self, size: int) -> int:
        return round(size * self.layout.line_spacing)

    def _fits(self, lines: Sequence[object], size: int) -> bool:
        return len(lines) * self._line_height(size) <= self.layout.max_text_height

    def fit(self, text: str) -> _Fitted:
        """The largest size at which the whole text fits; else the smallest size and the
        text shortened at a sentence (or a word) with an ellipsis."""
        text = _clean(text)
        limit = self.layout.width - 2 * self.layout.margin
        smallest = min(self.layout.sizes)
        # Every line holds at most `limit` of width, so a text needs at least its width over
        # `limit` lines; measured once at the smallest size and scaled (10 % slack for
        # hinting), sizes that cannot fit are skipped without wrapping.
        at_smallest = _Measure(self, smallest)
        total = sum(at_smallest(token) for token in re.findall(r"\S+\s*", text))
        for size in self.layout.sizes:
            least = total * size / smallest / limit
            if least > 1.1 * self.layout.max_text_height / self._line_height(size):
                continue
            measure = at_smallest if size == smallest else _Measure(self, size)
            lines = self._wrap(text, size, measure)
            if self._fits(lines, size):
                return _Fitted([self._line(t, rtl) for t, rtl in lines], size, False)
        size = self.layout.sizes[-1]
        return _Fitted(self.wrap(self._shorten(text, size), size), size, True)

    def _shorten(self, text: str, size: int) -> str:
        sentences = split_sentences(text)

        measure = _Measure(self, size)  # the candidates share their words: measure each once

        def fits(candidate: str) -> bool:
            return self._fits(self._wrap(candidate, size, measure), size)

        kept = _longest(len(sentences), lambda k: fits(" ".join(sentences[:k]) + " " + ELLIPSIS))
        if kept:
            return " ".join(sentences[:kept]) + " " + ELLIPSIS
        words = text.split(" ")
        kept = _longest(len(words), lambda k: fits(" ".join(words[:k]).rstrip(",;:") + ELLIPSIS))
        if kept:
            return " ".join(words[:kept]).rstrip(",;:") + ELLIPSIS
        chars = _longest(len(text), lambda k: fits(text[:k] + ELLIPSIS))
        return text[: max(1, chars)] + ELLIPSIS

    def _single_line(self, text: str, size: int) -> _Line:
        """`text` on one line, cut with an ellipsis when too wide."""
        limit = self.layout.width - 2 * self.layout.margin
        text = " ".join(text.split())
        if self._width(text, size) > limit:
            keep = _longest(len(text), lambda k: self._width(text[:k] + ELLIPSIS, size) <= limit)
            text = text[:keep].rstrip() + ELLIPSIS
        return self._line(text, is_rtl(text))

    # --- drawing --------------------------------------------------------------------

    def draw(self, quote: CardQuote, theme: CardTheme) -> bytes:
        """Draw the card (no cache)."""
        lay = self.layout
        fitted = self.fit(quote.text)
        speaker = self._single_line(quote.speaker, lay.speaker_size)
        source = self._single_line(quote.source, lay.source_size)
        line_height = self._line_height(fitted.size)
        text_height = len(fitted.lines) * line_height
        rule_y = lay.top + text_height + 36
        speaker_y = rule_y + 28 + lay.speaker_size
        source_y = speaker_y + round(lay.source_size * 1.6)
        height = max(lay.min_height, source_y + lay.bottom)
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (lay.width, height), theme.background)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 14, height), fill=theme.accent)
        mark = self.fonts.font(0, lay.mark_size)
        draw.text((lay.margin - 12, 24), QUOTE_MARK, font=mark, fill=theme.accent, anchor="la")
        baseline = lay.top + round(fitted.size * 1.1)
        for line in fitted.lines:
            self._draw_line(draw, line, baseline, fitted.size, theme.text)
            baseline += line_height
        draw.rectangle((lay.margin, rule_y, lay.margin + 72, rule_y + 4), fill=theme.accent)
        self._draw_line(draw, speaker, speaker_y, lay.speaker_size, theme.text)
        self._draw_line(draw, source, source_y, lay.source_size, theme.muted)
        self.renders += 1
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=3)
        return out.getvalue()

    def _draw_line(
        self, draw: ImageDraw.ImageDraw, line: _Line, baseline: int, size: int, fill: RGB
    ) -> None:
        """Runs side by side on one baseline; right-aligned and right-to-left for RTL text."""
        lay = self.layout
        widths = [
            self.fonts.font(r.font, size).getlength(r.text, direction=r.direction)
            for r in line.runs
        ]
        if line.rtl:
            x = float(lay.width - lay.margin)
            for run, width in zip(line.runs, widths, strict=True):
                x -= width
                self._draw_run(draw, run, x, baseline, size, fill)
        else:
            x = float(lay.margin)
            for run, width in zip(line.runs, widths, strict=True):
                self._draw_run(draw, run, x, baseline, size, fill)
                x += width

    def _draw_run(
        self, draw: ImageDraw.ImageDraw, run: Run, x: float, baseline: int, size: int, fill: RGB
    ) -> None:
        font = self.fonts.font(run.font, size)
        draw.text(
            (x, baseline), run.text, font=font, fill=fill, anchor="ls", direction=run.direction
        )


class _Measure:
    """Widths of words at one size, each measured once per wrap."""

    def __init__(self, renderer: CardRenderer, size: int) -> None:
        self.renderer = renderer
        self.size = size
        self.known: dict[str, float] = {}

    def __call__(self, token: str) -> float:
        found = self.known.get(token)
        if found is None:
            found = self.known[token] = self.renderer._width(token, self.size)
        return found


def _attached(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch in "\u200d\ufe0f\ufe0e"


def _clean(text: str) -> str:
    """Collapse runs of spaces, keep paragraph breaks (blank lines dropped), drop skin tones."""
    text = _SKIN_TONES.sub("", text.replace("\r", ""))
    paragraphs = [" ".join(p.split()) for p in text.split("\n")]
    return "\n".join(p for p in paragraphs if p) or ELLIPSIS


def _longest(n: int, ok: Callable[[int], bool]) -> int:
    """The largest k in 0..n with ok(k) (ok is monotone: true up to some k, false after)."""
    low, high = 0, n
    while low < high:
        mid = (low + high + 1) // 2
        if ok(mid):
            low = mid
        else:
            high = mid - 1
    return low
