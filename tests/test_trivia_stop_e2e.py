# ruff: noqa: F811  (the fixtures clock, launch, players, qbot come from test_trivia_e2e)
"""/trivia stop end to end: who may stop, the round revealed and the final table so far, and
a stopped game that stays stopped across a restart. The real bot and discord.py against the
loopback emulator, real SQLite, a manual clock."""

from __future__ import annotations

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
