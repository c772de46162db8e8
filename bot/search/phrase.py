"""The phrase scan: answers that say the query's words in order, found in their text.

BM25 cannot see word order, so candidates that hold the words are also scanned for the
query as a phrase (a byte regex over their lower-cased text): as typed, with stop words
and very common words optional (a member may add them), and with one forgotten word
allowed between two of its words.  The postings rule out answers that lack a word the
phrase can only match whole, before any text is read.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

import numpy as np

from bot.search.fold import number_runs
from bot.search.params import (
    PHRASE_BARE_WORDS,
    PHRASE_EXTRA_FROM,
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
# What one set of required terms leaves of some rows to scan: positions, joined text.
_Scanned = dict[tuple[int, ...], tuple[_IntArray, _Joined | None]]


class _PhraseScan(_Planner):
    """The query as a phrase: its regex, and the answers among some rows it matches."""

    __slots__ = ()

    def _joined(self, rows: _IntArray) -> _Joined:
        """The answers `rows` as one lower-cased buffer, and where each starts in it."""
        lows = self._offsets[rows]
        highs = self._offsets[rows + 1] - 1
        joined = b" \xff ".join(self._blob.spans(lows, highs)).lower()
        starts = np.concatenate(([0], np.cumsum(highs - lows + 3)[:-1])).tolist()
        return joined, starts

    def _phrase_rows_among(
        self,
        pattern: bytes,
        required: list[int],
        rows: _IntArray,
        k: int,
        memo: _Scanned | None = None,
    ) -> list[int]:
        """Positions in `rows` of the answers `pattern` matches (at most `k`, the first in
        `rows` order), scanning only the answers that hold every term of `required`.

        Those terms are words the pattern can only match as whole words of the answer
        (see :meth:`_phrase_plan`), so an answer without one of them cannot match: the
        postings rule it out without its text being read, lower-cased and scanned
        (joining and scanning the PHRASE_POOL answers was a third of a /quote's CPU).
        The pattern is compiled only when some answer is left to scan (~1 ms a pattern).
        `memo` (one per `rows`) keeps the answers left and their joined text for the next
        pattern with the same required terms: a search tries up to three patterns over
        the same rows, and at 1M answers each join of the same ~1,000 answers cost ~1-3 ms.
        """
        key = tuple(sorted(set(required)))
        at, joined = memo[key] if memo is not None and key in memo else (None, None)
        if at is None:
            at = self._holding(required, rows)
        if not len(at):
            if memo is not None:
                memo[key] = (at, None)
            return []
        compiled = re.compile(pattern, re.DOTALL)
        if joined is None:
            joined = self._joined(rows[at])
            if memo is not None:
                memo[key] = (at, joined)
        return [int(at[i]) for i in self._phrase_rows(compiled, joined, k)]

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
        loose phrase may leave out (see _Planner._addable) need not be there."""
        words = query.slots[:-1] if query.prefix else query.slots  # the last: unfinished
        if required:
            skip = self._addable(query.slots)
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

    def _pair_joins(self, tokens: list[str], prefix: bool) -> dict[int, tuple[int, bytes]]:
        """Where neighbouring query words make one word of the corpus (the rules of
        _Planner._pair_variants): two words run together ("home work" -> "homework") and
        number words spelling digits ("five hundred and fifty" -> "550").  The first
        word's position -> (the position after the last, the corpus word escaped).  A run
        ending on an unfinished last word is left out."""
        known = self._term_id
        usable = len(tokens) - prefix
        out: dict[int, tuple[int, bytes]] = {}
        taken: set[int] = set()
        for start, end, digits in number_runs(tokens):
            if digits in known and end <= usable and taken.isdisjoint(range(start, end)):
                out[start] = (end, re.escape(digits.encode("utf-8")))
                taken.update(range(start, end))
        for i in range(usable - 1):
            joined = tokens[i] + tokens[i + 1]
            if i in taken or i + 1 in taken:
                continue
            if joined in known and joined not in STOP_WORDS and len(joined) >= 5:
                out[i] = (i + 2, re.escape(joined.encode("utf-8")))
                taken.update((i, i + 1))
        return out

    def _typed_halves(self, token: str, unfinished: bool) -> bytes | None:
        """The two corpus words a query word the corpus lacks runs together ("homework"
        -> "home work", :meth:`_Planner._halves`), as a phrase; None when it is none."""
        if unfinished or token in self._term_id:
            return None
        halves = self._halves(token)
        if len(halves) != 2:
            return None
        return re.escape(halves[0].encode("utf-8")) + _GAP + re.escape(halves[1].encode("utf-8"))

    @staticmethod
    def _pair_part(
        tokens: list[str], i: int, options: list[list[str]], known: Callable[[int], bool]
    ) -> bytes:
        """The regex part of query word `i` on its own: as typed or a close variant, or
        any word when the corpus lacks it and it has no variant (a typo)."""
        if options[i]:
            words = ([tokens[i]] if known(i) else []) + options[i]
            return b"(?:" + b"|".join(re.escape(w.encode("utf-8")) for w in words) + b")"
        return re.escape(tokens[i].encode("utf-8")) if known(i) else _WILDCARD

    def _phrase_plan(
        self, query: _Query, loose: bool = False, gapped: bool = False, edges: bool = False
    ) -> tuple[bytes, list[int]] | None:
        """A byte regex (uncompiled, for re.DOTALL) for the query as a phrase, and the term ids of the words every
        match holds as whole words (its required literal content words); None when it
        would not narrow.

        `loose`: stop words and very common words may be missing; `gapped`: any two of
        its words may have one other word between them (a word the member left out);
        `edges` (with `loose`): when every word after the first content word may be
        missing, the last must be there (None otherwise: the loose phrase as it is).
        Two neighbouring words that make a corpus word match it too ("home work",
        "homework"), and a word the corpus lacks that runs two together matches them.

        It starts with the first word the corpus has (words before it are dropped), so the
        regex engine can skip ahead by that literal; the word boundary before it is a
        fixed-width look-behind placed after it, which keeps the literal first.
        """
        tokens = query.norm.split()
        slot_of = {slot.word: slot for slot in query.slots}
        last = len(tokens) - 1
        joins = self._pair_joins(tokens, query.prefix)

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
        # never the head: "home" in "homework", "five" in "500"
        paired = {j for i, (end, _) in joins.items() for j in range(i, end)}
        inside = {j for i, (end, _) in joins.items() for j in range(i + 1, end)}
        plain = [i for i in range(len(tokens)) if known(i) and not options[i] and i not in paired]
        first = [i for i in range(len(tokens)) if known(i) and i not in paired]
        skippable = self._addable(query.slots)
        if loose:  # start at a content word: the stop word first typed may be an added one,
            # and so may a very common word ("really"): not the head, which must be there
            content = [i for i in plain if tokens[i] not in STOP_WORDS]
            plain = [i for i in content if tokens[i] not in skippable] or content or plain
        start = plain[0] if plain else first[0] if first else len(tokens)
        gap = _GAP + _FORGOTTEN if gapped else _GAP
        head = b""
        parts: list[bytes] = []
        last_part = b""
        literal = 0
        # (term id, the part it is or -1 for the head) of each required word as typed
        words_at: list[tuple[int, int]] = []
        for i in range(start, len(tokens)):
            word = tokens[i].encode("utf-8")
            tid = self._term_id.get(tokens[i], -1)
            if i in inside and head:
                continue  # a later word of a run typed apart: part of its first word's
            if not head:
                head = re.escape(word) + rb"(?<!" + _WORD_BYTE + b".{%d})" % len(word)
                literal += tokens[i] not in STOP_WORDS
                if tid >= 0:
                    words_at.append((tid, -1))
                continue
            if options[i]:
                part = self._pair_part(tokens, i, options, known)
            elif known(i):
                part = re.escape(word)
                if tid >= 0 and i not in paired:
                    words_at.append((tid, len(parts)))
            else:
                part = _WILDCARD
            if i in joins:  # "home work": the words as typed, or the word they make
                end, joined = joins[i]
                rest = [self._pair_part(tokens, j, options, known) for j in range(i + 1, end)]
                part = b"(?:" + _GAP.join([part, *rest]) + b"|" + joined + b")"
            elif (halves := self._typed_halves(tokens[i], i == last and query.prefix)) is not None:
                part = b"(?:" + part + b"|" + halves + b")"  # "homework": "home work" too
            # A stop word or a very common word ("really", "actually") may be one the
            # member added: the phrase is found without it too.
            optional = tokens[i] in STOP_WORDS or tokens[i] in skippable
            if loose and optional:
                parts.append(b"(?:" + _GAP + part + b")?")
            else:
                parts.append(gap + part)
                literal += part != _WILDCARD
            last_part = part
        while parts and parts[-1] == gap + _WILDCARD:
            parts.pop()
        required = sum(not part.endswith(b")?") for part in parts)
        if edges:
            if not loose or not parts or required or tokens[start] in STOP_WORDS:
                return None
            # Every word after a content word may be an added one ("raishsoort kind of
            # and a i was"): the phrase still ends on its last word, as LoosePhrase's
            # alignment does (a member adds words inside what they remember).
            parts[-1] = gap + last_part
            required, literal = 1, literal + (last_part != _WILDCARD)
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
