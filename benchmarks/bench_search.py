"""Search benchmark: accuracy per query kind against naive scans, latency, build, memory.

Run: ``.venv/bin/python -m benchmarks.bench_search [--sizes 10000,100000,1000000]
[--seed 2] [--queries 100]``.  Each size is measured in a fresh subprocess so the sizes do
not pollute each other's memory; the held-out interviews (``benchmarks/heldout/``) run in
one more (every held-out set).  The parent prints the tables and writes ``benchmarks/results.md``
(the tables, seeds and targets: `benchmarks.search_report`).

Seeds: the corpus, its queries and the autocomplete prefixes all come from ``--seed``.
``TUNING_SEED`` (1) is the one to tune the search on; ``REPORTING_SEED`` (2, the default)
is the one figures are reported on, and it also picks the other half of the spelling
pairs and compounds (see `benchmarks.corpus.lexicon`).  The held-out set is reporting
only.  The queries come from `benchmarks.querygen`, which never reads the search code; the
index is used through its public API only (`SearchIndex.build`, `.search`, `.suggest`,
`.save`/`.load` for the cold start).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from rapidfuzz import fuzz, process, utils

from benchmarks import querygen
from benchmarks.corpus import Lexicon, lexicon, seed_passages, synthetic_passages
from benchmarks.querygen import Query
from benchmarks.search_report import (
    REPORTING_SEED,
    TUNING_SEED,
    render,
    render_autocomplete,
    seed_label,
)
from bot.models import Passage
from bot.search import SearchIndex

# tests and the other benchmarks import these from here
__all__ = [
    "REPORTING_SEED",
    "TUNING_SEED",
    "Lexicon",
    "lexicon",
    "seed_label",
    "seed_passages",
    "synthetic_passages",
]

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.md"


BASELINES: dict[str, Callable[..., float]] = {
    "partial_ratio": fuzz.partial_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
}


T = TypeVar("T")


# --- measuring ------------------------------------------------------------------------------


def rss_mb() -> float:
    """Resident set size of this process, from /proc (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


async def watch_loop(work: Awaitable[T]) -> tuple[T, float]:
    """Await `work` while a 1 ms ticker records the event loop's longest stall (seconds)."""
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst = max(worst, now - last - 0.001)
            last = now

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    try:
        result = await work
    finally:
        done = True
        await tick
    return result, worst


def build_watched(passages: list[Passage]) -> tuple[SearchIndex, float, float]:
    """SearchIndex.build in a worker thread: (index, seconds, longest loop stall)."""

    async def run() -> tuple[tuple[float, SearchIndex], float]:
        return await watch_loop(
            asyncio.to_thread(lambda: timed(lambda: SearchIndex.build(passages)))
        )

    (seconds, index), stall = asyncio.run(run())
    return index, seconds, stall


def run_python(code: str, *args: str) -> dict[str, float]:
    """Run `code` in a new interpreter at the project root; it prints one JSON object."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode:
        raise RuntimeError(f"the child interpreter failed:\n{done.stderr[-3000:]}")
    out = done.stdout
    result: dict[str, float] = json.loads(out)
    return result


def cold_start(path: Path, key: str) -> dict[str, float]:
    """Load the saved index in a fresh interpreter and answer one query, as a restarted bot
    does: memory-mapped, its checksum left for after ready (`SearchIndex.verify`)."""
    code = (
        "import time, json, sys; t0 = time.perf_counter()\n"
        "from pathlib import Path\n"
        "from bot.search import SearchIndex\n"
        "t1 = time.perf_counter()\n"
        "index = SearchIndex.load(Path(sys.argv[1]), sys.argv[2], verify=False)\n"
        "assert index is not None\n"
        "t2 = time.perf_counter()\n"
        "index.search('put the money on the screen')\n"
        "t3 = time.perf_counter()\n"
        "print(json.dumps({'imports': t1 - t0, 'load': t2 - t1, 'first_query': t3 - t2}))\n"
    )
    return run_python(code, str(path), key)


def seed_queries() -> list[tuple[str, str]]:
    """The seed queries of tests/test_search.py: a regression check, not a headline."""
    spec = importlib.util.spec_from_file_location(
        "_seed_queries", ROOT / "tests" / "test_search.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError("tests/test_search.py not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.SEED_QUERIES)


class Judge:
    """Whether a returned answer is right for a query: the expected one, or another answer
    that contains the typed query word for word (a phrase more than one answer says)."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.by_id = {p.id: p for p in passages}
        self._typed: dict[str, str] = {}

    def right(self, q: Query, found: str | None) -> bool:
        if found is None:
            return False
        if found == q.expected:
            return True
        if found not in self._typed:
            self._typed[found] = querygen.typed(self.by_id[found].text)
        return f" {querygen.typed(q.text)} " in f" {self._typed[found]} "


def baseline_top1(
    queries: Sequence[Query], passages: Sequence[Passage], judge: Judge
) -> dict[str, list[bool]]:
    """Each naive scorer's top-1 over every answer (rapidfuzz, default_process on both
    sides, ties to the first answer in corpus order): right or not, per query."""
    answers = [p for p in passages if p.role == "interviewee"]
    texts = [utils.default_process(p.text) for p in answers]
    typed = [utils.default_process(q.text) for q in queries]
    out: dict[str, list[bool]] = {name: [] for name in BASELINES}
    for name, scorer in BASELINES.items():
        for at in range(0, len(typed), 8):
            scores = process.cdist(
                typed[at : at + 8], texts, scorer=scorer, processor=None, workers=2, dtype=np.uint8
            )
            for q, row in zip(queries[at : at + 8], scores, strict=True):
                out[name].append(judge.right(q, answers[int(row.argmax())].id))
    return out


def evaluate(
    index: SearchIndex,
    queries: Sequence[Query],
    passages: Sequence[Passage],
    sample: int,
) -> dict[str, Any]:
    """Index and baselines per kind: top-1 (index on all, and on the baselines' sample),
    top-3, "no match" rate, confidently wrong (a wrong answer shown as a match), latency."""
    judge = Judge(passages)
    rows: list[dict[str, Any]] = []
    for q in queries:
        cpu = time.thread_time()
        took, result = timed(functools.partial(index.search, q.text, limit=3))
        cpu = time.thread_time() - cpu
        ids = [h.passage_id for h in result.hits]
        rows.append(
            {
                "kind": q.kind,
                "took": took,
                "cpu": cpu,
                "top1": judge.right(q, ids[0] if ids else None),
                "top3": any(judge.right(q, i) for i in ids),
                "none": not ids,
            }
        )
    picked = [i for kind in dict.fromkeys(q.kind for q in queries) for i in
              [j for j, q in enumerate(queries) if q.kind == kind][:sample]]  # fmt: skip
    base = baseline_top1([queries[i] for i in picked], passages, judge)
    kinds: dict[str, Any] = {}
    for kind in dict.fromkeys(q.kind for q in queries):
        mine = [r for r in rows if r["kind"] == kind]
        in_sample = [j for j, i in enumerate(picked) if queries[i].kind == kind]
        kinds[kind] = {
            "n": len(mine),
            "top1": float(np.mean([r["top1"] for r in mine])),
            "top3": float(np.mean([r["top3"] for r in mine])),
            "no_match": float(np.mean([r["none"] for r in mine])),
            "wrong_shown": float(np.mean([not r["none"] and not r["top1"] for r in mine])),
            "p50_ms": percentile([r["took"] for r in mine], 50) * 1000,
            "p99_ms": percentile([r["took"] for r in mine], 99) * 1000,
            "sample": len(in_sample),
            "index_on_sample": float(np.mean([rows[picked[j]]["top1"] for j in in_sample])),
            "baselines": {
                name: float(np.mean([hits[j] for j in in_sample])) for name, hits in base.items()
            },
        }
    shown_wrong = [not r["none"] and not r["top1"] for r in rows]
    times = [r["took"] for r in rows]
    return {
        "kinds": kinds,
        "confidently_wrong": float(np.mean(shown_wrong)),
        "top1_all": float(np.mean([r["top1"] for r in rows])),
        "index_sample_all": float(np.mean([rows[i]["top1"] for i in picked])),
        "baselines_all": {name: float(np.mean(hits)) for name, hits in base.items()},
        "quote_p50_ms": percentile(times, 50) * 1000,
        "quote_p99_ms": percentile(times, 99) * 1000,
        "quote_cpu_p50_ms": percentile([r["cpu"] for r in rows], 50) * 1000,
        "quote_cpu_p99_ms": percentile([r["cpu"] for r in rows], 99) * 1000,
    }


def timed_autocomplete(
    index: SearchIndex, prefixes: Sequence[Query], passages: Sequence[Passage], sample: int
) -> dict[str, Any]:
    """Autocomplete latency (wall, and this thread's CPU time, which a busy machine
    inflates less), whether the source is among the choices, and the naive baseline's
    25 best on the first `sample` prefixes (and the index on those same prefixes)."""
    complete: list[tuple[float, float, list[Any]]] = []
    for q in prefixes:
        cpu = time.thread_time()
        took, got = timed(functools.partial(index.suggest, q.text))
        complete.append((took, time.thread_time() - cpu, got))
        assert len(got) <= 25 and all(len(s.label) <= 100 for s in got), "Discord's limits"
    shown = [q.expected in {s.passage_id for s in got} for q, (_, _, got) in zip(prefixes, complete, strict=True)]  # fmt: skip
    naive = autocomplete_baseline(prefixes[:sample], passages)
    return {
        "auto_p50_ms": percentile([t for t, _, _ in complete], 50) * 1000,
        "auto_p99_ms": percentile([t for t, _, _ in complete], 99) * 1000,
        "auto_cpu_p50_ms": percentile([c for _, c, _ in complete], 50) * 1000,
        "auto_cpu_p99_ms": percentile([c for _, c, _ in complete], 99) * 1000,
        "auto_hit": float(np.mean(shown)),
        "auto_n": len(prefixes),
        "auto_sample": len(naive),
        "auto_index_on_sample": float(np.mean(shown[: len(naive)])) if naive else float("nan"),
        "auto_naive_hit": float(np.mean(naive)) if naive else float("nan"),
    }


def autocomplete_baseline(prefixes: Sequence[Query], passages: Sequence[Passage]) -> list[bool]:
    """The naive autocomplete: rapidfuzz `partial_ratio` of the typed text against every
    whole answer (`default_process` on both sides), the 25 best (ties to the first answers
    in corpus order): whether the source is among them, per prefix."""
    if not prefixes:
        return []
    answers = [p for p in passages if p.role == "interviewee"]
    texts = [utils.default_process(p.text) for p in answers]
    typed = [utils.default_process(q.text) for q in prefixes]
    out: list[bool] = []
    for at in range(0, len(typed), 8):
        scores = process.cdist(
            typed[at : at + 8], texts, scorer=fuzz.partial_ratio, processor=None, workers=2,
            dtype=np.uint8,
        )  # fmt: skip
        for q, row in zip(prefixes[at : at + 8], scores, strict=True):
            best = np.argsort(-row.astype(np.int16), kind="stable")[:25]
            out.append(q.expected in {answers[int(i)].id for i in best})
    return out


def measure_autocomplete(size: int, count: int, sample: int, seed: int) -> dict[str, Any]:
    """Autocomplete alone for one corpus size (`--autocomplete-only`): one build, the index
    loaded from its cache file as a restarted bot serves it, `count` prefixes."""
    passages = synthetic_passages(size, seed=seed, lex=lexicon(seed=seed))
    synthetic = [p for p in passages if p.id.startswith("s")]
    prefixes = querygen.make_prefixes(synthetic, count, seed=seed + 200)
    built = SearchIndex.build(passages)
    out: dict[str, Any] = {"size": size, "seed": seed, "passages": len(passages)}
    out["autocomplete_only"] = True
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.index"
        built.save(path)
        index = SearchIndex.load(path, built.fingerprint)
        assert index is not None
        del built
        gc.collect()
        out["loadavg"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        for q in prefixes[:20]:  # warm caches the way a running bot has them
            index.suggest(q.text)
        out.update(timed_autocomplete(index, prefixes, passages, sample))
        out["loadavg"] += " → " + " ".join(f"{x:.1f}" for x in os.getloadavg())
        del index
    return out


def timed_searches(
    index: SearchIndex,
    queries: Sequence[Query],
    prefixes: Sequence[Query],
    passages: Sequence[Passage],
    sample: int,
) -> dict[str, Any]:
    """Top-1 and /quote latency per kind (see `evaluate`), then autocomplete: latency (wall
    and this thread's CPU time, which a busy machine inflates less) and whether the source
    is among the choices."""
    out: dict[str, Any] = {"loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg())}
    for q in (list(queries) + list(prefixes))[:20]:  # warm caches the way a running bot has them
        index.search(q.text)
        index.suggest(q.text)
    out.update(evaluate(index, queries, passages, sample))
    out.update(timed_autocomplete(index, prefixes, passages, sample))
    return out


def measure(size: int, count: int, sample: int, builds: int, seed: int) -> dict[str, Any]:
    """Everything for one corpus size (run in a fresh process)."""
    out: dict[str, Any] = {"size": size, "seed": seed}
    out["generate_s"], passages = timed(
        lambda: synthetic_passages(size, seed=seed, lex=lexicon(seed=seed))
    )
    out["passages"] = len(passages)
    synthetic = [p for p in passages if p.id.startswith("s")]
    queries = querygen.make_queries(synthetic, count, seed=seed + 100)
    prefixes = querygen.make_prefixes(synthetic, count, seed=seed + 200)

    gc.collect()
    before = rss_mb()
    index, build_s, stall = build_watched(passages)
    gc.collect()
    out["rss_delta_mb"] = rss_mb() - before
    runs = [(build_s, stall)]
    for _ in range(builds - 1):  # each new index thrown away; the median is reported
        extra, *timing = build_watched(passages)
        del extra
        gc.collect()
        runs.append((timing[0], timing[1]))
    out["build_runs_s"] = sorted(round(b, 2) for b, _ in runs)
    out["build_s"] = sorted(b for b, _ in runs)[len(runs) // 2]
    out["loop_stall_ms"] = max(s for _, s in runs) * 1000

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.index"
        index.save(path)
        out["file_mb"] = path.stat().st_size / 2**20
        out["cold"] = cold_start(path, index.fingerprint)
        # Latency is timed on the index as a restarted bot serves it: loaded from the cache
        # file (memory-mapped), not the one just built in this process.
        loaded = SearchIndex.load(path, index.fingerprint)
        assert loaded is not None
        index = loaded
        gc.collect()
        out.update(timed_searches(index, queries, prefixes, passages, sample))
    seed_ids = {p.id: p for p in passages if not p.id.startswith("s")}
    regression = [
        Query("seed", q, next(pid for pid, p in seed_ids.items() if frag in p.text))
        for q, frag in seed_queries()
    ]
    judge = Judge(passages)
    out["seed_top1"] = float(
        np.mean([judge.right(q, next((h.passage_id for h in index.search(q.text).hits), None))
                 for q in regression])
    )  # fmt: skip
    return out


# --- the held-out interviews ------------------------------------------------------------------


def measure_heldout(mix: int, seed: int) -> dict[str, Any]:
    """The held-out sets (the first, the fresh one in other query styles, and the three
    tuned on and labelled so: the tuning set, the third, the fourth and the fifth), each on
    its interviews alone, then mixed into `mix` synthetic answers: index vs both
    baselines, per kind and overall (every query, no sample)."""
    from benchmarks.heldout import FIFTH, FOURTH, FRESH, HERE, THIRD, TUNING

    synthetic = synthetic_passages(mix, seed=seed, lex=lexicon(seed=seed), with_seed=False)
    return {
        "first": _heldout_set(HERE, synthetic),
        "fresh": _heldout_set(FRESH, synthetic),
        "tuning": _heldout_set(TUNING, synthetic),
        "third": _heldout_set(THIRD, synthetic),
        "fourth": _heldout_set(FOURTH, synthetic),
        "fifth": _heldout_set(FIFTH, synthetic),
    }


def _heldout_set(root: Path, synthetic: list[Passage]) -> dict[str, Any]:
    from benchmarks.heldout import load_heldout, load_negatives

    passages, queries = load_heldout(root)
    negatives = load_negatives(root)
    out: dict[str, Any] = {"queries": len(queries), "answers": len(passages)}
    alone = SearchIndex.build(passages)
    out["alone"] = evaluate(alone, queries, passages, len(queries))
    out["alone"]["negatives"] = negatives_shown(alone, negatives)
    del alone
    mixed = mix_in(synthetic, passages)
    index = SearchIndex.build(mixed)
    out["mixed"] = evaluate(index, queries, mixed, len(queries))
    out["mixed"]["negatives"] = negatives_shown(index, negatives)
    out["mixed_answers"] = len(mixed)
    out["negative_count"] = len(negatives)
    return out


def mix_in(synthetic: Sequence[Passage], passages: Sequence[Passage]) -> list[Passage]:
    """The held-out `passages` put in the middle of the `synthetic` answers."""
    mixed = list(synthetic)
    mixed[len(mixed) // 2 : len(mixed) // 2] = passages
    return mixed


def negatives_shown(index: SearchIndex, negatives: Sequence[str]) -> list[str]:
    """The negative queries (nobody said them) that the index answers with a match."""
    return [text for text in negatives if index.search(text, limit=1).hits]


def _worker(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_search", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--seed",
        type=int,
        default=REPORTING_SEED,
        help=f"corpus and query seed: {TUNING_SEED} to tune on, {REPORTING_SEED} (default) to report",
    )
    parser.add_argument("--queries", type=int, default=100, help="queries of each kind")
    parser.add_argument(
        "--baseline-queries",
        default="40,12,3",
        help="queries of each kind the naive baselines run, per size (the last repeats)",
    )
    parser.add_argument("--builds", type=int, default=3, help="index builds per size (median)")
    parser.add_argument(
        "--heldout-mix",
        type=int,
        default=20_000,
        help="synthetic answers the held-out set is mixed into",
    )
    parser.add_argument("--no-heldout", action="store_true", help="skip the held-out interviews")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--heldout-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sample", type=int, default=40, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not write results.md")
    parser.add_argument(
        "--autocomplete-only",
        action="store_true",
        help="only autocomplete (source shown, latency, naive baseline): one build, no query "
        "kinds, no held-out sets",
    )
    args = parser.parse_args(argv)
    if args.worker and args.autocomplete_only:
        print(json.dumps(measure_autocomplete(args.worker, args.queries, args.sample, args.seed)))
        return
    if args.worker:
        print(json.dumps(measure(args.worker, args.queries, args.sample, args.builds, args.seed)))
        return
    if args.heldout_worker:
        print(json.dumps(measure_heldout(args.heldout_mix, args.seed)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    samples = [int(s) for s in args.baseline_queries.split(",") if s]
    command = "python -m benchmarks.bench_search " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    print(f"seed {seed_label(args.seed)}", flush=True)
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    for i, size in enumerate(sizes):
        t0 = time.perf_counter()
        sample = samples[min(i, len(samples) - 1)]
        results.append(
            _worker(
                ["--worker", str(size), "--queries", str(args.queries), "--sample", str(sample),
                 "--builds", str(args.builds), "--seed", str(args.seed),
                 *(["--autocomplete-only"] if args.autocomplete_only else [])]
            )
        )  # fmt: skip
        print(f"{size:>9,} answers measured in {time.perf_counter() - t0:.0f} s", flush=True)
    heldout = None
    if not args.no_heldout and not args.autocomplete_only:
        t0 = time.perf_counter()
        heldout = _worker(
            ["--heldout-worker", "--heldout-mix", str(args.heldout_mix), "--seed", str(args.seed)]
        )
        print(f"held-out set measured in {time.perf_counter() - t0:.0f} s", flush=True)
    wall = time.perf_counter() - started
    if args.autocomplete_only:
        report = render_autocomplete(results, command.strip(), wall)
    else:
        report = render(results, heldout, command.strip(), wall)
    print()
    print(report)
    if not args.no_write and not args.autocomplete_only:  # results.md is the full report
        RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
