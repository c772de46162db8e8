"""Export: the quotes (CSV, JSON) and a server's trivia scores (CSV) as files to take away.

Used by `quotebot export` and `/admin export`; no discord import.

Size. Discord refuses an attachment over the upload limit (10 MiB for a server without
boosts). A file that would be larger is SPLIT into numbered parts ("quotes-1-of-3.csv"),
each a complete file on its own: a CSV part has the header row, a JSON part is a whole
array. A record is never cut in two. Splitting rather than compressing: text compresses
about 3x, so a large corpus is over the limit zipped too (compression alone guarantees
nothing), and parts open directly in a spreadsheet or `json.load`.

Streaming. Records are encoded one at a time and appended to the current part on disk (in a
worker thread, from the store's streaming read), so memory holds one record and the topic
map, never a whole file; a million answers export in constant memory.

Scores: one row per member and season (each season of the server, oldest first, then
`all-time`), each board by rank, as `/trivia leaderboard` shows them.

CSV: RFC 4180 (comma, double quotes, CRLF), UTF-8 with a byte-order mark so spreadsheets
read accents and other scripts right (read it back with the `utf-8-sig` codec). Topics are
joined with "; " in CSV and a list in JSON.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bot.models import InterviewMeta, Passage, Topic

if TYPE_CHECKING:
    from bot.catalog import Catalog
    from bot.store import Store
    from bot.trivia import Score

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
MIB = 1024 * 1024
# The CLI's default part size. Discord announces the real per-file limit with each
# interaction (`attachment_size_limit`, 10 MiB in discord.py's default, 20 MiB in the
# September 2026 docs): /admin export uses that; 10 MiB fits either.
DISCORD_FILE_LIMIT = 10 * MIB
REQUEST_BUDGET = 24 * MIB  # files per message: Discord refuses a request body over 25 MiB
FILES_PER_MESSAGE = 10  # Discord's limit on attachments in one message
QUOTE_FIELDS = ("id", "interview_id", "interview", "speaker", "question", "answer", "topics", "url")
SCORE_FIELDS = (
    "season",
    "season_number",
    "guild_id",
    "rank",
    "user_id",
    "user_name",
    "points",
    "correct",
    "answered",
    "best_streak",
)
ALL_TIME = "all-time"  # the season label of the all-time scores
EVERY_SCORE = 2**31 - 1  # a LIMIT that means "all" in SQLite and PostgreSQL alike
BOM = "\ufeff".encode()
EXPORT_NAME = re.compile(r"(quotes|trivia-scores)(-\d+-of-\d+)?\.(csv|json)")  # what export writes


class ExportError(Exception):
    """The export cannot be made as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One written file (a whole export, or one part of it)."""

    path: Path
    rows: int
    size: int  # bytes

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True, slots=True)
class Export:
    """What an export wrote, in the order to send it."""

    quotes: tuple[ExportFile, ...]
    scores: tuple[ExportFile, ...]
    quote_count: int
    score_count: int
    limit: int

    @property
    def files(self) -> tuple[ExportFile, ...]:
        return (*self.quotes, *self.scores)


# --- records -------------------------------------------------------------------------


def topics_by_passage(topics: Iterable[Topic]) -> dict[str, tuple[str, ...]]:
    """Each answer's topic names, sorted (an answer may be in several topics)."""
    found: dict[str, list[str]] = {}
    for topic in topics:
        for pid in topic.passage_ids:
            found.setdefault(pid, []).append(topic.name)
    return {pid: tuple(sorted(names, key=str.casefold)) for pid, names in found.items()}


def quote_records(
    passages: Iterable[Passage],
    interviews: Mapping[str, InterviewMeta],
    topics: Mapping[str, Sequence[str]],
) -> Iterator[dict[str, Any]]:
    """One dict per answer, keyed by `QUOTE_FIELDS` (the whole answer, not the excerpt)."""
    for p in passages:
        meta = interviews.get(p.interview_id)
        yield {
            "id": p.id,
            "interview_id": p.interview_id,
            "interview": meta.title if meta else p.interview_id,
            "speaker": p.speaker,
            "question": p.question,
            "answer": p.text,
            "topics": list(topics.get(p.id, ())),
            "url": meta.url if meta else None,
        }


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One member's score in one season (or all-time), as exported."""

    season: str  # the season's name, or ALL_TIME
    season_number: int | None  # None for all-time
    score: Score
    user_name: str = ""


