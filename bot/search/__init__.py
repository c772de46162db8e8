"""Quote search: an in-memory inverted index with a fuzzy rerank (pure Python, no discord).

One module per stage, read in this order: ``text`` (normalising, tokenising, word
hashes), ``fold`` (word forms, spelling, numbers) and ``vocab`` (typo neighbours),
``plan`` (a query's words and their variants), ``align`` (a phrase said with fillers
left out), ``phrase`` (the phrase scan), ``candidates`` (BM25, the phrase scan's finds
first), ``naive`` (the naive scan as candidates and evidence), ``questions`` (answers
found through their question), ``verdict`` (show, withhold or lead: the no-match decision), ``rank`` (rerank,
``search``),
``suggest`` (autocomplete) with ``pairs`` (answers holding two stop words side by
side), ``build`` and
``storage`` and ``indexfile`` (making, saving and loading the arrays), ``index`` (the ``SearchIndex``
those stages are mixed into), ``params`` (tuning constants).

Design, and why.  Numbers: ``benchmarks/bench_search.py`` on this shared 2-core machine,
see ``benchmarks/results.md`` for the latest run against the targets.

* **Candidates from an inverted index.**  Each interviewee answer is tokenised once; each
  word maps to a CSR slice of answer numbers (``uint32``, sorted) and a one-byte BM25
  impact (saturated, length-normalised term frequency, precomputed).  A query scores only
  the answers holding its words: idf * (COORDINATION + impact), so answers holding more
  of the rarer words come first and length only orders answers that hold the same words
  (a short query is not swamped by long answers, a long answer with every word is not
  buried under short ones with two).  The naive baseline (rapidfuzz ``partial_ratio`` over
  every answer) measured ~10 s per query at 1M answers, >1000x slower, with a worse top-1;
  SQLite FTS5 ranking was measured too slow past ~10k answers by an earlier prototype.
* **Very common words** never pick candidates: function words are not indexed, and once
  the cheapest query words have used a budget of postings the rest are looked up (binary
  search of their sorted postings, with the probes sorted so each list is walked once)
  for the best LATE_POOL candidates only.  When many rows are scored but few are
  wanted, a threshold from a sample of the scores picks them (checked to keep at least
  as many as wanted) instead of listing and partitioning every scored row.
* **Word order**: BM25 cannot see it, so the best PHRASE_POOL candidates are scanned as raw
  bytes with one regular expression (the query's words in order, punctuation between,
  a wildcard for a word the corpus lacks) and answers holding the phrase are reranked
  first.  Without this an exact quote made of common words was lost among thousands of
  answers holding the same words.
* **Typos** (``vocab``): a query word maps to vocabulary neighbours one
  edit away (two for words of 7+ letters) at any position, the first letter included,
  through a symmetric-delete table (each vocabulary word and its one-letter deletions,
  hashed and sorted); the words found are checked with the OSA distance (transpositions
  count one).  Two edits the table cannot see (two substitutions) fall back to the old
  scan of words with the same first letter and a similar length.  Neighbours count less
  than the word, and less still when the word itself is in the corpus; run-together
  words ("ripoffs", "walkin") and misspelt stop words ("becuase") are handled too.
* **Word forms** (``fold``): inflections and irregular forms ("runs" /
  "ran", "bruised" / "bruises"), British/American spelling ("colour", "theatre",
  "organise", "catalogue", "travelled"; rules plus a short list) and numbers ("twelve" /
  "12", "third" / "3rd", "forty five" / "45", "11000" / "eleven thousand") are generated
  from the query word and kept when they are corpus words sharing its Snowball stem, so
  nothing is folded at build time.  Two neighbouring query words that make a corpus word
  ("air plane" -> "airplane") count for both.
* **Questions**: the question each answer replied to is indexed as a small index of its
  own under the answer's id; a match there scores QUESTION_WEIGHT (0.85) of the same
  match in an answer, so an answer that says the words ranks above one that was asked
  them.  With no answer over the floor, the question the naive scorer clearly prefers
  (two shared words) leads to its answer when, at QUESTION_WEIGHT, it also outscores the
  best answer (``questions._question_lead``): a paraphrase of the question asked.
* **Chat** (``text._cut_query``, the query only): ``dont`` / ``whats`` / ``im`` become
  the two words the written contraction normalises to, shorthand (``yrs``, ``ppl``) its
  words, and fillers (``lol``, ``tbh``) go, except a last word still being typed; a
  quote pointed at ("the bit where he talks about ...") is cut to what follows.
* **Partial words**: the last word of an autocomplete prefix (or an unknown last word of
  a query) is expanded to the most frequent vocabulary words it begins (sorted vocabulary
  plus ``bisect``).
* **Rerank** of the shortlist on normalised text: exact phrase (word-bounded substring),
  idf-weighted coverage of the query words and ``fuzz.partial_ratio`` alignment, which
  also picks the sentence to show.  ``WRatio`` was slower and scored short-against-long
  badly in the prototype.  Scores fall in tiers: exact phrase 100 > every word present
  75..99 > most words, with typos, < 75.  The words may span two neighbouring sentences
  (a window of two counts 0.9 of one sentence holding as much).
* **No match**: under ``MATCH_FLOOR`` nothing is a hit, unless the evidence says
  otherwise (``verdict._evidence_lead``): of the best few candidates, the one whose answer
  (two adjacent sentences) and question (at QUESTION_WEIGHT) hold the query's rare words
  carrying EVIDENCE_SHARE of its weight with two of them, or EVIDENCE_ALONE with one, and
  the runner-up clearly less; or the best candidate standing clearly alone
  (``verdict._clear_lead``: LEAD_GAP above the next answer, or aligned with the whole
  query ALIGNED_MARGIN better than any other).  Words that frame a question put to the
  bot ("what did she say about", "how long") count FRAME_WEIGHT.  Off-topic, gibberish,
  stop-word and emoji queries are tested to answer no match with 20k answers loaded.
* **Phrases through variants** (``candidates``): in the phrase scan a content word may
  stand as its close variants (forms, splits, typo neighbours of a corpus word); when no
  answer holds the phrase so, a second pass makes stop words and very common words
  optional (members add "really", "you know").  Search only: autocomplete skips it.
* **Never confidently wrong**: answers within NEAR_TIE (3 points) of the top are
  reordered with the whole query's ``partial_ratio`` alignment added (TIE_WEIGHT, stop
  words and order count); every word of the query but scattered over an answer drops a
  tier (TOGETHER); when the two best are within TIED (1 point), an answer whose question
  holds the words counts in full; and when the top is still not clearly better than the
  next (AMBIGUOUS when it holds every word, AMBIGUOUS_PARTIAL when part, see
  ``verdict._ambiguous``), nothing is a hit and the nearest are suggestions.
* **The naive scan as evidence** (``naive``): ``token_set_ratio`` over content words
  (stop words dropped) scores every reranked candidate; up to NAIVE_SCAN_BYTES of answer
  text (~5 ms of CPU) it also scans every answer and adds its best NAIVE_TAKE to the
  shortlist; a candidate it clearly prefers (NAIVE_MATCH, NAIVE_MARGIN, NAIVE_SHARED
  words) is a match although under MATCH_FLOOR, unless the rerank puts another answer
  more than NEAR_TIE above it.
* **Build** works a chunk of answers at a time in whole-chunk passes: one join, encode
  and byte translation (common curly punctuation blanked on the bytes, accents only
  when a chunk has any), words hashed by numpy (packed bytes, mixed), stop words dropped
  by a table, no per-word Python.  Chunks are tokenised by two worker threads (most of
  the work is numpy, which releases the GIL) and committed in order; keys are split by
  the hash's top bit so the final sort runs as two sorts, one per thread.  The text
  blob stays in the chunks it was read in (no 400 MB copy at 1M).  Scratch memory is
  handed back to the OS afterwards (``malloc_trim``), or glibc keeps ~800 MB at 1M.
* **Memory**: sentences are kept once, UTF-8 with separators, and normalised again only
  for the answers a query reranks; normalised copies would double the text.
* **Persistence**: :meth:`SearchIndex.save` writes the arrays behind a JSON header
  (format version, corpus fingerprint, CRC32); :meth:`SearchIndex.load` returns ``None``
  for a stale fingerprint or a damaged file, so the caller rebuilds.

An index is immutable once built: a reload builds a new one and the owner swaps the
reference, so concurrent readers see the old index or the new one, never a mix.  Building
and searching use no asyncio and are meant to run in an executor thread; the build keeps
each GIL-holding step short (a chunk at a time), so the event loop keeps running.
"""

from bot.search.build import _IMPACT_TF, _Builder, _release_freed_memory
from bot.search.index import SearchIndex
from bot.search.params import COORDINATION, FORMAT_VERSION, MATCH_FLOOR, STOP_WORDS
from bot.search.results import Hit, SearchResult, Suggestion
from bot.search.storage import _Ids, _Text, remove_stale_temporaries
from bot.search.text import normalise

__all__ = [
    "COORDINATION",
    "FORMAT_VERSION",
    "MATCH_FLOOR",
    "STOP_WORDS",
    "_IMPACT_TF",
    "Hit",
    "SearchIndex",
    "SearchResult",
    "Suggestion",
    "_Builder",
    "_Ids",
    "_Text",
    "_release_freed_memory",
    "normalise",
    "remove_stale_temporaries",
]
