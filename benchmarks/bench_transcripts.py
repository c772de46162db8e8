"""How well the transcript parser reads real-world layouts (runs in seconds).

    .venv/bin/python -m benchmarks.bench_transcripts            # both fixture sets
    .venv/bin/python -m benchmarks.bench_transcripts --details  # every miss, per passage

Every fixture under tests/fixtures/transcripts (the set the parser was tuned on) and
tests/fixtures/transcripts_holdout (written and committed before any tuning, never used
to tune) has a hand-written `<name>.expected.toml`: per passage its speaker, first words
and the first words of the question it answers ("" = none), the people who must never
be quoted and phrases that must never appear in a quote. Measured per set:

* credited: expected passages found (by first words) and credited to the right person;
* wrong quotable: quotes that should not exist (a host's or other's line, a split
  answer, an outro, a caption): parsed passages matching no expected passage, plus any
  by a not-quotable person or holding a never-quoted phrase (target 0);
* debris: quotes or questions holding a timestamp, markdown markup or escape, an image,
  a cue timing or a stage note (target 0);
* questions: answers that follow a question and show it (target >= 95 %).

The same figures for the parser as it was before issue 15 (read from git, commit
`BASELINE`) are printed beside them as the naive baseline.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.loader import load_interview, read_sidecar
from bot.models import Interview

ROOT = Path(__file__).resolve().parents[1]
SETS = (
    ("tuning", ROOT / "tests" / "fixtures" / "transcripts"),
    ("held-out", ROOT / "tests" / "fixtures" / "transcripts_holdout"),
)
SUFFIXES = (".txt", ".md", ".vtt", ".srt")
BASELINE = "487acd4"  # the last commit with the single-module parser
DEBRIS = re.compile(
    r"\d{1,2}:\d{2}:\d{2}|[\[(]\d{1,2}:\d{2}[\])]|^\d{1,2}:\d{2}\b|\*\*|__|\\[\[\]_*#]|!\[|\]\(|-->"
    r"|WEBVTT|<v[ .]|</?[a-z]{1,4}>|&(?:#\d+|#x[0-9a-f]+|[a-z]{2,8});"
    r"|[\[(](?:laugh|chuckl|inaudible|crosstalk|pause|applause|sigh|end of|start of|side [ab]"
    r"|whereupon|music|unintelligible)",
    re.I,
)


@dataclass
class Score:
    files: int = 0
    failed: list[str] = field(default_factory=list)
    expected: int = 0
    credited: int = 0
    wrong: int = 0
    debris: int = 0
    asked: int = 0
    shown: int = 0
    misses: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def _score_file(interview: Interview, expected: dict, score: Score, name: str) -> None:
    passages = list(interview.passages)
    used: set[int] = set()
    forbidden = {_norm(n) for n in expected.get("not_quotable", [])}
    for speaker, start, question in expected["passages"]:
        score.expected += 1
        found = next(
            (
                i
                for i, p in enumerate(passages)
                if i not in used and _norm(p.text).startswith(_norm(start))
            ),
            None,
        )
        if found is None:
            score.misses.append(f"{name}: missing passage {start!r}")
            if question:
                score.asked += 1
            continue
        used.add(found)
        p = passages[found]
        if p.speaker == speaker:
            score.credited += 1
        else:
            score.misses.append(f"{name}: {start!r} credited to {p.speaker!r}, not {speaker!r}")
        if question:
            score.asked += 1
            if p.question and _norm(p.question).startswith(_norm(question)):
                score.shown += 1
            else:
                score.misses.append(f"{name}: {start!r} question {p.question!r:.80}")
    for i, p in enumerate(passages):
        spaced = " ".join(p.text.replace("’", "'").split())
        # Case counts here: "(END OF SIDE A)" is debris, "the end of it" is speech.
        bad = [
            phrase
            for phrase in expected.get("never_quoted", [])
            if " ".join(phrase.split()) in spaced
        ]
        if i not in used or _norm(p.speaker) in forbidden or bad:
            score.wrong += 1
            score.misses.append(f"{name}: quotable {p.speaker!r}: {p.text!r:.80} {bad}")
        for text in (p.text, p.question or ""):
            for paragraph in text.split("\n"):
                hit = DEBRIS.search(paragraph)
                if hit:
                    score.debris += 1
                    score.misses.append(f"{name}: debris {hit.group()!r} in {paragraph!r:.80}")


def _new_parser(path: Path) -> Interview | None:
    interview, _errors = load_interview(path)
    return interview


def _baseline_parser() -> Callable[[Path], Interview | None] | None:
    """The parser as it was before issue 15, from git, or None when git cannot give it."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BASELINE}:bot/transcript.py"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    folder = Path(tempfile.mkdtemp(prefix="bench-transcripts-"))
    module_path = folder / "baseline_transcript.py"
    module_path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_transcript", module_path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_transcript"] = module
    spec.loader.exec_module(module)

    def parse(path: Path) -> Interview | None:
        meta, _, _ = read_sidecar(path.with_suffix(".toml"), path.stem)
        try:
            return module.read_transcript(path, meta)  # type: ignore[no-any-return]
        except module.TranscriptError:
            return None

    return parse


