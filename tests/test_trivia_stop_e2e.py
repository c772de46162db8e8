# ruff: noqa: F811  (the fixtures clock, launch, players, qbot come from test_trivia_e2e)
"""/trivia stop end to end: who may stop, the round revealed and the final table so far, and
a stopped game that stays stopped across a restart, and a final table that survives a
restart between a game's close and its post. The real bot and discord.py against the
loopback emulator, real SQLite, a manual clock."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bot.client import QuoteBot
from bot.clock import ManualClock
from bot.emulator import DiscordEmulator, World
from bot.emulator.launch import stop_bot
from bot.emulator.models import Message, User
from bot.trivia.games import BETWEEN_ROUNDS, Game
from tests.test_trivia_e2e import (  # the fixtures clock, launch, players, qbot too
    SECONDS,
    Launch,
    active,
    click,
    clock,  # noqa: F401
    fields,
    launch,  # noqa: F401
    no_pings,
    play,
    players,  # noqa: F401
    qbot,  # noqa: F401
    revealed,
)
from tests.test_trivia_games_e2e import game_of, next_question


async def stop(emulator: DiscordEmulator, world: World, user: User) -> str:
    handle = await emulator.slash(
        "trivia stop", {}, guild=world.guild, channel=world.general, user=user
    )
    reply = await handle.wait_original()
    assert reply.ephemeral
    return reply.content


def finals(emulator: DiscordEmulator, world: World) -> list[Message]:
    return [
        m
        for m in emulator.messages(world.general, ephemeral=False)
        if m.embed and str(m.embed.get("title", "")).startswith("Trivia game")
    ]


def questions_asked(emulator: DiscordEmulator, world: World) -> int:
    return sum(
        1
        for m in emulator.messages(world.general, ephemeral=False)
        if any(b["custom_id"].startswith("qb:tv:") for b in m.buttons)
    )


async def one_round_played(
    emulator: DiscordEmulator,
    world: World,
    bot: QuoteBot,
    clock: ManualClock,
    starter: User,
    questions: int,
) -> Game:
    """`starter` starts a game, answers its first round right, and the round is revealed."""
    handle = await play(emulator, world, user=starter, questions=questions)
    first = await handle.wait_original(lambda m: bool(m.buttons))
    game = await game_of(bot, world)
    round1 = await active(bot, world)
    assert round1 is not None
    await click(emulator, first, round1, round1.correct, starter)
    clock.advance(SECONDS)
    await revealed(emulator, first.id)
    return game


async def test_the_starter_stops_a_game_mid_round_and_it_stays_stopped_after_a_restart(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    launch: Launch,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, bob, _, _ = players
    game = await one_round_played(emulator, world, qbot, clock, alice, 5)
    second, round2 = await next_question(emulator, world, qbot, clock, game.id)
    await click(emulator, second, round2, round2.correct, bob)

    # Bob neither started it nor may manage the server.
    refused = await stop(emulator, world, bob)
    assert "Only the member who started it" in refused
    assert (await active(qbot, world)) is not None

    assert "game stopped" in await stop(emulator, world, alice)
    shown = await revealed(emulator, second.id)  # the open round ends now, with Bob's answer
    assert f"<@{bob.id}>" in fields(shown)["Standings after 2 of 5"]
    [final] = finals(emulator, world)
    no_pings(final)
    assert final.embed is not None and "stopped · 2 of 5" in final.embed["title"]
    assert f"<@{alice.id}>" in final.embed["description"]
    assert f"<@{bob.id}>" in final.embed["description"]
    stored = await qbot.library.store.trivia_game(game.id)
    assert stored is not None and stored.status == "cancelled"

    # Nothing more is asked: not by this process, not after a restart.
    asked = questions_asked(emulator, world)
    await stop_bot(qbot)
    again = await launch()
    clock.advance(BETWEEN_ROUNDS + SECONDS)
    assert await active(again, world, timeout=0.3) is None
    assert questions_asked(emulator, world) == asked and len(finals(emulator, world)) == 1
    # The channel is free again, and nothing is left to stop.
    assert "No trivia round or game" in await stop(emulator, world, alice)
    new = await play(emulator, world, user=bob)
    assert (await new.wait_original(lambda m: bool(m.buttons))).buttons


async def test_a_moderator_stops_a_game_between_rounds(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    launch: Launch,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, _, _, _ = players
    game = await one_round_played(emulator, world, qbot, clock, alice, 3)
    assert "game stopped" in await stop(emulator, world, world.moderator)  # Manage Server
    [final] = finals(emulator, world)
    assert final.embed is not None and "stopped · 1 of 3" in final.embed["title"]
    await stop_bot(qbot)
    again = await launch()
    clock.advance(BETWEEN_ROUNDS * 3)
    assert await active(again, world, timeout=0.3) is None
    assert questions_asked(emulator, world) == 1
    stored = await again.library.store.trivia_game(game.id)
    assert stored is not None and stored.status == "cancelled"


async def test_a_single_round_is_revealed_when_stopped(
    emulator: DiscordEmulator, world: World, qbot: QuoteBot, players: list[User]
) -> None:
    alice, bob, _, _ = players
    handle = await play(emulator, world, user=alice)
    message = await handle.wait_original(lambda m: bool(m.buttons))
    round_ = await active(qbot, world)
    assert round_ is not None
    await click(emulator, message, round_, round_.correct, bob)
    assert "round stopped" in await stop(emulator, world, alice)
    shown = await revealed(emulator, message.id)
    assert f"<@{bob.id}>" in str(shown.embeds)
    score = await qbot.library.store.trivia_score(world.guild.id, bob.id)
    assert score is not None and score.correct == 1  # the answer given before the stop counts
    assert finals(emulator, world) == []  # a single round has no game table


# --------------------------------------------------------------- a restart before the table


def freeze_after_closing(bot: QuoteBot) -> tuple[asyncio.Event, list[asyncio.Task[Any]]]:
    """From now on the bot stops dead right after a game's close is written: whatever
    was to follow (a reveal, the final table) never runs in this process, as if it had
    been killed there. Returns the event set when that happens and the frozen tasks."""
    store = bot.library.store
    close = store.trivia_end_game
    stalled, frozen = asyncio.Event(), []

    async def closed_then_frozen(*args: Any, **kwargs: Any) -> bool:
        ended = await close(*args, **kwargs)
        task = asyncio.current_task()
        assert task is not None
        frozen.append(task)
        stalled.set()
        await asyncio.Event().wait()
        return ended

    store.trivia_end_game = closed_then_frozen  # type: ignore[method-assign]
    return stalled, frozen


async def die(bot: QuoteBot, frozen: list[asyncio.Task[Any]]) -> None:
    """Stop the frozen bot; its frozen work is dropped, never resumed."""
    await stop_bot(bot)
    for task in frozen:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def timers(bot: QuoteBot) -> list[asyncio.Task[None]]:
    """What the bot's trivia host has scheduled (right after a start: what it resumed)."""
    cog: Any = bot.get_cog("Trivia")
    return list(cog.host.timers.values())


