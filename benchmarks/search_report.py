"""The search benchmark's report: its seeds and targets, and the markdown tables
(`benchmarks/bench_search.py` measures; this renders what it measured)."""

from __future__ import annotations

import datetime
import os
import platform
from typing import Any

import numpy as np

from benchmarks.querygen import TARGETS

TUNING_SEED = 1
REPORTING_SEED = 2
AUTOCOMPLETE_TARGET = 0.90
CONFIDENTLY_WRONG_TARGET = 0.01


def seed_label(seed: int) -> str:
    if seed == REPORTING_SEED:
        return f"{seed} (the REPORTING seed)"
    if seed == TUNING_SEED:
        return f"{seed} (the TUNING seed: do not report these figures)"
    return f"{seed} (neither the tuning nor the reporting seed)"


def _fmt(value: float, unit: str = "") -> str:
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}{unit}"
    return f"{value:.1f}{unit}" if abs(value) >= 10 else f"{value:.2f}{unit}"


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%" if x == x else "n/a"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "GAP"


def kind_table(result: dict[str, Any], targets: bool = True) -> list[str]:
    """Per kind: index top-1 vs the better naive baseline on the same queries, and targets."""
    head = "| kind | n | index top-1 | top-3 | no match | wrong shown | baseline sample "
    head += "| index on sample "
    head += "| partial_ratio | token_set_ratio | better baseline | index ≥ baseline |"
    if targets:
        head += " target | target met |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for kind, k in result["kinds"].items():
        best = max(k["baselines"], key=lambda name: k["baselines"][name])
        cells = [
            kind,
            str(k["n"]),
            _pct(k["top1"]),
            _pct(k["top3"]),
            _pct(k["no_match"]),
            _pct(k["wrong_shown"]),
            str(k["sample"]),
            _pct(k["index_on_sample"]),
            _pct(k["baselines"]["partial_ratio"]),
            _pct(k["baselines"]["token_set_ratio"]),
            f"{_pct(k['baselines'][best])} ({best})",
            _verdict(k["index_on_sample"] >= k["baselines"][best]),
        ]
        if targets:
            want = TARGETS.get(kind, 0.90)
            cells += [f"≥ {want * 100:.0f}%", _verdict(k["top1"] >= want)]
        lines.append("| " + " | ".join(cells) + " |")
    best_all = max(result["baselines_all"], key=lambda name: result["baselines_all"][name])
    total = sum(k["n"] for k in result["kinds"].values())
    sample = sum(k["sample"] for k in result["kinds"].values())
    cells = [
        "**all kinds**",
        str(total),
        _pct(result["top1_all"]),
        "",
        "",
        _pct(result["confidently_wrong"]),
        str(sample),
        _pct(result["index_sample_all"]),
        _pct(result["baselines_all"]["partial_ratio"]),
        _pct(result["baselines_all"]["token_set_ratio"]),
        f"{_pct(result['baselines_all'][best_all])} ({best_all})",
        _verdict(result["index_sample_all"] >= result["baselines_all"][best_all]),
    ]
    if targets:
        cells += ["", ""]
    lines.append("| " + " | ".join(cells) + " |")
    return lines


