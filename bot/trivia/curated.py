"""Curated questions (`data/trivia.toml`): each is refused at load time unless its
evidence occurs verbatim in a loaded interview, contains the answer and none of the
distractors. Every problem is reported with its file and line."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import SourceError
from bot.models import Interview
from bot.topics import fold, toml_error_line
from bot.trivia.model import (
    DIFFICULTIES,
    EVIDENCE_MAX,
    LABEL_MAX,
    MAX_DISTRACTORS,
    MIN_DISTRACTORS,
    QUESTION_MAX,
    Question,
    contains_words,
    question_id,
    squash,
)

TRIVIA_FILE = "trivia.toml"
CURATED_KEYS = ("question", "answer", "distractors", "difficulty", "evidence", "interview")


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True, slots=True)
class EvidenceSite:
    interview_id: str
    passage_id: str
    speaker: str | None  # None: the evidence is in the interviewer's question


class EvidenceIndex:
    """Where a verbatim phrase occurs: an answer paragraph, or the question it answers."""

    def __init__(self, interviews: Iterable[Interview]) -> None:
        self.texts: list[tuple[str, str, EvidenceSite]] = []
        self.ids: set[str] = set()
        for iv in interviews:
            self.ids.add(iv.id)
            for p in iv.passages:
                for para in p.paragraphs:
                    self.texts.append((iv.id, squash(para), EvidenceSite(iv.id, p.id, p.speaker)))
                if p.question:
                    self.texts.append((iv.id, squash(p.question), EvidenceSite(iv.id, p.id, None)))

    def find(self, evidence: str, interview_id: str | None = None) -> EvidenceSite | None:
        needle = squash(evidence)
        for iid, text, site in self.texts:
            if (interview_id is None or iid == interview_id) and needle in text:
                return site
        return None

    def near_miss(self, evidence: str) -> bool:
        """The phrase occurs when case, accents and punctuation are ignored."""
        return any(contains_words(text, evidence) for _, text, _ in self.texts)


# --------------------------------------------------------------------------- curated

_HEADER = re.compile(r"^\s*\[\[\s*question\s*\]\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(r'^\s*"?([A-Za-z0-9_-]+)"?\s*=')


class _Lines:
    """Line numbers of the `[[question]]` tables of a file and of the keys inside them."""

    def __init__(self, raw: str) -> None:
        self.lines = raw.splitlines()
        self.headers = [n for n, text in enumerate(self.lines, 1) if _HEADER.match(text)]

    def table(self, index: int) -> int | None:
        return self.headers[index] if index < len(self.headers) else None

    def key(self, index: int, key: str) -> int | None:
        start = self.table(index)
        if start is None:
            return None
        end = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.lines) + 1
        for number in range(start + 1, end):
            match = _KEY_LINE.match(self.lines[number - 1])
            if match and match.group(1) == key:
                return number
        return start

    def top_level(self, key: str) -> int | None:
        end = self.headers[0] if self.headers else len(self.lines) + 1
        for number in range(1, end):
            match = _KEY_LINE.match(self.lines[number - 1])
            if match and match.group(1) == key:
                return number
        return None


def _text(entry: Mapping[str, Any], key: str, limit: int) -> tuple[str | None, str | None]:
    """(value, problem) for a required one-line text field."""
    value = entry.get(key)
    if value is None:
        return None, f"missing `{key}`"
    if not isinstance(value, str) or not squash(value):
        return None, f"`{key}` must be non-empty text"
    value = squash(value)
    if len(value) > limit:
        return None, f"`{key}` is {len(value)} characters; at most {limit} fit"
    return value, None


def _check_entry(
    entry: Any, evidence_index: EvidenceIndex | None
) -> tuple[dict[str, Any] | None, list[tuple[str | None, str]]]:
    """Validate one table; problems are (key it concerns or None, message)."""
    if not isinstance(entry, dict):
        return None, [(None, "each [[question]] must be a table")]
    problems: list[tuple[str | None, str]] = []
    for key in entry:
        if key not in CURATED_KEYS:
            problems.append((key, f"unknown key `{key}` (allowed: {', '.join(CURATED_KEYS)})"))
    question, problem = _text(entry, "question", QUESTION_MAX)
    if problem:
        problems.append(("question", problem))
    answer, problem = _text(entry, "answer", LABEL_MAX)
    if problem:
        problems.append(("answer", f"{problem} (it is a button label)"))
    evidence, problem = _text(entry, "evidence", EVIDENCE_MAX)
    if problem:
        problems.append(("evidence", problem))
    raw_distractors = entry.get("distractors")
    distractors: list[str] = []
    if not isinstance(raw_distractors, list) or not all(
        isinstance(d, str) and squash(d) for d in raw_distractors
    ):
        problems.append(("distractors", "`distractors` must be a list of non-empty text"))
    else:
        distractors = [squash(d) for d in raw_distractors]
        if not MIN_DISTRACTORS <= len(distractors) <= MAX_DISTRACTORS:
            problems.append(
                (
                    "distractors",
                    f"give {MIN_DISTRACTORS} to {MAX_DISTRACTORS} distractors, not {len(distractors)}",
                )
            )
        for d in distractors:
            if len(d) > LABEL_MAX:
                problems.append(("distractors", f"distractor {d!r} is longer than {LABEL_MAX}"))
    difficulty = entry.get("difficulty")
    if difficulty not in DIFFICULTIES:
        problems.append(
            (
                "difficulty",
                f"`difficulty` must be one of {', '.join(DIFFICULTIES)}, not {difficulty!r}",
            )
        )
    interview = entry.get("interview")
    if interview is not None and not (isinstance(interview, str) and interview.strip()):
        problems.append(("interview", "`interview` must be an interview id (the file name's slug)"))
        interview = None
    if answer is not None and distractors:
        seen: dict[str, str] = {}
        for choice in (answer, *distractors):
            key = fold(choice)
            if not key:
                problems.append(("distractors", f"choice {choice!r} has no letters or digits"))
            elif key in seen:
                problems.append(
                    ("distractors", f"choices {seen[key]!r} and {choice!r} are the same")
                )
            else:
                seen[key] = choice
    if evidence is not None and answer is not None:
        if not contains_words(evidence, answer):
            problems.append(
                ("answer", f"the evidence does not support the answer: {answer!r} is not in it")
            )
        for d in distractors:
            if contains_words(evidence, d):
                problems.append(
                    (
                        "distractors",
                        f"distractor {d!r} also occurs in the evidence, so it could be right too",
                    )
                )
    site: EvidenceSite | None = None
    if evidence is not None and evidence_index is not None:
        if interview is not None and interview not in evidence_index.ids:
            problems.append(("interview", f"no loaded interview has the id {interview!r}"))
        else:
            site = evidence_index.find(evidence, interview)
            if site is None:
                hint = (
                    " (it does with other punctuation, case or accents: copy it exactly)"
                    if evidence_index.near_miss(evidence)
                    else ""
                )
                problems.append(
                    (
                        "evidence",
                        f"the evidence does not occur in a loaded transcript{hint}: {evidence!r}",
                    )
                )
    if problems:
        return None, problems
    assert question is not None and answer is not None and evidence is not None
    values: dict[str, Any] = {
        "question": question,
        "answer": answer,
        "distractors": tuple(distractors),
        "difficulty": difficulty,
        "evidence": evidence,
        "site": site,
    }
    return values, []


def load_curated(
    path: Path, interviews: Sequence[Interview] | None
) -> tuple[list[Question], list[SourceError]]:
    """Read and validate a trivia file; every problem is reported with its line.

    With `interviews=None` only the file's shape is checked (used when the transcripts
    themselves failed to load, so evidence cannot be looked up).
    """
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [], [SourceError(where, None, f"not UTF-8 ({exc.reason})")]
    except OSError as exc:
        return [], [SourceError(where, None, f"cannot read: {exc.strerror}")]
    try:
        doc = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        return [], [SourceError(where, toml_error_line(exc), f"invalid TOML: {exc}")]
    lines = _Lines(raw)
    errors: list[SourceError] = []
    for key in doc:
        if key != "question":
            errors.append(
                SourceError(
                    where, lines.top_level(key), f"unknown key `{key}`: use [[question]] tables"
                )
            )
    entries = doc.get("question", [])
    if not isinstance(entries, list):
        return [], [
            *errors,
            SourceError(where, lines.top_level("question"), "expected [[question]] tables"),
        ]
    index = EvidenceIndex(interviews) if interviews is not None else None
    questions: list[Question] = []
    first_line: dict[str, int | None] = {}
    for number, entry in enumerate(entries):
        values, problems = _check_entry(entry, index)
        for concerns, message in problems:
            line = lines.key(number, concerns) if concerns else lines.table(number)
            errors.append(SourceError(where, line, message))
        if values is None:
            continue
        line = lines.table(number)
        qid = question_id("curated", fold(values["question"]))
        if qid in first_line:
            errors.append(
                SourceError(
                    where, line, f"the same question is already asked at line {first_line[qid]}"
                )
            )
            continue
        first_line[qid] = line
        site: EvidenceSite | None = values["site"]
        questions.append(
            Question(
                id=qid,
                kind="curated",
                text=values["question"],
                answer=values["answer"],
                distractors=values["distractors"],
                difficulty=values["difficulty"],
                evidence=values["evidence"],
                interview_id=site.interview_id if site else "",
                passage_id=site.passage_id if site else "",
                speaker=site.speaker if site else None,
                source=where,
                line=line,
            )
        )
    return questions, errors


def find_trivia_files(paths: Iterable[Path]) -> list[Path]:
    """Every `trivia.toml` under `paths` (files or directories), sorted."""
    found: list[Path] = []
    for root in paths:
        if root.is_file() and root.name == TRIVIA_FILE:
            found.append(root)
        elif root.is_dir():
            found.extend(sorted(p for p in root.rglob(TRIVIA_FILE) if p.is_file()))
    return found


def load_all_curated(
    paths: Iterable[Path], interviews: Sequence[Interview] | None
) -> tuple[list[Question], list[SourceError], list[Path]]:
    """All trivia files under `paths`; a question asked in two files is an error."""
    questions: list[Question] = []
    errors: list[SourceError] = []
    files = find_trivia_files(paths)
    seen: dict[str, Question] = {}
    for path in files:
        found, problems = load_curated(path, interviews)
        errors.extend(problems)
        for q in found:
            if q.id in seen:
                other = seen[q.id]
                errors.append(
                    SourceError(
                        str(path), q.line, f"the same question is in {other.source}:{other.line}"
                    )
                )
                continue
            seen[q.id] = q
            questions.append(q)
    return questions, errors, files
