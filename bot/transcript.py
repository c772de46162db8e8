"""Parse an interview transcript (plain text) into paragraphs and quotable passages.

Pure Python, no discord import. A transcript is a sequence of non-blank lines, each one
paragraph. Speaker turns start with a prefix ("Sean Baker:", "Baker:", "**Name:**",
"Q:"/"A:"); unprefixed paragraphs are lede (before the first exchange), the
interviewer's question (directly before an interviewee's turn) or a continuation of the
previous turn. Everything is a single linear pass over the lines; no regex here can
backtrack over more than a bounded window, so multi-megabyte files stay fast.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.models import Interview, InterviewMeta, Paragraph, ParagraphKind, Passage

__all__ = [
    "TranscriptError",
    "parse_transcript",
    "passage_id",
    "read_transcript",
    "slugify",
    "split_sentences",
]


class TranscriptError(Exception):
    """A transcript that cannot be parsed; `line` is 1-based, None when no line applies."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


# --------------------------------------------------------------------------- sentences

_TERMINALS = ".!?…"
_CLOSERS = "”’\"'»)]}*_"
_OPENERS = "“‘\"'«([{*_¿¡"
_DASHES = frozenset("-–—―")
# A period after these never ends a sentence: they precede a name or a continuation.
_ALWAYS_ABBREV = frozenset(
    """mr mrs ms mx dr prof st mt ft gen sen rep gov rev capt lt col sgt cmdr adm hon pres
    e.g i.e vs v cf viz approx ca""".split()
)
# A period after these does not end a sentence when a number follows ("No. 5", "Jan. 3").
_NUMBER_ABBREV = frozenset(
    """no nos p pp vol fig ch sec art ep op jan feb mar apr jun jul aug sep sept oct nov
    dec""".split()
)


def _starts_lower(token: str) -> bool | None:
    """True/False if the token's first letter is lower/upper case, None if it has none."""
    for ch in token:
        if ch.isalpha():
            return ch.islower()
        if ch.isdigit():
            return False
        if ch not in _OPENERS:
            return None
    return None


def _ends_sentence(token: str, following: str) -> bool:
    """Whether the whitespace after `token` (followed by `following`) is a sentence break."""
    core = token.rstrip(_CLOSERS)
    if not core or core[-1] not in _TERMINALS:
        return False
    word = core.rstrip(_TERMINALS)
    punct = core[len(word) :]
    if following[0] in _DASHES:
        return False  # "we all deserve! – but you know" continues the sentence
    lower = _starts_lower(following)
    if "?" in punct or "!" in punct:
        return lower is not True
    if "…" in punct or ".." in punct:
        return lower is False and not following.lstrip(_OPENERS)[:1].isdigit()
    bare = word.lstrip(_OPENERS)
    key = bare.casefold()
    if key in _ALWAYS_ABBREV:
        return False
    if len(bare) == 1 and bare.isalpha() and bare.isupper():
        return False  # an initial: "J. R. R. Tolkien"
    if key in _NUMBER_ABBREV and following.lstrip(_OPENERS)[:1].isdigit():
        return False
    return lower is False


_TOKEN = re.compile(r"\S+")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping every non-space character.

    Breaks only at whitespace after terminal punctuation (plus any closing quotes or
    brackets); abbreviations, initials, decimals and ellipses inside a sentence don't
    break, nor does "?"/"!" followed by a lower-case word or a dash.
    """
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    sentences: list[str] = []
    start: int | None = None
    for i, (tok_start, tok_end, tok) in enumerate(tokens):
        if start is None:
            start = tok_start
        if i + 1 == len(tokens) or _ends_sentence(tok, tokens[i + 1][2]):
            sentences.append(text[start:tok_end])
            start = None
    return sentences


# --------------------------------------------------------------------------- ids


def slugify(name: str) -> str:
    """Lower-case, accent-free, hyphen-separated form of `name` ("Café_Talk 2" -> "cafe-talk-2")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    chars = [ch if ch.isalnum() else "-" for ch in folded if not unicodedata.combining(ch)]
    slug = re.sub(r"-{2,}", "-", "".join(chars)).strip("-")
    if slug:
        return slug
    if not name.strip():
        return "untitled"
    return "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def passage_id(interview_id: str, text: str, occurrence: int = 0) -> str:
    """Stable 12-hex id from the interview and the passage's whitespace-normalised text.

    `occurrence` tells apart identical texts in one interview (0 for the first).
    """
    key = f"{interview_id}\0{_normalise(text)}"
    if occurrence > 0:
        key += f"\0{occurrence}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


