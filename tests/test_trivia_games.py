"""Trivia games, hints, seasons and options without Discord: the rules in bot.trivia.games,
the store's games, hints, options and seasons on a real SQLite file, and migration 006
carrying the scores kept before seasons into a first season."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from bot.store import Store, _migrations
from bot.trivia import Question, Round, RoundAnswer, points_for
from bot.trivia.games import (
    ALL_TIME,
    hint_choices,
    hinted_points,
    parse_season,
    season_name,
    standings,
)

T0 = datetime(2025, 5, 1, 20, 0, tzinfo=UTC)
QUESTION = Question(
    id="q1",
    kind="curated",
    text="Which?",
    answer="A",
    distractors=("B", "C", "D"),
    difficulty="easy",
    evidence="A",
    interview_id="iv",
    passage_id="p",
)


def round_(rid: int, correct: int = 0, start: datetime = T0, **extra: int) -> Round:
    return Round(
        id=rid,
        guild_id=1,
        channel_id=2,
        message_id=3,
        question=QUESTION,
        choices=("A", "B", "C", "D"),
        correct=correct,
        started_at=start,
        ends_at=start + timedelta(seconds=20),
        status="finished",
        **extra,  # type: ignore[arg-type]
    )


def answer(
    user: int, correct: bool, points: int, after: float, start: datetime = T0
) -> RoundAnswer:
    return RoundAnswer(user, 0 if correct else 1, correct, points, start + timedelta(seconds=after))


def test_standings_rank_by_points_then_right_answers_then_speed() -> None:
    r1, r2 = round_(1), round_(2, start=T0 + timedelta(minutes=1))
    table = standings(
        [
            (r1, answer(10, True, 15, 0.5)),
            (r1, answer(20, True, 12, 9.0)),
            (r1, answer(30, False, 0, 1.0)),
            (r2, answer(10, False, 0, 2.0, r2.started_at)),
            (r2, answer(20, True, 3, 4.0, r2.started_at)),
            (r2, answer(40, True, 15, 0.2, r2.started_at)),
        ]
    )
    assert [(s.user_id, s.points, s.correct, s.rank) for s in table] == [
        (20, 15, 2, 1),  # equal points: more right answers first
        (40, 15, 1, 2),  # then the faster right answer
        (10, 15, 1, 3),
        (30, 0, 0, 4),
    ]
    by_user = {s.user_id: s for s in table}
    assert by_user[20].rank == 1 and by_user[20].correct == 2  # right answers break the tie
    assert by_user[40].rank == 2 and by_user[10].rank == 3  # then the fastest right answer
    assert by_user[40].fastest == pytest.approx(0.2) and by_user[10].fastest == pytest.approx(0.5)
    assert by_user[20].fastest == pytest.approx(4.0)  # their fastest, not their first
    assert by_user[30].fastest is None and by_user[30].rank == 4
    assert standings([]) == []


def test_members_level_on_everything_share_a_rank() -> None:
    r = round_(1)
    table = standings([(r, answer(1, True, 10, 3.0)), (r, answer(2, True, 10, 3.0))])
    assert [s.rank for s in table] == [1, 1]


def test_a_hint_keeps_the_right_answer_and_one_other_the_same_for_everyone() -> None:
    for rid in range(1, 60):
        for correct in range(4):
            r = round_(rid, correct)
            kept = hint_choices(r)
            assert correct in kept and len(set(kept)) == 2 and list(kept) == sorted(kept)
            assert hint_choices(r) == kept
    others = {hint_choices(round_(rid, 0))[1] for rid in range(1, 60)}
    assert others == {1, 2, 3}  # which wrong choice stays varies by round


def test_hinted_points_and_server_points() -> None:
    assert [hinted_points(p) for p in (0, 1, 2, 15, 12, 30)] == [0, 1, 1, 7, 6, 15]
    assert points_for(True, 0, 20, 20) == 30 and points_for(True, 10, 20, 20) == 25
    assert points_for(True, 0, 20) == 15 and points_for(False, 0, 20, 50) == 0
    assert points_for(True, 20, 20, 1) == 1


def test_season_names_and_the_leaderboard_option() -> None:
    assert season_name(3, None) == "Season 3" and season_name(3, "  ") == "Season 3"
    assert season_name(2, " Spring\n cup ") == "Spring cup"
    assert len(season_name(1, "x" * 200)) == 60
    assert parse_season(None) is None and parse_season(" ") is None
    assert parse_season("all-time") == ALL_TIME and parse_season("All time") == ALL_TIME
    assert parse_season("3") == 3 and parse_season("Season 3") == 3 and parse_season("#3") == 3
    for bad in ("spring", "0", "-1", "3.5", "season x"):
        with pytest.raises(ValueError):
            parse_season(bad)


# --------------------------------------------------------------------------- the store


# `store`: tests/storefixtures.py, on SQLite and on PostgreSQL


async def _play(store: Store, channel: int, at: datetime, game_id: int | None = None) -> int:
    rid = await store.trivia_start_round(
        guild_id=1,
        channel_id=channel,
        question=QUESTION,
        choices=("A", "B", "C", "D"),
        correct=0,
        started_at=at,
        ends_at=at + timedelta(seconds=20),
        started_by=7,
        game_id=game_id,
    )
    assert rid is not None
    return rid


async def test_a_game_counts_its_rounds_and_blocks_the_channel(store: Store) -> None:
    gid = await store.trivia_start_game(
        guild_id=1, channel_id=2, total=2, topic=None, difficulty=None, started_by=7, at=T0
    )
    assert gid is not None
    again = await store.trivia_start_game(
        guild_id=1, channel_id=2, total=2, topic=None, difficulty=None, started_by=7, at=T0
    )
    assert again is None
    # a single round is refused in the game's channel, not elsewhere
    assert (
        await store.trivia_start_round(
            guild_id=1,
            channel_id=2,
            question=QUESTION,
            choices=("A", "B"),
            correct=0,
            started_at=T0,
            ends_at=T0 + timedelta(seconds=20),
            started_by=7,
        )
        is None
    )
    first = await _play(store, 2, T0, gid)
    found = await store.trivia_round(first)
    assert found is not None and (found.game_id, found.game_round) == (gid, 1)
    await store.trivia_end_round(first)
    second = await _play(store, 2, T0 + timedelta(minutes=1), gid)
    assert (await store.trivia_round(second)).game_round == 2  # type: ignore[union-attr]
    await store.trivia_end_round(second)
    game = await store.trivia_game(gid)
    assert game is not None and game.over and game.played == 2
    # a third round of a two-round game is refused
    assert (
        await store.trivia_start_round(
            guild_id=1,
            channel_id=2,
            question=QUESTION,
            choices=("A", "B"),
            correct=0,
            started_at=T0,
            ends_at=T0 + timedelta(seconds=20),
            started_by=7,
            game_id=gid,
        )
        is None
    )
    assert await store.trivia_end_game(gid) and not await store.trivia_end_game(gid)
    nxt = await store.trivia_start_game(
        guild_id=1, channel_id=2, total=1, topic=None, difficulty=None, started_by=7, at=T0
    )
    assert nxt == gid + 1  # ids are never reused


async def test_a_closed_games_final_table_is_due_until_posted(store: Store) -> None:
    """Closing a game with its table due and posting that table are two steps: until the
    post is recorded the game stays in `trivia_finals_due` (with its note), for a start
    after a crash between the two; a close without a table (nothing to post) is not due."""
    games = []
    for channel in (2, 3, 4):
        gid = await store.trivia_start_game(
            guild_id=1,
            channel_id=channel,
            total=3,
            topic=None,
            difficulty=None,
            at=T0,
            started_by=7,
        )
        assert gid is not None
        games.append(gid)
    stopped, over, dropped = games
    assert await store.trivia_end_game(stopped, cancel=True, final=True, note="Stopped.")
    assert await store.trivia_end_game(over, final=True)
    assert await store.trivia_end_game(dropped, cancel=True)  # its channel is gone
    # a second close changes nothing, the note included
    assert not await store.trivia_end_game(stopped, final=True, note="Other.")
    due = await store.trivia_finals_due()
    assert [(g.id, g.status, note) for g, note in due] == [
        (stopped, "cancelled", "Stopped."),
        (over, "finished", None),
    ]
    assert await store.trivia_final_posted(stopped)
    assert not await store.trivia_final_posted(stopped)  # once
    assert not await store.trivia_final_posted(dropped)  # never due
    assert [g.id for g, _ in await store.trivia_finals_due()] == [over]


async def test_games_started_at_once_by_two_processes_each_get_their_own_id(
    store: Store, open_store: Callable[[], Awaitable[Store]]
) -> None:
    """A new game's id is the next after the largest: two processes starting games in two
    channels at the same moment must not take the same one (and be told 'a game runs')."""
    other = await open_store()
    try:
        for n in range(10):

            async def start(s: Store, channel: int) -> int | None:
                return await s.trivia_start_game(
                    guild_id=channel,
                    channel_id=channel,
                    total=1,
                    topic=None,
                    difficulty=None,
                    started_by=7,
                    at=T0,
                )

            ids = await asyncio.gather(start(store, 100 + 2 * n), start(other, 101 + 2 * n))
            assert None not in ids and len(set(ids)) == 2, ids
    finally:
        await other.close()


async def test_hints_and_hinted_answers_in_the_store(store: Store) -> None:
    rid = await _play(store, 5, T0)
    at = T0 + timedelta(seconds=1)
    assert await store.trivia_use_hint(rid, 10, at) == "used"
    assert await store.trivia_use_hint(rid, 10, at) == "again"
    outcome, kept = await store.trivia_answer(rid, 10, 0, True, 14, at, 7)
    assert outcome == "recorded" and kept is not None and kept.points == 7
    outcome, kept = await store.trivia_answer(rid, 11, 0, True, 14, at, 7)
    assert kept is not None and kept.points == 14  # no hint: full points
    assert await store.trivia_use_hint(rid, 11, at) == "answered"
    late = T0 + timedelta(seconds=30)
    assert await store.trivia_use_hint(rid, 12, late) == "closed"
    assert await store.trivia_hinted(rid) == {10}


async def test_options_default_and_change_one_at_a_time(store: Store) -> None:
    assert await store.trivia_options(1, 20.0) == (await store.trivia_options(2, 20.0))
    first = await store.trivia_options(1, 20.0)
    assert (
        first.round_seconds,
        first.right_points,
        first.reveal_evidence,
        first.use_generated,
    ) == (
        20.0,
        10,
        True,
        True,
    )
    await store.set_trivia_options(1, 9, right_points=25)
    await store.set_trivia_options(1, 9, use_generated=False)
    await store.set_trivia_round_seconds(1, 12.0, 9)
    now = await store.trivia_options(1, 20.0)
    assert (now.round_seconds, now.right_points, now.reveal_evidence, now.use_generated) == (
        12.0,
        25,
        True,
        False,
    )
    assert (await store.trivia_options(2, 20.0)).right_points == 10  # per server


async def test_seasons_in_the_store(store: Store) -> None:
    rid = await _play(store, 5, T0)
    await store.trivia_answer(rid, 10, 0, True, 15, T0, None)
    await store.trivia_end_round(rid)
    (first,) = await store.trivia_seasons(1)
    assert first.number == 1 and first.current and first.name == "Season 1"
    closed, opened = await store.trivia_start_season(1, "Cup", 9, T0 + timedelta(days=1))
    assert closed is not None and closed.number == 1 and not closed.current
    assert opened.number == 2 and opened.name == "Cup" and opened.current
    rid = await _play(store, 5, T0 + timedelta(days=2))
    await store.trivia_answer(rid, 11, 0, True, 12, T0 + timedelta(days=2), None)
    await store.trivia_end_round(rid)
    page, total = await store.trivia_board(1, 2)
    assert [(s.user_id, s.points) for s in page] == [(11, 12)] and total == 1
    page, total = await store.trivia_board(1, 1)
    assert [(s.user_id, s.points) for s in page] == [(10, 15)]
    page, total = await store.trivia_board(1, ALL_TIME)
    assert [(s.user_id, s.points, s.rank) for s in page] == [(10, 15, 1), (11, 12, 2)]
    me = await store.trivia_member_score(1, 11, ALL_TIME)
    assert me is not None and me.rank == 2
    assert await store.trivia_member_score(1, 10, 2) is None


def test_migration_006_carries_scores_into_a_first_season(tmp_path: Path) -> None:
    """A database at version 5 with scores: after 006 each server's scores are its season 1,
    which began with its first round; servers with no scores get no season."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for number, _, sql in _migrations():
        if number <= 5:
            conn.executescript(sql)
    conn.execute(
        "INSERT INTO trivia_rounds(guild_id, channel_id, question_id, question, choices, "
        "correct, started_at, ends_at, status) VALUES (1, 2, 'q', '{}', '[]', 0, "
        "'2024-01-05T10:00:00.000000+00:00', '2024-01-05T10:00:20.000000+00:00', 'finished')"
    )
    conn.executemany(
        "INSERT INTO trivia_scores(guild_id, user_id, points, correct, answered, streak, "
        "best_streak) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(1, 10, 40, 3, 4, 2, 3), (1, 11, 5, 1, 1, 1, 1), (3, 12, 9, 1, 2, 0, 1)],
    )
    (sql,) = [sql for number, _, sql in _migrations() if number == 6]
    conn.executescript(sql)
    seasons = conn.execute(
        "SELECT guild_id, number, name, started_at, ended_at FROM trivia_seasons ORDER BY 1"
    ).fetchall()
    assert seasons == [
        (1, 1, "Season 1", "2024-01-05T10:00:00.000000+00:00", None),
        (3, 1, "Season 1", "1970-01-01T00:00:00.000000+00:00", None),
    ]
    carried = conn.execute(
        "SELECT guild_id, season, user_id, points, correct, answered, streak, best_streak "
        "FROM trivia_season_scores ORDER BY user_id"
    ).fetchall()
    assert carried == [
        (1, 1, 10, 40, 3, 4, 2, 3),
        (1, 1, 11, 5, 1, 1, 1, 1),
        (3, 1, 12, 9, 1, 2, 0, 1),
    ]
    conn.close()