def target_rows(r: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, wanted, measured, met) for one size; latency targets are set at 1M."""
    at = "" if r["size"] == 1_000_000 else " (target set at 1M)"
    cold = r["cold"]["load"] + r["cold"]["first_query"]
    behind = [
        k for k, v in r["kinds"].items() if v["index_on_sample"] < max(v["baselines"].values())
    ]
    missed = [k for k, v in r["kinds"].items() if v["top1"] < TARGETS.get(k, 0.90)]
    ran = any(v["sample"] for v in r["kinds"].values())
    return [
        ("index top-1 ≥ better baseline, every kind", "all kinds", f"behind on {len(behind)}: {', '.join(behind) or '—'}" if ran else "baselines not run (--baseline-queries 0)", ran and not behind),
        ("per-kind top-1 targets", "all met", f"missed on {len(missed)}: {', '.join(missed) or '—'}", not missed),
        ("confidently wrong (wrong top-1 shown as a match)", "≤ 1%", _pct(r["confidently_wrong"]), r["confidently_wrong"] <= CONFIDENTLY_WRONG_TARGET),
        ("autocomplete shows the source in its 25 choices", "≥ 90%", _pct(r["auto_hit"]), r["auto_hit"] >= AUTOCOMPLETE_TARGET),
        (f"/quote p99{at}", "≤ 35 ms", _fmt(r["quote_p99_ms"], " ms"), r["quote_p99_ms"] <= 35),
        (f"autocomplete p99{at}", "≤ 25 ms", _fmt(r["auto_p99_ms"], " ms"), r["auto_p99_ms"] <= 25),
        (f"build (median of {len(r['build_runs_s'])}){at}", "≤ 10 s", _fmt(r["build_s"], " s"), r["build_s"] <= 10),
        (f"RSS delta of the first build{at}", "≤ 800 MB", _fmt(r["rss_delta_mb"], " MB"), r["rss_delta_mb"] <= 800),
        (f"index cache load + first query, new interpreter{at}", "≤ 3 s", _fmt(cold, " s"), cold <= 3),
    ]  # fmt: skip


def autocomplete_line(r: dict[str, Any]) -> str:
    """Autocomplete against the naive baseline, on the same prefixes."""
    return (
        f"Autocomplete ({r['auto_n']} prefixes): the source among the 25 choices "
        f"{_pct(r['auto_hit'])} ({_verdict(r['auto_hit'] >= AUTOCOMPLETE_TARGET)}, target "
        f"≥ {AUTOCOMPLETE_TARGET * 100:.0f}%); on the first {r['auto_sample']}, index "
        f"{_pct(r['auto_index_on_sample'])} vs the naive `partial_ratio` over every answer, 25 "
        f"best, {_pct(r['auto_naive_hit'])}.  p50/p99 {_fmt(r['auto_p50_ms'])}/"
        f"{_fmt(r['auto_p99_ms'])} ms wall, {_fmt(r['auto_cpu_p50_ms'])}/"
        f"{_fmt(r['auto_cpu_p99_ms'])} ms CPU (target p99 ≤ 25 ms at 1M)."
    )


def render_autocomplete(results: list[dict[str, Any]], command: str, wall: float) -> str:
    """The report of `--autocomplete-only` (printed, and written like the full report)."""
    seed = results[0]["seed"] if results else REPORTING_SEED
    lines = [
        f"# Autocomplete benchmark — {datetime.date.today().isoformat()}",
        "",
        f"Command: `{command}` (wall {wall / 60:.1f} min).  Seed {seed_label(seed)}.",
    ]
    for r in results:
        lines += ["", f"## {r['passages']:,} answers (seed {r['seed']})", ""]
        lines.append(autocomplete_line(r) + f"  Load average {r['loadavg']}.")
    lines.append("")
    return "\n".join(lines)


def render(
    results: list[dict[str, Any]], heldout: dict[str, Any] | None, command: str, wall: float
) -> str:
    lines: list[str] = [f"# Search benchmark — {datetime.date.today().isoformat()}", ""]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    seed = results[0]["seed"] if results else REPORTING_SEED
    lines.append(
        f"Machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{cpus} CPUs (nproc, shared with other work), Python {platform.python_version()}, "
        f"numpy {np.__version__}.  Command: `{command}` (wall {wall / 60:.1f} min).  "
        f"Seed {seed_label(seed)}."
    )
    lines.append("")
    lines.append(
        "Top-1 counts an answer right when it is the one the query was made from, or another "
        "answer containing the typed query word for word.  The naive baselines score every "
        "answer with rapidfuzz (`default_process` on both sides) and take the best, on a fixed "
        'sample of each kind\'s queries (the first n); "index on sample" is the index on '
        "those same queries, which is what PASS/GAP against the baseline compares.  "
        '"No match": the index returned no hit.  "Wrong shown" (confidently wrong): a wrong top-1 that '
        "scored at least `MATCH_FLOOR`, i.e. was shown as a match."
    )
    for r in results:
        lines += ["", f"## {r['passages']:,} answers (seed {r['seed']})", ""]
        lines += kind_table(r)
        lines += ["", "| target | wanted | measured | result |", "|---|---|---|---|"]
        for name, wanted, measured, ok in target_rows(r):
            lines.append(f"| {name} | {wanted} | {measured} | {_verdict(ok)} |")
        lines.append("")
        lines.append(
            f"Build runs {', '.join(map(str, r['build_runs_s']))} s; longest loop stall during "
            f"builds {_fmt(r['loop_stall_ms'])} ms; index file {_fmt(r['file_mb'])} MB; "
            f"/quote p50 {_fmt(r['quote_p50_ms'])} ms, autocomplete p50 {_fmt(r['auto_p50_ms'])} "
            f"ms (the index loaded from its cache file, as a restarted bot serves it); the "
            f"search thread's CPU time p50/p99: /quote {_fmt(r['quote_cpu_p50_ms'])}/"
            f"{_fmt(r['quote_cpu_p99_ms'])} ms, autocomplete {_fmt(r['auto_cpu_p50_ms'])}/"
            f"{_fmt(r['auto_cpu_p99_ms'])} ms (wall time minus waiting for a core on a busy "
            f"machine); load average {r.get('loadavg', '?')}; corpus generated in {_fmt(r['generate_s'])} s.  Regression check (the "
            f"tuned-on seed queries of tests/test_search.py, not a headline): top-1 "
            f"{_pct(r['seed_top1'])}."
        )
        lines += ["", autocomplete_line(r)]
    titles = {
        "first": "Held-out interviews",
        "fresh": "Fresh held-out interviews (other query styles)",
        "third": "Third set, TUNED ON after its first run (not a report)",
        "tuning": "TUNING interviews (tuned on: not a report)",
        "fourth": "Fourth set, TUNED ON after its first run (not a report)",
        "fifth": "Fifth set, TUNED ON after its first run (not a report)",
    }
    notes = {
        "first": "Reporting only: written for this benchmark and never tuned on "
        "(`benchmarks/heldout/`).",
        "fresh": "Reporting only: three interviews in other layouts (Rev, Otter, markdown "
        "with front matter) and queries in styles the generator does not make (paraphrases "
        "sharing a few words, question words, UK/US and numbers typed the other way), "
        "written before the rank stage's rerank was tuned (`benchmarks/heldout/fresh/`).",
        "third": "TUNED ON after its first run: four interviews in layouts the others lack "
        "(WebVTT, SRT, `[hh:mm:ss] Name:`, initials from the intro) and queries in "
        "half-remembered styles, written blind; its honest figure is its first run, in "
        "benchmarks/history.md, before the chat-words and question-lead rules were tuned "
        "on it (`benchmarks/heldout/third_tuned/`); shown so the gap is visible, never as "
        "a headline.",
        "tuning": "TUNED ON: four interviews (podcast, oral history, hearing, magazine Q&A) "
        "and 65 queries in many styles, written before the naive-evidence work and used to "
        "tune it (`benchmarks/heldout/tuning/`); shown so the gap to the reporting sets is "
        "visible, never as a headline.",
        "fourth": "TUNED ON after its first run: four interviews in new domains and "
        "queries in the hidden set's failure classes of issue 16 (typos, first-letter "
        "typos, split/joined words, inflections, UK/US spelling, numbers, question words, "
        "two-sentence spans, paraphrases, mixtures) with negatives, written blind; its "
        "honest figure is its first run, in benchmarks/history.md, before the naive typo "
        "view and the clear-lead rule were tuned on it (`benchmarks/heldout/fourth_tuned/`); "
        "shown so the gap is visible, never as a headline.",
        "fifth": "TUNED ON after its first run: four interviews in new domains and layouts "
        "(a podcast with `Name  [hh:mm:ss]` lines, an oral history with `SURNAME:` turns, a "
        "magazine Q&A with italic questions, a select committee with `Q214 Chair:`) and "
        "queries in the hidden set's failure classes and half-remembered styles, with "
        "negatives, written blind; its honest figure is its first run, in "
        "benchmarks/history.md, before three rules of bot/search/ were tuned on it "
        "(`benchmarks/heldout/fifth_tuned/`); shown so the gap is visible, never as a "
        "headline.",
    }
    for key, held in (heldout or {}).items():
        lines += [
            "",
            f"## {titles[key]} ({held['answers']} answers, {held['queries']} queries)",
            "",
            notes[key] + "  Every query runs through the index and both baselines.",
            "",
            "Interviews alone:",
            "",
        ]
        lines += kind_table(held["alone"], targets=False)
        lines += [
            "",
            f"Mixed into synthetic answers ({held['mixed_answers']:,} answers in all):",
            "",
        ]
        lines += kind_table(held["mixed"], targets=False)
        for where in ("alone", "mixed"):
            lines.append("")
            lines.append(
                f"Confidently wrong ({where}): {_pct(held[where]['confidently_wrong'])} "
                f"({_verdict(held[where]['confidently_wrong'] <= CONFIDENTLY_WRONG_TARGET)}, "
                "target ≤ 1%)."
            )
            negatives = held[where].get("negatives")
            if held.get("negative_count"):
                lines.append(
                    f"Negatives ({where}; nobody said them, the right answer is no match): "
                    f"{held['negative_count'] - len(negatives)} of {held['negative_count']} "
                    f"answer no match; shown as a match: "
                    f"{', '.join(repr(n) for n in negatives) or 'none'}.  The baselines "
                    "always return their best answer, so they have no figure here."
                )
    lines.append("")
    return "\n".join(lines)
