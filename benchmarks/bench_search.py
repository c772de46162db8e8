"""Search benchmark: latency, accuracy, build, memory and cold start from 1k to 1M answers.

Run: ``.venv/bin/python -m benchmarks.bench_search [--sizes 1000,10000,100000,1000000]
[--queries 200]``.  Each size is measured in a fresh subprocess so the sizes do not pollute
each other's memory; the parent prints a table and writes ``benchmarks/results.md``.

The corpora are synthetic but shaped like transcripts: sentences of 4..24 words mixing
real English function words (about 45% of the tokens, with contractions written with
curly apostrophes as transcripts are) with content words drawn from a Zipf distribution
over ~50k generated word forms plus every word of the seed interview, placed at random
ranks so some seed words are common and some rare.  The real seed interview is embedded in
the middle of every corpus and its queries are scored as the corpus grows.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import gc
import importlib.util
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from bot import search
from bot.models import Passage
from bot.search import STOP_WORDS, SearchIndex, normalise

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_61add2952afc7ee4.txt"
RESULTS = Path(__file__).resolve().parent / "results.md"

FUNCTION_WORDS = (
    "the and i to a of that it you in was we is so but this for he on with they "
    "it’s just like what my have be about there at as all really one know think not "
    "were had his i’m that’s when you’re do don’t out then or because would from "
    "her she by very if can an some more who their them how up our which there’s "
    "also even been could i’ve didn’t these much other those into where kind way "
    "well oh yeah right actually sort lot things thing something always never"
).split()

_ONSETS = "b bl br c ch cl cr d dr f fl fr g gl gr h j k l m n p pl pr qu r s sc sh sk sl sm sn sp st str t th tr v w wh z".split()
_VOWELS = "a e i o u ai ea ee ie oa oo ou".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "t", "nd", "rt", "st", "ck", "ng", "m", "x", "sh"]
_ENDINGS = ["", "", "", "", "", "", "s", "s", "ed", "ing", "er", "ly"]

T = TypeVar("T")


def _word_forms(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """`count` distinct pronounceable pseudo-words of 1..4 syllables."""
    words: list[str] = []
    seen = set(taken)
    while len(words) < count:
        parts = [
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3)))
        ]
        word = "".join(parts) + rng.choice(_ENDINGS)
        if 3 <= len(word) <= 14 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


def seed_passages() -> list[Passage]:
    """The real seed interview's answers, via the project's parser."""
    from bot.transcript import read_transcript

    return list(read_transcript(SEED).passages)


@dataclass(frozen=True)
class Lexicon:
    function_words: list[str]
    content_words: list[str]
    function_cdf: np.ndarray
    content_cdf: np.ndarray


def lexicon(forms: int = 50_000, seed: int = 20241125) -> Lexicon:
    """Function words and a Zipf-ranked content vocabulary including the seed's words."""
    rng = random.Random(seed)
    seed_words = sorted(
        {
            w
            for p in seed_passages()
            for w in normalise(p.text).split()
            if w not in STOP_WORDS and len(w) > 2 and not w.isdigit()
        }
    )
    taken = set(seed_words) | {normalise(w) for w in FUNCTION_WORDS}
    content = _word_forms(rng, forms, taken)
    for word in seed_words:  # a random rank each: some seed words common, most rare
        content.insert(rng.randrange(len(content) + 1), word)
    f_weights = 1.0 / np.arange(1, len(FUNCTION_WORDS) + 1) ** 0.9
    c_weights = 1.0 / (np.arange(1, len(content) + 1) + 2.7) ** 1.07
    return Lexicon(
        list(FUNCTION_WORDS),
        content,
        np.cumsum(f_weights / f_weights.sum()),
        np.cumsum(c_weights / c_weights.sum()),
    )


