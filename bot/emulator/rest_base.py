"""What every REST route shares: Discord-shaped errors, JSON responses, auth and body checks,
and building or editing a message from a request (channel, webhook and interaction routes).

discord.py is picky about responses: JSON is parsed only when ``Content-Type`` is exactly
``application/json`` (aiohttp's ``json_response`` appends a charset).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .interactions import InteractionHandle
from .models import Attachment, Message, MessageFlag, iso_now
from .uploads import Body
from .validation import Problem, errors_object

if TYPE_CHECKING:
    from .server import DiscordEmulator

__all__ = [
    "BODY_KEY",
    "INVALID_WEBHOOK_TOKEN",
    "JSON",
    "MISSING_ACCESS",
    "MISSING_PERMISSIONS",
    "SETTABLE_FLAGS",
    "DiscordHTTPError",
    "RestBase",
    "json_response",
    "unknown",
]

JSON = dict[str, Any]
SETTABLE_FLAGS = (
    MessageFlag.SUPPRESS_EMBEDS | MessageFlag.SUPPRESS_NOTIFICATIONS | MessageFlag.IS_COMPONENTS_V2
)


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response with ``Content-Type: application/json`` and nothing appended."""
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class DiscordHTTPError(Exception):
    """Raised by handlers; becomes ``{"code": ..., "message": ...}`` with the HTTP status."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def response(self) -> web.Response:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(body, self.status)


def unknown(what: str, code: int) -> DiscordHTTPError:
    return DiscordHTTPError(404, code, f"Unknown {what}")


MISSING_ACCESS = DiscordHTTPError(403, 50001, "Missing Access")
MISSING_PERMISSIONS = DiscordHTTPError(403, 50013, "Missing Permissions")
INVALID_WEBHOOK_TOKEN = DiscordHTTPError(401, 50027, "Invalid Webhook Token")


BODY_KEY = web.RequestKey("emulator_body", Body)


class RestBase:
    """The emulator a route answers for, and the checks and message building routes share."""

    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emu = emulator

    def _auth(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bot {self.emu.token}":
            raise DiscordHTTPError(401, 0, "401: Unauthorized")

    def _app(self, request: web.Request) -> None:
        if request.match_info["app_id"] != str(self.emu.application.id):
            raise unknown("Application", 10002)

    def _invalid(self, request: web.Request, problems: Sequence[Problem]) -> None:
        """Record and reject: Discord answers invalid bodies with 400/50035."""
        if not problems:
            return
        route = f"{request.method} {request.path}"
        if any(p.code == "50006" for p in problems):
            self.emu.record_violation("empty_message", route, "Cannot send an empty message")
            raise DiscordHTTPError(400, 50006, "Cannot send an empty message")
        self.emu.record_violation("invalid_form_body", route, "Invalid Form Body", problems)
        raise DiscordHTTPError(400, 50035, "Invalid Form Body", errors_object(problems))

    @staticmethod
    def _body(request: web.Request) -> Body:
        return request[BODY_KEY]

    def _json_object(self, request: web.Request) -> JSON:
        data = self._body(request).json
        if not isinstance(data, dict):
            raise DiscordHTTPError(400, 50109, "The request body contains invalid JSON.")
        return data

    # messages (shared by channel, webhook and interaction routes)

    def _uploads(self, request: web.Request) -> dict[int, Attachment]:
        """Uploaded files by their index in ``files[n]``."""
        uploads: dict[int, Attachment] = {}
        for position, upload in enumerate(self._body(request).files):
            index = position if upload.index is None else upload.index
            uploads[index] = self.emu.new_attachment(
                upload.filename, upload.data, upload.content_type
            )
        return uploads

    def _attachments(
        self, request: web.Request, data: JSON, existing: list[Attachment]
    ) -> list[Attachment]:
        uploads = self._uploads(request)
        if "attachments" not in data:
            return [*existing, *uploads.values()]
        result: list[Attachment] = []
        known = {a.id: a for a in existing}
        for entry in data.get("attachments") or []:
            entry_id = int(entry["id"])
            if entry_id in known:
                result.append(known[entry_id])
            elif entry_id in uploads:
                attachment = uploads.pop(entry_id)
                if entry.get("filename"):
                    attachment.filename = entry["filename"]
                attachment.description = entry.get("description")
                result.append(attachment)
        result.extend(uploads.values())
        return result

    @staticmethod
    def _normalise_embeds(embeds: list[JSON]) -> list[JSON]:
        return [{"type": "rich", **e} for e in embeds]

    def _new_message(
        self,
        request: web.Request,
        data: JSON,
        *,
        channel_id: int,
        guild_id: int | None,
        flags: int,
        webhook: bool,
        interaction: InteractionHandle | None = None,
    ) -> Message:
        message = Message(
            id=self.emu.snowflake(),
            channel_id=channel_id,
            guild_id=guild_id,
            author=self.emu.bot_user,
            content=str(data.get("content") or ""),
            embeds=self._normalise_embeds(list(data.get("embeds") or [])),
            components=list(data.get("components") or []),
            attachments=self._attachments(request, data, []),
            flags=flags,
            allowed_mentions=data.get("allowed_mentions"),
            tts=bool(data.get("tts")),
            webhook_id=self.emu.application.id if webhook else None,
            interaction_id=None if interaction is None else interaction.id,
            message_reference=data.get("message_reference"),
        )
        return message

    def _apply_edit(self, request: web.Request, message: Message, data: JSON) -> None:
        if "content" in data:
            message.content = str(data["content"] or "")
        if "embeds" in data:
            message.embeds = self._normalise_embeds(list(data["embeds"] or []))
        if "components" in data:
            message.components = list(data["components"] or [])
        if "allowed_mentions" in data:
            message.allowed_mentions = data["allowed_mentions"]
        if "flags" in data and data["flags"] is not None:
            keep = message.flags & ~SETTABLE_FLAGS
            message.flags = keep | (int(data["flags"]) & SETTABLE_FLAGS)
        message.attachments = self._attachments(request, data, message.attachments)
        message.flags &= ~MessageFlag.LOADING
        message.edited_timestamp = iso_now()
        message.edits += 1
