"""The gateway half of the emulator: sessions, sequence numbers, resume and compression."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .server import DiscordEmulator

__all__ = [
    "Gateway",
    "GatewayConnection",
    "GatewayRecord",
    "GatewaySession",
    "Intent",
    "compression_supported",
    "shard_of",
]

log = logging.getLogger(__name__)
JSON = dict[str, Any]


class Intent:
    """The intent bits the emulator filters events by."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MESSAGES = 1 << 9
    MESSAGE_CONTENT = 1 << 15


class Op:
    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE = 3
    RESUME = 6
    RECONNECT = 7
    REQUEST_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


EVENT_INTENTS: Mapping[str, int] = {
    "GUILD_CREATE": Intent.GUILDS,
    "GUILD_UPDATE": Intent.GUILDS,
    "GUILD_DELETE": Intent.GUILDS,
    "GUILD_ROLE_CREATE": Intent.GUILDS,
    "GUILD_ROLE_UPDATE": Intent.GUILDS,
    "GUILD_ROLE_DELETE": Intent.GUILDS,
    "CHANNEL_CREATE": Intent.GUILDS,
    "CHANNEL_UPDATE": Intent.GUILDS,
    "CHANNEL_DELETE": Intent.GUILDS,
    "GUILD_MEMBER_ADD": Intent.GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": Intent.GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": Intent.GUILD_MEMBERS,
    "MESSAGE_CREATE": Intent.GUILD_MESSAGES,
    "MESSAGE_UPDATE": Intent.GUILD_MESSAGES,
    "MESSAGE_DELETE": Intent.GUILD_MESSAGES,
}
CONTENT_EVENTS = frozenset({"MESSAGE_CREATE", "MESSAGE_UPDATE"})
GUILD_OBJECT_EVENTS = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})
"""Events whose payload is the guild itself (its id is ``id``); the others carry ``guild_id``."""
INVALID_SHARD = 4010
CLIENT_ENDS_SESSION = frozenset({1000, 1001})


class Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...


class _ZlibStream:
    """``zlib-stream``: one deflate context per connection, each message ends in Z_SYNC_FLUSH."""

    def __init__(self) -> None:
        self._context = zlib.compressobj()

    def compress(self, data: bytes) -> bytes:
        return self._context.compress(data) + self._context.flush(zlib.Z_SYNC_FLUSH)


class _ZstdStream:
    """``zstd-stream``: one zstd stream per connection, each message is a flushed block."""

    def __init__(self) -> None:
        import zstandard

        self._flush_mode = zstandard.COMPRESSOBJ_FLUSH_BLOCK
        self._context = zstandard.ZstdCompressor().compressobj()

    def compress(self, data: bytes) -> bytes:
        out: bytes = self._context.compress(data) + self._context.flush(self._flush_mode)
        return out


def compression_supported(kind: str) -> bool:
    """Whether the emulator can speak ``kind`` (``zlib-stream`` always, zstd if installed)."""
    if kind == "zlib-stream":
        return True
    if kind == "zstd-stream":
        try:
            import zstandard  # noqa: F401
        except ImportError:
            return False
        return True
    return False


def _make_compressor(kind: str | None) -> Compressor | None:
    if kind == "zlib-stream":
        return _ZlibStream()
    if kind == "zstd-stream":
        return _ZstdStream()
    return None


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard a guild's events go to (topics/gateway#sharding-sharding-formula)."""
    return (guild_id >> 22) % shard_count


def event_guild(event: str, data: JSON) -> int | None:
    """The guild an event belongs to, or None (DMs and the like: shard 0's)."""
    raw = data.get("id") if event in GUILD_OBJECT_EVENTS else data.get("guild_id")
    return None if raw is None else int(raw)


