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
import os
import re
import secrets
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
    MAX_IMPORT_BYTES,
    PENDING_TTL,
    Existing,
    ImportRejected,
    PreparedImport,
    check_upload,
    diff_lines,
    display_name,
    error_lines,
    existing_from,
    format_duration,
    human_bytes,
    import_paths,
    prepare_import,
    problem_groups,
    relative,
    remove_files,
    save_import,
)
from bot.client import QuoteBot, member_cooldown
from bot.errors import NotAllowed, UserError
from bot.export import ExportError, message_batches
from bot.export import clear as clear_export
from bot.export import export as export_data
from bot.library import Library, ReloadBusy, ReloadOutcome
from bot.render import COLOUR, safe
from bot.render_admin import (
    FAIL_COLOUR,
    audit_line,
    export_text,
    preview_embed,
    rejected_text,
    reload_embed,
)
from bot.respond import send
from bot.textutil import truncate
from bot.views import GuardedItem

log = logging.getLogger(__name__)

OWNERS_ONLY = (
    "Only the bot's owners can {what} (the application's owner or team, or a user listed "
    "in OWNER_IDS): it changes the data every server sees."
)


def _base_dir(library: Library) -> Path | None:
    """The common parent of the inputs, so errors read `seeds/x.txt:3`, not absolute paths."""
    roots = [p.resolve() for p in library.paths]
    try:
        common = Path(os.path.commonpath(roots))
    except ValueError:
        return None
    return common.parent if common in roots else common


async def defer(interaction: discord.Interaction[Any]) -> None:
    """Acknowledge at once, privately: checks, the audit row and the work may take a while."""
    await interaction.response.defer(ephemeral=True, thinking=True)


def import_buttons(token: str, user_id: int, *, disabled: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ImportButton(token, user_id, "y", disabled=disabled))
    view.add_item(ImportButton(token, user_id, "n", disabled=disabled))
    return view


