"""The query as a loose phrase: its words in order, the words a member may have added left out.

A member who half-remembers a quote often adds a filler ("really", "actually", "you
know", a stray "the") to words that are otherwise the quote as said.  The answer then
holds the query's words in the same order, side by side, except for those fillers, and
that is stronger evidence than the same words scattered over the answer: yet the
fillers' weight is missing from its coverage, and when a filler is itself a common word
of other answers, answers holding every word somewhere outranked the one that says the
phrase.  :class:`LoosePhrase` finds such an alignment: every query word that carries
meaning (not a stop word, not a very common word, always the rarest) matched in order by
consecutive answer words, as typed or another form (an inflection, a spelling, a
number; a query with a typo is left to the rest of the rerank), its first and last words said, at most one word in four left out between them (at
least one: the phrase with nothing left out is scored as it always was), and at least
four matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

LOOSE_MIN_MATCHED = 4  # query words the answer must say in order: fewer is too common


@dataclass(frozen=True, slots=True)
class LoosePhrase:
    """The query's words in order, which of them may be left out, and what each matches."""

    accept: tuple[frozenset[str], ...]  # per query word: the answer words that stand for it
    optional: tuple[bool, ...]  # per query word: a stop word or a very common word
    budget: int  # how many optional words may be left out

    @classmethod
    def of(cls, accept: Sequence[frozenset[str]], optional: Sequence[bool]) -> LoosePhrase | None:
        """The loose phrase of a query's words, or None when it could never match."""
        budget = min(len(accept) // 4, len(accept) - LOOSE_MIN_MATCHED)
        if budget < 1 or all(optional):
            return None
        return cls(tuple(accept), tuple(optional), budget)

    def found_in(self, text: str, words: AbstractSet[str]) -> bool:
        """Whether consecutive words of `text` (an answer's normalised text, `words` its
        words as a set) say the phrase from its first word to its last with one to
        `budget` of its optional words between them left out (and nowhere all of it)."""
        accept, optional = self.accept, self.optional
        if any(not optional[q] and accept[q].isdisjoint(words) for q in range(len(accept))):
            return False  # a word that must be there is not: most answers, at once
        tokens = text.split()  # only now: this check runs for every reranked answer
        found = False
        first = accept[0]
        for at, token in enumerate(tokens):
            if token in first:
                skipped = self._from(tokens, at)
                if skipped == 0:
                    return False  # the whole phrase: scored as it always was
                found = found or skipped > 0
        return found

    def _from(self, tokens: Sequence[str], at: int) -> int:
        """How many optional words are left out when the query aligns with `tokens` from
        `at` (its first word matches there); -1 when it does not align."""
        accept, optional, m = self.accept, self.optional, len(self.accept)
        q, skipped = 1, 0
        at += 1
        while q < m:
            if at < len(tokens) and tokens[at] in accept[q]:
                q += 1
                at += 1
            elif optional[q] and q < m - 1 and skipped < self.budget:
                q += 1
                skipped += 1
            else:
                return -1
        return skipped
