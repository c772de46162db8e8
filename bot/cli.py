"""`quotebot`: load transcripts and query quotes from a terminal, run or try the bot."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sqlite3
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.export import (
    DISCORD_FILE_LIMIT,
    FORMATS,
    MIB,
    ExportError,
    Format,
    clear,
    export,
    publish,
    staging_dir,
)
from bot.settings import Settings, SettingsError, parse_db
from bot.startfiles import running_marker, warm_start_files

if TYPE_CHECKING:  # the rest loads with the command that needs it: see `main`
    from bot.catalog import Catalog, QuoteView
    from bot.library import Library, ReloadOutcome

PARTLY_LOADED = 3  # `quotebot load`'s exit status when some files were kept or skipped


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit status 1."""


def _wrap(text: str, indent: str = "  ") -> str:
    return "\n".join(
        textwrap.fill(par, width=88, initial_indent=indent, subsequent_indent=indent)
        for par in text.split("\n\n")
    )


def render_quote(view: QuoteView, *, rank: int | None = None) -> str:
    head = f"{rank}. " if rank is not None else ""
    lines = [f"{head}“{view.excerpt}”", f"    — {view.speaker}, {view.title}"]
    if view.passage.question:
        lines.append(_wrap(f"Q: {view.passage.question}", indent="    "))
    info = f"id {view.passage.id}"
    if view.score is not None:
        info += f" · score {view.score:.0f}"
    if view.interview.meta.url:
        info += f" · {view.interview.meta.url}"
    lines.append(f"    [{info}]")
    return "\n".join(lines)


def print_outcome(outcome: ReloadOutcome) -> None:
    """The diff on stdout; problems on stderr, grouped by what the load did about them."""
    if outcome.report is None:
        print(f"Nothing was changed: {len(outcome.errors)} problem(s) found.", file=sys.stderr)
        for err in outcome.errors:
            print(f"  {err}", file=sys.stderr)
        return
    if outcome.report.unchanged:
        print(f"Loaded {outcome.files} file(s): nothing changed ({outcome.seconds:.2f} s).")
    else:
        print(f"Loaded {outcome.files} file(s) in {outcome.seconds:.2f} s:")
        for kind, change in outcome.report.as_dict().items():
            print(
                f"  {kind:<10} +{change['added']} added  −{change['removed']} removed  ~{change['changed']} changed"
            )
    if outcome.problems:
        print(f"{len(outcome.problems)} problem(s); everything else loaded:", file=sys.stderr)
        from bot.admin import problem_groups

        for heading, lines in problem_groups(outcome.problems, limit=1_000_000):
            print(f"  {heading}:", file=sys.stderr)
            for line in lines:
                print(f"    {line}", file=sys.stderr)


async def ready_catalog(library: Library) -> Catalog:
    """The catalog; an empty database is filled from the default inputs first."""
    from bot.library import ensure_loaded

    outcome = await ensure_loaded(library)
    if outcome is not None:
        print("The database was empty: loaded the default transcripts first.", file=sys.stderr)
        if not outcome.ok:
            print_outcome(outcome)
        if not outcome.applied:
            raise CliError("could not load the default transcripts; fix the files above")
    return library.catalog


async def _with_library(settings: Settings, args: argparse.Namespace) -> int:
    from bot.library import open_library
    from bot.recovery import rebuild_if_unusable

    if args.command == "load" and args.rebuild:
        moved = None if settings.db_url else await rebuild_if_unusable(settings.db_path)
        if moved is not None:
            problem, aside = moved
            print(
                f"{problem}\nMoved it to {aside} (with its -wal/-shm files) and building a new "
                "database from the transcripts. Daily schedules, trivia scores and the admin "
                "audit were only in the old file.",
                file=sys.stderr,
            )
    library = await open_library(settings, args.db)
    if settings.db_url is None and running_marker(settings.db_path).exists():
        library.store.trust_catalog_cache = False  # an unclean stop: read it all from the file
    try:
        if args.command == "load":
            paths = [Path(p) for p in args.paths] or list(settings.input_paths)
            outcome = await library.reload(paths, strict=args.strict)
            print_outcome(outcome)
            if outcome.ok:
                return 0
            return PARTLY_LOADED if outcome.applied else 1
        catalog = await ready_catalog(library)
        if args.command == "export":
            return await run_export(catalog, library, args)
        return run_query(catalog, args)
    finally:
        await library.store.close()


