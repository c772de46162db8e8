"""In-memory Discord state held by the emulator, and its Discord-shaped JSON payloads.

One module a concern: ``ids`` (snowflakes, permission bits, flags), ``guild`` (users, roles,
channels, threads, members, guilds), ``message`` (messages and attachments).
"""

from .guild import Application, Channel, Guild, Member, Overwrite, Role, Thread, User
from .ids import (
    DEFAULT_EVERYONE_PERMISSIONS,
    ChannelType,
    HasId,
    MessageFlag,
    Permission,
    SnowflakeFactory,
    iso_now,
    snowflake_id,
)
from .message import Attachment, Message

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
    "iso_now",
    "snowflake_id",
]
