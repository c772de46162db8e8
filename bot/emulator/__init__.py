"""Loopback Discord emulator: drives the real discord.py client over real HTTP and websocket.

Unmodified discord.py connects to it once :func:`bot.endpoints.apply_endpoints` points
``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY`` at :attr:`DiscordEmulator.api_url` and
:attr:`DiscordEmulator.gateway_url`; :func:`start_bot` does that and waits for READY.

The emulator models one application and its bot user, guilds with text channels, roles and
members, messages, and registered application commands. Tests invoke slash commands, click
components and submit modals as users, and inspect what the bot sent. Every payload is checked
against Discord's documented limits; breaches are answered like Discord (400/50035) and recorded
in :attr:`DiscordEmulator.violations`.

Usage::

    async with DiscordEmulator() as emu:
        world = build_world(emu)                  # "Test Guild", #general, owner/member/moderator
        await start_bot(emu, bot)                 # any discord.Client / commands.Bot
        handle = await emu.slash("quote", {"topic": "jazz"}, user=world.member)
        reply = await handle.wait_original()      # current state, after edits
        click = await emu.click(reply, label="Another", user=world.member)
        await click.response()
        assert not emu.take_violations()
        await stop_bot(bot)
"""

from .gateway import GatewayRecord, Intent, shard_of
from .interactions import Callback, InteractionHandle, InteractionType, ResponseType
from .launch import StartBot, start_bot, stop_bot
from .models import (
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    MessageFlag,
    Permission,
    Role,
    User,
)
from .server import (
    CommandNotVisible,
    DiscordEmulator,
    EmulatorUsageError,
    NoShardSession,
    RestFault,
    RestRequest,
    Upload,
    Violation,
)
from .uploads import UploadLimits
from .validation import Problem
from .world import World, build_world

__all__ = [
    "Attachment",
    "Callback",
    "Channel",
    "CommandNotVisible",
    "DiscordEmulator",
    "EmulatorUsageError",
    "GatewayRecord",
    "Guild",
    "Intent",
    "InteractionHandle",
    "InteractionType",
    "Member",
    "Message",
    "MessageFlag",
    "NoShardSession",
    "Permission",
    "Problem",
    "ResponseType",
    "RestFault",
    "RestRequest",
    "Role",
    "StartBot",
    "Upload",
    "UploadLimits",
    "User",
    "Violation",
    "World",
    "build_world",
    "shard_of",
    "start_bot",
    "stop_bot",
]
