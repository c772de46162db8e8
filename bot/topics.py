"""Topics: curated ones from `data/topics.toml` plus ones extracted from any transcript.

A topic links to the passages that mention one of its terms (name, aliases, keywords)
as whole words in the answer or in the question it answers. Extraction finds people's
names and quoted titles so a newly loaded interview has topics without curation.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from bot.errors import SourceError
from bot.models import Interview, Passage, Topic

_QUOTED_TITLE = re.compile(r"[“\"]([A-Z0-9][^”\"\n]{1,60}?)[,.!?]?[”\"]")
_NAME = re.compile(r"\b([A-Z][a-zà-ÿ'’]+(?:[ -](?:\[)?[A-Z][a-zà-ÿ'’]+(?:\])?){1,2})\b")
# Capitalised words that start a sentence or are not names.
_NOT_NAME_START = frozenset(
    """a an and as at but by for from he her his how i if in it its my no not now of on or our
    she so that the their then there these they this those to we what when where which while who
    why with you your yeah well okay oh also just being because every some all one best
    palme oscar picture film festival russian finnish spanish american new central""".split()
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


def extract_candidates(interview: Interview) -> list[Topic]:
    """People's names and quoted titles mentioned in an interview (not its own speakers)."""
    speakers = {fold(s) for s in interview.speakers}
    speaker_parts = {part for s in speakers for part in s.split()}
    texts = [p.text for p in interview.paragraphs]
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
            ):
                found.setdefault(key, title)
    titles = list(found)
    for text in texts:
        for match in _NAME.finditer(text):
            name = match.group(1).replace("[", "").replace("]", "")
            name = name.removesuffix("’s").removesuffix("'s")
            key = fold(name)
            words = key.split()
            if not words or words[0] in _NOT_NAME_START or key in speakers:
                continue
            if all(w in speaker_parts for w in words) or any(
                f" {key} " in f" {t} " for t in titles
            ):
                continue
            found.setdefault(key, name)
    return [Topic(slug_for(name), name, (), (), curated=False) for name in found.values()]


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
    """Curated topics first, then extracted ones not already covered by a curated term."""
    covered = {t for topic in curated for t in terms(topic)}
    auto: dict[str, Topic] = {}
    for interview in interviews:
        for cand in extract_candidates(interview):
            if fold(cand.name) in covered or cand.slug in auto:
                continue
            auto[cand.slug] = cand
    passages = [p for i in interviews for p in i.passages if p.role == "interviewee"]
    return link([*curated, *sorted(auto.values(), key=lambda t: t.name.casefold())], passages)
