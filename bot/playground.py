"""`quotebot try`: the real bot against the loopback emulator, in a terminal.

A person types slash commands as in Discord (`/quote money on screen`,
`/random topic:casting`), gets autocomplete from the bot itself with Tab, presses
buttons by number, and sees every message the bot sends rendered as Discord would show
it. No Discord account, token or network is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shlex
import sys
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout
from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from bot.client import QuoteBot
from bot.clock import WarpClock
from bot.emulator import (
    DiscordEmulator,
    EmulatorUsageError,
    Message,
    Upload,
    World,
    build_world,
)
from bot.emulator.launch import start_bot, stop_bot
from bot.settings import Settings

WORK_TIMEOUT = 120.0
"""Seconds to wait for the bot to finish handling a line (a reload at scale)."""
HANDLER_TASKS = ("CommandTree-invoker", "discord-ui-view-dispatch", "discord-ui-dynamic-item")
"""discord.py's names for the tasks that run a command's or a component's callback."""

HELP = """\
Type slash commands as in Discord. The first option can be given without its name:
  /quote money on screen          /quote query:"it factor" private:true
  /random topic:casting           /topic casting         /about
Owners: /admin reload, /admin status, /admin import file:PATH (a local file; title:"..." optional).
Tab completes command names and asks the bot for autocomplete on the option you are typing.
Buttons on the last message are numbered: type 1, 2, ... to press one.
  :as NAME     act as owner, member or moderator (now: {who})
  :wait [S]    wait S seconds (default 2) for messages the bot sends by itself
  :skip D      move the bot's clock ahead by D (90s, 30m, 2h, 1d), e.g. to a daily post
  :daily       move the clock to this server's next daily post and show it
  :help        this text            :quit  leave (Ctrl-D works too)
"""


@dataclass
class Seen:
    """What has been shown of each message, so edits are shown once."""

    edits: dict[int, int] = field(default_factory=dict)


def _commands(emu: DiscordEmulator, guild_id: int) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for scope in (None, guild_id):
        for command in emu.commands.get(scope, {}).values():
            if command.get("type", 1) == 1:
                found[command["name"]] = command
    return found


def _leaf_options(command: dict[str, Any], path: list[str]) -> list[dict[str, Any]]:
    options = command.get("options") or []
    for name in path:
        sub = next((o for o in options if o["name"] == name and o["type"] in (1, 2)), None)
        if sub is None:
            break
        options = sub.get("options") or []
    return [o for o in options if o["type"] not in (1, 2)]


@dataclass(frozen=True)
class Parsed:
    name: str
    path: list[str]
    options: dict[str, Any]
    focused: str | None = None


def parse_command(line: str, commands: dict[str, dict[str, Any]]) -> Parsed:
    """`/cmd [sub] [positional words] [name:value ...]` into a command, path and options."""
    body = line.strip().removeprefix("/")
    try:
        tokens = shlex.split(body)
    except ValueError:
        tokens = body.split()
    if not tokens:
        raise ValueError("type a command, e.g. /quote money on screen (or :help)")
    name = tokens.pop(0).lower()
    command = commands.get(name)
    if command is None:
        known = ", ".join(f"/{n}" for n in sorted(commands))
        raise ValueError(f"unknown command /{name}; try {known}")
    path: list[str] = []
    subs = {o["name"] for o in command.get("options") or [] if o["type"] in (1, 2)}
    while tokens and tokens[0] in subs:
        path.append(tokens.pop(0))
        node = next(o for o in (command.get("options") or []) if o["name"] == path[0])
        for part in path[1:]:
            node = next(o for o in node.get("options") or [] if o["name"] == part)
        subs = {o["name"] for o in node.get("options") or [] if o["type"] in (1, 2)}
    leaf = _leaf_options(command, path)
    named = {o["name"]: o for o in leaf}
    options: dict[str, Any] = {}
    loose: list[str] = []
    last_named: str | None = None
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key in named:
            options[key] = value
            last_named = key
        else:
            loose.append(token)
    focused = last_named
    if loose:
        first = next((o for o in leaf if o["name"] not in options), None)
        if first is None:
            raise ValueError(f"/{name} has no option for {' '.join(loose)!r}")
        options[first["name"]] = " ".join(loose)
        focused = first["name"] if not last_named else focused
    for key, value in list(options.items()):
        options[key] = _convert(named[key], value)
    return Parsed(name, path, options, focused)