# --------------------------------------------------------------------------- notes

_NOTE_PREFIXES = (
    "editor's note",
    "editor’s note",
    "editors' note",
    "editors’ note",
    "editorial note",
    "ed. note",
    "ed.’s note",
    "ed.'s note",
    "ed note",
    "note:",
    "update:",
    "updated:",
    "correction:",
    "clarification:",
    "disclosure:",
    "disclaimer:",
)
_NOTE_EDITED = re.compile(
    r"(?:(?:this|the|our|their|her|his)\s+)?"
    r"(?:interview|conversation|transcript|q\s?(?:&|and)\s?a|exchange|discussion|chat|"
    r"remarks|responses|answers|questions and answers)s?\b[^.]{0,60}?"
    r"\b(?:edited|condensed|abridged|shortened|translated)\b"
    r"|(?:lightly\s+|has\s+been\s+|it\s+has\s+been\s+)?"
    r"(?:edited|condensed|abridged)\s+(?:and|&|for)\b"
)
_NOTE_MAX_LEN = 300


def _is_note(text: str) -> bool:
    """Editorial notes ("This interview has been edited for length and clarity.")."""
    bare = text.lstrip("*_([ ").casefold()
    if bare.startswith(_NOTE_PREFIXES) or text.startswith(("[Ed", "(Ed")):
        return True
    return len(text) <= _NOTE_MAX_LEN and _NOTE_EDITED.match(bare) is not None


# --------------------------------------------------------------------------- speakers

_BOLD_PREFIX = re.compile(r"\*\*([^*:\n]{1,80}?)\s*(?::\*\*|\*\*:)(?=\s|$)")
_MAX_PREFIX = 80
_PARTICLES = frozenset(
    "van von de der den del della di da du la le bin ibn al el ter ten dos das y".split()
)
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
_HONORIFICS = frozenset("mr mr. mrs mrs. ms ms. mx mx. dr dr. prof prof. sir dame".split())
# Words that start "Word:" lines in prose but are not names.
_NOT_NAMES = frozenset(
    """the a an this that these those my our your his her their its it we i you they he she
    and or but so also plus then now here there today yesterday tomorrow first second third
    finally lastly well yes no yeah okay ok oh look listen remember anyway because why what
    how when where who which whose note notes nb ps update updated correction clarification
    editor editors ed disclaimer disclosure warning caution caveat spoiler spoilers alert
    tip tips fact facts bottom line summary source sources credit credits photo photos
    image images caption video audio transcript interview part chapter section step rule
    lesson takeaway takeaways verdict conclusion background context bonus re fwd subject
    date time location place title topic intro introduction example examples quote
    important edit watch read listen more see related previously""".split()
)
_QA_MARKERS: dict[str, Literal["Q", "A"]] = {
    "Q": "Q",
    "Question": "Q",
    "A": "A",
    "Answer": "A",
}
_INTERVIEWER_WORDS = frozenset({"interviewer", "host", "moderator"})
_INTERVIEWEE_WORDS = frozenset({"interviewee", "guest", "respondent"})
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")


def _name_word(token: str) -> bool:
    """A capitalised name word: "Baker", "O'Brien", "McDonald", "Jean-Luc", "Jr.", "J."."""
    if not token[0].isupper():
        return False
    if _INITIALS.fullmatch(token):
        return True
    body = token[:-1] if token.endswith(".") else token
    return bool(body) and body[-1].isalpha() and all(ch.isalpha() or ch in "'’-" for ch in body)


def _looks_like_name(name: str) -> bool:
    tokens = name.split()
    if not 1 <= len(tokens) <= 6:
        return False
    capitalised = 0
    for i, token in enumerate(tokens):
        key = token.casefold()
        for tail in ("'s", "’s"):
            key = key.removesuffix(tail)
        if key.rstrip(".") in _NOT_NAMES:
            return False
        if _name_word(token):
            capitalised += 1
        elif not (0 < i < len(tokens) - 1 and key in _PARTICLES):
            return False
    return 1 <= capitalised <= 4


