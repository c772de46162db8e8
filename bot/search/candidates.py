"""Candidates: BM25 over the query's words and variants, then the phrase scan's finds
(:mod:`bot.search.phrase`) put first."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bot.search.build import _IMPACT_TF
from bot.search.params import (
    BM25_TF,
    CANDIDATE_BUDGET,
    COORDINATION,
    LATE_POOL,
    PHRASE_EXTRA,
    PHRASE_POOL,
)
from bot.search.phrase import _PhraseScan, _Scanned
from bot.search.plan import _Query
from bot.search.text import _IntArray

Within = npt.NDArray[np.bool_]
"""A search restriction: one flag per answer row (index order), true where it may match."""


class _Candidates(_PhraseScan):
    """Which answers to rerank (see the package docstring: candidates, word order)."""

    __slots__ = ()

    # --- candidates -----------------------------------------------------------------

    def _candidates(
        self, query: _Query, k: int, within: Within | None = None
    ) -> tuple[_IntArray, npt.NDArray[np.float64]]:
        """Rows of the `k` passages with the best BM25 score over the query's variants
        (only rows flagged in `within`, when given: postings outside it are dropped first).

        Slots pick candidates rarest first while their postings fit CANDIDATE_BUDGET (the
        rarest always does); the commoner rest would touch much of a large corpus, so they
        are added afterwards, by a binary search of their sorted postings, for the best
        LATE_POOL candidates only.
        """
        plans: list[list[tuple[int, float]]] = []
        for slot in query.slots:
            terms = [(self._term_id[v], w) for v, w in slot.variants.items() if v in self._term_id]
            if terms:
                plans.append(terms)
        if not plans:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        df = self._df

        def cost(terms: list[tuple[int, float]]) -> int:
            """Postings a slot would score: all its words (typos, completions) together."""
            return sum(int(df[t]) for t, _ in terms)

        by_df = sorted(plans, key=cost)
        picking: list[list[tuple[int, float]]] = []
        spent = 0
        for terms in by_df:
            if picking and spent + cost(terms) > CANDIDATE_BUDGET:
                break
            picking.append(terms)
            spent += cost(terms)
        late = by_df[len(picking) :]
        found, scores = self._accumulate(picking, LATE_POOL if late else k, within)
        if late and len(found):
            if len(found) > LATE_POOL:
                top = np.argpartition(-scores, LATE_POOL - 1)[:LATE_POOL]
                top.sort()  # rows in order: searchsorted then walks each postings list once
                found, scores = found[top], scores[top]
            norm = COORDINATION + BM25_TF / (1.0 + self._lnorm[found].astype(np.float64))
            probe = found.astype(np.uint32)  # same dtype as the postings: no copy of them
            for terms in late:
                best = np.zeros(len(found))
                for tid, factor in terms:
                    lo, hi = int(self._term_off[tid]), int(self._term_off[tid + 1])
                    post = self._post_ids[lo:hi]
                    at = np.minimum(np.searchsorted(post, probe), len(post) - 1)
                    present = post[at] == probe
                    best = np.maximum(best, present * (factor * self._idf(hi - lo)))
                scores = scores + best * norm
        if len(found) > k:
            top = np.argpartition(-scores, k - 1)[:k]
            found, scores = found[top], scores[top]
        order = np.lexsort((found, -scores))
        return found[order], scores[order]

    def _accumulate(
        self, plans: list[list[tuple[int, float]]], keep: int, within: Within | None = None
    ) -> tuple[_IntArray, npt.NDArray[np.float64]]:
        """Candidate score per row over the slots' postings (see COORDINATION).

        Every row among the best `keep` is returned, perhaps with others.  A posting's
        weight is an affine function of its one-byte impact, so each term's weights are
        one look-up in a 256-entry table rather than a cast and two passes.  A row holding
        two variants of one slot (a word and its plural) counts both; that only reorders
        candidates slightly, and the rerank scores each slot once.
        """
        id_parts: list[npt.NDArray[np.uint32]] = []
        weight_parts: list[npt.NDArray[np.float64]] = []
        for terms in plans:
            for tid, factor in sorted(terms, key=lambda tw: -tw[1]):
                lo, hi = int(self._term_off[tid]), int(self._term_off[tid + 1])
                scale = factor * self._idf(hi - lo)
                table = _IMPACT_TF * scale + scale * COORDINATION
                ids, weights = self._post_ids[lo:hi], table[self._post_impact[lo:hi]]
                if within is not None:
                    allowed = within[ids]
                    ids, weights = ids[allowed], weights[allowed]
                id_parts.append(ids)
                weight_parts.append(weights)
        if len(id_parts) == 1:  # one word: its postings are already unique and sorted
            return id_parts[0].astype(np.int64), weight_parts[0]
        all_ids = np.concatenate(id_parts, dtype=np.intp)  # bincount would cast it anyway
        all_w = np.concatenate(weight_parts)
        if len(all_ids) * 64 < self._n:  # few postings: sorting them beats an N-sized pass
            uniq_ids, inverse = np.unique(all_ids, return_inverse=True)
            return uniq_ids.astype(np.int64), np.bincount(inverse, weights=all_w).astype(
                np.float64, copy=False
            )
        dense = np.bincount(all_ids, weights=all_w, minlength=self._n).astype(
            np.float64, copy=False
        )
        if len(all_ids) > 8 * keep:
            # Many rows, few wanted: a threshold from a sample of the scored rows keeps a
            # few times `keep` of them (exact whenever at least `keep` pass it), which
            # is much cheaper than listing every scored row and partitioning them.
            # A row in several postings is sampled as often, so the sample leans high:
            # a second, lower threshold catches the usual miss.
            step = max(1, len(all_ids) // 16384)
            sample = dense[all_ids[::step]]
            last = len(sample) - 1
            ranks = [int(max(0.0, 1.0 - f * keep / len(all_ids)) * last) for f in (3, 12)]
            sample.partition(ranks)
            for rank in ranks:
                found = np.flatnonzero(dense >= sample[rank])
                if len(found) >= keep:
                    return found, dense[found]
        mark = np.zeros(self._n, dtype=bool)  # scanning 1 byte a row beats 8 (float64)
        mark[all_ids] = True
        found = np.flatnonzero(mark)
        return found, dense[found]

    # --- searching ------------------------------------------------------------------

    def _shortlist(
        self, query: _Query, k: int, loose: bool = True, within: Within | None = None
    ) -> list[tuple[int, float]]:
        """The rows to rerank: answers that contain the query as a phrase, then BM25's best.

        BM25 cannot see word order, so when every query word is common the answer that
        holds the phrase can rank anywhere among thousands that merely hold the words.  The
        best PHRASE_POOL candidates are therefore scanned, as raw lower-cased bytes joined
        into one buffer, with one regular expression: the query's words in order, any
        punctuation between them, and a wildcard for a word the corpus lacks (a typo).
        Autocomplete asks for no `loose` second pass: it costs a scan and what is typed
        so far is a phrase as typed.
        """
        rows, bm25 = self._candidates(query, max(k, PHRASE_POOL), within)
        ranked = list(zip(rows[:k].tolist(), bm25[:k].tolist(), strict=True))
        if len(rows) <= k:
            return ranked
        extras: dict[bool, _IntArray] = {}
        tried: set[bytes] = set()
        # What each set of required words leaves of the pool, and of each extra, to scan
        # (the patterns below often require the same words: one join serves them all).
        scanned: dict[bool | None, _Scanned] = {None: {}, False: {}, True: {}}
        # The phrase as typed (each word or a close variant of it), then, when no answer
        # holds that, with stop words and very common words optional (members add them),
        # then with a word between any two of its words (one the member left out), then,
        # when every word after its first content word may be an added one, ending on
        # its last word.
        modes = (
            ((False, False, False), (True, False, False), (False, True, False), (True, False, True))
            if loose
            else ((False, False, False),)
        )
        for optional, gapped, edges in modes:
            phrase = self._phrase_plan(query, optional, gapped, edges)
            if phrase is None or phrase[0] in tried:
                continue
            pattern, required = phrase
            tried.add(pattern)
            found = self._phrase_rows_among(pattern, required, rows, k, scanned[None])
            if found:
                first = sorted(found)
                order = first + [i for i in range(min(len(rows), k + len(first))) if i not in found]
                picked = np.asarray(order[:k], dtype=np.int64)
                return list(zip(rows[picked].tolist(), bm25[picked].tolist(), strict=True))
            # The phrase may be in an answer BM25 ranked below the pool (every word of the
            # query common): look in the answers that hold all its words or variants (all
            # but the optional ones, when they may be left out).
            if optional not in extras:
                extra = self._rows_with_all(query, optional)
                extra = extra[~np.isin(extra, rows)]
                if within is not None:
                    extra = extra[within[extra]]
                extras[optional] = extra
            extra = extras[optional]
            if 0 < len(extra) <= PHRASE_EXTRA:
                among = self._phrase_rows_among(pattern, required, extra, k, scanned[optional])
                hits = [int(extra[i]) for i in among]
                if hits:
                    rest = list(zip(rows.tolist(), bm25.tolist(), strict=True))
                    return ([(r, 0.0) for r in hits] + rest)[:k]
        return ranked
