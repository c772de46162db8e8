"""Trivia games (rounds in a row), hints and per-server options. Named binds throughout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.store.base import _now
from bot.store.dialect import GAME_IDS_LOCK, Tx, integrity_errors, serialise
from bot.store.rows import _iso, _trivia_answer, _trivia_round
from bot.store.trivia_base import _ROUND_SELECT, TRIVIA, TriviaBase
from bot.trivia import Round, RoundAnswer
from bot.trivia.games import Game, TriviaOptions

_GAME_COLUMNS = (
    "id, guild_id, channel_id, total, played, topic, difficulty, status, started_by, "
    "started_at, next_at"
)
_GAME_SELECT = f"SELECT {_GAME_COLUMNS} FROM trivia_games"


def _game(r: Any) -> Game:
    return Game(
        id=int(r[0]),
        guild_id=int(r[1]),
        channel_id=int(r[2]),
        total=int(r[3]),
        played=int(r[4]),
        topic=r[5],
        difficulty=r[6],
        status=r[7],
        started_by=None if r[8] is None else int(r[8]),
        started_at=datetime.fromisoformat(r[9]),
        next_at=None if r[10] is None else datetime.fromisoformat(r[10]),
    )


async def _next_game_round(tx: Tx, game_id: int) -> int | None:
    """Inside `trivia_start_round`'s transaction: count one more round of an active game
    and return its number; None when the game is over or not active."""
    counted = await tx.execute(
        "UPDATE trivia_games SET played = played + 1, next_at = NULL "
        "WHERE id = :game_id AND status = 'active' AND played < total RETURNING played",
        {"game_id": game_id},
    )
    played = counted.scalar()
    return None if played is None else int(played)


class TriviaGameStore(TriviaBase):
    """Games, hints and options."""

    # --- games ------------------------------------------------------------------

    async def trivia_start_game(
        self,
        *,
        guild_id: int,
        channel_id: int,
        total: int,
        topic: str | None,
        difficulty: str | None,
        started_by: int | None,
        at: datetime,
    ) -> int | None:
        """Open a game (its rounds are started one by one); None when the channel already
        has a game or a round running."""
        try:
            async with self._tx(TRIVIA) as tx:
                await serialise(tx, GAME_IDS_LOCK)  # two processes must not take one new id
                row = (
                    await tx.execute(
                        "SELECT (SELECT count(*) FROM trivia_games WHERE channel_id = :channel_id "
                        "AND status = 'active') + (SELECT count(*) FROM trivia_rounds "
                        "WHERE channel_id = :channel_id AND status = 'active'), "
                        "(SELECT coalesce(max(id), 0) + 1 FROM trivia_games)",
                        {"channel_id": channel_id},
                    )
                ).first()
                if int(row[0]):
                    return None
                game_id = int(row[1])
                await tx.execute(
                    "INSERT INTO trivia_games(id, guild_id, channel_id, total, played, topic, "
                    "difficulty, status, started_by, started_at, next_at) VALUES (:id, "
                    ":guild_id, :channel_id, :total, 0, :topic, :difficulty, 'active', "
                    ":started_by, :at, :at)",
                    {
                        "id": game_id,
                        "guild_id": guild_id,
                        "channel_id": channel_id,
                        "total": total,
                        "topic": topic,
                        "difficulty": difficulty,
                        "started_by": started_by,
                        "at": _iso(at),
                    },
                )
        except integrity_errors(self.kind):  # another process opened one in this channel
            return None
        return game_id

    async def trivia_game(self, game_id: int) -> Game | None:
        rows = await self._trivia_rows(f"{_GAME_SELECT} WHERE id = :id", {"id": game_id})
        return _game(rows[0]) if rows else None

    async def trivia_active_game(self, channel_id: int) -> Game | None:
        rows = await self._trivia_rows(
            f"{_GAME_SELECT} WHERE channel_id = :channel_id AND status = 'active'",
            {"channel_id": channel_id},
        )
        return _game(rows[0]) if rows else None

    async def trivia_active_games(self) -> list[Game]:
        rows = await self._trivia_rows(f"{_GAME_SELECT} WHERE status = 'active' ORDER BY id")
        return [_game(r) for r in rows]

    async def trivia_game_next_at(self, game_id: int, at: datetime) -> None:
        """When the game's next round starts (kept so a restart keeps the pause)."""
        await self._trivia_write(
            "UPDATE trivia_games SET next_at = :at WHERE id = :id AND status = 'active'",
            {"id": game_id, "at": _iso(at)},
        )

    async def trivia_end_game(
        self, game_id: int, *, cancel: bool = False, final: bool = False, note: str | None = None
    ) -> bool:
        """Close an active game, once: False when something else ended it first.

        With `final`, its final table (under `note`) is due from the same write until
        `trivia_final_posted`: a process that dies between the close and the post leaves
        it in `trivia_finals_due` for the next start."""
        changed = await self._trivia_write(
            "UPDATE trivia_games SET status = :status, next_at = NULL, final_due = :due, "
            "final_note = :note WHERE id = :id AND status = 'active'",
            {
                "id": game_id,
                "status": "cancelled" if cancel else "finished",
                "due": int(final),
                "note": note if final else None,
            },
        )
        return changed > 0

    async def trivia_finals_due(self) -> list[tuple[Game, str | None]]:
        """Closed games whose final table was not posted yet, with the note to show above."""
        rows = await self._trivia_rows(
            f"SELECT {_GAME_COLUMNS}, final_note FROM trivia_games WHERE final_due = 1 ORDER BY id"
        )
        return [(_game(r), r[11]) for r in rows]

    async def trivia_final_posted(self, game_id: int) -> bool:
        """The game's final table went out (or never can): no longer due. False when it was
        not due."""
        changed = await self._trivia_write(
            "UPDATE trivia_games SET final_due = 0 WHERE id = :id AND final_due = 1",
            {"id": game_id},
        )
        return changed > 0

    async def trivia_game_rounds(self, game_id: int) -> list[Round]:
        rows = await self._trivia_rows(
            f"{_ROUND_SELECT} WHERE game_id = :game_id ORDER BY game_round",
            {"game_id": game_id},
        )
        return [_trivia_round(r) for r in rows]

    async def trivia_game_answers(self, game_id: int) -> list[tuple[Round, RoundAnswer]]:
        """Every answer of the game's finished rounds, with its round."""
        rounds = {r.id: r for r in await self.trivia_game_rounds(game_id)}
        rows = await self._trivia_rows(
            "SELECT a.round_id, a.user_id, a.choice, a.correct, a.points, a.answered_at "
            "FROM trivia_answers a JOIN trivia_rounds r ON r.id = a.round_id "
            "WHERE r.game_id = :game_id AND r.status = 'finished' "
            "ORDER BY r.game_round, a.answered_at, a.user_id",
            {"game_id": game_id},
        )
        return [(rounds[int(r[0])], _trivia_answer(r[1:])) for r in rows]

    # --- hints ------------------------------------------------------------------

    async def trivia_use_hint(self, round_id: int, user_id: int, at: datetime) -> str:
        """A member asks for a round's hint: "used" (first time), "again" (they had it
        already: shown again at no further cost), "answered" (too late: they answered),
        or "closed" (the round is over)."""
        when = _iso(at)
        changed = await self._trivia_write(
            "INSERT INTO trivia_hints(round_id, user_id, used_at) "
            "SELECT CAST(:round_id AS BIGINT), CAST(:user_id AS BIGINT), CAST(:at AS TEXT) "
            "FROM trivia_rounds "
            "WHERE id = :round_id AND status = 'active' AND ends_at > :at "
            "AND NOT EXISTS (SELECT 1 FROM trivia_answers a WHERE a.round_id = :round_id "
            "AND a.user_id = :user_id) "
            "AND NOT EXISTS (SELECT 1 FROM trivia_hints h WHERE h.round_id = :round_id "
            "AND h.user_id = :user_id)",
            {"round_id": round_id, "user_id": user_id, "at": when},
        )
        if changed:
            return "used"
        rows = await self._trivia_rows(
            "SELECT (SELECT count(*) FROM trivia_hints WHERE round_id = :round_id "
            "AND user_id = :user_id), (SELECT count(*) FROM trivia_answers "
            "WHERE round_id = :round_id AND user_id = :user_id)",
            {"round_id": round_id, "user_id": user_id},
        )
        hinted, answered = int(rows[0][0]), int(rows[0][1])
        if answered:
            return "answered"
        return "again" if hinted else "closed"

    async def trivia_hinted(self, round_id: int) -> set[int]:
        """Members who used the round's hint."""
        rows = await self._trivia_rows(
            "SELECT user_id FROM trivia_hints WHERE round_id = :round_id", {"round_id": round_id}
        )
        return {int(r[0]) for r in rows}

    # --- options ----------------------------------------------------------------

    async def trivia_options(self, guild_id: int, default_seconds: float) -> TriviaOptions:
        """The server's trivia settings, defaults where it set none."""
        rows = await self._trivia_rows(
            "SELECT (SELECT round_seconds FROM trivia_settings WHERE guild_id = :guild_id), "
            "o.right_points, o.reveal_evidence, o.use_generated FROM (SELECT 1 AS one) d "
            "LEFT JOIN trivia_options o ON o.guild_id = :guild_id",
            {"guild_id": guild_id},
        )
        seconds, points, reveal, generated = rows[0]
        default = TriviaOptions()
        return TriviaOptions(
            round_seconds=float(seconds) if seconds is not None else default_seconds,
            right_points=int(points) if points is not None else default.right_points,
            reveal_evidence=bool(reveal) if reveal is not None else default.reveal_evidence,
            use_generated=bool(generated) if generated is not None else default.use_generated,
        )

    async def set_trivia_options(
        self,
        guild_id: int,
        by: int | None,
        *,
        right_points: int | None = None,
        reveal_evidence: bool | None = None,
        use_generated: bool | None = None,
    ) -> None:
        """Change the options given (None leaves one as it is)."""
        await self._trivia_write(
            "INSERT INTO trivia_options(guild_id, right_points, reveal_evidence, use_generated, "
            "updated_by, updated_at) VALUES (:guild_id, :points, :reveal, :generated, :by, :at) "
            "ON CONFLICT(guild_id) DO UPDATE SET "
            "right_points = coalesce(excluded.right_points, trivia_options.right_points), "
            "reveal_evidence = coalesce(excluded.reveal_evidence, trivia_options.reveal_evidence), "
            "use_generated = coalesce(excluded.use_generated, trivia_options.use_generated), "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            {
                "guild_id": guild_id,
                "points": right_points,
                "reveal": None if reveal_evidence is None else int(reveal_evidence),
                "generated": None if use_generated is None else int(use_generated),
                "by": by,
                "at": _now(),
            },
        )