def synthetic_passages(
    n: int, *, seed: int = 7, lex: Lexicon | None = None, with_seed: bool = True
) -> list[Passage]:
    """`n` deterministic synthetic answers (plus the seed interview in the middle)."""
    lex = lex or lexicon()
    gen = np.random.default_rng(seed)
    per_passage = gen.integers(1, 9, size=n)  # sentences per answer: 1..8
    n_sent = int(per_passage.sum())
    sent_len = gen.integers(4, 25, size=n_sent)  # words per sentence
    n_words = int(sent_len.sum())
    is_func = gen.random(n_words) < 0.45
    func_idx = np.searchsorted(lex.function_cdf, gen.random(n_words))
    cont_idx = np.searchsorted(lex.content_cdf, gen.random(n_words))
    func_idx = np.minimum(func_idx, len(lex.function_words) - 1)
    cont_idx = np.minimum(cont_idx, len(lex.content_words) - 1)
    words = lex.function_words + lex.content_words
    token_ids = np.where(is_func, func_idx, cont_idx + len(lex.function_words)).tolist()
    tokens = [words[i] for i in token_ids]
    ends = gen.choice([".", ".", ".", ".", "?", "!", "…"], size=n_sent).tolist()
    commas = (gen.random(n_sent) < 0.4).tolist()
    bounds = np.concatenate(([0], np.cumsum(sent_len))).tolist()
    sentences: list[str] = []
    for i in range(n_sent):
        chunk = tokens[bounds[i] : bounds[i + 1]]
        if commas[i] and len(chunk) > 6:
            chunk[len(chunk) // 2] += ","
        text = " ".join(chunk)
        sentences.append(text[0].upper() + text[1:] + ends[i])
    names = _word_forms(random.Random(seed + 1), 4000, set())
    passages: list[Passage] = []
    at = 0
    for k, count in enumerate(per_passage.tolist()):
        sents = tuple(sentences[at : at + count])
        at += count
        interview = k // 12
        speaker = f"{names[(interview * 2) % len(names)].title()} {names[(interview * 2 + 1) % len(names)].title()}"
        paragraphs = (" ".join(sents[: (count + 1) // 2]), " ".join(sents[(count + 1) // 2 :]))
        passages.append(
            Passage(
                id=f"s{k:011x}",
                interview_id=f"synth-{interview:06d}",
                position=k % 12,
                speaker=speaker,
                role="interviewee",
                question=None,
                paragraphs=tuple(p for p in paragraphs if p),
                sentences=sents,
                line=1 + 2 * (k % 12),
            )
        )
    if with_seed:
        middle = n // 2
        passages[middle:middle] = seed_passages()
    return passages


# --- queries ------------------------------------------------------------------------------

KINDS = ("exact", "partial", "typo", "reordered")


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    expected: str  # passage id


def _typo(word: str, rng: random.Random) -> str:
    """One edit away, never on the first letter (people rarely mistype that)."""
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("swap", "drop", "double", "replace"))
    if edit == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    if edit == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeioustnrl") + word[i + 1 :]


def make_queries(passages: Sequence[Passage], count: int, seed: int = 99) -> list[Query]:
    """`count` queries of each kind, each quoting one synthetic answer."""
    rng = random.Random(seed)
    synthetic = [p for p in passages if p.id.startswith("s")]
    out: list[Query] = []
    for kind in KINDS:
        made = 0
        while made < count:
            p = rng.choice(synthetic)
            sentence = rng.choice(p.sentences).split()
            content = [w for w in normalise(" ".join(sentence)).split() if w not in STOP_WORDS]
            if kind == "exact" and len(sentence) >= 6:
                size = rng.randint(6, min(9, len(sentence)))
                at = rng.randrange(len(sentence) - size + 1)
                text = " ".join(sentence[at : at + size])
            elif kind == "partial" and len(sentence) >= 5:
                size = rng.randint(4, min(6, len(sentence)))
                at = rng.randrange(len(sentence) - size + 1)
                text = normalise(" ".join(sentence[at : at + size]))
            elif kind == "typo" and len(sentence) >= 6:
                size = rng.randint(5, min(8, len(sentence)))
                at = rng.randrange(len(sentence) - size + 1)
                words = normalise(" ".join(sentence[at : at + size])).split()
                long = [i for i, w in enumerate(words) if len(w) >= 5]
                if not long:
                    continue
                for i in rng.sample(long, min(len(long), rng.choice((1, 2)))):
                    words[i] = _typo(words[i], rng)
                text = " ".join(words)
            elif kind == "reordered" and len(set(content)) >= 4:
                picked = rng.sample(sorted(set(content)), rng.choice((3, 4)))
                rng.shuffle(picked)
                text = " ".join(picked)
            else:
                continue
            out.append(Query(kind, text, p.id))
            made += 1
    return out


def make_prefixes(passages: Sequence[Passage], count: int, seed: int = 101) -> list[Query]:
    """Autocomplete inputs: the first words of a sentence and part of the next word."""
    rng = random.Random(seed)
    synthetic = [p for p in passages if p.id.startswith("s")]
    out: list[Query] = []
    while len(out) < count:
        p = rng.choice(synthetic)
        words = rng.choice(p.sentences).split()
        if len(words) < 4:
            continue
        size = rng.randint(2, min(5, len(words) - 1))
        nxt = words[size]
        text = " ".join(words[:size]) + " " + nxt[: max(2, min(len(nxt), rng.randint(2, 4)))]
        out.append(Query("prefix", text, p.id))
    return out


def seed_queries() -> list[tuple[str, str]]:
    """The realistic seed queries of tests/test_search.py (one list, used by both)."""
    spec = importlib.util.spec_from_file_location(
        "_seed_queries", ROOT / "tests" / "test_search.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError("tests/test_search.py not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.SEED_QUERIES)


# --- measuring ------------------------------------------------------------------------------


def rss_mb() -> float:
    """Resident set size of this process, from /proc (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def staged_build(passages: Iterable[Passage]) -> tuple[SearchIndex, float, float]:
    """SearchIndex.build, timing its two stages: per-chunk ingest, then the final sort."""
    builder = search._Builder()
    started = time.perf_counter()
    builder.ingest(passages)
    ingested = time.perf_counter()
    index = builder.finish()
    del builder
    search._release_freed_memory()
    return index, ingested - started, time.perf_counter() - ingested


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


async def build_with_ticker(passages: list[Passage]) -> tuple[SearchIndex, float, float, float]:
    """Build in an executor thread while the loop's longest stall is recorded."""
    built, worst = await watch_loop(asyncio.to_thread(staged_build, passages))
    index, ingest, finish = built
    return index, ingest, finish, worst


def accuracy(index: SearchIndex, queries: Sequence[Query]) -> tuple[float, float]:
    top1 = top3 = 0
    for q in queries:
        ids = [h.passage_id for h in index.search(q.text, limit=3).hits]
        top1 += bool(ids) and ids[0] == q.expected
        top3 += q.expected in ids
    return top1 / max(1, len(queries)), top3 / max(1, len(queries))


def cold_start(path: Path, key: str) -> dict[str, float]:
    """Load the saved index in a fresh interpreter and answer one query."""
    code = (
        "import time, json, sys; t0 = time.perf_counter()\n"
        "from pathlib import Path\n"
        "from bot.search import SearchIndex\n"
        "t1 = time.perf_counter()\n"
        "index = SearchIndex.load(Path(sys.argv[1]), sys.argv[2])\n"
        "assert index is not None\n"
        "t2 = time.perf_counter()\n"
        "index.search('put the money on the screen')\n"
        "t3 = time.perf_counter()\n"
        "print(json.dumps({'imports': t1 - t0, 'load': t2 - t1, 'first_query': t3 - t2}))\n"
    )
    started = time.perf_counter()
    result = run_python(code, str(path), key)
    result["process"] = time.perf_counter() - started
    return result


def run_python(code: str, *args: str) -> dict[str, float]:
    """Run `code` in a new interpreter at the project root; it prints one JSON object."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def measure(size: int, count: int, baseline_count: int, builds: int = 3) -> dict[str, Any]:
    """Everything for one corpus size (run in a fresh process)."""
    out: dict[str, Any] = {"size": size}
    gen_s, passages = timed(lambda: synthetic_passages(size))
    out["generate_s"] = gen_s
    out["passages"] = len(passages)
    queries = make_queries(passages, count)
    prefixes = make_prefixes(passages, count)
    seeds = seed_queries()
    seed_ids = {p.id: p for p in passages if not p.id.startswith("s")}
    seed_set = [
        Query("seed", q, next(pid for pid, p in seed_ids.items() if frag in p.text))
        for q, frag in seeds
    ]

    gc.collect()
    before = rss_mb()
    index, ingest_s, finish_s, stall = asyncio.run(build_with_ticker(passages))
    gc.collect()
    out["rss_delta_mb"] = rss_mb() - before
    out["index_mb"] = index._nbytes() / 2**20
    # Build again (each new index thrown away) and report the median run: one build
    # on this shared machine varies by a second or more at 1M answers.
    runs = [(ingest_s, finish_s, stall)]
    for _ in range(builds - 1):
        extra, *timing = asyncio.run(build_with_ticker(passages))
        del extra
        gc.collect()
        runs.append((timing[0], timing[1], timing[2]))
    runs.sort(key=lambda run: run[0] + run[1])
    ingest_s, finish_s, _ = runs[len(runs) // 2]
    out["build_runs_s"] = [round(a + b, 2) for a, b, _ in runs]
    out["ingest_s"] = ingest_s
    out["ingest_rate"] = len(passages) / ingest_s
    out["build_s"] = ingest_s + finish_s
    out["loop_stall_ms"] = max(run[2] for run in runs) * 1000

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.index"
        out["save_s"], _ = timed(lambda: index.save(path))
        out["file_mb"] = path.stat().st_size / 2**20
        out["cold"] = cold_start(path, index.fingerprint)

    for q in (queries + prefixes)[:20]:  # warm caches the way a running bot has them
        index.search(q.text)
        index.suggest(q.text)
    latencies: dict[str, list[float]] = {}
    for q in queries:
        latencies.setdefault(q.kind, []).append(timed(lambda q=q: index.search(q.text))[0])
    complete = [timed(lambda q=q: index.suggest(q.text))[0] for q in prefixes]
    every = [t for kind in KINDS for t in latencies[kind]]
    out["quote_p50_ms"] = percentile(every, 50) * 1000
    out["quote_p99_ms"] = percentile(every, 99) * 1000
    out["kinds"] = {
        kind: {
            "p50_ms": percentile(latencies[kind], 50) * 1000,
            "p99_ms": percentile(latencies[kind], 99) * 1000,
            "top1": accuracy(index, [q for q in queries if q.kind == kind])[0],
            "top3": accuracy(index, [q for q in queries if q.kind == kind])[1],
        }
        for kind in KINDS
    }
    out["auto_p50_ms"] = percentile(complete, 50) * 1000
    out["auto_p99_ms"] = percentile(complete, 99) * 1000
    out["auto_hit"] = sum(
        q.expected in [s.passage_id for s in index.suggest(q.text)] for q in prefixes
    ) / len(prefixes)
    out["seed_top1"], out["seed_top3"] = accuracy(index, seed_set)
    seed_times = [timed(lambda q=q: index.search(q.text))[0] for q in seed_set]

    # Naive baseline: rapidfuzz partial_ratio over every answer's (pre-normalised) text.
    texts_s, texts = timed(lambda: [normalise(p.text) for p in passages if p.role == "interviewee"])
    ids = [p.id for p in passages if p.role == "interviewee"]
    picked = seed_set[:baseline_count]
    base_times: list[float] = []
    base_top1 = 0
    for q in picked:
        took, found = timed(
            lambda q=q: process.extract(
                normalise(q.text), texts, scorer=fuzz.partial_ratio, processor=None, limit=3
            )
        )
        base_times.append(took)
        base_top1 += bool(found) and ids[found[0][2]] == q.expected
    ours_same = [seed_times[i] for i in range(len(picked))]
    out["baseline_queries"] = len(picked)
    out["baseline_prepare_s"] = texts_s
    out["baseline_p50_ms"] = percentile(base_times, 50) * 1000
    out["baseline_top1"] = base_top1 / max(1, len(picked))
    out["ours_top1_same"] = accuracy(index, picked)[0]
    out["ours_p50_same_ms"] = percentile(ours_same, 50) * 1000
    out["speedup"] = out["baseline_p50_ms"] / max(out["ours_p50_same_ms"], 1e-9)
    return out


# --- report --------------------------------------------------------------------------------


def _fmt(value: float, unit: str = "") -> str:
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}{unit}"
    return f"{value:.1f}{unit}" if abs(value) >= 10 else f"{value:.2f}{unit}"


def targets(results: list[dict[str, Any]]) -> list[tuple[str, str, str, bool | None]]:
    """(target, wanted, measured, passed) at the largest size, 1M when it was run."""
    by_size = {r["size"]: r for r in results}
    top = by_size.get(1_000_000)
    first = by_size.get(min(by_size)) if by_size else None
    rows: list[tuple[str, str, str, bool | None]] = []

    def row(name: str, wanted: str, measured: float | None, ok: bool | None, unit: str) -> None:
        rows.append((name, wanted, "not run" if measured is None else _fmt(measured, unit), ok))

    if top is None:
        return [("all targets", "at 1M", "1M not run", None)]
    row("autocomplete p99 @1M", "≤ 25 ms", top["auto_p99_ms"], top["auto_p99_ms"] <= 25, " ms")
    row("/quote p99 @1M", "≤ 35 ms", top["quote_p99_ms"], top["quote_p99_ms"] <= 35, " ms")
    row(
        "speed vs naive baseline @1M (p50)",
        "≥ 100×",
        top["speedup"],
        top["speedup"] >= 100,
        "×",
    )
    row(
        "top-1 vs baseline @1M (same queries)",
        "ours ≥ baseline",
        top["ours_top1_same"] * 100,
        top["ours_top1_same"] >= top["baseline_top1"],
        f"% vs {top['baseline_top1'] * 100:.0f}%",
    )
    row("ingest rate @1M", "≥ 100k/s", top["ingest_rate"], top["ingest_rate"] >= 100_000, "/s")
    row("build @1M", "≤ 10 s", top["build_s"], top["build_s"] <= 10, " s")
    cold = top["cold"]["load"] + top["cold"]["first_query"]
    row("cold start to ready @1M", "≤ 3 s", cold, cold <= 3, " s")
    row("RSS delta @1M", "≤ 800 MB", top["rss_delta_mb"], top["rss_delta_mb"] <= 800, " MB")
    if first is not None:
        drop = (first["seed_top1"] - top["seed_top1"]) * 100
        row(
            f"seed top-1 drop {first['size']:,} → 1M",
            "≤ 2 points",
            drop,
            drop <= 2,
            " pts",
        )
    return rows


def render(results: list[dict[str, Any]], command: str, wall: float) -> str:
    lines: list[str] = []
    lines.append(f"# Search benchmark — {datetime.date.today().isoformat()}")
    lines.append("")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines.append(
        f"Machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{cpus} CPUs (nproc), Python {platform.python_version()}, numpy {np.__version__}."
    )
    lines.append(f"Command: `{command}` (wall {wall / 60:.1f} min).")
    lines.append(
        "Every size ran in its own fresh process.  Latencies: p50/p99 over one pass of the "
        "queries.  Build and ingest: the median of the builds listed (build runs); RSS Δ "
        "after the first build; loop stall: the worst over all builds."
    )
    lines.append("")
    header = (
        "| answers | build s | build runs s | ingest/s | RSS Δ MB | index MB | loop stall ms | cold s "
        "| /quote p50/p99 ms | autocomplete p50/p99 ms | seed top-1/top-3 | baseline p50 ms "
        "| speed-up | baseline top-1 |"
    )
    lines.append(header)
    lines.append("|" + "---|" * (header.count("|") - 1))
    for r in results:
        cold = r["cold"]["load"] + r["cold"]["first_query"]
        lines.append(
            f"| {r['passages']:,} | {_fmt(r['build_s'])} "
            f"| {', '.join(_fmt(x) for x in r.get('build_runs_s', [r['build_s']]))} "
            f"| {r['ingest_rate']:,.0f} "
            f"| {_fmt(r['rss_delta_mb'])} | {_fmt(r['index_mb'])} | {_fmt(r['loop_stall_ms'])} "
            f"| {_fmt(cold)} | {_fmt(r['quote_p50_ms'])} / {_fmt(r['quote_p99_ms'])} "
            f"| {_fmt(r['auto_p50_ms'])} / {_fmt(r['auto_p99_ms'])} "
            f"| {r['seed_top1'] * 100:.1f}% / {r['seed_top3'] * 100:.1f}% "
            f"| {_fmt(r['baseline_p50_ms'])} (n={r['baseline_queries']}) "
            f"| {_fmt(r['speedup'])}× | {r['baseline_top1'] * 100:.1f}% |"
        )
    lines.append("")
    lines.append("Synthetic queries (top-1 / top-3, p50 / p99 ms) by kind:")
    lines.append("")
    lines.append("| answers | " + " | ".join(KINDS) + " | autocomplete finds source |")
    lines.append("|---|" + "---|" * (len(KINDS) + 1))
    for r in results:
        cells = [
            f"{k['top1'] * 100:.0f}% / {k['top3'] * 100:.0f}%, {_fmt(k['p50_ms'])} / {_fmt(k['p99_ms'])}"
            for k in (r["kinds"][kind] for kind in KINDS)
        ]
        lines.append(
            f"| {r['passages']:,} | " + " | ".join(cells) + f" | {r['auto_hit'] * 100:.0f}% |"
        )
    lines.append("")
    lines.append("| target | wanted | measured | result |")
    lines.append("|---|---|---|---|")
    for name, wanted, measured, ok in targets(results):
        verdict = "n/a" if ok is None else ("PASS" if ok else "GAP")
        lines.append(f"| {name} | {wanted} | {measured} | {verdict} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200, help="queries of each kind")
    parser.add_argument(
        "--baseline-queries",
        default="47,47,47,20",
        help="seed queries run through the naive baseline, per size (the last repeats)",
    )
    parser.add_argument(
        "--builds", type=int, default=3, help="index builds per size (the median is reported)"
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not write results.md")
    args = parser.parse_args(argv)
    if args.worker:
        base = int(os.environ.get("BENCH_BASELINE", "20"))
        print(json.dumps(measure(args.worker, args.queries, base, args.builds)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    base_counts = [int(s) for s in args.baseline_queries.split(",") if s]
    command = "python -m benchmarks.bench_search " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    for i, size in enumerate(sizes):
        env = dict(os.environ, BENCH_BASELINE=str(base_counts[min(i, len(base_counts) - 1)]))
        t0 = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.bench_search",
                "--worker",
                str(size),
                "--queries",
                str(args.queries),
                "--builds",
                str(args.builds),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(f"{size:>9,} answers measured in {time.perf_counter() - t0:.0f} s", flush=True)
    report = render(results, command.strip(), time.perf_counter() - started)
    print()
    print(report)
    if not args.no_write:
        RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