async def score_lines(
    store: Store, guild_ids: Iterable[int], names: Callable[[int], str] | None = None
) -> list[ScoreLine]:
    """Every member's trivia score in each server: each season, oldest first, then all-time,
    each by rank (the leaderboards `/trivia leaderboard` shows, whole)."""
    lines: list[ScoreLine] = []
    for guild_id in guild_ids:
        boards: list[tuple[str, int | None, int | Literal["all-time"]]] = [
            (s.name, s.number, s.number) for s in reversed(await store.trivia_seasons(guild_id))
        ]
        boards.append((ALL_TIME, None, "all-time"))
        for label, number, season in boards:
            scores, _ = await store.trivia_board(guild_id, season, limit=EVERY_SCORE)
            for score in scores:
                name = names(score.user_id) if names else ""
                lines.append(ScoreLine(label, number, score, name))
    return lines


def score_row(line: ScoreLine) -> dict[str, Any]:
    s = line.score
    return {
        "season": line.season,
        "season_number": line.season_number,
        "guild_id": s.guild_id,
        "rank": s.rank,
        "user_id": s.user_id,
        "user_name": line.user_name,
        "points": s.points,
        "correct": s.correct,
        "answered": s.answered,
        "best_streak": s.best_streak,
    }


# --- encoding and splitting ------------------------------------------------------------


