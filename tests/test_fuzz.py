"""Fuzzing with hypothesis: the transcript parser, the file loader, uploads, search and
autocomplete (every slash command's options and every autocomplete through the emulator:
tests/test_fuzz_commands.py; strategies and the count of examples: tests/fuzz_helpers.py).

Properties: never an unhandled exception (parser and loaders raise only their documented
errors; the bot never apologises for a bug nor logs an error), every reply fits Discord's
limits (the emulator validates every payload and records what Discord would reject), and
nothing the bot sends can ping anyone.

The default run is short (about 800 examples). ``QUOTEBOT_FUZZ=long`` runs the long mode
(over 10,000 examples); ``-s`` prints the examples per target at the end of the session:

    QUOTEBOT_FUZZ=long .venv/bin/python -m pytest tests/test_fuzz.py tests/test_fuzz_commands.py -s -q
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from fuzz_helpers import RAN, ROOT, count_lines, encoded_files, queries, transcripts, wild_text
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from longmode import budget

from bot.admin import ImportRejected, prepare_import
from bot.catalog import Catalog
from bot.emulator.validation import validate_message
from bot.library import Library, ensure_loaded, open_library
from bot.loader import load_interview
from bot.models import InterviewMeta
from bot.render import quote_embed
from bot.render_search import Search, match_footer
from bot.settings import Settings
from bot.transcript import TranscriptError, parse_transcript

pytestmark = pytest.mark.usefixtures("examples_per_target")


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
        assert exc.line is None or 1 <= exc.line <= count_lines(text)
        return
    event("parsed")
    assert interview.passages
    ids = [p.id for p in interview.passages]
    assert len(ids) == len(set(ids))
    for p in interview.passages:
        assert p.role == "interviewee" and p.speaker.strip()
        assert p.text.strip(), f"an empty quote at line {p.line}"
        assert 1 <= p.line <= count_lines(text)
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
