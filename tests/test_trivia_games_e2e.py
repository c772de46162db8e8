# ruff: noqa: F811  (the fixtures clock, launch, players, qbot come from test_trivia_e2e)
"""Trivia games, hints, leaderboard pages, seasons and settings end to end: the real bot and
discord.py against the loopback emulator, real SQLite, and a manual clock (a round's end
and the pause between rounds are one step each, never a sleep)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.client import QuoteBot
from bot.clock import ManualClock
from bot.emulator import DiscordEmulator, World
from bot.emulator.launch import stop_bot
from bot.emulator.models import Message, User
from bot.trivia import Round
from bot.trivia.games import BETWEEN_ROUNDS, Game, hint_choices
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
    start_round,
    wrong,
)


async def eventually(check: Any, what: str, tries: int = 500) -> Any:
    """Poll an async check (counted tries, not wall time) until it returns something true."""
    for _ in range(tries):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def game_of(bot: QuoteBot, world: World) -> Game:
    found = await bot.library.store.trivia_active_game(world.general.id)
    assert found is not None
    return found


async def waiting(bot: QuoteBot, game_id: int) -> Game:
    """The game once it waits for its next round (the reveal is done)."""

    async def check() -> Game | None:
        game = await bot.library.store.trivia_game(game_id)
        return game if game is not None and game.next_at is not None else None

    found: Game = await eventually(check, f"game {game_id} waiting for its next round")
    return found


async def next_question(
    emulator: DiscordEmulator, world: World, bot: QuoteBot, clock: ManualClock, game_id: int
) -> tuple[Message, Round]:
    """Let the pause between rounds pass; the game's next question and its round."""
    await waiting(bot, game_id)
    clock.advance(BETWEEN_ROUNDS)
    round_ = await eventually(lambda: active(bot, world), "the next round of the game")
    message = emulator.get_message(round_.message_id)
    assert message is not None and not message.ephemeral
    return message, round_


def answer_buttons(message: Message) -> list[dict[str, Any]]:
    return [b for b in message.buttons if b["custom_id"].startswith("qb:tv:")]


