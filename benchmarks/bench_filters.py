"""/quote filters and quote cards: what a restricted search and a card cost.

Run: ``.venv/bin/python -m benchmarks.bench_filters [--size 100000] [--queries 200]``

Filters: a query made of 5 consecutive words of a random answer's sentence is searched
over the whole synthetic corpus (``benchmarks.corpus``) and restricted to that answer's
speaker or interview (``SearchIndex.search(within=)``). Top-1 counts the answer the query
came from. Beside it, the naive approach the issue rules out: search everything, then keep
the top 5 of that speaker; it can only find the answer when it is already in the top 5.

Autocomplete: the first words of a random answer's sentence and half of the next word, as
typed into /quote's `query` with that answer's speaker or interview already chosen
(``SearchIndex.suggest(within=)``). "Source shown" counts the answer among the 25 choices;
the naive approach beside it keeps the unfiltered 25 choices of that speaker.

Cards: ``CardRenderer.draw`` (no cache) of a typical quote, an emoji- and script-heavy one
and a 2,000-character one, in each theme, wall-clock milliseconds (the machine's load
shows in them). Prints a table; nothing is written.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from benchmarks.corpus import synthetic_passages
from bot.card import THEMES, CardQuote, CardRenderer, make_theme
from bot.facets import Facets
from bot.models import Passage
from bot.search import SearchIndex

TARGET_FILTERED_P95_MS = 100.0  # p95 of a filtered search (an unfiltered one is the reference)
TARGET_FILTERED_SUGGEST_P95_MS = 25.0  # an autocomplete answer, restricted to a speaker
TARGET_CARD_MS = 1000.0  # a card (2,000 characters included), off the event loop


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def bench_filters(size: int, queries: int) -> None:
    started = time.perf_counter()
    passages = synthetic_passages(size)
    index = SearchIndex.build(passages)
    print(f"{len(passages)} answers, index built in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    facets = Facets.build(((p.id, p.speaker, p.interview_id) for p in passages), index.ids)
    print(f"facets (rows per speaker and interview) in {time.perf_counter() - started:.2f} s")
    rng = random.Random(5)
    targets = rng.sample(passages, queries)

    def speaker(p: Passage) -> object:
        return facets.within([p.speaker])

    def interview(p: Passage) -> object:
        return facets.within(None, p.interview_id)

    kinds: dict[str, Callable[[Passage], object] | None] = {
        "none": None,
        "speaker": speaker,
        "interview": interview,
    }
    times: dict[str, list[float]] = {k: [] for k in kinds}
    top1 = dict.fromkeys([*kinds, "naive: filter the top 5"], 0)
    for p in targets:
        words = rng.choice(p.sentences).rstrip(".?!…").split()
        start = rng.randrange(max(1, len(words) - 4))
        query = " ".join(words[start : start + 5])
        for kind, flags in kinds.items():
            within = None if flags is None else flags(p)
            began = time.perf_counter()
            result = index.search(query, 5, within=within)  # type: ignore[arg-type]
            times[kind].append(time.perf_counter() - began)
            top1[kind] += bool(result.hits) and result.hits[0].passage_id == p.id
            if kind == "none":
                # The top 5 kept to this speaker's: it holds the answer only if the top 5 did.
                top1["naive: filter the top 5"] += any(h.passage_id == p.id for h in result.hits)
    print(f"\n| search ({queries} queries) | p50 ms | p95 ms | top-1 | target |")
    print("| --- | --- | --- | --- | --- |")
    for kind, values in times.items():
        p50, p95 = _ms(values)
        verdict = "—" if kind == "none" else "PASS" if p95 <= TARGET_FILTERED_P95_MS else "GAP"
        print(f"| {kind} | {p50:.1f} | {p95:.1f} | {top1[kind]}/{queries} | {verdict} |")
    print(f"| naive: filter the top 5 | | | {top1['naive: filter the top 5']}/{queries} | |")
    bench_suggest(index, facets, targets, rng)


def bench_suggest(
    index: SearchIndex, facets: Facets, targets: list[Passage], rng: random.Random
) -> None:
    """Autocomplete restricted to the speaker (or interview) already chosen."""
    times: dict[str, list[float]] = {"none": [], "speaker": [], "interview": []}
    naive = "naive: the speaker's of the 25"
    shown = dict.fromkeys([*times, naive], 0)
    theirs = dict.fromkeys(shown, 0)  # choices that are the chosen speaker's (or interview's)
    position = {pid: row for row, pid in enumerate(index.ids)}
    for p in targets:
        words = rng.choice(p.sentences).rstrip(".?!…").split()
        cut = min(len(words) - 1, 2)
        prefix = " ".join([*words[:cut], words[cut][: max(1, len(words[cut]) // 2)]])
        restrict = {
            "none": None,
            "speaker": facets.within([p.speaker]),
            "interview": facets.within(None, p.interview_id),
        }
        for kind, within in restrict.items():
            began = time.perf_counter()
            found = index.suggest(prefix, 25, within=within)
            times[kind].append(time.perf_counter() - began)
            ids = [s.passage_id for s in found]
            flags = restrict["interview" if kind == "interview" else "speaker"]
            assert flags is not None
            mine = sum(bool(flags[position[i]]) for i in ids)
            shown[kind] += p.id in ids
            theirs[kind] += len(ids) if kind != "none" else 0
            if kind == "none":  # the naive way: the unfiltered 25, kept to the speaker's
                shown[naive] += p.id in ids
                theirs[naive] += mine
            else:
                assert mine == len(ids), "a restricted suggestion from outside the restriction"
    n = len(targets)
    print(
        f"\n| autocomplete ({n} prefixes) | p50 ms | p95 ms | source shown | choices theirs | target |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for kind, count in shown.items():
        avg = f"{theirs[kind] / n:.1f}" if kind != "none" else "—"
        if kind not in times:
            print(f"| {kind} | | | {count}/{n} | {avg} | |")
            continue
        p50, p95 = _ms(times[kind])
        verdict = (
            "—" if kind == "none" else "PASS" if p95 <= TARGET_FILTERED_SUGGEST_P95_MS else "GAP"
        )
        print(f"| {kind} | {p50:.1f} | {p95:.1f} | {count}/{n} | {avg} | {verdict} |")


def bench_cards() -> None:
    renderer = CardRenderer()
    renderer.fonts.coverage  # noqa: B018 (read the character maps first, as the bot does)
    sentences = [
        f"Sentence number {n} says something about rehearsals, touring and the road home."
        for n in range(40)
    ]
    quotes = {
        "typical (148 characters)": CardQuote(
            "You don't learn a tune by reading it. You learn it by playing it wrong in front "
            "of people who love you anyway — and then, one night, it plays itself.",
            "Ada Fennimore",
            "The Long Night Sessions · Jazz Quarterly · 2019",
        ),
        "emoji and nine scripts": CardQuote(
            "Ça m'a coûté très cher 😅🎉 — Straße, Łódź, Đà Nẵng, Ελληνικά, русский, עברית, "
            "العربية جميلة, हिन्दी, ไทย, Հայերեն, ქართული ★ ✓ → ❤️ 👍🏽 👨‍👩‍👧",
            "Zoë Ünal-Øster",
            "Entrevista · 2020",
        ),
        "2,000 characters": CardQuote(" ".join(sentences)[:2000], "A Speaker", "An Interview"),
    }
    print("\n| card (3 themes x 3) | p50 ms | max ms | PNG kB | target |")
    print("| --- | --- | --- | --- | --- |")
    for name, quote in quotes.items():
        times: list[float] = []
        sizes: list[int] = []
        for theme in THEMES * 3:
            began = time.perf_counter()
            png = renderer.draw(quote, make_theme(theme, (214, 64, 69)))
            times.append(time.perf_counter() - began)
            sizes.append(len(png))
        p50, worst = statistics.median(times) * 1000, max(times) * 1000
        verdict = "PASS" if worst <= TARGET_CARD_MS else "GAP"
        print(
            f"| {name} | {p50:.0f} | {worst:.0f} | {min(sizes) // 1000}–{max(sizes) // 1000} | {verdict} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--no-search", action="store_true", help="cards only")
    args = parser.parse_args()
    if not args.no_search:
        bench_filters(args.size, args.queries)
    bench_cards()


if __name__ == "__main__":
    main()
