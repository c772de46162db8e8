"""Trivia seasons: numbered per server, the current one open; a member's score per season
beside the all-time score (`trivia_scores`). Named binds throughout."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from bot.store.dialect import Tx, for_update
from bot.store.rows import _trivia_score
from bot.store.trivia_base import TRIVIA, TriviaBase
from bot.trivia import RoundAnswer, Score, apply_answer
from bot.trivia.games import Season, season_name

_SEASON_SELECT = (
    "SELECT guild_id, number, name, started_at, ended_at, started_by FROM trivia_seasons"
)
_SEASON_SCORE_SELECT = (
    "SELECT guild_id, user_id, points, correct, answered, streak, best_streak, "
    "1 + (SELECT count(*) FROM trivia_season_scores o WHERE o.guild_id = s.guild_id "
    "AND o.season = s.season AND o.answered > 0 AND o.points > s.points) "
    "FROM trivia_season_scores s"
)
_ALL_TIME_SELECT = (
    "SELECT guild_id, user_id, points, correct, answered, streak, best_streak, "
    "1 + (SELECT count(*) FROM trivia_scores o WHERE o.guild_id = s.guild_id "
    "AND o.answered > 0 AND o.points > s.points) FROM trivia_scores s"
)
_BOARD_ORDER = "ORDER BY s.points DESC, s.correct DESC, s.user_id"


def _season(r: Any) -> Season:
    return Season(
        guild_id=int(r[0]),
        number=int(r[1]),
        name=str(r[2]),
        started_at=datetime.fromisoformat(r[3]),
        ended_at=None if r[4] is None else datetime.fromisoformat(r[4]),
        started_by=None if r[5] is None else int(r[5]),
    )


async def season_for_scoring(tx: Tx, guild_id: int, at: str) -> int:
    """Inside a transaction: the guild's current season, season 1 begun now if it has none."""
    current = await tx.execute(
        "SELECT max(number) FROM trivia_seasons WHERE guild_id = :guild_id AND ended_at IS NULL",
        {"guild_id": guild_id},
    )
    if current.scalar() is not None:
        return int(current.scalar())
    following = await tx.execute(
        "SELECT coalesce(max(number), 0) + 1 FROM trivia_seasons WHERE guild_id = :guild_id",
        {"guild_id": guild_id},
    )
    number = int(following.scalar() or 1)
    await tx.execute(
        "INSERT INTO trivia_seasons(guild_id, number, name, started_at, ended_at, started_by) "
        "VALUES (:guild_id, :number, :name, :at, NULL, NULL)",
        {"guild_id": guild_id, "number": number, "name": season_name(number, None), "at": at},
    )
    return number


async def add_to_season(tx: Tx, guild_id: int, season: int, answer: RoundAnswer) -> None:
    """Inside `trivia_end_round`'s transaction: one answer added to the member's season."""
    keys = {"guild_id": guild_id, "season": season, "user_id": answer.user_id}
    found = (
        await tx.execute(
            "SELECT guild_id, user_id, points, correct, answered, streak, best_streak, 0 "
            "FROM trivia_season_scores WHERE guild_id = :guild_id AND season = :season "
            "AND user_id = :user_id" + for_update(tx.kind),
            keys,
        )
    ).first()
    before = _trivia_score(found) if found else Score(guild_id, answer.user_id)
    after = apply_answer(before, answer.correct, answer.points)
    await tx.execute(
        "INSERT INTO trivia_season_scores(guild_id, season, user_id, points, correct, answered, "
        "streak, best_streak) VALUES (:guild_id, :season, :user_id, :points, :correct, "
        ":answered, :streak, :best_streak) ON CONFLICT(guild_id, season, user_id) DO UPDATE "
        "SET points = excluded.points, correct = excluded.correct, answered = excluded.answered, "
        "streak = excluded.streak, best_streak = excluded.best_streak",
        {
            **keys,
            "points": after.points,
            "correct": after.correct,
            "answered": after.answered,
            "streak": after.streak,
            "best_streak": after.best_streak,
        },
    )