async def run_export(catalog: Catalog, library: Library, args: argparse.Namespace) -> int:
    """`quotebot export`: write into a fresh folder inside --out, then swap the files in, so
    an export that fails leaves the earlier one as it was."""
    out: Path = args.out
    guilds = [args.guild] if args.guild else await library.store.trivia_score_guilds()
    formats: tuple[Format, ...] = (args.format,) if args.format else FORMATS
    try:
        staging = await asyncio.to_thread(staging_dir, out)
        try:
            done = await export(
                catalog,
                library.store,
                staging,
                formats=formats,
                guild_ids=guilds,
                limit=int(args.split_mb * MIB),
            )
            await asyncio.to_thread(publish, done.files, out)
        finally:
            await asyncio.to_thread(clear, staging)
    except ExportError as exc:
        raise CliError(str(exc)) from exc
    for file in done.files:
        print(f"{out / file.name}  {file.rows} row(s), {file.size:,} bytes")
    print(
        f"Exported {done.quote_count} quote(s) and {done.score_count} trivia score(s) from "
        f"{len(guilds)} server(s); files over {args.split_mb:g} MiB are split into parts."
    )
    return 0


def run_query(catalog: Catalog, args: argparse.Namespace) -> int:
    if args.command == "quote":
        found = catalog.quote(args.query, limit=args.limit)
        if args.json:
            print(json.dumps([v.as_json() for v in found.results], ensure_ascii=False, indent=2))
        elif found.results:
            print("\n\n".join(render_quote(v, rank=n) for n, v in enumerate(found.results, 1)))
        else:
            print(f"No quote matches {args.query!r}.")
            if found.suggestions:
                print("Closest:")
                for text in found.suggestions:
                    print(f"  · {text}")
        return 0
    if args.command == "random":
        topic = catalog.find_topic(args.topic) if args.topic else None
        if args.topic and topic is None:
            raise CliError(f"no topic called {args.topic!r}; see `quotebot topics`")
        view = catalog.random(random.Random(), topic=topic, speaker=args.speaker)
        if args.json:
            print(json.dumps([view.as_json()] if view else [], ensure_ascii=False, indent=2))
        elif view is None:
            print("No quote fits that.")
        else:
            print(render_quote(view))
        return 0
    if args.command == "topics":
        topics = catalog.topic_choices(args.prefix or "", limit=1000)
        if args.json:
            rows = [
                {"slug": t.slug, "name": t.name, "quotes": len(t.passage_ids), "curated": t.curated}
                for t in topics
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for t in topics:
                print(f"{t.name:<40} {len(t.passage_ids):>4} quote(s)")
        return 0
    if args.command == "topic":
        topic = catalog.find_topic(args.name)
        if topic is None:
            if args.json:
                print("[]")
                return 1
            raise CliError(f"no topic called {args.name!r}; see `quotebot topics`")
        views = catalog.topic_quotes(topic)
        if args.json:
            print(json.dumps([v.as_json() for v in views], ensure_ascii=False, indent=2))
        else:
            print(f"{topic.name}: {len(views)} quote(s)\n")
            print("\n\n".join(render_quote(v, rank=n) for n, v in enumerate(views, 1)))
        return 0
    raise CliError(f"unknown command {args.command}")


def run_inspect(args: argparse.Namespace) -> int:
    """`quotebot inspect FILE`: exit 0 when the file would load as it is, else 1."""
    if args.passages < 0:
        raise CliError("--passages must be 0 or more")
    from bot.inspection import as_json as inspection_json
    from bot.inspection import inspect_file
    from bot.inspection import render_text as render_inspection

    found = inspect_file(Path(args.file), first=args.passages)
    if args.json:
        print(json.dumps(inspection_json(found), ensure_ascii=False, indent=2))
    elif found.interview is not None:
        print(render_inspection(found))
        if found.errors:
            print(f"{len(found.errors)} problem(s): see above.", file=sys.stderr)
    else:
        print(f"{found.path} could not be read as a transcript:", file=sys.stderr)
        for err in found.errors:
            print(f"  {err}", file=sys.stderr)
    return 0 if found.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quotebot", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        help="database file or postgresql://user:pass@host/db URL "
        "(default: QUOTEBOT_DB or data/quotebot.db)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("load", parents=[common], help="load transcripts and data into the database")
    p.add_argument("paths", nargs="*", help="files or directories (default: seeds/ and data/)")
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="if the database is unusable (corrupt, foreign), move it aside and build a new one",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="all or nothing: any problem in any file changes nothing (exit 1)",
    )

    p = sub.add_parser("quote", parents=[common], help="find quotes by fuzzy text")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=5, help="how many results (1-25, default 5)")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = sub.add_parser("random", parents=[common], help="a random quote")
    p.add_argument("--topic")
    p.add_argument("--speaker")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("topics", parents=[common], help="list topics")
    p.add_argument("prefix", nargs="?")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("topic", parents=[common], help="quotes about one topic")
    p.add_argument("name")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "inspect", help="how one transcript is understood: speakers, roles, passages, debris"
    )
    p.add_argument("file", help="a transcript file (its .toml sidecar is read too)")
    p.add_argument(
        "--passages", type=int, default=5, help="how many first passages to show (default 5)"
    )
    p.add_argument("--json", action="store_true", help="print a JSON object")

    p = sub.add_parser(
        "export", parents=[common], help="write the quotes (CSV/JSON) and trivia scores (CSV)"
    )
    p.add_argument("--format", choices=FORMATS, help="quotes in one format (default: both)")
    p.add_argument(
        "--out", type=Path, default=Path("export"), help="folder to write (default: ./export)"
    )
    p.add_argument("--guild", type=int, help="one server's trivia scores (default: every server)")
    p.add_argument(
        "--split-mb",
        type=float,
        default=DISCORD_FILE_LIMIT / MIB,
        help="split files larger than this into parts (default: 10, Discord's upload limit)",
    )

    sub.add_parser("run", parents=[common], help="start the Discord bot (needs DISCORD_TOKEN)")
    p = sub.add_parser("sync", parents=[common], help="register slash commands with Discord")
    p.add_argument(
        "--guild", type=int, help="register to one guild only (instant) instead of globally"
    )
    sub.add_parser(
        "try", parents=[common], help="try the bot in this terminal, no Discord account needed"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if getattr(args, "db", None) is not None:  # a path or a postgresql:// URL
            db_path, db_url = parse_db(args.db)
            settings = replace(settings, db_path=db_path, db_url=db_url)
            args.db = None
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        if args.command == "export" and not 0.0005 <= args.split_mb <= 1024:
            raise CliError("--split-mb must be between 0.0005 and 1024")
        if args.command == "quote" and not 1 <= args.limit <= 25:
            raise CliError("--limit must be between 1 and 25")
        if args.command == "run":
            # Read the start-up files ahead while the modules below are imported.
            warm_start_files(settings.db_path, postgresql=settings.db_url is not None)
            from bot.runner import run_bot

            return run_bot(settings, db=args.db)
        if args.command == "sync":
            from bot.runner import sync_commands

            return sync_commands(settings, guild_id=args.guild, db=args.db)
        if args.command == "try":
            from bot.playground import run_playground

            return run_playground(settings, db=args.db)
        if args.command == "inspect":
            return run_inspect(args)
        return asyncio.run(_with_library(settings, args))
    except (CliError, SettingsError) as exc:
        print(f"quotebot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from bot.recovery import explain
        from bot.store import StoreError

        if isinstance(exc, StoreError | sqlite3.DatabaseError):
            print(f"quotebot: {explain(exc)}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