def _split_prefix(text: str) -> tuple[str, str] | None:
    """("Name", rest) if the paragraph starts with a name-shaped "Name:" prefix."""
    bold = _BOLD_PREFIX.match(text)
    if bold:
        name, rest = bold.group(1).strip(), text[bold.end() :]
    else:
        colon = text.find(":", 0, _MAX_PREFIX)
        if colon <= 0 or (colon + 1 < len(text) and not text[colon + 1].isspace()):
            return None
        name, rest = text[:colon].strip(), text[colon + 1 :]
    if name in _QA_MARKERS or _looks_like_name(name):
        return name, rest.strip()
    return None


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _handles(name: str) -> list[str]:
    """The single-word forms a full name may be shortened to: first and last name."""
    words = [
        w
        for w in name.split()
        if w.casefold() not in _SUFFIXES
        and w.casefold() not in _HONORIFICS
        and not _INITIALS.fullmatch(w)
        and w.casefold() not in _PARTICLES
    ]
    if len(name.split()) < 2 or not words:
        return []
    return list(dict.fromkeys([_key(words[0]), _key(words[-1])]))


@dataclass(slots=True)
class _Para:
    index: int
    line: int
    raw: str  # the paragraph as written
    text: str  # without the prefix
    note: bool
    prefix: str | None  # name as written, before resolution
    speaker: str | None = None  # canonical name once resolved
    marker: Literal["Q", "A"] | None = None


class _Names:
    """Resolves written prefixes ("Baker", "SEAN BAKER") to one canonical name each."""

    def __init__(self, paras: list[_Para], meta: InterviewMeta) -> None:
        self.display: dict[str, str] = {}  # key -> canonical display form
        self.first_seen: dict[str, int] = {}
        meta_names = [n for n in (meta.interviewee, meta.interviewer) if n and n.strip()]
        for name in meta_names:
            self._add(" ".join(name.split()), -1, preferred=True)
        self.single_counts: Counter[str] = Counter()
        for p in paras:
            if p.prefix is None or p.prefix in _QA_MARKERS:
                continue
            if len(self._strip_honorific(p.prefix).split()) >= 2:
                self._add(p.prefix, p.index, preferred=False)
            else:
                self.single_counts[_key(self._strip_honorific(p.prefix))] += 1
        self.by_handle: dict[str, list[str]] = {}
        for key in sorted(self.first_seen, key=self.first_seen.__getitem__):
            for handle in _handles(self.display[key]):
                if key not in self.by_handle.setdefault(handle, []):
                    self.by_handle[handle].append(key)

    @staticmethod
    def _strip_honorific(name: str) -> str:
        words = name.split()
        if len(words) >= 2 and words[0].casefold() in _HONORIFICS:
            words = words[1:]
        return " ".join(words)

    def _add(self, name: str, index: int, *, preferred: bool) -> None:
        key = _key(name)
        if key not in self.display:
            self.display[key] = name
            self.first_seen[key] = index
        elif not preferred and self.display[key].isupper() and not name.isupper():
            self.display[key] = name  # prefer "Sean Baker" over "SEAN BAKER"

    def resolve(self, prefix: str, index: int) -> str | None:
        """Canonical name for `prefix` at paragraph `index`, or None if it is no speaker."""
        name = self._strip_honorific(prefix)
        key = _key(name)
        if key in self.display:
            return self.display[key]
        if len(name.split()) >= 2:
            return None
        candidates = self.by_handle.get(key, [])
        if candidates:
            earlier = [c for c in candidates if self.first_seen[c] <= index]
            return self.display[earlier[-1] if earlier else candidates[0]]
        words = {key} & (_INTERVIEWER_WORDS | _INTERVIEWEE_WORDS)
        if words or self.single_counts[key] >= 2:
            return name
        return None


def _guess_interviewers(
    paras: list[_Para], speakers: list[str], interviewee: str | None
) -> set[str]:
    """Pick the interviewer among named speakers when the metadata doesn't say.

    The interviewer usually speaks first, asks (turns with "?") and speaks briefly.
    Only a clear winner is taken, so a panel of interviewees answering unprefixed
    questions keeps everyone an interviewee.
    """
    candidates = [s for s in speakers if s != interviewee]
    if len(speakers) < 2 or not candidates:
        return set()
    turns: dict[str, list[str]] = {s: [] for s in speakers}
    for p in paras:
        if p.speaker in turns:
            turns[p.speaker].append(p.text)
    first = next(p.speaker for p in paras if p.speaker is not None)

    def mean_len(s: str) -> float:
        return sum(len(t) for t in turns[s]) / len(turns[s])

    def score(s: str) -> float:
        asked = sum("?" in t for t in turns[s]) / len(turns[s])
        others = [mean_len(o) for o in speakers if o != s]
        shorter = mean_len(s) * 2 <= min(others)
        return asked + 0.25 * (s == first) + 0.25 * shorter

    scores = sorted(((score(s), s) for s in candidates), reverse=True)
    best_score, best = scores[0]
    runner_up = max((score(s) for s in speakers if s != best), default=0.0)
    if best_score >= 0.75 and best_score - runner_up >= 0.25:
        return {best}
    return set()


