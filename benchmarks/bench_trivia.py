"""Trivia bank build (the warm-up after every start and reload): CPU time by corpus size.

Run: ``.venv/bin/python -m benchmarks.bench_trivia [--sizes 2000,10000,100000] [--full 2000,10000]
[--store-sizes 10000,100000]``

Measures `TriviaBank.build` on synthetic corpora (`benchmarks.corpus`) in CPU seconds of
this process (`time.process_time`, so other work on the machine does not inflate it), and
beside it the same build over every answer (no sample: the naive approach) at the sizes
given in `--full`, and, at the `--store-sizes`, the build as the bot makes it: the answers
streamed from a database filled by `benchmarks.bench_load.fill_database` (reading them
included). Writes `benchmarks/trivia_results.md` unless `--no-write`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench_load import fill_database
from benchmarks.corpus import synthetic_passages
from bot.store import Store
from bot.trivia import TriviaBank
from bot.trivia.model import folded
from bot.trivia.sample import SAMPLE_ANSWERS, sampled_from_shelf

RESULTS = Path(__file__).resolve().parent / "trivia_results.md"
TARGET_SECONDS = 5.0  # CPU for one build, at every size
UNBOUNDED = 1 << 40


@dataclass(frozen=True)
class Row:
    size: int
    mode: str
    cpu: list[float]
    complete: int
    who: int

    @property
    def median(self) -> float:
        return statistics.median(self.cpu)


def measure(size: int, sample: int, runs: int) -> Row:
    passages = synthetic_passages(size)
    titles = {p.interview_id: p.interview_id for p in passages}
    cpu: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(runs):
        folded.cache_clear()  # every run starts cold, as after a start
        gc.collect()
        start = time.process_time()
        bank = TriviaBank.build([], passages, titles, sample=sample)
        cpu.append(time.process_time() - start)
        counts = bank.counts()
    mode = "all answers (naive)" if sample == UNBOUNDED else f"sample of {sample:,}"
    return Row(size, mode, cpu, counts.get("complete", 0), counts.get("who", 0))


def measure_from_store(size: int) -> Row:
    """One build over answers streamed from a database, as the bot's warm-up does."""

    async def run() -> Row:
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "trivia.db"
            await fill_database(db, size)
            store = await Store.open(db)
            try:
                folded.cache_clear()
                gc.collect()
                start = time.process_time()
                bank = await asyncio.to_thread(
                    TriviaBank.build, [], sampled_from_shelf(store.passages), {}
                )
                cpu = time.process_time() - start
            finally:
                await store.close()
        counts = bank.counts()
        return Row(
            size,
            f"sample of {SAMPLE_ANSWERS:,}, from the database",
            [cpu],
            counts.get("complete", 0),
            counts.get("who", 0),
        )

    return asyncio.run(run())


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| answers | questions from | build CPU (median) | runs | complete | who | target ≤ "
        f"{TARGET_SECONDS:g} s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = "PASS" if r.median <= TARGET_SECONDS else "GAP"
        runs = ", ".join(f"{c:.2f}" for c in r.cpu)
        lines.append(
            f"| {r.size:,} | {r.mode} | {r.median:.2f} s | {runs} | {r.complete:,} | {r.who:,} "
            f"| {verdict} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="2000,10000,100000")
    parser.add_argument("--full", default="2000,10000", help="sizes also built without a sample")
    parser.add_argument("--store-sizes", default="", help="sizes also built from a database")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows: list[Row] = []
    full = {int(s) for s in args.full.split(",") if s}
    for size in (int(s) for s in args.sizes.split(",") if s):
        rows.append(measure(size, SAMPLE_ANSWERS, args.runs))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
        if size in full:
            rows.append(measure(size, UNBOUNDED, 1))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    for size in (int(s) for s in args.store_sizes.split(",") if s):
        rows.append(measure_from_store(size))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    text = (
        f"# Trivia bank build — {datetime.now(UTC):%Y-%m-%d}\n\n"
        f"Machine: {platform.platform()}, {platform.machine()}, Python "
        f"{platform.python_version()} (2 CPUs shared with other work: figures are CPU seconds "
        "of the build, not wall time).  Command: `python -m benchmarks.bench_trivia "
        f"--sizes {args.sizes} --full {args.full} --store-sizes {args.store_sizes} "
        f"--runs {args.runs}` "
        f"(wall {time.perf_counter() - started:.0f} s).\n\n{table(rows)}\n"
    )
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
