"""The REST half of the emulator (``/api/v10``): routes, Discord-shaped errors, rate-limit headers.

discord.py is picky about responses: JSON is parsed only when ``Content-Type`` is exactly
``application/json`` (aiohttp's ``json_response`` appends a charset), and a 429 is retried only
when it carries a ``Via`` header (otherwise it assumes a Cloudflare ban).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .interactions import Callback, InteractionHandle, InteractionType, ResponseType
from .models import (
    Attachment,
    Channel,
    Guild,
    Message,
    MessageFlag,
    Permission,
    Thread,
    iso_now,
)
from .uploads import Body, BodyRejected, read_body
from .validation import (
    COMMANDS_PER_TYPE_MAX,
    Problem,
    errors_object,
    validate_application_command,
    validate_application_commands,
    validate_autocomplete,
    validate_followup,
    validate_message,
    validate_modal,
)

if TYPE_CHECKING:
    from .server import DiscordEmulator

__all__ = ["DiscordHTTPError", "RestApi", "json_response"]

JSON = dict[str, Any]
API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

THREAD_NAME_MAX = 100
THREAD_ARCHIVE_MINUTES = (60, 1440, 4320, 10080)
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


class RestApi:
    """Installs the routes and the middleware that records requests and injects faults."""

    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emu = emulator

    # plumbing

    def install(self, app: web.Application) -> None:
        app.middlewares.append(self._middleware)
        r = app.router
        p = API_PREFIX
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/{user_id}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/applications/{app_id}/commands", self.list_commands),
            ("PUT", "/applications/{app_id}/commands", self.put_commands),
            ("POST", "/applications/{app_id}/commands", self.post_command),
            ("GET", "/applications/{app_id}/commands/{command_id}", self.get_command),
            ("PATCH", "/applications/{app_id}/commands/{command_id}", self.patch_command),
            ("DELETE", "/applications/{app_id}/commands/{command_id}", self.delete_command),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self.list_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self.put_commands),
            ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", self.post_command),
            (
                "GET",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self.get_command,
            ),
            (
                "PATCH",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self.patch_command,
            ),
            (
                "DELETE",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self.delete_command,
            ),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self.webhook_execute),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self.webhook_get),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self.webhook_edit),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self.webhook_delete),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("POST", "/channels/{channel_id}/typing", self.typing),
            ("GET", "/channels/{channel_id}/messages", self.list_messages),
            ("POST", "/channels/{channel_id}/messages", self.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.start_thread),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self.get_guild_roles),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_guild_member),
        ]
        for method, path, handler in routes:
            r.add_route(method, p + path, handler)
        r.add_get("/attachments/{attachment_id}/{filename}", self.get_attachment)

    @staticmethod
    def _bucket(request: web.Request) -> str:
        template = (
            request.match_info.route.resource.canonical
            if request.match_info.route.resource
            else request.path
        )
        return hashlib.sha1(f"{request.method} {template}".encode()).hexdigest()[:16]

    def _ratelimit_headers(self, request: web.Request, remaining: int) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": self._bucket(request),
        }

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        path = request.path[len(API_PREFIX) :]
        try:
            body = await read_body(request, self.emu.upload_limits)
        except BodyRejected as exc:
            if exc.too_large:
                route = f"{request.method} {request.path}"
                self.emu.record_violation("request_entity_too_large", route, exc.detail)
            return DiscordHTTPError(exc.status, exc.code, exc.message).response()
        request[BODY_KEY] = body
        files = [Attachment(0, f.filename, f.data, "", f.content_type) for f in body.files]
        record = self.emu._record_request(
            request.method, path, dict(request.query), body.json, files
        )
        fault = self.emu.take_fault(request.method, path)
        response: web.StreamResponse
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.status == 429:
            response = json_response(
                {
                    "message": "You are being rate limited.",
                    "retry_after": fault.retry_after,
                    "global": False,
                    "code": 0,
                },
                429,
                {
                    **self._ratelimit_headers(request, 0),
                    "Retry-After": str(max(1, round(fault.retry_after))),
                    "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                    "X-RateLimit-Scope": "user",
                    "Via": "1.1 google",
                },
            )
        elif fault is not None and fault.status >= 400:
            response = json_response(
                {"message": f"{fault.status}: injected fault", "code": 0}, fault.status
            )
        else:
            try:
                response = await handler(request)
            except DiscordHTTPError as exc:
                response = exc.response()
            except web.HTTPNotFound:
                response = json_response({"message": "404: Not Found", "code": 0}, 404)
            except web.HTTPMethodNotAllowed:
                response = json_response({"message": "405: Method Not Allowed", "code": 0}, 405)
        if response.status != 429:
            response.headers.update(self._ratelimit_headers(request, 49))
        record.status = response.status
        if fault is not None and fault.answer_delay:
            await asyncio.sleep(fault.answer_delay)  # done, but the answer is late (or lost)
        return response

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

    # misc

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.emu.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        self._auth(request)
        return json_response(
            {
                "url": self.emu.gateway_url,
                "shards": self.emu.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def get_me(self, request: web.Request) -> web.Response:
        self._auth(request)
        return json_response(
            {**self.emu.bot_user.to_payload(), "verified": True, "mfa_enabled": False}
        )

    async def get_user(self, request: web.Request) -> web.Response:
        self._auth(request)
        user = self.emu.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise unknown("User", 10013)
        return json_response(user.to_payload())

    async def get_application(self, request: web.Request) -> web.Response:
        self._auth(request)
        return json_response(self.emu.application.to_payload())

    async def get_attachment(self, request: web.Request) -> web.Response:
        attachment = self.emu.attachments.get(int(request.match_info["attachment_id"]))
        if attachment is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=attachment.data, content_type=attachment.content_type or "application/octet-stream"
        )

    # application commands

    def _scope(self, request: web.Request) -> dict[int, JSON]:
        self._auth(request)
        self._app(request)
        guild_id = request.match_info.get("guild_id")
        if guild_id is None:
            return self.emu.commands[None]
        if int(guild_id) not in self.emu.guilds:
            raise DiscordHTTPError(403, 50001, "Missing Access")
        return self.emu.commands.setdefault(int(guild_id), {})

    def _command_payload(self, request: web.Request, data: JSON, existing: JSON | None) -> JSON:
        guild_id = request.match_info.get("guild_id")
        command: JSON = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **data,
            "id": existing["id"] if existing else str(self.emu.snowflake()),
            "application_id": str(self.emu.application.id),
            "version": str(self.emu.snowflake()),
        }
        if guild_id is not None:
            command["guild_id"] = guild_id
        return command

    async def list_commands(self, request: web.Request) -> web.Response:
        return json_response(list(self._scope(request).values()))

    async def put_commands(self, request: web.Request) -> web.Response:
        """Bulk overwrite: the new set replaces the old; same (type, name) keeps its id."""
        scope = self._scope(request)
        data = self._body(request).json
        self._invalid(request, validate_application_commands(data))
        by_key = {(c.get("type", 1), c["name"]): c for c in scope.values()}
        new = [
            self._command_payload(request, c, by_key.get((c.get("type", 1), c["name"])))
            for c in data
        ]
        scope.clear()
        scope.update({int(c["id"]): c for c in new})
        self.emu.notify()
        return json_response(new)

    async def post_command(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        data = self._json_object(request)
        self._invalid(request, validate_application_command(data))
        existing = next(
            (
                c
                for c in scope.values()
                if c["name"] == data.get("name") and c.get("type", 1) == data.get("type", 1)
            ),
            None,
        )
        kind = data.get("type", 1)
        limit = COMMANDS_PER_TYPE_MAX.get(kind, 0)
        if existing is None and sum(c.get("type", 1) == kind for c in scope.values()) >= limit:
            raise DiscordHTTPError(
                400, 30032, f"Maximum number of application commands reached ({limit})"
            )
        command = self._command_payload(request, data, existing)
        scope[int(command["id"])] = command
        self.emu.notify()
        return json_response(command, 200 if existing else 201)

    def _command(self, request: web.Request) -> tuple[dict[int, JSON], JSON]:
        scope = self._scope(request)
        command = scope.get(int(request.match_info["command_id"]))
        if command is None:
            raise unknown("application command", 10063)
        return scope, command

    async def get_command(self, request: web.Request) -> web.Response:
        return json_response(self._command(request)[1])

    async def patch_command(self, request: web.Request) -> web.Response:
        scope, command = self._command(request)
        merged = {**command, **self._json_object(request)}
        self._invalid(request, validate_application_command(merged))
        updated = self._command_payload(request, merged, command)
        scope[int(updated["id"])] = updated
        self.emu.notify()
        return json_response(updated)

    async def delete_command(self, request: web.Request) -> web.Response:
        scope, command = self._command(request)
        del scope[int(command["id"])]
        self.emu.notify()
        return web.Response(status=204)

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

    # channels

    def _channel(self, request: web.Request, needed: int = Permission.VIEW_CHANNEL) -> Channel:
        self._auth(request)
        channel = self.emu.channels.get(int(request.match_info["channel_id"]))
        if channel is None:
            raise unknown("Channel", 10003)
        perms = self.emu.permissions_for(self.emu.bot_user.id, channel)
        if not perms & Permission.VIEW_CHANNEL:
            raise MISSING_ACCESS
        if perms & needed != needed:
            raise MISSING_PERMISSIONS
        return channel

    def _channel_message(self, request: web.Request, channel_id: int) -> Message:
        message = self.emu.get_message(int(request.match_info["message_id"]))
        if (
            message is None
            or message.deleted
            or message.channel_id != channel_id
            or message.ephemeral
        ):
            raise unknown("Message", 10008)
        return message

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).to_payload())

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(request, Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES)
        return web.Response(status=204)

    async def list_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(request, Permission.VIEW_CHANNEL | Permission.READ_MESSAGE_HISTORY)
        limit = max(1, min(100, int(request.query.get("limit", "50"))))
        messages = self.emu.messages(channel.id, ephemeral=False)
        if "before" in request.query:
            messages = [m for m in messages if m.id < int(request.query["before"])]
        if "after" in request.query:
            after = [m for m in messages if m.id > int(request.query["after"])]
            return json_response([m.to_payload() for m in reversed(after[:limit])])
        return json_response([m.to_payload() for m in reversed(messages[-limit:])])

    async def create_message(self, request: web.Request) -> web.Response:
        data = self._json_object(request) if self._body(request).json is not None else {}
        needed = Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES
        if data.get("embeds"):
            needed |= Permission.EMBED_LINKS
        if self._body(request).files:
            needed |= Permission.ATTACH_FILES
        channel = self._channel(request, needed)
        if self._body(request).files and "attachments" not in data:
            data["attachments"] = [{"id": i} for i in range(len(self._body(request).files))]
        self._invalid(request, validate_message(data, uploads=len(self._body(request).files)))
        reference = data.get("message_reference")
        if reference is not None:
            target = self.emu.get_message(int(reference.get("message_id") or 0))
            if target is None or target.deleted:
                if reference.get("fail_if_not_exists", True):
                    problem = Problem(
                        ("message_reference",),
                        "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                        "Unknown message",
                    )
                    raise DiscordHTTPError(
                        400, 50035, "Invalid Form Body", errors_object([problem])
                    )
                data = {**data, "message_reference": None}
        nonce = None if data.get("nonce") is None else str(data["nonce"])
        if nonce is not None and data.get("enforce_nonce"):
            earlier = self.emu.message_for_nonce(nonce)
            if earlier is not None:  # Discord returns the first message, creates nothing
                return json_response(earlier.to_payload())
        flags = int(data.get("flags") or 0) & SETTABLE_FLAGS
        message = self._new_message(
            request,
            data,
            channel_id=channel.id,
            guild_id=channel.guild_id,
            flags=flags,
            webhook=False,
        )
        message.nonce = nonce
        self.emu.store_message(message)
        self.emu.remember_nonce(message)
        return json_response(message.to_payload())

    async def get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request, Permission.VIEW_CHANNEL | Permission.READ_MESSAGE_HISTORY)
        return json_response(self._channel_message(request, channel.id).to_payload())

    async def edit_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._channel_message(request, channel.id)
        if message.author.id != self.emu.bot_user.id:
            raise DiscordHTTPError(403, 50005, "Cannot edit a message authored by another user")
        data = self._json_object(request)
        uploads = len(self._body(request).files)
        self._invalid(request, validate_message(data, require_body=False, uploads=uploads))
        self._apply_edit(request, message, data)
        self.emu.message_updated(message)
        return json_response(message.to_payload())

    async def delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._channel_message(request, channel.id)
        if message.author.id != self.emu.bot_user.id:
            perms = self.emu.permissions_for(self.emu.bot_user.id, channel)
            if not perms & Permission.MANAGE_MESSAGES:
                raise MISSING_PERMISSIONS
        self.emu.message_deleted(message)
        return web.Response(status=204)

    async def start_thread(self, request: web.Request) -> web.Response:
        """Start a public thread from a message: Create Public Threads, one thread per message."""
        channel = self._channel(request, Permission.VIEW_CHANNEL | Permission.CREATE_PUBLIC_THREADS)
        message = self._channel_message(request, channel.id)
        data = self._json_object(request)
        name = data.get("name")
        duration = data.get("auto_archive_duration", 4320)
        problems = []
        if not isinstance(name, str) or not 1 <= len(name) <= THREAD_NAME_MAX:
            problems.append(
                Problem(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            )
        if duration not in THREAD_ARCHIVE_MINUTES:
            problems.append(
                Problem(
                    ("auto_archive_duration",),
                    "BASE_TYPE_CHOICES",
                    "Value must be one of {60, 1440, 4320, 10080}.",
                )
            )
        self._invalid(request, problems)
        if message.thread is not None:
            raise DiscordHTTPError(
                400, 160004, "A thread has already been created for this message"
            )
        assert isinstance(name, str)
        message.thread = Thread(
            message.id, channel.guild_id, channel.id, self.emu.bot_user.id, name, int(duration)
        )
        self.emu.notify()
        return json_response(message.thread.to_payload(), 201)

    # guilds

    def _guild(self, request: web.Request) -> Guild:
        self._auth(request)
        guild = self.emu.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            raise unknown("Guild", 10004)
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        payload = self._guild(request).to_payload()
        for key in ("members", "channels", "voice_states", "presences", "threads", "joined_at"):
            payload.pop(key, None)
        return json_response(payload)

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response([c.to_payload() for c in guild.channels.values()])

    async def get_guild_roles(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_response([r.to_payload() for r in guild.roles.values()])

    async def get_guild_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        member = guild.members.get(int(request.match_info["user_id"]))
        if member is None:
            raise unknown("Member", 10007)
        return json_response(member.to_payload())

    # interactions

    async def interaction_callback(self, request: web.Request) -> web.Response:
        emu = self.emu
        route = f"POST {request.path}"
        handle = emu.interactions.get(int(request.match_info["interaction_id"]))
        if handle is None or handle.token != request.match_info["token"]:
            raise unknown("interaction", 10062)
        elapsed = handle.elapsed()
        if handle.acknowledged:
            emu.record_violation(
                "interaction_already_acknowledged", route, f"interaction {handle.id} answered twice"
            )
            raise DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > emu.interaction_deadline:
            emu.record_violation(
                "slow_interaction_response",
                route,
                f"first response after {elapsed:.2f}s (limit {emu.interaction_deadline:.1f}s)",
            )
            raise unknown("interaction", 10062)
        body = self._json_object(request)
        raw_type = body.get("type")
        kind = raw_type if isinstance(raw_type, int) and not isinstance(raw_type, bool) else 0
        raw_data = body.get("data")
        if kind not in (ResponseType.AUTOCOMPLETE_RESULT, ResponseType.MODAL):
            # The message-like responses; types 8 and 9 check their ``data`` themselves.
            if raw_data is not None and not isinstance(raw_data, dict):
                problem = Problem(
                    ("data",), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"
                )
                self._invalid(request, [problem])
            self._invalid(request, validate_message(raw_data or {}, require_body=False))
        data: JSON = dict(raw_data) if isinstance(raw_data, dict) else {}
        uploads = len(self._body(request).files)
        allowed = {
            InteractionType.APPLICATION_COMMAND: {4, 5, 9},
            InteractionType.MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
            InteractionType.AUTOCOMPLETE: {8},
            InteractionType.MODAL_SUBMIT: {4, 5, 6, 7},
        }.get(handle.type, set())
        if kind not in allowed:
            problem = Problem(
                ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", f"type {kind} not allowed"
            )
            self._invalid(request, [problem])
        if kind in (6, 7) and handle.source_message_id is None:
            problem = Problem(
                ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "no message to update"
            )
            self._invalid(request, [problem])

        resource: JSON = {"type": kind}
        message: Message | None = None
        if kind == ResponseType.CHANNEL_MESSAGE:
            self._invalid(request, validate_message(data, uploads=uploads))
            flags = int(data.get("flags") or 0) & (SETTABLE_FLAGS | MessageFlag.EPHEMERAL)
            message = self._new_message(
                request,
                data,
                channel_id=handle.channel_id,
                guild_id=handle.guild_id,
                flags=flags,
                webhook=True,
                interaction=handle,
            )
            emu.store_message(message)
            handle.original_message_id = message.id
        elif kind == ResponseType.DEFERRED_CHANNEL_MESSAGE:
            flags = MessageFlag.LOADING | (int(data.get("flags") or 0) & MessageFlag.EPHEMERAL)
            message = self._new_message(
                request,
                {},
                channel_id=handle.channel_id,
                guild_id=handle.guild_id,
                flags=int(flags),
                webhook=True,
                interaction=handle,
            )
            emu.store_message(message)
            handle.original_message_id = message.id
            handle.first_followup_replaces_original = True
        elif kind in (ResponseType.DEFERRED_UPDATE_MESSAGE, ResponseType.UPDATE_MESSAGE):
            assert handle.source_message_id is not None
            handle.original_message_id = handle.source_message_id
            message = emu.get_message(handle.source_message_id)
            if message is None or message.deleted:
                raise unknown("Message", 10008)
            if kind == ResponseType.UPDATE_MESSAGE:
                self._invalid(request, validate_message(data, require_body=False, uploads=uploads))
                self._apply_edit(request, message, data)
                emu.message_updated(message)
        elif kind == ResponseType.AUTOCOMPLETE_RESULT:
            self._invalid(request, validate_autocomplete(raw_data))
        elif kind == ResponseType.MODAL:
            self._invalid(request, validate_modal(raw_data))

        handle.callbacks.append(Callback(kind, data, elapsed))
        if kind == ResponseType.AUTOCOMPLETE_RESULT:
            handle.choices_sent = list(data.get("choices") or [])
        if kind == ResponseType.MODAL:
            handle.modal = data
        emu.notify()

        interaction: JSON = {"id": str(handle.id), "type": handle.type}
        if message is not None:
            resource["message"] = message.to_payload()
            interaction["response_message_id"] = str(message.id)
            interaction["response_message_loading"] = message.loading
            interaction["response_message_ephemeral"] = message.ephemeral
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        return json_response({"interaction": interaction, "resource": resource})

    def _webhook_interaction(self, request: web.Request) -> InteractionHandle:
        if request.match_info["app_id"] != str(self.emu.application.id):
            raise unknown("Webhook", 10015)
        handle = self.emu.interaction_by_token(request.match_info["token"])
        if handle is None or not handle.acknowledged:
            raise unknown("Webhook", 10015)
        elapsed = handle.elapsed()
        if elapsed > self.emu.interaction_token_lifetime:
            self.emu.record_violation(
                "expired_interaction_token",
                f"{request.method} {request.path}",
                f"interaction token used {elapsed:.0f}s after the interaction "
                f"(valid for {self.emu.interaction_token_lifetime:.0f}s)",
            )
            raise INVALID_WEBHOOK_TOKEN
        return handle

    def _webhook_message(self, request: web.Request, handle: InteractionHandle) -> Message:
        ref = request.match_info["message_id"]
        message_id = handle.original_message_id if ref == "@original" else int(ref)
        allowed = {handle.original_message_id, *handle.followup_ids}
        message = None if message_id is None else self.emu.get_message(message_id)
        if message is None or message.deleted or message_id not in allowed:
            raise unknown("Message", 10008)
        return message

    async def webhook_execute(self, request: web.Request) -> web.Response:
        """A follow-up. After a deferred response (type 5) the first one replaces the
        "thinking…" message instead of creating a new one, and inherits its ephemerality."""
        handle = self._webhook_interaction(request)
        data = self._json_object(request)
        self._invalid(request, validate_followup(data, uploads=len(self._body(request).files)))
        original = handle.original
        if handle.first_followup_replaces_original and original is not None and original.loading:
            handle.first_followup_replaces_original = False
            self._apply_edit(request, original, data)
            handle.followup_ids.append(original.id)
            self.emu.message_updated(original)
            message = original
        else:
            flags = int(data.get("flags") or 0) & (SETTABLE_FLAGS | MessageFlag.EPHEMERAL)
            message = self._new_message(
                request,
                data,
                channel_id=handle.channel_id,
                guild_id=handle.guild_id,
                flags=flags,
                webhook=True,
                interaction=handle,
            )
            handle.followup_ids.append(message.id)
            self.emu.store_message(message)
        if request.query.get("wait") not in ("1", "true", "True"):
            return web.Response(status=204)
        return json_response(message.to_payload())

    async def webhook_get(self, request: web.Request) -> web.Response:
        handle = self._webhook_interaction(request)
        return json_response(self._webhook_message(request, handle).to_payload())

    async def webhook_edit(self, request: web.Request) -> web.Response:
        handle = self._webhook_interaction(request)
        message = self._webhook_message(request, handle)
        data = self._json_object(request)
        uploads = len(self._body(request).files)
        self._invalid(request, validate_message(data, require_body=False, uploads=uploads))
        if message.id == handle.original_message_id:
            handle.first_followup_replaces_original = False
        self._apply_edit(request, message, data)
        self.emu.message_updated(message)
        return json_response(message.to_payload())

    async def webhook_delete(self, request: web.Request) -> web.Response:
        handle = self._webhook_interaction(request)
        message = self._webhook_message(request, handle)
        self.emu.message_deleted(message)
        return web.Response(status=204)
