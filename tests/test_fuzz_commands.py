"""Fuzzing every slash command's options and every autocomplete through the emulator, against
the live bot (see tests/test_fuzz.py for the properties and the long mode).

Hypothesis runs in a worker thread and plays each example against the live bot on the test's
event loop, so shrinking works as usual. The commands and the options with autocomplete are
read from the bot's command tree, drawn evenly, and every one must be reached: a new command
cannot be left out."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from discord import app_commands
from fuzz_helpers import RAN, encoded_files, queries, wild_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from longmode import budget

from bot.client import APOLOGY, QuoteBot
from bot.emulator import DiscordEmulator, Permission, Upload, User, World
from bot.emulator.models import Message

pytestmark = pytest.mark.usefixtures("examples_per_target")


# --- every slash command through the emulator -------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One invocation a member could make: a command, a subcommand, options, who."""

    name: str
    sub: str | None
    options: dict[str, Any]
    who: str  # owner | member | moderator
    attempt: int = 0
    """Tells apart calls that are otherwise the same (a command without options): hypothesis
    plays each distinct example once, so without it such commands got 1-2 of 300 examples.
    The bot's state differs between attempts (what ran before, who is on cooldown)."""

    def __str__(self) -> str:
        shown = {
            k: (v if not isinstance(v, str) or len(v) < 80 else f"{v[:60]!r}…({len(v)})")
            for k, v in self.options.items()
        }
        return f"/{self.name} {self.sub or ''} {shown} as {self.who}"


class Crowd:
    """Many members and moderators, used in turn, so per-member cooldowns rarely hide a path."""

    def __init__(self, emulator: DiscordEmulator, world: World, size: int = 40) -> None:
        self.owner = world.owner
        role = emulator.create_role(world.guild, "Fuzz mods", permissions=Permission.MANAGE_GUILD)
        self.members: list[User] = []
        self.moderators: list[User] = []
        for n in range(size):
            member = emulator.create_user(f"fuzz-member-{n}")
            emulator.add_member(world.guild, member)
            self.members.append(member)
            moderator = emulator.create_user(f"fuzz-mod-{n}")
            emulator.add_member(world.guild, moderator, roles=[role])
            self.moderators.append(moderator)
        self.turn = 0

    def pick(self, who: str) -> User:
        self.turn += 1
        if who == "owner":
            return self.owner
        group = self.members if who == "member" else self.moderators
        return group[self.turn % len(group)]


def no_pings(message: Message) -> None:
    assert message.allowed_mentions is not None, (
        f"message {message.id} sent without allowed_mentions"
    )
    assert message.pings() == frozenset(), f"message {message.id} pings {message.pings()}"


def every_message(emulator: DiscordEmulator) -> Iterator[Message]:
    for channel in emulator.channels.values():
        yield from emulator.messages(channel)


async def reply_to(emulator: DiscordEmulator, handle: Any) -> Message | None:
    """The settled answer: the original response (edited, not "thinking…") or a follow-up."""
    await handle.response(timeout=10)
    assert handle.first_response_seconds < emulator.interaction_deadline
    if handle.original_message_id is None:
        return None
    return await handle.wait_original(timeout=10)


def drive(
    loop: asyncio.AbstractEventLoop,
    strategy: st.SearchStrategy[Any],
    play: Callable[[Any], Awaitable[None]],
    examples: int,
) -> int:
    """Run hypothesis here (a worker thread); each example is played on the bot's loop."""
    ran = 0

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(strategy)
    def check(example: Any) -> None:
        nonlocal ran
        ran += 1
        asyncio.run_coroutine_threadsafe(play(example), loop).result(timeout=60)

    check()
    return ran


