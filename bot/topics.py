"""Topics: curated ones from `data/topics.toml` plus ones extracted from any transcript.

A topic links to the passages that mention one of its terms (name, aliases, keywords)
as whole words in the answer or in the question it answers. Extraction finds people's
names and quoted titles so a newly loaded interview has topics without curation.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from rapidfuzz.distance import OSA

from bot.errors import SourceError
from bot.models import Interview, Passage, Topic

_QUOTED_TITLE = re.compile(r"[“\"]([A-Z0-9][^”\"\n]{1,60}?)[,.!?]?[”\"]")
_NAME = re.compile(r"\b([A-Z][a-zà-ÿ'’]+(?:[ -](?:\[)?[A-Z][a-zà-ÿ'’]+(?:\])?){1,2})\b")
# Capitalised words that start a sentence, fillers, greetings, honorifics: never a name's
# first word (an honorific goes, the name stays: "Uncle Tom Harper" is "Tom Harper").
_NOT_NAME_START = frozenset(
    """a an and as at but by for from he her his how i if in it its my no not now of on or our
    she so that the their then there these they this those to we what when where which while who
    why with you your yeah well okay oh also just being because every some all one best
    palme oscar picture film festival russian finnish spanish american new central
    like since um uh er hmm yes yep yup ok right sure great cool wow exactly absolutely
    actually anyway basically honestly totally continue hey hi hello thanks thank cheers
    welcome bye goodbye dear good morning afternoon evening night after before during
    maybe last next first today tonight yesterday tomorrow
    mr mrs ms miss dr doctor prof professor sir madam uncle aunt auntie grandma grandpa
    senator president captain chair chairman chairwoman chairperson member ranking
    representative congressman congresswoman judge justice governor mayor minister secretary
    commissioner officer detective sergeant coach pastor reverend rabbi chef grandmaster
    senhor senhora senor señor senora señora monsieur madame herr frau""".split()
)
_SPOKEN = frozenset({"question", "answer", "continuation"})
_GREETINGS = frozenset(
    "hey hi hello thanks thank cheers welcome bye goodbye dear morning afternoon evening".split()
)
# What comes right before a name the speaker greets or a show's own name ("Welcome back to
# Dirt Talk", "thanks for coming on Build Log", "This is Field Notes").
_GREETED = re.compile(
    r"\b(?:hey|hi|hello|thanks|thank you|cheers|welcome(?: back)?(?: to)?|bye|goodbye|dear"
    r"|morning|evening|(?:coming|being|back) on|this is|listening to)[,!]?\s*$",
    re.IGNORECASE,
)
# "I'm Dana", "It's July": a contraction is no part of a name.
_CONTRACTION = re.compile(
    r"(?:i|it|that|there|here|we|you|he|she|they|let|what|who|where)['’](?:m|s|re|ve|d|ll)",
    re.IGNORECASE,
)
_TITLE_STOP = frozenset({"it", "she's the one", "who's that", "absolutely", "why", "yes", "no"})


def fold(text: str) -> str:
    """Matching form: case-folded, accents and punctuation removed, words single-spaced."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.replace("_", " ").split())


def slug_for(name: str) -> str:
    return fold(name).replace(" ", "-") or "topic"


def toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    """The line of a TOML syntax error (Python 3.11 keeps it only in the message)."""
    line = getattr(exc, "lineno", None)
    if isinstance(line, int):
        return line
    found = re.search(r"at line (\d+)", str(exc))
    return int(found.group(1)) if found else None


def _line_of(raw: str, needle: str, fallback: int | None) -> int | None:
    for number, line in enumerate(raw.splitlines(), start=1):
        if needle and needle in line:
            return number
    return fallback


