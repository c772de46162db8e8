"""What a generated "complete the quote" question may blank in a sentence: titles in
quotes, names, numbers and rare content words, never a stop word."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.trivia.model import folded

STOPWORDS = frozenset(
    """a about above actually after again against ago ah ahead all almost along already also
    although always am among an and another any anybody anyone anything anyway anyways
    are aren around as at away back be became because become been before being below
    besides between beyond both but by can cannot cant certain certainly could couldn did
    didn do does doesn doing don done down during each either else enough especially even
    ever every everybody everyone everything exactly far few first for from further get
    gets getting give given gives go goes going gone got gotten had hadn has hasn have
    haven having he her here hers herself him himself his how however i if in indeed into
    is isn it its itself just kind kinda know known knows last later least less let like
    likely ll lot lots m made make makes making many may maybe me mean means meant might
    mine more moreso most mostly much must my myself need needs neither never new next no
    nobody none nor not nothing now of off often oh ok okay on once one ones only onto or
    other others otherwise ought our ours ourselves out over own perhaps pretty probably
    quite rather re really right s said same say saying says see seem seemed seems seen
    several shall she should shouldn since so some somebody someone something sometimes
    somewhat soon sort still stuff such sure t take taken than that thats the their theirs
    them themselves then there these they thing things think this those though through
    thus to together too toward towards truly try trying uh um under until up upon us
    use used using ve very via want wanted wants was wasn way ways we well went were
    weren what whatever when where whether which while who whoever whole whom whose why
    will with within without won would wouldn yeah yes yet you your yours yourself
    yourselves able across around back except therefore throughout previous become came come comes coming could d does gonna
    gotta guess hey huh just kind lately less little look looking looks mm okay put puts
    says tell telling thank thanks til told totally towards wanna whatnot yep""".split()
)
_PRONOUNS = frozenset("i me you he she it we they who what why that this".split())


_TITLE = re.compile(r"[“\"]([^”“\"\n]{1,90}?)[”\"]")
WORD = re.compile(r"[^\W\d_](?:[\w’'\-.]*[^\W_])?")
_NUMBER = re.compile(r"(?<![\w.,’'\-])\d{1,4}(?![\w’'\-]|[.,]\d)")
_LOWER_WORD = re.compile(r"[a-zà-ÿ]+")
NAME_WORD = re.compile(r"[A-ZÀ-Þ][a-zà-ÿ]*[a-zà-ÿ][A-Za-zà-ÿ]*")
_DEMONYM = ("ish", "ese", "ian", "can")


@dataclass(frozen=True, slots=True)
class Span:
    """A blankable piece of a sentence: its characters and what kind of thing it is."""

    start: int
    end: int
    text: str
    kind: str  # "title", "name:1", "name:2", "name:demonym", "number", "word:<suffix class>"


def word_class(word: str) -> str:
    """A crude part-of-speech stand-in so a verb is not offered in place of a noun."""
    for suffix in ("ing", "ly", "ed"):
        if word.endswith(suffix):
            return suffix
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return "s"
    return "base"


def stems(text: str) -> set[str]:
    """Six-letter stems of the content words: "editing" and "edited" share one."""
    found = set()
    for w in folded(text).split():
        if w in STOPWORDS:
            continue
        for suffix in ("ing", "es", "ed", "ly", "s"):
            if len(w) > len(suffix) + 3 and w.endswith(suffix):
                w = w[: -len(suffix)]
                break
        found.add(w[:6])
    return found


def _bracketed(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[\[(][^\])]*[\])]", text)]


def _inside(pos: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in ranges)


def _title_ok(inner: str, closing: str) -> bool:
    words = inner.split()
    if not 1 <= len(words) <= 10 or not (inner[0].isupper() or inner[0].isdigit()):
        return False
    if inner[-1] in "?!" or (len(words) == 1 and closing == "."):
        return False  # speech: “Why?”, “Absolutely.”
    if any(folded(w) in _PRONOUNS or "’" in w or "'" in w for w in words):
        return False  # speech: “She’s the one.”
    small = {"a", "an", "the", "of", "in", "on", "and", "or", "to", "for", "at", "by", "…"}
    if any(not (w[0].isupper() or w[0].isdigit() or w.casefold() in small) for w in words):
        return False
    key = folded(inner)
    return len(key) >= 3 and key not in STOPWORDS


def candidate_spans(sentence: str, capitalised: Collection[str] = ()) -> list[Span]:
    """Blankable spans of `sentence`: titles in quotes, names, numbers, content words.

    `capitalised` holds folded words seen capitalised mid-sentence somewhere in the
    corpus: only those count as names when they open a sentence.
    """
    spans: list[Span] = []
    taken: list[tuple[int, int]] = _bracketed(sentence)
    for m in _TITLE.finditer(sentence):
        inner = m.group(1).rstrip()
        closing = ""
        while inner and inner[-1] in ",.;:":
            closing = inner[-1]
            inner = inner[:-1].rstrip()
        if inner and _title_ok(inner, closing) and not _inside(m.start(), taken):
            spans.append(Span(m.start(1), m.start(1) + len(inner), inner, "title"))
        taken.append((m.start(), m.end()))
    words = [m for m in WORD.finditer(sentence) if not _inside(m.start(), taken)]
    first_word = next(iter(WORD.finditer(sentence)), None)
    run: list[re.Match[str]] = []

    def flush() -> None:
        if run:
            text = sentence[run[0].start() : run[-1].end()]
            before = sentence[: run[0].start()]
            previous = before.split()[-1:] if before.endswith(" ") else []
            if previous and previous[0][:1].isupper() and previous[0][-1:].isalpha():
                run.clear()  # the tail of a longer name ("New York", "Suzanna Son")
                return
            if len(run) == 1 and len(text) >= 6 and folded(text).endswith(_DEMONYM):
                kind = "name:demonym"
            else:
                kind = "name:1" if len(run) == 1 else "name:2"
            if len(run) <= 3:
                spans.append(Span(run[0].start(), run[-1].end(), text, kind))
            run.clear()

    for m in words:
        token = m.group()
        is_name = (
            NAME_WORD.fullmatch(token) is not None
            and folded(token) not in STOPWORDS
            and (
                first_word is None
                or m.start() != first_word.start()
                or folded(token) in capitalised
            )
        )
        if is_name and run and sentence[run[-1].end() : m.start()] != " ":
            flush()
        if is_name:
            run.append(m)
            continue
        flush()
        if (
            _LOWER_WORD.fullmatch(token)
            and len(token) >= 4
            and folded(token) not in STOPWORDS
            and sentence[m.end() : m.end() + 1] not in ("’", "'", "-")
            and sentence[max(0, m.start() - 1) : m.start()] not in ("’", "'", "-")
        ):
            spans.append(Span(m.start(), m.end(), token, f"word:{word_class(token)}"))
    flush()
    for m in _NUMBER.finditer(sentence):
        if not _inside(m.start(), taken):
            spans.append(Span(m.start(), m.end(), m.group(), "number"))
    return spans
