"""/quote's speaker and interview filters over a `Catalog`: which speakers and interview a
typed name means (exact, partial or close), the clear error when none, and the
autocomplete choices with their quote counts. The rows behind them (`Facets`) are read
from the database once per catalog, on first use."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz, process

from bot.errors import UserError
from bot.facets import Facets
from bot.search import SearchIndex, normalise
from bot.store import PassageShelf, StoredInterview
from bot.textutil import one_line, truncate

TITLE_MATCH_FLOOR = 80  # rapidfuzz ratio a misspelt interview title must reach


class QuoteFilters:
    """The filter half of `Catalog` (its base): the attributes below are set by its
    constructor."""

    interviews: Mapping[str, StoredInterview]
    passages: PassageShelf
    index: SearchIndex
    _speakers: Sequence[str]
    _facets: Facets | None
    _facets_lock: threading.Lock

    @property
    def facets(self) -> Facets:
        """Rows per speaker and per interview (one database read, on first use)."""
        if self._facets is None:
            with self._facets_lock:
                if self._facets is None:
                    self._facets = Facets.build(self.passages.facets(), self.index.ids)
        return self._facets

    def match_speakers(self, name: str) -> list[str]:
        """The speakers `name` means: the one it names exactly (any case, accents), else
        every speaker whose name contains it."""
        wanted = normalise(name)
        if not wanted:
            return []
        exact = [s for s in self._speakers if normalise(s) == wanted]
        return exact or [s for s in self._speakers if wanted in normalise(s)]

    def find_interview(self, text: str) -> StoredInterview | None:
        """An interview by id, title (any case) or a close or partial title."""
        if text in self.interviews:
            return self.interviews[text]
        key = normalise(text)
        if not key:
            return None
        titles = {i.id: normalise(i.meta.title) for i in self.interviews.values()}
        exact = [iid for iid, title in titles.items() if title == key]
        partial = [iid for iid, title in titles.items() if key in title]
        if exact or len(partial) == 1:
            return self.interviews[(exact or partial)[0]]
        match = process.extractOne(key, titles, scorer=fuzz.ratio, score_cutoff=TITLE_MATCH_FLOOR)
        return None if match is None else self.interviews[match[2]]

    def filters(
        self, speaker: str | None, interview: str | None
    ) -> tuple[list[str] | None, str | None]:
        """The speakers and the interview id /quote's options name; a clear error if none."""
        speakers = None
        if speaker:
            speakers = self.match_speakers(speaker)
            if not speakers:
                raise UserError(
                    f"No speaker called “{truncate(one_line(speaker), 100)}” in the interviews. "
                    "Start typing to pick one."
                )
        interview_id = None
        if interview:
            found = self.find_interview(interview)
            if found is None:
                raise UserError(
                    f"I don't know an interview called “{truncate(one_line(interview), 100)}”. "
                    "Start typing to pick one."
                )
            interview_id = found.id
        return speakers, interview_id

    def speaker_choices(self, typed: str, limit: int = 25) -> list[tuple[str, int]]:
        """Speakers for autocomplete with their quote counts: names starting with what
        was typed first, then names containing it; most quoted first within each."""
        counts = self.facets.speaker_counts()
        key = normalise(typed)
        ranked = sorted(self._speakers, key=lambda s: (-counts[s], s))
        if key:
            starts = [s for s in ranked if normalise(s).startswith(key)]
            ranked = starts + [s for s in ranked if key in normalise(s) and s not in starts]
        return [(s, counts[s]) for s in ranked[:limit] if counts[s]]

    def interview_choices(
        self, typed: str, limit: int = 25, speakers: Sequence[str] | None = None
    ) -> list[tuple[StoredInterview, int]]:
        """Interviews for autocomplete with their quote counts (of `speakers` when given)."""
        facets = self.facets
        if speakers:
            flags = facets.within(speakers)
            assert flags is not None
            counts = {iid: int(flags[rows].sum()) for iid, rows in facets.interviews.items()}
        else:
            counts = dict(facets.interview_counts())
        key = normalise(typed)
        ranked = sorted(
            (i for i in self.interviews.values() if counts.get(i.id)),
            key=lambda i: (-counts[i.id], i.meta.title),
        )
        if key:
            starts = [i for i in ranked if normalise(i.meta.title).startswith(key)]
            ranked = starts + [
                i for i in ranked if key in normalise(i.meta.title) and i not in starts
            ]
        return [(i, counts[i.id]) for i in ranked[:limit]]
