"""/trivia end to end: the real bot and discord.py against the loopback emulator, real
SQLite in tmp_path, and a manual clock so a round's end is one step, never a sleep."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.client import QuoteBot
from bot.clock import ManualClock
from bot.emulator import (
    CommandNotVisible,
    DiscordEmulator,
    EmulatorUsageError,
    InteractionHandle,
    StartBot,
    World,
)
from bot.emulator.launch import stop_bot
from bot.emulator.models import Message, User
from bot.render import safe
from bot.settings import Settings
from bot.trivia import Round

Launch = Callable[..., Awaitable[QuoteBot]]
START = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)
SECONDS = 20  # the default round time; the manual clock makes it cost nothing


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def launch(
    emulator: DiscordEmulator,
    world: World,
    start_bot: StartBot,
    bot_settings: Settings,
    clock: ManualClock,
) -> Launch:
    """Start a QuoteBot on the test database that keeps time by `clock` (again, to restart)."""

    async def start() -> QuoteBot:
        bot = QuoteBot(bot_settings, rng=random.Random(7))
        bot.clock = clock  # before start-up: the cogs read it when they load
        await start_bot(emulator, bot)
        await bot.sync_commands(world.guild.id)
        return bot

    return start


@pytest.fixture
async def qbot(launch: Launch) -> QuoteBot:
    return await launch()


@pytest.fixture
def players(emulator: DiscordEmulator, world: World) -> list[User]:
    found = []
    for name in ("alice", "bob", "carol", "dave"):
        user = emulator.create_user(name)
        emulator.add_member(world.guild, user)
        found.append(user)
    return found


def text_of(message: Message) -> str:
    return json.dumps({"content": message.content, "embeds": message.embeds}, ensure_ascii=False)


async def play(
    emulator: DiscordEmulator, world: World, user: User | None = None, **options: Any
) -> InteractionHandle:
    return await emulator.slash(
        "trivia play", options, guild=world.guild, channel=world.general, user=user or world.owner
    )


async def start_round(
    emulator: DiscordEmulator, world: World, bot: QuoteBot
) -> tuple[Message, Round]:
    handle = await play(emulator, world)
    message = await handle.wait_original(lambda m: bool(m.buttons))
    assert not message.ephemeral
    round_ = await active(bot, world)
    assert round_ is not None and round_.message_id == message.id
    return message, round_


async def active(bot: QuoteBot, world: World, timeout: float = 5.0) -> Round | None:
    """The channel's active round once its message id is recorded."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await bot.library.store.trivia_active_round(world.general.id)
        if found is None or found.message_id is not None:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the round's message id was never recorded")
        await asyncio.sleep(0.01)


def button(round_: Round, choice: int) -> str:
    return f"qb:tv:{round_.id}:{choice}"


def wrong(round_: Round) -> int:
    return (round_.correct + 1) % len(round_.choices)


async def click(
    emulator: DiscordEmulator, message: Message, round_: Round, choice: int, user: User
) -> str:
    """Click an answer as `user`; returns the private text they were shown."""
    handle = await emulator.click(message, button(round_, choice), user=user)
    callback = await handle.response()
    assert callback.ephemeral, callback
    return str(callback.data.get("content"))


async def revealed(emulator: DiscordEmulator, message_id: int, timeout: float = 5.0) -> Message:
    def done() -> bool:
        found = emulator.get_message(message_id)
        return (
            found is not None
            and bool(found.buttons)
            and all(b.get("disabled") for b in found.buttons)
        )

    await emulator.wait_until(done, timeout, what=f"the reveal of message {message_id}")
    found = emulator.get_message(message_id)
    assert found is not None
    return found


def fields(message: Message) -> dict[str, str]:
    assert message.embed is not None
    return {f["name"]: f["value"] for f in message.embed.get("fields", [])}


def no_pings(message: Message) -> None:
    mentions = message.allowed_mentions
    assert mentions is not None
    assert not mentions.get("parse") and not mentions.get("users") and not mentions.get("roles")


# --------------------------------------------------------------------------- a round


