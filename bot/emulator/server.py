"""``DiscordEmulator``: the aiohttp server and the API tests drive the bot with (slash commands,
autocomplete, clicks, modals).

Layered by concern: ``core`` (attributes, clock, waiting, faults, violations), ``state`` (the
world: guilds, channels, members, messages), ``invoke`` (building interaction payloads),
``records`` (usage errors, uploads, violations, requests, faults); the REST routes are in
``rest`` and the gateway in ``gateway``.
"""

# Waiting helpers take a ``timeout`` on purpose: tests read better with ``timeout=`` than
# wrapped in ``asyncio.timeout`` blocks.
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .gateway import Gateway
from .interactions import InteractionHandle, InteractionType
from .invoke import JSON, IdLike, InteractionBuilder
from .models import Application, Message, SnowflakeFactory, User
from .records import (
    CommandNotVisible,
    EmulatorUsageError,
    NoShardSession,
    RestFault,
    RestRequest,
    Upload,
    Violation,
)
from .uploads import UploadLimits

__all__ = [
    "CommandNotVisible",
    "DiscordEmulator",
    "EmulatorUsageError",
    "NoShardSession",
    "RestFault",
    "RestRequest",
    "Upload",
    "Violation",
]


class DiscordEmulator(InteractionBuilder):
    """A loopback Discord: REST under ``/api/v10`` and a gateway websocket, on 127.0.0.1.

    Build state (guilds, channels, users) before or after :meth:`start`; changes made while a
    bot is connected are dispatched to it as gateway events.
    """

    def __init__(
        self,
        *,
        token: str = "emulator-bot-token",
        bot_name: str = "QuoteBot",
        owner_name: str = "owner",
        application_name: str = "QuoteBot",
        heartbeat_interval_ms: int = 500,
        interaction_deadline: float = 3.0,
        recommended_shards: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.token = token
        self._clock = clock
        self._clock_offset = 0.0
        self.host = host
        self.port = port
        self.interaction_deadline = interaction_deadline
        if recommended_shards < 1:
            raise ValueError("recommended_shards must be at least 1")
        self.recommended_shards = recommended_shards
        """The ``shards`` ``GET /gateway/bot`` recommends (what an AutoShardedClient without a
        ``shard_count`` runs)."""
        """Seconds the bot has to send the first callback before Discord drops the interaction."""
        self.interaction_token_lifetime = 15 * 60.0
        """Seconds an interaction token works for follow-ups and edits ("valid for 15 minutes",
        interactions/receiving-and-responding); after that Discord answers 401/50027."""
        self.snowflake = SnowflakeFactory()
        self.bot_user = User(self.snowflake(), bot_name, bot=True)
        owner = User(self.snowflake(), owner_name)
        self.application = Application(self.snowflake(), application_name, owner, self.bot_user)
        self.users = {owner.id: owner, self.bot_user.id: self.bot_user}
        self.guilds = {}
        self.channels = {}
        self.commands = {None: {}}
        """Registered application commands by guild id (``None``: global), then command id."""
        self.violations = []
        self.requests = []
        self.faults = []
        self.attachments = {}
        self.upload_limits = UploadLimits()
        """Discord's per-file and per-request upload limits (413/40005 beyond them)."""
        self.interactions = {}
        self._messages = {}
        self._message_index = {}
        self._interactions_by_token = {}
        self.nonce_window = 300.0
        """Seconds a bot message's ``nonce`` dedups a create with ``enforce_nonce`` (Discord: "a
        few minutes"). Set it to 0 to act as if that window has passed."""
        self._nonces = {}
        self._waiters = []  # wait_until's (predicate, future), checked after each burst of changes
        self._check_pending = False
        self.gateway = Gateway(self, heartbeat_interval_ms)
        self._runner = None
        self._base_url = ""

    # lifecycle

    async def start(self) -> None:
        from .rest import RestApi

        app = web.Application(client_max_size=64 * 1024 * 1024)
        RestApi(self).install(app)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._base_url = f"http://{self.host}:{self.port}"

    async def close(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # interactions

    def _send_interaction(
        self, payload: JSON, *, source_message_id: int | None = None
    ) -> InteractionHandle:
        session = self.gateway.session_for(int(payload["guild_id"]))
        if session is None:
            raise NoShardSession(self.gateway.unserved(int(payload["guild_id"])))
        handle = InteractionHandle(
            emulator=self,
            id=int(payload["id"]),
            token=payload["token"],
            type=payload["type"],
            guild_id=int(payload["guild_id"]),
            channel_id=int(payload["channel_id"]),
            user_id=int(payload["member"]["user"]["id"]),
            payload=payload,
            dispatched_at=self.now(),
            source_message_id=source_message_id,
        )
        self.interactions[handle.id] = handle
        self._interactions_by_token[handle.token] = handle
        self.gateway.send_interaction(session, payload)
        self.notify()
        return handle

    def interaction_by_token(self, token: str) -> InteractionHandle | None:
        return self._interactions_by_token.get(token)

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: IdLike | None = None,
        channel: IdLike | None = None,
        user: IdLike | None = None,
        subcommand: str | Sequence[str] | None = None,
        permissions: int | None = None,
    ) -> InteractionHandle:
        """Invoke ``/name`` as ``user`` (default: the guild owner) in ``channel``.

        ``name`` may include the subcommand path (``"quote add"``). Option types come from the
        registered command when it was synced, otherwise they are inferred from the Python
        values (pass emulator models for users/channels/roles and :class:`Upload` for files).
        ``permissions`` overrides the invoking member's computed permission bits.
        """
        found_guild, found_channel, found_user = self._resolve_place(guild, channel, user)
        perms = (
            found_guild.channel_permissions(found_user.id, found_channel)
            if permissions is None
            else permissions
        )
        data = self._command_data(name, options, subcommand, found_guild, found_user, perms)
        payload = self._interaction_base(
            InteractionType.APPLICATION_COMMAND,
            data,
            guild=found_guild,
            channel=found_channel,
            user=found_user,
            permissions=permissions,
        )
        return self._send_interaction(payload)

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        focused: str,
        guild: IdLike | None = None,
        channel: IdLike | None = None,
        user: IdLike | None = None,
        subcommand: str | Sequence[str] | None = None,
        timeout: float = 5.0,
    ) -> list[JSON]:
        """Type into option ``focused`` of ``/name``; returns the choices the bot answered with."""
        values = dict(options or {})
        values.setdefault(focused, "")
        found_guild, found_channel, found_user = self._resolve_place(guild, channel, user)
        perms = found_guild.channel_permissions(found_user.id, found_channel)
        data = self._command_data(
            name, values, subcommand, found_guild, found_user, perms, focused=focused
        )
        payload = self._interaction_base(
            InteractionType.AUTOCOMPLETE,
            data,
            guild=found_guild,
            channel=found_channel,
            user=found_user,
            permissions=None,
        )
        handle = self._send_interaction(payload)
        return await handle.choices(timeout)

    async def click(
        self,
        message: Message | int,
        custom_id: str | None = None,
        *,
        label: str | None = None,
        user: IdLike | None = None,
        values: Sequence[str] | None = None,
    ) -> InteractionHandle:
        """Click a button (or pick ``values`` in a select) on ``message``, found by id or label."""
        found = message if isinstance(message, Message) else self.get_message(message)
        if found is None or found.deleted:
            raise EmulatorUsageError(f"message {message!r} does not exist")
        found = self.get_message(found.id) or found
        component = found.find_component(custom_id, label=label)
        if component is None:
            raise EmulatorUsageError(
                f"no component custom_id={custom_id!r} label={label!r} on message {found.id}; "
                f"has {[c.get('custom_id') or c.get('label') for c in found.walk_components()]}"
            )
        if component.get("disabled"):
            raise EmulatorUsageError(f"component {component.get('custom_id')!r} is disabled")
        if component.get("type") == 2 and component.get("custom_id") is None:
            raise EmulatorUsageError("link and premium buttons do not create interactions")
        data: JSON = {"custom_id": component["custom_id"], "component_type": component["type"]}
        if values is not None or component["type"] != 2:
            data["values"] = list(values or [])
        guild_obj, channel_obj, user_obj = self._resolve_place(None, found.channel_id, user)
        payload = self._interaction_base(
            InteractionType.MESSAGE_COMPONENT,
            data,
            guild=guild_obj,
            channel=channel_obj,
            user=user_obj,
            permissions=None,
        )
        payload["message"] = found.to_payload()
        return self._send_interaction(payload, source_message_id=found.id)

    def forged_click(
        self, message: Message, custom_id: str, *, user: IdLike | None = None
    ) -> InteractionHandle:
        """A button press carrying any custom_id, as a modified client could send one.

        discord.py (like Discord) ignores a custom_id that is not on the message, so the id
        is put on a copy of the message too: what is tested is the bot's own checks.
        """
        guild_obj, channel_obj, user_obj = self._resolve_place(None, message.channel_id, user)
        payload = self._interaction_base(
            InteractionType.MESSAGE_COMPONENT,
            {"custom_id": custom_id, "component_type": 2},
            guild=guild_obj,
            channel=channel_obj,
            user=user_obj,
            permissions=None,
        )
        forged = message.to_payload()
        button = {"type": 2, "style": 3, "label": "Forged", "custom_id": custom_id}
        forged["components"] = [{"type": 1, "components": [button]}]
        payload["message"] = forged
        return self._send_interaction(payload, source_message_id=message.id)

    async def submit_modal(
        self,
        opened_by: InteractionHandle,
        values: Mapping[str, str],
        *,
        user: IdLike | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Fill in and submit the modal the bot opened in response to ``opened_by``."""
        modal = await opened_by.wait_modal(timeout)
        remaining = dict(values)

        def answer(component: JSON) -> JSON | None:
            kind = component.get("type")
            if kind == 1:
                children = [answer(c) for c in component.get("components") or []]
                return {"type": 1, "components": [c for c in children if c is not None]}
            if kind == 18:
                inner = answer(component["component"])
                return None if inner is None else {"type": 18, "component": inner}
            custom_id = component.get("custom_id")
            if custom_id is None:
                return None
            value = remaining.pop(custom_id, component.get("value") or "")
            if kind == 4:
                if component.get("required", True) and not value:
                    raise EmulatorUsageError(f"text input {custom_id!r} is required")
                low, high = component.get("min_length") or 0, component.get("max_length") or 4000
                if value and not low <= len(value) <= high:
                    raise EmulatorUsageError(f"{custom_id!r} must be {low}..{high} characters")
                return {"type": 4, "custom_id": custom_id, "value": value}
            return {"type": kind, "custom_id": custom_id, "values": list(value)}

        components = [c for c in (answer(c) for c in modal.get("components") or []) if c]
        if remaining:
            raise EmulatorUsageError(
                f"modal {modal.get('custom_id')!r} has no inputs {sorted(remaining)}"
            )
        data = {"custom_id": modal["custom_id"], "components": components}
        guild_obj, channel_obj, user_obj = self._resolve_place(
            opened_by.guild_id, opened_by.channel_id, opened_by.user_id if user is None else user
        )
        payload = self._interaction_base(
            InteractionType.MODAL_SUBMIT,
            data,
            guild=guild_obj,
            channel=channel_obj,
            user=user_obj,
            permissions=None,
        )
        source = opened_by.source_message_id
        if source is not None and (message := self.get_message(source)) is not None:
            payload["message"] = message.to_payload()
        return self._send_interaction(payload, source_message_id=source)
