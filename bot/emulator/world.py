"""The standard cast tests and the terminal playground start from."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Channel, Guild, Permission, User
from .server import DiscordEmulator

__all__ = ["World", "build_world"]


@dataclass(frozen=True)
class World:
    """One guild with #general, its owner, a plain member and a moderator with Manage Server."""

    guild: Guild
    general: Channel
    owner: User
    member: User
    moderator: User


def build_world(emu: DiscordEmulator, guild_name: str = "Test Guild") -> World:
    guild = emu.create_guild(guild_name)
    general = emu.create_text_channel(guild, "general")
    member = emu.create_user("member")
    emu.add_member(guild, member)
    moderator = emu.create_user("moderator")
    mod_role = emu.create_role(guild, "Moderator", permissions=Permission.MANAGE_GUILD)
    emu.add_member(guild, moderator, roles=[mod_role])
    return World(guild, general, emu.owner, member, moderator)
