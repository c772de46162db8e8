"""Autocomplete: sentences that continue or match what a member is typing."""

from __future__ import annotations

from collections import Counter

from bot.search.candidates import Within
from bot.search.params import MATCH_FLOOR, SUGGEST_RERANK
from bot.search.rank import _phrase, _Ranker, _tier_score
from bot.search.results import Suggestion
from bot.search.text import _label


class _Suggester(_Ranker):
    """:meth:`suggest`, over the same planning and candidates as search."""

    __slots__ = ()

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
