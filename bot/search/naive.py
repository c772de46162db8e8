"""The naive scan as evidence: rapidfuzz ``token_set_ratio`` over the answers' content words.

A naive scan (``token_set_ratio`` of the query against every whole answer) put the right
answer first for every query of a hidden set of paraphrases over a handful of
interviews, where the index said "no match" for one in five: it had ranked the right
answer first, under ``MATCH_FLOOR``.  So the same scorer is used here in three ways:

* **A candidate source** (small and medium corpora): when scanning every answer costs a
  few milliseconds (NAIVE_SCAN_BYTES of answer text, measured), the best NAIVE_TAKE
  answers of the scan join the rerank's shortlist, so the index cannot miss what the
  naive scan finds.
* **A score of every reranked candidate** (``naive`` of :class:`bot.search.rank._Scored`),
  at any size: over the shortlist it costs a few microseconds a candidate.
* **Evidence for a match** (:meth:`_NaiveEvidence._naive_lead`): a candidate under
  ``MATCH_FLOOR`` is shown when its naive score is at least NAIVE_MATCH and clearly
  above every other candidate's (NAIVE_MARGIN), and the rerank puts no other answer
  more than NEAR_TIE above it (``verdict._answer_naive_lead``).

Both sides are compared on their *content words*: stop words are dropped first.  Over
whole texts, ``token_set_ratio`` scores 100 for any answer that holds every query word,
so "the" or "it is what it is" would match almost everything; without them, an
off-topic query shares at most a word or two with an answer by chance and scores ~30-45,
while a paraphrase keeping two or three content words scores 60+ against its answer.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz, process

from bot.search.candidates import Within, _Candidates
from bot.search.params import NAIVE_SCAN_BYTES, NAIVE_TAKE, SUGGEST_FLOOR
from bot.search.plan import _Query, content_words


class _NaiveEvidence(_Candidates):
    """The naive scan over every answer and the naive score of one answer."""

    __slots__ = ()

    def _content_text(self, row: int) -> str:
        """Answer `row`'s content words (normalised, stop words dropped)."""
        return content_words(" ".join(self._normalised_sentences(row)))

    def _naive_score(self, query: _Query, row: int, text: str | None = None) -> float:
        """``token_set_ratio`` of the query's and the answer's content words (0..100);
        `text` is the answer normalised, when the caller has it already."""
        words = query.content
        if not words:
            return 0.0
        answer = self._content_text(row) if text is None else content_words(text)
        return float(fuzz.token_set_ratio(words, answer, processor=None))

    def _scan_affordable(self, within: Within | None) -> bool:
        """Whether a naive scan over the answers (in `within`) fits its cost budget."""
        if within is None:
            size = len(self._blob)
        else:
            rows = np.flatnonzero(within)
            size = int(np.sum(self._offsets[rows + 1] - self._offsets[rows]))
        return size <= NAIVE_SCAN_BYTES

    def _naive_rows(self, query: _Query, within: Within | None = None) -> list[int]:
        """The rows a naive scan over every answer's content words (in `within`) puts
        first, best first (at most NAIVE_TAKE)."""
        if not query.content:
            return []
        texts = self._plain
        choices: list[str] | dict[int, str]
        if within is not None:
            # A speaker's answers in a big corpus can fit the budget while the corpus does
            # not: their texts only, never the whole corpus's.
            rows = np.flatnonzero(within)
            content = self._content_text if texts is None else texts.__getitem__
            choices = {int(r): content(int(r)) for r in rows}
        else:
            if texts is None:  # made on first use (the corpus fits); the slot is SearchIndex's
                texts = [self._content_text(row) for row in range(self._n)]
                self._plain = texts  # type: ignore[misc]
            choices = texts
        found = process.extract(
            query.content,
            choices,
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=NAIVE_TAKE,
            score_cutoff=SUGGEST_FLOOR,
        )
        return [int(at) for _, _, at in found]
