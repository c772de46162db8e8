"""The admin audit trail and the uploads waiting for confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.store.base import StoreBase
from bot.store.rows import AdminAction, PendingImport

ADMIN = "admin"  # the lane: on the main one a row could join a reload's transaction


class AdminStore(StoreBase):
    """The audit trail and pending imports."""

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
        new_id = await self._scalar(
            ADMIN,
            "INSERT INTO admin_audit(at, user_id, user_name, guild_id, action, detail, result, "
            "message) VALUES (:at, :user_id, :user_name, :guild_id, :action, :detail, :result, "
            ":message) RETURNING id",
            {
                "at": when,
                "user_id": user_id,
                "user_name": user_name,
                "guild_id": guild_id,
                "action": action,
                "detail": detail,
                "result": result,
                "message": message,
            },
        )
        return int(new_id or 0)

    async def admin_actions(
        self, *, limit: int = 20, actions: Sequence[str] = (), results: Sequence[str] = ()
    ) -> list[AdminAction]:
        """Newest first, optionally only some actions and/or results."""
        where: list[str] = []
        params: dict[str, Any] = {"limit": limit}
        if actions:
            where.append("action IN :actions")
            params["actions"] = list(actions)
        if results:
            where.append("result IN :results")
            params["results"] = list(results)
        statement = (
            "SELECT id, at, user_id, user_name, guild_id, action, detail, result, message "
            "FROM admin_audit"
        )
        if where:
            statement += " WHERE " + " AND ".join(where)
        statement += " ORDER BY id DESC LIMIT :limit"
        rows = await self._all(ADMIN, statement, params)
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
        await self._run(
            ADMIN,
            "INSERT INTO pending_imports(token, user_id, created_at, filename, title, content) "
            "VALUES (:token, :user_id, :created_at, :filename, :title, :content)",
            {
                "token": token,
                "user_id": user_id,
                "created_at": at.astimezone(UTC).isoformat(),
                "filename": filename,
                "title": title,
                "content": content,
            },
        )

    async def take_pending_import(self, token: str, user_id: int) -> PendingImport | None:
        """Remove and return the upload `token` of `user_id`; None if it is gone or not theirs.

        One statement, so it is atomic: a double click confirms once.
        """
        row = await self._first(
            ADMIN,
            "DELETE FROM pending_imports WHERE token = :token AND user_id = :user_id "
            "RETURNING token, user_id, created_at, filename, title, content",
            {"token": token, "user_id": user_id},
        )
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
        owner = await self._scalar(
            ADMIN, "SELECT user_id FROM pending_imports WHERE token = :token", {"token": token}
        )
        return None if owner is None else int(owner)

    async def pending_import_count(self) -> int:
        """Uploads waiting for Confirm or Cancel."""
        return int(await self._scalar(ADMIN, "SELECT count(*) FROM pending_imports") or 0)

    async def admin_trivia_count(self) -> int:
        """Stored trivia questions, for /admin status."""
        return int(await self._scalar(ADMIN, "SELECT count(*) FROM trivia_questions") or 0)

    async def purge_pending_imports(self, before: datetime) -> int:
        """Forget uploads created before `before`; returns how many."""
        result = await self._run(
            ADMIN,
            "DELETE FROM pending_imports WHERE created_at < :before",
            {"before": before.astimezone(UTC).isoformat()},
        )
        return int(result.rowcount)
