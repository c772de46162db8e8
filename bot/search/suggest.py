"""Autocomplete: sentences that continue or match what a member is typing."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from bot.search.candidates import Within
from bot.search.pairs import intersect, typed_pairs
from bot.search.params import (
    MATCH_FLOOR,
    PHRASE_POOL,
    STOP_WORDS,
    SUGGEST_PHRASE_BYTES,
    SUGGEST_PHRASE_CHUNK,
    SUGGEST_PHRASE_ENOUGH,
    SUGGEST_POOL,
    SUGGEST_POOL_NARROW,
    SUGGEST_RERANK,
)
from bot.search.plan import _Query
from bot.search.rank import _phrase, _Ranker, _tier_score
from bot.search.results import Suggestion
from bot.search.text import _GAP, _WORD_BYTE, _WORD_END, _cut_query, _IntArray, _label


def _typed_patterns(
    norm: str, open_last: bool
) -> tuple[re.Pattern[bytes], re.Pattern[bytes]] | None:
    """Byte regexes for the typed words in order, as typed, over raw lower-cased text
    (punctuation, curly apostrophes and dashes may stand between them; the last word may
    go on when it is unfinished): the whole of it, and the part from its longest word on.

    The regex engine skips ahead by a pattern's leading literal, several times faster for
    a long word than for "i" or "the", so answers are scanned with the second and only
    those it finds are checked with the first.  None when a word is not ASCII (the raw
    text keeps accents the normalised query has lost) or nothing was typed.
    """
    tokens = norm.split()
    if not tokens or not norm.isascii():
        return None
    tail = b"" if open_last else _WORD_END

    def phrase(words: list[str]) -> re.Pattern[bytes]:
        head = words[0].encode()
        # The literal first, the word boundary before it as a look-behind after it.
        parts = [re.escape(head) + rb"(?<!" + _WORD_BYTE + b".{%d})" % len(head)]
        parts += [_GAP + re.escape(word.encode()) for word in words[1:]]
        return re.compile(b"".join(parts) + tail, re.DOTALL)

    longest = max(range(len(tokens)), key=lambda i: (len(tokens[i]), -i))
    return phrase(tokens), phrase(tokens[longest:])


class _Suggester(_Ranker):
    """:meth:`suggest`, over the same planning and candidates as search."""

    __slots__ = ()

    _pair_off: _IntArray  # stop-word pairs' answers, see pairs.py (set by SearchIndex)
    _pair_rows: npt.NDArray[np.uint32]

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

    def _holding_typed(self, plan: _Query, rows: _IntArray) -> _IntArray:
        """Those of `rows` that hold every finished content word as typed (the typed
        phrase cannot be in the others), in the same order."""
        slots = plan.slots[:-1] if plan.prefix else plan.slots
        terms = [self._term_id.get(slot.word) for slot in slots]
        if any(tid is None for tid in terms):
            return rows[:0]
        return rows[self._holding([tid for tid in terms if tid is not None], rows)]

    def _typed_pool(
        self, norm: str, open_last: bool, within: Within | None
    ) -> npt.NDArray[np.uint32] | None:
        """Every answer (allowed by `within`) that may hold the typed words as typed,
        found from postings alone, ascending: those holding every finished content word
        and every two neighbouring stop words typed (see pairs.py).  None when nothing
        typed narrows it down (no such word, no such pair, or an index without pairs).

        Intersecting stops once SUGGEST_POOL_NARROW answers are left: the text of what is
        left is read for the phrase anyway.
        """
        tokens = norm.split()
        finished = tokens[:-1] if open_last else tokens
        lists: list[npt.NDArray[np.uint32]] = []
        if len(self._pair_off) > 1:
            for pid in typed_pairs(finished):
                lists.append(self._pair_rows[self._pair_off[pid] : self._pair_off[pid + 1]])
        for token in finished:
            if token in STOP_WORDS:
                continue
            tid = self._term_id.get(token)
            if tid is None:  # not in any answer as typed
                return np.zeros(0, np.uint32)
            lists.append(self._post_ids[self._term_off[tid] : self._term_off[tid + 1]])
        if not lists:
            return None
        held = intersect(lists, self._n, SUGGEST_POOL_NARROW)
        return held[within[held]] if within is not None else held

    def _pool_order(self, pool: npt.NDArray[np.uint32], rows: _IntArray) -> _IntArray:
        """The `pool` in scan order: those among the candidates `rows` first, best BM25
        first, then the others in corpus order, no more of them than the candidates
        (the scan budget reads fewer: a common word's pool may be most of the corpus)."""
        at = np.minimum(np.searchsorted(pool, rows), max(len(pool) - 1, 0))
        inside = pool[at] == rows if len(pool) else np.zeros(len(rows), dtype=bool)
        first = rows[inside]
        head = pool[: len(first) + SUGGEST_POOL]
        rest = np.ones(len(head), dtype=bool)
        rest[at[inside][at[inside] < len(head)]] = False
        return np.concatenate((first, head[rest].astype(np.int64)))

    def _typed_rows(
        self, patterns: tuple[re.Pattern[bytes], re.Pattern[bytes]], rows: _IntArray
    ) -> tuple[list[int], int]:
        """Those of `rows` (best first) holding the typed phrase, and the bytes read: they
        are scanned a chunk at a time, each twice the last, until SUGGEST_PHRASE_ENOUGH
        are found or SUGGEST_PHRASE_BYTES of text have been read."""
        whole, scan = patterns
        found: list[int] = []
        spent = 0
        size = SUGGEST_PHRASE_CHUNK
        done = 0
        while len(rows) and len(found) < SUGGEST_PHRASE_ENOUGH and spent < SUGGEST_PHRASE_BYTES:
            if done:  # no more than the budget left, at the answers' length so far
                size = min(size, 1 + (SUGGEST_PHRASE_BYTES - spent) * done // spent)
            chunk, rows = rows[:size], rows[size:]
            joined, starts = self._joined(chunk)
            spent += len(joined)
            done += len(chunk)
            ends = [*starts[1:], len(joined)]
            for i in self._phrase_rows(scan, (joined, starts), len(chunk)):
                if whole is scan or whole.search(joined, starts[i], ends[i]):
                    found.append(int(chunk[i]))
            size *= 2
        return found, spent

    def _suggest_shortlist(self, plan: _Query, open_last: bool, within: Within | None) -> list[int]:
        """Rows to score: the candidates that hold the typed words as typed, in order, then
        BM25's best.

        BM25 cannot see order, so when the typed words are common the answer they were
        typed from ranks anywhere among the thousands that hold them too.  The candidates
        holding every finished word as typed (the phrase cannot be in the others) are
        scanned for the phrase, best first, within a budget (:meth:`_typed_rows`).  When
        none holds it as typed (and the budget was not spent on looking), the search's
        phrase through close variants of the words (a typo, another form) is looked for in
        the best PHRASE_POOL candidates.
        """
        rows, _ = self._candidates(plan, SUGGEST_POOL, within)
        if len(rows) <= SUGGEST_RERANK:
            return rows.tolist()
        typed = _typed_patterns(plan.norm, open_last)
        found: list[int] = []
        spent = 0
        if typed is not None:
            pool = self._typed_pool(plan.norm, open_last, within)
            # Every answer that may hold it, if postings can tell, else the candidates
            # holding each finished content word.
            scan = self._holding_typed(plan, rows) if pool is None else self._pool_order(pool, rows)
            found, spent = self._typed_rows(typed, scan)
        if not found and spent < SUGGEST_PHRASE_BYTES:
            loose = self._phrase_plan(plan)
            if loose is not None:
                head = rows[:PHRASE_POOL]
                found = head[self._phrase_rows_among(*loose, head, len(head))].tolist()
        taken = set(found)
        top = [row for row in rows[:SUGGEST_RERANK].tolist() if row not in taken]
        return found + top[: max(0, SUGGEST_RERANK - len(found))]

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
        # The last word may be unfinished even when it is a stop word ("on" -> "one").
        open_last = not prefix[-1:].isspace()
        plan = self._plan(prefix, suggest=True)
        if plan is None:
            return self._stop_words_typed(_cut_query(prefix), open_last, limit, within)
        plan = self._typing(plan)
        typed = f" {plan.norm}" if open_last else f" {plan.norm} "
        scored: list[tuple[float, int, int, int, str]] = []
        shortlist = self._suggest_shortlist(plan, open_last, within)
        if not shortlist:  # "it was wh": no word the index holds
            return self._stop_words_typed(plan.norm, open_last, limit, within)
        for row in shortlist:
            originals = self._sentences(row)
            for i, sentence in enumerate(self._normalised_sentences(row)):
                original = originals[i]
                if f" {sentence} ".find(typed) >= 0:
                    scored.append((100.0, len(original), row, i, original))
                    continue
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
        return self._choices(scored, plan.slots[0].word, limit)

    def _choices(
        self, scored: list[tuple[float, int, int, int, str]], anchor: str, limit: int
    ) -> list[Suggestion]:
        """The best `limit` scored sentences as choices: distinct labels, at most three of
        one answer."""
        scored.sort(key=lambda item: (-item[0], item[1], item[2], item[3]))
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

    def _stop_words_typed(
        self, norm: str, open_last: bool, limit: int, within: Within | None
    ) -> list[Suggestion]:
        """Sentences holding what was typed when the index holds none of its words (stop
        words alone, "it is what it is"): read in the answers holding each two
        neighbouring stop words typed (see pairs.py), else in every answer allowed; only
        when those can be read within the scan budget (a few interviews, one speaker's
        answers, or a rare pair), so the choices are never a guess from part of them."""
        patterns = _typed_patterns(norm, open_last)
        if patterns is None:
            return []
        pool = self._typed_pool(norm, open_last, within)
        if pool is not None:
            rows = pool.astype(np.int64)
        elif within is None:
            rows = np.arange(self._n, dtype=np.int64)
        else:
            rows = np.flatnonzero(within).astype(np.int64)
        if len(rows) == self._n:
            total = int(self._offsets[-1])
        else:
            total = int((self._offsets[rows + 1] - self._offsets[rows]).sum())
        if total > SUGGEST_PHRASE_BYTES:
            return []
        typed = f" {norm}" if open_last else f" {norm} "
        scored: list[tuple[float, int, int, int, str]] = []
        for row in self._typed_rows(patterns, rows)[0]:
            originals = self._sentences(row)
            for i, sentence in enumerate(self._normalised_sentences(row)):
                if f" {sentence} ".find(typed) >= 0:
                    scored.append((100.0, len(originals[i]), row, i, originals[i]))
        return self._choices(scored, norm.split()[0], limit)
