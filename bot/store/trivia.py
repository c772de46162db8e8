"""Trivia rounds, answers, scores and settings (the curated questions load with the corpus)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.store.base import _now
from bot.store.rows import _iso, _trivia_answer, _trivia_question, _trivia_round, _trivia_score
from bot.store.trivia_base import _ROUND_SELECT
from bot.store.trivia_games import TriviaGameStore, _next_game_round
from bot.store.trivia_seasons import TriviaSeasonStore, add_to_season, season_for_scoring
from bot.trivia import Question, Round, RoundAnswer, Score, apply_answer

_TRIVIA_COLUMNS = (
    "id, question, answer, distractors, difficulty, evidence, interview_id, passage_id, "
    "speaker, source, line"
)
_ANSWER_SELECT = "SELECT user_id, choice, correct, points, answered_at FROM trivia_answers"
_SCORE_SELECT = (
    "SELECT guild_id, user_id, points, correct, answered, streak, best_streak, "
    "1 + (SELECT count(*) FROM trivia_scores o WHERE o.guild_id = trivia_scores.guild_id "
    "AND o.answered > 0 AND o.points > trivia_scores.points) FROM trivia_scores"
)


class TriviaStore(TriviaGameStore, TriviaSeasonStore):
    """Trivia rounds, answers and (all-time) scores; games, hints, options and seasons
    come from the two bases."""

    # --- trivia -----------------------------------------------------------------
    # Members click answers concurrently: trivia transactions go through the "trivia" lane.
    # Only the curated questions are written on `self.conn`, inside `replace_corpus`.

    async def read_trivia(self) -> list[Question]:
        """The stored curated questions, in file order."""
        rows = await self._trivia_rows(
            f"SELECT {_TRIVIA_COLUMNS} FROM trivia_questions ORDER BY source, line"
        )
        return [_trivia_question(r) for r in rows]

    async def trivia_round_seconds(self, guild_id: int) -> float | None:
        rows = await self._trivia_rows(
            "SELECT round_seconds FROM trivia_settings WHERE guild_id = ?", (guild_id,)
        )
        return float(rows[0][0]) if rows else None

    async def set_trivia_round_seconds(
        self, guild_id: int, seconds: float, by: int | None = None
    ) -> None:
        await self._trivia_write(
            "INSERT INTO trivia_settings(guild_id, round_seconds, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(guild_id) DO UPDATE SET "
            "round_seconds = excluded.round_seconds, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            (guild_id, seconds, by, _now()),
        )

    async def trivia_start_round(
        self,
        *,
        guild_id: int,
        channel_id: int,
        question: Question,
        choices: Sequence[str],
        correct: int,
        started_at: datetime,
        ends_at: datetime,
        started_by: int | None,
        game_id: int | None = None,
    ) -> int | None:
        """Open a round and mark its question seen by the guild, atomically.

        None when the channel already has an active round (the partial unique index says so,
        so two /trivia at the same moment cannot both win), when a single round is asked
        for while a game runs in the channel, or when the game `game_id` is over.
        """
        conn = await self._lane("trivia").connection()
        async with self._lane("trivia").lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                game_round = None
                if game_id is not None:
                    game_round = await _next_game_round(conn, game_id)
                    if game_round is None:
                        await conn.execute("ROLLBACK")
                        return None
                cur = await conn.execute(
                    "INSERT INTO trivia_rounds(guild_id, channel_id, question_id, question, "
                    "choices, correct, started_at, ends_at, status, started_by, game_id, "
                    "game_round) SELECT :guild_id, :channel_id, :question_id, :question, "
                    ":choices, :correct, :started_at, :ends_at, 'active', :started_by, "
                    ":game_id, :game_round WHERE :game_id IS NOT NULL OR NOT EXISTS ("
                    "SELECT 1 FROM trivia_games WHERE channel_id = :channel_id "
                    "AND status = 'active')",
                    {
                        "guild_id": guild_id,
                        "channel_id": channel_id,
                        "question_id": question.id,
                        "question": json.dumps(question.to_json(), ensure_ascii=False),
                        "choices": json.dumps(list(choices), ensure_ascii=False),
                        "correct": correct,
                        "started_at": _iso(started_at),
                        "ends_at": _iso(ends_at),
                        "started_by": started_by,
                        "game_id": game_id,
                        "game_round": game_round,
                    },
                )
                round_id = cur.lastrowid if cur.rowcount else None
                await cur.close()
                if round_id is None:
                    await conn.execute("ROLLBACK")
                    return None
                await conn.execute(
                    "INSERT INTO trivia_seen(guild_id, question_id, seen_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO UPDATE SET seen_at = excluded.seen_at",
                    (guild_id, question.id, _iso(started_at)),
                )
                await conn.execute("COMMIT")
            except sqlite3.IntegrityError:
                await conn.execute("ROLLBACK")
                return None
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return int(round_id) if round_id is not None else None

    async def trivia_set_message(self, round_id: int, message_id: int) -> None:
        await self._trivia_write(
            "UPDATE trivia_rounds SET message_id = ? WHERE id = ?", (message_id, round_id)
        )

    async def trivia_round(self, round_id: int) -> Round | None:
        rows = await self._trivia_rows(f"{_ROUND_SELECT} WHERE id = ?", (round_id,))
        return _trivia_round(rows[0]) if rows else None

    async def trivia_active_round(self, channel_id: int) -> Round | None:
        rows = await self._trivia_rows(
            f"{_ROUND_SELECT} WHERE channel_id = ? AND status = 'active'", (channel_id,)
        )
        return _trivia_round(rows[0]) if rows else None

    async def trivia_active_rounds(self) -> list[Round]:
        rows = await self._trivia_rows(f"{_ROUND_SELECT} WHERE status = 'active' ORDER BY id")
        return [_trivia_round(r) for r in rows]

    async def trivia_answer(
        self,
        round_id: int,
        user_id: int,
        choice: int,
        correct: bool,
        points: int,
        at: datetime,
        hinted: int | None = None,
    ) -> tuple[str, RoundAnswer | None]:
        """Record a member's one answer: ("recorded" | "already" | "closed", the answer kept).

        One statement, so the round's being open and the member's first answer are checked
        and written atomically, however many clicks arrive at once. A member who used a hint
        in this round scores `hinted` (when given) instead of `points`.
        """
        when = _iso(at)
        changed = await self._trivia_write(
            "INSERT OR IGNORE INTO trivia_answers(round_id, user_id, choice, correct, points, "
            "answered_at) SELECT :round_id, :user_id, :choice, :correct, "
            "CASE WHEN EXISTS (SELECT 1 FROM trivia_hints h WHERE h.round_id = :round_id "
            "AND h.user_id = :user_id) THEN :hinted ELSE :points END, :at FROM trivia_rounds "
            "WHERE id = :round_id AND status = 'active' AND ends_at > :at",
            {
                "round_id": round_id,
                "user_id": user_id,
                "choice": choice,
                "correct": int(correct),
                "points": points,
                "hinted": points if hinted is None else hinted,
                "at": when,
            },
        )
        rows = await self._trivia_rows(
            f"{_ANSWER_SELECT} WHERE round_id = ? AND user_id = ?", (round_id, user_id)
        )
        kept = _trivia_answer(rows[0]) if rows else None
        if changed:
            return "recorded", kept
        return ("already", kept) if kept is not None else ("closed", None)

    async def trivia_answers(self, round_id: int) -> list[RoundAnswer]:
        rows = await self._trivia_rows(
            f"{_ANSWER_SELECT} WHERE round_id = ? ORDER BY answered_at, user_id", (round_id,)
        )
        return [_trivia_answer(r) for r in rows]

    async def trivia_end_round(
        self, round_id: int, *, cancel: bool = False
    ) -> list[RoundAnswer] | None:
        """Close an active round; a finished one adds its answers to the members' scores.

        All in one transaction, and only once: None when the round was not active (another
        task ended it first).
        """
        conn = await self._lane("trivia").connection()
        status = "cancelled" if cancel else "finished"
        async with self._lane("trivia").lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                cur = await conn.execute(
                    "UPDATE trivia_rounds SET status = ? WHERE id = ? AND status = 'active'",
                    (status, round_id),
                )
                await cur.close()
                if cur.rowcount == 0:
                    await conn.execute("ROLLBACK")
                    return None
                async with conn.execute(
                    f"{_ANSWER_SELECT} WHERE round_id = ? ORDER BY answered_at, user_id",
                    (round_id,),
                ) as cur:
                    answers = [_trivia_answer(r) for r in await cur.fetchall()]
                async with conn.execute(
                    "SELECT guild_id FROM trivia_rounds WHERE id = ?", (round_id,)
                ) as cur:
                    row = await cur.fetchone()
                    assert row is not None
                    guild_id = int(row[0])
                if not cancel and answers:
                    season = await season_for_scoring(conn, guild_id, _now())
                    for answer in answers:
                        async with conn.execute(
                            f"{_SCORE_SELECT} WHERE guild_id = ? AND user_id = ?",
                            (guild_id, answer.user_id),
                        ) as cur:
                            found = await cur.fetchone()
                        before = _trivia_score(found) if found else Score(guild_id, answer.user_id)
                        after = apply_answer(before, answer.correct, answer.points)
                        await add_to_season(conn, guild_id, season, answer)
                        await conn.execute(
                            "INSERT INTO trivia_scores(guild_id, user_id, points, correct, "
                            "answered, streak, best_streak) VALUES (?, ?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT(guild_id, user_id) DO UPDATE SET "
                            "points = excluded.points, correct = excluded.correct, "
                            "answered = excluded.answered, streak = excluded.streak, "
                            "best_streak = excluded.best_streak",
                            (
                                guild_id,
                                answer.user_id,
                                after.points,
                                after.correct,
                                after.answered,
                                after.streak,
                                after.best_streak,
                            ),
                        )
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return answers

    async def trivia_seen(self, guild_id: int) -> set[str]:
        rows = await self._trivia_rows(
            "SELECT question_id FROM trivia_seen WHERE guild_id = ?", (guild_id,)
        )
        return {r[0] for r in rows}

    async def trivia_forget_seen(self, guild_id: int, question_ids: Iterable[str]) -> None:
        """Start a new cycle through a pool the guild has seen all of."""
        conn = await self._lane("trivia").connection()
        async with self._lane("trivia").lock:
            await conn.executemany(
                "DELETE FROM trivia_seen WHERE guild_id = ? AND question_id = ?",
                [(guild_id, qid) for qid in question_ids],
            )

    async def trivia_leaderboard(self, guild_id: int, limit: int = 10) -> list[Score]:
        rows = await self._trivia_rows(
            f"{_SCORE_SELECT} WHERE guild_id = ? AND answered > 0 "
            "ORDER BY points DESC, correct DESC, user_id LIMIT ?",
            (guild_id, limit),
        )
        return [_trivia_score(r) for r in rows]

    async def trivia_score(self, guild_id: int, user_id: int) -> Score | None:
        """A member's score with their rank (members with equal points share a rank)."""
        rows = await self._trivia_rows(
            f"{_SCORE_SELECT} WHERE guild_id = ? AND user_id = ? AND answered > 0",
            (guild_id, user_id),
        )
        return _trivia_score(rows[0]) if rows else None

    # --- export (issue 18) -------------------------------------------------------

    async def trivia_score_guilds(self) -> list[int]:
        """The servers with trivia scores: what `quotebot export` exports by default."""
        rows = await self._trivia_rows(
            "SELECT DISTINCT guild_id FROM trivia_scores WHERE answered > 0 ORDER BY guild_id"
        )
        return [int(r[0]) for r in rows]
