"""Candidates: BM25 over the query's words and variants, and the phrase scan."""

from __future__ import annotations

import bisect
import re

import numpy as np
import numpy.typing as npt

from bot.search.build import _IMPACT_TF
from bot.search.params import (
    BM25_TF,
    CANDIDATE_BUDGET,
    COORDINATION,
    LATE_POOL,
    PHRASE_BARE_WORDS,
    PHRASE_EXTRA,
    PHRASE_EXTRA_FROM,
    PHRASE_OPTIONAL_SHARE,
    PHRASE_POOL,
    PHRASE_VARIANT_CREDIT,
    PHRASE_VARIANTS,
    STOP_WORDS,
)
from bot.search.plan import _Planner, _Query, _Slot
from bot.search.text import _GAP, _WILDCARD, _WORD_BYTE, _WORD_END, _IntArray

# A word the member forgot, between two of the query's words: plain separators around it
# (the full _GAP twice more per word made compiling the pattern ~2.5x slower, ~1.6 ms).
_FORGOTTEN = rb"(?:" + _WILDCARD + rb"[^a-z0-9\x80-\xff]+)?"

_Joined = tuple[bytes, list[int]]  # answers in one buffer, and where each starts

Within = npt.NDArray[np.bool_]
"""A search restriction: one flag per answer row (index order), true where it may match."""


