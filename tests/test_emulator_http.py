"""Discord's rules as the bot meets them over HTTP and the gateway: a 400 with Discord's error
JSON for a bad body (never a 500), 401/50027 for an interaction token past 15 minutes, no resume
of a session the client closed, and what the emulator does with zstd-stream compression.
"""

from __future__ import annotations

import asyncio
import json
import random
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from bot.emulator import DiscordEmulator, StartBot, World
from bot.emulator.gateway import compression_supported

JSON = dict[str, Any]


@dataclass
class Answer:
    status: int
    body: Any


class Rest:
    """Raw REST calls with the bot's token, as a client that sends whatever it likes."""

    def __init__(self, emulator: DiscordEmulator, session: aiohttp.ClientSession) -> None:
        self.emu = emulator
        self.session = session

    async def __call__(self, method: str, path: str, body: Any = None) -> Answer:
        async with self.session.request(
            method,
            self.emu.api_url + path,
            data=None if body is None else json.dumps(body),
            headers={
                "Authorization": f"Bot {self.emu.token}",
                "Content-Type": "application/json",
            },
        ) as response:
            raw = await response.read()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw.decode(errors="replace")
            return Answer(response.status, parsed)


@pytest.fixture
async def rest(emulator: DiscordEmulator) -> AsyncIterator[Rest]:
    async with aiohttp.ClientSession() as session:
        yield Rest(emulator, session)


def error_at(answer: Answer, *path: str | int) -> list[JSON]:
    """The ``_errors`` Discord lists at ``path``, after checking the 400/50035 shape."""
    assert answer.status == 400, answer
    assert answer.body["code"] == 50035 and answer.body["message"] == "Invalid Form Body"
    node = answer.body["errors"]
    for part in path:
        node = node[str(part)]
    errors: list[JSON] = node["_errors"]
    assert errors and all({"code", "message"} <= set(e) for e in errors)
    return errors


# messages


@pytest.mark.parametrize(
    "body, path",
    [
        ({"content": "hi", "embeds": {"title": "not a list"}}, ("embeds",)),
        ({"content": "hi", "embeds": "x"}, ("embeds",)),
        ({"embeds": [{"title": "t", "color": 0x1000000}]}, ("embeds", 0, "color")),
        (
            {"embeds": [{"fields": [{"name": "  ", "value": "v"}]}]},
            ("embeds", 0, "fields", 0, "name"),
        ),
        ({"content": "hi", "nonce": "n" * 26}, ("nonce",)),
        (
            {"content": "hi", "allowed_mentions": {"users": [str(i + 1) for i in range(101)]}},
            ("allowed_mentions", "users"),
        ),
        ({"content": "hi", "attachments": [{"id": i} for i in range(11)]}, ("attachments",)),
        (
            {"components": [{"type": 1, "components": [{"type": 2, "style": 7, "label": "x"}]}]},
            ("components", 0, "components", 0, "style"),
        ),
        (
            {"components": [{"type": 1, "components": [{"type": 2, "style": 5, "label": "x"}]}]},
            ("components", 0, "components", 0, "url"),
        ),
        ({"content": "hi", "flags": "loud"}, ("flags",)),
        ({"content": "hi", "message_reference": "the last one"}, ("message_reference",)),
        ({"content": "hi", "components": {"type": 1}}, ("components",)),
    ],
)
async def test_bad_message_bodies_get_discords_400(
    emulator: DiscordEmulator, world: World, rest: Rest, body: JSON, path: tuple[str | int, ...]
) -> None:
    answer = await rest("POST", f"/channels/{world.general.id}/messages", body)
    error_at(answer, *path)
    [violation] = emulator.take_violations()
    assert violation.kind == "invalid_form_body"
    assert emulator.messages(world.general) == []


async def test_padded_embed_within_limits_is_accepted(world: World, rest: Rest) -> None:
    embed = {"title": " " * 20 + "t" * 256, "fields": [{"name": "n", "value": "v" * 1024 + "\n"}]}
    answer = await rest("POST", f"/channels/{world.general.id}/messages", {"embeds": [embed]})
    assert answer.status == 200, answer


# commands


def chat(name: str, **extra: Any) -> JSON:
    return {"type": 1, "name": name, "description": "a command", **extra}


