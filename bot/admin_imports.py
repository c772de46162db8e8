"""/admin import's two steps, Discord side: the upload is checked and kept as a pending
import with a preview and Confirm/Cancel buttons (`ImportFlow.preview`); Confirm validates
again against the data of that moment, writes the files and reloads, undoing the files when
they do not load (`ImportFlow.confirm`). The checks themselves are `bot.admin`'s.

The buttons' state is in their custom_id and the database, so they work after a restart; the
uploader's id is in the custom_id and checked against both the clicker and the stored upload,
and Confirm re-checks that they are an owner. Every step leaves an audit row.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord

from bot.admin import (
    MAX_IMPORT_BYTES,
    PENDING_TTL,
    Existing,
    ImportRejected,
    PreparedImport,
    base_dir,
    check_upload,
    display_name,
    existing_from,
    import_paths,
    prepare_import,
    relative,
    remove_files,
    save_import,
)
from bot.admin_access import AdminAccess
from bot.errors import NotAllowed, UserError
from bot.render import safe
from bot.render_admin import FAIL_COLOUR, preview_embed, rejected_text, reload_embed
from bot.respond import send
from bot.textutil import truncate
from bot.views import GuardedItem

if TYPE_CHECKING:
    from bot.client import QuoteBot
    from bot.library import Library


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
        flow = getattr(interaction.client.get_cog("Admin"), "imports", None)
        if not isinstance(flow, ImportFlow):
            raise UserError("The admin commands are not available right now.")
        await flow.button(interaction, self.token, self.user_id, self.act)


class ImportFlow:
    """One bot's imports: one confirmed at a time (`lock`), `now` the cog's clock."""

    def __init__(self, bot: QuoteBot, access: AdminAccess, now: Callable[[], datetime]) -> None:
        self.bot = bot
        self.access = access
        self.now = now
        self.max_upload = MAX_IMPORT_BYTES
        self._import_lock = asyncio.Lock()

    @property
    def library(self) -> Library:
        return self.bot.library

    def check_data_dir(self) -> Path:
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
        return relative(str(path), base_dir(self.library.paths))

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

    async def preview(
        self, interaction: discord.Interaction[Any], file: discord.Attachment, title: str | None
    ) -> None:
        """Check the upload, keep it as a pending import, reply with the preview and buttons."""
        name = display_name(file.filename)
        data_dir = self.check_data_dir()
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
            await self.access.audit(interaction, "import", "refused", detail=name, message=str(exc))
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
        await self.access.audit(interaction, "import", "ok", detail=name, message="preview shown")
        await send(
            interaction,
            embed=preview_embed(prepared.preview, self._shown(saved_as)),
            view=import_buttons(token, interaction.user.id),
            ephemeral=True,
        )

    async def button(
        self, interaction: discord.Interaction[Any], token: str, uploader: int, act: str
    ) -> None:
        action = "import-confirm" if act == "y" else "import-cancel"
        store = self.library.store
        await interaction.response.defer()  # acknowledge now; checks may wait on the database
        if interaction.user.id != uploader or await store.pending_import_owner(token) not in (
            uploader,
            None,
        ):
            await self.access.audit(
                interaction, action, "denied", detail=token, message="not the uploader"
            )
            raise NotAllowed("Only the admin who uploaded this file can confirm or cancel it.")
        if act == "y":
            await self.access.require_owner(interaction, action, "import interviews", detail=token)
        pending = await store.take_pending_import(token, uploader)
        if pending is None:
            await self.access.audit(interaction, action, "refused", detail=token, message="gone")
            raise UserError(
                "This import was already confirmed or cancelled, or it expired. "
                "Upload the file again with /admin import."
            )
        name = display_name(pending.filename)
        if act == "n":
            await self.access.audit(interaction, action, "ok", detail=name, message="cancelled")
            await interaction.edit_original_response(
                content=f"Import of {safe(name, 80)} cancelled: nothing was stored.",
                embed=None,
                view=None,
            )
            return
        if self.now() - pending.created_at > PENDING_TTL:
            await self.access.audit(interaction, action, "refused", detail=name, message="expired")
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
            ok, content, embed = await self.confirm(
                pending.content, pending.filename, pending.title
            )
        except Exception as exc:
            await self.access.audit(interaction, action, "error", detail=name, message=repr(exc))
            await interaction.edit_original_response(
                content="The import failed; nothing was stored.", embed=None, view=None
            )
            raise
        await self.access.audit(
            interaction,
            action,
            "ok" if ok else "failed",
            detail=name,
            message=content or embed.description or "",
        )
        await interaction.edit_original_response(content=content, embed=embed, view=None)

    async def confirm(
        self, data: bytes, filename: str, title: str
    ) -> tuple[bool, str | None, discord.Embed]:
        """Validate again against the current data, write the files, reload; undo on failure.

        Returns (imported, content, embed) for the edited preview message.
        """
        name = display_name(filename)
        data_dir = self.check_data_dir()
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
                embed = reload_embed(outcome, base_dir(self.library.paths))
                embed.title = f"Import of {safe(name, 150)} failed: nothing was stored"
                return False, None, embed
        embed = reload_embed(outcome, base_dir(self.library.paths))
        embed.title = truncate(f"Imported “{safe(prepared.preview.title, 240)}”", 256)
        saved = truncate(self._shown(paths[0]).replace("`", ""), 300)
        embed.description = f"Saved as `{saved}`.\n" + (embed.description or "")
        return True, None, embed
