"""``DiscordEmulator``: state, the aiohttp server, and the API tests drive the bot with."""

# Waiting helpers take a ``timeout`` on purpose: tests read better with ``timeout=`` than
# wrapped in ``asyncio.timeout`` blocks.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

from .gateway import Gateway, GatewayRecord
from .interactions import InteractionHandle, InteractionType
from .models import (
    DEFAULT_EVERYONE_PERMISSIONS,
    Application,
    Attachment,
    Channel,
    Guild,
    HasId,
    Member,
    Message,
    Overwrite,
    Permission,
    Role,
    SnowflakeFactory,
    User,
    snowflake_id,
)
from .uploads import UploadLimits
from .validation import Problem

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

JSON = dict[str, Any]
IdLike = int | str | HasId

BOT_ROLE_PERMISSIONS = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.ADD_REACTIONS
    | Permission.USE_EXTERNAL_EMOJIS
)


class EmulatorUsageError(Exception):
    """A test asked the emulator for something a Discord user could not do (e.g. click nothing)."""


class NoShardSession(EmulatorUsageError):
    """No live gateway session owns the shard of the guild an interaction happens in, so
    Discord has no connection to deliver it on (the member would see it fail)."""


class CommandNotVisible(EmulatorUsageError):
    """The user lacks the command's ``default_member_permissions``; Discord would hide it."""


