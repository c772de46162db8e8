"""Autocomplete: sentences that continue or match what a member is typing."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from bot.search.candidates import Within
from bot.search.params import MATCH_FLOOR, STOP_WORDS, SUGGEST_RERANK
from bot.search.plan import _Query
from bot.search.rank import _phrase, _Ranker, _tier_score
from bot.search.results import Suggestion
from bot.search.text import _label


class _Suggester(_Ranker):
    """:meth:`suggest`, over the same planning and candidates as search."""

    __slots__ = ()

    def _typing(self, plan: _Query) -> _Query:
        """Weigh the word still being typed as the words it may become, not as a typo.

        Planning credits an unfinished word's variants as if it were finished, so a rare
        typo neighbour or rare completion of it ("ther" -> "thern") outweighs the finished
        words in the candidates' BM25, and answers holding the rare word crowd out the one
        that holds the typed words and the member's actual next word ("there").  Any
        completion may be meant, so no variant of the word may count for more than its
        most frequent completion (or itself, when the corpus has it) would; nothing when it
        may become a stop word, which the index does not count.
        """
        if not plan.prefix or len(plan.slots) < 2:
            return plan
        last = plan.slots[-1]
        meant = self._completions(last.word)
        if last.word in self._term_id:
            meant.append(last.word)
        if any(word.startswith(last.word) for word in STOP_WORDS):
            cap = 0.0
        elif meant:
            cap = min(self._idf(self._df_of(word)) for word in meant)
        else:
            return plan
        variants: dict[str, float] = {}
        for word, credit in last.variants.items():
            idf = self._idf(self._df_of(word))
            scaled = credit if idf <= cap else credit * cap / idf
            if scaled > 0.0:
                variants[word] = scaled
        slots = (*plan.slots[:-1], replace(last, idf=min(last.idf, cap), variants=variants))
        return _Query(plan.norm, slots, plan.prefix)

    def suggest(
        self, prefix: str, limit: int = 25, *, within: Within | None = None
    ) -> list[Suggestion]:
        """Autocomplete: up to `limit` (≤25) sentences that continue or match `prefix`.
        `within` restricts the candidates as in :meth:`search` (before any ranking), so a
        speaker's or interview's sentences fill all `limit` places."""
        limit = min(limit, 25)
        if limit <= 0 or not self._n or not isinstance(prefix, str):
            return []
        if within is not None and (len(within) != self._n or not within.any()):
            return []
        plan = self._plan(prefix, suggest=True)
        if plan is None:
            return []
        plan = self._typing(plan)
        scored: list[tuple[float, int, int, int, str]] = []
        for row, _ in self._shortlist(plan, SUGGEST_RERANK, loose=False, within=within):
            originals = self._sentences(row)
            for i, sentence in enumerate(self._normalised_sentences(row)):
                original = originals[i]
                words = set(sentence.split())
                if words.isdisjoint(plan.lookup):
                    continue
                coverage, every_word = plan.coverage(words)
                if coverage <= 0.0:
                    continue
                exact = plan.phrase_in(sentence) >= 0
                if not exact and not every_word and coverage < 0.45:
                    continue  # cannot reach MATCH_FLOOR: 74 * (0.6 * 0.45 + 0.4) < 50
                phrase = 100.0 if exact else _phrase(plan.norm, sentence)[0]
                score = _tier_score(exact, every_word, coverage, phrase, coverage)
                if score >= MATCH_FLOOR:
                    scored.append((score, len(original), row, i, original))
        scored.sort(key=lambda item: (-item[0], item[1], item[2], item[3]))
        anchor = plan.slots[0].word
        out: list[Suggestion] = []
        seen: set[str] = set()
        per_passage: Counter[int] = Counter()
        for _, _, row, _, original in scored:
            if per_passage[row] >= 3:
                continue
            label = _label(original, anchor)
            if not label or label in seen:
                continue
            seen.add(label)
            per_passage[row] += 1
            out.append(Suggestion(label, self._ids[row]))
            if len(out) >= limit:
                break
        return out
