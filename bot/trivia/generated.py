"""Questions derived from the transcripts themselves.

* "complete the quote": a sentence with one meaningful span blanked (a title, a name, a
  number or a rare content word, never a stop word); the distractors are of the same kind,
  drawn from the corpus, and none of them occurs in the corpus in the blank's context
  (the word before + distractor + the word after), so no other choice also fits.
* "who said it?": a sentence and the speakers (or, for one speaker in several interviews,
  the interviews) to choose from; the sentence occurs for exactly one of the choices.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from bot.models import Passage
from bot.trivia.model import (
    BLANK,
    LABEL_MAX,
    MAX_DISTRACTORS,
    MIN_DISTRACTORS,
    Difficulty,
    Question,
    contains_words,
    folded,
    question_id,
)
from bot.trivia.sample import SAMPLE_ANSWERS, sample_answers
from bot.trivia.spans import (
    NAME_WORD,
    STOPWORDS,
    WORD,
    Span,
    candidate_spans,
    stems,
)
from bot.trivia.stopping import check_stop, checked

# Generation limits: bounded work per interview however long the transcript is.
MAX_COMPLETE_PER_INTERVIEW = 60
MAX_WHO_PER_INTERVIEW = 30
MIN_SENTENCE_WORDS = 6
MAX_SENTENCE_WORDS = 40
DRAW_ATTEMPTS = 60


class CorpusText:
    """Folded tokens of every answer and question, for "does this also fit?" checks,
    plus the vocabulary of each kind that distractors are drawn from."""

    SEPARATOR = "\0"

    def __init__(self, passages: Sequence[Passage], stop: threading.Event | None = None) -> None:
        self.tokens: list[str] = []
        self.positions: dict[str, list[int]] = defaultdict(list)
        chunks: list[str] = []
        for p in checked(passages, stop):
            chunks.extend(p.sentences or (p.text,))
            if p.question:
                chunks.append(p.question)
        for chunk in checked(chunks, stop):
            for token in folded(chunk).split():
                self.positions[token].append(len(self.tokens))
                self.tokens.append(token)
            self.tokens.append(self.SEPARATOR)
        self.capitalised: set[str] = set()
        for chunk in checked(chunks, stop):
            for n, m in enumerate(WORD.finditer(chunk)):
                if n and NAME_WORD.fullmatch(m.group()):
                    self.capitalised.add(folded(m.group()))
        vocab: dict[str, dict[str, str]] = defaultdict(dict)
        for chunk in checked(chunks, stop):
            for span in candidate_spans(chunk, self.capitalised):
                vocab[span.kind].setdefault(folded(span.text), span.text)
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
    before = folded(sentence[: span.start]).split()[-1:]
    after = folded(sentence[span.end :]).split()[:1]
    return before, after


def fits(corpus: CorpusText, sentence: str, span: Span, choice: str) -> bool:
    """`choice` in place of the blank makes a phrase the corpus contains."""
    before, after = context_of(sentence, span)
    return corpus.occurs([*before, *folded(choice).split(), *after])


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
    key = folded(span.text)
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
    answer_key = folded(span.text)
    answer_stems = stems(span.text)
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
        if stems(display) & answer_stems or answer_key in key or key in answer_key:
            continue
        if span.kind.startswith("word:") and abs(len(display) - len(span.text)) > 3:
            continue
        if contains_words(sentence, display) or fits(corpus, sentence, span, display):
            continue
        chosen.append(display)
    return chosen


def _complete_question(corpus: CorpusText, passage: Passage, index: int) -> Question | None:
    sentence = passage.sentences[index]
    words = folded(sentence).split()
    if not MIN_SENTENCE_WORDS <= len(words) <= MAX_SENTENCE_WORDS or "[" in sentence:
        return None
    spans = candidate_spans(sentence, corpus.capitalised)
    ranked = sorted(
        spans,
        key=lambda s: (_PRIORITY.get(s.kind, 4), corpus.frequency(folded(s.text)), s.start),
    )
    folded_sentence = f" {folded(sentence)} "
    for span in ranked:
        key = folded(span.text)
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


class Phrases:
    """A set of folded phrases, and whether a sentence's words contain one: a look-up per
    word and phrase length, however many phrases there are (a corpus has many names)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = {p for p in phrases if p}
        self.lengths = sorted({len(p.split()) for p in self.phrases})

    def within(self, words: Sequence[str]) -> bool:
        return any(
            " ".join(words[i : i + n]) in self.phrases
            for n in self.lengths
            for i in range(len(words) - n + 1)
        )


def _handles(name: str) -> set[str]:
    return {w for w in folded(name).split() if len(w) > 2} | {folded(name)}


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
            while folded(label) in used:
                suffix = f" ({n})"
                label = (titles.get(iid) or iid)[: LABEL_MAX - len(suffix)] + suffix
                n += 1
            used.add(folded(label))
            labels[iid] = label
    else:
        return []
    owners: dict[str, set[str]] = defaultdict(set)
    interviews_of: dict[str, set[str]] = defaultdict(set)  # speaker -> their interviews
    for p in checked(passages, stop):
        interviews_of[p.speaker].add(p.interview_id)
        for s in p.sentences:
            owners[folded(s)].add(p.speaker if mode == "speaker" else p.interview_id)
    forbidden = Phrases(h for name in speakers for h in _handles(name))
    if mode == "interview":
        forbidden = Phrases(
            [*forbidden.phrases, *(h for t in titles.values() for h in _handles(t))]
        )
    per_interview: Counter[str] = Counter()
    questions: list[Question] = []
    for p in checked(sorted(passages, key=lambda p: question_id("who-order", p.id)), stop):
        if per_interview[p.interview_id] >= limit:
            continue
        best: str | None = None
        for s in p.sentences:
            key = folded(s)
            words = key.split()
            if not 8 <= len(words) <= 35 or "[" in s:
                continue
            if len(owners[key]) != 1:
                continue
            if forbidden.within(words):
                continue  # a name in the quote would give it away (or mislead)
            if best is None or len(s) > len(best):
                best = s
        if best is None:
            continue
        owner = p.speaker if mode == "speaker" else p.interview_id
        qid = question_id("who", p.id, folded(best))
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
    sample: int = SAMPLE_ANSWERS,
    stop: threading.Event | None = None,
) -> list[Question]:
    """Generated questions for every interview of a bounded sample of the answers (see
    `bot.trivia.sample`); the same corpus always gives the same ones.

    Raises BankBuildStopped soon after `stop` is set (the bot is shutting down: a build
    over a large corpus must not hold up the exit).
    """
    quotable = sample_answers(passages, sample, stop)
    corpus = CorpusText(quotable, stop)
    questions: list[Question] = []
    grouped: dict[str, list[Passage]] = defaultdict(list)
    for p in quotable:
        grouped[p.interview_id].append(p)
    for iid in sorted(grouped):
        check_stop(stop)
        slots = [(p, n) for p in grouped[iid] for n in range(len(p.sentences))]
        slots.sort(key=lambda slot: question_id("order", slot[0].id, str(slot[1])))
        made = 0
        for passage, index in checked(slots, stop):
            if made >= per_interview:
                break
            q = _complete_question(corpus, passage, index)
            if q is not None:
                questions.append(q)
                made += 1
    check_stop(stop)
    if who_per_interview > 0:
        questions.extend(_who_questions(quotable, titles, who_per_interview, stop))
    return questions
