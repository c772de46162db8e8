"""/quote speaker and interview filters, and /random interview, end to end.

Two interviews: in one, Ann Lee talks about the harbour's lantern festival in twelve answers
that all match the query better than anything in the other, where Bo Chen mentions it twice
(once with every word of the query, once with most: one clearly the better match, as two
answers about equally good are offered as "closest" rather than one shown as the match).
Filtering the top five afterwards would find nothing of Bo's; the filter restricts the search
itself, so Bo's answers are found.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import numpy as np

from bot.client import QuoteBot
from bot.emulator import DiscordEmulator, World
from bot.emulator.models import Message
from bot.settings import Settings

Launch = Callable[..., Awaitable[QuoteBot]]
QUERY = "red lantern festival lit the harbour"


def write_interviews(settings: Settings) -> None:
    ann = "".join(
        f"What happened on night {n}?\nAnn Lee: The red lantern festival lit the harbour "
        f"again on night {n}, and everyone came down to the water.\n\n"
        for n in range(12)
    )
    bo = (
        "Where did you grow up?\nBo Chen: In a small town by the sea, far from any city.\n\n"
        "Any festivals?\nBo Chen: Once a year a red lantern festival lit up our harbour.\n\n"
        "And later?\nBo Chen: Later I saw the harbour festival lit up with lanterns from a boat.\n\n"
        "What do you cook?\nBo Chen: Mostly noodles, and fish when my uncle caught any.\n"
    )
    (settings.data_dir / "harbour_nights.txt").write_text(ann, encoding="utf-8")
    (settings.data_dir / "bo_chen_talks.txt").write_text(bo, encoding="utf-8")


async def run(emulator: DiscordEmulator, world: World, name: str, **options: object) -> Message:
    handle = await emulator.slash(name, options, guild=world.guild, channel=world.general)
    return await handle.wait_original()


def speaker_of(message: Message) -> str:
    assert message.embed is not None, message.content
    return str(message.embed["author"]["name"])


async def started(emulator: DiscordEmulator, bot_settings: Settings, launch: Launch) -> QuoteBot:
    write_interviews(bot_settings)
    return await launch()


async def test_speaker_and_interview_filters_search_inside_the_restriction(
    emulator: DiscordEmulator, world: World, bot_settings: Settings, launch_quotebot: Launch
) -> None:
    bot = await started(emulator, bot_settings, launch_quotebot)
    unfiltered = bot.library.catalog.quote(QUERY, 5)
    assert {v.speaker for v in unfiltered.results} == {"Ann Lee"}  # Bo is not in the top 5

    by_bo = await run(emulator, world, "quote", query=QUERY, speaker="Bo Chen")
    assert speaker_of(by_bo) == "Bo Chen" and "lantern" in by_bo.embed["description"]  # type: ignore[index]
    assert "by: Bo Chen" in by_bo.embed["footer"]["text"]  # type: ignore[index]
    first = by_bo.embed["description"]  # type: ignore[index]  (the message is edited in place)
    # Another match keeps the filter: Bo's other lantern answer, never Ann's.
    click = await emulator.click(by_bo, label="Another match", user=world.owner)
    await click.response()
    await emulator.wait_until(
        lambda: "Match 2" in emulator.get_message(by_bo.id).embed["footer"]["text"],  # type: ignore[union-attr,index]
        what="the second match",
    )
    second = emulator.get_message(by_bo.id)
    assert second is not None and speaker_of(second) == "Bo Chen"
    assert second.embed["description"] != first  # type: ignore[index]

    bo_interview = bot.library.catalog.find_interview("Bo Chen Talks")
    assert bo_interview is not None
    in_bo = await run(emulator, world, "quote", query=QUERY, interview=bo_interview.id)
    assert speaker_of(in_bo) == "Bo Chen"
    typed_title = await run(emulator, world, "quote", query=QUERY, interview="bo chen talks")
    assert speaker_of(typed_title) == "Bo Chen"

    # Both filters together, and a combination that holds nothing.
    both = await run(emulator, world, "quote", query=QUERY, speaker="Ann", interview="Harbour")
    assert speaker_of(both) == "Ann Lee"
    none = await run(emulator, world, "quote", query=QUERY, speaker="Ann", interview="Bo Chen")
    assert none.ephemeral and "No quote by Ann in “Bo Chen Talks”" in none.content
    unknown = await run(emulator, world, "quote", query=QUERY, speaker="Zed Nobody")
    assert unknown.ephemeral and "No speaker called “Zed Nobody”" in unknown.content
    missing = await run(emulator, world, "quote", query=QUERY, interview="Moon Landing Tapes")
    assert missing.ephemeral and "I don't know an interview called" in missing.content


async def test_filter_autocomplete_shows_counts(
    emulator: DiscordEmulator, world: World, bot_settings: Settings, launch_quotebot: Launch
) -> None:
    await started(emulator, bot_settings, launch_quotebot)
    speakers = await emulator.autocomplete("quote", {"query": "x"}, focused="speaker")
    names = [c["name"] for c in speakers]
    assert "Ann Lee (12 quotes)" in names and "Bo Chen (4 quotes)" in names
    assert names.index("Ann Lee (12 quotes)") < names.index("Bo Chen (4 quotes)")
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in speakers)
    assert len(speakers) <= 25
    typed = await emulator.autocomplete("quote", {"speaker": "bo"}, focused="speaker")
    assert [c["name"] for c in typed] == ["Bo Chen (4 quotes)"]

    interviews = await emulator.autocomplete("quote", {"interview": "harb"}, focused="interview")
    assert [c["name"] for c in interviews] == ["Harbour Nights (12 quotes)"]
    # With a speaker chosen, interviews count that speaker's quotes (and hide the others).
    of_bo = await emulator.autocomplete(
        "quote", {"speaker": "Bo Chen", "interview": ""}, focused="interview"
    )
    assert [c["name"] for c in of_bo] == ["Bo Chen Talks (4 quotes)"]
    for_random = await emulator.autocomplete("random", {"interview": ""}, focused="interview")
    assert "Harbour Nights (12 quotes)" in [c["name"] for c in for_random]


async def test_random_from_one_interview(
    emulator: DiscordEmulator, world: World, bot_settings: Settings, launch_quotebot: Launch
) -> None:
    bot = await started(emulator, bot_settings, launch_quotebot)
    bo = bot.library.catalog.find_interview("Bo Chen Talks")
    assert bo is not None
    for _ in range(4):
        message = await run(emulator, world, "random", interview=bo.id)
        assert speaker_of(message) == "Bo Chen"
    by_ann_in_bo = await run(emulator, world, "random", speaker="Ann", interview=bo.id)
    assert by_ann_in_bo.ephemeral and "No quote fits" in by_ann_in_bo.content


async def test_within_restricts_candidates_in_the_index(
    emulator: DiscordEmulator, world: World, bot_settings: Settings, launch_quotebot: Launch
) -> None:
    """The search entry point itself: an empty restriction finds nothing, a full one is the
    same as none, one row finds only that row."""
    bot = await started(emulator, bot_settings, launch_quotebot)
    index = bot.library.catalog.index
    n = len(index.ids)
    assert index.search(QUERY, 5, within=np.zeros(n, bool)).hits == []
    full = index.search(QUERY, 5, within=np.ones(n, bool))
    assert full.hits == index.search(QUERY, 5).hits
    rows = bot.library.catalog.facets.speakers["Bo Chen"]
    only = np.zeros(n, bool)
    only[rows[1]] = True
    [hit] = index.search(QUERY, 5, within=only).hits
    assert hit.passage_id == index.ids[int(rows[1])]
