"""/quote's query autocomplete honours the `speaker` and `interview` already typed.

Ann Lee says "lantern festival" in eighty short answers, Bo Chen in two long ones: unfiltered,
Ann's sentences fill the choices and at most one of Bo's is among them. With Bo chosen (or
his interview), the suggestions come from inside the restriction, so both of his sentences
and only his are offered; filtering the unfiltered list afterwards could not find both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.client import QuoteBot
from bot.emulator import DiscordEmulator, World
from bot.settings import Settings

Launch = Callable[..., Awaitable[QuoteBot]]
TYPED = "lantern festiv"
BO_SAYS = (
    "Once a year the lantern festival came to our little harbour town by the sea, all red",
    "Later on I watched the lantern festival from my uncle's fishing boat out in the bay",
)


def write_interviews(settings: Settings) -> None:
    ann = "".join(
        f"What happened on night {n}?\nAnn Lee: The lantern festival on night {n}.\n\n"
        for n in range(80)
    )
    filler = (
        "We walked to school along the river every morning. My grandmother sold bread at "
        "the market on weekends. The winters were long and the summers were short. "
    )
    bo = "".join(
        f"Tell me more, part {n}.\nBo Chen: {filler}{said}.\n\n" for n, said in enumerate(BO_SAYS)
    )
    bo += "What do you cook?\nBo Chen: Mostly noodles, and fish when my uncle caught any.\n"
    (settings.data_dir / "harbour_nights.txt").write_text(ann, encoding="utf-8")
    (settings.data_dir / "river_town_talks.txt").write_text(bo, encoding="utf-8")


def from_bo(choices: list[dict[str, str]]) -> list[str]:
    return [c["name"] for c in choices if "uncle" in c["name"] or "harbour town" in c["name"]]


async def test_query_autocomplete_searches_inside_the_typed_filters(
    emulator: DiscordEmulator, world: World, bot_settings: Settings, launch_quotebot: Launch
) -> None:
    write_interviews(bot_settings)
    bot = await launch_quotebot()

    everyone = await emulator.autocomplete("quote", {"query": TYPED}, focused="query")
    # Ann's fill the list: at most one of Bo's two sentences makes it.
    assert len(everyone) >= 20 and len(from_bo(everyone)) < 2

    by_bo = await emulator.autocomplete(
        "quote", {"query": TYPED, "speaker": "Bo Chen"}, focused="query"
    )
    assert len(by_bo) == 2 and len(from_bo(by_bo)) == 2, by_bo
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in by_bo)
    # A partly typed speaker already counts, as it does for /quote ("bo" names Bo Chen).
    partly = await emulator.autocomplete(
        "quote", {"query": TYPED, "speaker": "bo"}, focused="query"
    )
    assert [c["name"] for c in partly] == [c["name"] for c in by_bo]

    bo_talks = bot.library.catalog.find_interview("River Town Talks")
    assert bo_talks is not None
    in_bo = await emulator.autocomplete(
        "quote", {"query": TYPED, "interview": bo_talks.id}, focused="query"
    )
    assert len(from_bo(in_bo)) == 2 and len(in_bo) == 2
    # Both filters: they combine (Ann in Bo's interview says nothing).
    both = await emulator.autocomplete(
        "quote", {"query": TYPED, "speaker": "Ann Lee", "interview": bo_talks.id}, focused="query"
    )
    assert both == []
    # A speaker that names nobody yet is left out, not an empty list.
    unknown = await emulator.autocomplete(
        "quote", {"query": TYPED, "speaker": "Zed"}, focused="query"
    )
    assert [c["name"] for c in unknown] == [c["name"] for c in everyone]
