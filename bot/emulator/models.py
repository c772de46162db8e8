"""In-memory Discord state held by the emulator, and its Discord-shaped JSON payloads."""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "DEFAULT_EVERYONE_PERMISSIONS",
    "Application",
    "Attachment",
    "Channel",
    "ChannelType",
    "Guild",
    "HasId",
    "Member",
    "Message",
    "MessageFlag",
    "Overwrite",
    "Permission",
    "Role",
    "SnowflakeFactory",
    "Thread",
    "User",
    "snowflake_id",
]

JSON = dict[str, Any]
DISCORD_EPOCH_MS = 1420070400000
USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


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


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class Application:
    id: int
    name: str
    owner: User
    bot: User

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.to_payload(),
            "bot": self.bot.to_payload(),
            "verify_key": "0" * 64,
            "team": None,
            "flags": 1 << 23,  # GATEWAY_MESSAGE_CONTENT_LIMITED
            "rpc_origins": [],
            "interactions_endpoint_url": None,
            "summary": "",
            "tags": [],
        }


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    mentionable: bool = False
    """Anyone may ping it; otherwise only members with Mention Everyone in the channel."""
    colour: int = 0
    """0xRRGGBB; 0 is "no colour" (a member shows its highest coloured role's)."""

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": self.colour,
            "colors": {
                "primary_color": self.colour,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(int(self.permissions)),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass
class Overwrite:
    """A channel permission overwrite; ``type`` 0 targets a role, 1 a member."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(int(self.allow)),
            "deny": str(int(self.deny)),
        }


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    type: int = ChannelType.GUILD_TEXT
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    last_message_id: int | None = None

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "type": int(self.type),
            "position": self.position,
            "topic": self.topic,
            "nsfw": False,
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "permission_overwrites": [o.to_payload() for o in self.overwrites.values()],
            "rate_limit_per_user": 0,
            "last_message_id": None if self.last_message_id is None else str(self.last_message_id),
            "flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass
class Thread:
    """A public thread started from a message (it shares the message's id, as on Discord)."""

    id: int
    guild_id: int
    parent_id: int
    owner_id: int
    name: str
    auto_archive_duration: int = 1440
    created: str = field(default_factory=iso_now)

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "type": int(ChannelType.PUBLIC_THREAD),
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": self.auto_archive_duration,
                "archive_timestamp": self.created,
                "locked": False,
                "create_timestamp": self.created,
            },
        }


