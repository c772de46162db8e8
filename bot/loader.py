"""Find and validate every input file (transcripts, sidecars, topics) into one `Corpus`.

Pure and synchronous: the bot runs it in a worker thread. It never stops at the first
problem: every error is collected with its file and line, and a corpus with errors is
never stored.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.errors import SourceError
from bot.models import Interview, InterviewMeta, Topic, split_people
from bot.topics import build_topics, load_curated, toml_error_line
from bot.transcript import TranscriptError, read_transcript, slugify
from bot.trivia import Question, load_all_curated

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".vtt", ".srt")
TOPICS_FILE = "topics.toml"
META_KEYS = ("title", "interviewee", "interviewer", "publication", "date", "url")
# Who is who in the file: a string ("A and B", "A, B") or a list of names each.
PEOPLE_KEYS = ("interviewees", "interviewers")
SIDECAR_KEYS = (*META_KEYS, *PEOPLE_KEYS, "aliases")
IGNORED_NAMES = frozenset({"readme.md", "readme.txt"})
LoadError = SourceError  # every input problem, whatever file kind it came from


@dataclass(frozen=True, slots=True)
class Corpus:
    interviews: tuple[Interview, ...] = ()
    topics: tuple[Topic, ...] = ()
    errors: tuple[LoadError, ...] = ()
    files: tuple[Path, ...] = field(default=())
    trivia: tuple[Question, ...] = ()  # curated questions, each checked against `interviews`

    @property
    def ok(self) -> bool:
        return not self.errors


def title_from_stem(stem: str) -> str:
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(w if w.isupper() else w.capitalize() for w in words) or stem


def read_sidecar(path: Path, stem: str) -> tuple[InterviewMeta, list[LoadError], bytes]:
    """Read `<stem>.toml` beside a transcript; a missing sidecar gives a title from the stem."""
    if not path.is_file():
        return InterviewMeta(title=title_from_stem(stem)), [], b""
    raw = path.read_bytes()
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return (
            InterviewMeta(title=title_from_stem(stem)),
            [LoadError(str(path), None, "not UTF-8")],
            raw,
        )
    except tomllib.TOMLDecodeError as exc:
        err = LoadError(str(path), toml_error_line(exc), f"invalid TOML: {exc}")
        return InterviewMeta(title=title_from_stem(stem)), [err], raw
    errors = [
        LoadError(str(path), None, f"unknown key {key!r} (allowed: {', '.join(SIDECAR_KEYS)})")
        for key in doc
        if key not in SIDECAR_KEYS
    ]
    people: dict[str, tuple[str, ...]] = {}
    for single, plural in (("interviewee", "interviewees"), ("interviewer", "interviewers")):
        names: list[str] = []
        for key in (plural, single):
            names.extend(_people(doc.get(key), key, str(path), errors))
        people[plural] = tuple(dict.fromkeys(names))
    aliases = _aliases(doc.get("aliases"), str(path), errors)
    values: dict[str, str | None] = {}
    for key in META_KEYS:
        value = doc.get(key)
        if isinstance(value, list):
            value = None  # interviewee/interviewer lists are read above
        elif value is not None and not isinstance(value, str):
            value = str(value)  # TOML dates are fine; keep them as written text
        values[key] = value.strip() if isinstance(value, str) and value.strip() else None
    # The store keeps one interviewee (the first) and the interviewers as one string.
    values["interviewee"] = people["interviewees"][0] if people["interviewees"] else None
    values["interviewer"] = ", ".join(people["interviewers"]) or None
    title = values.pop("title") or None
    if title is None:
        errors.append(LoadError(str(path), None, "a sidecar needs a non-empty title"))
        title = title_from_stem(stem)
    meta = InterviewMeta(
        title=title,
        **values,
        interviewees=people["interviewees"],
        interviewers=people["interviewers"],
        aliases=aliases,
    )
    return meta, errors, raw


def _people(value: object, key: str, path: str, errors: list[LoadError]) -> list[str]:
    """Names from a sidecar value: "A", "A and B", "A, B" or ["A", "B"]."""
    if value is None:
        return []
    if isinstance(value, str):
        return list(split_people(value))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [" ".join(v.split()) for v in value if v.strip()]
    errors.append(LoadError(path, None, f"{key!r} must be a name or a list of names"))
    return []


def _aliases(value: object, path: str, errors: list[LoadError]) -> tuple[tuple[str, str], ...]:
    """`aliases = { "JD" = "Jane Doe" }`: a label as written and the person it means."""
    if value is None:
        return ()
    if isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
        for k, v in value.items()
    ):
        return tuple((k.strip(), " ".join(v.split())) for k, v in value.items())
    errors.append(
        LoadError(path, None, 'aliases must map labels to names: aliases = { "JD" = "Jane Doe" }')
    )
    return ()


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Path], list[LoadError]]:
    """Transcript files and topics files under `paths` (files or directories), sorted."""
    transcripts: list[Path] = []
    topic_files: list[Path] = []
    errors: list[LoadError] = []
    for root in paths:
        if root.is_file():
            (topic_files if root.name == TOPICS_FILE else transcripts).append(root)
            continue
        if not root.is_dir():
            errors.append(LoadError(str(root), None, "no such file or directory"))
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            if path.name == TOPICS_FILE:
                topic_files.append(path)
            elif (
                path.suffix.lower() in TRANSCRIPT_SUFFIXES
                and path.name.lower() not in IGNORED_NAMES
            ):
                transcripts.append(path)
    return transcripts, topic_files, errors


def load_interview(path: Path) -> tuple[Interview | None, list[LoadError]]:
    meta, errors, sidecar_bytes = read_sidecar(path.with_suffix(".toml"), path.stem)
    try:
        interview = read_transcript(path, meta)
    except TranscriptError as exc:
        return None, [*errors, LoadError(exc.path, exc.line, exc.message)]
    except OSError as exc:
        return None, [*errors, LoadError(str(path), None, f"cannot read: {exc.strerror}")]
    if sidecar_bytes:
        digest = hashlib.sha256(interview.content_hash.encode() + sidecar_bytes).hexdigest()
        interview = replace(interview, content_hash=digest)
    return interview, errors


def load_corpus(paths: Sequence[Path]) -> Corpus:
    """Parse and validate everything under `paths`; errors are collected, not raised."""
    transcripts, topic_files, errors = discover(paths)
    if not transcripts and not errors:
        where = ", ".join(str(p) for p in paths) or "(no paths)"
        errors.append(LoadError(where, None, "no transcripts (*.txt, *.md) found"))
    interviews: list[Interview] = []
    origin: dict[str, Path] = {}
    for path in transcripts:
        interview, problems = load_interview(path)
        errors.extend(problems)
        if interview is None:
            continue
        if interview.id in origin:
            errors.append(
                LoadError(
                    str(path),
                    None,
                    f"interview id {interview.id!r} also used by {origin[interview.id]}",
                )
            )
            continue
        origin[interview.id] = path
        interviews.append(interview)
    transcripts_ok = not errors
    curated: list[Topic] = []
    for topics_path in topic_files:
        topics, topic_errors = load_curated(topics_path)
        curated.extend(topics)
        errors.extend(topic_errors)
    topics = build_topics(curated, interviews)
    # Evidence is looked up only when every transcript loaded (else only the shape is checked).
    trivia, trivia_errors, trivia_files = load_all_curated(
        paths, interviews if transcripts_ok else None
    )
    errors.extend(trivia_errors)
    return Corpus(
        interviews=tuple(interviews),
        topics=tuple(topics),
        errors=tuple(errors),
        files=tuple([*transcripts, *topic_files, *trivia_files]),
        trivia=tuple(trivia),
    )


__all__ = ["Corpus", "LoadError", "discover", "load_corpus", "slugify", "title_from_stem"]