def load_curated(path: Path) -> tuple[list[Topic], list[SourceError]]:
    """Read and validate a topics file. Every problem is reported with its line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [], [SourceError(str(path), None, f"not UTF-8 ({exc.reason})")]
    try:
        doc = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        return [], [SourceError(str(path), toml_error_line(exc), f"invalid TOML: {exc}")]
    entries = doc.get("topic", [])
    errors: list[SourceError] = []
    if not isinstance(entries, list):
        return [], [SourceError(str(path), 1, "expected [[topic]] tables")]
    topics: list[Topic] = []
    seen: dict[str, str] = {}
    table_lines = [i for i, ln in enumerate(raw.splitlines(), 1) if ln.strip() == "[[topic]]"]
    for number, entry in enumerate(entries):
        line = table_lines[number] if number < len(table_lines) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            errors.append(SourceError(str(path), line, "topic without a name"))
            continue
        line = _line_of(raw, f'"{name}"', line)
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("aliases", "keywords"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                errors.append(SourceError(str(path), line, f"{name}: {key} must be a list of text"))
                value = []
            lists[key] = tuple(value)
        unknown = set(entry) - {"name", "aliases", "keywords"}
        if unknown:
            errors.append(SourceError(str(path), line, f"{name}: unknown keys {sorted(unknown)}"))
        slug = slug_for(name)
        if slug in seen:
            errors.append(SourceError(str(path), line, f"duplicate topic {name!r}"))
            continue
        seen[slug] = name
        topics.append(Topic(slug, name.strip(), lists["aliases"], lists["keywords"], curated=True))
    return topics, errors


_SMALL_WORDS = frozenset(
    "a an the of in on at to for and or but by with from is as vs nor de la le du von van".split()
)


def looks_like_title(title: str) -> bool:
    """Title Case words and no sentence punctuation: “The Florida Project”, not “Who’s that?”."""
    words = title.split()
    if not words or len(words) > 10 or any(ch in title for ch in ".?!;"):
        return False
    if not words[0][0].isupper() and not words[0][0].isdigit():
        return False
    return all(
        w[0].isupper() or w[0].isdigit() or not w[0].isalpha() or w.casefold() in _SMALL_WORDS
        for w in words
    )


def _turn_texts(interview: Interview) -> list[str]:
    """What was said: questions and answers, not the intro, notes or headings."""
    return [p.text for p in interview.paragraphs if p.kind in _SPOKEN]


def _at_sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"“‘'([*_")
    return not before or before[-1] in ".!?:;…\n"


def _whole_line(text: str, start: int, end: int) -> bool:
    """The match is a line by itself (a heading or caption), markup aside."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    return line.strip(" \t#*_>:.-") == text[start:end]


def name_words(text: str, start: int, name: str, lowercase: set[str]) -> tuple[list[str], bool]:
    """The words of a capitalised run that can be a name, and whether it is greeted.

    Leading fillers, greetings and a sentence's first word when it is an ordinary word
    ("Like", "Since", "Continue": the transcript also writes it in lower case) are dropped.
    Greeted: it follows "Hey", "Thanks," and the like (how a host is addressed).
    """
    words = name.split()
    at_start = _at_sentence_start(text, start)
    greeted = bool(_GREETED.search(text[:start]))
    while words:
        first = fold(words[0])
        if (
            first in _NOT_NAME_START
            or _CONTRACTION.fullmatch(words[0])
            or (at_start and first in lowercase)
        ):
            greeted = greeted or first in _GREETINGS
            words = words[1:]
            at_start = False
            continue
        break
    return words, greeted


def _lowercase_words(texts: Iterable[str]) -> set[str]:
    return {w for text in texts for w in re.findall(r"\b[a-zà-ÿ]+\b", text)}


