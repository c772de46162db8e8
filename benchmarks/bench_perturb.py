"""Perturbed held-out queries: does the index stay ahead of a naive scan when a member
half-remembers a quote they already type well?

Run: ``.venv/bin/python -m benchmarks.bench_perturb [--seed 2] [--mix N]``.  Every query
of every held-out set (``benchmarks/heldout/``) is perturbed each mechanical way below,
with a fixed seed (``1`` = TUNING, ``2`` = REPORTING, the default), and searched in the
set's interviews alone (and, with ``--mix N``, mixed into N synthetic answers the way
`bench_search` mixes them).  Top-1 is judged as in `bench_search` (`Judge`: the expected
answer, or another answer holding the typed query word for word, which a cut query may
now do), against the naive rapidfuzz scans of every answer (`baseline_top1`).  The
held-out sets score 95-100 % top-1 unperturbed, so this is where they still separate good
changes from bad.

The perturbations are mechanical on purpose (no synonym lists, nothing that knows the
search): a wrong, missing or extra letter inside a word, the same at its first letter,
two neighbouring letters swapped, a word dropped, the first word dropped, two neighbouring
words swapped, the query cut to its first ~60 % of words, a filler word added, a word
split in two, two words run together.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import random
import string
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.bench_search import (
    REPORTING_SEED,
    TUNING_SEED,
    Judge,
    baseline_top1,
    mix_in,
    seed_label,
)
from benchmarks.corpus import lexicon, synthetic_passages
from benchmarks.querygen import Query
from bot.models import Passage
from bot.search import SearchIndex

LETTERS = string.ascii_lowercase
FILLERS = ("like", "basically", "um", "actually")
CUT_SHARE = 0.6


def _alpha(word: str) -> bool:
    return word.isalpha() and word.isascii()


def _edit(word: str, at: int, rng: random.Random) -> str:
    """`word` with its letter at `at` replaced, deleted, or with a letter inserted before it;
    never `word` itself."""
    op = rng.choice(("replace", "delete", "insert"))
    if op == "delete":
        return word[:at] + word[at + 1 :]
    letter = rng.choice(LETTERS)
    if op == "insert":
        return word[:at] + letter + word[at:]
    letter = rng.choice([c for c in LETTERS if c != word[at].lower()])
    return word[:at] + letter + word[at + 1 :]


def _pick(words: list[str], ok: Callable[[str], bool], rng: random.Random) -> int | None:
    spots = [i for i, w in enumerate(words) if ok(w)]
    return rng.choice(spots) if spots else None


def typo(words: list[str], rng: random.Random) -> list[str] | None:
    """One letter wrong, missing or extra inside a word of 5+ letters (not its first)."""
    i = _pick(words, lambda w: _alpha(w) and len(w) >= 5, rng)
    if i is None:
        return None
    w = words[i]
    return [*words[:i], _edit(w, rng.randrange(1, len(w)), rng), *words[i + 1 :]]


def first_letter(words: list[str], rng: random.Random) -> list[str] | None:
    """The same at the first letter of a word of 5+ letters."""
    i = _pick(words, lambda w: _alpha(w) and len(w) >= 5, rng)
    if i is None:
        return None
    return [*words[:i], _edit(words[i], 0, rng), *words[i + 1 :]]


def transpose(words: list[str], rng: random.Random) -> list[str] | None:
    """Two different neighbouring letters swapped in a word of 4+ letters."""

    def swappable(w: str) -> bool:
        return _alpha(w) and len(w) >= 4 and any(a != b for a, b in itertools.pairwise(w))

    i = _pick(words, swappable, rng)
    if i is None:
        return None
    w = words[i]
    at = rng.choice([j for j in range(len(w) - 1) if w[j] != w[j + 1]])
    return [*words[:i], w[:at] + w[at + 1] + w[at] + w[at + 2 :], *words[i + 1 :]]


def drop(words: list[str], rng: random.Random) -> list[str] | None:
    """One word left out (queries of 3+ words)."""
    if len(words) < 3:
        return None
    i = rng.randrange(len(words))
    return words[:i] + words[i + 1 :]


def drop_first(words: list[str], rng: random.Random) -> list[str] | None:
    """The first word left out (queries of 3+ words)."""
    return words[1:] if len(words) >= 3 else None


def swap(words: list[str], rng: random.Random) -> list[str] | None:
    """Two different neighbouring words swapped."""
    spots = [i for i in range(len(words) - 1) if words[i].lower() != words[i + 1].lower()]
    if not spots:
        return None
    i = rng.choice(spots)
    return [*words[:i], words[i + 1], words[i], *words[i + 2 :]]


def cut(words: list[str], rng: random.Random) -> list[str] | None:
    """Only the first ~60 % of the words (at least 2, fewer than all)."""
    keep = max(2, round(len(words) * CUT_SHARE))
    return words[:keep] if keep < len(words) else None


def filler(words: list[str], rng: random.Random) -> list[str] | None:
    """A filler word ("like", "basically", ...) put in at some gap, the ends included."""
    i = rng.randrange(len(words) + 1)
    return [*words[:i], rng.choice(FILLERS), *words[i:]]


def split(words: list[str], rng: random.Random) -> list[str] | None:
    """A word of 6+ letters typed as two (each part 2+ letters)."""
    i = _pick(words, lambda w: _alpha(w) and len(w) >= 6, rng)
    if i is None:
        return None
    w = words[i]
    at = rng.randrange(2, len(w) - 1)
    return [*words[:i], w[:at], w[at:], *words[i + 1 :]]


def join(words: list[str], rng: random.Random) -> list[str] | None:
    """Two neighbouring words typed as one (queries of 3+ words)."""
    spots = [i for i in range(len(words) - 1) if _alpha(words[i]) and _alpha(words[i + 1])]
    if len(words) < 3 or not spots:
        return None
    i = rng.choice(spots)
    return [*words[:i], words[i] + words[i + 1], *words[i + 2 :]]


PERTURBATIONS: dict[str, Callable[[list[str], random.Random], list[str] | None]] = {
    "typo": typo,
    "first_letter": first_letter,
    "transpose": transpose,
    "drop": drop,
    "drop_first": drop_first,
    "swap": swap,
    "cut": cut,
    "filler": filler,
    "split": split,
    "join": join,
}


def perturb(text: str, kind: str, seed: int) -> str | None:
    """`text` perturbed the `kind` way, or None if that does not apply to it.  Seeded by the
    seed, the kind and the text alone, so a query's variant does not depend on the others."""
    words = text.split()
    rng = random.Random(f"{seed}:{kind}:{text}")
    out = PERTURBATIONS[kind](words, rng)
    if out is None:
        return None
    new = " ".join(out)
    return new if new != " ".join(words) else None