@dataclass(frozen=True)
class Upload:
    """A file a user attaches to a slash command option (type 11)."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class Violation:
    """Something the bot sent that Discord would reject, or a rule it broke (3 s deadline...)."""

    kind: str
    route: str
    detail: str
    problems: tuple[Problem, ...] = ()

    def __str__(self) -> str:
        lines = [f"[{self.kind}] {self.route}: {self.detail}"]
        lines.extend(f"    {p}" for p in self.problems)
        return "\n".join(lines)


@dataclass
class RestRequest:
    """A REST request as received (before fault injection), for assertions on retries etc."""

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    files: list[Attachment]
    status: int = 0


@dataclass
class RestFault:
    """An injected failure: the next ``count`` matching requests get ``status`` after ``delay``.

    ``status`` below 400 means "answer normally, but only after ``delay`` seconds".
    ``answer_delay`` holds the answer back after the request took effect: a client that dies
    or times out meanwhile never learns that it worked (the case a message ``nonce`` is for).
    ``path_pattern`` is a regular expression matched (``re.fullmatch``) against the path after
    the API prefix, e.g. ``r"/channels/\\d+/messages"``.
    """

    method: str | None
    path_pattern: str
    status: int
    count: int = 1
    retry_after: float = 0.05
    delay: float = 0.0
    answer_delay: float = 0.0
    hits: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path_pattern)

    @property
    def exhausted(self) -> bool:
        return self.hits >= self.count

    def matches(self, method: str, path: str) -> bool:
        if self.exhausted:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._regex.fullmatch(path) is not None


class DiscordEmulator:
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
        self.users: dict[int, User] = {owner.id: owner, self.bot_user.id: self.bot_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.commands: dict[int | None, dict[int, JSON]] = {None: {}}
        """Registered application commands by guild id (``None``: global), then command id."""
        self.violations: list[Violation] = []
        self.requests: list[RestRequest] = []
        self.faults: list[RestFault] = []
        self.attachments: dict[int, Attachment] = {}
        self.upload_limits = UploadLimits()
        """Discord's per-file and per-request upload limits (413/40005 beyond them)."""
        self.interactions: dict[int, InteractionHandle] = {}
        self._messages: dict[int, list[Message]] = {}
        self._message_index: dict[int, Message] = {}
        self._interactions_by_token: dict[str, InteractionHandle] = {}
        self.nonce_window = 300.0
        """Seconds a bot message's ``nonce`` dedups a create with ``enforce_nonce`` (Discord: "a
        few minutes"). Set it to 0 to act as if that window has passed."""
        self._nonces: dict[str, tuple[float, int]] = {}
        # wait_until's waiters: (predicate, future), checked once after each burst of changes
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._check_pending = False
        self.gateway = Gateway(self, heartbeat_interval_ms)
        self._runner: web.AppRunner | None = None
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

    @property
    def base_url(self) -> str:
        if not self._base_url:
            raise RuntimeError("the emulator is not started")
        return self._base_url

    @property
    def api_url(self) -> str:
        """REST base including the version, for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """Sent in READY; distinct from :attr:`gateway_url` so tests can tell resumes apart."""
        return f"ws://{self.host}:{self.port}/gateway/resume"

    # time

    def now(self) -> float:
        """The emulator's clock in seconds: ``clock()`` if one was given, else the event loop's,
        plus whatever :meth:`advance_clock` added. Deadlines and token lifetimes use it."""
        base = self._clock() if self._clock is not None else asyncio.get_running_loop().time()
        return base + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Let ``seconds`` pass for the emulator at once (e.g. past the 15-minute token life)."""
        self._clock_offset += seconds
        self.notify()

    # waiting

    def notify(self) -> None:
        """Re-check what :meth:`wait_until` waits for; called on every state change.

        The predicates are checked once the change in progress is complete (the next turn
        of the loop), once for any number of changes meanwhile, and only the waiters whose
        predicate holds are woken: with 50 members waiting, waking every one of them to
        re-check (a task each) on every change made the emulator, not the bot, the busiest
        process of bench_load."""
        if self._waiters and not self._check_pending:
            self._check_pending = True
            self._waiters[0][1].get_loop().call_soon_threadsafe(self._check_waiters)

    def _check_waiters(self) -> None:
        self._check_pending = False
        waiting = []
        for predicate, waiter in self._waiters:
            if waiter.done():
                continue
            try:
                if predicate():
                    waiter.set_result(None)
                    continue
            except Exception as exc:  # the waiter gets it, as if it had checked itself
                waiter.set_exception(exc)
                continue
            waiting.append((predicate, waiter))
        self._waiters = waiting

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str = "a condition"
    ) -> None:
        """Wait until ``predicate()`` is true, re-checking after every emulator state change."""
        if predicate():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, waiter))
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            if not predicate():
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}") from None
        finally:
            waiter.cancel()

    # state building

    def create_user(
        self, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> User:
        user = User(self.snowflake(), username, bot=bot, global_name=global_name)
        self.users[user.id] = user
        return user

    @property
    def owner(self) -> User:
        """The application owner (also the owner of guilds created without an explicit owner)."""
        return self.application.owner

    def create_guild(
        self, name: str, *, owner: IdLike | None = None, shard: tuple[int, int] | None = None
    ) -> Guild:
        """A guild with @everyone (Discord's defaults), the bot as a member with a managed role.

        ``shard=(shard_id, shard_count)`` gives it an id that shard owns."""
        owner_id = self.owner.id if owner is None else snowflake_id(owner)
        guild = Guild(self.snowflake(shard=shard), name, owner_id)
        guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS)
        bot_role = Role(
            self.snowflake(), guild.id, self.bot_user.username, BOT_ROLE_PERMISSIONS, 1, True
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner_id] = Member(self.users[owner_id], guild.id)
        guild.members[self.bot_user.id] = Member(self.bot_user, guild.id, [bot_role.id])
        self.guilds[guild.id] = guild
        self.commands.setdefault(guild.id, {})
        self.gateway.dispatch("GUILD_CREATE", guild.to_payload())
        self.notify()
        return guild

    def guild(self, guild: IdLike | None = None) -> Guild:
        """A guild by id, or the first one."""
        if guild is None:
            if not self.guilds:
                raise EmulatorUsageError("no guild exists; call create_guild first")
            return next(iter(self.guilds.values()))
        return self.guilds[snowflake_id(guild)]

    def bot_role(self, guild: IdLike | None = None) -> Role:
        found = self.guild(guild)
        member = found.members[self.bot_user.id]
        return found.roles[member.roles[0]]

    def create_text_channel(
        self, guild: IdLike, name: str, *, topic: str | None = None, parent: IdLike | None = None
    ) -> Channel:
        found = self.guild(guild)
        channel = Channel(
            self.snowflake(),
            found.id,
            name,
            position=len(found.channels),
            topic=topic,
            parent_id=None if parent is None else snowflake_id(parent),
        )
        found.channels[channel.id] = channel
        self.channels[channel.id] = channel
        self._messages[channel.id] = []
        self.gateway.dispatch("CHANNEL_CREATE", channel.to_payload())
        self.notify()
        return channel

    def create_role(self, guild: IdLike, name: str, *, permissions: int = 0) -> Role:
        found = self.guild(guild)
        role = Role(self.snowflake(), found.id, name, permissions, position=len(found.roles))
        found.roles[role.id] = role
        self.gateway.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(found.id), "role": role.to_payload()}
        )
        self.notify()
        return role

    def add_member(
        self, guild: IdLike, user: IdLike, *, roles: Iterable[IdLike] = (), nick: str | None = None
    ) -> Member:
        found = self.guild(guild)
        member = Member(
            self.users[snowflake_id(user)], found.id, [snowflake_id(r) for r in roles], nick
        )
        found.members[member.id] = member
        self.gateway.dispatch(
            "GUILD_MEMBER_ADD", {**member.to_payload(), "guild_id": str(found.id)}
        )
        self.notify()
        return member

    def set_role_permissions(self, role: IdLike, permissions: int) -> None:
        """Change a role's guild-wide permission bits (dispatches GUILD_ROLE_UPDATE)."""
        role_id = snowflake_id(role)
        guild = next((g for g in self.guilds.values() if role_id in g.roles), None)
        if guild is None:
            raise KeyError(f"unknown role {role_id}")
        guild.roles[role_id].permissions = permissions
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild.id), "role": guild.roles[role_id].to_payload()},
        )
        self.notify()

    def set_permissions(
        self,
        channel: IdLike,
        *,
        target: IdLike | None = None,
        allow: int = 0,
        deny: int = 0,
    ) -> None:
        """Set a channel overwrite for a role or member (default: the bot's own member).

        ``allow=0, deny=0`` removes the overwrite.
        """
        found = self.channel(channel)
        guild = self.guilds[found.guild_id]
        target_id = self.bot_user.id if target is None else snowflake_id(target)
        kind = 0 if target_id in guild.roles else 1
        if allow == 0 and deny == 0:
            found.overwrites.pop(target_id, None)
        else:
            found.overwrites[target_id] = Overwrite(target_id, kind, int(allow), int(deny))
        self.gateway.dispatch("CHANNEL_UPDATE", found.to_payload())
        self.notify()

    def channel(self, channel: IdLike) -> Channel:
        return self.channels[snowflake_id(channel)]

    def delete_channel(self, channel: IdLike) -> None:
        found = self.channels.pop(snowflake_id(channel))
        del self.guilds[found.guild_id].channels[found.id]
        self.gateway.dispatch("CHANNEL_DELETE", found.to_payload())
        self.notify()

    def permissions_for(self, user: IdLike, channel: IdLike) -> int:
        found = self.channel(channel)
        return self.guilds[found.guild_id].channel_permissions(snowflake_id(user), found)

    # messages

    def messages(self, channel: IdLike, *, ephemeral: bool | None = None) -> list[Message]:
        """Messages in a channel, oldest first, without deleted ones.

        ``ephemeral=False`` gives what everyone sees, ``True`` only ephemeral ones.
        """
        found = self._messages.get(snowflake_id(channel), [])
        return [
            m for m in found if not m.deleted and (ephemeral is None or m.ephemeral == ephemeral)
        ]

    def get_message(self, message_id: int) -> Message | None:
        return self._message_index.get(message_id)

    def message_for_nonce(self, nonce: str) -> Message | None:
        """The bot's message created with ``nonce`` within :attr:`nonce_window`, if any."""
        found = self._nonces.get(nonce)
        if found is None:
            return None
        created, message_id = found
        if self.now() - created > self.nonce_window:
            return None
        message = self._message_index.get(message_id)
        return None if message is None or message.deleted else message

    def remember_nonce(self, message: Message) -> None:
        if message.nonce is not None:
            self._nonces[message.nonce] = (self.now(), message.id)

    async def wait_for_message(
        self,
        channel: IdLike,
        *,
        timeout: float = 5.0,
        predicate: Callable[[Message], bool] | None = None,
    ) -> Message:
        """The next message created in ``channel`` after this call (matching ``predicate``)."""
        channel_id = snowflake_id(channel)
        start = len(self._messages.get(channel_id, []))
        found: list[Message] = []

        def arrived() -> bool:
            for message in self._messages.get(channel_id, [])[start:]:
                if predicate is None or predicate(message):
                    found.append(message)
                    return True
            return False

        await self.wait_until(arrived, timeout, what=f"a message in channel {channel_id}")
        return found[0]

    def store_message(self, message: Message) -> Message:
        self._messages.setdefault(message.channel_id, []).append(message)
        self._message_index[message.id] = message
        channel = self.channels.get(message.channel_id)
        if channel is not None:
            channel.last_message_id = message.id
        if not message.ephemeral:
            self.gateway.dispatch(
                "MESSAGE_CREATE", self._event_payload(message), redact=self._redact
            )
        self.notify()
        return message

    def message_updated(self, message: Message) -> None:
        if not message.ephemeral:
            self.gateway.dispatch(
                "MESSAGE_UPDATE", self._event_payload(message), redact=self._redact
            )
        self.notify()

    def message_deleted(self, message: Message) -> None:
        message.deleted = True
        if not message.ephemeral:
            payload: JSON = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                payload["guild_id"] = str(message.guild_id)
            self.gateway.dispatch("MESSAGE_DELETE", payload)
        self.notify()

    def _event_payload(self, message: Message) -> JSON:
        payload = message.to_payload()
        if message.guild_id is not None:
            member = self.guilds[message.guild_id].members.get(message.author.id)
            if member is not None:
                payload["member"] = member.to_payload(with_user=False)
        return payload

    def _redact(self, payload: JSON) -> JSON:
        """What a bot without the MESSAGE_CONTENT intent sees of someone else's message."""
        if payload["author"]["id"] == str(self.bot_user.id):
            return payload
        if str(self.bot_user.id) in payload.get("content", ""):
            return payload
        return {**payload, "content": "", "embeds": [], "attachments": [], "components": []}

    def post_message(self, channel: IdLike, author: IdLike, content: str) -> Message:
        """A user writes in a channel (dispatches MESSAGE_CREATE, e.g. for prefix commands)."""
        found = self.channel(channel)
        message = Message(
            self.snowflake(), found.id, found.guild_id, self.users[snowflake_id(author)], content
        )
        return self.store_message(message)

    def new_attachment(
        self, filename: str, data: bytes, content_type: str | None = None
    ) -> Attachment:
        """Host a file at ``/attachments/{id}/{filename}`` so ``Attachment.read()`` works."""
        attachment_id = self.snowflake()
        attachment = Attachment(
            attachment_id,
            filename,
            data,
            f"{self.base_url}/attachments/{attachment_id}/{filename}",
            content_type,
        )
        self.attachments[attachment_id] = attachment
        return attachment

    # faults and violations

    def inject_rest_fault(
        self,
        method: str | None,
        path_pattern: str,
        status: int,
        *,
        count: int = 1,
        retry_after: float = 0.05,
        delay: float = 0,
        answer_delay: float = 0,
    ) -> RestFault:
        """Make the next ``count`` matching REST requests fail (see :class:`RestFault`)."""
        fault = RestFault(method, path_pattern, status, count, retry_after, delay, answer_delay)
        self.faults.append(fault)
        return fault

    def _record_request(
        self, method: str, path: str, query: Mapping[str, str], body: Any, files: list[Attachment]
    ) -> RestRequest:
        record = RestRequest(method, path, query, body, files)
        self.requests.append(record)
        return record

    def requests_to(self, method: str, path_pattern: str) -> list[RestRequest]:
        """Recorded requests whose path fully matches the regular expression ``path_pattern``."""
        regex = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method.upper() and regex.fullmatch(r.path)]

    def take_fault(self, method: str, path: str) -> RestFault | None:
        for fault in self.faults:
            if fault.matches(method, path):
                fault.hits += 1
                return fault
        return None

    async def disconnect(
        self, resume: bool = True, *, via: Literal["close", "reconnect"] = "close"
    ) -> None:
        """Force a gateway drop.

        ``resume=True`` keeps the session: ``via="close"`` closes the socket with 4000,
        ``via="reconnect"`` sends op 7. Either way the client resumes and gets the missed events.
        ``resume=False`` sends op 9 (invalid session, not resumable): the client re-identifies.
        Returns once the old socket is closed; the client reconnects on its own.
        """
        dropped = self.gateway.force_disconnect(resume=resume, via=via)
        if not dropped:
            raise EmulatorUsageError("no connected gateway session to disconnect")
        await self.wait_until(
            lambda: all(c.closed for c in dropped), 5.0, what="the dropped socket to close"
        )

    def record_violation(
        self, kind: str, route: str, detail: str, problems: Sequence[Problem] = ()
    ) -> Violation:
        violation = Violation(kind, route, detail, tuple(problems))
        self.violations.append(violation)
        self.notify()
        return violation

    def take_violations(self) -> list[Violation]:
        """Return and clear recorded violations (for tests that provoke them on purpose)."""
        taken, self.violations = self.violations, []
        return taken

    @property
    def gateway_log(self) -> list[GatewayRecord]:
        return self.gateway.log

    # commands

    def find_command(self, name: str, guild_id: int | None, kind: int = 1) -> JSON | None:
        """The registered command a user in ``guild_id`` would invoke: guild scope wins."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for command in self.commands.get(scope, {}).values():
                if command["name"] == name and command.get("type", 1) == kind:
                    return command
        return None

    # interactions

    def _interaction_base(
        self,
        kind: int,
        data: JSON | None,
        *,
        guild: Guild,
        channel: Channel,
        user: User,
        permissions: int | None,
    ) -> JSON:
        member = guild.members.get(user.id)
        if member is None:
            raise EmulatorUsageError(f"user {user.username!r} is not a member of {guild.name!r}")
        user_permissions = (
            guild.channel_permissions(user.id, channel) if permissions is None else permissions
        )
        payload: JSON = {
            "id": str(self.snowflake()),
            "application_id": str(self.application.id),
            "type": kind,
            "token": secrets.token_urlsafe(24),
            "version": 1,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": {**channel.to_payload(), "permissions": str(user_permissions)},
            "member": {**member.to_payload(), "permissions": str(int(user_permissions))},
            "app_permissions": str(guild.channel_permissions(self.bot_user.id, channel)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": self.upload_limits.per_file,
        }
        if data is not None:
            payload["data"] = data
        return payload

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

    def _resolve_place(
        self, guild: IdLike | None, channel: IdLike | None, user: IdLike | None
    ) -> tuple[Guild, Channel, User]:
        if channel is not None:
            found_channel = self.channel(channel)
            found_guild = self.guilds[found_channel.guild_id]
        else:
            found_guild = self.guild(guild)
            text = found_guild.text_channels()
            if not text:
                raise EmulatorUsageError(f"guild {found_guild.name!r} has no text channel")
            found_channel = text[0]
        found_user = self.users[found_guild.owner_id if user is None else snowflake_id(user)]
        return found_guild, found_channel, found_user

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        subcommand: str | Sequence[str] | None,
        guild: Guild,
        user: User,
        user_permissions: int,
        focused: str | None = None,
    ) -> JSON:
        parts = name.split()
        if isinstance(subcommand, str):
            parts.extend(subcommand.split())
        elif subcommand is not None:
            parts.extend(subcommand)
        root, path = parts[0], parts[1:]
        registered = self.find_command(root, guild.id)
        if registered is not None:
            required = registered.get("default_member_permissions")
            if (
                required is not None
                and not user_permissions & Permission.ADMINISTRATOR
                and int(required) & user_permissions != int(required)
            ):
                raise CommandNotVisible(
                    f"/{root} needs permissions {required}; {user.username} has {user_permissions}"
                )
        schema: list[JSON] = list((registered or {}).get("options") or [])
        for sub in path:
            if registered is None:
                break
            match = next((o for o in schema if o.get("name") == sub), None)
            if match is None:
                raise EmulatorUsageError(f"/{root} has no subcommand {sub!r}")
            schema = list(match.get("options") or [])
        resolved: JSON = {}
        leaf = self._build_options(dict(options or {}), schema, guild, resolved, focused)
        for depth, sub in reversed(list(enumerate(path))):
            kind = 1 if depth == len(path) - 1 else 2
            leaf = [{"name": sub, "type": kind, "options": leaf}]
        data: JSON = {
            "id": str(registered["id"]) if registered else str(self.snowflake()),
            "name": root,
            "type": 1,
            "options": leaf,
        }
        if registered is not None and registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    def _build_options(
        self,
        values: dict[str, Any],
        schema: list[JSON],
        guild: Guild,
        resolved: JSON,
        focused: str | None,
    ) -> list[JSON]:
        by_name = {o["name"]: o for o in schema if o.get("type") not in (1, 2)}
        unknown = set(values) - set(by_name) if by_name else set()
        if unknown:
            raise EmulatorUsageError(
                f"unknown option(s) {sorted(unknown)}; known: {sorted(by_name)}"
            )
        built: list[JSON] = []
        for option_name, value in values.items():
            kind = by_name[option_name]["type"] if option_name in by_name else _infer_type(value)
            if option_name == focused:
                built.append(
                    {"name": option_name, "type": kind, "value": str(value), "focused": True}
                )
                continue
            built.append(
                {
                    "name": option_name,
                    "type": kind,
                    "value": self._option_value(kind, value, guild, resolved),
                }
            )
        return built

    def _option_value(self, kind: int, value: Any, guild: Guild, resolved: JSON) -> Any:
        if kind == 3:
            return str(value)
        if kind == 4:
            return int(value)
        if kind == 5:
            return bool(value)
        if kind == 10:
            return float(value)
        if kind == 11:
            if not isinstance(value, Upload):
                raise EmulatorUsageError("attachment options take an emulator.Upload")
            attachment = self.new_attachment(value.filename, value.data, value.content_type)
            resolved.setdefault("attachments", {})[str(attachment.id)] = attachment.to_payload()
            return str(attachment.id)
        target = snowflake_id(value)
        if kind in (6, 9) and target in self.users:
            resolved.setdefault("users", {})[str(target)] = self.users[target].to_payload()
            member = guild.members.get(target)
            if member is not None:
                resolved.setdefault("members", {})[str(target)] = {
                    **member.to_payload(with_user=False),
                    "permissions": str(guild.base_permissions(target)),
                }
        elif kind in (8, 9) and target in guild.roles:
            resolved.setdefault("roles", {})[str(target)] = guild.roles[target].to_payload()
        elif kind == 7 and target in self.channels:
            channel = self.channels[target]
            resolved.setdefault("channels", {})[str(target)] = {
                **channel.to_payload(),
                "permissions": str(guild.channel_permissions(self.bot_user.id, channel)),
            }
        else:
            raise EmulatorUsageError(f"option type {kind} cannot refer to {target}")
        return str(target)

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


def _infer_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, str):
        return 3
    if isinstance(value, User | Member):
        return 6
    if isinstance(value, Channel):
        return 7
    if isinstance(value, Role):
        return 8
    if isinstance(value, Upload):
        return 11
    raise EmulatorUsageError(f"cannot infer an option type for {value!r}; sync the command first")