class ImportButton(
    GuardedItem, template=r"qb:adm:imp:(?P<token>[0-9a-f]{16}):(?P<user>\d{1,20}):(?P<act>[yn])"
):
    """Confirm/Cancel on an import preview. State is in the custom_id and the database, so the
    buttons work after a restart; the uploader's id is in the custom_id and checked against
    both the clicker and the stored upload, and Confirm re-checks that they are an owner."""

    def __init__(self, token: str, user_id: int, act: str, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Confirm" if act == "y" else "Cancel",
                style=discord.ButtonStyle.success if act == "y" else discord.ButtonStyle.secondary,
                custom_id=f"qb:adm:imp:{token}:{user_id}:{act}",
                disabled=disabled,
            )
        )
        self.token, self.user_id, self.act = token, user_id, act

    @classmethod
    def from_match(cls, match: re.Match[str]) -> ImportButton:
        return cls(match["token"], int(match["user"]), match["act"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        cog = interaction.client.get_cog("Admin")
        if not isinstance(cog, Admin):
            raise UserError("The admin commands are not available right now.")
        await cog.import_button(interaction, self.token, self.user_id, self.act)


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
        self.max_upload = MAX_IMPORT_BYTES
        self._import_lock = asyncio.Lock()
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

    # --- who may ------------------------------------------------------------

    async def audit(
        self,
        interaction: discord.Interaction[Any],
        action: str,
        result: str,
        *,
        detail: str = "",
        message: str = "",
    ) -> None:
        """Write one audit row; an audit failure is logged, never hides the action's reply."""
        try:
            await self.library.store.record_admin_action(
                user_id=interaction.user.id,
                user_name=str(interaction.user),
                guild_id=interaction.guild_id,
                action=action,
                detail=truncate(detail, 200),
                result=result,
                message=truncate(message, 1000),
                at=self.now(),
            )
        except Exception:
            log.exception("could not write the audit row for %s by %s", action, interaction.user.id)

    async def require_owner(
        self, interaction: discord.Interaction[Any], action: str, what: str, detail: str = ""
    ) -> None:
        if await self.bot.is_bot_owner(interaction.user):
            return
        await self.audit(interaction, action, "denied", detail=detail, message="not an owner")
        raise NotAllowed(OWNERS_ONLY.format(what=what))

    async def require_manager(self, interaction: discord.Interaction[Any], action: str) -> None:
        if interaction.permissions.manage_guild or await self.bot.is_bot_owner(interaction.user):
            return
        await self.audit(interaction, action, "denied", message="no Manage Server")
        raise NotAllowed(
            "You need the Manage Server permission (or to be one of the bot's owners) for this."
        )

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
        await self.require_owner(interaction, "reload", "reload the data")
        if self.library.reloading:
            await self.audit(interaction, "reload", "refused", message="another reload was running")
            raise UserError(self._busy_text())
        self._reload_by = (str(interaction.user), time.monotonic())
        try:
            outcome = await self.library.reload()
        except ReloadBusy:
            await self.audit(interaction, "reload", "refused", message="another reload was running")
            raise UserError(self._busy_text()) from None
        except Exception as exc:
            await self.audit(interaction, "reload", "error", message=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            self._reload_by = None
        result, summary = self._summary(outcome)
        await self.audit(interaction, "reload", result, message=summary)
        await send(
            interaction, embed=reload_embed(outcome, _base_dir(self.library)), ephemeral=True
        )

    def _summary(self, outcome: ReloadOutcome) -> tuple[str, str]:
        """(result, message) for the audit trail: ok (the message names any file kept at
        its previous version or skipped) or failed (nothing changed)."""
        base = _base_dir(self.library)
        if not outcome.applied:
            return "failed", "; ".join(error_lines(outcome.errors, base, limit=900))
        assert outcome.report is not None
        report = outcome.report
        done = "nothing changed" if report.unchanged else "; ".join(diff_lines(report))
        if not outcome.problems:
            return "ok", done
        groups = problem_groups(outcome.problems, base, limit=600)
        problems = " | ".join(f"{heading}: {'; '.join(lines)}" for heading, lines in groups)
        return "ok", truncate(f"{len(outcome.problems)} problem(s): {done} | {problems}", 1000)

    # --- /admin import ------------------------------------------------------

    def _check_data_dir(self) -> Path:
        data_dir = self.bot.settings.data_dir
        target = data_dir.resolve()
        if not any(target.is_relative_to(p.resolve()) for p in self.library.paths):
            raise UserError(
                f"Imports are saved in {data_dir}, which this bot does not load; fix "
                "QUOTEBOT_DATA_DIR first."
            )
        return data_dir

    def _shown(self, path: Path) -> str:
        """A path as an admin reads it: relative to where the inputs live."""
        return relative(str(path), _base_dir(self.library))

    def _existing(self) -> Existing:
        catalog = self.library.catalog
        answers: dict[str, list[str]] = {}
        for passage in catalog.passages.stream():
            answers.setdefault(passage.interview_id, []).append(passage.text)
        titles = {iid: iv.meta.title for iid, iv in catalog.interviews.items()}
        return existing_from(titles, answers, self.library.paths)

    async def _prepare(self, data: bytes, filename: str, title: str | None) -> PreparedImport:
        existing = await asyncio.to_thread(self._existing)
        return await asyncio.to_thread(
            prepare_import,
            data,
            filename,
            title=title,
            existing=existing,
            limit=self.max_upload,
        )

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
        await self.require_owner(interaction, "import", "import interviews", detail=name)
        data_dir = self._check_data_dir()
        try:
            check_upload(file.filename, file.size, self.max_upload)  # before downloading
            try:
                data = await file.read()
            except discord.HTTPException as exc:
                raise UserError(
                    f"I couldn't download {safe(name, 80)} from Discord ({exc.status}); try again."
                ) from exc
            prepared = await self._prepare(data, file.filename, title)
        except ImportRejected as exc:
            await self.audit(interaction, "import", "refused", detail=name, message=str(exc))
            await send(interaction, content=rejected_text(exc), ephemeral=True)
            return
        store = self.library.store
        now = self.now()
        await store.purge_pending_imports(now - PENDING_TTL)
        token = secrets.token_hex(8)
        await store.save_pending_import(
            token=token,
            user_id=interaction.user.id,
            filename=file.filename,
            title=prepared.preview.title,
            content=data,
            at=now,
        )
        saved_as = import_paths(data_dir, prepared.slug, prepared.suffix)[0]
        await self.audit(interaction, "import", "ok", detail=name, message="preview shown")
        await send(
            interaction,
            embed=preview_embed(prepared.preview, self._shown(saved_as)),
            view=import_buttons(token, interaction.user.id),
            ephemeral=True,
        )

    async def import_button(
        self, interaction: discord.Interaction[Any], token: str, uploader: int, act: str
    ) -> None:
        action = "import-confirm" if act == "y" else "import-cancel"
        store = self.library.store
        await interaction.response.defer()  # acknowledge now; checks may wait on the database
        if interaction.user.id != uploader or await store.pending_import_owner(token) not in (
            uploader,
            None,
        ):
            await self.audit(
                interaction, action, "denied", detail=token, message="not the uploader"
            )
            raise NotAllowed("Only the admin who uploaded this file can confirm or cancel it.")
        if act == "y":
            await self.require_owner(interaction, action, "import interviews", detail=token)
        pending = await store.take_pending_import(token, uploader)
        if pending is None:
            await self.audit(interaction, action, "refused", detail=token, message="gone")
            raise UserError(
                "This import was already confirmed or cancelled, or it expired. "
                "Upload the file again with /admin import."
            )
        name = display_name(pending.filename)
        if act == "n":
            await self.audit(interaction, action, "ok", detail=name, message="cancelled")
            await interaction.edit_original_response(
                content=f"Import of {safe(name, 80)} cancelled: nothing was stored.",
                embed=None,
                view=None,
            )
            return
        if self.now() - pending.created_at > PENDING_TTL:
            await self.audit(interaction, action, "refused", detail=name, message="expired")
            await interaction.edit_original_response(
                content=f"This preview of {safe(name, 80)} expired; nothing was stored. "
                "Upload the file again with /admin import.",
                embed=None,
                view=None,
            )
            return
        await interaction.edit_original_response(
            view=import_buttons(token, uploader, disabled=True)
        )
        try:
            ok, content, embed = await self._confirm(
                pending.content, pending.filename, pending.title
            )
        except Exception as exc:
            await self.audit(interaction, action, "error", detail=name, message=repr(exc))
            await interaction.edit_original_response(
                content="The import failed; nothing was stored.", embed=None, view=None
            )
            raise
        await self.audit(
            interaction,
            action,
            "ok" if ok else "failed",
            detail=name,
            message=content or embed.description or "",
        )
        await interaction.edit_original_response(content=content, embed=embed, view=None)

    async def _confirm(
        self, data: bytes, filename: str, title: str
    ) -> tuple[bool, str | None, discord.Embed]:
        """Validate again against the current data, write the files, reload; undo on failure.

        Returns (imported, content, embed) for the edited preview message.
        """
        name = display_name(filename)
        data_dir = self._check_data_dir()
        async with self._import_lock:
            try:
                prepared = await self._prepare(data, filename, title)
            except ImportRejected as exc:
                refused = discord.Embed(
                    title="Import refused: nothing was stored", colour=FAIL_COLOUR
                )
                return False, rejected_text(exc), refused
            paths = await asyncio.to_thread(save_import, prepared, data_dir)
            try:
                outcome = await self.library.reload(wait=True)
            except BaseException:
                await asyncio.to_thread(remove_files, paths)
                raise
            if not outcome.applied or prepared.slug in outcome.skipped:
                # Its own file failed (a reload may still have loaded other changed files).
                await asyncio.to_thread(remove_files, paths)
                embed = reload_embed(outcome, _base_dir(self.library))
                embed.title = f"Import of {safe(name, 150)} failed: nothing was stored"
                return False, None, embed
        embed = reload_embed(outcome, _base_dir(self.library))
        embed.title = truncate(f"Imported “{safe(prepared.preview.title, 240)}”", 256)
        saved = truncate(self._shown(paths[0]).replace("`", ""), 300)
        embed.description = f"Saved as `{saved}`.\n" + (embed.description or "")
        return True, None, embed

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
        await self.require_owner(interaction, "sync", "register commands", detail=where)
        guild_id = interaction.guild_id if where == "guild" else None
        try:
            synced = await self.bot.sync_commands(guild_id)
        except discord.HTTPException as exc:
            await self.audit(interaction, "sync", "error", detail=where, message=str(exc))
            raise UserError(
                f"Discord refused to register the commands: {exc.text or exc.status}"
            ) from exc
        target = "to this server" if guild_id else "globally (may take up to an hour to appear)"
        await self.audit(interaction, "sync", "ok", detail=where, message=f"{len(synced)} commands")
        await send(
            interaction, content=f"Registered {len(synced)} command(s) {target}.", ephemeral=True
        )

    # --- /admin export ------------------------------------------------------

    @admin.command(
        name="export", description="The quotes (CSV, JSON) and this server's trivia scores (CSV)"
    )
    async def export(self, interaction: discord.Interaction[QuoteBot]) -> None:
        await defer(interaction)
        await self.require_owner(interaction, "export", "export the data")
        if self._export_lock.locked():
            await self.audit(interaction, "export", "refused", message="another export was running")
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
                await self.audit(interaction, "export", "refused", message=str(exc))
                raise UserError(f"The export could not be made: {exc}") from exc
            except Exception as exc:
                await self.audit(interaction, "export", "error", message=repr(exc))
                raise
            finally:
                await asyncio.to_thread(clear_export, folder)
        summary = f"{done.quote_count} quotes, {done.score_count} scores, {len(done.files)} files"
        await self.audit(interaction, "export", "ok", message=summary)

    # --- /admin status ------------------------------------------------------

    @admin.command(name="status", description="Version, uptime, latency, data counts, last reload")
    async def status(self, interaction: discord.Interaction[QuoteBot]) -> None:
        await defer(interaction)
        await self.require_manager(interaction, "status")
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
        await self.require_manager(interaction, "audit")
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
