"""Where a /quote's CPU goes: per-stage CPU time of `SearchIndex.search`, and a digest of
the results, so a change meant to save work can be checked to return the same answers.

Run: ``.venv/bin/python -m benchmarks.search_stages --size 100000 [--seed 1] [--queries 30]
[--cache DIR]``.  The corpus and queries are the search benchmark's (``--seed 1``, the
TUNING seed, by default: this is a tool to work with, not a headline).  The index is
built once and saved in ``--cache`` (default: the system's temporary folder), then
loaded from there memory-mapped, as a restarted bot serves it, so runs of two versions
of the code can alternate on the same index.  Each stage is timed with
``time.thread_time`` around the method, inclusive of what it calls (nested calls of the
same method count once); the total is timed without the stage timers' overhead in a
second pass.  The printed digest covers every hit (id, score, sentence, exact) and
suggestion of every query: equal digests mean equal results.  The first pass's CPU per
query is also shown as p50 / p99 per query kind, and ``--slowest N`` lists the N slowest
queries (what a p99 is made of).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import querygen
from benchmarks.corpus import lexicon, synthetic_passages
from bot.models import Passage
from bot.search import SearchIndex, candidates, naive, plan, rank

STAGES: list[tuple[type, list[str]]] = [
    (plan._Planner, ["_plan"]),
    (candidates._Candidates, ["_shortlist", "_candidates", "_accumulate", "_joined"]),
    (candidates._Candidates, ["_phrase_rows", "_rows_with_all"]),
    (rank._Ranker, ["_rank", "_score", "_with_questions", "_ambiguous", "_evidence_lead"]),
    (naive._NaiveEvidence, ["_naive_score", "_naive_rows"]),
]


class StageTimer:
    """Wraps methods to add up their CPU time (nested calls of one method count once)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._depth: dict[str, int] = defaultdict(int)

    def wrap(self, owner: Any, name: str) -> None:
        inner: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth[name]:
                return inner(*args, **kwargs)
            self._depth[name] += 1
            start = time.thread_time()
            try:
                return inner(*args, **kwargs)
            finally:
                self.cpu[name] += time.thread_time() - start
                self.calls[name] += 1
                self._depth[name] -= 1

        setattr(owner, name, timed)


def load_index(size: int, seed: int, cache: Path) -> tuple[SearchIndex, list[Passage]]:
    """The benchmark's corpus of `size` answers as a loaded index, and its synthetic answers."""
    passages = synthetic_passages(size, seed=seed, lex=lexicon(seed=seed))
    path = cache / f"search-stages-{size}-{seed}.index"
    key = path.with_suffix(".key")
    index = SearchIndex.load(path, key.read_text()) if key.exists() else None
    if index is None:
        built = SearchIndex.build(passages)
        built.save(path)
        key.write_text(built.fingerprint)
        index = SearchIndex.load(path, built.fingerprint)
        assert index is not None
    synthetic = [p for p in passages if p.id.startswith("s")]
    return index, synthetic


def forget(index: SearchIndex) -> None:
    """Empty the caches a repeated query hits (compiled patterns, typo neighbours)."""
    re.purge()
    for part in (index, index._questions):
        if part is not None:
            part._typos._cached.cache_clear()


def _ms(values: list[float], q: float) -> str:
    return f"{float(np.percentile(values, q)) * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1, help="1: the tuning seed")
    parser.add_argument("--queries", type=int, default=30, help="queries of each kind")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--slowest", type=int, default=0, help="also list this many slowest queries (CPU)"
    )
    args = parser.parse_args()
    index, synthetic = load_index(args.size, args.seed, args.cache)
    queries = querygen.make_queries(synthetic, args.queries, seed=args.seed + 100)
    for q in queries[:20]:  # warm caches the way a running bot has them
        index.search(q.text)
    forget(index)
    digest = hashlib.sha256()
    took: list[float] = []
    for q in queries:  # untimed stages: the total without the timers' overhead
        start = time.thread_time()
        found = index.search(q.text, limit=3)
        took.append(time.thread_time() - start)
        digest.update(repr((found.hits, found.suggestions)).encode())
    total = sum(took)
    forget(index)  # the second pass must not find the first one's work cached
    timer = StageTimer()
    for owner, names in STAGES:
        for name in names:
            timer.wrap(owner, name)
    compiled = re.compile
    timer.wrap(re, "compile")
    try:
        for q in queries:
            index.search(q.text, limit=3)
    finally:
        re.compile = compiled
    n = len(queries)
    print(
        f"{args.size:,} answers, seed {args.seed}, {n} queries, load average "
        f"{os.getloadavg()[0]:.1f}: {total / n * 1000:.2f} ms CPU a /quote (mean); "
        f"results digest {digest.hexdigest()[:16]}"
    )
    print(f"CPU a /quote, p50 / p99: {_ms(took, 50)} / {_ms(took, 99)} ms; per kind:")
    for kind in dict.fromkeys(q.kind for q in queries):
        mine = [t for t, q in zip(took, queries, strict=True) if q.kind == kind]
        print(f"  {kind}: {_ms(mine, 50)} / {_ms(mine, 99)} ms, max {max(mine) * 1000:.1f}")
    slowest = sorted(range(n), key=lambda i: -took[i])[: args.slowest]
    for i in slowest:
        print(f"  {took[i] * 1000:6.1f} ms  {queries[i].kind:13s} {queries[i].text!r}")
    print("| stage (inclusive) | ms CPU a /quote | calls |\n|---|---|---|")
    for name, cpu in sorted(timer.cpu.items(), key=lambda kv: -kv[1]):
        label = "re.compile" if name == "compile" else name
        print(f"| {label} | {cpu / n * 1000:.2f} | {timer.calls[name]} |")


if __name__ == "__main__":
    main()
