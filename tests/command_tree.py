"""Dump the bot's slash-command tree as JSON: names, options, choices, ranges, autocomplete,
default permissions, guild-only, and the checks each command runs (its own, its groups',
a cog's interaction_check). Diff two dumps to prove a refactoring left the commands alone:

    .venv/bin/python tests/command_tree.py > before.json   # on the old commit
    .venv/bin/python tests/command_tree.py > after.json
    diff before.json after.json
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from discord import app_commands  # noqa: E402
from discord.ext import commands  # noqa: E402

from bot.client import QuoteBot  # noqa: E402
from bot.settings import Settings  # noqa: E402


def _describe_check(check: Any) -> Any:
    """A check as its name plus the plain values it closes over (a cooldown's rate...)."""
    values: list[Any] = []
    seen: set[int] = set()

    def walk(fn: Any, depth: int) -> None:
        if depth > 4 or id(fn) in seen:
            return
        seen.add(id(fn))
        inner: list[Any] = []
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                inner.append(cell.cell_contents)
            except ValueError:
                continue
        inner += list((getattr(fn, "__kwdefaults__", None) or {}).values())
        for value in inner:
            if isinstance(value, str | int | float | bool):
                values.append(value)
            elif callable(value):
                walk(value, depth + 1)

    walk(check, 0)
    name = getattr(check, "__qualname__", type(check).__qualname__)
    return {"check": name.split(".<locals>")[0], "values": values}


def _checks(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> list[Any]:
    found: list[Any] = [_describe_check(c) for c in getattr(command, "checks", [])]
    binding = getattr(command, "binding", None)
    if isinstance(binding, commands.Cog) and type(binding).interaction_check is not (
        commands.Cog.interaction_check
    ):
        found.append({"cog_interaction_check": type(binding).__qualname__})
    return found


def dump(command: Any, tree: app_commands.CommandTree[Any]) -> dict[str, Any]:
    data: dict[str, Any] = command.to_dict(tree)
    data["checks"] = _checks(command)
    if isinstance(command, app_commands.Group):
        data["options"] = [dump(c, tree) for c in command.commands]
    return data


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            db_path=Path(tmp) / "q.db",
            seeds_dir=ROOT / "seeds",
            data_dir=ROOT / "data",
            dev_guild_id=None,
        )
        bot = QuoteBot(settings, sync_on_start=False)
        async with bot:
            await bot.setup_hook()
            tree = bot.tree
            found = [dump(c, tree) for c in tree.get_commands()]
            found.sort(key=lambda c: (c.get("type", 1), c["name"]))
            print(json.dumps(found, indent=1, sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
