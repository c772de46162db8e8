"""Query planning: a query's words and the vocabulary words that may stand for each."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.search.align import LoosePhrase
from bot.search.fold import is_number, number_runs, number_variants, spelled_words, word_forms
from bot.search.params import (
    _STOP_LIST,
    FRAME_WEIGHT,
    FRAME_WORDS,
    INFLECTION_WEIGHT,
    KNOWN_WORD_TYPO_DAMPING,
    MAX_SLOTS,
    NUMBER_WEIGHT,
    PHRASE_OPTIONAL_SHARE,
    PREFIX_EXPANSIONS,
    PREFIX_WEIGHT,
    QUESTION_OPENERS,
    SHARED_CREDIT,
    SPLIT_WEIGHT,
    STOP_WORDS,
    TYPO_FIX_LETTERS,
    TYPO_WEIGHT,
)
from bot.search.storage import _Ids, _Text
from bot.search.text import _SENTENCE_TABLE, _content_words, _cut_query, _fold, _IntArray
from bot.search.vocab import VocabTypos

if TYPE_CHECKING:
    from bot.search.index import SearchIndex


# --- query planning -------------------------------------------------------------------


def content_words(normalised: str) -> str:
    """`normalised` text without its stop words (the naive scorer's view of a text)."""
    return " ".join([word for word in normalised.split() if word not in STOP_WORDS])


@dataclass(frozen=True, slots=True)
class _Slot:
    """One content word of a query and the vocabulary words that may stand for it."""

    word: str
    idf: float  # weight of this word in the coverage measure
    variants: dict[str, float]  # vocabulary word -> how much its presence counts (0..1]
    alike: frozenset[str]  # forms that count as the word: plurals, completions of a prefix


class _Query:
    """A planned query: its normalised text, slots and the look-ups the rerank uses."""

    __slots__ = (
        "alike",
        "content",
        "idf",
        "lookup",
        "loose",
        "norm",
        "prefix",
        "slots",
        "weight",
    )

    def __init__(
        self,
        norm: str,
        slots: tuple[_Slot, ...],
        prefix: bool,
        loose: LoosePhrase | None = None,
        content: str | None = None,
    ) -> None:
        self.norm = norm  # normalised query, cut to MAX_QUERY_CHARS
        # Without stop words (and with misspelt words corrected, see _Planner._naive_view):
        # what the naive scan sees.
        self.content = content_words(norm) if content is None else content
        self.slots = slots
        self.prefix = prefix  # the last word may be unfinished
        self.loose = loose  # the query as a phrase with added words left out (align.py)
        self.idf = [s.idf for s in slots]
        self.weight = sum(self.idf) or 1.0
        # word -> (slot, credit) for the word, its typos and forms; word -> slots it fills
        self.lookup: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.alike: dict[str, list[int]] = defaultdict(list)
        for i, slot in enumerate(slots):
            self.lookup[slot.word].append((i, 1.0))
            for word, credit in slot.variants.items():
                if word != slot.word:
                    self.lookup[word].append((i, credit))
            for word in {slot.word, *slot.alike}:
                self.alike[word].append(i)
        self.lookup = dict(self.lookup)
        self.alike = dict(self.alike)

    def coverage(self, words: set[str]) -> tuple[float, bool]:
        """Idf-weighted share of the query answered by `words`, and whether all is there."""
        found = words.intersection(self.lookup)
        if not found:  # most sentences of a candidate: nothing to add up
            return 0.0, not self.slots
        best = [0.0] * len(self.slots)
        filled = [False] * len(self.slots)
        for word in found:
            for i, credit in self.lookup[word]:
                if credit > best[i]:
                    best[i] = credit
            for i in self.alike.get(word, ()):
                filled[i] = True
        got = sum(w * b for w, b in zip(self.idf, best, strict=True))
        return got / self.weight, all(filled)

    def shared_words(self, words: set[str]) -> int:
        """How many of the query's words `words` holds, as typed or a close variant."""
        return sum(
            slot.word in words
            or any(credit >= SHARED_CREDIT and v in words for v, credit in slot.variants.items())
            for slot in self.slots
        )

    def phrase_in(self, text: str) -> int:
        """Where the whole query occurs in normalised `text` as words, else -1."""
        padded = f" {text} "
        return padded.find(f" {self.norm}" if self.prefix else f" {self.norm} ")


class _Planner:
    """The index's state (set by :class:`bot.search.index.SearchIndex`), its text and
    the planning of a query: which vocabulary words may answer each query word."""

    __slots__ = ()

    _blob: _Text
    _df: _IntArray
    _fingerprint: str
    _ids: _Ids
    _lengths: npt.NDArray[np.uint32]
    _lnorm: npt.NDArray[np.float32]
    _n: int
    _offsets: _IntArray
    _plain: list[str] | None
    _post_ids: npt.NDArray[np.uint32]
    _post_impact: npt.NDArray[np.uint8]
    _questions: SearchIndex | None
    _sorted: list[str]
    _sorted_terms: _IntArray
    _term_id: dict[str, int]
    _term_off: _IntArray
    _typos: VocabTypos
    _vocab: list[str]

    # --- text -----------------------------------------------------------------------

    def _sentences(self, row: int) -> list[str]:
        lo, hi = int(self._offsets[row]), int(self._offsets[row + 1]) - 1
        return str(self._blob[lo:hi], "utf-8", "replace").split("\x1f")

    def _normalised_sentences(self, row: int) -> list[str]:
        """The answer's sentences normalised, in one fold of the whole answer."""
        lo, hi = int(self._offsets[row]), int(self._offsets[row + 1]) - 1
        raw = str(self._blob[lo:hi], "utf-8", "replace")
        folded = _fold(raw).encode("utf-8", "replace").translate(_SENTENCE_TABLE)
        return [" ".join(part.split()) for part in folded.decode("utf-8", "replace").split("\x1f")]

    # --- query planning -------------------------------------------------------------

    def _idf(self, df: int) -> float:
        return math.log(1.0 + (self._n - df + 0.5) / (df + 0.5))

    def _neighbours(self, word: str) -> list[tuple[str, int]]:
        """Vocabulary words one edit away (two for long words), at any position."""
        return [(self._vocab[tid], dist) for tid, dist in self._typos.typos(word)]

    def _misspelt_stop_word(self, word: str) -> bool:
        """ "becuase", "ther": one edit from a stop word and not a word of the corpus."""
        if word in self._term_id or len(word) < 3 or word.isdigit():
            return False
        return process.extractOne(word, _STOP_LIST, scorer=OSA.distance, score_cutoff=1) is not None

    def _halves(self, word: str) -> tuple[str, ...]:
        """Two words of the corpus that `word` runs together ("ripoffs" -> "rip", "offs")."""
        if len(word) < 5 or word.isdigit():
            return ()
        known = self._term_id
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            if (head in known or head in STOP_WORDS) and tail in known:
                return (head, tail) if head in known else (tail,)
            if head in known and tail in STOP_WORDS and len(head) >= 3:  # "walkin"
                return (head,)
        return ()

    def _df_of(self, word: str) -> int:
        tid = self._term_id.get(word)
        return 0 if tid is None else int(self._df[tid])

    def _completions(self, stem: str) -> list[str]:
        """The most frequent vocabulary words that begin with `stem` (not `stem` itself)."""
        lo = bisect.bisect_right(self._sorted, stem)
        hi = bisect.bisect_left(self._sorted, stem + "\U0010ffff", lo)
        if hi <= lo:
            return []
        terms = self._sorted_terms[lo:hi]
        df = self._df[terms]
        if hi - lo > PREFIX_EXPANSIONS:
            best = np.argpartition(-df, PREFIX_EXPANSIONS - 1)[:PREFIX_EXPANSIONS]
        else:
            best = np.arange(hi - lo)
        picks = sorted(best.tolist(), key=lambda i: (-int(df[i]), int(terms[i])))
        return [self._vocab[int(terms[i])] for i in picks]

    def _forms(self, word: str, numbers: bool) -> list[tuple[str, float]]:
        """Corpus words that are another form of `word`, and how much each counts.

        Inflections and British/American spellings (:func:`bot.search.fold.word_forms`),
        the same number in digits or in words ("twelve" / "12", "third" / "3rd", "11000" /
        "eleven thousand") when `numbers` (a query of numbers alone gets no such help:
        "1 1" would match every answer with "one" in it).
        """
        known = self._term_id
        found = [(w, INFLECTION_WEIGHT) for w in sorted(word_forms(word, known))]
        if numbers:
            found += [(w, NUMBER_WEIGHT) for w in number_variants(word) if w in known]
            if word.isdigit() and word not in known:
                found += [(w, NUMBER_WEIGHT) for w in spelled_words(word) if w in known]
        return found

    def _pair_variants(self, tokens: list[str]) -> dict[str, list[str]]:
        """Corpus words two neighbouring query words make, for each of the two words.

        "air plane" -> "airplane", "star light" -> "starlight", and a number spelt in
        words -> its digits ("forty five" -> "45", "twenty nineteen" -> "2019").
        """
        known = self._term_id
        out: dict[str, list[str]] = defaultdict(list)
        for a, b in pairwise(tokens):
            joined = a + b
            if joined in known and joined not in STOP_WORDS and len(joined) >= 5:
                out[a].append(joined)
                out[b].append(joined)
        for start, end, digits in number_runs(tokens):
            if digits in known:
                for token in tokens[start:end]:
                    out[token].append(digits)
        return dict(out)

    def _plan(self, text: str, *, suggest: bool) -> _Query | None:
        """Normalise the query and work out which vocabulary words may answer each word."""
        norm = _cut_query(text, suggest and not text[-1:].isspace(), self._term_id)
        if not norm:
            return None
        words = [
            w
            for w in _content_words(norm.split())
            if (len(w) > 1 or w.isdigit()) and not self._misspelt_stop_word(w)
        ]
        last_open = suggest and not text[-1:].isspace()
        prefix = last_open and norm.split()[-1] == (words[-1] if words else None)
        words = words[:MAX_SLOTS]
        if not words:
            return None
        max_idf = self._idf(0)
        extra = self._pair_variants(norm.split())
        numbers = any(not is_number(w) for w in words)
        asking = norm.split()[0] in QUESTION_OPENERS
        slots: list[_Slot] = []
        fixed: dict[str, str] = {}  # a misspelt word -> the corpus word it stands for
        split: dict[str, tuple[str, ...]] = {}  # two words run together -> those words
        for i, word in enumerate(words):
            is_last = i == len(words) - 1
            known = word in self._term_id
            variants: dict[str, float] = {word: 1.0} if known else {}
            alike: list[str] = []
            for other, credit in self._forms(word, numbers):
                variants.setdefault(other, credit)
                alike.append(other)
            for other in extra.get(word, ()):
                variants.setdefault(other, SPLIT_WEIGHT)
                alike.append(other)
            if not known:
                halves = self._halves(word)
                if halves and not variants:  # no other reading of it: the naive view's too
                    split[word] = halves
                for part in halves:
                    variants.setdefault(part, SPLIT_WEIGHT)
            # A word the corpus has is probably meant as typed: its neighbours count less.
            damp = KNOWN_WORD_TYPO_DAMPING if known else 1.0
            typos = self._neighbours(word)
            if not variants and not known and (fix := self._typo_fix(word, typos)):
                fixed[word] = fix
            for other, dist in typos:
                variants.setdefault(other, TYPO_WEIGHT[dist] * damp)
            if is_last and (prefix or (len(word) >= 3 and not known)):
                completions = self._completions(word)
                alike.extend(completions)
                for other in completions:  # the word being typed: more than a typo of it
                    variants[other] = max(variants.get(other, 0.0), PREFIX_WEIGHT)
            if known:
                idf = self._idf(self._df_of(word))
            elif variants:
                best = max(variants.values())
                idf = min(self._idf(self._df_of(v)) for v, w in variants.items() if w == best)
            else:
                idf = max_idf
            if asking and word in FRAME_WORDS and len(words) > 1:
                idf *= FRAME_WEIGHT
            slots.append(_Slot(word, idf, variants, frozenset(alike)))
        loose = None if prefix else self._loose_phrase(norm.split(), slots)
        return _Query(norm, tuple(slots), prefix, loose, self._naive_view(norm, fixed, split))

    def _naive_view(
        self, norm: str, fixed: dict[str, str], split: dict[str, tuple[str, ...]]
    ) -> str:
        """The query's content words as the naive scorer should see them: a misspelt word
        as the corpus word it is one edit from (`fixed`, see _typo_fix), a word typed in
        two pieces that the corpus lacks as the corpus word they make, and two words run
        together (`split`: no other reading of the word) as the corpus words they are;
        the slots already allow these (`_pair_variants`, `_halves`).

        ``token_set_ratio`` compares characters, so a typo left in costs a paraphrase's
        naive score ~15 points (68.7 -> 52.5 for one typo in an 8-word paraphrase), and a
        split or joined word a whole word: under NAIVE_MATCH, although the index itself
        had found the word.
        """
        known = self._term_id
        tokens = norm.split()
        out: list[str] = []
        at = 0
        while at < len(tokens):
            word = tokens[at]
            if at + 1 < len(tokens) and (word not in known or tokens[at + 1] not in known):
                joined = word + tokens[at + 1]  # "nep hew" -> "nephew", "do llars" -> "dollars"
                if joined in known and joined not in STOP_WORDS and len(joined) >= 5:
                    out.append(joined)
                    at += 2
                    continue
            if word in split:
                out.extend(split[word])  # "thecold" -> "cold", "hisnephew" -> "nephew"
            else:
                out.append(fixed.get(word, word))
            at += 1
        return content_words(" ".join(out))

    def _typo_fix(self, word: str, typos: list[tuple[str, int]]) -> str | None:
        """The corpus word `word` (not one itself, nor another form of one) misspells:
        its only neighbour one edit away.  Several such neighbours leave it as typed, and
        so does a word shorter than TYPO_FIX_LETTERS: one edit from a short word is often
        another word the corpus happens to lack ("paris" is not "parish")."""
        if len(word) < TYPO_FIX_LETTERS:
            return None
        nearest = [other for other, dist in typos if dist == 1]
        return nearest[0] if len(nearest) == 1 else None

    def _loose_phrase(self, tokens: list[str], slots: list[_Slot]) -> LoosePhrase | None:
        """The query's words as a loose phrase (bot/search/align.py): each stands for
        itself and its other forms (not its typo neighbours); stop words and very common
        words of the corpus (in more than PHRASE_OPTIONAL_SHARE of the answers) but the
        rarest may be ones the member added, never a word the corpus lacks (a typo)."""
        slot_of = {slot.word: slot for slot in slots}
        addable = self._addable(slots)
        accept: list[frozenset[str]] = []
        optional: list[bool] = []
        for token in tokens:
            slot = slot_of.get(token)
            known = token in self._term_id
            if slot is None:
                accept.append(frozenset((token,)))
                optional.append(token in STOP_WORDS or known)
                continue
            forms = [v for v, credit in slot.variants.items() if credit >= INFLECTION_WEIGHT]
            accept.append(frozenset((token, *forms)))
            optional.append(known and token in addable)
        return LoosePhrase.of(accept, optional)

    def _addable(self, slots: Sequence[_Slot]) -> set[str]:
        """The query's very common words ("really", "actually": in more than
        PHRASE_OPTIONAL_SHARE of the answers), not its rarest: a member may add them."""
        rarest = max(slots, key=lambda s: s.idf).word
        common = self._idf(int(self._n * PHRASE_OPTIONAL_SHARE))
        return {s.word for s in slots if s.idf <= common and s.word != rarest}
