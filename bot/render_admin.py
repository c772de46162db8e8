"""Discord rendering for /admin: reload results, the import preview, refusals, audit lines."""

from __future__ import annotations

import re
from pathlib import Path

import discord

from bot.admin import (
    EFFECT_HEADINGS,
    PENDING_TTL,
    ImportPreview,
    ImportRejected,
    diff_lines,
    error_lines,
    human_bytes,
    problem_groups,
)
from bot.export import Export
from bot.library import ReloadOutcome
from bot.loader import LoadError
from bot.render import COLOUR, safe
from bot.store import AdminAction
from bot.textutil import defuse_mentions, truncate

OK_COLOUR = discord.Colour.green()
FAIL_COLOUR = discord.Colour.red()
PARTIAL_COLOUR = discord.Colour.orange()


def _code_block(lines: list[str], limit: int) -> str:
    body = "\n".join(lines).replace("```", "'''")
    return "```\n" + truncate(body, limit - 8) + "\n```"


def problems_text(outcome: ReloadOutcome, base: Path | None, limit: int) -> str:
    """The problems of a load that went ahead, each group under what was done about it."""
    groups = problem_groups(outcome.problems, base, limit=limit - 120 * len(EFFECT_HEADINGS))
    return "\n".join(f"**{heading}**\n" + _code_block(lines, limit) for heading, lines in groups)


def reload_embed(outcome: ReloadOutcome, base: Path | None) -> discord.Embed:
    if not outcome.applied:
        errors = outcome.errors or (LoadError("(reload)", None, "failed"),)
        embed = discord.Embed(
            title="Reload failed: nothing changed",
            description=(
                f"The old data is still in service. {len(errors)} problem(s) to fix:\n"
                + _code_block(error_lines(errors, base, limit=3700), 3900)
            ),
            colour=FAIL_COLOUR,
        )
        embed.set_footer(text=f"Checked {outcome.files} file(s) in {outcome.seconds:.2f} s")
        return embed
    assert outcome.report is not None
    if outcome.report.unchanged:
        description = "Nothing changed: the files match what is loaded."
    else:
        description = "\n".join(diff_lines(outcome.report))
    title = f"Reloaded {outcome.files} file(s) in {outcome.seconds:.2f} s"
    if outcome.problems:
        title += f", {len(outcome.problems)} problem(s)"
        description += "\n\n" + problems_text(outcome, base, 3400)
    embed = discord.Embed(
        title=title,
        description=truncate(description, 4096),
        colour=PARTIAL_COLOUR if outcome.problems else OK_COLOUR,
    )
    for warning in outcome.warnings[:5]:
        embed.add_field(name="Warning", value=safe(warning, 1024), inline=False)
    return embed


def preview_embed(preview: ImportPreview, saved_as: str) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(f"Import: {safe(preview.title, 240)}", 256),
        description=(
            "Check this, then **Confirm** to save and load it, or **Cancel**. "
            "Nothing is stored until you confirm."
        ),
        colour=COLOUR,
    )
    title_note = "guessed: pass `title:` to choose it" if preview.title_guessed else "as given"
    embed.add_field(
        name="Title", value=f"{safe(preview.title, 900)}\n*({title_note})*", inline=False
    )
    embed.add_field(
        name="File",
        value=truncate(
            f"{safe(preview.filename, 200)} · {human_bytes(preview.size)}\n"
            f"Saved as `{saved_as.replace('`', '')}`",
            1024,
        ),
        inline=False,
    )
    embed.add_field(name="Speakers and roles", value=roles_text(preview), inline=False)
    embed.add_field(name="Questions", value=str(preview.questions))
    embed.add_field(name="Answers", value=str(preview.answers))
    embed.add_field(name="Layout", value=safe(preview.layout or "—", 100))
    embed.add_field(name="Kept out of quotes", value=safe(preview.dropped, 1024), inline=False)
    embed.add_field(
        name=truncate(f"First quote — {preview.first_speaker}", 256),
        value=f"“{safe(preview.first_quote, 1000)}”",
        inline=False,
    )
    hint = hint_field(preview.hint)
    if hint is not None:
        embed.add_field(name="A role is wrong?", value=hint, inline=False)
    embed.set_footer(
        text=f"This preview expires in {int(PENDING_TTL.total_seconds() // 60)} minutes."
    )
    return embed


SIDECAR_NOTE = (
    "Confirm, then add these lines, edited, to the sidecar (the `.toml` beside the saved "
    "file) and reload; `quotebot inspect` shows the result."
)
_LINK_LIKE = re.compile(r"\]\s*\(|https?://|<[@#]")


def hint_field(hint: str) -> str | None:
    """The sidecar's role lines in a code block (to copy as they are), or None when they do
    not fit whole or hold something that looks like a link or mention (then the admin
    runs `quotebot inspect`). The title line is left out: the import writes it."""
    lines = [line for line in hint.splitlines() if not line.startswith("title = ")]
    shown = defuse_mentions("\n".join(lines))
    value = f"{SIDECAR_NOTE}\n```toml\n{shown}\n```"
    if not lines or len(value) > 1024 or "`" in shown or _LINK_LIKE.search(shown):
        return None
    return value


def roles_text(preview: ImportPreview, limit: int = 1024) -> str:
    """One line per speaker (role, passages, where the role came from), within `limit`."""
    lines = [
        f"**{safe(s.name, 80)}**: {s.role} · {s.passages} passage(s) · "
        f"{s.turns} turn(s) · from {safe(s.source or 'text', 40)}"
        for s in preview.roles
    ] or [safe(", ".join(preview.speakers) or "—", 1000)]
    shown: list[str] = []
    for n, line in enumerate(lines):
        more = f"…and {len(lines) - n} more"
        if len("\n".join([*shown, line])) + len(more) + 1 > limit:
            shown.append(more)
            break
        shown.append(line)
    return "\n".join(shown)


def rejected_text(error: ImportRejected) -> str:
    text = safe(str(error), 1500)
    if len(error.errors) > 1:
        text += "\n" + _code_block(error_lines(error.errors, None, limit=400), 480)
    return truncate(text, 2000)


def audit_line(action: AdminAction) -> str:
    who = safe(action.user_name, 40) or str(action.user_id)
    what = action.action + (f" {safe(action.detail, 60)}" if action.detail else "")
    line = f"{discord.utils.format_dt(action.at, 'R')} **{what}** by {who} ({action.user_id}): {action.result}"
    if action.message:
        line += f" — {safe(action.message, 120)}"
    return truncate(line, 400)


def export_text(done: Export, messages: int) -> str:
    """The private reply that carries the first export files."""
    lines = [
        f"Export: **{done.quote_count}** quote(s) as "
        + " and ".join(sorted({f.name.rsplit(".", 1)[-1].upper() for f in done.quotes}))
        + f", and **{done.score_count}** trivia score(s) of this server (CSV, by season).",
        f"Files over {human_bytes(done.limit)} (the upload limit here) are split into parts "
        "named `-1-of-N`, each complete on its own. CSV is UTF-8 with a byte-order mark.",
    ]
    if messages > 1:
        lines.append(f"The files come in {messages} messages.")
    return "\n".join(lines)
