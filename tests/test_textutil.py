from hypothesis import given
from hypothesis import strategies as st

from bot.textutil import ELLIPSIS, defuse_mentions, paginate, truncate


def test_truncate_keeps_short_text() -> None:
    assert truncate("short text", 20) == "short text"


def test_truncate_cuts_at_a_word_with_ellipsis() -> None:
    out = truncate("We always put all the money on the screen", 20)
    assert out == "We always put all…"
    assert len(out) <= 20


def test_truncate_cuts_a_single_huge_word() -> None:
    out = truncate("x" * 50, 10)
    assert out == "x" * 9 + ELLIPSIS


@given(st.text(), st.integers(min_value=0, max_value=300))
def test_truncate_never_exceeds_limit(text: str, limit: int) -> None:
    out = truncate(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text


def test_defuse_mentions() -> None:
    text = "hi @everyone and @here, <@123>, <@!456>, <@&789> and <#42>"
    out = defuse_mentions(text)
    for raw in ("@everyone", "@here", "<@123>", "<@!456>", "<@&789>", "<#42>"):
        assert raw not in out
    assert out.replace("\u200b", "") == text


def test_paginate_prefers_paragraphs_and_sentences() -> None:
    text = ("First sentence here. " * 10).strip() + "\n\n" + ("Second part goes on. " * 10).strip()
    pages = paginate(text, 250)
    assert all(len(p) <= 250 for p in pages)
    assert pages[0].endswith(".")
    assert "".join(pages).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


@given(st.text(min_size=1), st.integers(min_value=1, max_value=200))
def test_paginate_loses_nothing_but_whitespace(text: str, size: int) -> None:
    pages = paginate(text, size)
    assert pages and all(len(p) <= size for p in pages)
    squash = lambda s: "".join(s.split())  # noqa: E731
    assert squash("".join(pages)) == squash(text)
