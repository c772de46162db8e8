"""``DiscordEmulator``: the aiohttp server and the API tests drive the bot with (slash commands,
autocomplete, clicks, modals).

Layered by concern: ``core`` (attributes, clock, waiting, faults, violations), ``state`` (the
world: guilds, channels, members, messages), ``invoke`` (building interaction payloads),
``actions`` (what a member does: slash commands, autocomplete, clicks, modals), ``records``
(usage errors, uploads, violations, requests, faults); the REST routes are in ``rest`` and
the gateway in ``gateway``.
"""

# Waiting helpers take a ``timeout`` on purpose: tests read better with ``timeout=`` than
# wrapped in ``asyncio.timeout`` blocks.

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from aiohttp import web

from .actions import MemberActions
from .gateway import Gateway
from .models import Application, SnowflakeFactory, User
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


class DiscordEmulator(MemberActions):
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
