"""/admin: reload the data, import an interview, sync the commands, status, audit.

Thin: who-may checks, options, the core in `bot.admin` and `bot.library`, rendering, reply.

* Who may: reload, import and sync change global data, so only the bot's owners (the
  application's owner or team, plus OWNER_IDS); status and audit are also open to members
  with Manage Server. The group is registered with Manage Server as its default member
  permission, so regular members do not see it, and every command checks again at run time.
* A second /admin reload while one runs is refused (it would re-read the same files); an
  import's Confirm waits for a running reload and then reloads with the new file.
* Every admin action, denied or not, is written to the audit table.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import bot as bot_package
from bot.admin import (
    PENDING_TTL,
    base_dir,
    display_name,
    format_duration,
    human_bytes,
    reload_summary,
)
from bot.admin_access import AdminAccess
from bot.admin_imports import ImportButton, ImportFlow
from bot.client import QuoteBot, member_cooldown
from bot.errors import UserError
from bot.export import ExportError, message_batches
from bot.export import clear as clear_export
from bot.export import export as export_data
from bot.library import Library, ReloadBusy
from bot.render import COLOUR, safe
from bot.render_admin import audit_line, export_text, reload_embed
from bot.respond import send
from bot.textutil import truncate

log = logging.getLogger(__name__)


async def defer(interaction: discord.Interaction[Any]) -> None:
    """Acknowledge at once, privately: checks, the audit row and the work may take a while."""
    await interaction.response.defer(ephemeral=True, thinking=True)


class Admin(commands.Cog):
    """Owners keep the data current from Discord; nothing here can leave the bot without data."""

    admin = app_commands.Group(
        name="admin",
        description="Bot administration: reload and import data, sync commands, status",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.access = AdminAccess(bot, lambda: self.now())
        self.imports = ImportFlow(bot, self.access, lambda: self.now())
        self._reload_by: tuple[str, float] | None = None
        self._export_lock = asyncio.Lock()

    @property
    def library(self) -> Library:
        return self.bot.library

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ImportButton)
        await self.library.store.purge_pending_imports(self.now() - PENDING_TTL)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ImportButton)

    # --- /admin reload ------------------------------------------------------

    def _busy_text(self) -> str:
        if self._reload_by is not None:
            who, started = self._reload_by
            ago = format_duration(time.monotonic() - started)
            return (
                f"A reload started by {safe(who, 40)} {ago} ago is still running. Try again when "
                "it has finished; /admin status shows its result."
            )
        return "A reload is already running. Try again when it has finished; /admin status shows its result."

    @admin.command(
        name="reload", description="Re-read the transcripts and data files, then swap them in"
    )
    @member_cooldown("admin reload")
    async def reload(self, interaction: discord.Interaction[QuoteBot]) -> None:
        await defer(interaction)
        await self.access.require_owner(interaction, "reload", "reload the data")
        if self.library.reloading:
            await self.access.audit(
                interaction, "reload", "refused", message="another reload was running"
            )
            raise UserError(self._busy_text())
        self._reload_by = (str(interaction.user), time.monotonic())
        try:
            outcome = await self.library.reload()
        except ReloadBusy:
            await self.access.audit(
                interaction, "reload", "refused", message="another reload was running"
            )
            raise UserError(self._busy_text()) from None
        except Exception as exc:
            await self.access.audit(
                interaction, "reload", "error", message=f"{type(exc).__name__}: {exc}"
            )
            raise
        finally:
            self._reload_by = None
        result, summary = reload_summary(outcome, base_dir(self.library.paths))
        await self.access.audit(interaction, "reload", result, message=summary)
        await send(
            interaction, embed=reload_embed(outcome, base_dir(self.library.paths)), ephemeral=True
        )

    # --- /admin import ------------------------------------------------------

    @admin.command(name="import", description="Add an interview from an uploaded transcript file")
    @app_commands.describe(
        file="The transcript: a UTF-8 .txt, .md, .vtt or .srt file",
        title="The interview's title (guessed from the file when left out)",
    )
    @member_cooldown("admin import")
    async def import_(
        self,
        interaction: discord.Interaction[QuoteBot],
        file: discord.Attachment,
        title: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        await defer(interaction)
        name = display_name(file.filename)
        await self.access.require_owner(interaction, "import", "import interviews", detail=name)
        await self.imports.preview(interaction, file, title)

    # --- /admin sync --------------------------------------------------------

    @admin.command(name="sync", description="Register the slash commands with Discord, on purpose")
    @app_commands.describe(scope="This server only (instant) or every server (up to an hour)")
    @app_commands.choices(
        scope=[
            app_commands.Choice(name="this server (instant)", value="guild"),
            app_commands.Choice(name="global (can take up to an hour)", value="global"),
        ]
    )
    async def sync(
        self,
        interaction: discord.Interaction[QuoteBot],
        scope: app_commands.Choice[str] | None = None,
    ) -> None:
        where = scope.value if scope else "guild"
        await defer(interaction)
        await self.access.require_owner(interaction, "sync", "register commands", detail=where)
        guild_id = interaction.guild_id if where == "guild" else None
        try:
            synced = await self.bot.sync_commands(guild_id)
        except discord.HTTPException as exc:
            await self.access.audit(interaction, "sync", "error", detail=where, message=str(exc))
            raise UserError(
                f"Discord refused to register the commands: {exc.text or exc.status}"
            ) from exc
        target = "to this server" if guild_id else "globally (may take up to an hour to appear)"
        await self.access.audit(
            interaction, "sync", "ok", detail=where, message=f"{len(synced)} commands"
        )
        await send(
            interaction, content=f"Registered {len(synced)} command(s) {target}.", ephemeral=True
        )

    # --- /admin export ------------------------------------------------------

    @admin.command(
        name="export", description="The quotes (CSV, JSON) and this server's trivia scores (CSV)"
    )
    async def export(self, interaction: discord.Interaction[QuoteBot]) -> None:
        await defer(interaction)
        await self.access.require_owner(interaction, "export", "export the data")
        if self._export_lock.locked():
            await self.access.audit(
                interaction, "export", "refused", message="another export was running"
            )
            raise UserError("An export is already being made; try again when it has finished.")
        guild = interaction.guild
        limit = interaction.filesize_limit  # per file, as Discord announces it for this server

        def name(user_id: int) -> str:
            """Best effort, from the cache: without the members intent it knows few members."""
            if user_id == interaction.user.id:
                return interaction.user.display_name
            member = guild.get_member(user_id) if guild else None
            return member.display_name if member else ""

        async with self._export_lock:
            folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="quotebot-export-"))
            try:
                done = await export_data(
                    self.library.catalog,
                    self.library.store,
                    folder,
                    guild_ids=[interaction.guild_id] if interaction.guild_id else [],
                    names=name,
                    limit=limit,
                )
                batches = message_batches(done.files)
                for n, batch in enumerate(batches):
                    files = [discord.File(f.path, filename=f.name) for f in batch]
                    text = export_text(done, len(batches)) if n == 0 else discord.utils.MISSING
                    await interaction.followup.send(content=text, files=files, ephemeral=True)
            except ExportError as exc:
                await self.access.audit(interaction, "export", "refused", message=str(exc))
                raise UserError(f"The export could not be made: {exc}") from exc
            except Exception as exc:
                await self.access.audit(interaction, "export", "error", message=repr(exc))
                raise
            finally:
                await asyncio.to_thread(clear_export, folder)
        summary = f"{done.quote_count} quotes, {done.score_count} scores, {len(done.files)} files"
        await self.access.audit(interaction, "export", "ok", message=summary)

    # --- /admin status ------------------------------------------------------

    @admin.command(name="status", description="Version, uptime, latency, data counts, last reload")
    async def status(self, interaction: discord.Interaction[QuoteBot]) -> None:
        await defer(interaction)
        await self.access.require_manager(interaction, "status")
        embed = await self.status_embed()
        await send(interaction, embed=embed, ephemeral=True)

    async def status_embed(self) -> discord.Embed:
        store = self.library.store
        latency = self.bot.latency
        latency_text = f"{latency * 1000:.0f} ms" if latency == latency and latency < 1e6 else "—"
        embed = discord.Embed(title="quotebot status", colour=COLOUR)
        embed.add_field(name="Version", value=bot_package.__version__)
        embed.add_field(
            name="Uptime", value=format_duration(time.monotonic() - self.bot.started_at)
        )
        embed.add_field(name="Gateway latency", value=latency_text)
        embed.add_field(name="Servers", value=str(len(self.bot.guilds)))
        embed.add_field(
            name="Database",
            value=f"{human_bytes(await store.size_bytes())} · schema {await store.schema_version()}",
        )
        embed.add_field(name="Reloading now", value="yes" if self.library.reloading else "no")
        stats = {**self.library.catalog.stats(), "trivia": await store.admin_trivia_count()}
        counts = " · ".join(f"{k.replace('_', ' ').capitalize()} **{v}**" for k, v in stats.items())
        embed.add_field(name="Data", value=truncate(counts, 1024) or "—", inline=False)
        last = await store.admin_actions(
            limit=1,
            actions=["reload", "import-confirm"],
            results=["ok", "failed", "error"],
        )
        embed.add_field(
            name="Last reload",
            value=audit_line(last[0]) if last else "none since the database was created",
            inline=False,
        )
        return embed

    # --- /admin audit -------------------------------------------------------

    @admin.command(name="audit", description="The latest admin actions: who, what, when, result")
    @app_commands.describe(count="How many (default 10)")
    async def audit_log(
        self, interaction: discord.Interaction[QuoteBot], count: app_commands.Range[int, 1, 25] = 10
    ) -> None:
        await defer(interaction)
        await self.access.require_manager(interaction, "audit")
        rows = await self.library.store.admin_actions(limit=count)
        lines = [audit_line(r) for r in rows] or ["No admin action yet."]
        text = ""
        for line in lines:
            if len(text) + len(line) + 1 > 4000:
                break
            text += line + "\n"
        embed = discord.Embed(title="Admin audit", description=text, colour=COLOUR)
        await send(interaction, embed=embed, ephemeral=True)


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Admin(bot))