def run_set(folder: Path, parse: Callable[[Path], Interview | None]) -> tuple[Score, list[str]]:
    score = Score()
    rows: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in SUFFIXES:
            continue
        expected = tomllib.loads(
            path.with_name(path.stem + ".expected.toml").read_text(encoding="utf-8")
        )
        score.files += 1
        interview = parse(path)
        if interview is None:
            score.failed.append(path.name)
            score.expected += len(expected["passages"])
            score.asked += sum(1 for _, _, q in expected["passages"] if q)
            rows.append(f"  {path.name:<38} FAILED TO LOAD")
            continue
        before = (score.credited, score.wrong, score.debris, score.shown, score.asked)
        _score_file(interview, expected, score, path.name)
        rows.append(
            f"  {path.name:<38} {interview.layout or '-':<14} "
            f"{score.credited - before[0]:>2}/{len(expected['passages']):<2} "
            f"wrong {score.wrong - before[1]:<2} debris {score.debris - before[2]:<2} "
            f"questions {score.shown - before[3]}/{score.asked - before[4]}"
        )
    return score, rows


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "  n/a"


def _summary(label: str, s: Score) -> str:
    ok_credit = s.credited == s.expected
    ok_q = s.asked == 0 or s.shown * 100 >= 95 * s.asked
    return (
        f"| {label:<22} | {s.files:>2} ({len(s.failed)} failed) "
        f"| {s.credited}/{s.expected} {_pct(s.credited, s.expected)} {'PASS' if ok_credit else 'GAP '} "
        f"| {s.wrong:>3} {'PASS' if s.wrong == 0 else 'GAP '} "
        f"| {s.debris:>3} {'PASS' if s.debris == 0 else 'GAP '} "
        f"| {s.shown}/{s.asked} {_pct(s.shown, s.asked)} {'PASS' if ok_q else 'GAP '} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--details", action="store_true", help="list every miss")
    parser.add_argument("--no-baseline", action="store_true", help="skip the old parser")
    args = parser.parse_args(argv)
    baseline = None if args.no_baseline else _baseline_parser()
    header = (
        "| parser / set           | files          | credited right            "
        "| wrong quotable | debris | questions shown        |"
    )
    lines = [header, "|" + "---|" * 6]
    for name, folder in SETS:
        score, rows = run_set(folder, _new_parser)
        print(f"{name} set ({folder.relative_to(ROOT)}):")
        print("\n".join(rows))
        if args.details:
            print("\n".join(f"    - {m}" for m in score.misses))
        lines.append(_summary(f"new, {name}", score))
        if baseline is not None:
            old, _ = run_set(folder, baseline)
            lines.append(_summary(f"old ({BASELINE}), {name}", old))
    print()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