class _Candidates(_Planner):
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
        # The phrase as typed (each word or a close variant of it), then, when no answer
        # holds that, with stop words and very common words optional (members add them),
        # then with a word between any two of its words (one the member left out).
        modes = ((False, False), (True, False), (False, True)) if loose else ((False, False),)
        for optional, gapped in modes:
            phrase = self._phrase_plan(query, optional, gapped)
            if phrase is None or phrase[0] in tried:
                continue
            pattern, required = phrase
            tried.add(pattern)
            found = self._phrase_rows_among(pattern, required, rows, k)
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
                hits = [int(extra[i]) for i in self._phrase_rows_among(pattern, required, extra, k)]
                if hits:
                    rest = list(zip(rows.tolist(), bm25.tolist(), strict=True))
                    return ([(r, 0.0) for r in hits] + rest)[:k]
        return ranked

    def _joined(self, rows: _IntArray) -> _Joined:
        """The answers `rows` as one lower-cased buffer, and where each starts in it."""
        lows = self._offsets[rows]
        highs = self._offsets[rows + 1] - 1
        joined = b" \xff ".join(self._blob.spans(lows, highs)).lower()
        starts = np.concatenate(([0], np.cumsum(highs - lows + 3)[:-1])).tolist()
        return joined, starts

    def _phrase_rows_among(
        self, pattern: bytes, required: list[int], rows: _IntArray, k: int
    ) -> list[int]:
        """Positions in `rows` of the answers `pattern` matches (at most `k`, the first in
        `rows` order), scanning only the answers that hold every term of `required`.

        Those terms are words the pattern can only match as whole words of the answer
        (see :meth:`_phrase_plan`), so an answer without one of them cannot match: the
        postings rule it out without its text being read, lower-cased and scanned
        (joining and scanning the PHRASE_POOL answers was a third of a /quote's CPU).
        The pattern is compiled only when some answer is left to scan (~1 ms a pattern).
        """
        at = self._holding(required, rows)
        if not len(at):
            return []
        compiled = re.compile(pattern, re.DOTALL)
        return [int(at[i]) for i in self._phrase_rows(compiled, self._joined(rows[at]), k)]

    def _holding(self, terms: list[int], rows: _IntArray) -> _IntArray:
        """Positions in `rows` (ascending) of the answers whose postings hold every term."""
        at = np.arange(len(rows))
        if not terms or not len(rows):
            return at
        order = np.argsort(rows, kind="stable")
        probe = rows[order].astype(np.uint32)  # the postings' dtype: no copy of them
        keep = np.ones(len(rows), dtype=bool)
        for tid in sorted(terms, key=lambda t: int(self._df[t])):  # rarest first
            lo, hi = int(self._term_off[tid]), int(self._term_off[tid + 1])
            post = self._post_ids[lo:hi]
            if not len(post):
                return at[:0]
            found = np.minimum(np.searchsorted(post, probe), len(post) - 1)
            keep &= post[found] == probe
            if not keep.any():
                return at[:0]
        return np.sort(order[keep])

    def _phrase_rows(self, pattern: re.Pattern[bytes], buffer: _Joined, k: int) -> list[int]:
        """Positions in the buffer's rows of the answers `pattern` matches (at most `k`)."""
        joined, starts = buffer
        found: dict[int, None] = {}
        for match in pattern.finditer(joined):
            found[bisect.bisect_right(starts, match.start()) - 1] = None
            if len(found) >= k:
                break
        return sorted(found)

    def _rows_with_all(self, query: _Query, required: bool = False) -> _IntArray:
        """The answers holding every query word, or a close variant of it (a form, a typo
        neighbour, a split), rarest first; none when even the rarest word with its
        variants is in more than PHRASE_EXTRA_FROM answers.  With `required`, the words a
        loose phrase may leave out (see _optional_slots) need not be there."""
        words = query.slots[:-1] if query.prefix else query.slots  # the last: unfinished
        if required:
            skip = self._optional_slots(query)
            words = tuple(s for s in words if s.word not in skip)
        slots = [self._phrase_terms(s) for s in words]
        slots = sorted((t for t in slots if t), key=lambda ts: sum(int(self._df[t]) for t in ts))
        if not slots or sum(int(self._df[t]) for t in slots[0]) > PHRASE_EXTRA_FROM:
            return np.zeros(0, np.int64)
        rows = np.unique(
            np.concatenate(
                [
                    self._post_ids[int(self._term_off[t]) : int(self._term_off[t + 1])]
                    for t in slots[0]
                ]
            )
        )
        for terms in slots[1:]:
            if not len(rows):
                break
            keep = np.zeros(len(rows), dtype=bool)
            for tid in terms:
                lo, hi = int(self._term_off[tid]), int(self._term_off[tid + 1])
                post = self._post_ids[lo:hi]
                at = np.minimum(np.searchsorted(post, rows), len(post) - 1)
                keep |= post[at] == rows
            rows = rows[keep]
        return rows.astype(np.int64)

    def _phrase_terms(self, slot: _Slot) -> list[int]:
        """Term ids a slot's word may stand as in a phrase: itself and its close variants."""
        words = [v for v, credit in slot.variants.items() if credit >= PHRASE_VARIANT_CREDIT]
        if slot.word in self._term_id and slot.word not in words:
            words.append(slot.word)
        return [self._term_id[w] for w in words if w in self._term_id]

    def _optional_slots(self, query: _Query) -> set[str]:
        """The query's very common words ("really", "actually": in more than
        PHRASE_OPTIONAL_SHARE of the answers), not its rarest: a member may add them."""
        rarest = max(query.slots, key=lambda s: s.idf).word
        common = self._idf(int(self._n * PHRASE_OPTIONAL_SHARE))
        return {s.word for s in query.slots if s.idf <= common and s.word != rarest}

    def _phrase_pattern(
        self, query: _Query, loose: bool = False, gapped: bool = False
    ) -> re.Pattern[bytes] | None:
        """A byte regex for the query as a phrase; None when it would not narrow."""
        phrase = self._phrase_plan(query, loose, gapped)
        return None if phrase is None else re.compile(phrase[0], re.DOTALL)

    def _phrase_plan(
        self, query: _Query, loose: bool = False, gapped: bool = False
    ) -> tuple[bytes, list[int]] | None:
        """A byte regex (uncompiled, for re.DOTALL) for the query as a phrase, and the term ids of the words every
        match holds as whole words (its required literal content words); None when it
        would not narrow.

        `loose`: stop words and very common words may be missing; `gapped`: any two of
        its words may have one other word between them (a word the member left out).

        It starts with the first word the corpus has (words before it are dropped), so the
        regex engine can skip ahead by that literal; the word boundary before it is a
        fixed-width look-behind placed after it, which keeps the literal first.
        """
        tokens = query.norm.split()
        slot_of = {slot.word: slot for slot in query.slots}
        last = len(tokens) - 1

        def alternatives(i: int) -> list[str]:
            """Close variants a content word may stand as ("ten" a slip for "tend")."""
            slot = slot_of.get(tokens[i])
            if slot is None or (i == last and query.prefix):
                return []
            found = {self._vocab[t] for t in self._phrase_terms(slot)} - {tokens[i]}
            return sorted(found, key=lambda w: (-len(w), w))[:PHRASE_VARIANTS]

        def known(i: int) -> bool:
            token = tokens[i]
            return token in self._term_id or token in STOP_WORDS or (i == last and query.prefix)

        options = [alternatives(i) for i in range(len(tokens))]
        # The phrase starts at a plain literal (a word with no variants), so the regex
        # engine can skip ahead by it; content words before it are dropped.  With none,
        # it starts at the first word the corpus has, as typed.
        plain = [i for i in range(len(tokens)) if known(i) and not options[i]]
        first = [i for i in range(len(tokens)) if known(i)]
        if loose:  # start at a content word: the stop word first typed may be an added one
            plain = [i for i in plain if tokens[i] not in STOP_WORDS] or plain
        start = plain[0] if plain else first[0] if first else len(tokens)
        skippable = self._optional_slots(query)
        gap = _GAP + _FORGOTTEN if gapped else _GAP
        head = b""
        parts: list[bytes] = []
        literal = 0
        # (term id, the part it is or -1 for the head) of each required word as typed
        words_at: list[tuple[int, int]] = []
        for i in range(start, len(tokens)):
            word = tokens[i].encode("utf-8")
            tid = self._term_id.get(tokens[i], -1)
            if not head:
                head = re.escape(word) + rb"(?<!" + _WORD_BYTE + b".{%d})" % len(word)
                literal += tokens[i] not in STOP_WORDS
                if tid >= 0:
                    words_at.append((tid, -1))
                continue
            if options[i]:
                words = ([tokens[i]] if known(i) else []) + options[i]
                part = b"(?:" + b"|".join(re.escape(w.encode("utf-8")) for w in words) + b")"
            elif known(i):
                part = re.escape(word)
                if tid >= 0:
                    words_at.append((tid, len(parts)))
            else:
                part = _WILDCARD
            # A stop word or a very common word ("really", "actually") may be one the
            # member added: the phrase is found without it too.
            optional = tokens[i] in STOP_WORDS or tokens[i] in skippable
            if loose and optional:
                parts.append(b"(?:" + _GAP + part + b")?")
            else:
                parts.append(gap + part)
                literal += part != _WILDCARD
        while parts and parts[-1] == gap + _WILDCARD:
            parts.pop()
        required = sum(not part.endswith(b")?") for part in parts)
        if not head or required < 1 or (literal < 1 and len(parts) < PHRASE_BARE_WORDS):
            return None
        tail = b"" if query.prefix else _WORD_END
        # A literal starts after a word boundary (the head's look-behind, a gap) and ends
        # at one when a required gap follows it or the tail does: it is then a whole word
        # of the answer, which the index holds as that term (same folding).  Stop words
        # have no postings; an optional part proves nothing.
        last_required = max((at for at, part in enumerate(parts) if not part.endswith(b")?")))
        whole = [
            tid
            for tid, at in words_at
            if (at < 0 or not parts[at].endswith(b")?"))
            and (not query.prefix or at < last_required)
        ]
        return head + b"".join(parts) + tail, whole