def _convert(option: dict[str, Any], value: str) -> Any:
    kind = option["type"]
    if kind == 11:  # an attachment: upload a local file, as dragging it into Discord would
        path = Path(value).expanduser()
        try:
            return Upload(path.name, path.read_bytes())
        except OSError as exc:
            raise ValueError(f"cannot attach {value!r}: {exc.strerror or exc}") from exc
    if kind == 5:
        return value.lower() in ("1", "true", "yes", "y", "on")
    if kind == 4:
        return int(value)
    if kind == 10:
        return float(value)
    return value


_MARKDOWN_ESCAPE = re.compile(r"\\([*_~|`>\\\[\]()#-])")


_BOLD = re.compile(r"(?<!\\)\*\*(.+?)(?<!\\)\*\*")
_ITALIC = re.compile(r"(?<![\\*])\*(?!\*)(.+?)(?<!\\)\*")
_TIMESTAMP = re.compile(r"<t:(\d{1,12})(?::[tTdDfFR])?>")


def shown(text: str) -> str:
    """Text as Discord displays it: markdown markers and escapes are invisible there, and
    timestamps show as times, so the terminal shows the same."""
    text = _TIMESTAMP.sub(
        lambda m: datetime.fromtimestamp(int(m.group(1)), UTC).strftime("%H:%M:%S UTC"), text
    )
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))
    return _MARKDOWN_ESCAPE.sub(r"\1", text)


def render(message: Message, *, edited: bool = False) -> Group:
    """A Discord message as terminal text: content, embed and numbered buttons."""
    parts: list[Any] = []
    tag = " (only you can see this)" if message.ephemeral else ""
    tag += " (edited)" if edited else ""
    header = Text(f"{message.author.username}{tag}", style="bold cyan")
    parts.append(header)
    if message.content:
        parts.append(Text(shown(message.content)))
    for embed in message.embeds:
        body: list[Any] = []
        if embed.get("author"):
            body.append(Text(embed["author"].get("name", ""), style="bold"))
        if embed.get("description"):
            body.append(Text(shown(embed["description"])))
        for embed_field in embed.get("fields") or []:
            body.append(Text(shown(embed_field["name"]), style="bold magenta"))
            body.append(Text(shown(embed_field["value"])))
        if embed.get("footer"):
            body.append(Text(embed["footer"].get("text", ""), style="dim"))
        parts.append(
            Panel(Group(*body), title=embed.get("title"), title_align="left", border_style="red")
        )
    buttons = [b for b in message.buttons if b.get("custom_id")]
    if buttons:
        labels = [
            f"[{n}] {b.get('label') or b.get('custom_id')}"
            + (" (disabled)" if b.get("disabled") else "")
            for n, b in enumerate(buttons, 1)
        ]
        parts.append(Text("   ".join(labels), style="green"))
    return Group(*parts)


