"""Prototype (issue 16): tantivy as the candidate layer beneath the project's planning and rerank.

Run: ``.venv/bin/python -m benchmarks.tantivy_proto [--sizes 100000] [--queries 50]``
(needs ``pip install tantivy==0.27.0``; not a dependency of the bot).

The hand-written index stays for the text, the vocabulary the planner expands typos and
word forms over, and the rerank; only ``_candidates`` (BM25 over the query's slots and
their variants) is answered by tantivy instead of numpy postings.  Each answer is indexed
as its normalised sentences (the project's own tokeniser, so query and index agree) with
positions, under the ``whitespace`` tokenizer; one slot is a disjunction-max over its
variants (each boosted by the planner's weight for it), the slots are OR-ed, and the query's
corpus words in order are added as a phrase boosted ×3.  Doc ids are rows: one writer
thread and one commit keep one segment in insertion order (checked).

Measured against the hand-written index on the same corpus, queries (reporting seed 2) and
process: top-1 per kind, /quote and autocomplete p50/p99 (wall and CPU time), RSS added,
open time, and the time to (re)build, which is what a reload costs.
"""

from __future__ import annotations

import argparse
import functools
import gc
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import tantivy

from benchmarks import querygen
from benchmarks.bench_search import REPORTING_SEED, Judge, lexicon, rss_mb, synthetic_passages
from bot.search import SearchIndex
from bot.search.candidates import Within
from bot.search.plan import _Query
from bot.search.text import _IntArray

PHRASE_BOOST = 3.0


def build_tantivy(index: SearchIndex, where: Path) -> tantivy.Index:
    """A tantivy index of `index`'s answers (normalised), doc id = row."""
    schema = (
        tantivy.SchemaBuilder()
        .add_text_field("text", stored=False, tokenizer_name="whitespace", index_option="position")
        .build()
    )
    where.mkdir(parents=True, exist_ok=True)
    engine = tantivy.Index(schema, path=str(where))
    writer = engine.writer(heap_size=1_000_000_000, num_threads=1)
    for row in range(len(index)):
        writer.add_document(tantivy.Document(text=" ".join(index._normalised_sentences(row))))
    writer.commit()
    writer.wait_merging_threads()
    engine.reload()
    return engine


class TantivyCandidates(SearchIndex):
    """The project's index with `_candidates` answered by tantivy (prototype)."""

    engine: tantivy.Index
    searcher: Any

    @classmethod
    def over(cls, index: SearchIndex, engine: tantivy.Index) -> TantivyCandidates:
        me = cls.__new__(cls)
        for slot in SearchIndex.__slots__:
            object.__setattr__(me, slot, getattr(index, slot))
        me.engine = engine
        me.searcher = engine.searcher()
        return me

    def _candidates(
        self, query: _Query, k: int, within: Within | None = None
    ) -> tuple[_IntArray, npt.NDArray[np.float64]]:
        slots: list[Any] = []
        for slot in query.slots:
            terms = [
                tantivy.Query.boost_query(
                    tantivy.Query.term_query(self.engine.schema, "text", word), weight
                )
                for word, weight in slot.variants.items()
                if word in self._term_id
            ]
            if terms:
                slots.append(tantivy.Query.disjunction_max_query(terms, 0.1))
        if not slots:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        clauses = [(tantivy.Occur.Should, q) for q in slots]
        words: list[str | tuple[int, str]] = [
            s.word for s in query.slots if s.word in self._term_id
        ]
        if len(words) >= 2 and not query.prefix:
            phrase = tantivy.Query.phrase_query(self.engine.schema, "text", words, slop=1)
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(phrase, PHRASE_BOOST)))
        found = self.searcher.search(tantivy.Query.boolean_query(clauses), limit=k).hits
        rows = np.fromiter((addr.doc for _, addr in found), dtype=np.int64, count=len(found))
        scores = np.fromiter((s for s, _ in found), dtype=np.float64, count=len(found))
        if within is not None:  # a prototype: filtered after the engine's top k
            keep = within[rows]
            rows, scores = rows[keep], scores[keep]
        return rows, scores


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.thread_time()
    out = fn()
    return time.perf_counter() - wall, time.thread_time() - cpu, out


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q)) if values else float("nan")


