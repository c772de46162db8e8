"""Every passage of every transcript the project keeps, for before/after diffs of a parser change.

    .venv/bin/python -m benchmarks.passage_dump /tmp/before.txt   # on main
    .venv/bin/python -m benchmarks.passage_dump /tmp/after.txt    # on the branch
    diff /tmp/before.txt /tmp/after.txt                            # any line is a change

Prints, per file under tests/fixtures/transcripts*, seeds/ and benchmarks/heldout/, its
layout (or why it was refused), then each passage's speaker, role, question and text.
`--skip PREFIX` leaves out files being worked on (e.g. a new round's `r9_`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.loader import load_interview

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (
    "tests/fixtures/transcripts",
    "tests/fixtures/transcripts_holdout",
    "seeds",
    "benchmarks/heldout",
)
SUFFIXES = (".txt", ".md", ".vtt", ".srt")


def dump(skip: tuple[str, ...] = ()) -> list[str]:
    out: list[str] = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in SUFFIXES or path.name.startswith(skip):
                continue
            interview, errors = load_interview(path)
            name = path.relative_to(ROOT)
            if interview is None:
                why = f"line {errors[0].line}: {errors[0].message}" if errors else ""
                out.append(f"=== {name} REFUSED {why}")
                continue
            out.append(f"=== {name} {interview.layout}")
            roles = {r.name: r.role for r in interview.roles}
            for p in interview.passages:
                out.append(f"[{p.speaker}|{roles.get(p.speaker)}] Q={p.question!r}\n  {p.text!r}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--skip", action="append", default=[], help="file name prefix to leave out")
    args = parser.parse_args()
    lines = dump(tuple(args.skip))
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(sum(line.startswith("===") for line in lines), "files")


if __name__ == "__main__":
    main()
