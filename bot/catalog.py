"""The view of the stored corpus that every command reads (its speaker and interview
filters are `bot.catalog_filters`).

A `Catalog` is immutable once built: a reload builds a new one and the owner swaps one
reference, so a query sees the old data or the new, never a mix. It holds interviews,
topics, speakers and the search index in memory; the answers themselves are read from the
database when shown (`PassageShelf`), which is what lets a bot holding a million answers
restart in a second or two. Answer ids are content hashes, so a read always finds the
answer the index meant, or nothing if a reload has since removed it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice

from rapidfuzz import fuzz, process

from bot.catalog_filters import QuoteFilters
from bot.facets import Facets
from bot.models import Passage, Topic
from bot.search import SearchIndex, SearchResult, Suggestion, normalise
from bot.store import PassageShelf, StoredCorpus, StoredInterview
from bot.store.catalog_cache import by_id
from bot.textutil import truncate
from bot.topics import fold, terms

EXCERPT_TARGET = 320  # characters: a quote that reads well on its own in an embed
TOPIC_MATCH_FLOOR = 80  # rapidfuzz ratio a misspelt topic name must reach


@dataclass(frozen=True, slots=True)
class QuoteView:
    """A passage shaped for a reader: the excerpt, with where it came from."""

    passage: Passage
    interview: StoredInterview
    excerpt: str
    sentence_index: int | None = None
    score: float | None = None

    @property
    def speaker(self) -> str:
        return self.passage.speaker

    @property
    def title(self) -> str:
        return self.interview.meta.title

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.passage.id,
            "text": self.excerpt,
            "speaker": self.passage.speaker,
            "interview": self.interview.meta.title,
            "interview_id": self.interview.id,
            "question": self.passage.question,
            "answer": self.passage.text,
            "url": self.interview.meta.url,
        }
        if self.score is not None:
            data["score"] = round(self.score, 1)
        return data


@dataclass(frozen=True, slots=True)
class QuoteSearch:
    results: list[QuoteView]
    suggestions: list[str] = field(default_factory=list)


def excerpt(passage: Passage, index: int | None, target: int = EXCERPT_TARGET) -> str:
    """The sentence at `index` plus neighbours until it reads well (about `target` chars)."""
    sentences = passage.sentences or (passage.text,)
    if index is None or not 0 <= index < len(sentences):
        index = 0
    start = end = index
    size = len(sentences[index])
    while end + 1 < len(sentences) and size + len(sentences[end + 1]) + 1 <= target:
        end += 1
        size += len(sentences[end]) + 1
    while start > 0 and size < target // 2 and size + len(sentences[start - 1]) + 1 <= target:
        start -= 1
        size += len(sentences[start]) + 1
    text = " ".join(sentences[start : end + 1])
    return truncate(text, max(target, len(sentences[index])))


ABOUT_TITLES = 10  # interviews /about lists by name ("…and N more" after them)
ABOUT_TOPICS = 12


@dataclass(frozen=True, slots=True)
class AboutFacts:
    stats: dict[str, int]
    titles: tuple[str, ...]  # the first ABOUT_TITLES interviews'
    topics: tuple[str, ...]


class Catalog(QuoteFilters):
    """Interviews, passages, topics and the search index, with the queries commands ask."""

    def __init__(self, corpus: StoredCorpus, passages: PassageShelf, index: SearchIndex) -> None:
        self.interviews: Mapping[str, StoredInterview] = by_id(corpus.interviews)
        self.passages = passages
        self.quotable: Sequence[str] = index.ids  # every stored answer is an interviewee's
        self.topics: dict[str, Topic] = {t.slug: t for t in corpus.topics if t.passage_ids}
        self._speakers = corpus.speakers
        self.index = index
        self._facets: Facets | None = None
        self._facets_lock = threading.Lock()
        self._about: AboutFacts | None = None
        self._topic_names: dict[str, str] = {}
        for topic in self.topics.values():
            for name in (topic.name, *topic.aliases):
                self._topic_names.setdefault(normalise(name), topic.slug)

    def view(
        self, passage_id: str, sentence_index: int | None = None, score: float | None = None
    ) -> QuoteView | None:
        """The answer shaped for a reader, or None if a reload has removed it."""
        passage = self.passages.get(passage_id)
        return None if passage is None else self._view(passage, sentence_index, score)

    def _view(
        self, passage: Passage, sentence_index: int | None = None, score: float | None = None
    ) -> QuoteView:
        return QuoteView(
            passage=passage,
            interview=self.interviews[passage.interview_id],
            excerpt=excerpt(passage, sentence_index),
            sentence_index=sentence_index,
            score=score,
        )

    # --- queries ----------------------------------------------------------------

    def quote(
        self,
        query: str,
        limit: int = 5,
        *,
        speakers: Sequence[str] | None = None,
        interview: str | None = None,
    ) -> QuoteSearch:
        """The best matches; `speakers` (exact names) and `interview` (an id) restrict the
        search itself, so the best answers *of theirs* are found, not the best overall
        filtered. Reads the database once per catalog when filtered: call off the loop."""
        within = None
        if speakers is not None or interview is not None:
            within = self.facets.within(speakers, interview)
        return self.present(self.index.search(query, limit=limit, within=within))

    def present(self, result: SearchResult, shown: int | None = None) -> QuoteSearch:
        """A search's hits as views for readers (answers a reload removed are left out),
        the first `shown` of them (all: None); reads only those answers (primary-key
        reads, safe on the event loop)."""
        views: list[QuoteView] = []
        for hit in result.hits:
            if shown is not None and len(views) >= shown:
                break
            passage = self.passages.get(hit.passage_id)
            if passage is not None:
                views.append(self._view(passage, hit.sentence_index, hit.score))
        return QuoteSearch(views, list(result.suggestions))

    def autocomplete(
        self,
        prefix: str,
        limit: int = 25,
        *,
        speakers: Sequence[str] | None = None,
        interview: str | None = None,
    ) -> list[Suggestion]:
        """Sentences continuing `prefix`, from `speakers`' answers and/or `interview`'s only
        (restricted inside the index, like :meth:`quote`). Call off the loop when filtered."""
        within = None
        if speakers is not None or interview is not None:
            within = self.facets.within(speakers, interview)
        return self.index.suggest(prefix, limit=limit, within=within)

    def speakers(self) -> list[str]:
        return list(self._speakers)

    def random(
        self,
        rng: random.Random,
        *,
        topic: Topic | None = None,
        speaker: str | None = None,
        exclude: str | None = None,
        interview: str | None = None,
    ) -> QuoteView | None:
        """A random interviewee quote, never `exclude` unless it is the only one left;
        optionally on `topic`, by `speaker` (part of a name) and from `interview` (an id).

        Reads the database when a speaker or interview is given, so call it off the loop.
        """
        pool: Sequence[str] = topic.passage_ids if topic else self.quotable
        if speaker:
            wanted = normalise(speaker)
            names = [s for s in self._speakers if wanted in normalise(s)]
            said = self.passages.ids_by_speaker(names)
            if topic is None:
                pool = said
            else:
                by_them = set(said)
                pool = [pid for pid in pool if pid in by_them]
        if interview is not None:
            rows = self.facets.interviews.get(interview)
            ids = self.index.ids
            held = [ids[int(r)] for r in rows] if rows is not None else []
            if topic is None and not speaker:
                pool = held
            else:
                inside = set(held)
                pool = [pid for pid in pool if pid in inside]
        passage = None
        while pool and passage is None:
            chosen = rng.choice(pool)
            while chosen == exclude and len(pool) > 1:  # ids in a pool are distinct
                chosen = rng.choice(pool)
            passage = self.passages.get(chosen)
            if passage is None:  # removed by a reload since this catalog was read
                pool = [pid for pid in pool if pid != chosen]
        if passage is None:
            return None
        about = self.topic_sentences(topic, passage) if topic else []
        if about:
            start: int | None = rng.choice(about)
        else:
            start = rng.randrange(len(passage.sentences)) if passage.sentences else None
        return self._view(passage, start)

    def topic_sentences(self, topic: Topic, passage: Passage) -> list[int]:
        """Indexes of the sentences of `passage` that mention `topic`, so an excerpt shows it."""
        wanted = [f" {t} " for t in terms(topic)]
        return [
            n
            for n, sentence in enumerate(passage.sentences)
            if any(t in f" {fold(sentence)} " for t in wanted)
        ]

    def find_topic(self, name: str) -> Topic | None:
        """A topic by slug, name or alias; close misspellings are accepted."""
        if name in self.topics:
            return self.topics[name]
        key = normalise(name)
        if not key:
            return None
        if key in self._topic_names:
            return self.topics[self._topic_names[key]]
        match = process.extractOne(key, self._topic_names.keys(), scorer=fuzz.ratio)
        if match and match[1] >= TOPIC_MATCH_FLOOR:
            return self.topics[self._topic_names[match[0]]]
        return None

    def topic_choices(self, prefix: str, limit: int = 25) -> list[Topic]:
        """Topics for autocomplete: prefix matches first, then fuzzy ones, curated first."""
        key = normalise(prefix)
        topics = sorted(
            self.topics.values(), key=lambda t: (not t.curated, -len(t.passage_ids), t.name)
        )
        if not key:
            return topics[:limit]
        starts = [
            t for t in topics if any(normalise(n).startswith(key) for n in (t.name, *t.aliases))
        ]
        contains = [
            t
            for t in topics
            if t not in starts and any(key in normalise(n) for n in (t.name, *t.aliases))
        ]
        chosen = [*starts, *contains][:limit]
        if len(chosen) < limit:
            names = {t.slug: normalise(t.name) for t in topics if t not in chosen}
            for _, score, slug in process.extract(
                key, names, scorer=fuzz.partial_ratio, limit=limit
            ):
                if score >= 70:
                    chosen.append(self.topics[slug])
        return chosen[:limit]

    def topic_quotes(self, topic: Topic) -> list[QuoteView]:
        """Each linked passage, its excerpt starting where it talks about the topic."""
        views = []
        for pid in topic.passage_ids:
            passage = self.passages.get(pid)
            if passage is not None:
                about = self.topic_sentences(topic, passage)
                views.append(self._view(passage, about[0] if about else None))
        return views

    def about(self) -> AboutFacts:
        """What /about shows, made once per catalog: /about is the cheapest command, and
        listing every interview and sorting every topic on each call made it cost 5x more
        CPU at 100k answers than at 10k. A reload makes a new catalog."""
        if self._about is None:
            titles = [i.meta.title for i in islice(self.interviews.values(), ABOUT_TITLES)]
            topics = [t.name for t in self.topic_choices("", limit=ABOUT_TOPICS)]
            self._about = AboutFacts(self.stats(), tuple(titles), tuple(topics))
        return self._about

    def stats(self) -> dict[str, int]:
        return {
            "interviews": len(self.interviews),
            "speakers": len(self.speakers()),
            "quotes": len(self.quotable),
            "topics": len(self.topics),
        }
