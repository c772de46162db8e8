"""Export core and `quotebot export`: files parsed back, split at the size limit, nothing lost."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_store import make_interview  # tests/ is on sys.path (rootdir-less test modules)

from bot.cli import main
from bot.export import (
    BOM,
    DISCORD_FILE_LIMIT,
    QUOTE_FIELDS,
    SCORE_FIELDS,
    ExportError,
    ExportFile,
    export,
    message_batches,
    quote_records,
    topics_by_passage,
    write_records,
)
from bot.library import Library
from bot.models import InterviewMeta, Topic
from bot.store import Store
from bot.trivia import Question, shuffled_choices

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the benchmarks package lives beside the tests, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import synthetic_passages  # noqa: E402

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
ANN = make_interview(
    "one",
    [
        "The harbour lights at dawn, “quoted”, and a comma.",
        "Line one.\nLine two, with café and 東京 and 🚢.",
        "Gulls.",
    ],
    title="Harbour Days",
)
ANN = replace(ANN, meta=replace(ANN.meta, url="https://example.org/harbour"))
BOB = make_interview("two", ['He said "no", then left.', "=1+1 is not a formula here."])
BOB = replace(
    BOB,
    speakers=("Bob Ray",),
    passages=tuple(replace(p, speaker="Bob Ray", question=None) for p in BOB.passages),
)


def read_csv(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(BOM)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_parts(files: list[ExportFile]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for file in files:
        if file.name.endswith(".json"):
            rows.extend(json.loads(file.path.read_text(encoding="utf-8")))
        else:
            rows.extend(read_csv(file.path))
    return rows


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[Library]:
    store = await Store.open(tmp_path / "q.db")
    harbour = Topic("harbour", "Harbour", passage_ids=(ANN.passages[0].id, BOB.passages[0].id))
    birds = Topic("birds", "Birds", passage_ids=(ANN.passages[0].id, ANN.passages[2].id))
    await store.replace_corpus([ANN, BOB], [harbour, birds])
    lib = Library(store, [], index_cache=tmp_path / "q.index")
    await lib.refresh()
    yield lib
    await lib.store.close_lanes()
    await lib.store.close()


async def add_scores(store: Store, guild_id: int, points: dict[int, int]) -> None:
    """Real rounds through the store: each member answers once, right with `points`."""
    q = Question(
        id="q1",
        kind="who",
        text="Who said it?",
        answer="Ann Lee",
        distractors=("Bob Ray", "Cy Dee", "Di Eve"),
        difficulty="easy",
        evidence="Gulls.",
        interview_id="one",
        passage_id=ANN.passages[2].id,
    )
    choices, correct = shuffled_choices(q, random.Random(1))
    round_id = await store.trivia_start_round(
        guild_id=guild_id,
        channel_id=guild_id,
        question=q,
        choices=choices,
        correct=correct,
        started_at=T0,
        ends_at=T0 + timedelta(seconds=20),
        started_by=None,
    )
    assert round_id is not None
    for user, score in points.items():
        await store.trivia_answer(
            round_id, user, correct, score > 0, score, T0 + timedelta(seconds=2)
        )
    assert await store.trivia_end_round(round_id) is not None


async def test_quotes_and_scores_parse_back_with_every_field(
    library: Library, tmp_path: Path
) -> None:
    await add_scores(library.store, 1, {100: 14, 101: 9, 102: 0})  # season 1 begins
    await library.store.trivia_start_season(1, "Spring", 100, T0 + timedelta(hours=1))
    await add_scores(library.store, 1, {101: 5})
    await add_scores(library.store, 2, {200: 5})  # another server: not in this export
    out = tmp_path / "out"
    out.mkdir()
    done = await export(
        library.catalog, library.store, out, guild_ids=[1], names=lambda uid: f"user {uid}"
    )
    assert [f.name for f in done.files] == ["quotes.csv", "quotes.json", "trivia-scores.csv"]
    assert done.quote_count == 5 and done.score_count == 7

    from_csv = read_csv(out / "quotes.csv")
    from_json = json.loads((out / "quotes.json").read_text(encoding="utf-8"))
    assert list(from_csv[0]) == list(QUOTE_FIELDS) == list(from_json[0])
    by_id = {row["id"]: row for row in from_json}
    assert set(by_id) == {p.id for p in (*ANN.passages, *BOB.passages)}
    first = by_id[ANN.passages[0].id]
    assert first["interview"] == "Harbour Days" and first["interview_id"] == "one"
    assert first["speaker"] == "Ann Lee" and first["question"] == "Question 0?"
    assert first["url"] == "https://example.org/harbour"
    assert first["topics"] == ["Birds", "Harbour"]
    # The whole answer, exactly: newlines, quotes, commas, accents, CJK, emoji.
    assert by_id[ANN.passages[1].id]["answer"] == ANN.passages[1].text
    for row in from_csv:  # CSV holds the same text; topics joined, None as empty
        expected = by_id[row["id"]]
        assert row["answer"] == expected["answer"]
        assert row["topics"] == "; ".join(expected["topics"])  # type: ignore[arg-type]
        assert row["question"] == (expected["question"] or "")
        assert row["url"] == (expected["url"] or "")
    assert by_id[BOB.passages[1].id]["answer"] == "=1+1 is not a formula here."

    scores = read_csv(out / "trivia-scores.csv")
    assert list(scores[0]) == list(SCORE_FIELDS)
    # Each season, oldest first, then all-time; each by rank (equal points share a rank).
    assert [(r["season"], r["season_number"], r["user_id"], r["points"], r["rank"]) for r in scores] == [
        ("Season 1", "1", "100", "14", "1"),
        ("Season 1", "1", "101", "9", "2"),
        ("Season 1", "1", "102", "0", "3"),
        ("Spring", "2", "101", "5", "1"),
        ("all-time", "", "101", "14", "1"),
        ("all-time", "", "100", "14", "1"),
        ("all-time", "", "102", "0", "3"),
    ]  # fmt: skip
    assert scores[0]["user_name"] == "user 100" and scores[0]["guild_id"] == "1"
    assert scores[2]["correct"] == "0" and scores[2]["answered"] == "1"
    assert scores[4]["correct"] == "2" and scores[4]["answered"] == "2"


async def test_a_small_limit_splits_into_parts_that_each_parse(
    library: Library, tmp_path: Path
) -> None:
    limit = 450
    out = tmp_path / "out"
    out.mkdir()
    done = await export(library.catalog, library.store, out, formats=["json"], limit=limit)
    names = [f.name for f in done.quotes]
    assert len(names) >= 3 and names[0] == f"quotes-1-of-{len(names)}.json"
    assert all(f.size <= limit for f in done.quotes)
    assert sorted(r["id"] for r in read_parts(list(done.quotes))) == sorted(  # type: ignore[type-var]
        p.id for p in (*ANN.passages, *BOB.passages)
    )
    # No scores anywhere: the file still exists, header only.
    assert done.scores[0].name == "trivia-scores.csv" and read_csv(done.scores[0].path) == []


def test_a_record_larger_than_the_limit_is_refused_and_leaves_no_file(tmp_path: Path) -> None:
    record = {f: "x" * 500 for f in QUOTE_FIELDS}
    with pytest.raises(ExportError, match="more than the 300-byte"):
        write_records([record], QUOTE_FIELDS, tmp_path, "quotes", "csv", 300)
    assert list(tmp_path.iterdir()) == []


def test_a_synthetic_corpus_over_discords_limit_splits_in_both_formats(tmp_path: Path) -> None:
    """20k synthetic answers are ~11.4 MB as CSV, ~13.6 MB as JSON: over the real 10 MiB limit."""
    passages = synthetic_passages(20_000, with_seed=False)
    interviews = {p.interview_id: InterviewMeta(title=p.interview_id) for p in passages}
    topics = topics_by_passage([Topic("t", "Tea", passage_ids=tuple(p.id for p in passages[::7]))])
    for fmt in ("csv", "json"):
        files = write_records(
            quote_records(passages, interviews, topics),
            QUOTE_FIELDS,
            tmp_path,
            "quotes",
            fmt,  # type: ignore[arg-type]
            DISCORD_FILE_LIMIT,
        )
        assert len(files) == 2, [f.size for f in files]
        assert all(f.size <= DISCORD_FILE_LIMIT for f in files)
        assert files[0].size > DISCORD_FILE_LIMIT * 0.99  # filled before a new part starts
        rows = read_parts(files)
        assert [r["id"] for r in rows] == [p.id for p in passages]  # all, in order, once
        assert rows[7]["topics"] == (["Tea"] if fmt == "json" else "Tea")
        assert rows[-1]["answer"] == passages[-1].text
        assert sum(f.rows for f in files) == len(passages)


def test_message_batches_respect_count_and_total_size(tmp_path: Path) -> None:
    files = [ExportFile(tmp_path / f"f{n}", 1, size) for n, size in enumerate([6, 5, 4, *[1] * 12])]
    batches = message_batches(files, limit=10, per_message=10)
    assert [[f.size for f in b] for b in batches] == [[6], [5, 4, 1], [1] * 10, [1]]
    assert sum(len(b) for b in batches) == len(files)


# --- the command line ----------------------------------------------------------------------


async def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, args)  # main runs its own event loop
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_cli_export_writes_the_files_and_replaces_an_earlier_export(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await add_scores(library.store, 7, {70: 3})
    db = str(library.store.path)
    await library.store.close_lanes()
    out = tmp_path / "exp"
    out.mkdir()
    (out / "quotes-1-of-9.csv").write_text("stale part of an earlier export")
    (out / "notes.txt").write_text("mine")
    code, stdout, stderr = await run_cli(
        ["export", "--db", db, "--out", str(out), "--format", "csv", "--split-mb", "0.0005"],
        capsys,
    )
    assert code == 0, stderr
    names = sorted(p.name for p in out.iterdir())
    assert "notes.txt" in names and "quotes-1-of-9.csv" not in names  # only stale export parts go
    parts = sorted(p for p in out.iterdir() if p.name.startswith("quotes-"))
    assert len(parts) >= 2 and all(p.stat().st_size <= 524 for p in parts)
    assert not list(out.glob("*.json")) and not list(out.glob(".export-*"))
    rows = [r for p in parts for r in read_csv(p)]
    assert len(rows) == 5
    assert [(r["season"], r["user_id"]) for r in read_csv(out / "trivia-scores.csv")] == [
        ("Season 1", "70"),
        ("all-time", "70"),
    ]
    assert "Exported 5 quote(s) and 2 trivia score(s) from 1 server(s)" in stdout


async def test_cli_export_refuses_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    code, _, err = await run_cli(
        ["export", "--db", str(tmp_path / "q.db"), "--out", str(file)], capsys
    )
    assert code == 1 and "is not a folder" in err
    code, _, err = await run_cli(["export", "--split-mb", "0"], capsys)
    assert code == 1 and "--split-mb" in err


def test_csv_rows_survive_a_round_trip_through_the_csv_module() -> None:
    """The encoder is the csv module's: a cell with CRLF, quotes and a BOM-like char survives."""
    tricky = {f: f'a,b\r\n"c"\ufeff{f}' for f in QUOTE_FIELDS}
    buffer = io.BytesIO()
    from bot.export import csv_line

    buffer.write(csv_line(QUOTE_FIELDS) + csv_line(tricky[f] for f in QUOTE_FIELDS))
    text = buffer.getvalue().decode()
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row == tricky
