"""Ids, permission bits and flags: the vocabulary every emulator model is written in."""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import time
from typing import Any, Protocol

__all__ = [
    "DEFAULT_EVERYONE_PERMISSIONS",
    "JSON",
    "ChannelType",
    "HasId",
    "MessageFlag",
    "Permission",
    "SnowflakeFactory",
    "iso_now",
    "snowflake_id",
]

JSON = dict[str, Any]
DISCORD_EPOCH_MS = 1420070400000


class HasId(Protocol):
    """Anything with a snowflake ``id``: emulator models and discord.py objects alike."""

    @property
    def id(self) -> int: ...


def snowflake_id(value: int | str | HasId) -> int:
    """Accept an id, its string form, or an object with ``.id``."""
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value)
    return int(value.id)


class SnowflakeFactory:
    """Monotonic snowflakes with a real timestamp part, so discord.py's ``created_at`` is sane."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def __call__(self, *, shard: tuple[int, int] | None = None) -> int:
        """A new id; with ``shard=(shard_id, shard_count)`` one that shard owns as a guild id
        (``(id >> 22) % shard_count == shard_id``: the timestamp moves up to count-1 ms on)."""
        millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
        if shard is not None:
            shard_id, count = shard
            millis += (shard_id - millis) % count
        return (millis << 22) | (next(self._counter) & 0x3FFFFF)


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class Permission(enum.IntFlag):
    """The permission bits the emulator evaluates (a subset of Discord's)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38

    @classmethod
    def all(cls) -> Permission:
        value = cls(0)
        for member in cls:
            value |= member
        return value


DEFAULT_EVERYONE_PERMISSIONS = (
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
)


class MessageFlag(enum.IntFlag):
    SUPPRESS_EMBEDS = 1 << 2
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7
    SUPPRESS_NOTIFICATIONS = 1 << 12
    IS_COMPONENTS_V2 = 1 << 15


class ChannelType(enum.IntEnum):
    GUILD_TEXT = 0
    GUILD_CATEGORY = 4
    PUBLIC_THREAD = 11
