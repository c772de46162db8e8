"""End-to-end tests of the Discord emulator with an unmodified discord.py client."""

from __future__ import annotations

import asyncio
import io
from typing import Literal

import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from bot.emulator import (
    CommandNotVisible,
    DiscordEmulator,
    Message,
    Permission,
    ResponseType,
    StartBot,
    Upload,
    World,
)
from bot.endpoints import DEFAULT_API_URL, DEFAULT_GATEWAY_URL, apply_endpoints, current_endpoints

FRUITS = ["apple", "apricot", "banana", "cherry"]


class CounterView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.clicks = 0

    @discord.ui.button(label="Count", custom_id="counter:count", style=discord.ButtonStyle.primary)
    async def count(
        self, interaction: discord.Interaction, button: discord.ui.Button[CounterView]
    ) -> None:
        self.clicks += 1
        await interaction.response.edit_message(content=f"clicked {self.clicks}")


class NoteModal(discord.ui.Modal, title="New note"):
    text: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(label="Note", custom_id="note")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.text.value}", ephemeral=True)


class Recorder:
    """What the bot saw, with events tests can await."""

    def __init__(self) -> None:
        self.messages: list[discord.Message] = []
        self.message_seen = asyncio.Event()
        self.resumed = asyncio.Event()
        self.errors: list[app_commands.AppCommandError] = []
        self.error_seen = asyncio.Event()