@pytest.fixture
async def fuzzbot(
    launch_quotebot: Callable[..., Awaitable[QuoteBot]],
    emulator: DiscordEmulator,
    world: World,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[tuple[QuoteBot, Crowd]]:
    caplog.set_level(logging.WARNING)
    # Discord's 3 s limit on the first response is real time: with thousands of examples on
    # a shared machine it measures how busy the machine is, not the bot (a long run failed
    # on a 3.5 s autocomplete while other tests ran). What is fuzzed here is what the bot
    # answers; answering in time is tested on its own (deferring slow work) and measured in
    # benchmarks/.
    emulator.interaction_deadline = 60.0
    bot = await launch_quotebot()
    crowd = Crowd(emulator, world)
    yield bot, crowd
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, "\n".join(r.getMessage() for r in errors)


def leaf_commands(bot: QuoteBot) -> list[app_commands.Command[Any, ..., Any]]:
    """Every slash command and subcommand the bot registers, read from its command tree."""
    leaves: list[app_commands.Command[Any, ..., Any]] = []
    for command in bot.tree.get_commands():
        if isinstance(command, app_commands.Group):
            leaves += [c for c in command.walk_commands() if isinstance(c, app_commands.Command)]
        elif isinstance(command, app_commands.Command):
            leaves.append(command)
    return sorted(leaves, key=lambda c: c.qualified_name)


def call_strategies(world: World) -> dict[str, st.SearchStrategy[Call]]:
    """For each command ("daily set"), the calls a member could make: options within what
    Discord enforces for each registered option (lengths, ranges, choices); what a member
    types inside those bounds is anything."""
    text = wild_text
    members = st.sampled_from([world.owner, world.member, world.moderator])
    uploads = st.builds(
        Upload,
        st.tuples(
            wild_text(30).filter(lambda s: "/" not in s), st.sampled_from([".txt", ".md", ".bin"])
        ).map(lambda p: (p[0] or "x") + p[1]),
        encoded_files(),
    )
    anyone = st.sampled_from(["member", "owner"])
    managers = st.sampled_from(["owner", "moderator"])
    options: dict[str, tuple[st.SearchStrategy[dict[str, Any]], st.SearchStrategy[str]]] = {
        "quote": (
            st.fixed_dictionaries(
                {"query": text(200).filter(str.strip)},
                optional={
                    "private": st.booleans(),
                    "image": st.booleans(),
                    "speaker": text(100).filter(bool),
                    "interview": text(100).filter(bool),
                },
            ),
            anyone,
        ),
        "quote-settings": (
            st.fixed_dictionaries(
                {}, optional={"theme": st.sampled_from(["accent", "light", "dark"])}
            ),
            managers,
        ),
        "random": (
            st.fixed_dictionaries(
                {},
                optional={
                    "topic": text(100).filter(bool),
                    "speaker": text(100).filter(bool),
                    "interview": text(100).filter(bool),
                },
            ),
            anyone,
        ),
        "topic": (st.fixed_dictionaries({"name": text(100).filter(bool)}), anyone),
        "about": (st.just({}), anyone),
        "trivia play": (
            st.fixed_dictionaries(
                {},
                optional={
                    "topic": text(100).filter(bool),
                    "difficulty": st.sampled_from(["easy", "medium", "hard"]),
                    "questions": st.integers(1, 20),
                },
            ),
            anyone,
        ),
        "trivia stop": (st.just({}), anyone),
        "trivia leaderboard": (
            st.fixed_dictionaries(
                {},
                optional={
                    "season": st.one_of(
                        text(40).filter(bool), st.sampled_from(["all-time", "1", "2", "0"])
                    )
                },
            ),
            anyone,
        ),
        "trivia stats": (st.fixed_dictionaries({}, optional={"member": members}), anyone),
        "trivia season start": (
            st.fixed_dictionaries({}, optional={"name": text(60).filter(bool)}),
            managers,
        ),
        "trivia-settings": (
            st.fixed_dictionaries(
                {},
                optional={
                    "round_seconds": st.integers(5, 300),
                    "right_points": st.integers(1, 100),
                    "reveal_evidence": st.booleans(),
                    "generated_questions": st.booleans(),
                },
            ),
            st.just("moderator"),
        ),
        "daily set": (
            st.fixed_dictionaries(
                {
                    "channel": st.just(world.general),
                    "time": st.one_of(
                        text(20).filter(bool),
                        st.sampled_from(["09:00", "23:59", "24:00", "7", "7pm", "00:00"]),
                    ),
                    "timezone": st.one_of(
                        text(100).filter(bool),
                        st.sampled_from(
                            [
                                "Europe/Berlin",
                                "berlin",
                                "UTC",
                                "../../etc/passwd",
                                "America/New_York",
                            ]
                        ),
                    ),
                },
                optional={
                    "topic": text(100).filter(bool),
                    "mention": st.sampled_from(list(world.guild.roles.values())),
                    "thread": st.booleans(),
                },
            ),
            st.just("moderator"),
        ),
        **{
            f"daily {sub}": (
                st.fixed_dictionaries({}, optional={"channel": text(100).filter(bool)}),
                st.just("moderator"),
            )
            for sub in ("off", "status", "preview")
        },
        "admin status": (st.just({}), managers),
        "admin sync": (
            st.fixed_dictionaries({}, optional={"scope": st.sampled_from(["guild", "global"])}),
            managers,
        ),
        "admin audit": (
            st.fixed_dictionaries({}, optional={"count": st.integers(1, 25)}),
            managers,
        ),
        "admin reload": (st.just({}), managers),
        "admin export": (st.just({}), managers),
        "admin import": (
            st.fixed_dictionaries({"file": uploads}, optional={"title": text(200).filter(bool)}),
            managers,
        ),
    }
    strategies: dict[str, st.SearchStrategy[Call]] = {}
    for qualified, (opts, who) in options.items():
        name, _, sub = qualified.partition(" ")
        strategies[qualified] = st.builds(
            Call, st.just(name), st.just(sub or None), opts, who, st.integers(0, 2**20)
        )
    return strategies


async def test_every_slash_command_takes_any_options(
    emulator: DiscordEmulator, world: World, fuzzbot: tuple[QuoteBot, Crowd]
) -> None:
    bot, crowd = fuzzbot
    commands = [c.qualified_name for c in leaf_commands(bot)]
    strategies = call_strategies(world)
    assert not set(commands) - set(strategies), "a command has no fuzz strategy: add one"
    assert not set(strategies) - set(commands), "a fuzz strategy for a command that is gone"
    seen: Counter[str] = Counter()

    async def play(call: Call) -> None:
        key = f"/{call.name} {call.sub or ''}".strip()
        seen[key] += 1
        RAN[f"slash {key}"] += 1
        handle = await emulator.slash(
            call.name,
            call.options,
            subcommand=call.sub,
            user=crowd.pick(call.who),
            channel=world.general,
        )
        reply = await reply_to(emulator, handle)
        assert reply is not None, f"{call}: no reply"
        assert APOLOGY not in reply.content, f"{call}: the bot hit a bug"
        assert not emulator.take_violations(), f"{call}: Discord would reject the reply"
        for message in every_message(emulator):
            no_pings(message)

    # Evenly: each command gets its own run (drawn from one strategy, hypothesis spent most
    # examples on the commands with the most options).
    loop = asyncio.get_running_loop()
    ran = 0
    for name in commands:
        ran += await asyncio.to_thread(drive, loop, strategies[name], play, budget(10, 180))
    print(f"\nslash commands: {ran} examples: {dict(sorted(seen.items()))}")
    assert set(seen) == {f"/{name}" for name in commands}  # every command was reached


def autocompleted(bot: QuoteBot) -> list[tuple[str, str | None, str]]:
    """(command, subcommand, option) for every option with autocomplete, from the tree."""
    found = []
    for command in leaf_commands(bot):
        name, _, sub = command.qualified_name.partition(" ")
        found += [(name, sub or None, p.name) for p in command.parameters if p.autocomplete]
    return found


async def test_every_autocomplete_takes_anything_and_stays_within_limits(
    emulator: DiscordEmulator, world: World, fuzzbot: tuple[QuoteBot, Crowd]
) -> None:
    bot, crowd = fuzzbot
    targets = autocompleted(bot)
    assert len(targets) >= 7
    seen: Counter[str] = Counter()

    async def play(example: tuple[tuple[str, str | None, str], str]) -> None:
        (name, sub, option), typed = example
        key = f"/{name} {sub or ''} {option}".replace("  ", " ")
        seen[key] += 1
        RAN[f"autocomplete {key}"] += 1
        who = crowd.pick("moderator" if name == "daily" else "member")
        choices = await emulator.autocomplete(
            name, {option: typed}, focused=option, subcommand=sub, user=who, timeout=10
        )
        assert len(choices) <= 25
        assert not emulator.take_violations(), f"{key} {typed[:80]!r}"

    loop = asyncio.get_running_loop()
    ran = 0
    for target in targets:  # evenly, as the commands
        strategy = st.tuples(st.just(target), queries(10_000))
        ran += await asyncio.to_thread(drive, loop, strategy, play, budget(30, 300))
    print(f"\nautocomplete: {ran} examples: {dict(sorted(seen.items()))}")
    assert len(seen) == len(targets)
