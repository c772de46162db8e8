"""Messages and their attachments as the emulator stores them, and who a message pings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .guild import Thread, User
from .ids import JSON, MessageFlag, iso_now

__all__ = ["Attachment", "Message"]

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


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