def valid_shard(value: object) -> bool:
    """``[shard_id, shard_count]`` with ``0 <= shard_id < shard_count``."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in value)
        and 0 <= value[0] < value[1]
    )


class GatewayRecord(NamedTuple):
    """One step of the gateway lifecycle, kept in :attr:`DiscordEmulator.gateway_log`.

    ``kind`` is one of ``connect``, ``identify``, ``resume``, ``resumed``, ``invalid_session``,
    ``reconnect``, ``forced_close``, ``session_ended`` (the client closed with 1000/1001: the
    session cannot be resumed), ``replaced`` (a new IDENTIFY for the shard of a disconnected
    session), ``invalid_shard`` (IDENTIFY with a bad ``shard``: closed with 4010), ``closed``.
    """

    kind: str
    session_id: str | None
    path: str = ""
    """The websocket path (``/gateway`` or ``/gateway/resume``) of the connection involved."""
    compression: str | None = None
    close_code: int | None = None
    """For ``closed``: the code of the client's close frame (``None``: the emulator closed)."""


@dataclass
class GatewaySession:
    """A Discord session: survives a dropped socket until it is invalidated."""

    id: str
    intents: int
    seq: int = 0
    backlog: list[JSON] = field(default_factory=list)
    connection: GatewayConnection | None = None
    resumable: bool = True
    presence: JSON | None = None
    shard: list[int] | None = None

    def wants(self, event: str) -> bool:
        needed = EVENT_INTENTS.get(event)
        return needed is None or bool(self.intents & needed)

    def owns(self, guild_id: int | None) -> bool:
        """Whether this session's shard receives the events of ``guild_id`` (None: no guild,
        which Discord sends on shard 0). An unsharded session receives everything."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else shard_of(guild_id, count))


_CLOSE = object()


class GatewayConnection:
    """One websocket. Outgoing frames go through a queue so dispatch can be synchronous."""

    def __init__(
        self, gateway: Gateway, ws: web.WebSocketResponse, compression: str | None, path: str
    ) -> None:
        self.gateway = gateway
        self.ws = ws
        self.path = path
        self.compression = compression
        self._compressor = _make_compressor(compression)
        self._outgoing: asyncio.Queue[object] = asyncio.Queue()
        self.session: GatewaySession | None = None
        self.heartbeats = 0
        self.closed = False
        self._close_code: int | None = None
        self.client_close_code: int | None = None

    def send(self, payload: JSON) -> None:
        self._outgoing.put_nowait(payload)

    def close(self, code: int) -> None:
        """Close after everything queued so far has been written."""
        self._close_code = code
        self._outgoing.put_nowait(_CLOSE)

    async def _writer(self) -> None:
        while True:
            item = await self._outgoing.get()
            if item is _CLOSE:
                await self.ws.close(code=self._close_code or 1000)
                return
            raw = json.dumps(item, separators=(",", ":")).encode()
            try:
                if self._compressor is not None:
                    await self.ws.send_bytes(self._compressor.compress(raw))
                else:
                    await self.ws.send_str(raw.decode())
            except ConnectionError:
                return

    async def run(self) -> None:
        writer = asyncio.create_task(self._writer(), name="emulator-gateway-writer")
        try:
            self.send(
                {"op": Op.HELLO, "d": {"heartbeat_interval": self.gateway.heartbeat_interval_ms}}
            )
            while True:
                msg = await self.ws.receive()
                if msg.type is WSMsgType.TEXT:
                    await self._received(json.loads(msg.data))
                elif msg.type is WSMsgType.BINARY:
                    await self._received(json.loads(msg.data.decode()))
                else:
                    if msg.type is WSMsgType.CLOSE:
                        # the client's first close frame: discord.py may send a second one
                        # (4000 from its reader) that ``ws.close_code`` would report instead
                        self.client_close_code = msg.data
                    break
        finally:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            if self.session is not None and self.session.connection is self:
                self.session.connection = None
                if self._close_code is None and self.client_close_code in CLIENT_ENDS_SESSION:
                    # "When you close the connection to the gateway with close code 1000 or
                    # 1001, your session will be invalidated" (events/gateway#disconnections)
                    self.session.resumable = False
                    self.gateway.record("session_ended", self.session.id, self)
            self.closed = True
            self.gateway.record("closed", self.session.id if self.session else None, self)

    async def _received(self, payload: JSON) -> None:
        op = payload.get("op")
        data = payload.get("d") or {}
        if op == Op.HEARTBEAT:
            self.heartbeats += 1
            self.send({"op": Op.HEARTBEAT_ACK, "d": None})
        elif op == Op.IDENTIFY:
            self.gateway.identify(self, data)
        elif op == Op.RESUME:
            self.gateway.resume(self, data)
        elif op == Op.REQUEST_MEMBERS:
            self.gateway.request_members(self, data)
        elif op == Op.PRESENCE:
            if self.session is not None:
                self.session.presence = data
        else:
            log.warning("emulator gateway: unknown op %r", op)
            self.close(4001)


class Gateway:
    """Session registry and event fan-out for a :class:`DiscordEmulator`."""

    def __init__(self, emulator: DiscordEmulator, heartbeat_interval_ms: int) -> None:
        self.emulator = emulator
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: set[GatewayConnection] = set()
        self.log: list[GatewayRecord] = []

    def record(
        self, kind: str, session_id: str | None, connection: GatewayConnection | None = None
    ) -> None:
        if connection is None:
            self.log.append(GatewayRecord(kind, session_id))
        else:
            self.log.append(
                GatewayRecord(
                    kind,
                    session_id,
                    connection.path,
                    connection.compression,
                    connection.client_close_code if kind == "closed" else None,
                )
            )
        self.emulator.notify()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        compression = request.query.get("compress")
        if compression is not None and not compression_supported(compression):
            # Discord offers zlib-stream and zstd-stream (events/gateway#transport-compression).
            # discord.py 2.7 asks for zstd when `zstandard` (or Python 3.14's compression.zstd)
            # imports; the emulator writes zstd only with `zstandard`. Otherwise the handshake
            # fails and is recorded, so a test says why instead of timing out waiting for READY.
            detail = f"compress={compression!r} requested" + (
                ": zstd-stream needs the zstandard package" if compression == "zstd-stream" else ""
            )
            self.emulator.record_violation("unsupported_compression", "GET /gateway", detail)
            raise web.HTTPBadRequest(text=detail)
        if request.query.get("encoding", "json") != "json":
            raise web.HTTPBadRequest(text="only encoding=json is supported")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        connection = GatewayConnection(self, ws, compression, request.path)
        self.connections.add(connection)
        self.record("connect", None, connection)
        try:
            await connection.run()
        finally:
            self.connections.discard(connection)
        return ws

    def identify(self, connection: GatewayConnection, data: JSON) -> None:
        emu = self.emulator
        if data.get("token") != emu.token:
            connection.close(4004)
            return
        shard = data.get("shard")
        if shard is not None and not valid_shard(shard):
            self.record("invalid_shard", None, connection)
            connection.close(INVALID_SHARD)
            return
        session = GatewaySession(
            id=uuid.uuid4().hex, intents=int(data.get("intents") or 0), shard=shard
        )
        self._replace_disconnected(session)
        session.presence = data.get("presence")
        session.connection = connection
        connection.session = session
        self.sessions[session.id] = session
        self.record("identify", session.id, connection)
        ready: JSON = {
            "v": 10,
            "user": emu.bot_user.to_payload(),
            "guilds": [{"id": str(g), "unavailable": True} for g in emu.guilds if session.owns(g)],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": emu.resume_gateway_url,
            "application": {"id": str(emu.application.id), "flags": 1 << 23},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        self._dispatch_to(session, "READY", ready)
        if session.intents & Intent.GUILDS:
            for guild in emu.guilds.values():
                if session.owns(guild.id):
                    self._dispatch_to(session, "GUILD_CREATE", guild.to_payload())

    def _replace_disconnected(self, new: GatewaySession) -> None:
        """A shard identified again (its process restarted): the old session of that shard, if
        its socket is gone, will never resume. Without this it would keep queueing the shard's
        events, interactions included, for nobody."""
        if new.shard is None:
            return
        for old in self.live_sessions():
            if old.shard == new.shard and old.connection is None:
                old.resumable = False
                self.record("replaced", old.id)

    def resume(self, connection: GatewayConnection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.emulator.token:
            connection.close(4004)
            return
        if session is None or not session.resumable:
            self.record("invalid_session", None if session is None else session.id, connection)
            connection.send({"op": Op.INVALID_SESSION, "d": False})
            return
        previous = session.connection
        if previous is not None and previous is not connection:
            previous.close(4000)
        session.connection = connection
        connection.session = session
        self.record("resume", session.id, connection)
        last_seen = int(data.get("seq") or 0)
        for payload in session.backlog:
            if payload["s"] > last_seen:
                connection.send(payload)
        self._dispatch_to(session, "RESUMED", {})
        self.record("resumed", session.id, connection)

    def request_members(self, connection: GatewayConnection, data: JSON) -> None:
        session = connection.session
        guild = self.emulator.guilds.get(int(data.get("guild_id") or 0))
        if session is None or guild is None:
            return
        query = str(data.get("query") or "").lower()
        user_ids = {int(u) for u in (data.get("user_ids") or [])}
        limit = int(data.get("limit") or 0) or len(guild.members)
        members = [
            m
            for m in guild.members.values()
            if (m.id in user_ids if user_ids else m.user.username.lower().startswith(query))
        ][:limit]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self._dispatch_to(session, "GUILD_MEMBERS_CHUNK", chunk)

    def _dispatch_to(self, session: GatewaySession, event: str, data: JSON) -> None:
        session.seq += 1
        payload = {"op": Op.DISPATCH, "t": event, "s": session.seq, "d": data}
        session.backlog.append(payload)
        if session.connection is not None:
            session.connection.send(payload)

    def dispatch(
        self, event: str, data: JSON, *, redact: Callable[[JSON], JSON] | None = None
    ) -> None:
        """Send ``event`` to every live session that asked for it and owns its guild's shard.

        Sessions whose socket is down queue it for replay on RESUME. ``redact`` produces the
        payload for sessions without the MESSAGE_CONTENT intent.
        """
        guild_id = event_guild(event, data)
        for session in list(self.sessions.values()):
            if not session.resumable or not session.wants(event) or not session.owns(guild_id):
                continue
            payload = data
            if (
                redact is not None
                and event in CONTENT_EVENTS
                and not session.intents & Intent.MESSAGE_CONTENT
            ):
                payload = redact(data)
            self._dispatch_to(session, event, payload)

    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.resumable]

    def session_for(self, guild_id: int) -> GatewaySession | None:
        """The one session an interaction in ``guild_id`` is delivered on: the newest live one
        owning the guild's shard, connected ones first (a disconnected one gets it on RESUME);
        None when no live session owns that shard."""
        owning = [s for s in self.live_sessions() if s.owns(guild_id)]
        connected = [s for s in owning if s.connection is not None]
        candidates = connected or owning
        return candidates[-1] if candidates else None

    def unserved(self, guild_id: int) -> str:
        """Why nothing can receive ``guild_id``'s interactions, for an error message."""
        counts = sorted({s.shard[1] for s in self.live_sessions() if s.shard is not None})
        if not counts:
            return "no bot is connected to the gateway"
        where = ", ".join(f"shard {shard_of(guild_id, n)} of {n}" for n in counts)
        return f"no bot session serves guild {guild_id} ({where})"

    def send_interaction(self, session: GatewaySession, data: JSON) -> None:
        """Deliver INTERACTION_CREATE on exactly one session: the owning shard's."""
        self._dispatch_to(session, "INTERACTION_CREATE", data)

    def shards(self) -> dict[int, GatewaySession]:
        """Shard id -> its connected session, for the sessions that identified with a shard."""
        return {
            s.shard[0]: s
            for s in self.live_sessions()
            if s.shard is not None and s.connection is not None
        }

    def force_disconnect(
        self, *, resume: bool, via: Literal["close", "reconnect"]
    ) -> list[GatewayConnection]:
        """Drop every live session's socket; returns the connections being dropped."""
        dropped: list[GatewayConnection] = []
        for session in self.live_sessions():
            connection = session.connection
            if connection is None:
                continue
            dropped.append(connection)
            if not resume:
                session.resumable = False
                self.record("invalid_session", session.id, connection)
                connection.send({"op": Op.INVALID_SESSION, "d": False})
            elif via == "reconnect":
                self.record("reconnect", session.id, connection)
                connection.send({"op": Op.RECONNECT, "d": None})
            else:
                self.record("forced_close", session.id, connection)
                connection.close(4000)
        return dropped

    async def close(self) -> None:
        for connection in list(self.connections):
            with contextlib.suppress(Exception):
                await connection.ws.close(code=1001)
