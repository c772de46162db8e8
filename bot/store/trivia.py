"""Trivia rounds, answers, scores and settings (the curated questions load with the corpus)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.store.base import _now
from bot.store.dialect import for_update, integrity_errors
from bot.store.rows import _iso, _trivia_answer, _trivia_question, _trivia_round, _trivia_score
from bot.store.trivia_base import _ROUND_SELECT, TRIVIA
from bot.store.trivia_games import TriviaGameStore, _next_game_round
from bot.store.trivia_seasons import TriviaSeasonStore, add_to_season, season_for_scoring
from bot.trivia import Question, Round, RoundAnswer, Score, apply_answer

TRIVIA_COLUMNS = (
    "id",
    "question",
    "answer",
    "distractors",
    "difficulty",
    "evidence",
    "interview_id",
    "passage_id",
    "speaker",
    "source",
    "line",
)
_ANSWER_SELECT = "SELECT user_id, choice, correct, points, answered_at FROM trivia_answers"
_SCORE_SELECT = (
    "SELECT guild_id, user_id, points, correct, answered, streak, best_streak, "
    "1 + (SELECT count(*) FROM trivia_scores o WHERE o.guild_id = trivia_scores.guild_id "
    "AND o.answered > 0 AND o.points > trivia_scores.points) FROM trivia_scores"
)
_SCORE_FOR_UPDATE = (  # the rank is not needed to add an answer
    "SELECT guild_id, user_id, points, correct, answered, streak, best_streak, 0 "
    "FROM trivia_scores WHERE guild_id = :guild_id AND user_id = :user_id"
)
_SAVE_SCORE = (
    "INSERT INTO trivia_scores(guild_id, user_id, points, correct, answered, streak, "
    "best_streak) VALUES (:guild_id, :user_id, :points, :correct, :answered, :streak, "
    ":best_streak) ON CONFLICT(guild_id, user_id) DO UPDATE SET "
    "points = excluded.points, correct = excluded.correct, answered = excluded.answered, "
    "streak = excluded.streak, best_streak = excluded.best_streak"
)


class TriviaStore(TriviaGameStore, TriviaSeasonStore):
    """Trivia rounds, answers and (all-time) scores, on the "trivia" lane; games, hints,
    options and seasons come from the two bases. Only the curated questions are written on
    the main lane, inside `replace_corpus`."""

    async def read_trivia(self) -> list[Question]:
        """The stored curated questions, in file order."""
        rows = await self._all(
            TRIVIA,
            f"SELECT {', '.join(TRIVIA_COLUMNS)} FROM trivia_questions ORDER BY source, line",
        )
        return [_trivia_question(r) for r in rows]

    async def trivia_round_seconds(self, guild_id: int) -> float | None:
        value = await self._scalar(
            TRIVIA,
            "SELECT round_seconds FROM trivia_settings WHERE guild_id = :guild_id",
            {"guild_id": guild_id},
        )
        return None if value is None else float(value)

    async def set_trivia_round_seconds(
        self, guild_id: int, seconds: float, by: int | None = None
    ) -> None:
        await self._run(
            TRIVIA,
            "INSERT INTO trivia_settings(guild_id, round_seconds, updated_by, updated_at) "
            "VALUES (:guild_id, :seconds, :by, :at) ON CONFLICT(guild_id) DO UPDATE SET "
            "round_seconds = excluded.round_seconds, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            {"guild_id": guild_id, "seconds": float(seconds), "by": by, "at": _now()},
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
        try:
            async with self._tx(TRIVIA) as tx:
                game_round = None
                if game_id is not None:
                    game_round = await _next_game_round(tx, game_id)
                    if game_round is None:
                        raise _NoRound
                opened = await tx.execute(
                    "INSERT INTO trivia_rounds(guild_id, channel_id, question_id, question, "
                    "choices, correct, started_at, ends_at, status, started_by, game_id, "
                    "game_round) SELECT CAST(:guild_id AS BIGINT), CAST(:channel_id AS BIGINT), "
                    "CAST(:question_id AS TEXT), CAST(:question AS TEXT), "
                    "CAST(:choices AS TEXT), CAST(:correct AS BIGINT), "
                    "CAST(:started_at AS TEXT), CAST(:ends_at AS TEXT), 'active', "
                    "CAST(:started_by AS BIGINT), CAST(:game_id AS BIGINT), "
                    "CAST(:game_round AS BIGINT) WHERE CAST(:game_id AS BIGINT) IS NOT NULL "
                    "OR NOT EXISTS (SELECT 1 FROM trivia_games WHERE channel_id = :channel_id "
                    "AND status = 'active') RETURNING id",
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
                round_id = opened.scalar()
                if round_id is None:  # a game runs in the channel
                    raise _NoRound
                await tx.execute(
                    "INSERT INTO trivia_seen(guild_id, question_id, seen_at) "
                    "VALUES (:guild_id, :question_id, :seen_at) "
                    "ON CONFLICT(guild_id, question_id) DO UPDATE SET seen_at = excluded.seen_at",
                    {"guild_id": guild_id, "question_id": question.id, "seen_at": _iso(started_at)},
                )
        except (_NoRound, *integrity_errors(self.kind)):  # type: ignore[misc]  # starred tuple
            return None
        return int(round_id)

    async def trivia_set_message(self, round_id: int, message_id: int) -> None:
        await self._run(
            TRIVIA,
            "UPDATE trivia_rounds SET message_id = :message_id WHERE id = :round_id",
            {"message_id": message_id, "round_id": round_id},
        )

    async def trivia_round(self, round_id: int) -> Round | None:
        row = await self._first(TRIVIA, f"{_ROUND_SELECT} WHERE id = :id", {"id": round_id})
        return None if row is None else _trivia_round(row)

    async def trivia_active_round(self, channel_id: int) -> Round | None:
        row = await self._first(
            TRIVIA,
            f"{_ROUND_SELECT} WHERE channel_id = :channel_id AND status = 'active'",
            {"channel_id": channel_id},
        )
        return None if row is None else _trivia_round(row)

    async def trivia_active_rounds(self) -> list[Round]:
        rows = await self._all(TRIVIA, f"{_ROUND_SELECT} WHERE status = 'active' ORDER BY id")
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
        changed = await self._run(
            TRIVIA,
            "INSERT INTO trivia_answers(round_id, user_id, choice, correct, points, answered_at) "
            "SELECT id, CAST(:user_id AS BIGINT), CAST(:choice AS BIGINT), "
            "CAST(:correct AS BIGINT), CASE WHEN EXISTS (SELECT 1 FROM trivia_hints h "
            "WHERE h.round_id = :round_id AND h.user_id = :user_id) "
            "THEN CAST(:hinted AS BIGINT) ELSE CAST(:points AS BIGINT) END, CAST(:at AS TEXT) "
            "FROM trivia_rounds WHERE id = :round_id AND status = 'active' AND ends_at > :at "
            "ON CONFLICT(round_id, user_id) DO NOTHING",
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
        row = await self._first(
            TRIVIA,
            f"{_ANSWER_SELECT} WHERE round_id = :round_id AND user_id = :user_id",
            {"round_id": round_id, "user_id": user_id},
        )
        kept = None if row is None else _trivia_answer(row)
        if changed.rowcount:
            return "recorded", kept
        return ("already", kept) if kept is not None else ("closed", None)

    async def trivia_answers(self, round_id: int) -> list[RoundAnswer]:
        rows = await self._all(
            TRIVIA,
            f"{_ANSWER_SELECT} WHERE round_id = :round_id ORDER BY answered_at, user_id",
            {"round_id": round_id},
        )
        return [_trivia_answer(r) for r in rows]

    async def trivia_end_round(
        self, round_id: int, *, cancel: bool = False
    ) -> list[RoundAnswer] | None:
        """Close an active round; a finished one adds its answers to the members' scores.

        All in one transaction, and only once: None when the round was not active (another
        task, or another process, ended it first).
        """
        status = "cancelled" if cancel else "finished"
        async with self._tx(TRIVIA) as tx:
            closed = await tx.execute(
                "UPDATE trivia_rounds SET status = :status WHERE id = :id "
                "AND status = 'active' RETURNING guild_id",
                {"status": status, "id": round_id},
            )
            found = closed.first()
            if found is None:  # nothing was written
                return None
            guild_id = int(found[0])
            found_answers = await tx.execute(
                f"{_ANSWER_SELECT} WHERE round_id = :id ORDER BY answered_at, user_id",
                {"id": round_id},
            )
            answers = [_trivia_answer(r) for r in found_answers.rows]
            if not cancel and answers:
                season = await season_for_scoring(tx, guild_id, _now())
                for answer in answers:
                    row = (
                        await tx.execute(
                            _SCORE_FOR_UPDATE + for_update(self.kind),
                            {"guild_id": guild_id, "user_id": answer.user_id},
                        )
                    ).first()
                    before = _trivia_score(row) if row else Score(guild_id, answer.user_id)
                    after = apply_answer(before, answer.correct, answer.points)
                    await tx.execute(
                        _SAVE_SCORE,
                        {
                            "guild_id": guild_id,
                            "user_id": answer.user_id,
                            "points": after.points,
                            "correct": after.correct,
                            "answered": after.answered,
                            "streak": after.streak,
                            "best_streak": after.best_streak,
                        },
                    )
                    await add_to_season(tx, guild_id, season, answer)
        return answers

    async def trivia_seen(self, guild_id: int) -> set[str]:
        rows = await self._all(
            TRIVIA,
            "SELECT question_id FROM trivia_seen WHERE guild_id = :guild_id",
            {"guild_id": guild_id},
        )
        return {r[0] for r in rows}

    async def trivia_forget_seen(self, guild_id: int, question_ids: Iterable[str]) -> None:
        """Start a new cycle through a pool the guild has seen all of."""
        params = [{"guild_id": guild_id, "question_id": qid} for qid in question_ids]
        if not params:
            return
        async with self._tx(TRIVIA) as tx:
            await tx.executemany(
                "DELETE FROM trivia_seen WHERE guild_id = :guild_id AND question_id = :question_id",
                params,
            )

    async def trivia_leaderboard(self, guild_id: int, limit: int = 10) -> list[Score]:
        rows = await self._all(
            TRIVIA,
            f"{_SCORE_SELECT} WHERE guild_id = :guild_id AND answered > 0 "
            "ORDER BY points DESC, correct DESC, user_id LIMIT :limit",
            {"guild_id": guild_id, "limit": limit},
        )
        return [_trivia_score(r) for r in rows]

    async def trivia_score(self, guild_id: int, user_id: int) -> Score | None:
        """A member's score with their rank (members with equal points share a rank)."""
        row = await self._first(
            TRIVIA,
            f"{_SCORE_SELECT} WHERE guild_id = :guild_id AND user_id = :user_id AND answered > 0",
            {"guild_id": guild_id, "user_id": user_id},
        )
        return None if row is None else _trivia_score(row)

    # --- export (issue 18) -------------------------------------------------------

    async def trivia_score_guilds(self) -> list[int]:
        """The servers with trivia scores: what `quotebot export` exports by default."""
        rows = await self._trivia_rows(
            "SELECT DISTINCT guild_id FROM trivia_scores WHERE answered > 0 ORDER BY guild_id"
        )
        return [int(r[0]) for r in rows]


class _NoRound(Exception):
    """No round opens (a game runs in the channel, or the game is over): roll back."""
