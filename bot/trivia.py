"""Trivia core: curated questions checked against the transcripts, generated questions,
the per-guild pool without repeats, and scoring. Pure Python, no discord import.

Every question carries its evidence: the exact phrase of a loaded transcript that proves
the answer. Curated questions (`data/trivia.toml`) are refused at load time unless the
evidence occurs verbatim in a loaded interview, contains the answer and none of the
distractors. Generated questions are derived from the transcripts themselves:

* "complete the quote": a sentence with one meaningful span blanked (a title, a name, a
  number or a rare content word, never a stop word); the distractors are of the same kind,
  drawn from the corpus, and none of them occurs in the corpus in the blank's context
  (the word before + distractor + the word after), so no other choice also fits.
* "who said it?": a sentence and the speakers (or, for one speaker in several interviews,
  the interviews) to choose from; the sentence occurs for exactly one of the choices.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import tomllib
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from bot.errors import SourceError
from bot.models import Interview, Passage
from bot.topics import fold, toml_error_line

TRIVIA_FILE = "trivia.toml"
Difficulty = Literal["easy", "medium", "hard"]
Kind = Literal["curated", "complete", "who"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
MIN_DISTRACTORS = 3
MAX_DISTRACTORS = 4  # answer + 4 = 5 buttons: one row
LABEL_MAX = 80  # a button label
QUESTION_MAX = 300
EVIDENCE_MAX = 600
BLANK = "_____"
CURATED_KEYS = ("question", "answer", "distractors", "difficulty", "evidence", "interview")

# Scoring: 10 points for a right answer plus a speed bonus of up to 5, scaled by the share
# of the round's time still left when the member answered. A wrong answer scores 0.
BASE_POINTS = 10
SPEED_BONUS = 5
CURATED_SHARE = 0.6  # chance of drawing a curated question while unseen ones remain

# Generation limits: bounded work per interview however long the transcript is.
MAX_COMPLETE_PER_INTERVIEW = 60
MAX_WHO_PER_INTERVIEW = 30
MIN_SENTENCE_WORDS = 6
MAX_SENTENCE_WORDS = 40
DRAW_ATTEMPTS = 60

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


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class Question:
    """One trivia question with its proof."""

    id: str
    kind: Kind
    text: str  # the question as asked
    answer: str
    distractors: tuple[str, ...]
    difficulty: Difficulty
    evidence: str  # the exact transcript phrase that proves the answer
    interview_id: str
    passage_id: str
    speaker: str | None = None  # who said the evidence; None for the interviewer
    source: str | None = None  # where a curated question is written
    line: int | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        return (self.answer, *self.distractors)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "answer": self.answer,
            "distractors": list(self.distractors),
            "difficulty": self.difficulty,
            "evidence": self.evidence,
            "interview_id": self.interview_id,
            "passage_id": self.passage_id,
            "speaker": self.speaker,
            "source": self.source,
            "line": self.line,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            id=str(data["id"]),
            kind=cast(Kind, data["kind"]),
            text=str(data["text"]),
            answer=str(data["answer"]),
            distractors=tuple(str(d) for d in data["distractors"]),
            difficulty=cast(Difficulty, data["difficulty"]),
            evidence=str(data["evidence"]),
            interview_id=str(data["interview_id"]),
            passage_id=str(data["passage_id"]),
            speaker=data.get("speaker"),
            source=data.get("source"),
            line=data.get("line"),
        )


def question_id(kind: str, *parts: str) -> str:
    """Stable 10-hex id; a curated question is identified by its (folded) wording."""
    key = "\0".join((kind, *parts))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def contains_words(haystack: str, needle: str) -> bool:
    """Whether `needle` occurs in `haystack` as whole words, ignoring case, accents, punctuation."""
    folded = fold(needle)
    return bool(folded) and f" {folded} " in f" {fold(haystack)} "


def squash(text: str) -> str:
    return " ".join(text.split())


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


# --------------------------------------------------------------------------- generation

_TITLE = re.compile(r"[“\"]([^”“\"\n]{1,90}?)[”\"]")
_WORD = re.compile(r"[^\W\d_](?:[\w’'\-.]*[^\W_])?")
_NUMBER = re.compile(r"(?<![\w.,’'\-])\d{1,4}(?![\w’'\-]|[.,]\d)")
_LOWER_WORD = re.compile(r"[a-zà-ÿ]+")
_NAME_WORD = re.compile(r"[A-ZÀ-Þ][a-zà-ÿ]*[a-zà-ÿ][A-Za-zà-ÿ]*")
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


def _stems(text: str) -> set[str]:
    stems = set()
    for w in fold(text).split():
        if w in STOPWORDS:
            continue
        for suffix in ("ing", "es", "ed", "ly", "s"):
            if len(w) > len(suffix) + 3 and w.endswith(suffix):
                w = w[: -len(suffix)]
                break
        stems.add(w[:6])
    return stems


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
    if any(fold(w) in _PRONOUNS or "’" in w or "'" in w for w in words):
        return False  # speech: “She’s the one.”
    small = {"a", "an", "the", "of", "in", "on", "and", "or", "to", "for", "at", "by", "…"}
    if any(not (w[0].isupper() or w[0].isdigit() or w.casefold() in small) for w in words):
        return False
    key = fold(inner)
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
    words = [m for m in _WORD.finditer(sentence) if not _inside(m.start(), taken)]
    first_word = next(iter(_WORD.finditer(sentence)), None)
    run: list[re.Match[str]] = []

    def flush() -> None:
        if run:
            text = sentence[run[0].start() : run[-1].end()]
            before = sentence[: run[0].start()]
            previous = before.split()[-1:] if before.endswith(" ") else []
            if previous and previous[0][:1].isupper() and previous[0][-1:].isalpha():
                run.clear()  # the tail of a longer name ("New York", "Suzanna Son")
                return
            if len(run) == 1 and len(text) >= 6 and fold(text).endswith(_DEMONYM):
                kind = "name:demonym"
            else:
                kind = "name:1" if len(run) == 1 else "name:2"
            if len(run) <= 3:
                spans.append(Span(run[0].start(), run[-1].end(), text, kind))
            run.clear()

    for m in words:
        token = m.group()
        is_name = (
            _NAME_WORD.fullmatch(token) is not None
            and fold(token) not in STOPWORDS
            and (
                first_word is None or m.start() != first_word.start() or fold(token) in capitalised
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
            and fold(token) not in STOPWORDS
            and sentence[m.end() : m.end() + 1] not in ("’", "'", "-")
            and sentence[max(0, m.start() - 1) : m.start()] not in ("’", "'", "-")
        ):
            spans.append(Span(m.start(), m.end(), token, f"word:{word_class(token)}"))
    flush()
    for m in _NUMBER.finditer(sentence):
        if not _inside(m.start(), taken):
            spans.append(Span(m.start(), m.end(), m.group(), "number"))
    return spans


class CorpusText:
    """Folded tokens of every answer and question, for "does this also fit?" checks,
    plus the vocabulary of each kind that distractors are drawn from."""

    SEPARATOR = "\0"

    def __init__(self, passages: Sequence[Passage], stop: threading.Event | None = None) -> None:
        self.tokens: list[str] = []
        self.positions: dict[str, list[int]] = defaultdict(list)
        chunks: list[str] = []
        for p in _checked(passages, stop):
            chunks.extend(p.sentences or (p.text,))
            if p.question:
                chunks.append(p.question)
        for chunk in _checked(chunks, stop):
            for token in fold(chunk).split():
                self.positions[token].append(len(self.tokens))
                self.tokens.append(token)
            self.tokens.append(self.SEPARATOR)
        self.capitalised: set[str] = set()
        for chunk in _checked(chunks, stop):
            for n, m in enumerate(_WORD.finditer(chunk)):
                if n and _NAME_WORD.fullmatch(m.group()):
                    self.capitalised.add(fold(m.group()))
        vocab: dict[str, dict[str, str]] = defaultdict(dict)
        for chunk in _checked(chunks, stop):
            for span in candidate_spans(chunk, self.capitalised):
                vocab[span.kind].setdefault(fold(span.text), span.text)
        self.vocab: dict[str, list[tuple[str, str]]] = {
            kind: sorted(items.items()) for kind, items in vocab.items()
        }

    def frequency(self, folded: str) -> int:
        words = folded.split()
        return min((len(self.positions.get(w, ())) for w in words), default=0)

    def occurs(self, sequence: Sequence[str]) -> bool:
        """Whether the folded token sequence occurs anywhere in the corpus."""
        if not sequence:
            return False
        rarest = min(range(len(sequence)), key=lambda i: len(self.positions.get(sequence[i], ())))
        size = len(sequence)
        for pos in self.positions.get(sequence[rarest], ()):
            start = pos - rarest
            if start >= 0 and self.tokens[start : start + size] == list(sequence):
                return True
        return False


def context_of(sentence: str, span: Span) -> tuple[list[str], list[str]]:
    """The folded word before and after `span` (empty at the sentence's edges)."""
    before = fold(sentence[: span.start]).split()[-1:]
    after = fold(sentence[span.end :]).split()[:1]
    return before, after


def fits(corpus: CorpusText, sentence: str, span: Span, choice: str) -> bool:
    """`choice` in place of the blank makes a phrase the corpus contains."""
    before, after = context_of(sentence, span)
    return corpus.occurs([*before, *fold(choice).split(), *after])


_PRIORITY = {"title": 0, "name:2": 1, "name:1": 2, "name:demonym": 2, "number": 3}
_DIFFICULTY: dict[str, Difficulty] = {
    "title": "easy",
    "name:2": "easy",
    "name:1": "medium",
    "name:demonym": "medium",
    "number": "hard",
}


GENERIC = frozenset(
    """able bring call change feel figure find happen happens head hold imagine keep lead
    leave matter mentioned move need overall past pick place play point quick realized
    remember show start started stay talk tell turn understand watch wonder work world
    year years""".split()
)


def meaningful(corpus: CorpusText, span: Span) -> bool:
    """Whether a span is worth blanking: never a stop word or a generic verb; a plain word
    must be rare in the corpus and, without a telling suffix, at least six letters."""
    key = fold(span.text)
    if not key or key in STOPWORDS or key in GENERIC:
        return False
    if span.kind.startswith("word:"):
        if corpus.frequency(key) > 3:
            return False
        return span.kind != "word:base" or len(key) >= 6
    return True


def _distractors(
    corpus: CorpusText, sentence: str, span: Span, rng: random.Random, wanted: int
) -> list[str]:
    pool = corpus.vocab.get(span.kind, [])
    answer_key = fold(span.text)
    answer_stems = _stems(span.text)
    chosen: list[str] = []
    keys: set[str] = {answer_key}
    if len(pool) <= 1:
        return []
    for _ in range(DRAW_ATTEMPTS):
        if len(chosen) == wanted:
            break
        key, display = pool[rng.randrange(len(pool))]
        if key in keys or len(display) > LABEL_MAX:
            continue
        keys.add(key)
        if _stems(display) & answer_stems or answer_key in key or key in answer_key:
            continue
        if span.kind.startswith("word:") and abs(len(display) - len(span.text)) > 3:
            continue
        if contains_words(sentence, display) or fits(corpus, sentence, span, display):
            continue
        chosen.append(display)
    return chosen


def _complete_question(corpus: CorpusText, passage: Passage, index: int) -> Question | None:
    sentence = passage.sentences[index]
    words = fold(sentence).split()
    if not MIN_SENTENCE_WORDS <= len(words) <= MAX_SENTENCE_WORDS or "[" in sentence:
        return None
    spans = candidate_spans(sentence, corpus.capitalised)
    ranked = sorted(
        spans,
        key=lambda s: (_PRIORITY.get(s.kind, 4), corpus.frequency(fold(s.text)), s.start),
    )
    folded_sentence = f" {fold(sentence)} "
    for span in ranked:
        key = fold(span.text)
        if not meaningful(corpus, span):
            continue
        if folded_sentence.count(f" {key} ") != 1 or len(span.text) > LABEL_MAX:
            continue
        if len(key.split()) * 2 > len(words):
            continue  # the blank must leave enough of the sentence to recognise
        qid = question_id("complete", passage.id, str(index), key)
        rng = random.Random(int(qid, 16))
        distractors = _distractors(corpus, sentence, span, rng, MIN_DISTRACTORS)
        if len(distractors) < MIN_DISTRACTORS:
            continue
        blanked = f"{sentence[: span.start]}{BLANK}{sentence[span.end :]}"
        return Question(
            id=qid,
            kind="complete",
            text=f"Complete what {passage.speaker} said:\n“{blanked}”",
            answer=span.text,
            distractors=tuple(distractors),
            difficulty=_DIFFICULTY.get(
                span.kind, "hard" if corpus.frequency(key) == 1 else "medium"
            ),
            evidence=sentence,
            interview_id=passage.interview_id,
            passage_id=passage.id,
            speaker=passage.speaker,
        )
    return None


def _handles(name: str) -> set[str]:
    return {w for w in fold(name).split() if len(w) > 2} | {fold(name)}


def _who_questions(
    passages: Sequence[Passage],
    titles: Mapping[str, str],
    limit: int,
    stop: threading.Event | None = None,
) -> list[Question]:
    speakers = sorted({p.speaker for p in passages})
    by_interview = sorted({p.interview_id for p in passages})
    if len(speakers) >= 2:
        mode = "speaker"
        labels = {s: s[:LABEL_MAX] for s in speakers}
    elif len(by_interview) >= 2:
        mode = "interview"
        labels = {}
        used: set[str] = set()
        for iid in by_interview:
            label = (titles.get(iid) or iid)[:LABEL_MAX]
            n = 2
            while fold(label) in used:
                suffix = f" ({n})"
                label = (titles.get(iid) or iid)[: LABEL_MAX - len(suffix)] + suffix
                n += 1
            used.add(fold(label))
            labels[iid] = label
    else:
        return []
    owners: dict[str, set[str]] = defaultdict(set)
    interviews_of: dict[str, set[str]] = defaultdict(set)  # speaker -> their interviews
    for p in _checked(passages, stop):
        interviews_of[p.speaker].add(p.interview_id)
        for s in p.sentences:
            owners[fold(s)].add(p.speaker if mode == "speaker" else p.interview_id)
    forbidden = set().union(*(_handles(s) for s in speakers))
    if mode == "interview":
        forbidden |= set().union(*(_handles(t) for t in titles.values()))
    per_interview: Counter[str] = Counter()
    questions: list[Question] = []
    for p in _checked(sorted(passages, key=lambda p: question_id("who-order", p.id)), stop):
        if per_interview[p.interview_id] >= limit:
            continue
        best: str | None = None
        for s in p.sentences:
            words = fold(s).split()
            if not 8 <= len(words) <= 35 or "[" in s:
                continue
            if len(owners[fold(s)]) != 1:
                continue
            folded = f" {fold(s)} "
            if any(f" {h} " in folded for h in forbidden):
                continue  # a name in the quote would give it away (or mislead)
            if best is None or len(s) > len(best):
                best = s
        if best is None:
            continue
        owner = p.speaker if mode == "speaker" else p.interview_id
        qid = question_id("who", p.id, fold(best))
        rng = random.Random(int(qid, 16))
        others = [k for k in labels if k != owner]
        picked = rng.sample(others, min(MAX_DISTRACTORS - 1, len(others)))
        if mode == "speaker":
            text = f"Who said this?\n“{best}”"
            same = set().union(*(interviews_of[s] for s in (owner, *picked)))
            difficulty: Difficulty = "hard" if len(same) == 1 else "medium"
        else:
            text = f"In which interview did {p.speaker} say this?\n“{best}”"
            difficulty = "medium"
        questions.append(
            Question(
                id=qid,
                kind="who",
                text=text,
                answer=labels[owner],
                distractors=tuple(labels[k] for k in picked),
                difficulty=difficulty,
                evidence=best,
                interview_id=p.interview_id,
                passage_id=p.id,
                speaker=p.speaker,
            )
        )
        per_interview[p.interview_id] += 1
    return questions


def generate(
    passages: Iterable[Passage],
    titles: Mapping[str, str],
    *,
    per_interview: int = MAX_COMPLETE_PER_INTERVIEW,
    who_per_interview: int = MAX_WHO_PER_INTERVIEW,
    stop: threading.Event | None = None,
) -> list[Question]:
    """Generated questions for every interview; the same corpus always gives the same ones.

    Raises BankBuildStopped soon after `stop` is set (the bot is shutting down: a build
    over a large corpus must not hold up the exit).
    """
    quotable: list[Passage] = []
    for p in _checked(passages, stop):  # may be streamed from the database: stop while reading
        if p.role == "interviewee":
            quotable.append(p)
    corpus = CorpusText(quotable, stop)
    questions: list[Question] = []
    grouped: dict[str, list[Passage]] = defaultdict(list)
    for p in quotable:
        grouped[p.interview_id].append(p)
    for iid in sorted(grouped):
        _check(stop)
        slots = [(p, n) for p in grouped[iid] for n in range(len(p.sentences))]
        slots.sort(key=lambda slot: question_id("order", slot[0].id, str(slot[1])))
        made = 0
        for passage, index in _checked(slots, stop):
            if made >= per_interview:
                break
            q = _complete_question(corpus, passage, index)
            if q is not None:
                questions.append(q)
                made += 1
    _check(stop)
    questions.extend(_who_questions(quotable, titles, who_per_interview, stop))
    return questions


class BankBuildStopped(Exception):
    """A question-bank build was asked to stop before it finished."""


def _check(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise BankBuildStopped


STOP_EVERY = 1024
"""Items (answers, sentences, question slots) a build handles between two looks at `stop`:
well under a second of work, so a stopped build ends about that soon."""

T = TypeVar("T")


def _checked(items: Iterable[T], stop: threading.Event | None) -> Iterator[T]:
    """`items`, raising BankBuildStopped before every STOP_EVERY-th once `stop` is set.

    Every loop of a build over the corpus goes through this, so none runs on after a stop.
    """
    if stop is None:
        yield from items
        return
    for n, item in enumerate(items):
        if not n % STOP_EVERY:
            _check(stop)
        yield item


# --------------------------------------------------------------------------- the bank


@dataclass(frozen=True, slots=True)
class TriviaBank:
    """Every question a guild can be asked, curated first."""

    questions: tuple[Question, ...] = ()
    by_id: dict[str, Question] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        curated: Sequence[Question],
        passages: Iterable[Passage],
        titles: Mapping[str, str],
        stop: threading.Event | None = None,
    ) -> TriviaBank:
        """The bank for a corpus; raises BankBuildStopped once `stop` is set."""
        generated = generate(passages, titles, stop=stop)
        questions = tuple(dict({q.id: q for q in [*generated, *curated]}).values())
        ordered = tuple(sorted(questions, key=lambda q: (q.kind != "curated", q.id)))
        return cls(ordered, {q.id: q for q in ordered})

    def pool(
        self,
        *,
        passage_ids: Collection[str] | None = None,
        difficulty: str | None = None,
    ) -> list[Question]:
        """Questions about the given passages (a topic) and of the given difficulty."""
        return [
            q
            for q in self.questions
            if (passage_ids is None or q.passage_id in passage_ids)
            and (difficulty is None or q.difficulty == difficulty)
        ]

    def counts(self) -> dict[str, int]:
        return dict(Counter(q.kind for q in self.questions))


def choose(
    pool: Sequence[Question],
    seen: Collection[str],
    rng: random.Random,
    *,
    last: str | None = None,
) -> tuple[Question, bool]:
    """A question not yet seen; when the pool is exhausted, start over (returns reset=True).

    After a reset the question asked last is avoided when there is any other.
    """
    if not pool:
        raise ValueError("empty pool")
    unseen = [q for q in pool if q.id not in seen]
    reset = not unseen
    if reset:
        unseen = [q for q in pool if q.id != last] or list(pool)
    curated = [q for q in unseen if q.kind == "curated"]
    other = [q for q in unseen if q.kind != "curated"]
    group = curated if curated and (not other or rng.random() < CURATED_SHARE) else other
    return rng.choice(group), reset


# --------------------------------------------------------------------------- rounds and scores


def points_for(correct: bool, elapsed: float, duration: float) -> int:
    """10 for a right answer, plus up to 5 for speed (the share of time left, rounded)."""
    if not correct:
        return 0
    if duration <= 0:
        return BASE_POINTS
    left = min(1.0, max(0.0, 1.0 - elapsed / duration))
    return BASE_POINTS + round(SPEED_BONUS * left)


@dataclass(frozen=True, slots=True)
class Score:
    guild_id: int
    user_id: int
    points: int = 0
    correct: int = 0
    answered: int = 0
    streak: int = 0
    best_streak: int = 0
    rank: int | None = None

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


def apply_answer(score: Score, correct: bool, points: int) -> Score:
    """A member's score after one answered round: a wrong answer ends the streak.

    Rounds a member does not answer leave the streak as it is.
    """
    streak = score.streak + 1 if correct else 0
    return Score(
        guild_id=score.guild_id,
        user_id=score.user_id,
        points=score.points + points,
        correct=score.correct + int(correct),
        answered=score.answered + 1,
        streak=streak,
        best_streak=max(score.best_streak, streak),
    )


@dataclass(frozen=True, slots=True)
class RoundAnswer:
    user_id: int
    choice: int
    correct: bool
    points: int
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class Round:
    """A question as posted in a channel: the choices in button order and the right one."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    question: Question
    choices: tuple[str, ...]
    correct: int
    started_at: datetime
    ends_at: datetime
    status: Literal["active", "finished", "cancelled"]
    started_by: int | None = None

    @property
    def seconds(self) -> float:
        return (self.ends_at - self.started_at).total_seconds()


def shuffled_choices(question: Question, rng: random.Random) -> tuple[tuple[str, ...], int]:
    """The choices in a random order and the index of the right one."""
    order = list(question.choices)
    rng.shuffle(order)
    return tuple(order), order.index(question.answer)


def snapshot(question: Question) -> str:
    return json.dumps(question.to_json(), ensure_ascii=False, sort_keys=True)


__all__ = [
    "BASE_POINTS",
    "DIFFICULTIES",
    "SPEED_BONUS",
    "CorpusText",
    "EvidenceIndex",
    "Question",
    "Round",
    "RoundAnswer",
    "Score",
    "SourceError",
    "TriviaBank",
    "apply_answer",
    "candidate_spans",
    "choose",
    "contains_words",
    "find_trivia_files",
    "fits",
    "generate",
    "load_all_curated",
    "load_curated",
    "points_for",
    "shuffled_choices",
]
