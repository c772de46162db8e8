"""The REST half of the emulator (``/api/v10``): routes, Discord-shaped errors, rate-limit headers.

discord.py is picky about responses: JSON is parsed only when ``Content-Type`` is exactly
``application/json`` (aiohttp's ``json_response`` appends a charset), and a 429 is retried only
when it carries a ``Via`` header (otherwise it assumes a Cloudflare ban).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from .models import Attachment
from .rest_base import (
    BODY_KEY,
    JSON,
    DiscordHTTPError,
    json_response,
    unknown,
)
from .rest_channels import ChannelRoutes
from .rest_interactions import InteractionRoutes
from .uploads import BodyRejected, read_body
from .validation import (
    COMMANDS_PER_TYPE_MAX,
    validate_application_command,
    validate_application_commands,
)

__all__ = ["DiscordHTTPError", "RestApi", "json_response"]

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RestApi(ChannelRoutes, InteractionRoutes):
    """Installs the routes and the middleware that records requests and injects faults.

    Channel and guild routes are in ``rest_channels``, interaction and webhook routes in
    ``rest_interactions``; what they share in ``rest_base``; application commands are here.
    """

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