def make_bot(guild_id: int | None = None) -> tuple[commands.Bot, Recorder]:
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents)
    seen = Recorder()

    @bot.listen()
    async def on_message(message: discord.Message) -> None:
        seen.messages.append(message)
        seen.message_seen.set()

    @bot.listen()
    async def on_resumed() -> None:
        seen.resumed.set()

    @bot.tree.error
    async def on_tree_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        seen.errors.append(error)
        seen.error_seen.set()

    @bot.tree.command(name="hello", description="Say hello with an embed")
    async def hello(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Hello", description="from the emulator")
        embed.add_field(name="who", value=interaction.user.name)
        await interaction.response.send_message(
            embed=embed, view=CounterView(), allowed_mentions=discord.AllowedMentions.none()
        )

    async def fruit_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current)]

    @bot.tree.command(name="pick", description="Pick a fruit")
    @app_commands.autocomplete(fruit=fruit_names)
    async def pick(interaction: discord.Interaction, fruit: str, count: int = 1) -> None:
        await interaction.response.send_message(f"{count} x {fruit}")

    @bot.tree.command(name="secret", description="Public answer, private follow-up")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("public answer")
        await interaction.followup.send("psst", ephemeral=True)

    @bot.tree.command(name="think", description="Defer privately, then answer")
    async def think(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("done thinking")

    @bot.tree.command(name="note", description="Open a modal")
    async def note(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(NoteModal())

    @bot.tree.command(name="size", description="Measure an uploaded file")
    async def size(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(
            f"{file.filename}: {len(data)} bytes",
            file=discord.File(io.BytesIO(data[::-1]), filename="reversed.txt"),
        )

    @bot.tree.command(name="slow", description="Answers too late")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.2)
        await interaction.response.send_message("finally")

    if guild_id is not None:

        @bot.tree.command(name="mod", description="Moderators only", guild=discord.Object(guild_id))
        @app_commands.default_permissions(manage_guild=True)
        async def mod(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("mod ok", ephemeral=True)

    return bot, seen


async def started(
    emulator: DiscordEmulator, start_bot: StartBot, world: World | None = None
) -> tuple[commands.Bot, Recorder]:
    bot, seen = make_bot(None if world is None else world.guild.id)
    await start_bot(emulator, bot)
    return bot, seen


def text_channel(bot: commands.Bot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


# endpoints


def test_apply_endpoints_sets_and_restores_defaults() -> None:
    apply_endpoints("http://127.0.0.1:1/api/v10/", "ws://127.0.0.1:1/gateway")
    assert current_endpoints() == ("http://127.0.0.1:1/api/v10", "ws://127.0.0.1:1/gateway")
    assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:1/api/v10/users/@me"
    apply_endpoints(None, None)
    assert current_endpoints() == (DEFAULT_API_URL, DEFAULT_GATEWAY_URL)
    with pytest.raises(ValueError):
        apply_endpoints("ws://nope", None)


# interactions


async def test_slash_command_embed_and_button(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    assert bot.user is not None and bot.user.id == emulator.bot_user.id
    assert bot.get_guild(world.guild.id) is not None
    assert text_channel(bot, world.general.id).name == "general"

    handle = await emulator.slash("hello", user=world.member)
    callback = await handle.response()
    assert callback.type == ResponseType.CHANNEL_MESSAGE
    assert handle.first_response_seconds is not None and handle.first_response_seconds < 3
    original = handle.original
    assert isinstance(original, Message)
    assert original.embed is not None
    assert original.embed["title"] == "Hello"
    assert original.embed["fields"] == [{"name": "who", "value": "member", "inline": True}]
    assert not original.ephemeral
    assert original.allowed_mentions is not None and original.allowed_mentions["parse"] == []
    assert [b["custom_id"] for b in original.buttons] == ["counter:count"]

    for expected in ("clicked 1", "clicked 2"):
        click = await emulator.click(original, label="Count", user=world.member)
        assert (await click.response()).type == ResponseType.UPDATE_MESSAGE
        assert handle.original is not None and handle.original.content == expected
    assert handle.original.embed is not None


async def test_autocomplete_round_trip(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    await started(emulator, start_bot)
    choices = await emulator.autocomplete("pick", {"fruit": "ap"}, focused="fruit")
    assert choices == [{"name": "apple", "value": "apple"}, {"name": "apricot", "value": "apricot"}]

    handle = await emulator.slash("pick", {"fruit": "cherry", "count": 3})
    assert (await handle.wait_original()).content == "3 x cherry"


async def test_ephemeral_followup_stays_private(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    await started(emulator, start_bot)
    handle = await emulator.slash("secret", user=world.member)
    [followup] = await handle.followups(1)
    assert followup.content == "psst" and followup.ephemeral
    public = emulator.messages(world.general, ephemeral=False)
    assert [m.content for m in public] == ["public answer"]


async def test_first_followup_after_defer_replaces_thinking_message(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    await started(emulator, start_bot)
    handle = await emulator.slash("think")
    callback = await handle.response()
    assert callback.type == ResponseType.DEFERRED_CHANNEL_MESSAGE and callback.ephemeral
    [followup] = await handle.followups(1)
    assert followup.id == handle.original_message_id
    assert followup.content == "done thinking" and followup.ephemeral and not followup.loading
    assert emulator.messages(world.general, ephemeral=False) == []


async def test_modal_submit(emulator: DiscordEmulator, world: World, start_bot: StartBot) -> None:
    await started(emulator, start_bot)
    opened = await emulator.slash("note", user=world.member)
    modal = await opened.wait_modal()
    assert modal["title"] == "New note"
    submitted = await emulator.submit_modal(opened, {"note": "remember the milk"})
    reply = await submitted.wait_original()
    assert reply.content == "noted: remember the milk" and reply.ephemeral


async def test_attachment_option_and_file_upload(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    await started(emulator, start_bot)
    handle = await emulator.slash("size", {"file": Upload("notes.txt", b"hello world")})
    reply = await handle.wait_original()
    assert reply.content == "notes.txt: 11 bytes"
    [attachment] = reply.attachments
    assert attachment.filename == "reversed.txt" and attachment.data == b"dlrow olleh"


async def test_slow_first_response_is_a_violation(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    _, seen = await started(emulator, start_bot)
    emulator.interaction_deadline = 0.05
    handle = await emulator.slash("slow")
    await emulator.wait_until(lambda: bool(emulator.violations), what="a violation")
    [violation] = emulator.take_violations()
    assert violation.kind == "slow_interaction_response"
    assert handle.callbacks == [] and handle.original is None
    await asyncio.wait_for(seen.error_seen.wait(), 2)
    assert isinstance(seen.errors[0].__cause__, discord.NotFound)


# command sync


async def test_command_sync_global_and_guild_keeps_registration(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot, world)
    synced_global = await bot.tree.sync()
    synced_guild = await bot.tree.sync(guild=discord.Object(world.guild.id))
    global_names = {"hello", "pick", "secret", "think", "note", "size", "slow"}
    assert {c.name for c in synced_global} == global_names
    assert [c.name for c in synced_guild] == ["mod"]
    assert {c["name"] for c in emulator.commands[None].values()} == global_names
    assert [c["name"] for c in emulator.commands[world.guild.id].values()] == ["mod"]

    fetched = await bot.tree.fetch_commands()
    assert {c.id for c in fetched} == {c.id for c in synced_global}
    resynced = await bot.tree.sync()
    assert {c.id for c in resynced} == {c.id for c in synced_global}
    [pick] = [c for c in fetched if c.name == "pick"]
    assert [(o.name, o.required, o.autocomplete) for o in pick.options] == [
        ("fruit", True, True),
        ("count", False, False),
    ]

    with pytest.raises(CommandNotVisible):
        await emulator.slash("mod", user=world.member)
    handle = await emulator.slash("mod", user=world.moderator)
    assert handle.payload["data"]["id"] == str(synced_guild[0].id)
    assert (await handle.wait_original()).content == "mod ok"


async def test_invalid_command_definition_is_rejected(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    bad = {"name": "Bad Name", "description": "", "type": 1}
    with pytest.raises(discord.HTTPException) as raised:
        await bot.http.bulk_upsert_global_commands(emulator.application.id, [bad])
    assert raised.value.status == 400 and raised.value.code == 50035
    [violation] = emulator.take_violations()
    assert {".".join(map(str, p.path)) for p in violation.problems} == {"0.name", "0.description"}
    assert emulator.commands[None] == {}


# REST behaviour


async def test_rate_limited_request_is_retried(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    fault = emulator.inject_rest_fault("POST", r"/channels/\d+/messages", 429, retry_after=0.05)
    sent = await text_channel(bot, world.general.id).send("after a 429")
    assert fault.hits == 1
    statuses = [r.status for r in emulator.requests_to("POST", r"/channels/\d+/messages")]
    assert statuses == [429, 200]
    assert emulator.messages(world.general)[-1].id == sent.id


async def test_server_error_is_retried(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    emulator.inject_rest_fault("POST", r"/channels/\d+/messages", 502)
    await text_channel(bot, world.general.id).send("after a 502")
    statuses = [r.status for r in emulator.requests_to("POST", r"/channels/\d+/messages")]
    assert statuses == [502, 200]
    assert emulator.messages(world.general)[-1].content == "after a 502"


async def test_oversized_embed_is_rejected_and_recorded(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    embed = discord.Embed(title="big", description="x" * 4097)
    with pytest.raises(discord.HTTPException) as raised:
        await text_channel(bot, world.general.id).send(embed=embed)
    assert raised.value.status == 400 and raised.value.code == 50035
    assert "embeds.0.description" in raised.value.text
    [violation] = emulator.take_violations()
    assert violation.kind == "invalid_form_body"
    assert [p.path for p in violation.problems] == [("embeds", 0, "description")]
    assert emulator.messages(world.general) == []


async def test_unknown_channel_is_not_found(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    deleted = asyncio.ensure_future(bot.wait_for("guild_channel_delete", timeout=2))
    emulator.delete_channel(world.general)
    assert (await deleted).id == world.general.id
    with pytest.raises(discord.NotFound) as raised:
        await bot.get_partial_messageable(world.general.id).send("anyone?")
    assert raised.value.code == 10003


async def test_missing_permission_is_forbidden(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    channel = text_channel(bot, world.general.id)
    emulator.set_permissions(world.general, deny=Permission.EMBED_LINKS)
    with pytest.raises(discord.Forbidden) as raised:
        await channel.send(embed=discord.Embed(title="no links"))
    assert raised.value.code == 50013
    await channel.send("plain text still works")
    emulator.set_permissions(world.general, deny=Permission.SEND_MESSAGES)
    with pytest.raises(discord.Forbidden):
        await channel.send("nope")
    assert [m.content for m in emulator.messages(world.general)] == ["plain text still works"]


# gateway


async def test_gateway_uses_compression_and_delivers_messages(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    _, seen = await started(emulator, start_bot)
    [connect] = [r for r in emulator.gateway_log if r.kind == "connect"]
    assert connect.path == "/gateway" and connect.compression == "zlib-stream"
    emulator.post_message(world.general, world.member, "hi bot")
    await asyncio.wait_for(seen.message_seen.wait(), 2)
    assert seen.messages[0].content == "hi bot"
    assert seen.messages[0].author.id == world.member.id


@pytest.mark.parametrize("via", ["close", "reconnect"])
async def test_resume_after_forced_disconnect_replays_missed_events(
    emulator: DiscordEmulator,
    world: World,
    start_bot: StartBot,
    via: Literal["close", "reconnect"],
) -> None:
    _, seen = await started(emulator, start_bot)
    await emulator.disconnect(resume=True, via=via)
    emulator.post_message(world.general, world.member, "sent while you were away")
    await asyncio.wait_for(seen.resumed.wait(), 2)
    await asyncio.wait_for(seen.message_seen.wait(), 2)
    assert [m.content for m in seen.messages] == ["sent while you were away"]
    kinds = [r.kind for r in emulator.gateway_log]
    assert kinds.count("identify") == 1 and kinds.count("resumed") == 1
    [resume] = [r for r in emulator.gateway_log if r.kind == "resume"]
    assert resume.path == "/gateway/resume"

    handle = await emulator.slash("hello")
    assert (await handle.response()).type == ResponseType.CHANNEL_MESSAGE


async def test_reidentify_after_invalid_session_keeps_emulator_gateway(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    first_session = bot.ws.session_id
    ready_again = asyncio.ensure_future(bot.wait_for("ready", timeout=2))
    await emulator.disconnect(resume=False)
    await emulator.wait_until(
        lambda: [r.kind for r in emulator.gateway_log].count("identify") == 2,
        what="a second IDENTIFY",
    )
    identify = [r for r in emulator.gateway_log if r.kind == "identify"][-1]
    assert identify.path == "/gateway"
    assert yarl.URL(emulator.gateway_url) == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    await ready_again
    assert bot.ws.session_id not in (None, first_session)

    handle = await emulator.slash("hello")
    assert (await handle.response()).type == ResponseType.CHANNEL_MESSAGE


async def test_allowed_mentions_decide_who_is_pinged(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot, _ = await started(emulator, start_bot)
    channel = text_channel(bot, world.general.id)
    text = f"<@{world.member.id}> and @everyone"
    await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
    await channel.send(text)
    quiet, loud = emulator.messages(world.general)
    assert quiet.pings() == frozenset()
    assert loud.allowed_mentions is None
    assert loud.pings() == {f"user:{world.member.id}", "everyone"}


async def test_role_permissions_reach_interactions(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    await started(emulator, start_bot)
    emulator.set_role_permissions(world.guild.id, Permission.VIEW_CHANNEL)
    handle = await emulator.slash("hello", user=world.member)
    member_permissions = int(handle.payload["member"]["permissions"])
    assert member_permissions == Permission.VIEW_CHANNEL
    assert emulator.permissions_for(world.owner, world.general) == Permission.all()
