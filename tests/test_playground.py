"""`quotebot try`: a scripted terminal session against the real bot, and its line parsing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from bot.emulator import DiscordEmulator, World
from bot.endpoints import apply_endpoints
from bot.playground import Playground, _main, parse_command, parse_duration, shown
from bot.settings import Settings

COMMANDS = {
    "quote": {
        "name": "quote",
        "options": [
            {"name": "query", "type": 3, "required": True, "autocomplete": True},
            {"name": "private", "type": 5},
        ],
    },
    "daily": {
        "name": "daily",
        "options": [
            {
                "name": "set",
                "type": 1,
                "options": [{"name": "time", "type": 3}, {"name": "timezone", "type": 3}],
            }
        ],
    },
}


def test_parse_positional_named_and_subcommands() -> None:
    parsed = parse_command("/quote money on screen private:true", COMMANDS)
    assert parsed.options == {"query": "money on screen", "private": True}
    named = parse_command('/quote query:"it factor"', COMMANDS)
    assert named.options == {"query": "it factor"} and named.focused == "query"
    sub = parse_command("/daily set time:09:30 timezone:Europe/Berlin", COMMANDS)
    assert sub.path == ["set"] and sub.options == {"time": "09:30", "timezone": "Europe/Berlin"}
    with pytest.raises(ValueError, match="unknown command"):
        parse_command("/nope", COMMANDS)


def test_shown_renders_markdown_as_discord_does() -> None:
    assert shown(r"\_\_\_ and \*stars\*") == "___ and *stars*"
    assert shown("**Compartment Number 6** and *Anora*") == "Compartment Number 6 and Anora"
    assert shown("revealed <t:0:R>") == "revealed 00:00:00 UTC"


def test_parse_duration() -> None:
    assert parse_duration("2h") == timedelta(hours=2)
    assert parse_duration("90") == timedelta(seconds=90)
    with pytest.raises(ValueError):
        parse_duration("soon")


async def test_scripted_session_shows_quotes_buttons_and_no_match(
    bot_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    script = "/about\n/quote money on screen\n1\n/topic tinsel\n/quote zzqqxx nothing at all\n:as member\n"
    try:
        assert await _main(bot_settings, io.StringIO(script)) == 0
    finally:
        apply_endpoints(None, None)
    out = capsys.readouterr().out
    assert "quotes on" in out  # /about
    assert "We always put all the money on the screen" in out
    assert "[1] Full answer   [2] Another match" in out
    assert "Sean Baker — full answer" in out and "(only you can see this)" in out
    assert "Topic: The tinsel" in out
    assert "No quote matches" in out
    assert "you are now member" in out


async def test_tab_completion_asks_the_bot(
    emulator: DiscordEmulator, world: World, quotebot: object
) -> None:
    from rich.console import Console

    playground = Playground(emulator, world, quotebot, Console(file=io.StringIO()))  # type: ignore[arg-type]
    names = await playground.complete("/qu")
    assert ("/quote", "/quote") in names
    choices = await playground.complete("/quote money on the scr")
    assert choices and "money" in choices[0][1].lower()
    topics = await playground.complete("/topic tins")
    assert topics and topics[0][1].startswith("The tinsel")


async def test_daily_in_the_playground(
    bot_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    script = (
        "/daily set channel:general time:09:00 timezone:Europe/Berlin\n"
        ":daily\n:skip 1d\n/daily set channel:nowhere time:09:00 timezone:UTC\n"
    )
    try:
        assert await _main(bot_settings, io.StringIO(script)) == 0
    finally:
        apply_endpoints(None, None)
    out = capsys.readouterr().out
    assert out.count("Quote of the day") == 2  # today's at the slot, then tomorrow's
    assert "no channel called 'nowhere'" in out
