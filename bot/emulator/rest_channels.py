"""REST routes for channels (messages, typing, threads) and guilds."""

from __future__ import annotations

from aiohttp import web

from .models import Channel, Guild, Message, Permission, Thread
from .rest_base import (
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    SETTABLE_FLAGS,
    DiscordHTTPError,
    RestBase,
    json_response,
    unknown,
)
from .validation import Problem, errors_object, validate_message

__all__ = ["ChannelRoutes"]

THREAD_NAME_MAX = 100
THREAD_ARCHIVE_MINUTES = (60, 1440, 4320, 10080)


class ChannelRoutes(RestBase):
    """``/channels/...`` and ``/guilds/...``: what the bot reads and posts outside interactions."""

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