class TriviaSeasonStore(TriviaBase):
    """Seasons and the leaderboards by season or all-time."""

    async def trivia_seasons(self, guild_id: int) -> list[Season]:
        """Every season of the guild, the newest first."""
        rows = await self._trivia_rows(
            f"{_SEASON_SELECT} WHERE guild_id = :guild_id ORDER BY number DESC",
            {"guild_id": guild_id},
        )
        return [_season(r) for r in rows]

    async def trivia_season(self, guild_id: int, number: int | None = None) -> Season | None:
        """Season `number`, or the current one (None when the guild has none yet)."""
        where = "number = :number" if number is not None else "ended_at IS NULL"
        rows = await self._trivia_rows(
            f"{_SEASON_SELECT} WHERE guild_id = :guild_id AND {where} ORDER BY number DESC",
            {"guild_id": guild_id, "number": number},
        )
        return _season(rows[0]) if rows else None

    async def trivia_start_season(
        self, guild_id: int, name: str | None, by: int | None, at: datetime
    ) -> tuple[Season | None, Season]:
        """Close the current season (if any) and open the next: (closed, opened), at once."""
        when = at.isoformat(timespec="seconds")
        async with self._tx(TRIVIA) as tx:
            open_row = (
                await tx.execute(
                    f"{_SEASON_SELECT} WHERE guild_id = :guild_id AND ended_at IS NULL",
                    {"guild_id": guild_id},
                )
            ).first()
            last = await tx.execute(
                "SELECT coalesce(max(number), 0) FROM trivia_seasons WHERE guild_id = :guild_id",
                {"guild_id": guild_id},
            )
            number = int(last.scalar() or 0) + 1
            await tx.execute(
                "UPDATE trivia_seasons SET ended_at = :at "
                "WHERE guild_id = :guild_id AND ended_at IS NULL",
                {"guild_id": guild_id, "at": when},
            )
            opened = Season(guild_id, number, season_name(number, name), at, None, by)
            await tx.execute(
                "INSERT INTO trivia_seasons(guild_id, number, name, started_at, ended_at, "
                "started_by) VALUES (:guild_id, :number, :name, :at, NULL, :by)",
                {"guild_id": guild_id, "number": number, "name": opened.name, "at": when, "by": by},
            )
        closed = None
        if open_row is not None:
            closed = _season((*open_row[:4], when, open_row[5]))
        return closed, opened

    @staticmethod
    def _board_source(season: int | Literal["all-time"]) -> tuple[str, str, dict[str, Any]]:
        """(the scores with ranks, the table alone, binds), both filtered to the board."""
        if season == "all-time":
            where = " WHERE s.guild_id = :guild_id AND s.answered > 0"
            return _ALL_TIME_SELECT + where, "trivia_scores s" + where, {}
        where = " WHERE s.guild_id = :guild_id AND s.season = :season AND s.answered > 0"
        return _SEASON_SCORE_SELECT + where, "trivia_season_scores s" + where, {"season": season}

    async def trivia_board(
        self,
        guild_id: int,
        season: int | Literal["all-time"],
        *,
        offset: int = 0,
        limit: int = 10,
    ) -> tuple[list[Score], int]:
        """One page of a leaderboard (a season's or all-time) and how many members it has."""
        select, table, binds = self._board_source(season)
        params = {**binds, "guild_id": guild_id, "offset": offset, "limit": limit}
        rows = await self._trivia_rows(
            f"{select} {_BOARD_ORDER} LIMIT :limit OFFSET :offset", params
        )
        counted = await self._trivia_rows(f"SELECT count(*) FROM {table}", params)
        return [_trivia_score(r) for r in rows], int(counted[0][0])

    async def trivia_member_score(
        self, guild_id: int, user_id: int, season: int | Literal["all-time"]
    ) -> Score | None:
        """A member's score and rank on a leaderboard (equal points share a rank)."""
        select, _, binds = self._board_source(season)
        rows = await self._trivia_rows(
            f"{select} AND s.user_id = :user_id",
            {**binds, "guild_id": guild_id, "user_id": user_id},
        )
        return _trivia_score(rows[0]) if rows else None