# --- measuring --------------------------------------------------------------------------------


def _sets() -> dict[str, Path]:
    from benchmarks.heldout import FIFTH, FOURTH, FRESH, HERE, THIRD, TUNING

    return {
        "first": HERE,
        "fresh": FRESH,
        "tuning": TUNING,
        "third": THIRD,
        "fourth": FOURTH,
        "fifth": FIFTH,
    }


def score(
    index: SearchIndex,
    queries: Sequence[Query],
    passages: Sequence[Passage],
    negatives: Sequence[str],
    behind: list[str] | None = None,
) -> dict[str, int]:
    """Counts for one perturbation of one set in one index; the queries the index gets wrong
    and token_set_ratio right are added to `behind` when given."""
    judge = Judge(passages)
    mine: list[bool] = []
    found: list[str | None] = []
    wrong_shown = 0
    for q in queries:
        hits = index.search(q.text, limit=1).hits
        found.append(hits[0].passage_id if hits else None)
        right = judge.right(q, found[-1])
        mine.append(right)
        wrong_shown += bool(hits) and not right
    base = baseline_top1(queries, passages, judge) if queries else {}
    tsr = base.get("token_set_ratio", [])
    for q, m, t, f in zip(queries, mine, tsr, found, strict=True):
        if t and not m and behind is not None:
            behind.append(f"{q.text!r} -> {f or 'no match'} (want {q.expected})")
    return {
        "n": len(queries),
        "index": sum(mine),
        "token_set_ratio": sum(tsr),
        "partial_ratio": sum(base.get("partial_ratio", [])),
        "behind": sum(t and not m for m, t in zip(mine, tsr, strict=True)),
        "wrong_shown": wrong_shown,
        "neg_n": len(negatives),
        "neg_none": sum(not index.search(t, limit=1).hits for t in negatives),
    }


