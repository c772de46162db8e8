"""Ranking: the rerank of the shortlist and search() (questions: :mod:`bot.search.questions`;
show, withhold or lead the best: :mod:`bot.search.verdict`)."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from bot.search.candidates import Within
from bot.search.params import (
    EVERY_WORD,
    MATCH_FLOOR,
    NEAR_TIE,
    PAIR_DISCOUNT,
    QUESTION_PHRASE,
    QUESTION_RERANK,
    QUESTION_WEIGHT,
    RERANK,
    SUGGEST_FLOOR,
    TIE_WEIGHT,
    TIED,
    TOGETHER,
)
from bot.search.plan import _Query
from bot.search.questions import _Asked
from bot.search.results import Hit, SearchResult
from bot.search.text import _label
from bot.search.verdict import _Verdicts


@dataclass(frozen=True, slots=True)
class _Scored:
    """A reranked candidate passage."""

    row: int
    score: float
    exact: bool
    sentence: int
    density: float  # tie-break: how concentrated the query words are in the best sentence
    naive: float  # token_set_ratio of the query's and the answer's content words (naive.py)
    phrase: float  # partial_ratio of the whole query (stop words too) to the answer
    coverage: float  # idf-weighted share of the query's words the answer holds (forms less)
    strength: float = 0.0  # score + TIE_WEIGHT * phrase / 100: orders near ties

    def __post_init__(self) -> None:
        if not self.strength:
            object.__setattr__(self, "strength", self.score + TIE_WEIGHT * self.phrase / 100.0)


def _tier_score(
    exact: bool, every_word: bool, coverage: float, phrase: float, focus: float
) -> float:
    """Scores in tiers: exact phrase 100, every word present 75..99, otherwise below 75.

    `phrase` is the fuzzy phrase similarity (0..100), `focus` the share of the query found
    in the single best sentence (0..1), which rewards words that occur together.
    """
    if exact:
        return 100.0
    if every_word:
        return EVERY_WORD + 24.0 * (0.5 * phrase / 100.0 + 0.5 * focus)
    return 74.0 * (0.6 * coverage + 0.4 * phrase / 100.0)


def _phrase(query: str, text: str) -> tuple[float, int]:
    """Fuzzy similarity of `query` to its best window of `text`, and where that starts."""
    if not query or not text:
        return 0.0, 0
    if len(query) <= len(text):
        found = fuzz.partial_ratio_alignment(query, text)
        if found is None:
            return 0.0, 0
        return float(found.score), int(found.dest_start)
    return float(fuzz.ratio(query, text)), 0


class _Ranker(_Verdicts):
    """The rerank and :meth:`search` (see the package docstring: rerank, no match)."""

    __slots__ = ()

    def _rank(
        self, query: _Query, k: int, within: Within | None = None, scan: bool = True
    ) -> list[_Scored]:
        """The best candidates reranked; without `scan`, BM25's best `k` only (no phrase
        scan: ~9 ms of a question look-up's ~11 ms at 100k)."""
        if scan:
            shortlist = self._shortlist(query, k, within=within)
        else:
            rows, bm25 = self._candidates(query, k, within)
            shortlist = list(zip(rows.tolist(), bm25.tolist(), strict=True))
        ranked = [self._score(query, row, base) for row, base in shortlist]
        if not any(s.exact for s in ranked) and self._scan_affordable(within):
            have = {row for row, _ in shortlist}
            ranked += [
                self._score(query, row, 0.0)
                for row in self._naive_rows(query, within)
                if row not in have
            ]
        ranked.sort(key=lambda s: (-s.score, -s.density, s.row))
        return self._break_near_tie(query, ranked)

    def _break_near_tie(self, query: _Query, ranked: list[_Scored]) -> list[_Scored]:
        """`ranked` with the answers tied near the top reordered by a stronger scorer.

        Within NEAR_TIE points of the top (neither an exact phrase), the whole query's
        alignment with the answer (``partial_ratio``, stop words and order included)
        counts TIE_WEIGHT points more.  On the tuning seed's near ties it put the right
        answer first in 102 of 117 cases, the tier score alone in 96, and
        ``token_set_ratio`` (the old tie-break) in 88.  Scores are then made
        non-increasing down the list (an answer that moves up lends its score to those
        it passed), so later merges by score keep this order.
        """
        if len(ranked) < 2 or ranked[0].exact or ranked[0].score - ranked[1].score > NEAR_TIE:
            return ranked
        top = ranked[0].score
        close = [s for s in ranked if top - s.score <= NEAR_TIE and not s.exact]
        close.sort(key=lambda s: (-s.strength, -s.density, s.row))
        for i in range(1, len(close)):
            if close[i].score > close[i - 1].score:
                close[i] = replace(close[i], score=close[i - 1].score)
        return close + ranked[len(close) :]

    def _score(self, query: _Query, row: int, base: float) -> _Scored:
        sentences = self._normalised_sentences(row)
        text = " ".join(sentences)
        starts: list[int] = []
        at = 0
        for sentence in sentences:
            starts.append(at)
            at += len(sentence) + 1
        token_sets = [set(sentence.split()) for sentence in sentences]
        words: set[str] = set().union(*token_sets)
        coverage, every_word = query.coverage(words)
        pos = query.phrase_in(text)
        exact = pos >= 0
        phrase, aligned = (100.0, pos) if exact else _phrase(query.norm, text)
        hit_sentence = max(0, bisect.bisect_right(starts, aligned) - 1) if sentences else 0
        best, focus, density = hit_sentence, -1.0, 0.0
        held = [query.coverage(present) if present else (0.0, False) for present in token_sets]
        alone = [got for got, _ in held]
        for i, got in enumerate(alone):
            bonus = 0.01 if i == hit_sentence else 0.0
            if got + bonus > focus:
                best, focus = i, got + bonus
                density = got / math.sqrt(len(sentences[i]) / 6.0 + 1.0)
        # A query may span two neighbouring sentences: a window of two counts, a little
        # less than one sentence holding as much, and shows its fuller sentence.
        for i in range(len(sentences) - 1 if max(alone, default=1.0) < 1.0 else 0):
            if not alone[i] or not alone[i + 1]:
                continue
            got = query.coverage(token_sets[i] | token_sets[i + 1])[0] * PAIR_DISCOUNT
            if got > focus + 1e-9:
                best = i if alone[i] >= alone[i + 1] else i + 1
                focus = got
                size = len(sentences[i]) + len(sentences[i + 1])
                density = got / math.sqrt(size / 6.0 + 1.0)
        if exact:
            best = hit_sentence
        focus = min(1.0, max(0.0, focus))
        # Every word, but scattered over the answer (no sentence or pair of sentences holds
        # most of the query), is weaker than the words said together: it drops a tier.
        # One sentence that holds every word, some as another form (a word joined, a
        # number in digits: "waterfall" for "water fall"), holds them together too,
        # whatever those forms' credit (two splits at SPLIT_WEIGHT left it under
        # TOGETHER, below an answer holding "water" and "fall" apart).
        together = every_word and (focus >= TOGETHER or any(full for _, full in held))
        score = _tier_score(exact, together, coverage, phrase, focus)
        if not exact and query.loose is not None and query.loose.found_in(text, words):
            # The query said in order, but for words a member adds: as good as every
            # word said together (bot/search/align.py).
            score = max(score, _tier_score(False, True, coverage, phrase, 1.0))
        naive = self._naive_score(query, row, text)
        return _Scored(row, score, exact, best, density + base * 1e-6, naive, phrase, coverage)

    def search(self, query: str, limit: int = 5, *, within: Within | None = None) -> SearchResult:
        """The passages that answer `query`, best first, one hit per passage.

        Nothing that scores under MATCH_FLOOR is returned; with no hit, the nearest
        sentences (if any come close) are offered as suggestions. `within` (one flag per
        answer, in index order) restricts the search to some answers (a speaker's, an
        interview's): it is applied where candidates are gathered, before any ranking.
        """
        if limit <= 0 or not self._n or not isinstance(query, str):
            return SearchResult([], [])
        if within is not None and (len(within) != self._n or not within.any()):
            return SearchResult([], [])
        plan = self._plan(query, suggest=False)
        if plan is None:
            return SearchResult([], [])
        ranked = self._rank(plan, max(RERANK, limit), within)
        hits = [
            Hit(self._ids[s.row], round(s.score, 1), s.sentence, s.exact)
            for s in ranked
            if s.score >= MATCH_FLOOR
        ]
        # A weak hit the naive scorer contradicts: its favourite leads instead (the near-tie
        # veto of _answer_naive_lead is for answers nothing contradicted)
        lead = self._contradicted(plan, ranked, hits[0]) if hits else None
        if lead is None and not hits and ranked:
            lead = (
                self._answer_naive_lead(plan, ranked)
                or self._evidence_lead(plan, ranked)
                or self._clear_lead(ranked)
            )
        if lead is not None:
            hits = [Hit(self._ids[lead.row], MATCH_FLOOR, lead.sentence, False)]
        answered = hits  # before the questions: did they add anything (_question_lead)?
        # A question's match scores at most 100 * QUESTION_WEIGHT: none can pass a
        # better answer hit, so the questions are only searched when one might.
        # Two answers that hold the words about equally well (neither the phrase) do not
        # settle it: then an answer whose question holds them counts in full.
        tied = len(hits) >= 2 and not hits[0].exact and hits[0].score - hits[1].score < TIED
        weight = 1.0 if tied else QUESTION_WEIGHT
        # ...and a question may be a better match than an answer that holds the words
        # less closely than as typed (see _with_questions).
        # Only BM25's best few questions are reranked for that (a full rerank of the
        # questions for every such query cost ~12 % more CPU per /quote at 100k).
        loosely = bool(ranked) and not ranked[0].exact and ranked[0].phrase < QUESTION_PHRASE
        asked = _Asked(self, query, within)
        if self._questions is not None and (not hits or hits[0].score < 100.0 * weight):
            hits = self._with_questions(asked, hits, limit, weight)
        elif self._questions is not None and loosely and not hits[0].exact:
            hits = self._with_questions(asked, hits, limit, weight, QUESTION_RERANK)
        hits = hits[:limit]
        if self._questions is not None and hits == answered[:limit] and (lead or not hits):
            # No answer over the floor, nor a question: the question asked in other words?
            hits = self._question_lead(asked, hits, lead or (ranked[0] if ranked else None))
        if hits and (self._ambiguous(ranked, hits) or self._misaligned(plan, ranked, hits)):
            # Two answers about as good (neither the exact phrase): neither is shown as
            # THE match; both are offered as the closest ones instead of one being
            # confidently wrong ("Another match" would not tell the member which).
            return SearchResult([], self._labels(plan, ranked))
        if hits:
            return SearchResult(hits, [])
        return SearchResult([], self._labels(plan, ranked))

    def _labels(self, plan: _Query, ranked: list[_Scored]) -> list[str]:
        """The best sentences of the nearest answers, as "did you mean" suggestions."""
        suggestions: list[str] = []
        anchor = plan.slots[0].word
        for s in ranked:
            if s.score < SUGGEST_FLOOR or len(suggestions) >= 5:
                break
            label = _label(self._sentences(s.row)[s.sentence], anchor)
            if label not in suggestions:
                suggestions.append(label)
        return suggestions