async def test_a_game_of_three_rounds_survives_restarts_and_ends_with_a_table(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    launch: Launch,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, bob, _, _ = players
    handle = await play(emulator, world, questions=3)
    first = await handle.wait_original(lambda m: bool(m.buttons))
    no_pings(first)
    game = await game_of(qbot, world)
    assert (game.total, game.played) == (3, 1)
    round_ = await active(qbot, world)
    assert round_ is not None and round_.game_id == game.id and round_.game_round == 1
    assert "question 1/3" in first.embed["title"]  # type: ignore[index]
    await click(emulator, first, round_, round_.correct, alice)  # 15 points, at once
    clock.advance(4)
    await click(emulator, first, round_, wrong(round_), bob)
    # /trivia play in the same channel is refused while the game runs, even between rounds
    busy = await (await play(emulator, world, user=world.member)).response()
    assert busy.ephemeral and "game is running" in busy.data["content"]
    clock.advance(SECONDS - 4)
    shown = fields(await revealed(emulator, first.id))
    standings = shown["Standings after 1 of 3"]
    assert standings.startswith(f"**#1** <@{alice.id}> — 15 pts · 1 right · fastest 0.0 s")
    assert f"<@{bob.id}> — 0 pts · 0 right · fastest —" in standings

    # a restart during the pause between rounds: the game goes on
    await waiting(qbot, game.id)
    await stop_bot(qbot)
    second = await launch()
    clock.advance(BETWEEN_ROUNDS)
    round2 = await eventually(lambda: active(second, world), "round 2 after the restart")
    assert round2.game_round == 2 and round2.question.id != round_.question.id
    message2 = emulator.get_message(round2.message_id)
    assert message2 is not None and "question 2/3" in message2.embed["title"]  # type: ignore[index]
    no_pings(message2)
    clock.advance(10)
    await click(emulator, message2, round2, round2.correct, bob)  # 12 points, 10 s in

    # a restart in the middle of a round: its buttons and timer carry on
    await stop_bot(second)
    third = await launch()
    await click(emulator, message2, round2, round2.correct, alice)  # 12 points too
    clock.advance(SECONDS - 10)
    shown = fields(await revealed(emulator, message2.id))
    assert shown["Standings after 2 of 3"].splitlines()[0].startswith(f"**#1** <@{alice.id}> — 27")

    message3, round3 = await next_question(emulator, world, third, clock, game.id)
    assert round3.game_round == 3
    before = len(emulator.messages(world.general, ephemeral=False))
    clock.advance(SECONDS)  # nobody answers the last one
    await revealed(emulator, message3.id)
    final = await emulator.wait_for_message(
        world.general, predicate=lambda m: bool(m.embed) and "game over" in m.embed["title"]
    )
    assert len(emulator.messages(world.general, ephemeral=False)) == before + 1
    no_pings(final)
    assert final.embed is not None
    text = final.embed["description"]
    assert text.startswith(f"🏆 <@{alice.id}> with 27 points.")
    assert f"**#1** <@{alice.id}> — 27 pts · 2 right · fastest 0.0 s" in text
    assert f"**#2** <@{bob.id}> — 12 pts · 1 right · fastest 10.0 s" in text
    assert fields(final)["Fastest answer"] == f"<@{alice.id}> in 0.0 s"
    ended = await third.library.store.trivia_game(game.id)
    assert ended is not None and ended.status == "finished" and ended.played == 3
    assert await third.library.store.trivia_active_game(world.general.id) is None
    # the channel is free again
    assert (await start_round(emulator, world, third))[1].game_id is None


async def test_a_hint_narrows_the_choices_and_halves_the_points(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice, bob, carol, _ = players
    message, round_ = await start_round(emulator, world, qbot)
    hint = f"qb:th:{round_.id}"
    shown = await (await emulator.click(message, hint, user=alice)).response()
    assert shown.ephemeral
    text = shown.data["content"]
    left = [round_.choices[n] for n in hint_choices(round_)]
    assert round_.choices[round_.correct] in left and len(set(left)) == 2
    assert all(f"**{choice}**" in text for choice in left) and "half the points" in text
    others = set(round_.choices) - set(left)
    assert not any(f"**{c}**" in text for c in others)
    again = (await (await emulator.click(message, hint, user=alice)).response()).data["content"]
    assert "half" not in again and all(f"**{c}**" in again for c in left)  # shown again, free

    said = await click(emulator, message, round_, round_.correct, alice)
    assert said.startswith("✅ Right! You earn 7 points (after a hint)")
    await click(emulator, message, round_, round_.correct, bob)  # no hint: 15
    await click(emulator, message, round_, wrong(round_), carol)
    late = await (await emulator.click(message, hint, user=carol)).response()
    assert late.ephemeral and "already answered" in late.data["content"]
    clock.advance(SECONDS)
    final = fields(await revealed(emulator, message.id))
    assert f"<@{alice.id}> +7 💡" in final["Right (2)"] and f"<@{bob.id}> +15" in final["Right (2)"]
    board = {
        s.user_id: s.points for s in (await qbot.library.store.trivia_leaderboard(world.guild.id))
    }
    assert board[alice.id] == 7 and board[bob.id] == 15


async def test_leaderboard_pages_turn_only_for_the_member_who_asked(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    clock: ManualClock,
) -> None:
    members = []
    for n in range(13):
        user = emulator.create_user(f"player{n:02d}")
        emulator.add_member(world.guild, user)
        members.append(user)
    message, round_ = await start_round(emulator, world, qbot)
    for user in members:  # one a second: points fall as time passes
        await click(emulator, message, round_, round_.correct, user)
        clock.advance(1)
    clock.advance(SECONDS)
    await revealed(emulator, message.id)

    asker = members[12]  # last: on page 2
    handle = await emulator.slash(
        "trivia leaderboard", {}, guild=world.guild, channel=world.general, user=asker
    )
    board = await handle.wait_original(lambda m: bool(m.buttons))
    no_pings(board)
    assert len(board.embed["description"].splitlines()) == 10  # type: ignore[index]
    assert fields(board)["You"].startswith("#")  # their rank, though not on this page
    assert "of 13" in fields(board)["You"]
    assert board.embed["footer"]["text"].startswith("Page 1 of 2")  # type: ignore[index]
    ids = [b["custom_id"] for b in board.buttons]
    previous, following = ids
    assert next(b for b in board.buttons if b["custom_id"] == previous)["disabled"]

    # someone else presses Next: refused privately, the page stays
    other = await (await emulator.click(board, following, user=members[0])).response()
    assert other.ephemeral and "Only the member who asked" in other.data["content"]
    still = emulator.get_message(board.id)
    assert still is not None and still.embed["footer"]["text"].startswith("Page 1")  # type: ignore[index]

    turned = await (await emulator.click(board, following, user=asker)).response()
    assert turned.type == 7  # the message itself is edited
    page2 = emulator.get_message(board.id)
    assert page2 is not None and page2.embed["footer"]["text"].startswith("Page 2 of 2")  # type: ignore[index]
    lines = page2.embed["description"].splitlines()  # type: ignore[index]
    assert len(lines) == 3 and f"<@{asker.id}>" in lines[-1]
    back = next(b for b in page2.buttons if b["label"].startswith("◀"))
    assert not back["disabled"]
    assert next(b for b in page2.buttons if b["label"].startswith("Next"))["disabled"]


async def test_a_new_season_closes_the_old_one_and_all_time_keeps_counting(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice = players[0]
    message, round_ = await start_round(emulator, world, qbot)
    await click(emulator, message, round_, round_.correct, alice)
    clock.advance(SECONDS)
    await revealed(emulator, message.id)

    refused = await emulator.slash(
        "trivia season start", {}, guild=world.guild, channel=world.general, user=world.member
    )
    callback = await refused.response()
    assert callback.ephemeral and "Manage Server" in callback.data["content"]
    started = await emulator.slash(
        "trivia season start",
        {"name": "Spring cup"},
        guild=world.guild,
        channel=world.general,
        user=world.moderator,
    )
    said = (await started.wait_original()).content
    assert said.startswith("**Season 1** is over. **Spring cup** (season 2) starts now")
    store = qbot.library.store
    seasons = await store.trivia_seasons(world.guild.id)
    assert [(s.number, s.current) for s in seasons] == [(2, True), (1, False)]

    async def board(options: dict[str, Any]) -> Message:
        handle = await emulator.slash(
            "trivia leaderboard", options, guild=world.guild, channel=world.general, user=alice
        )
        return await handle.wait_original()

    listed = await emulator.autocomplete(
        "trivia", {}, focused="season", subcommand="leaderboard", guild=world.guild, user=alice
    )
    assert [(c["name"], c["value"]) for c in listed] == [
        ("All-time", "all-time"),
        ("Season 2 · Spring cup (current)", "2"),
        ("Season 1 (ended)", "1"),
    ]
    typed = await emulator.autocomplete(
        "trivia",
        {"season": "spring"},
        focused="season",
        subcommand="leaderboard",
        guild=world.guild,
        user=alice,
    )
    assert [c["value"] for c in typed] == ["2"]

    now = await board({})
    assert "Season 2 · Spring cup (current)" in now.embed["title"]  # type: ignore[index]
    assert "Nobody has answered" in now.embed["description"]  # type: ignore[index]
    old = await board({"season": "1"})
    assert "Season 1 (ended)" in old.embed["title"]  # type: ignore[index]
    assert f"<@{alice.id}> — 15 pts" in old.embed["description"]  # type: ignore[index]
    forever = await board({"season": "all-time"})
    assert "All-time" in forever.embed["title"]  # type: ignore[index]

    message, round_ = await start_round(emulator, world, qbot)
    await click(emulator, message, round_, round_.correct, alice)
    clock.advance(SECONDS)
    await revealed(emulator, message.id)
    stats = await emulator.slash(
        "trivia stats", {}, guild=world.guild, channel=world.general, user=alice
    )
    shown = fields(await stats.wait_original())
    assert shown["Season 2 · Spring cup (current)"].startswith("**#1** · 15 pts")
    assert shown["All-time"].startswith("**#1** · 30 pts")
    assert (await store.trivia_member_score(world.guild.id, alice.id, 1)) is not None
    assert (await store.trivia_member_score(world.guild.id, alice.id, 1)).points == 15  # type: ignore[union-attr]
    unknown = await emulator.slash(
        "trivia leaderboard", {"season": "9"}, guild=world.guild, channel=world.general
    )
    assert "no season 9" in (await unknown.response()).data["content"]


async def test_settings_change_points_reveal_and_question_kinds(
    emulator: DiscordEmulator,
    world: World,
    qbot: QuoteBot,
    clock: ManualClock,
    players: list[User],
) -> None:
    alice = players[0]
    done = await emulator.slash(
        "trivia-settings",
        {"right_points": 20, "reveal_evidence": False, "generated_questions": False},
        guild=world.guild,
        channel=world.general,
        user=world.moderator,
    )
    text = (await done.response()).data["content"]
    assert "earns 20 points" in text and "does not quote" in text and "curated only" in text
    for _ in range(3):
        message, round_ = await start_round(emulator, world, qbot)
        assert round_.question.kind == "curated"
        assert "right: 20 points, + up to 10" in message.embed["footer"]["text"]  # type: ignore[index]
        said = await click(emulator, message, round_, round_.correct, alice)
        assert said.startswith("✅ Right! You earn 30 points")
        clock.advance(SECONDS)
        shown = fields(await revealed(emulator, message.id))
        assert "Evidence" not in shown and f"<@{alice.id}> +30" in shown["Right (1)"]
    # the round time is a separate setting and stays as it was; one option changes alone
    again = await emulator.slash(
        "trivia-settings",
        {"reveal_evidence": True},
        guild=world.guild,
        channel=world.general,
        user=world.moderator,
    )
    text = (await again.response()).data["content"]
    assert "rounds last 20 s" in text and "earns 20 points" in text and "the reveal quotes" in text
    message, round_ = await start_round(emulator, world, qbot)
    clock.advance(SECONDS)
    assert "Evidence" in fields(await revealed(emulator, message.id))
    assert len(answer_buttons(message)) == len(round_.choices)
