"""The admin audit trail and the uploads waiting for confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.store.base import StoreBase
from bot.store.rows import AdminAction, PendingImport


class AdminStore(StoreBase):
    """The audit trail and pending imports."""

    # --- admin ------------------------------------------------------------------
    # Admin rows go through their own lane: on `self.conn` they could join a reload's
    # transaction (or end it on an error).

    async def record_admin_action(
        self,
        *,
        user_id: int,
        action: str,
        result: str,
        user_name: str = "",
        guild_id: int | None = None,
        detail: str = "",
        message: str = "",
        at: datetime | None = None,
    ) -> int:
        """Append one row to the audit trail; returns its id."""
        when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        conn = await self._lane("admin").connection()
        cur = await conn.execute(
            "INSERT INTO admin_audit(at, user_id, user_name, guild_id, action, detail, result, "
            "message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (when, user_id, user_name, guild_id, action, detail, result, message),
        )
        await cur.close()
        return int(cur.lastrowid or 0)

    async def admin_actions(
        self, *, limit: int = 20, actions: Sequence[str] = (), results: Sequence[str] = ()
    ) -> list[AdminAction]:
        """Newest first, optionally only some actions and/or results."""
        where: list[str] = []
        params: list[Any] = []
        if actions:
            where.append(f"action IN ({','.join('?' * len(actions))})")
            params.extend(actions)
        if results:
            where.append(f"result IN ({','.join('?' * len(results))})")
            params.extend(results)
        sql = (
            "SELECT id, at, user_id, user_name, guild_id, action, detail, result, message "
            "FROM admin_audit"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        conn = await self._lane("admin").connection()
        async with conn.execute(sql, (*params, limit)) as cur:
            rows = await cur.fetchall()
        return [
            AdminAction(
                id=r[0],
                at=datetime.fromisoformat(r[1]),
                user_id=r[2],
                user_name=r[3],
                guild_id=r[4],
                action=r[5],
                detail=r[6],
                result=r[7],
                message=r[8],
            )
            for r in rows
        ]

    async def save_pending_import(
        self, *, token: str, user_id: int, filename: str, title: str, content: bytes, at: datetime
    ) -> None:
        conn = await self._lane("admin").connection()
        await conn.execute(
            "INSERT INTO pending_imports(token, user_id, created_at, filename, title, content) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (token, user_id, at.astimezone(UTC).isoformat(), filename, title, content),
        )

    async def take_pending_import(self, token: str, user_id: int) -> PendingImport | None:
        """Remove and return the upload `token` of `user_id`; None if it is gone or not theirs.

        One statement, so it is atomic: a double click confirms once.
        """
        conn = await self._lane("admin").connection()
        async with conn.execute(
            "DELETE FROM pending_imports WHERE token = ? AND user_id = ? "
            "RETURNING token, user_id, created_at, filename, title, content",
            (token, user_id),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return PendingImport(
            token=row[0],
            user_id=row[1],
            created_at=datetime.fromisoformat(row[2]),
            filename=row[3],
            title=row[4],
            content=bytes(row[5]),
        )

    async def pending_import_owner(self, token: str) -> int | None:
        conn = await self._lane("admin").connection()
        async with conn.execute(
            "SELECT user_id FROM pending_imports WHERE token = ?", (token,)
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else int(row[0])

    async def admin_trivia_count(self) -> int:
        """Stored trivia questions, for /admin status."""
        conn = await self._lane("admin").connection()
        async with conn.execute("SELECT count(*) FROM trivia_questions") as cur:
            row = await cur.fetchone()
        return 0 if row is None else int(row[0])

    async def purge_pending_imports(self, before: datetime) -> int:
        """Forget uploads created before `before`; returns how many."""
        conn = await self._lane("admin").connection()
        cur = await conn.execute(
            "DELETE FROM pending_imports WHERE created_at < ?",
            (before.astimezone(UTC).isoformat(),),
        )
        await cur.close()
        return int(cur.rowcount)