class CsvEncoder:
    """One CSV row at a time as bytes, reusing its buffer (one per export: not shared)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def __call__(self, values: Iterable[Any]) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(["" if v is None else v for v in values])
        return self._buffer.getvalue().encode()


def csv_line(values: Iterable[Any]) -> bytes:
    return CsvEncoder()(values)


def _csv_cells(record: Mapping[str, Any], fields: Sequence[str]) -> list[Any]:
    return ["; ".join(v) if isinstance(v, list) else v for v in (record[f] for f in fields)]


class PartWriter:
    """Writes encoded records into files of at most `limit` bytes: a part is closed when
    the next record would not fit, and the next part starts with the same `head`."""

    def __init__(
        self,
        directory: Path,
        stem: str,
        suffix: str,
        limit: int,
        *,
        head: bytes = b"",
        separator: bytes = b"",
        tail: bytes = b"",
    ) -> None:
        self.directory, self.stem, self.suffix, self.limit = directory, stem, suffix, limit
        self.head, self.separator, self.tail = head, separator, tail
        self.parts: list[tuple[Path, int]] = []
        self._file: io.BufferedWriter | None = None
        self._size = 0
        self._rows = 0
        if len(head) + len(tail) >= limit:
            raise ExportError(f"a {limit}-byte limit leaves no room for any record")

    def _open(self) -> None:
        path = self.directory / f".{self.stem}.part{len(self.parts) + 1}{self.suffix}"
        self._file = path.open("wb")
        self._file.write(self.head)
        self._size, self._rows = len(self.head), 0
        self.parts.append((path, 0))

    def _close(self) -> None:
        if self._file is not None:
            self._file.write(self.tail)
            self._file.close()
            self._file = None
            self.parts[-1] = (self.parts[-1][0], self._rows)

    def add(self, record: bytes, key: object) -> None:
        """Append `record`; `key` names it in the error when it alone is over the limit."""
        if self._file is not None:
            needed = len(self.separator if self._rows else b"") + len(record) + len(self.tail)
            if self._size + needed > self.limit:
                self._close()
        if self._file is None:
            self._open()
            if self._size + len(record) + len(self.tail) > self.limit:
                self._close()
                raise ExportError(
                    f"the record {str(key)!r} alone is {len(record):,} bytes, more than the {self.limit:,}-byte "
                    "file limit"
                )
        assert self._file is not None
        if self._rows:
            self._file.write(self.separator)
            self._size += len(self.separator)
        self._file.write(record)
        self._size += len(record)
        self._rows += 1

    def finish(self) -> list[ExportFile]:
        """Close the last part and give the parts their final names (an empty export is
        one file holding just the header, or `[]`)."""
        if self._file is None and not self.parts:
            self._open()
        self._close()
        count = len(self.parts)
        files = []
        for n, (path, rows) in enumerate(self.parts, 1):
            name = f"{self.stem}{self.suffix}" if count == 1 else f"{self.stem}-{n}-of-{count}"
            final = self.directory / (name if count == 1 else name + self.suffix)
            os.replace(path, final)
            files.append(ExportFile(final, rows, final.stat().st_size))
        return files

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        for path, _ in self.parts:
            path.unlink(missing_ok=True)


def write_records(
    records: Iterable[Mapping[str, Any]],
    fields: Sequence[str],
    directory: Path,
    stem: str,
    fmt: Format,
    limit: int,
) -> list[ExportFile]:
    """`records` as `stem.csv` or `stem.json`, split into parts of at most `limit` bytes."""
    if fmt == "csv":
        writer = PartWriter(directory, stem, ".csv", limit, head=BOM + csv_line(fields))
    else:
        writer = PartWriter(
            directory, stem, ".json", limit, head=b"[\n", separator=b",\n", tail=b"\n]\n"
        )
    encode = CsvEncoder()
    try:
        for record in records:
            if fmt == "csv":
                data = encode(_csv_cells(record, fields))
            else:
                data = json.dumps({f: record[f] for f in fields}, ensure_ascii=False).encode()
            writer.add(data, record.get("id") or record.get("user_id"))
        return writer.finish()
    except BaseException:
        writer.abort()
        raise


def message_batches(
    files: Sequence[ExportFile], limit: int = REQUEST_BUDGET, per_message: int = FILES_PER_MESSAGE
) -> list[list[ExportFile]]:
    """Files grouped into messages: at most `per_message` files and `limit` bytes in all
    (the request body holds every file of the message)."""
    batches: list[list[ExportFile]] = []
    total = 0
    for file in files:
        size = file.size
        if not batches or len(batches[-1]) >= per_message or total + size > limit:
            batches.append([])
            total = 0
        batches[-1].append(file)
        total += size
    return batches


# --- the whole export ---------------------------------------------------------------------


def _write_quotes(
    catalog: Catalog, directory: Path, formats: Sequence[Format], limit: int
) -> tuple[list[ExportFile], int]:
    interviews = {iid: stored.meta for iid, stored in catalog.interviews.items()}
    topics = topics_by_passage(catalog.topics.values())
    files: list[ExportFile] = []
    count = 0
    for fmt in formats:
        records = quote_records(catalog.passages.stream(), interviews, topics)
        written = write_records(records, QUOTE_FIELDS, directory, "quotes", fmt, limit)
        count = sum(f.rows for f in written)
        files.extend(written)
    return files, count


async def export(
    catalog: Catalog,
    store: Store,
    directory: Path,
    *,
    formats: Sequence[Format] = FORMATS,
    guild_ids: Iterable[int] = (),
    names: Callable[[int], str] | None = None,
    limit: int = DISCORD_FILE_LIMIT,
) -> Export:
    """Write the quotes in each of `formats` and the trivia scores of `guild_ids` (CSV)
    into `directory` (which must exist and be empty of earlier exports)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ExportError(f"formats are {', '.join(FORMATS)}; not {', '.join(unknown) or 'none'}")
    quotes, count = await asyncio.to_thread(_write_quotes, catalog, directory, formats, limit)
    lines = await score_lines(store, guild_ids, names)
    scores = await asyncio.to_thread(
        write_records,
        [score_row(line) for line in lines],
        SCORE_FIELDS,
        directory,
        "trivia-scores",
        "csv",
        limit,
    )
    return Export(tuple(quotes), tuple(scores), count, len(lines), limit)


def staging_dir(out: Path) -> Path:
    """A fresh hidden folder inside `out` (created if needed) to write an export into."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".export-", dir=out))


def publish(files: Iterable[ExportFile], out: Path) -> None:
    """Move a finished export into `out`, replacing the files of an earlier export (its
    parts too, whose count may differ); other files in `out` are left alone."""
    for old in out.iterdir():
        if old.is_file() and EXPORT_NAME.fullmatch(old.name):
            old.unlink()
    for file in files:
        os.replace(file.path, out / file.name)


def clear(directory: Path) -> None:
    """Remove a temporary export directory and everything in it."""
    shutil.rmtree(directory, ignore_errors=True)
