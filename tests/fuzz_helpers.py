"""What the fuzzing tests share: hypothesis strategies for wild text, transcripts and files in
any encoding, and the count of examples each target got (one session fixture, so the long
mode's total covers every fuzzing module)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import strategies as st
from longmode import LONG

ROOT = Path(__file__).resolve().parents[1]
LONG_TOTAL = 10_000


RAN: Counter[str] = Counter()
"""Examples played per target ("parser", "slash /admin reload", ...), over the session."""
GROUPS = ("parser", "loader", "upload", "search", "slash", "autocomplete")


@pytest.fixture(scope="session")
def examples_per_target() -> Iterator[None]:
    """Print the examples each target got at the end of the session (shown with -s); in the
    long mode, when every group ran, check the total. The fuzzing modules use it (their
    `pytestmark`); tests/conftest.py makes it one for the session."""
    RAN.clear()
    yield
    total = sum(RAN.values())
    width = max((len(k) for k in RAN), default=0)
    lines = [f"  {name:<{width}} {count:>6}" for name, count in sorted(RAN.items())]
    mode = "long" if LONG else "short"
    print(f"\nfuzzing ({mode} mode): {total} examples\n" + "\n".join(lines))
    if LONG and all(any(k.split()[0] == g for k in RAN) for g in GROUPS):
        assert total >= LONG_TOTAL, f"the long mode ran only {total} examples"


# --- strategies -----------------------------------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = "".join(map(chr, range(32))) + "\x7f\x85\u2028\u2029"
RTL = "שלום עולם مرحبا بالعالم ܐܒܓ"
COMBINING = "e\u0301 a\u0308 \u0336s\u0336 Z\u0351\u0352\u0353"
META = [
    *".*+?^$()[]{}|\\",
    "%",
    "_",
    "'",
    '"',
    ";",
    "--",
    "/*",
    "*/",
    "' OR 1=1 --",
    "'); DROP TABLE passages; --",
    "%' --",
    "(?i)",
    "(a+)+$",
    "(.*){1,99}x",
    "[[:alpha:]]",
    "\\b\\w+\\1",
    "${jndi:ldap://x}",
    "{0}",
    "%s%s%n",
    "<script>",
    "@everyone",
    "@here",
    "<@&1>",
    "<@!2>",
    "<#3>",
    "||x||",
    "```",
    "[hidden](https://example.com)",
    "# big",
    "-# small",
    "NULL",
    "\x00",
]
WORDS = "money screen budget audience film casting tinsel Anora Baker producer it factor".split()


def wild_text(max_size: int) -> st.SearchStrategy[str]:
    """Any unicode, zero-width and bidi controls, RTL scripts, regex and SQL metacharacters."""
    odd = st.sampled_from([*ZERO_WIDTH, *BIDI, *RTL, *COMBINING, *"\t\x0b\x0c\x85\u2028 a."])
    return st.one_of(
        st.text(max_size=max_size),
        st.text(alphabet=odd, max_size=max_size),
        st.lists(st.sampled_from(META + WORDS), max_size=24).map(" ".join),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join),
    ).map(lambda text: text[:max_size])


def long_text(low: int, high: int) -> st.SearchStrategy[str]:
    """Very long strings without asking hypothesis for megabytes of entropy."""
    return st.tuples(st.integers(low, high), wild_text(40).filter(bool)).map(
        lambda pair: (pair[1] * (pair[0] // len(pair[1]) + 1))[: pair[0]]
    )


def queries(max_size: int) -> st.SearchStrategy[str]:
    return st.one_of(wild_text(max_size), st.just(""), long_text(min(1000, max_size), max_size))


NAMES = ["Sean Baker", "Baker", "Ann Lee", "Lee", "J. R. R. Tolkien", "Dr. Who", "Q", "A"]
ODD_NAMES = [
    "ann lee",
    "Mikey Madison (actor)",
    "שלום עולם",
    "مرحبا",
    "Ann\u200bLee",
    "\u202eeeL nnA",
    "@everyone",
    "<@123>",
    "",
]
SPEAKERS = st.one_of(st.sampled_from(NAMES), st.sampled_from(ODD_NAMES))


@st.composite
def noise(draw: st.DrawFn) -> str:
    """A line that is not a clean exchange: stray text, markers, blanks, a 5-30k line."""
    kind = draw(st.sampled_from(["turn", "bold", "text", "blank", "long", "control"]))
    if kind == "turn":
        return f"{draw(SPEAKERS)}: {draw(wild_text(80))}"
    if kind == "bold":
        return f"**{draw(SPEAKERS)}:** {draw(wild_text(80))}"
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "\t", ZERO_WIDTH, "\u3000"]))
    if kind == "long":
        return f"{draw(SPEAKERS)}: {draw(long_text(5_000, 30_000))}"
    if kind == "control":
        return draw(st.text(alphabet=st.sampled_from(list(CONTROLS)), min_size=1, max_size=3))
    return draw(wild_text(120))


@st.composite
def transcripts(draw: st.DrawFn) -> str:
    """Mostly interview-shaped (lede, question, `Speaker: answer`...), with noise mixed in."""
    speaker = draw(SPEAKERS.filter(bool))
    short = speaker.split()[-1] if speaker.split() else speaker
    lines = [draw(wild_text(80)) for _ in range(draw(st.integers(0, 2)))]
    for n in range(draw(st.integers(0, 4))):
        lines.append(draw(wild_text(60)) + "?")
        answer = f"{draw(st.sampled_from(WORDS))} {draw(wild_text(100))}"
        lines.append(f"{speaker if n == 0 else short}: {answer}")
    for _ in range(draw(st.integers(0, 3))):
        lines.insert(draw(st.integers(0, len(lines))), draw(noise()))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


@st.composite
def encoded_files(draw: st.DrawFn) -> bytes:
    """Transcript text in whatever encoding someone saved it in, or not text at all."""
    kind = draw(
        st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "binary"])
    )
    if kind == "binary":
        return draw(st.binary(max_size=4000))
    text = draw(transcripts())
    data = text.encode(kind, errors="replace")
    if draw(st.integers(0, 3)) == 0:  # a stray byte in the middle: mixed encodings in one file
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(min_size=1, max_size=4)) + data[cut:]
    return data


def count_lines(text: str) -> int:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