class Playground:
    """The session: one emulator, one world, the real bot, a current user."""

    def __init__(self, emu: DiscordEmulator, world: World, bot: QuoteBot, console: Console) -> None:
        self.emu = emu
        self.world = world
        self.bot = bot
        self.console = console
        self.user = world.owner
        self.seen = Seen()
        self.last: Message | None = None

    @property
    def commands(self) -> dict[str, dict[str, Any]]:
        return _commands(self.emu, self.world.guild.id)

    def show_changes(self) -> None:
        for message in self.emu.messages(self.world.general):
            shown = self.seen.edits.get(message.id)
            if shown == message.edits or message.loading:
                continue
            self.seen.edits[message.id] = message.edits
            self.console.print(render(message, edited=shown is not None))
            if message.buttons:
                self.last = message

    async def settle(self, handle: Any | None = None) -> None:
        """Wait for the bot's answer (and a moment for follow-ups), then show what changed."""
        if handle is not None:
            with contextlib.suppress(TimeoutError):
                await handle.response(timeout=5.0)
            with contextlib.suppress(TimeoutError):
                await handle.wait_original(timeout=5.0)
            # A handler can answer first and go on working (an import's Confirm reloads after
            # acknowledging the click): the next line must not race it.
            handlers = [t for t in asyncio.all_tasks() if t.get_name().startswith(HANDLER_TASKS)]
            if handlers:
                await asyncio.wait(handlers, timeout=WORK_TIMEOUT)
        await asyncio.sleep(0.2)
        self.show_changes()

    async def handle_line(self, line: str) -> bool:
        """Run one line; False means quit."""
        line = line.strip()
        if not line:
            return True
        if line in (":quit", ":q", "exit", "quit"):
            return False
        if line.startswith(":help") or line == "help":
            self.console.print(HELP.format(who=self.user.username))
            return True
        if line.startswith(":as"):
            who = line[3:].strip()
            cast = {
                "owner": self.world.owner,
                "member": self.world.member,
                "moderator": self.world.moderator,
            }
            if who not in cast:
                self.console.print("choose owner, member or moderator")
            else:
                self.user = cast[who]
                self.console.print(f"you are now {who}")
            return True
        if line.startswith(":wait"):
            arg = line[5:].strip()
            await asyncio.sleep(float(arg) if arg else 2.0)
            self.show_changes()
            return True
        if line.startswith(":skip"):
            try:
                delta = parse_duration(line[5:].strip())
            except ValueError as exc:
                self.console.print(f"[red]{exc}[/red]")
                return True
            await self.jump(self.clock.now() + delta)
            return True
        if line == ":daily":
            await self.next_daily()
            return True
        if line.isdigit():
            await self.press(int(line))
            return True
        if not line.startswith("/"):
            self.console.print("Commands start with / (try /about), or :help")
            return True
        try:
            parsed = self.resolve(parse_command(line, self.commands))
            handle = await self.emu.slash(
                " ".join([parsed.name, *parsed.path]),
                parsed.options,
                guild=self.world.guild,
                channel=self.world.general,
                user=self.user,
            )
        except (ValueError, EmulatorUsageError) as exc:
            self.console.print(f"[red]{exc}[/red]")
            return True
        await self.settle(handle)
        return True

    @property
    def clock(self) -> WarpClock:
        clock = self.bot.clock
        if not isinstance(clock, WarpClock):
            raise RuntimeError("the playground runs the bot on a WarpClock")
        return clock

    async def jump(self, when: datetime) -> None:
        """Move the bot's clock to `when` and show whatever the bot does at that moment."""
        now = self.clock.set(when)
        self.console.print(f"[dim]clock: {now:%Y-%m-%d %H:%M} UTC[/dim]")
        cog = self.bot.get_cog("Daily")
        scheduler = getattr(cog, "scheduler", None)
        if scheduler is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(scheduler.wait_idle(), 5.0)
        await self.settle()

    async def next_daily(self) -> None:
        cog = self.bot.get_cog("Daily")
        scheduler = getattr(cog, "scheduler", None)
        if scheduler is None:
            self.console.print("the daily quote is not available")
            return
        guild = self.world.guild.id
        found = [
            await scheduler.status(guild, r.channel_id) for r in await scheduler.schedules(guild)
        ]
        upcoming = sorted(s.next_post for s in found if s.next_post is not None)
        if not upcoming:
            self.console.print(
                "no daily post is scheduled: try /daily set channel:general time:09:00 timezone:Europe/Berlin"
            )
            return
        await self.jump(upcoming[0])

    def resolve(self, parsed: Parsed) -> Parsed:
        """Channel, user and role options by name (`channel:general`, `#general`) become ids."""
        command = self.commands[parsed.name]
        leaf = {o["name"]: o for o in _leaf_options(command, parsed.path)}
        options = dict(parsed.options)
        for key, value in parsed.options.items():
            kind = leaf[key]["type"]
            if not isinstance(value, str) or kind not in (6, 7, 8):
                continue
            name = value.lstrip("#@").casefold()
            if kind == 7:
                found = [c.id for c in self.emu.channels.values() if c.name.casefold() == name]
            elif kind == 6:
                found = [u.id for u in self.emu.users.values() if u.username.casefold() == name]
            else:
                found = [r.id for r in self.world.guild.roles.values() if r.name.casefold() == name]
            if not found:
                raise ValueError(f"no {leaf[key]['name']} called {value!r}")
            options[key] = found[0]
        return replace(parsed, options=options)

    async def press(self, number: int) -> None:
        if self.last is None:
            self.console.print("no buttons to press yet")
            return
        message = self.emu.get_message(self.last.id) or self.last
        buttons = [b for b in message.buttons if b.get("custom_id")]
        if not 1 <= number <= len(buttons):
            self.console.print(f"the last message has buttons 1..{len(buttons)}")
            return
        try:
            handle = await self.emu.click(message, buttons[number - 1]["custom_id"], user=self.user)
        except EmulatorUsageError as exc:
            self.console.print(f"[red]{exc}[/red]")
            return
        await self.settle(handle)

    async def complete(self, text: str) -> list[tuple[str, str]]:
        """(insert text, display) pairs for the line typed so far."""
        commands = self.commands
        if " " not in text:
            return [(f"/{n}", f"/{n}") for n in sorted(commands) if f"/{n}".startswith(text)]
        try:
            parsed = parse_command(text, commands)
        except ValueError:
            return []
        if parsed.focused is None:
            return []
        command = commands[parsed.name]
        leaf = {o["name"]: o for o in _leaf_options(command, parsed.path)}
        option = leaf.get(parsed.focused)
        if option is None or not option.get("autocomplete"):
            return (
                [(str(c["value"]), c["name"]) for c in option.get("choices") or []]
                if option
                else []
            )
        try:
            choices = await self.emu.autocomplete(
                " ".join([parsed.name, *parsed.path]),
                parsed.options,
                focused=parsed.focused,
                guild=self.world.guild,
                channel=self.world.general,
                user=self.user,
                timeout=2.0,
            )
        except (TimeoutError, EmulatorUsageError):
            return []
        return [(str(c["value"]), c["name"]) for c in choices]