async def test_bad_command_definitions_get_discords_400(
    emulator: DiscordEmulator, rest: Rest
) -> None:
    url = f"/applications/{emulator.application.id}/commands"
    mixed = chat(
        "mixed",
        options=[
            {"type": 1, "name": "sub", "description": "d"},
            {"type": 3, "name": "plain", "description": "d"},
        ],
    )
    error_at(await rest("PUT", url, [mixed]), 0, "options")
    error_at(await rest("PUT", url, [chat("ctx", contexts=[])]), 0, "contexts")
    error_at(
        await rest("POST", url, chat("perm", default_member_permissions="all")),
        "default_member_permissions",
    )
    menus = [{"type": 2, "name": f"Menu {i}"} for i in range(16)]
    error_at(await rest("PUT", url, menus))
    error_at(await rest("PUT", url, {"not": "a list"}))
    assert len(emulator.take_violations()) == 5
    assert emulator.commands[None] == {}


async def test_names_with_apostrophes_and_indic_marks_are_registered(
    emulator: DiscordEmulator, rest: Rest
) -> None:
    url = f"/applications/{emulator.application.id}/commands"
    names = ["don't", "नमस्ते", "สวัสดี"]
    answer = await rest("PUT", url, [chat(n) for n in names])
    assert answer.status == 200, answer
    assert sorted(c["name"] for c in answer.body) == sorted(names)


async def test_creating_a_16th_user_command_is_refused(
    emulator: DiscordEmulator, rest: Rest
) -> None:
    url = f"/applications/{emulator.application.id}/commands"
    for i in range(15):
        assert (await rest("POST", url, {"type": 2, "name": f"Menu {i}"})).status == 201
    refused = await rest("POST", url, {"type": 2, "name": "Menu 15"})
    assert refused.status == 400 and refused.body["code"] == 30032
    again = await rest("POST", url, {"type": 2, "name": "Menu 3"})  # an update, not a new one
    assert again.status == 200
    assert (await rest("POST", url, chat("still-room"))).status == 201  # other types unaffected
    assert len(emulator.commands[None]) == 16


# any malformed body: a 4xx with Discord's error JSON, never a 500

FIELDS = """
content embeds components allowed_mentions nonce flags attachments message_reference type
name description options choices style custom_id label url data title fields value
contexts default_member_permissions users parse id min_values max_values
""".split()
ATOMS: list[Any] = [None, True, False, 0, -1, 1, 7, 2**70, 1.5, "", " ", "x" * 30, "4", []]