async def settled(bot: QuoteBot) -> None:
    """Wait for what the trivia host scheduled to be done."""
    async with asyncio.timeout(10):  # bounds a hang
        await asyncio.gather(*timers(bot))


async def test_a_restart_between_stopping_a_game_and_its_reveal_and_table_posts_them(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    launch: Launch,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, bob, _, _ = players
    game = await one_round_played(emulator, world, qbot, clock, alice, 5)
    second, round2 = await next_question(emulator, world, qbot, clock, game.id)
    await click(emulator, second, round2, round2.correct, bob)
    stalled, frozen = freeze_after_closing(qbot)
    await emulator.slash("trivia stop", {}, guild=world.guild, channel=world.general, user=alice)
    async with asyncio.timeout(10):  # bounds a hang; the stop is an event, not a duration
        await stalled.wait()
    stored = await qbot.library.store.trivia_game(game.id)
    assert stored is not None and stored.status == "cancelled"
    await die(qbot, frozen)  # the game is closed; its round open, unrevealed; no table
    assert finals(emulator, world) == []
    stale = emulator.get_message(second.id)
    assert stale is not None and not any(b.get("disabled") for b in stale.buttons)

    # No clock step: the start itself reveals the round (its own timer would wait for the
    # round's end) and posts the table.
    again = await launch()
    shown = await revealed(emulator, second.id)
    assert f"<@{bob.id}>" in fields(shown)["Standings after 2 of 5"]
    await emulator.wait_until(lambda: bool(finals(emulator, world)), 10, what="the final table")
    [final] = finals(emulator, world)
    no_pings(final)
    assert final.embed is not None and "stopped · 2 of 5" in final.embed["title"]
    assert "Stopped early with /trivia stop." in final.embed["description"]
    assert f"<@{alice.id}>" in final.embed["description"]
    assert f"<@{bob.id}>" in final.embed["description"]
    store = again.library.store
    score = await store.trivia_score(world.guild.id, bob.id)
    assert score is not None and (score.answered, score.correct) == (1, 1)
    await settled(again)
    assert await store.trivia_finals_due() == []

    # Posted once: the next start has nothing left to post or ask.
    await stop_bot(again)
    third = await launch()
    assert timers(third) == []
    clock.advance(BETWEEN_ROUNDS + SECONDS)
    assert await active(third, world, timeout=0.3) is None
    assert len(finals(emulator, world)) == 1 and questions_asked(emulator, world) == 2


async def test_a_restart_between_a_games_last_reveal_and_its_table_posts_the_table(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    launch: Launch,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice = players[0]
    stalled, frozen = freeze_after_closing(qbot)
    game = await one_round_played(emulator, world, qbot, clock, alice, 1)  # its last round
    async with asyncio.timeout(10):
        await stalled.wait()
    await die(qbot, frozen)  # the game is over in the database, its table not posted
    assert finals(emulator, world) == []

    again = await launch()
    await emulator.wait_until(lambda: bool(finals(emulator, world)), 10, what="the final table")
    [final] = finals(emulator, world)
    assert final.embed is not None and "over · 1 questions" in final.embed["title"]
    assert f"<@{alice.id}>" in final.embed["description"]
    stored = await again.library.store.trivia_game(game.id)
    assert stored is not None and stored.status == "finished"
    await settled(again)
    assert await again.library.store.trivia_finals_due() == []