class BotCompleter(Completer):
    def __init__(self, playground: Playground) -> None:
        self.playground = playground

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        return []

    async def get_completions_async(  # type: ignore[override]
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncIterator[Completion]:
        text = document.text_before_cursor
        for insert, display in await self.playground.complete(text):
            if " " not in text:
                yield Completion(insert, start_position=-len(text), display=display)
                continue
            value = insert if " " not in insert else f'"{insert}"'
            parsed_start = _value_start(text)
            yield Completion(value, start_position=-(len(text) - parsed_start), display=display)


def _value_start(text: str) -> int:
    """Where the value being typed starts: after `name:` or after the command (and subcommands)."""
    colon = text.rfind(":")
    space_before = text.rfind(" ", 0, colon) if colon != -1 else -1
    if colon != -1 and " " not in text[colon:]:
        return colon + 1
    if colon != -1 and space_before != -1:
        return colon + 1
    return text.find(" ") + 1


def parse_duration(text: str) -> timedelta:
    """`90s`, `30m`, `2h`, `1d` (or plain seconds) as a timedelta."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    try:
        seconds = float(text[:-1]) * units[text[-1]] if text and text[-1] in units else float(text)
    except ValueError:
        raise ValueError("say how far, e.g. :skip 2h (s, m, h or d)") from None
    if seconds <= 0:
        raise ValueError("the clock only moves forward")
    return timedelta(seconds=seconds)


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[DiscordEmulator, World, QuoteBot]]:
    """The emulator with one guild, and the real bot connected and its commands synced."""
    async with DiscordEmulator(interaction_deadline=30.0) as emu:
        world = build_world(emu, "Playground")
        bot = QuoteBot(settings, sync_on_start=False, clock=WarpClock())
        await start_bot(emu, bot, timeout=60.0)
        try:
            await bot.sync_commands(world.guild.id)
            yield emu, world, bot
        finally:
            await stop_bot(bot)


async def _plain_loop(playground: Playground, lines: TextIO, echo: Callable[[str], None]) -> None:
    for raw in lines:
        echo(f"> {raw.rstrip()}")
        if not await playground.handle_line(raw):
            break
    await asyncio.sleep(0.3)
    playground.show_changes()


async def _interactive_loop(playground: Playground) -> None:
    session: PromptSession[str] = PromptSession(
        history=InMemoryHistory(), completer=BotCompleter(playground), complete_while_typing=False
    )
    with patch_stdout(raw=True):
        while True:
            try:
                line = await session.prompt_async(f"{playground.user.username}> ")
            except (EOFError, KeyboardInterrupt):
                return
            if not await playground.handle_line(line):
                return


async def _main(settings: Settings, stream: TextIO | None) -> int:
    console = Console(highlight=False, soft_wrap=False)
    console.print("[bold]quotebot try[/bold]: the real bot on a loopback Discord. Starting…")
    async with running(settings) as (emu, world, bot):
        stats = bot.library.catalog.stats()
        console.print(
            f"Ready: {stats['interviews']} interview(s), {stats['quotes']} quotes, "
            f"{stats['topics']} topics, in #general of “{world.guild.name}”."
        )
        playground = Playground(emu, world, bot, console)
        console.print(HELP.format(who=playground.user.username))
        if stream is not None:
            await _plain_loop(playground, stream, console.print)
        else:
            await _interactive_loop(playground)
    return 0


def run_playground(settings: Settings, db: Path | None = None, stream: TextIO | None = None) -> int:
    """Run the playground; reads commands from `stream` (or stdin when it is not a terminal)."""
    settings = replace(settings, token=None, dev_guild_id=None, db_path=db or settings.db_path)
    # The terminal is the chat window here: keep routine log lines out of it.
    logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    logging.getLogger("discord").setLevel(logging.ERROR)
    if stream is None and not sys.stdin.isatty():
        stream = sys.stdin
    return asyncio.run(_main(settings, stream))
