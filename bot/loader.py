"""Find and validate every input file (transcripts, sidecars, topics) into one `Corpus`.

Pure and synchronous: the bot runs it in a worker thread. It never stops at the first
problem: every error is collected with its file and line. A load goes ahead per file (a
failed transcript keeps its stored version or is skipped, see `assemble`), or all or
nothing (`load_corpus`, `quotebot load --strict`).
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
from bot.transcript import TranscriptError, read_transcript, slugify, title_from_stem
from bot.trivia import Question, load_all_curated

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".vtt", ".srt")
TOPICS_FILE = "topics.toml"
META_KEYS = ("title", "interviewee", "interviewer", "publication", "date", "url")
# Who is who in the file: a string ("A and B", "A, B") or a list of names each.
PEOPLE_KEYS = ("interviewees", "interviewers")
SIDECAR_KEYS = (*META_KEYS, *PEOPLE_KEYS, "aliases")
IGNORED_NAMES = frozenset({"readme.md", "readme.txt"})
LoadError = SourceError  # every input problem, whatever file kind it came from


# What a problem did to a load that goes ahead per file (see `assemble`).
NOTHING_LOADED = "nothing was loaded"
KEPT_PREVIOUS = "kept the version loaded before"
SKIPPED_NEW = "not loaded (it was not loaded before)"
TOPICS_KEPT = "kept the curated topics loaded before"
TRIVIA_KEPT = "kept the trivia questions loaded before"


@dataclass(frozen=True, slots=True)
class Problem:
    """An input error and what the load did about it (one of the constants above)."""

    error: LoadError
    effect: str


@dataclass(frozen=True, slots=True)
class Corpus:
    interviews: tuple[Interview, ...] = ()
    topics: tuple[Topic, ...] = ()
    problems: tuple[Problem, ...] = ()
    files: tuple[Path, ...] = field(default=())
    trivia: tuple[Question, ...] = ()  # curated questions, each checked against `interviews`
    failed: tuple[str, ...] = ()  # interview ids whose file(s) had a problem
    kept: tuple[str, ...] = ()  # of those, the ones stored again at their previous version
    fatal: tuple[LoadError, ...] = ()  # problems that refuse the whole load
    topics_kept: bool = False  # a topics file had a problem: the stored curated topics stay
    trivia_kept: bool = False  # a trivia file had a problem: the stored questions stay

    @property
    def errors(self) -> tuple[LoadError, ...]:
        return tuple(p.error for p in self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def skipped(self) -> tuple[str, ...]:
        """Failed interview ids with no stored version: not loaded at all."""
        return tuple(i for i in self.failed if i not in self.kept)


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


@dataclass(frozen=True, slots=True)
class Parsed:
    """Every transcript read, before topics and trivia are built (see `assemble`)."""

    paths: tuple[Path, ...]
    interviews: tuple[Interview, ...]
    failed: dict[str, tuple[LoadError, ...]]  # interview id -> the problems of its file(s)
    fatal: tuple[LoadError, ...]  # problems that refuse the whole load
    transcripts: tuple[Path, ...]
    topic_files: tuple[Path, ...]


def parse_inputs(paths: Sequence[Path]) -> Parsed:
    """Read every transcript under `paths`, keeping each file's problems apart.

    A file with any problem (its transcript or its sidecar) is *failed* under its interview
    id; two files with the same id both fail (neither silently wins). A missing path or no
    transcript at all is *fatal*: storing what was found would remove every interview.
    """
    transcripts, topic_files, fatal = discover(paths)
    if not transcripts and not fatal:
        where = ", ".join(str(p) for p in paths) or "(no paths)"
        fatal.append(LoadError(where, None, "no transcripts (*.txt, *.md) found"))
    by_id: dict[str, list[tuple[Path, Interview | None, list[LoadError]]]] = {}
    for path in transcripts:
        interview, problems = load_interview(path)
        iid = interview.id if interview is not None else slugify(path.stem)
        by_id.setdefault(iid, []).append((path, interview, problems))
    interviews: list[Interview] = []
    failed: dict[str, tuple[LoadError, ...]] = {}
    for iid, found in by_id.items():
        problems = [e for _, _, errors in found for e in errors]
        if len(found) > 1:
            names = ", ".join(str(path) for path, _, _ in found)
            problems += [
                LoadError(
                    str(path),
                    None,
                    f"interview id {iid!r} is used by {len(found)} files ({names}): rename one",
                )
                for path, _, _ in found
            ]
        interview = found[0][1]
        if problems or interview is None:
            failed[iid] = tuple(problems)
        else:
            interviews.append(interview)
    return Parsed(
        paths=tuple(paths),
        interviews=tuple(interviews),
        failed=failed,
        fatal=tuple(fatal),
        transcripts=tuple(transcripts),
        topic_files=tuple(topic_files),
    )


def assemble(
    parsed: Parsed,
    kept: Sequence[Interview] | None = None,
    previous_topics: Sequence[Topic] = (),
) -> Corpus:
    """Build topics and check trivia for what will be stored.

    `kept=None` is all-or-nothing (`--strict`): every problem is an error and the corpus is
    only good without any. Otherwise a load goes ahead per file: `kept` are the stored
    versions of failed files (they are stored again unchanged); a failed file without one
    is skipped. Curated topics with a problem fall back to `previous_topics` (the stored
    curated ones) and trivia with a problem to the stored questions (`trivia_kept`).
    """
    per_file = kept is not None
    interviews = [*parsed.interviews, *(kept or ())]
    kept_ids = {iv.id for iv in kept or ()}

    def effect(default: str) -> str:
        return default if per_file and not parsed.fatal else NOTHING_LOADED

    problems = [Problem(e, NOTHING_LOADED) for e in parsed.fatal]
    for iid, errors in parsed.failed.items():
        done = effect(KEPT_PREVIOUS if iid in kept_ids else SKIPPED_NEW)
        problems.extend(Problem(e, done) for e in errors)
    curated: list[Topic] = []
    topic_errors: list[LoadError] = []
    for topics_path in parsed.topic_files:
        topics, found = load_curated(topics_path)
        curated.extend(topics)
        topic_errors.extend(found)
    topics_kept = per_file and bool(topic_errors)
    if topics_kept:
        curated = list(previous_topics)
    problems.extend(Problem(e, effect(TOPICS_KEPT)) for e in topic_errors)
    # Evidence is looked up in what will be stored; in an all-or-nothing load that failed
    # only the shape is checked (the missing transcripts would make every lookup fail).
    complete = (per_file and not parsed.fatal) or not parsed.failed
    trivia, trivia_errors, trivia_files = load_all_curated(
        parsed.paths, interviews if complete else None
    )
    problems.extend(Problem(e, effect(TRIVIA_KEPT)) for e in trivia_errors)
    return Corpus(
        interviews=tuple(interviews),
        topics=tuple(build_topics(curated, interviews)),
        problems=tuple(problems),
        files=tuple([*parsed.transcripts, *parsed.topic_files, *trivia_files]),
        trivia=tuple(trivia),
        failed=tuple(parsed.failed),
        kept=tuple(iv.id for iv in kept or ()),
        fatal=parsed.fatal,
        topics_kept=topics_kept,
        trivia_kept=per_file and bool(trivia_errors),
    )


def load_corpus(paths: Sequence[Path]) -> Corpus:
    """Parse and validate everything under `paths`, all or nothing (errors collected)."""
    return assemble(parse_inputs(paths))


__all__ = [
    "Corpus",
    "LoadError",
    "Parsed",
    "Problem",
    "assemble",
    "discover",
    "load_corpus",
    "parse_inputs",
    "slugify",
    "title_from_stem",
]