@dataclass
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    def to_payload(self, *, with_user: bool = True) -> JSON:
        payload: JSON = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.user.to_payload()
        return payload


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        """The @everyone role shares the guild's id, as on Discord."""
        return self.roles[self.id]

    def text_channels(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.type == ChannelType.GUILD_TEXT]

    def base_permissions(self, user_id: int) -> int:
        """Guild-level permissions: owner and ADMINISTRATOR get everything."""
        if user_id == self.owner_id:
            return int(Permission.all())
        member = self.members.get(user_id)
        value = int(self.everyone.permissions)
        if member is not None:
            for role_id in member.roles:
                role = self.roles.get(role_id)
                if role is not None:
                    value |= int(role.permissions)
        if value & Permission.ADMINISTRATOR:
            return int(Permission.all())
        return value

    def channel_permissions(self, user_id: int, channel: Channel) -> int:
        """Discord's overwrite algorithm: @everyone, then roles (deny, allow), then the member."""
        base = self.base_permissions(user_id)
        if base & Permission.ADMINISTRATOR:
            return base
        value = base
        everyone = channel.overwrites.get(self.id)
        if everyone is not None:
            value = (value & ~everyone.deny) | everyone.allow
        member = self.members.get(user_id)
        role_ids = set(member.roles) if member is not None else set()
        allow = deny = 0
        for overwrite in channel.overwrites.values():
            if overwrite.type == 0 and overwrite.id in role_ids:
                allow |= overwrite.allow
                deny |= overwrite.deny
        value = (value & ~deny) | allow
        own = channel.overwrites.get(user_id)
        if own is not None and own.type == 1:
            value = (value & ~own.deny) | own.allow
        if not value & Permission.VIEW_CHANNEL:
            return 0
        return value

    def to_payload(self) -> JSON:
        """The GUILD_CREATE shape: everything discord.py needs to fill its cache without chunking."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.to_payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": iso_now(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [m.to_payload() for m in self.members.values()],
            "channels": [c.to_payload() for c in self.channels.values()],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class Attachment:
    """A file, either uploaded by the bot or attached by a user to a slash command."""

    id: int
    filename: str
    data: bytes
    url: str
    content_type: str | None = None
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def dimensions(self) -> tuple[int, int] | None:
        """(width, height) of a PNG (Discord reports them for images), else None."""
        if self.data[:8] != b"\x89PNG\r\n\x1a\n" or self.data[12:16] != b"IHDR":
            return None
        return int.from_bytes(self.data[16:20], "big"), int.from_bytes(self.data[20:24], "big")

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
            "description": self.description,
        }
        if self.content_type is not None:
            payload["content_type"] = self.content_type
        if (dimensions := self.dimensions) is not None:
            payload["width"], payload["height"] = dimensions
        return payload


@dataclass
class Message:
    """A message as the emulator stores it, including what discord.py asked for but Discord hides.

    ``allowed_mentions`` is the raw object the sender supplied (``None`` when it sent none), so
    tests can assert that nothing pings.
    """

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: JSON | None = None
    tts: bool = False
    webhook_id: int | None = None
    interaction_id: int | None = None
    message_reference: JSON | None = None
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    deleted: bool = False
    edits: int = 0
    nonce: str | None = None
    """The sender's ``nonce`` (Discord dedups a create with ``enforce_nonce`` on it)."""
    thread: Thread | None = None
    """The thread started from this message, if any."""

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred ("thinking…") interaction response that has not been edited yet."""
        return bool(self.flags & MessageFlag.LOADING)

    @property
    def embed(self) -> JSON | None:
        return self.embeds[0] if self.embeds else None

    def walk_components(self) -> Iterator[JSON]:
        """Every component, depth first (action rows, their children, v2 containers...)."""
        stack = list(reversed(self.components))
        while stack:
            component = stack.pop()
            yield component
            children: list[JSON] = list(component.get("components") or [])
            if isinstance(component.get("component"), dict):
                children.append(component["component"])
            if isinstance(component.get("accessory"), dict):
                children.append(component["accessory"])
            stack.extend(reversed(children))

    def find_component(
        self, custom_id: str | None = None, *, label: str | None = None
    ) -> JSON | None:
        """The first interactive component matching ``custom_id`` and/or ``label``."""
        for component in self.walk_components():
            if component.get("type") == 1:
                continue
            if custom_id is not None and component.get("custom_id") != custom_id:
                continue
            if label is not None and component.get("label") != label:
                continue
            if custom_id is None and label is None:
                continue
            return component
        return None

    def pings(self) -> frozenset[str]:
        """Who this message notifies, applying ``allowed_mentions`` the way Discord does.

        Items are ``"user:<id>"``, ``"role:<id>"``, ``"everyone"`` (also for @here) and
        ``"replied_user"``. Without ``allowed_mentions`` everything in the content pings.
        """
        rules = self.allowed_mentions
        parse = {"users", "roles", "everyone"} if rules is None else set(rules.get("parse") or [])
        users = {str(u) for u in (rules or {}).get("users") or []}
        roles = {str(r) for r in (rules or {}).get("roles") or []}
        found: set[str] = set()
        for user_id in USER_MENTION.findall(self.content):
            if "users" in parse or user_id in users:
                found.add(f"user:{user_id}")
        for role_id in ROLE_MENTION.findall(self.content):
            if "roles" in parse or role_id in roles:
                found.add(f"role:{role_id}")
        if "everyone" in parse and ("@everyone" in self.content or "@here" in self.content):
            found.add("everyone")
        if self.message_reference is not None and (rules is None or rules.get("replied_user")):
            found.add("replied_user")
        return frozenset(found)

    @property
    def buttons(self) -> list[JSON]:
        return [c for c in self.walk_components() if c.get("type") == 2]

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": 0 if self.message_reference is None else 19,
            "content": self.content,
            "author": self.author.to_payload(),
            "attachments": [a.to_payload() for a in self.attachments],
            "embeds": list(self.embeds),
            "components": list(self.components),
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": self.tts,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            payload["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            payload["webhook_id"] = str(self.webhook_id)
            payload["application_id"] = str(self.webhook_id)
        if self.message_reference is not None:
            payload["message_reference"] = self.message_reference
        if self.thread is not None:
            payload["thread"] = self.thread.to_payload()
        return payload
