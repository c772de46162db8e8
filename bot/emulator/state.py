"""The emulator's world: users, guilds, channels, roles, members, permissions, messages and
hosted attachments. Every change is dispatched to connected bots as a gateway event."""

# Waiting helpers take a ``timeout`` on purpose (see ``core``).
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Callable, Iterable

from .core import JSON, EmulatorCore, IdLike
from .models import (
    DEFAULT_EVERYONE_PERMISSIONS,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Overwrite,
    Permission,
    Role,
    User,
    snowflake_id,
)
from .records import EmulatorUsageError

__all__ = ["BOT_ROLE_PERMISSIONS", "EmulatorState"]

BOT_ROLE_PERMISSIONS = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.ADD_REACTIONS
    | Permission.USE_EXTERNAL_EMOJIS
)


class EmulatorState(EmulatorCore):
    """Building and reading the world's state (guilds, channels, members, messages...)."""

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
