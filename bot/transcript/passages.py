"""From blocks with speakers and roles to paragraph kinds, quotable passages and questions.

Two shapes of file: *labelled* (the interviewer's turns carry a label: "Q:", "Host:",
"Dana Kim:") where an unlabelled paragraph continues the turn above it, and *unlabelled
questions* (the seed: only answers carry a label) where an unlabelled paragraph right
before an answer is the question. In a labelled file each answer's question is the last
asking turn before it; a host's short interjection ("Right.", "Oh, really?") inside a
guest's answer neither splits the answer nor becomes its question.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Dropped, Paragraph, ParagraphKind, Passage, SpeakerRole
from bot.transcript.base import normalise, passage_id
from bot.transcript.names import HONORIFICS, name_key
from bot.transcript.sentences import split_sentences
from bot.transcript.unheard import unheard_note, unheard_question

__all__ = ["Turned", "build_passages", "classify"]

_INTERJECTION_WORDS = 6
# What a listener says to keep a speaker going; nothing else counts as an interjection.
_BACKCHANNEL = frozenset(
    """mm mhm mmhmm mm-hmm mm-hm uh-huh uh huh hmm hm um right yeah yes yep yup sure okay ok
    wow oh ah really interesting incredible amazing great fascinating totally exactly
    absolutely of course i see got it true no ha haha nice cool gosh my god that's thats
    that is so funny good indeed definitely wonderful lovely whoa geez jeez gotcha sure
    seriously no way huh-uh ooh aha""".split()
)
_WORD = re.compile(r"[\w'’-]+")
# A lawyer's objection is never what a witness answers, wherever it falls.
_FROM_THE_FLOOR = frozenset({"caller", "listener", "audience member", "audience"})
_OBJECTION = re.compile(r"(?i)^(?:same\s+)?objection\b|^(?:i\s+)?object\b|^move\s+to\s+strike\b")


@dataclass(slots=True)
class Turned:
    """A block as the passage stage sees it."""

    line: int
    text: str
    note: bool
    turn: bool  # opens a speaker turn (labelled)
    speaker: str | None
    role: SpeakerRole | None  # the turn's role (None for unlabelled blocks)
    emphasis: bool = False
    section_start: bool = False


def _words(text: str) -> list[str]:
    return [w.casefold().replace("’", "'") for w in _WORD.findall(text)]


def _interjection(block: Turned, before: Turned) -> bool:
    """ "Mm-hmm.", "Right.", "Oh, really?": a listener's sound, not a question; or an echo
    of the words just said ("Forty men." after "... forty men, three meals a day"),
    which asks nothing when it does not end in "?"."""
    words = _words(block.text)
    if not 0 < len(words) <= _INTERJECTION_WORDS:
        return False
    if all(w in _BACKCHANNEL for w in words):
        return True
    if block.text.rstrip().endswith("?"):
        return False
    said = set(_words(before.text[-300:]))
    return all(w in _BACKCHANNEL or w in said for w in words)


def _answered_next(blocks: Sequence[Turned], turns: list[int], at: int) -> bool:
    """An "other" turn, after an answer, that the next turn answers ("AUDIENCE MEMBER:
    That sounds like a no." / "BECKER: It's a yes with a price tag."): what it answers,
    though it asks nothing; so is an unnamed anchor's opening turn ("GOOD AFTERNOON. WITH
    US IS ..."). Between a question and its answer ("MS. PARK: Objection.")
    it is not, unless it is a caller's or an audience member's ("CALLER: I drive a truck
    and diesel went up." / "GUEST: That's fair, the ships burn fuel…")."""
    if _OBJECTION.match(blocks[turns[at]].text):
        return False
    # a caller's or an audience member's turn is what the guest answers, "?" or not
    floor = name_key(blocks[turns[at]].speaker or "") in _FROM_THE_FLOOR
    after_answer = floor or at == 0 or blocks[turns[at - 1]].role == "interviewee"
    return after_answer and at + 1 < len(turns) and blocks[turns[at + 1]].role == "interviewee"


def _name_words(name: str) -> set[str]:
    return {
        w
        for w in _words(name)
        if len(w) >= 3 and w not in HONORIFICS and w.rstrip(".") not in HONORIFICS
    }


def _asked_of(question: str, speaker: str | None, answering: set[str]) -> bool:
    """Whether `question` may be shown for `speaker`'s answer: it names no one who answers
    in the file, or names them. A question put to one panellist by name is not the
    question of the next panellist who speaks."""
    if speaker is None or len(answering) < 2:
        return True
    said = set(_words(question))
    named = [s for s in answering if _name_words(s) & said]
    return not named or speaker in named


def _unheard_between(blocks: Sequence[Turned], start: int, end: int) -> bool:
    """An unheard question ("(Inaudible question.)" alone) between two of one speaker's
    turns: two answers, not one."""
    return any(b.note and unheard_question(b.text) for b in blocks[start + 1 : end])


def classify(
    blocks: Sequence[Turned], dropped: list[Dropped]
) -> tuple[list[tuple[ParagraphKind, str | None]], bool, set[int]]:
    """(kind, speaker) per block, whether the file is labelled, and the interjections."""
    # Labelled when the interviewer's turns carry labels; a stray "Audience:" or one
    # labelled question in a file of unlabelled ones does not make it so.
    asking = sum(
        1
        for b in blocks
        if b.turn and (b.role == "interviewer" or (b.role == "other" and "?" in b.text))
    )
    answering = sum(1 for b in blocks if b.turn and b.role == "interviewee")
    labelled = asking > 0 and asking * 4 >= answering
    if not labelled:
        return _classify_unlabelled(blocks), False, set()
    turns = [i for i, b in enumerate(blocks) if b.turn]
    merged: set[int] = set()  # answer turns that continue the previous passage
    skipped: set[int] = set()  # interjections
    for pos, i in enumerate(turns):
        if pos == 0:
            continue
        prev = blocks[turns[pos - 1]]
        here = blocks[i]
        if (
            here.role == "interviewee"
            and prev.role == "interviewee"
            and prev.speaker == here.speaker
            and not _unheard_between(blocks, turns[pos - 1], i)
        ):
            merged.add(i)
        if (
            here.role != "interviewee"
            and pos + 1 < len(turns)
            and prev.role == "interviewee"
            and blocks[turns[pos + 1]].speaker == prev.speaker
            and blocks[turns[pos + 1]].role == "interviewee"
            and _interjection(here, blocks[i - 1])
        ):
            skipped.add(i)
            merged.add(turns[pos + 1])
            dropped.append(Dropped(here.line, "interjection", here.text))
    result: list[tuple[ParagraphKind, str | None]] = []
    role: SpeakerRole | None = None
    speaker: str | None = None
    ended = False
    at = -1  # position of the current turn in `turns`
    for i, b in enumerate(blocks):
        at += b.turn
        if b.note:
            result.append(("note", None))
            continue
        if b.turn:
            role, speaker, ended = b.role, b.speaker, False
            if i in skipped:
                result.append(("note", b.speaker))
                role = "interviewee"
                speaker = blocks[turns[at - 1]].speaker
            elif b.role == "interviewee":
                result.append(("continuation" if i in merged else "answer", b.speaker))
            elif b.role == "interviewer" or "?" in b.text or _answered_next(blocks, turns, at):
                result.append(("question", b.speaker))
            else:
                result.append(("note", b.speaker))
            continue
        if role is None:
            result.append(("lede", None))
        elif ended or b.section_start or b.emphasis:
            ended = True  # after a rule or heading, unlabelled text is no one's turn
            result.append(("note", None))
        else:
            result.append(("continuation", speaker))
    return result, True, skipped


def _classify_unlabelled(blocks: Sequence[Turned]) -> list[tuple[ParagraphKind, str | None]]:
    """Only answers are labelled: the paragraph right before an answer is its question."""
    before_answer = [False] * len(blocks)
    upcoming = False
    for i in range(len(blocks) - 1, -1, -1):
        before_answer[i] = upcoming
        if not blocks[i].note:
            upcoming = blocks[i].turn and blocks[i].role == "interviewee"
    result: list[tuple[ParagraphKind, str | None]] = []
    turn_speaker: str | None = None
    turn_kind: ParagraphKind | None = None
    for i, b in enumerate(blocks):
        kind: ParagraphKind
        speaker: str | None
        if b.note:
            result.append(("note", None))
            continue
        if b.turn:
            kind = "answer" if b.role == "interviewee" else "question"
            speaker = b.speaker
            turn_kind, turn_speaker = kind, speaker
        elif before_answer[i]:
            kind = "question"
            speaker = turn_speaker if turn_kind == "question" else None
            turn_kind, turn_speaker = kind, speaker
        elif turn_kind is None:
            kind, speaker = "lede", None
        else:
            kind, speaker = "continuation", turn_speaker
        result.append((kind, speaker))
    return result


def build_passages(
    paragraphs: Sequence[Paragraph],
    blocks: Sequence[Turned],
    labelled: bool,
    interjections: set[int],
    interview_id: str,
) -> tuple[Passage, ...]:
    """Group answer paragraphs into passages and give each the question it replied to."""
    groups: list[tuple[Paragraph, str | None, list[str]]] = []
    current: list[str] | None = None
    asked: str | None = None  # labelled files: the last asking turn's text
    asking: list[str] | None = None  # the asking turn being read
    previous: Paragraph | None = None
    answered = False  # an answer has followed the last asking turn
    answering = {p.speaker for p in paragraphs if p.kind == "answer" and p.speaker}
    objected = False  # an objection since the last answer: the ruling on it clears nothing
    for i, (p, b) in enumerate(zip(paragraphs, blocks, strict=True)):
        if p.kind == "note":
            if unheard_question(b.text) or (b.turn and unheard_note(b.text)):
                # "Q: (Off-mike.)": a question no one heard ends the answer before it,
                # and the next answer replied to it, not to the question before
                current, asked, asking, previous = None, None, None, None
                answered = False
            elif b.turn and _OBJECTION.match(b.text):
                objected = True
            elif b.turn and i not in interjections and (answered or asked is None) and not objected:
                # an "other" turn asking nothing, once the question was answered (an
                # objection between a question and its answer, and the ruling on it,
                # leave the question: "Overruled. She can say what she thought.")
                current, asked, asking = None, None, None
            continue
        if objected and p.kind == "question" and b.turn and "?" not in p.text:
            objected = False  # "You can answer." after an objection: the question stands
            continue
        objected = False
        if p.kind == "answer":
            answered = True
            if labelled:
                question = asked
                if question and not _asked_of(question, p.speaker, answering):
                    question = None  # "Ms. Okafor, what happened?", then Mr. Tanaka speaks
            else:
                question = previous.text if previous and previous.kind == "question" else None
            current = [p.text]
            groups.append((p, question, current))
            asking = None
        elif p.kind == "continuation" and current is not None:
            current.append(p.text)
        elif p.kind == "continuation" and asking is not None:
            asking.append(p.text)
            asked = "\n\n".join(asking)
        elif p.kind == "question":
            current, answered = None, False
            if b.turn or asking is None:
                asking = [p.text]
            else:
                asking.append(p.text)
            asked = "\n\n".join(asking)
        else:
            current = None
        previous = p

    seen: Counter[str] = Counter()
    passages: list[Passage] = []
    for position, (head, question, texts) in enumerate(groups):
        body = "\n\n".join(texts)
        norm = normalise(body)
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
