"""Quote cards (bot/card.py): golden images per theme, long and many-script quotes, the cache.

Regenerate the golden images after an intended change of the design (then look at them):

    QUOTEBOT_REGEN_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_card.py -k golden
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.card import THEMES, CardQuote, CardRenderer, Layout, contrast, make_theme
from bot.cardfonts import SHIPPED_FONTS, default_chain
from bot.settings import Settings
from bot.transcript.sentences import split_sentences

GOLDEN = Path(__file__).parent / "fixtures" / "cards"
ACCENT = (214, 64, 69)
GOLDEN_QUOTE = CardQuote(
    "You don't learn a tune by reading it. You learn it by playing it wrong in front of people "
    "who love you anyway — and then, one night, it plays itself.",
    "Ada Fennimore",
    "The Long Night Sessions · Jazz Quarterly · 2019",
)
EMOJI_QUOTE = CardQuote(
    "Ça m'a coûté très cher 😅🎉 — but the crème brûlée was worth it! Straße, Ærøskøbing, "
    "Łódź, naïve façade, Đà Nẵng, Ελληνικά, русский, עברית, العربية جميلة, हिन्दी, ไทย, "
    "Հայերեն, ქართული ★ ✓ → ❤️ 👍🏽 👨‍👩‍👧 🇫🇷",
    "Zoë Ünal-Øster",
    "Entrevista con José · Revista Música · 2020",
)


@pytest.fixture(scope="module")
def renderer() -> CardRenderer:
    return CardRenderer()


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()
    return image


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


@pytest.mark.parametrize("theme", THEMES)
def test_golden_card_per_theme(renderer: CardRenderer, theme: str) -> None:
    """Pixel comparison within a tolerance (anti-aliasing may differ across FreeType builds)."""
    png = renderer.draw(GOLDEN_QUOTE, make_theme(theme, ACCENT))
    golden = GOLDEN / f"golden-{theme}.png"
    if os.environ.get("QUOTEBOT_REGEN_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(png)
    expected, actual = pixels(decode(golden.read_bytes())), pixels(decode(png))
    assert actual.shape == expected.shape
    difference = np.abs(actual - expected).max(axis=2)
    assert difference.mean() < 1.0
    assert (difference > 48).mean() < 0.002  # at most 0.2 % of pixels visibly different


def test_golden_cards_differ_by_theme() -> None:
    """The fixtures are three real designs (a regenerated blank image would fail here)."""
    images = {t: pixels(decode((GOLDEN / f"golden-{t}.png").read_bytes())) for t in THEMES}
    for theme, image in images.items():
        background = image[5, 600]
        ink = np.abs(image - background).max(axis=2) > 96
        assert 0.01 < ink.mean() < 0.25, theme  # text is there, the card is not noise
    assert np.abs(images["light"] - images["dark"]).mean() > 100


def test_two_thousand_characters_are_shortened_at_a_sentence(renderer: CardRenderer) -> None:
    sentences = [
        f"Sentence number {n} says something about rehearsals, touring and the road home."
        for n in range(40)
    ]
    text = " ".join(sentences)[:2000]
    assert len(text) == 2000
    png = renderer.draw(CardQuote(text, "A Speaker", "An Interview"), make_theme("light", ACCENT))
    image = decode(png)
    layout = renderer.layout
    assert image.width == layout.width and layout.min_height <= image.height <= 1600
    assert len(png) < 1_000_000
    fitted = renderer.fit(text)
    assert fitted.shortened and fitted.size == min(layout.sizes)
    shown = " ".join(
        "".join(run.text for run in line.runs) for line in fitted.lines
    )  # the words on the card, line by line
    assert shown.endswith(" …")
    kept = split_sentences(shown[: -len(" …")])
    assert 3 <= len(kept) < len(sentences) and kept == sentences[: len(kept)]


def test_a_long_first_sentence_is_cut_at_a_word(renderer: CardRenderer) -> None:
    text = "and then " * 400 + "the end."
    fitted = renderer.fit(text)
    shown = " ".join("".join(r.text for r in line.runs) for line in fitted.lines)
    assert fitted.shortened and shown.endswith("…") and "the end" not in shown
    assert shown[:-1].rstrip().split(" ")[-1] in ("and", "then")


def test_emoji_and_accents_render_within_bounds(renderer: CardRenderer) -> None:
    png = renderer.draw(EMOJI_QUOTE, make_theme("dark", ACCENT))
    image = decode(png)
    assert image.width == 1200 and 630 <= image.height <= 1600
    fitted = renderer.fit(EMOJI_QUOTE.text)
    assert not fitted.shortened
    runs = [run for line in fitted.lines for run in line.runs]
    fonts = {SHIPPED_FONTS[run.font] for run in runs}
    assert {"NotoSerif-Regular.ttf", "NotoEmoji-Regular.ttf", "NotoNaskhArabic-Regular.ttf"} <= (
        fonts
    )
    shown = "".join(run.text for run in runs)
    assert "👍" in shown and "\U0001f3fd" not in shown  # skin tones dropped (monochrome)
    assert "👨\u200d👩\u200d👧" in shown  # a ZWJ sequence stays one run, shaped as one


def test_every_character_of_many_scripts_has_a_glyph() -> None:
    chain = default_chain()
    missing = {ch for ch in EMOJI_QUOTE.text if not ch.isspace() and not chain.covers(ch)}
    assert missing <= {"\U0001f3fd"}  # only the skin tone, which cards drop
    assert not chain.covers("中")  # CJK is not shipped (see bot/fonts/README.md)


def test_extra_fonts_come_after_the_shipped_ones(tmp_path: Path) -> None:
    extra = tmp_path / "fonts"
    extra.mkdir()
    (extra / "Extra.ttf").write_bytes(default_chain().paths[6].read_bytes())
    chain = default_chain([extra])
    assert chain.paths[-1].name == "Extra.ttf" and len(chain.paths) == len(SHIPPED_FONTS) + 1


def test_extra_fonts_setting(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b.ttf"
    env = {"QUOTEBOT_CARD_FONTS": f"{first}{os.pathsep}{second}"}
    assert Settings.from_env(env, env_file=None).card_fonts == (first, second)
    assert Settings.from_env({}, env_file=None).card_fonts == ()


def test_a_word_wider_than_the_card_is_broken_inside(renderer: CardRenderer) -> None:
    thai = "ภาษาไทยเขียนติดกันโดยไม่มีช่องว่างระหว่างคำ" * 6
    url = "https://example.org/" + "a" * 300
    for text in (thai, url):
        fitted = renderer.fit(text)
        limit = renderer.layout.width - 2 * renderer.layout.margin
        assert len(fitted.lines) > 1
        for line in fitted.lines:
            assert renderer.fonts.width(line.runs, fitted.size) <= limit


def test_right_to_left_quotes_are_set_from_the_right(renderer: CardRenderer) -> None:
    quote = CardQuote("هذا اقتباس قصير عن الموسيقى.", "سامي", "مقابلة")
    theme = make_theme("light", ACCENT)
    image = pixels(decode(renderer.draw(quote, theme)))
    band = image[renderer.layout.top : renderer.layout.top + 120]
    columns = np.abs(band - np.array(theme.background)).max(axis=(0, 2))
    ink = np.nonzero(columns[20:] > 96)[0] + 20  # right of the accent bar
    assert ink.max() > renderer.layout.width - renderer.layout.margin - 10
    assert ink.min() > renderer.layout.width // 3


def test_cache_by_quote_and_theme_is_bounded() -> None:
    renderer = CardRenderer(layout=Layout(), cache_size=2)
    light, dark = make_theme("light", ACCENT), make_theme("dark", ACCENT)
    first = renderer.render(GOLDEN_QUOTE, light)
    assert renderer.render(GOLDEN_QUOTE, light) is first and renderer.renders == 1
    renderer.render(GOLDEN_QUOTE, dark)
    other = CardQuote("Short.", "B", "C")
    renderer.render(other, light)
    assert renderer.renders == 3 and renderer.cached() == 2
    renderer.render(GOLDEN_QUOTE, light)  # evicted (least recently used): drawn again
    assert renderer.renders == 4


@pytest.mark.parametrize(
    "accent", [(255, 255, 255), (0, 0, 0), (255, 221, 0), (20, 30, 90), (88, 101, 242)]
)
def test_every_theme_is_readable_for_any_accent(accent: tuple[int, int, int]) -> None:
    for name in THEMES:
        theme = make_theme(name, accent)
        assert contrast(theme.text, theme.background) >= 4.5, (name, accent)
        assert contrast(theme.accent, theme.background) >= 1.5, (name, accent)
        if name != "accent":
            assert contrast(theme.accent, theme.background) >= 3.0, (name, accent)
    with pytest.raises(ValueError):
        make_theme("neon", accent)


def test_the_card_core_imports_no_discord() -> None:
    code = "import sys, bot.card, bot.cardfonts; sys.exit('discord' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