def measure(
    seed: int, mix: int, kinds: Sequence[str], behind: list[str] | None = None
) -> list[dict[str, Any]]:
    from benchmarks.heldout import load_heldout, load_negatives

    synthetic = (
        synthetic_passages(mix, seed=seed, lex=lexicon(seed=seed), with_seed=False) if mix else []
    )
    rows: list[dict[str, Any]] = []
    for name, root in _sets().items():
        passages, queries = load_heldout(root)
        negatives = load_negatives(root)
        where = {"alone": passages}
        if mix:
            where[f"mix {mix:,}"] = mix_in(synthetic, passages)
        for place, corpus in where.items():
            index = SearchIndex.build(corpus)
            for kind in kinds:
                varied = [
                    Query(q.kind, t, q.expected)
                    for q in queries
                    if (t := perturb(q.text, kind, seed)) is not None
                ]
                negs = [t for n in negatives if (t := perturb(n, kind, seed)) is not None]
                lost: list[str] = []
                counts = score(index, varied, corpus, negs, lost)
                if behind is not None:
                    behind += [f"{kind} {name} {place}: {line}" for line in lost]
                rows.append({"perturbation": kind, "set": name, "where": place, **counts})
            del index
    return rows


def render(rows: list[dict[str, Any]], seed: int, command: str, wall: float) -> str:
    head = (
        "| perturbation | set | in | n | index top-1 | token_set_ratio | partial_ratio "
        "| index wrong, tsr right | wrong shown | negatives no match |"
    )
    lines = [
        f"Seed {seed_label(seed)}.  `{command}`, {datetime.date.today().isoformat()}, "
        f"load {os.getloadavg()[0]:.1f}, {wall:.0f} s.",
        "",
        head,
        "|" + "---|" * 10,
    ]
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for r in rows:
        neg = f"{r['neg_none']}/{r['neg_n']}" if r["neg_n"] else "-"
        lines.append(
            f"| {r['perturbation']} | {r['set']} | {r['where']} | {r['n']} | {r['index']} "
            f"| {r['token_set_ratio']} | {r['partial_ratio']} | {r['behind']} "
            f"| {r['wrong_shown']} | {neg} |"
        )
        t = totals.setdefault((r["perturbation"], r["where"]), dict.fromkeys(r, 0))
        for k, v in r.items():
            if isinstance(v, int):
                t[k] += v
    lines += ["", "All sets:", "", head, "|" + "---|" * 10]
    for (kind, place), t in totals.items():
        lines.append(
            f"| {kind} | all | {place} | {t['n']} | {t['index']} | {t['token_set_ratio']} "
            f"| {t['partial_ratio']} | {t['behind']} | {t['wrong_shown']} "
            f"| {t['neg_none']}/{t['neg_n']} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seed",
        type=int,
        default=REPORTING_SEED,
        help=f"perturbation seed: {TUNING_SEED} to tune on, {REPORTING_SEED} (default) to report",
    )
    parser.add_argument(
        "--mix", type=int, default=0, help="also mix each set into N synthetic answers"
    )
    parser.add_argument(
        "--only", default=",".join(PERTURBATIONS), help="comma-separated perturbations to run"
    )
    parser.add_argument(
        "--behind",
        action="store_true",
        help="also list the queries the index gets wrong and token_set_ratio right",
    )
    args = parser.parse_args(argv)
    kinds = [k for k in args.only.split(",") if k]
    unknown = [k for k in kinds if k not in PERTURBATIONS]
    if unknown:
        parser.error(f"unknown perturbation(s): {', '.join(unknown)}")
    command = "python -m benchmarks.bench_perturb " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    started = time.perf_counter()
    behind: list[str] | None = [] if args.behind else None
    rows = measure(args.seed, args.mix, kinds, behind)
    print(render(rows, args.seed, command.strip(), time.perf_counter() - started))
    if behind:
        print("\nIndex wrong, token_set_ratio right:\n")
        print("\n".join(behind))


if __name__ == "__main__":
    main()