def junk(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.3:
        return [junk(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 3 and roll < 0.6:
        return {rng.choice(FIELDS): junk(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return rng.choice(ATOMS)


async def test_no_malformed_body_makes_a_500(
    emulator: DiscordEmulator, world: World, rest: Rest
) -> None:
    rng = random.Random(19)
    emulator.interaction_deadline = 1e9  # the interaction stays open for every attempt
    app = emulator.application.id
    sent = await rest("POST", f"/channels/{world.general.id}/messages", {"content": "edit me"})
    registered = await rest("POST", f"/applications/{app}/commands", chat("probe"))
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(emulator.gateway_url + "?v=10&encoding=json") as ws,
    ):
        await identify(ws, emulator.token)
        deferred = await emulator.slash("probe")
        callback = f"/interactions/{deferred.id}/{deferred.token}/callback"
        assert (await rest("POST", callback, {"type": 5})).status == 204
        handle = await emulator.slash("probe")
        routes = [
            ("POST", f"/webhooks/{app}/{deferred.token}?wait=true"),
            ("PATCH", f"/webhooks/{app}/{deferred.token}/messages/@original"),
            ("POST", f"/channels/{world.general.id}/messages"),
            ("PATCH", f"/channels/{world.general.id}/messages/{sent.body['id']}"),
            ("PUT", f"/applications/{app}/commands"),
            ("POST", f"/applications/{app}/commands"),
            ("PATCH", f"/applications/{app}/commands/{registered.body['id']}"),
            ("POST", f"/interactions/{handle.id}/{handle.token}/callback"),
        ]
        statuses: dict[int, int] = {}
        per_route: dict[str, set[int]] = {}
        for attempt in range(800):
            method, path = routes[attempt % len(routes)]
            body = junk(rng)
            if rng.random() < 0.5:  # a message-like object with one or two odd fields
                body = {"content": "x", "type": rng.choice([4, 5, 7, 8, 9])}
                body[rng.choice(FIELDS)] = junk(rng)
                body["data"] = {"content": "x", rng.choice(FIELDS): junk(rng)}
            answer = await rest(method, path, body)
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
            per_route.setdefault(path, set()).add(answer.status)
            assert answer.status < 500, (method, path, body, answer)
            if answer.status >= 400:
                assert {"code", "message"} <= set(answer.body), answer
            if handle.acknowledged:  # a valid callback got through: open a new interaction
                handle = await emulator.slash("probe")
    assert statuses.get(400, 0) > 400  # most of it really was malformed
    for path, seen in per_route.items():  # every route both refused and accepted something
        assert 400 in seen and seen & {200, 201, 204}, (path, seen)
    emulator.take_violations()


# interaction follow-ups and token lifetime


class FollowupBot:
    """A bot whose /later defers, waits for the test's go, then sends one follow-up."""

    def __init__(self) -> None:
        self.client = discord.Client(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self.client)
        self.go = asyncio.Event()
        self.kwargs: JSON = {}
        self.outcomes: list[BaseException | discord.WebhookMessage | None] = []
        self.done = asyncio.Event()

        @self.tree.command(name="later", description="Answer after the test says so")
        async def later(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            for _ in range(2):
                await self.go.wait()
                self.go.clear()
                try:
                    self.outcomes.append(
                        await interaction.followup.send("later", wait=True, **self.kwargs)
                    )
                except discord.HTTPException as exc:
                    self.outcomes.append(exc)
                self.done.set()

    async def step(self) -> BaseException | discord.WebhookMessage | None:
        self.done.clear()
        self.go.set()
        await asyncio.wait_for(self.done.wait(), 5)
        return self.outcomes[-1]


@pytest.fixture
async def followup_bot(emulator: DiscordEmulator, start_bot: StartBot) -> FollowupBot:
    bot = FollowupBot()
    await start_bot(emulator, bot.client)
    await bot.tree.sync()
    return bot


async def test_interaction_token_expires_after_15_minutes(
    emulator: DiscordEmulator, world: World, followup_bot: FollowupBot
) -> None:
    handle = await emulator.slash("later")
    await handle.response()
    emulator.advance_clock(14 * 60)
    first = await followup_bot.step()
    assert isinstance(first, discord.WebhookMessage) and first.content == "later"
    emulator.advance_clock(61)
    second = await followup_bot.step()
    assert isinstance(second, discord.HTTPException)
    assert second.status == 401 and second.code == 50027
    async with aiohttp.ClientSession() as session:
        edit = await Rest(emulator, session)(
            "PATCH",
            f"/webhooks/{emulator.application.id}/{handle.token}/messages/@original",
            {"content": "too late"},
        )
    assert edit.status == 401 and edit.body == {"message": "Invalid Webhook Token", "code": 50027}
    kinds = [v.kind for v in emulator.take_violations()]
    assert kinds == ["expired_interaction_token"] * 2
    assert len(handle.followup_ids) == 1


async def test_followup_cannot_pose_as_another_user(
    emulator: DiscordEmulator, world: World, followup_bot: FollowupBot
) -> None:
    followup_bot.kwargs = {"username": "The Admin", "avatar_url": "https://example.com/a.png"}
    handle = await emulator.slash("later")
    await handle.response()
    outcome = await followup_bot.step()
    assert isinstance(outcome, discord.HTTPException)
    assert outcome.status == 400 and outcome.code == 50035
    [violation] = emulator.take_violations()
    assert {p.path for p in violation.problems} == {("username",), ("avatar_url",)}
    followup_bot.kwargs = {}
    assert isinstance(await followup_bot.step(), discord.WebhookMessage)


# gateway sessions


async def identify(ws: aiohttp.ClientWebSocketResponse, token: str) -> tuple[str, int]:
    """HELLO, IDENTIFY, READY: the session id and the last sequence number seen."""
    hello = await ws.receive_json(timeout=5)
    assert hello["op"] == 10
    await ws.send_json({"op": 2, "d": {"token": token, "intents": 0, "properties": {}}})
    ready = await ws.receive_json(timeout=5)
    assert ready["t"] == "READY"
    return ready["d"]["session_id"], ready["s"]


async def resume(
    emulator: DiscordEmulator, session: aiohttp.ClientSession, session_id: str, seq: int
) -> JSON:
    """RESUME on a new socket; the first answer after HELLO."""
    async with session.ws_connect(emulator.resume_gateway_url + "?v=10&encoding=json") as ws:
        await ws.receive_json(timeout=5)
        await ws.send_json(
            {"op": 6, "d": {"token": emulator.token, "session_id": session_id, "seq": seq}}
        )
        answer: JSON = await ws.receive_json(timeout=5)
        return answer


@pytest.mark.parametrize("code, resumable", [(1000, False), (1001, False), (4000, True)])
async def test_only_an_abnormal_close_keeps_the_session(
    emulator: DiscordEmulator, world: World, code: int, resumable: bool
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(emulator.gateway_url + "?v=10&encoding=json") as ws:
            session_id, seq = await identify(ws, emulator.token)
            await ws.close(code=code)
        await emulator.wait_until(
            lambda: any(r.kind == "closed" for r in emulator.gateway_log), what="the close"
        )
        answer = await resume(emulator, session, session_id, seq)
    if resumable:
        assert (answer["op"], answer["t"]) == (0, "RESUMED")
    else:
        assert answer == {"op": 9, "d": False}
        assert [r.kind for r in emulator.gateway_log].count("session_ended") == 1


async def test_discord_py_close_frame_decides_whether_it_can_resume(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    """``Client.close()`` asks for 1000, but its reader task wakes first and sends 4000
    (discord.py 2.7 + aiohttp): on the wire it is an abnormal close, so Discord, and the
    emulator, keep the session. Whatever frame arrives decides it."""
    client = discord.Client(intents=discord.Intents.default())
    await start_bot(emulator, client)
    assert client.ws is not None
    session_id, seq = client.ws.session_id, client.ws.sequence
    assert session_id is not None and seq is not None
    await client.close()
    await emulator.wait_until(
        lambda: any(r.kind == "closed" for r in emulator.gateway_log), what="the close"
    )
    [closed] = [r for r in emulator.gateway_log if r.kind == "closed"]
    assert closed.close_code is not None
    async with aiohttp.ClientSession() as session:
        answer = await resume(emulator, session, session_id, seq)
    if closed.close_code in (1000, 1001):
        assert answer == {"op": 9, "d": False}
    else:
        assert (answer["op"], answer["t"]) == (0, "RESUMED")


# compression


async def test_zlib_stream_frames_decode_with_one_context(
    emulator: DiscordEmulator, world: World
) -> None:
    inflate = zlib.decompressobj()
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(emulator.gateway_url + "?v=10&encoding=json&compress=zlib-stream") as ws,
    ):
        hello = json.loads(inflate.decompress(await ws.receive_bytes(timeout=5)))
        assert hello["op"] == 10
        await ws.send_json({"op": 2, "d": {"token": emulator.token, "intents": 1}})
        ready = json.loads(inflate.decompress(await ws.receive_bytes(timeout=5)))
        guild = json.loads(inflate.decompress(await ws.receive_bytes(timeout=5)))
    assert (ready["t"], guild["t"]) == ("READY", "GUILD_CREATE")


async def test_zstd_stream_is_served_only_with_a_zstd_library(
    emulator: DiscordEmulator, world: World
) -> None:
    url = emulator.gateway_url + "?v=10&encoding=json&compress=zstd-stream"
    async with aiohttp.ClientSession() as session:
        if compression_supported("zstd-stream"):
            import zstandard

            inflate = zstandard.ZstdDecompressor().decompressobj()
            async with session.ws_connect(url) as ws:
                hello = json.loads(inflate.decompress(await ws.receive_bytes(timeout=5)))
            assert hello["op"] == 10
            return
        with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
            await session.ws_connect(url)
    assert raised.value.status == 400
    [violation] = emulator.take_violations()
    assert violation.kind == "unsupported_compression" and "zstandard" in violation.detail


async def test_discord_py_asks_for_a_compression_the_emulator_serves(
    emulator: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    """discord.py 2.7 asks for zstd-stream when a zstd library imports, else zlib-stream."""
    client = discord.Client(intents=discord.Intents.default())
    await start_bot(emulator, client)
    [connect] = [r for r in emulator.gateway_log if r.kind == "connect"]
    assert connect.compression is not None and compression_supported(connect.compression)
    asked = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert connect.compression == asked
