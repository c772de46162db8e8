"""Questions: the words an answer was asked, and answers found through their question.

Members recall an answer in the words it was asked.  The questions have a sub-index of
their own (``SearchIndex._questions``); a match there leads to the answer that replied,
counted at QUESTION_WEIGHT (an answer that says the words ranks above one that was asked
them) unless the question holds the words clearly better than any answer does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bot.search.candidates import Within
from bot.search.naive import _NaiveEvidence
from bot.search.params import (
    EVERY_WORD,
    MATCH_FLOOR,
    NAIVE_MARGIN,
    NAIVE_SHARED,
    QUESTION_SCAN,
    QUESTION_WEIGHT,
    RERANK,
)
from bot.search.plan import _Query
from bot.search.results import Hit

if TYPE_CHECKING:
    from bot.search.index import SearchIndex
    from bot.search.rank import _Scored


class _Asked:
    """The questions' side of one search: the query planned on the questions' sub-index
    once, when first needed, and each rerank of it kept for the next step that looks at
    questions (a query no answer matches is looked up by _with_questions, then again by
    _question_lead, with the same rerank)."""

    def __init__(self, index: _Questions, query: str, within: Within | None) -> None:
        self._index, self._query, self._within = index, query, within
        self._planned: tuple[SearchIndex, _Query, Within | None] | None = None
        self._looked = False
        self._ranked: dict[tuple[int, bool], list[_Scored]] = {}

    @property
    def planned(self) -> tuple[SearchIndex, _Query, Within | None] | None:
        """The sub-index, the query planned on it and `within` over its rows (None when
        there are no questions, nothing to look for, or none allowed)."""
        if not self._looked:
            self._planned = self._index._question_plan(self._query, self._within)
            self._looked = True
        return self._planned

    def ranked(self, k: int, scan: bool) -> list[_Scored]:
        """The sub-index's best `k` questions reranked (`scan`: with the phrase scan)."""
        planned = self.planned
        if planned is None:
            return []
        if (k, scan) not in self._ranked:
            sub, plan, sub_within = planned
            self._ranked[k, scan] = sub._rank(plan, k, sub_within, scan=scan)
        return self._ranked[k, scan]


class _Questions(_NaiveEvidence):
    """The questions' part of a search (see the module docstring)."""

    __slots__ = ()

    def _question_words(self, row: int) -> set[str]:
        """The words of the question answer `row` replied to (none when not found).

        The questions' sub-index keeps the answers' order but skips answers without a
        question, so its row is at most `row` and near it: a short scan finds it.
        """
        sub = self._questions
        if sub is None or not sub._n:
            return set()
        pid = self._ids[row]
        for at in range(min(row, sub._n - 1), max(-1, min(row, sub._n - 1) - QUESTION_SCAN), -1):
            if sub._ids[at] == pid:
                return set(" ".join(sub._normalised_sentences(at)).split())
        return set()

    def _with_questions(
        self,
        asked: _Asked,
        hits: list[Hit],
        limit: int,
        weight: float = QUESTION_WEIGHT,
        rerank: int = RERANK,
    ) -> list[Hit]:
        """`hits` merged with the answers whose question matches the query.

        A question's match scores QUESTION_WEIGHT of what the same match in an answer
        would, so an answer that says the words ranks above one that was asked them.
        """
        planned = asked.planned
        if planned is None:
            return hits
        sub = planned[0]
        best = {h.passage_id: h for h in hits}
        # A question that holds the words better than any answer does (both every word,
        # neither the exact phrase) counts in full: the answer that replied to it comes
        # first, or, when the two are close, neither is shown as the match (_ambiguous).
        beaten = hits[0].score if hits and not hits[0].exact else 100.0
        for s in asked.ranked(max(rerank, limit), rerank >= RERANK):
            full = s.score > beaten and s.score >= EVERY_WORD and not s.exact
            score = round(s.score * (1.0 if full else weight), 1)
            if score < MATCH_FLOOR:
                break
            pid = sub._ids[s.row]
            if pid not in best or best[pid].score < score:
                best[pid] = Hit(pid, score, None, False)
        return sorted(best.values(), key=lambda h: -h.score)

    def _question_plan(
        self, query: str, within: Within | None
    ) -> tuple[SearchIndex, _Query, Within | None] | None:
        """The questions' sub-index, `query` planned on it and `within` as flags over its
        rows (None when there are no questions, nothing to look for, or none allowed)."""
        sub = self._questions
        plan = None if sub is None else sub._plan(query, suggest=False)
        if sub is None or plan is None:
            return None
        sub_within = None
        if within is not None:  # the question index has rows of its own: map by id
            allowed = {self._ids[int(r)] for r in np.flatnonzero(within)}
            sub_within = np.fromiter((pid in allowed for pid in sub._ids), bool, len(sub._ids))
            if not sub_within.any():
                return None
        return sub, plan, sub_within

    def _question_lead(self, asked: _Asked, hits: list[Hit], rival: _Scored | None) -> list[Hit]:
        """`hits`, or the answer to the question the naive scorer clearly prefers.

        Called when no answer scored over the floor (`hits` is empty or an answer shown
        anyway as a lead, `rival`, else the best answer) and no question did either:
        members recall what an answer was about in the words it was asked ("any tips for
        first time founders" for "Any advice for first-time founders?").  The question
        that `_naive_lead` picks among those sharing NAIVE_SHARED of the query's words (a
        short question holding one of them scores token_set_ratio 100) leads when,
        counted at QUESTION_WEIGHT, it scores more than `rival` and beats its naive score
        by NAIVE_MARGIN.  It is then the one hit: the weaker answer beside it would make
        the two look alike (`_ambiguous`).  When `rival` is the answer to that very
        question, the two agree and it leads whatever their scores ("can you predict when a
        volcano will erupt": the answer says "predict" and "eruption", its question "So can
        you predict eruptions?").
        """
        planned = asked.planned
        if planned is None:
            return hits
        sub, plan, _ = planned
        sharing = [
            s
            for s in asked.ranked(RERANK, True)
            if plan.shared_words(set(sub._content_text(s.row).split())) >= NAIVE_SHARED
        ]
        lead = sub._naive_lead(plan, sharing)
        # The rival is the very answer that replied to the question: the answer's words
        # and its question's point at the same passage, so nothing is weighed against it.
        same = lead is not None and rival is not None and sub._ids[lead.row] == self._ids[rival.row]
        if lead is None or (
            rival is not None
            and not same
            and (
                lead.naive * QUESTION_WEIGHT < rival.naive + NAIVE_MARGIN
                or lead.score * QUESTION_WEIGHT <= rival.score
            )
        ):
            return hits
        if same and rival is not None:  # the answer's own best sentence is the one shown
            return [Hit(sub._ids[lead.row], MATCH_FLOOR, rival.sentence, False)]
        return [Hit(sub._ids[lead.row], MATCH_FLOOR, None, False)]