def measure(size: int, per_kind: int, seed: int) -> None:
    passages = synthetic_passages(size, seed=seed, lex=lexicon(seed=seed))
    synthetic = [p for p in passages if p.id.startswith("s")]
    queries = querygen.make_queries(synthetic, per_kind, seed=seed + 100)
    prefixes = querygen.make_prefixes(synthetic, per_kind * 2, seed=seed + 200)
    judge = Judge(passages)
    own = SearchIndex.build(passages)
    del passages
    gc.collect()
    tmp = Path(tempfile.mkdtemp(prefix="tantivy-proto-"))
    try:
        before = rss_mb()
        build_s, _, engine = timed(lambda: build_tantivy(own, tmp / "t"))
        gc.collect()
        rss = rss_mb() - before
        disk = sum(f.stat().st_size for f in (tmp / "t").iterdir()) / 2**20
        open_s, _, reopened = timed(lambda: tantivy.Index.open(str(tmp / "t")).searcher())
        assert reopened.num_docs == len(own)
        assert reopened.num_segments == 1, "doc ids are rows only with one segment"
        proto = TantivyCandidates.over(own, engine)
        for q in queries[:20]:  # warm both the way a running bot is
            own.search(q.text)
            proto.search(q.text)
        rows: dict[str, dict[str, list[Any]]] = {"hand-written": {}, "tantivy": {}}
        for i, q in enumerate(queries):
            pair = [("hand-written", own), ("tantivy", proto)]
            for name, idx in pair if i % 2 else pair[::-1]:
                wall, cpu, res = timed(functools.partial(idx.search, q.text, limit=3))
                top = res.hits[0].passage_id if res.hits else None
                rows[name].setdefault(q.kind, []).append(judge.right(q, top))
                rows[name].setdefault("_wall", []).append(wall)
                rows[name].setdefault("_cpu", []).append(cpu)
        for i, p in enumerate(prefixes):
            pair = [("hand-written", own), ("tantivy", proto)]
            for name, idx in pair if i % 2 else pair[::-1]:
                wall, cpu, got = timed(functools.partial(idx.suggest, p.text))
                rows[name].setdefault("_auto_wall", []).append(wall)
                rows[name].setdefault("_auto_cpu", []).append(cpu)
                rows[name].setdefault("_auto_hit", []).append(
                    p.expected in {s.passage_id for s in got}
                )
        kinds = [k for k in rows["tantivy"] if not k.startswith("_")]
        print(f"\n## {len(own):,} answers, seed {seed}, {per_kind} queries a kind\n")
        print("| kind | hand-written top-1 | tantivy candidates top-1 |")
        print("|---|---|---|")
        for kind in [*kinds, "all"]:
            vals = [
                np.mean([v for k in kinds for v in rows[n][k]] if kind == "all" else rows[n][kind])
                * 100
                for n in ("hand-written", "tantivy")
            ]
            print(f"| {kind} | {vals[0]:.0f}% | {vals[1]:.0f}% |")
        print()
        print("| index | /quote p50/p99 ms (wall) | CPU p50/p99 ms | autocomplete p50/p99 ms (wall) "
              "| CPU p50/p99 ms | autocomplete shows the source |")  # fmt: skip
        print("|---|---|---|---|---|---|")
        for name, r in rows.items():
            print(
                f"| {name} | {pct(r['_wall'], 50):.1f} / {pct(r['_wall'], 99):.1f} "
                f"| {pct(r['_cpu'], 50):.1f} / {pct(r['_cpu'], 99):.1f} "
                f"| {pct(r['_auto_wall'], 50):.1f} / {pct(r['_auto_wall'], 99):.1f} "
                f"| {pct(r['_auto_cpu'], 50):.1f} / {pct(r['_auto_cpu'], 99):.1f} "
                f"| {np.mean(r['_auto_hit']) * 100:.0f}% |"
            )
        print(
            f"\ntantivy: built in {build_s:.1f} s (one writer thread), +{rss:.0f} MB RSS after "
            f"the build, {disk:.0f} MB on disk, opened in {open_s * 1000:.1f} ms"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--queries", type=int, default=50, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=REPORTING_SEED)
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",") if s):
        measure(size, args.queries, args.seed)


if __name__ == "__main__":
    main()
