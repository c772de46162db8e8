"""What a search returns."""

from __future__ import annotations

from dataclasses import dataclass, field

# --- public data ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One passage that matched: `score` 0..100, the best sentence and whether exactly."""

    passage_id: str
    score: float
    sentence_index: int | None
    exact: bool


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits, best first (one per passage); suggestions only when there is no hit."""

    hits: list[Hit]
    suggestions: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An autocomplete choice: a sentence (≤100 chars, cut at a word) and its passage."""

    label: str
    passage_id: str
