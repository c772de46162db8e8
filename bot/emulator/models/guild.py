"""Users, the application, and guild state: roles, overwrites, channels, threads, members."""

from __future__ import annotations

from dataclasses import dataclass, field

from .ids import JSON, ChannelType, Permission, iso_now

__all__ = ["Application", "Channel", "Guild", "Member", "Overwrite", "Role", "Thread", "User"]


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