# --------------------------------------------------------------------------- parsing

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BINARY_RATIO = 50  # more than one control character per 50 characters is binary


def _line_count(text: str) -> int:
    return text.count("\n") + 1


def _check_text(text: str, source: str) -> None:
    nul = text.find("\0")
    if nul >= 0:
        raise TranscriptError(source, _line_count(text[:nul]), "binary file (NUL byte)")
    first = _CONTROL.search(text)
    if first and len(_CONTROL.findall(text)) * _BINARY_RATIO > len(text):
        raise TranscriptError(
            source, _line_count(text[: first.start()]), "binary file (control characters)"
        )
    if not text.strip():
        raise TranscriptError(source, 1, "empty transcript")


def _paragraphs(text: str) -> list[_Para]:
    paras: list[_Para] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        note = _is_note(line)
        split = None if note else _split_prefix(line)
        prefix, body = split if split else (None, line)
        paras.append(_Para(len(paras), number, line, body, note, prefix))
    return paras


def _resolve_speakers(
    paras: list[_Para], meta: InterviewMeta, source: str
) -> tuple[list[str], set[str]]:
    """Set each paragraph's speaker/marker; return (named speakers, interviewers)."""
    names = _Names(paras, meta)
    speakers: list[str] = []
    for p in paras:
        if p.prefix is None:
            continue
        if p.prefix in _QA_MARKERS:
            p.marker = _QA_MARKERS[p.prefix]
        else:
            p.speaker = names.resolve(p.prefix, p.index)
            if p.speaker is None:
                p.text, p.prefix = p.raw, None
                continue
            if p.speaker not in speakers:
                speakers.append(p.speaker)
        if not p.text:
            raise TranscriptError(source, p.line, f"speaker line {p.prefix!r} has no text")

    interviewers: set[str] = set()
    interviewee = names.resolve(meta.interviewee, -1) if meta.interviewee else None
    interviewers |= {s for s in speakers if _key(s) in _INTERVIEWER_WORDS}
    if meta.interviewer and meta.interviewer.strip():
        canonical = names.resolve(meta.interviewer, -1)
        if canonical in speakers:
            interviewers.add(canonical)
    elif not interviewers and not any(p.marker == "Q" for p in paras):
        interviewers = _guess_interviewers(paras, speakers, interviewee)
    return speakers, interviewers


def _classify(
    paras: list[_Para], interviewers: set[str], answerer: str, asker: str | None
) -> list[tuple[ParagraphKind, str | None]]:
    """Kind and speaker for every paragraph, in order.

    `answerer`/`asker` name the "A:"/"Q:" speakers (asker may be unknown).
    """

    def is_answer(p: _Para) -> bool:
        return p.marker == "A" or (p.speaker is not None and p.speaker not in interviewers)

    def is_turn(p: _Para) -> bool:
        return p.marker is not None or p.speaker is not None

    # For each paragraph, whether the next non-note paragraph is an interviewee's turn.
    before_answer = [False] * len(paras)
    upcoming = False
    for p in reversed(paras):
        before_answer[p.index] = upcoming
        if not p.note:
            upcoming = is_answer(p)

    result: list[tuple[ParagraphKind, str | None]] = []
    turn_speaker: str | None = None
    turn_kind: ParagraphKind | None = None
    for p in paras:
        kind: ParagraphKind
        speaker: str | None
        if p.note:
            result.append(("note", None))
            continue
        if is_turn(p):
            if is_answer(p):
                kind, speaker = "answer", p.speaker or answerer
            else:
                kind, speaker = "question", p.speaker or asker
            turn_kind, turn_speaker = kind, speaker
        elif before_answer[p.index]:
            kind = "question"
            speaker = turn_speaker if turn_kind == "question" else None
            turn_kind, turn_speaker = kind, speaker
        elif turn_kind is None:
            kind, speaker = "lede", None
        else:
            kind, speaker = "continuation", turn_speaker
        result.append((kind, speaker))
    return result


