"""Fuzzing with hypothesis: the transcript parser, search and autocomplete, and every slash
command's options (and every autocomplete) through the emulator.

Properties: never an unhandled exception (parser and loaders raise only their documented
errors; the bot never apologises for a bug nor logs an error), every reply fits Discord's
limits (the emulator validates every payload and records what Discord would reject), and
nothing the bot sends can ping anyone.

The emulator tests run hypothesis in a worker thread and play each example against the live
bot on the test's event loop, so shrinking works as usual. The commands and the options with
autocomplete are read from the bot's command tree, drawn evenly, and every one must be
reached: a new command cannot be left out.

The default run is short (about 800 examples). ``QUOTEBOT_FUZZ=long`` runs the long mode
(over 10,000 examples); ``-s`` prints the examples per target at the end of the module:

    QUOTEBOT_FUZZ=long .venv/bin/python -m pytest tests/test_fuzz.py -s -q
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from discord import app_commands
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from longmode import LONG, budget

from bot.admin import ImportRejected, prepare_import
from bot.catalog import Catalog
from bot.client import APOLOGY, QuoteBot
from bot.emulator import DiscordEmulator, Permission, Upload, User, World
from bot.emulator.models import Message
from bot.emulator.validation import validate_message
from bot.library import Library, ensure_loaded, open_library
from bot.loader import load_interview
from bot.models import InterviewMeta
from bot.render import quote_embed
from bot.render_search import Search, match_footer
from bot.settings import Settings
from bot.transcript import TranscriptError, parse_transcript

ROOT = Path(__file__).resolve().parents[1]
LONG_TOTAL = 10_000


RAN: Counter[str] = Counter()
"""Examples played per target ("parser", "slash /admin reload", ...), over the module."""
GROUPS = ("parser", "loader", "upload", "search", "slash", "autocomplete")


@pytest.fixture(scope="module", autouse=True)
def examples_per_target() -> Iterator[None]:
    """Print the examples each target got (shown with -s); in the long mode, when every
    group ran, check the total."""
    RAN.clear()
    yield
    total = sum(RAN.values())
    width = max((len(k) for k in RAN), default=0)
    lines = [f"  {name:<{width}} {count:>6}" for name, count in sorted(RAN.items())]
    mode = "long" if LONG else "short"
    print(f"\nfuzzing ({mode} mode): {total} examples\n" + "\n".join(lines))
    if LONG and all(any(k.split()[0] == g for k in RAN) for g in GROUPS):
        assert total >= LONG_TOTAL, f"the long mode ran only {total} examples"


# --- strategies -----------------------------------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = "".join(map(chr, range(32))) + "\x7f\x85\u2028\u2029"
RTL = "שלום עולם مرحبا بالعالم ܐܒܓ"
COMBINING = "e\u0301 a\u0308 \u0336s\u0336 Z\u0351\u0352\u0353"
META = [
    *".*+?^$()[]{}|\\",
    "%",
    "_",
    "'",
    '"',
    ";",
    "--",
    "/*",
    "*/",
    "' OR 1=1 --",
    "'); DROP TABLE passages; --",
    "%' --",
    "(?i)",
    "(a+)+$",
    "(.*){1,99}x",
    "[[:alpha:]]",
    "\\b\\w+\\1",
    "${jndi:ldap://x}",
    "{0}",
    "%s%s%n",
    "<script>",
    "@everyone",
    "@here",
    "<@&1>",
    "<@!2>",
    "<#3>",
    "||x||",
    "```",
    "[hidden](https://example.com)",
    "# big",
    "-# small",
    "NULL",
    "\x00",
]
WORDS = "money screen budget audience film casting tinsel Anora Baker producer it factor".split()


def wild_text(max_size: int) -> st.SearchStrategy[str]:
    """Any unicode, zero-width and bidi controls, RTL scripts, regex and SQL metacharacters."""
    odd = st.sampled_from([*ZERO_WIDTH, *BIDI, *RTL, *COMBINING, *"\t\x0b\x0c\x85\u2028 a."])
    return st.one_of(
        st.text(max_size=max_size),
        st.text(alphabet=odd, max_size=max_size),
        st.lists(st.sampled_from(META + WORDS), max_size=24).map(" ".join),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join),
    ).map(lambda text: text[:max_size])


def long_text(low: int, high: int) -> st.SearchStrategy[str]:
    """Very long strings without asking hypothesis for megabytes of entropy."""
    return st.tuples(st.integers(low, high), wild_text(40).filter(bool)).map(
        lambda pair: (pair[1] * (pair[0] // len(pair[1]) + 1))[: pair[0]]
    )


def queries(max_size: int) -> st.SearchStrategy[str]:
    return st.one_of(wild_text(max_size), st.just(""), long_text(min(1000, max_size), max_size))


NAMES = ["Sean Baker", "Baker", "Ann Lee", "Lee", "J. R. R. Tolkien", "Dr. Who", "Q", "A"]
ODD_NAMES = [
    "ann lee",
    "Mikey Madison (actor)",
    "שלום עולם",
    "مرحبا",
    "Ann\u200bLee",
    "\u202eeeL nnA",
    "@everyone",
    "<@123>",
    "",
]
SPEAKERS = st.one_of(st.sampled_from(NAMES), st.sampled_from(ODD_NAMES))


@st.composite
def noise(draw: st.DrawFn) -> str:
    """A line that is not a clean exchange: stray text, markers, blanks, a 5-30k line."""
    kind = draw(st.sampled_from(["turn", "bold", "text", "blank", "long", "control"]))
    if kind == "turn":
        return f"{draw(SPEAKERS)}: {draw(wild_text(80))}"
    if kind == "bold":
        return f"**{draw(SPEAKERS)}:** {draw(wild_text(80))}"
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "\t", ZERO_WIDTH, "\u3000"]))
    if kind == "long":
        return f"{draw(SPEAKERS)}: {draw(long_text(5_000, 30_000))}"
    if kind == "control":
        return draw(st.text(alphabet=st.sampled_from(list(CONTROLS)), min_size=1, max_size=3))
    return draw(wild_text(120))


@st.composite
def transcripts(draw: st.DrawFn) -> str:
    """Mostly interview-shaped (lede, question, `Speaker: answer`...), with noise mixed in."""
    speaker = draw(SPEAKERS.filter(bool))
    short = speaker.split()[-1] if speaker.split() else speaker
    lines = [draw(wild_text(80)) for _ in range(draw(st.integers(0, 2)))]
    for n in range(draw(st.integers(0, 4))):
        lines.append(draw(wild_text(60)) + "?")
        answer = f"{draw(st.sampled_from(WORDS))} {draw(wild_text(100))}"
        lines.append(f"{speaker if n == 0 else short}: {answer}")
    for _ in range(draw(st.integers(0, 3))):
        lines.insert(draw(st.integers(0, len(lines))), draw(noise()))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


@st.composite
def encoded_files(draw: st.DrawFn) -> bytes:
    """Transcript text in whatever encoding someone saved it in, or not text at all."""
    kind = draw(
        st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "binary"])
    )
    if kind == "binary":
        return draw(st.binary(max_size=4000))
    text = draw(transcripts())
    data = text.encode(kind, errors="replace")
    if draw(st.integers(0, 3)) == 0:  # a stray byte in the middle: mixed encodings in one file
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(min_size=1, max_size=4)) + data[cut:]
    return data


def _lines(text: str) -> int:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


# --- the parser -------------------------------------------------------------------------------


@settings(
    max_examples=budget(100, 2000), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(transcripts())
def test_the_parser_returns_an_interview_or_a_transcript_error_with_its_line(text: str) -> None:
    RAN["parser"] += 1
    meta = InterviewMeta(title="Fuzzed")
    try:
        interview = parse_transcript(text, interview_id="fuzz", source="fuzz.txt", meta=meta)
    except TranscriptError as exc:
        event(f"refused: {exc.message.split('(')[0].strip()}")
        assert exc.path == "fuzz.txt"
        assert exc.line is None or 1 <= exc.line <= _lines(text)
        return
    event("parsed")
    assert interview.passages
    ids = [p.id for p in interview.passages]
    assert len(ids) == len(set(ids))
    for p in interview.passages:
        assert p.role == "interviewee" and p.speaker.strip()
        assert p.text.strip(), f"an empty quote at line {p.line}"
        assert 1 <= p.line <= _lines(text)
        assert all(s.strip() for s in p.sentences)


@settings(
    max_examples=budget(50, 1500), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=encoded_files())
def test_a_file_in_any_encoding_loads_or_is_refused_with_its_line(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    RAN["loader"] += 1
    path = tmp_path_factory.getbasetemp() / "fuzzed.txt"
    path.write_bytes(data)
    interview, errors = load_interview(path)
    event("loaded" if interview else "refused")
    assert (interview is None) == bool(errors)
    for err in errors:
        assert err.message and (err.line is None or err.line >= 1)


@settings(
    max_examples=budget(50, 1000), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    encoded_files(),
    st.tuples(
        wild_text(60), st.sampled_from([".txt", ".txt", ".md", ".TXT", ".pdf", ".txt.exe"])
    ).map("".join),
    st.one_of(st.none(), wild_text(300)),
)
def test_an_upload_is_prepared_or_refused_never_crashes(
    data: bytes, filename: str, title: str | None
) -> None:
    RAN["upload"] += 1
    try:
        prepared = prepare_import(data, filename, title=title)
    except ImportRejected as exc:
        event("refused")
        assert str(exc)
        return
    event("prepared")
    preview = prepared.preview
    assert preview.slug and len(preview.slug) <= 60
    assert 0 < len(preview.title) <= 200 and len(preview.first_quote) <= 300
    assert "/" not in preview.filename and "\\" not in preview.filename


# --- search and autocomplete ---------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    """The seed's catalog; its store stays open, as the catalog reads answers from it."""

    async def load() -> Library:
        folder = tmp_path_factory.mktemp("fuzz-catalog")
        settings_ = Settings(
            db_path=folder / "q.db", seeds_dir=ROOT / "seeds", data_dir=ROOT / "data"
        )
        library = await open_library(settings_)
        await ensure_loaded(library)
        return library

    library = asyncio.run(load())
    yield library.catalog
    asyncio.run(library.store.close())


@settings(
    max_examples=budget(150, 2500), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(queries(10_000))
def test_search_and_autocomplete_take_anything(catalog: Catalog, query: str) -> None:
    RAN["search"] += 1
    # CPU time, not wall-clock: other processes on a busy machine do not count against it.
    started = time.process_time()
    found = catalog.quote(query, limit=5)
    suggestions = catalog.autocomplete(query, limit=25)
    assert time.process_time() - started < 2.0, "no pathological query"
    event("matched" if found.results else "no match")
    assert len(found.results) <= 5 and len(suggestions) <= 25
    for view in found.results:
        assert view.passage.id in catalog.quotable
        embed = quote_embed(view, footer=match_footer(0, Search(query)))
        assert validate_message({"embeds": [embed.to_dict()]}) == []
    for suggestion in suggestions:
        assert suggestion.passage_id in catalog.passages
        assert 0 < len(suggestion.label) <= 100


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