async def test_a_full_round_with_several_members(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, bob, carol, _ = players
    message, round_ = await start_round(emulator, world, qbot)
    labels = [b["label"] for b in message.buttons if b["custom_id"].startswith("qb:tv:")]
    assert labels == list(round_.choices) and len(labels) >= 2
    if len(round_.choices) > 2:  # a hint to narrow the choices, on its own row
        assert [b["custom_id"] for b in message.buttons][-1] == f"qb:th:{round_.id}"
    assert all(not b.get("disabled") for b in message.buttons)
    assert message.embed is not None and message.embed["title"].startswith("Trivia · ")
    no_pings(message)
    assert round_.seconds == SECONDS

    assert (await click(emulator, message, round_, round_.correct, alice)).startswith(
        "✅ Right! You earn 15 points"
    )
    clock.advance(10)
    assert (await click(emulator, message, round_, round_.correct, bob)).startswith(
        "✅ Right! You earn 12 points"
    )
    assert (await click(emulator, message, round_, wrong(round_), carol)).startswith(
        "❌ Not quite."
    )
    # the question message itself did not change while members answered
    still = emulator.get_message(message.id)
    assert still is not None and all(not b.get("disabled") for b in still.buttons)

    clock.advance(SECONDS - 10)
    final = await revealed(emulator, message.id)
    shown = fields(final)
    no_pings(final)
    assert shown["Answer"] == f"**{safe(round_.choices[round_.correct], 200)}**"
    assert f"<@{alice.id}> +15" in shown["Right (2)"] and f"<@{bob.id}> +12" in shown["Right (2)"]
    assert shown["Right (2)"].index(str(alice.id)) < shown["Right (2)"].index(str(bob.id))
    assert f"<@{carol.id}>" in shown["Wrong (1)"]
    assert f"“{safe(round_.question.evidence, 2000)}”" in shown["Evidence"]
    who = "Sean Baker" if round_.question.speaker else "the interviewer"
    assert f"— {who}, *Sean Baker on making “Anora”*" in shown["Evidence"]
    styles = {b["custom_id"]: b["style"] for b in final.buttons}
    assert styles[button(round_, round_.correct)] == 3  # the right answer shown in green
    assert await qbot.library.store.trivia_active_round(world.general.id) is None
    scores = {s.user_id: s for s in await qbot.library.store.trivia_leaderboard(world.guild.id)}
    assert (scores[alice.id].points, scores[bob.id].points, scores[carol.id].points) == (15, 12, 0)
    assert (scores[carol.id].streak, scores[alice.id].streak) == (0, 1)


async def test_simultaneous_clicks_and_double_clicks(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, bob, carol, _ = players
    message, round_ = await start_round(emulator, world, qbot)
    # two members at the same moment: both count
    first, second = await asyncio.gather(
        click(emulator, message, round_, round_.correct, alice),
        click(emulator, message, round_, round_.correct, bob),
    )
    assert first.startswith("✅ Right!") and second.startswith("✅ Right!")
    # one member clicking two answers at the same moment: one counts, one is refused
    texts = await asyncio.gather(
        click(emulator, message, round_, round_.correct, carol),
        click(emulator, message, round_, wrong(round_), carol),
    )
    assert sum(t.startswith(("✅", "❌")) for t in texts) == 1
    assert sum(t.startswith("You already answered this round") for t in texts) == 1
    # and clicking again later, on any button, is refused with what they picked
    again = await click(emulator, message, round_, round_.correct, alice)
    assert again.startswith("You already answered this round (you picked “")
    assert round_.choices[round_.correct] in again
    answers = await qbot.library.store.trivia_answers(round_.id)
    assert sorted(a.user_id for a in answers) == sorted([alice.id, bob.id, carol.id])

    clock.advance(SECONDS)
    final = await revealed(emulator, message.id)
    right = next(v for k, v in fields(final).items() if k.startswith("Right"))
    assert str(alice.id) in right and str(bob.id) in right


async def test_timeout_reveal_and_one_round_per_channel(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, clock: ManualClock
) -> None:
    message, round_ = await start_round(emulator, world, qbot)
    busy = await play(emulator, world, user=world.member)
    callback = await busy.response()
    assert callback.ephemeral
    assert "already running in this channel" in callback.data["content"]
    other = emulator.create_text_channel(world.guild, "games")
    elsewhere = await emulator.slash(
        "trivia play", {}, guild=world.guild, channel=other, user=world.member
    )
    assert (await elsewhere.wait_original(lambda m: bool(m.buttons))).channel_id == other.id

    clock.advance(SECONDS - 1)
    await asyncio.sleep(0.05)
    current = emulator.get_message(message.id)
    assert current is not None and not any(b.get("disabled") for b in current.buttons)
    clock.advance(1)
    final = await revealed(emulator, message.id)
    assert fields(final)["Right"] == "Nobody this time."
    assert "answer revealed" in final.embed["title"]  # type: ignore[index]
    with pytest.raises(EmulatorUsageError, match="disabled"):
        await emulator.click(final, button(round_, 0), user=world.member)
    # the channel is free again, and the next question is a different one
    _, next_round = await start_round(emulator, world, qbot)
    assert next_round.question.id != round_.question.id


async def test_a_click_after_time_is_up_is_refused(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, clock: ManualClock
) -> None:
    message, round_ = await start_round(emulator, world, qbot)
    cog = qbot.get_cog("Trivia")
    assert cog is not None
    for task in list(cog._timers.values()):  # the reveal is late (a busy bot): time is up anyway
        task.cancel()
    clock.advance(SECONDS + 1)
    text = await click(emulator, message, round_, round_.correct, world.member)
    assert text.startswith("Time's up")
    await revealed(emulator, message.id)  # the click noticed and finished the round
    assert await qbot.library.store.trivia_answers(round_.id) == []


# --------------------------------------------------------------------------- restarts


async def test_a_restart_mid_round_resumes_it(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    launch: Launch,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, bob, _, _ = players
    message, round_ = await start_round(emulator, world, qbot)
    assert (await click(emulator, message, round_, round_.correct, alice)).startswith("✅")
    await stop_bot(qbot)

    clock.advance(5)
    second = await launch()
    # the buttons on the old message still work, and answers given before still count
    assert (await click(emulator, message, round_, wrong(round_), bob)).startswith("❌")
    again = await click(emulator, message, round_, wrong(round_), alice)
    assert again.startswith("You already answered")
    clock.advance(SECONDS - 5)
    final = await revealed(emulator, message.id)
    shown = fields(final)
    assert f"<@{alice.id}> +15" in shown["Right (1)"] and f"<@{bob.id}>" in shown["Wrong (1)"]
    assert await second.library.store.trivia_active_rounds() == []


async def test_a_round_that_ended_while_the_bot_was_down_is_finished_at_start(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    launch: Launch,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice = players[0]
    message, round_ = await start_round(emulator, world, qbot)
    await click(emulator, message, round_, round_.correct, alice)
    await stop_bot(qbot)
    clock.advance(3600)
    stale = emulator.get_message(message.id)
    assert stale is not None and not any(b.get("disabled") for b in stale.buttons)
    second = await launch()
    final = await revealed(emulator, message.id)  # no click, no clock step: done at start
    assert f"<@{alice.id}> +15" in fields(final)["Right (1)"]
    score = await second.library.store.trivia_score(world.guild.id, alice.id)
    assert score is not None and score.points == 15


async def test_a_round_whose_message_is_gone_is_closed_cleanly(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, clock: ManualClock
) -> None:
    _, round_ = await start_round(emulator, world, qbot)
    emulator.delete_channel(world.general)
    clock.advance(SECONDS)
    store = qbot.library.store

    async def closed() -> bool:
        found = await store.trivia_round(round_.id)
        return found is not None and found.status != "active"

    for _ in range(200):
        if await closed():
            break
        await asyncio.sleep(0.01)
    assert await closed()
    # the bot still plays elsewhere
    games = emulator.create_text_channel(world.guild, "games")
    handle = await emulator.slash("trivia play", {}, guild=world.guild, channel=games)
    assert (await handle.wait_original(lambda m: bool(m.buttons))).buttons


async def test_a_reveal_that_could_not_be_posted_is_shown_on_the_next_click(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, bob, _, _ = players
    message, round_ = await start_round(emulator, world, qbot)
    await click(emulator, message, round_, round_.correct, alice)
    emulator.inject_rest_fault("PATCH", r"/channels/\d+/messages/\d+", 403)
    clock.advance(SECONDS)
    store = qbot.library.store
    for _ in range(200):
        found = await store.trivia_round(round_.id)
        if found is not None and found.status == "finished":
            break
        await asyncio.sleep(0.01)
    stale = emulator.get_message(message.id)
    assert stale is not None and not any(b.get("disabled") for b in stale.buttons)
    # a member presses one of the buttons left behind: the message is brought up to date
    handle = await emulator.click(message, button(round_, wrong(round_)), user=bob)
    assert (await handle.response()).type == 7  # the click's answer is the edited message
    final = await revealed(emulator, message.id)
    assert f"<@{alice.id}> +15" in fields(final)["Right (1)"]
    (note,) = await handle.followups(1)
    assert note.ephemeral and note.content == "This round is over."
    assert [a.user_id for a in await store.trivia_answers(round_.id)] == [alice.id]


# --------------------------------------------------------------------------- scores


async def test_leaderboard_and_stats_after_several_rounds(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, bob, carol, dave = players
    plan = [
        # (alice, bob, carol) right/wrong per round; bob answers late
        (True, True, False),
        (True, False, True),
        (True, True, None),
    ]
    for answers in plan:
        message, round_ = await start_round(emulator, world, qbot)
        await click(
            emulator, message, round_, round_.correct if answers[0] else wrong(round_), alice
        )
        clock.advance(SECONDS / 2)
        for user, right in zip((bob, carol), answers[1:], strict=True):
            if right is not None:
                choice = round_.correct if right else wrong(round_)
                await click(emulator, message, round_, choice, user)
        clock.advance(SECONDS / 2)
        await revealed(emulator, message.id)

    handle = await emulator.slash(
        "trivia leaderboard", {}, guild=world.guild, channel=world.general, user=carol
    )
    board = await handle.wait_original()
    assert not board.ephemeral
    lines = board.embed["description"].split("\n")  # type: ignore[index]
    assert lines[0] == f"**#1** <@{alice.id}> — 45 pts · 3/3 right · best streak 3"
    assert lines[1] == f"**#2** <@{bob.id}> — 24 pts · 2/3 right · best streak 1"
    assert lines[2] == f"**#3** <@{carol.id}> — 12 pts · 1/2 right · best streak 1"
    assert len(lines) == 3
    assert fields(board)["You"].startswith("#3 of 3 with 12 pts")
    assert "Season 1 (current)" in board.embed["title"]  # type: ignore[index]
    assert not board.buttons  # one page: no page buttons
    no_pings(board)

    outsider = await emulator.slash(
        "trivia leaderboard", {}, guild=world.guild, channel=world.general, user=dave
    )
    assert fields(await outsider.wait_original())["You"] == (
        "You have no points on this board yet."
    )

    stats = await emulator.slash(
        "trivia stats", {"member": bob}, guild=world.guild, channel=world.general, user=alice
    )
    shown = await stats.wait_original()
    assert f"<@{bob.id}> is **#2** here all-time." in shown.embed["description"]  # type: ignore[index]
    bob_says = "**#2** · 24 pts\n2 of 3 right (67%)\nstreak 1 · best 1"
    assert fields(shown) == {"Season 1 (current)": bob_says, "All-time": bob_says}
    mine = await emulator.slash(
        "trivia stats", {}, guild=world.guild, channel=world.general, user=alice
    )
    assert fields(await mine.wait_original())["All-time"].endswith("streak 3 · best 3")


async def test_each_question_once_until_the_pool_is_used_up(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, clock: ManualClock
) -> None:
    cog = qbot.get_cog("Trivia")
    assert cog is not None
    asked = []
    hard = {"difficulty": "hard"}
    seen_before = len(await qbot.library.store.trivia_seen(world.guild.id))
    total_hard = len((await cog.bank()).pool(difficulty="hard"))
    for _ in range(total_hard):
        handle = await play(emulator, world, **hard)
        message = await handle.wait_original(lambda m: bool(m.buttons))
        round_ = await active(qbot, world)
        assert round_ is not None and round_.question.difficulty == "hard"
        asked.append(round_.question.id)
        clock.advance(SECONDS)
        await revealed(emulator, message.id)
    assert len(set(asked)) == total_hard == len(asked) > 10
    assert seen_before == 0
    handle = await play(emulator, world, **hard)  # the pool starts over, not with the last one
    await handle.wait_original(lambda m: bool(m.buttons))
    round_ = await active(qbot, world)
    assert round_ is not None and round_.question.id != asked[-1]


async def test_topic_and_difficulty_filters(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot
) -> None:
    choices = await emulator.autocomplete(
        "trivia play", {}, focused="topic", guild=world.guild, channel=world.general
    )
    assert choices and all(len(c["name"]) <= 100 for c in choices)
    handle = await play(emulator, world, topic="music", difficulty="easy")
    await handle.wait_original(lambda m: bool(m.buttons))
    round_ = await active(qbot, world)
    assert round_ is not None and round_.question.difficulty == "easy"
    music = qbot.library.catalog.find_topic("music")
    assert music is not None and round_.question.passage_id in music.passage_ids
    unknown = await emulator.slash(
        "trivia play",
        {"topic": "astrophysics"},
        guild=world.guild,
        channel=emulator.create_text_channel(world.guild, "x"),
    )
    callback = await unknown.response()
    assert callback.ephemeral and "I don't know a topic called" in callback.data["content"]


# --------------------------------------------------------------------------- settings, data


async def test_round_time_setting_is_for_managers(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot
) -> None:
    registered = emulator.find_command("trivia-settings", world.guild.id)
    assert registered is not None and int(registered["default_member_permissions"]) == 1 << 5
    with pytest.raises(CommandNotVisible):
        await emulator.slash("trivia-settings", {"round_seconds": 30}, user=world.member)
    # A server may open the command up to everyone (Server Settings › Integrations); the
    # bot still checks the permission at run time.
    registered["default_member_permissions"] = None
    denied = await emulator.slash(
        "trivia-settings",
        {"round_seconds": 30},
        guild=world.guild,
        channel=world.general,
        user=world.member,
    )
    callback = await denied.response()
    assert callback.ephemeral and "Manage Server" in callback.data["content"]
    assert await qbot.library.store.trivia_round_seconds(world.guild.id) is None

    done = await emulator.slash(
        "trivia-settings",
        {"round_seconds": 30},
        guild=world.guild,
        channel=world.general,
        user=world.moderator,
    )
    assert "rounds last 30 s" in (await done.response()).data["content"]
    _, round_ = await start_round(emulator, world, qbot)
    assert round_.seconds == 30
    shown = await emulator.slash(
        "trivia-settings", {}, guild=world.guild, channel=world.general, user=world.moderator
    )
    assert "last 30 s" in (await shown.response()).data["content"]


async def test_a_corrupted_trivia_entry_keeps_the_old_questions_and_the_rest_loads(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    bot_settings: Settings,
    clock: ManualClock,
) -> None:
    store = qbot.library.store
    before = await store.read_trivia()
    path = bot_settings.data_dir / "trivia.toml"
    text = path.read_text(encoding="utf-8")
    good = 'evidence = "I grew up in central Jersey"'
    line = text[: text.index(good)].count("\n") + 1
    path.write_text(text.replace(good, 'evidence = "I grew up in central Jersey, USA"'), "utf-8")

    reload = await emulator.slash(
        "admin reload", {}, guild=world.guild, channel=world.general, user=world.owner
    )
    report = await reload.wait_original()
    assert report.embed["title"].endswith(", 1 problem(s)")  # type: ignore[index]
    assert "Trivia questions: the ones loaded before stay" in text_of(report)
    assert f"trivia.toml:{line}: the evidence does not occur" in text_of(report)
    assert await store.read_trivia() == before  # the old questions stay in service

    message, round_ = await start_round(emulator, world, qbot)  # trivia still plays
    assert (await click(emulator, message, round_, round_.correct, world.member)).startswith("✅")
    quote = await emulator.slash(
        "quote", {"query": "put the money on screen"}, guild=world.guild, channel=world.general
    )
    assert "money" in text_of(await quote.wait_original())

    path.write_text(text, encoding="utf-8")  # fixed: the next reload goes through
    fixed = await emulator.slash(
        "admin reload", {}, guild=world.guild, channel=world.general, user=world.owner
    )
    assert "problem" not in text_of(await fixed.wait_original())