def test_migration_006_runs_on_postgresql(pg_cluster: Any, pg_url: str) -> None:
    """The DDL and the carry-over of 006 are portable: on PostgreSQL, over the two tables it
    builds on (written here in PostgreSQL's dialect: 002 is the store's to port), it makes
    its tables and gives each server with scores its first season."""
    name = urlparse(pg_url).path.lstrip("/")
    pg_cluster.psql(
        "CREATE TABLE trivia_rounds (id BIGINT PRIMARY KEY, guild_id BIGINT NOT NULL, "
        "channel_id BIGINT NOT NULL, message_id BIGINT, question_id TEXT NOT NULL, "
        "question TEXT NOT NULL, choices TEXT NOT NULL, correct INTEGER NOT NULL, "
        "started_at TEXT NOT NULL, ends_at TEXT NOT NULL, status TEXT NOT NULL, "
        "started_by BIGINT);"
        "CREATE TABLE trivia_scores (guild_id BIGINT NOT NULL, user_id BIGINT NOT NULL, "
        "points INTEGER NOT NULL DEFAULT 0, correct INTEGER NOT NULL DEFAULT 0, "
        "answered INTEGER NOT NULL DEFAULT 0, streak INTEGER NOT NULL DEFAULT 0, "
        "best_streak INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (guild_id, user_id));"
        "INSERT INTO trivia_rounds VALUES (1, 1, 2, NULL, 'q', '{}', '[]', 0, "
        "'2024-01-05T10:00:00.000000+00:00', '2024-01-05T10:00:20.000000+00:00', "
        "'finished', NULL);"
        "INSERT INTO trivia_scores VALUES (1, 10, 40, 3, 4, 2, 3), (3, 12, 9, 1, 2, 0, 1);",
        name,
    )
    (sql,) = [sql for number, _, sql in _migrations() if number == 6]
    pg_cluster.psql(sql, name)
    seasons = pg_cluster.psql(
        "SELECT guild_id, number, name, started_at FROM trivia_seasons ORDER BY guild_id", name
    )
    assert seasons.splitlines() == [
        "1|1|Season 1|2024-01-05T10:00:00.000000+00:00",
        "3|1|Season 1|1970-01-01T00:00:00.000000+00:00",
    ]
    carried = pg_cluster.psql(
        "SELECT user_id, season, points FROM trivia_season_scores ORDER BY user_id", name
    )
    assert carried.splitlines() == ["10|1|40", "12|1|9"]
    pg_cluster.psql(
        "INSERT INTO trivia_games VALUES (1, 1, 2, 3, 0, NULL, NULL, 'active', 7, 'x', NULL);"
        "INSERT INTO trivia_options(guild_id, right_points, updated_at) VALUES (1, 20, 'x') "
        "ON CONFLICT(guild_id) DO UPDATE SET right_points = "
        "coalesce(excluded.right_points, trivia_options.right_points)",
        name,
    )
    with pytest.raises(RuntimeError, match="duplicate key"):  # one active game a channel
        pg_cluster.psql(
            "INSERT INTO trivia_games VALUES (2, 1, 2, 3, 0, NULL, NULL, 'active', 7, 'x', NULL)",
            name,
        )