def extract_candidates(interview: Interview) -> list[Topic]:
    """People's names and quoted titles mentioned in an interview (not its own speakers).

    Names need two or three capitalised words once fillers, greetings and sentence-initial
    ordinary words are dropped ("Hey Sam" and "Like Photoshop" are no names); a line that
    is only the name (a heading, a caption) does not count, nor does a name only ever
    greeted ("Thanks, Sam Lee": the host of a transcript that labels them "Q"). Spellings of one person's
    name that differ by one letter or a swap ("Kuosmanen"/"Kousmanen", "Jon"/"John" with
    the same surname) become one topic under the spelling used most (see `same_person`).
    """
    speakers = {fold(s) for s in interview.speakers}
    speaker_parts = {part for s in speakers for part in s.split()}
    texts = _turn_texts(interview)
    lowercase = _lowercase_words(texts)
    found: dict[str, str] = {}
    for text in texts:
        for match in _QUOTED_TITLE.finditer(text):
            title = match.group(1).strip().rstrip(",")
            key = fold(title)
            if (
                looks_like_title(title)
                and key not in _TITLE_STOP
                and len(key) > 2
                and key not in speakers
                and not (" " not in key and key in lowercase)  # “Continue”: a word
            ):
                found.setdefault(key, title)
    titles = list(found)
    names: Counter[str] = Counter()
    shown: dict[str, str] = {}
    mentioned: set[str] = set()
    for text in texts:
        for match in _NAME.finditer(text):
            if _whole_line(text, match.start(), match.end()):
                continue
            raw = match.group(1).replace("[", "").replace("]", "")
            raw = raw.removesuffix("’s").removesuffix("'s")
            words, was_greeted = name_words(text, match.start(), raw, lowercase)
            name = " ".join(words)
            key = fold(name)
            if len(words) < 2 or key in speakers or key in found:
                continue
            if all(w in speaker_parts for w in key.split()) or any(
                f" {key} " in f" {t} " for t in titles
            ):
                continue
            names[key] += 1
            shown.setdefault(key, name)
            if not was_greeted:
                mentioned.add(key)
    for key in set(names) - mentioned:  # only ever greeted: the host, not a topic
        del names[key]
    topics = [Topic(slug_for(title), title, (), (), curated=False) for title in found.values()]
    for group in merge_names(names):
        head, *variants = group
        aliases = tuple(shown[k] for k in variants)
        topics.append(Topic(slug_for(shown[head]), shown[head], aliases, (), curated=False))
    return topics


def _word_close(a: str, b: str) -> bool:
    """One letter inserted, dropped or swapped (or changed, in a long word): a misspelling.

    A first name plus a final vowel ("Dan"/"Dana", "Paul"/"Paula") is another name.
    """
    if a == b:
        return True
    if min(len(a), len(b)) < 3 or OSA.distance(a, b) != 1:
        return False
    short, long_ = sorted((a, b), key=len)
    if len(long_) > len(short):
        return not (long_.startswith(short) and long_[-1] in "aeiouy")
    return sorted(a) == sorted(b) or len(a) >= 6


def same_person(a: str, b: str) -> bool:
    """Two folded names of as many words, one word shared exactly, the others misspelt."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or len(wa) < 2 or a == b:
        return False
    pairs = list(zip(wa, wb, strict=True))
    return any(x == y for x, y in pairs) and all(_word_close(x, y) for x, y in pairs)


def merge_names(counts: Counter[str]) -> list[list[str]]:
    """Groups of one person's spellings, the one used most first (then the earliest)."""
    groups: list[list[str]] = []
    for key, _ in counts.most_common():
        for group in groups:
            if same_person(group[0], key):
                group.append(key)
                break
        else:
            groups.append([key])
    return groups


def terms(topic: Topic) -> list[str]:
    """The folded words and phrases that mark a passage as being about `topic`."""
    return [t for t in {fold(x) for x in (topic.name, *topic.aliases, *topic.keywords)} if t]


def link(topics: Iterable[Topic], passages: Sequence[Passage]) -> list[Topic]:
    """Attach passage ids to each topic; topics with no passage are dropped."""
    folded = [(p.id, f" {fold(p.text)} ", f" {fold(p.question or '')} ") for p in passages]
    linked: list[Topic] = []
    for topic in topics:
        marks = [f" {t} " for t in terms(topic)]
        ids = tuple(
            pid for pid, body, question in folded if any(t in body or t in question for t in marks)
        )
        if ids:
            linked.append(replace(topic, passage_ids=ids))
    return linked


def build_topics(curated: Sequence[Topic], interviews: Sequence[Interview]) -> list[Topic]:
    """Curated topics first, then extracted ones not already covered by a topic's term."""
    covered = {t for topic in curated for t in terms(topic)}
    auto: dict[str, Topic] = {}
    for interview in interviews:
        for cand in extract_candidates(interview):
            if fold(cand.name) in covered or cand.slug in auto:
                continue
            auto[cand.slug] = cand
            covered.update(terms(cand))  # a spelling merged here is no topic of its own
    passages = [p for i in interviews for p in i.passages if p.role == "interviewee"]
    return link([*curated, *sorted(auto.values(), key=lambda t: t.name.casefold())], passages)