def parse_transcript(
    text: str, *, interview_id: str, source: str, meta: InterviewMeta, content_hash: str = ""
) -> Interview:
    """Parse transcript `text`; errors name `source` and the offending line."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    _check_text(text, source)
    paras = _paragraphs(text)
    speakers, interviewers = _resolve_speakers(paras, meta, source)
    first_line = paras[0].line
    if not speakers and not any(p.marker for p in paras):
        raise TranscriptError(
            source,
            first_line,
            "no speaker lines found (expected 'Name: answer' or 'Q:'/'A:' lines)",
        )
    answerer = " ".join((meta.interviewee or "").split()) or "Interviewee"
    asker = " ".join((meta.interviewer or "").split()) or None
    kinds = _classify(paras, interviewers, answerer, asker)
    if not any(kind == "answer" for kind, _ in kinds):
        raise TranscriptError(source, first_line, "no interviewee answers found")

    paragraphs = tuple(
        Paragraph(index=p.index, line=p.line, kind=kind, speaker=speaker, text=p.text)
        for p, (kind, speaker) in zip(paras, kinds, strict=True)
    )
    passages = _passages(paragraphs, interview_id)
    interviewees = list(dict.fromkeys(p.speaker for p in passages))
    asking = [s for s in speakers if s in interviewers]
    if asker and not asking and any(p.marker == "Q" for p in paras):
        asking = [asker]
    return Interview(
        id=interview_id,
        meta=meta,
        source=source,
        content_hash=content_hash,
        speakers=tuple(dict.fromkeys([*interviewees, *asking])),
        paragraphs=paragraphs,
        passages=passages,
    )


def _passages(paragraphs: tuple[Paragraph, ...], interview_id: str) -> tuple[Passage, ...]:
    groups: list[tuple[Paragraph, str | None, list[str]]] = []
    previous: Paragraph | None = None
    current: list[str] | None = None
    for p in paragraphs:
        if p.kind == "note":
            continue
        if p.kind == "answer":
            question = previous.text if previous and previous.kind == "question" else None
            current = [p.text]
            groups.append((p, question, current))
        elif p.kind == "continuation" and current is not None:
            current.append(p.text)
        else:
            current = None
        previous = p

    seen: Counter[str] = Counter()
    passages: list[Passage] = []
    for position, (head, question, texts) in enumerate(groups):
        body = "\n\n".join(texts)
        norm = _normalise(body)
        occurrence = seen[norm]
        seen[norm] += 1
        assert head.speaker is not None
        passages.append(
            Passage(
                id=passage_id(interview_id, body, occurrence),
                interview_id=interview_id,
                position=position,
                speaker=head.speaker,
                role="interviewee",
                question=question,
                paragraphs=tuple(texts),
                sentences=tuple(s for t in texts for s in split_sentences(t)),
                line=head.line,
            )
        )
    return tuple(passages)


def read_transcript(path: Path, meta: InterviewMeta | None = None) -> Interview:
    """Read and parse a transcript file (strict UTF-8, BOM allowed)."""
    raw = path.read_bytes()
    source = str(path)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TranscriptError(source, 1, "not UTF-8 (the file is UTF-16; save it as UTF-8)")
    body = raw.removeprefix(codecs.BOM_UTF8)
    nul = body.find(b"\0")
    if nul >= 0:
        before = body[:nul].decode("utf-8", errors="replace")
        line = _line_count(before.replace("\r\n", "\n").replace("\r", "\n"))
        raise TranscriptError(source, line, "binary file (NUL byte)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[: exc.start].decode("utf-8")
        line = _line_count(before.replace("\r\n", "\n").replace("\r", "\n"))
        raise TranscriptError(
            source, line, f"not UTF-8 (bad byte 0x{body[exc.start]:02x})"
        ) from None
    if meta is None:
        meta = InterviewMeta(title=_title_from_stem(path.stem))
    return parse_transcript(
        text,
        interview_id=slugify(path.stem),
        source=source,
        meta=meta,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def _title_from_stem(stem: str) -> str:
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(w if w.isupper() else w.capitalize() for w in words) or stem
