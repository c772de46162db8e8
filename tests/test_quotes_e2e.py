"""Member commands end to end: the real bot, real discord.py, over HTTP and websocket."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Awaitable, Callable

import pytest

from bot.client import APOLOGY, QuoteBot
from bot.emulator import DiscordEmulator, World
from bot.emulator.models import Message
from bot.settings import Settings

Launch = Callable[..., Awaitable[QuoteBot]]
SEED_TITLE = "Sean Baker on making “Anora”"


def no_pings(message: Message) -> None:
    mentions = message.allowed_mentions
    assert mentions is not None, "the bot must always say who may be pinged"
    assert not mentions.get("parse") and not mentions.get("users") and not mentions.get("roles")
    assert not mentions.get("replied_user")


async def changed(
    emulator: DiscordEmulator,
    message_id: int,
    predicate: Callable[[Message], bool],
    timeout: float = 5.0,
) -> Message:
    """Wait until the stored message satisfies `predicate` (edits arrive over REST)."""

    def ok() -> bool:
        message = emulator.get_message(message_id)
        return message is not None and predicate(message)

    await emulator.wait_until(ok, timeout, what=f"message {message_id} to change")
    found = emulator.get_message(message_id)
    assert found is not None
    return found


async def quote(emulator: DiscordEmulator, world: World, query: str, **kw: object) -> Message:
    handle = await emulator.slash(
        "quote", {"query": query, **kw}, guild=world.guild, channel=world.general
    )
    message = await handle.wait_original()
    assert handle.first_response_seconds is not None and handle.first_response_seconds < 3
    return message


async def test_quote_embed_has_quote_speaker_question_source(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    message = await quote(emulator, world, "put the money on screen")
    embed = message.embed
    assert embed is not None
    assert "put all the money on the screen" in embed["description"]
    assert embed["author"]["name"] == "Sean Baker"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Asked"].startswith("A lot of your movies touch on class")
    assert SEED_TITLE in fields["From"]
    assert [b["label"] for b in message.buttons] == [
        "Full answer",
        "Another match",
        "Share as image",
    ]
    assert not message.ephemeral
    no_pings(message)


async def test_quote_private_is_ephemeral(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    message = await quote(emulator, world, "tinsel in her hair", private=True)
    assert message.ephemeral
    assert "tinsel" in message.embed["description"]  # type: ignore[index]


async def test_quote_autocomplete_is_bounded_and_relevant(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    choices = await emulator.autocomplete(
        "quote", focused="query", options={"query": "money on the scr"}
    )
    assert 1 <= len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    assert "money" in choices[0]["name"].lower()
    # choosing a suggestion finds that very quote
    message = await quote(emulator, world, choices[0]["value"])
    assert "money" in message.embed["description"]  # type: ignore[index]
    assert await emulator.autocomplete("quote", focused="query", options={"query": ""}) == []


async def test_full_answer_and_another_match(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    message = await quote(emulator, world, "audience")
    first = message.embed["description"]  # type: ignore[index]
    full = await emulator.click(message, label="Full answer", user=world.member)
    reply = await full.wait_original()
    assert reply.ephemeral
    assert reply.embed["title"] == "Sean Baker — full answer"  # type: ignore[index]
    answers = quotebot.library.catalog.passages.stream()
    assert any(reply.embed["description"].startswith(p.text[:60]) for p in answers)  # type: ignore[index]

    denied = await emulator.click(message, label="Another match", user=world.member)
    assert (await denied.response()).ephemeral
    assert "Only the member who searched" in (await denied.wait_original()).content
    assert emulator.get_message(message.id).embed["description"] == first  # type: ignore[union-attr]

    mine = await emulator.click(message, label="Another match", user=world.owner)
    await mine.response()
    edited = await changed(emulator, message.id, lambda m: m.embed["description"] != first)
    assert "Match 2" in edited.embed["footer"]["text"]  # type: ignore[index]


async def test_buttons_work_after_restart(
    emulator: DiscordEmulator, world: World, launch_quotebot: Launch
) -> None:
    bot = await launch_quotebot()
    message = await quote(emulator, world, "audience")
    await bot.close()
    await launch_quotebot()
    full = await emulator.click(message, label="Full answer", user=world.member)
    reply = await full.wait_original()
    assert "audience" in reply.embed["description"]  # type: ignore[index]
    again = await emulator.click(message, label="Another match", user=world.owner)
    assert (await again.response()).type == 7  # the message was updated in place


async def test_long_answer_is_paged(
    emulator: DiscordEmulator, world: World, bot_settings: Settings, launch_quotebot: Launch
) -> None:
    words = " ".join(
        f"Sentence number {n} about the long making of a marathon film." for n in range(600)
    )
    (bot_settings.data_dir / "long.txt").write_text(
        f"What was the longest shoot?\nAnn Lee: {words}\n", encoding="utf-8"
    )
    await launch_quotebot()
    message = await quote(emulator, world, "long making of a marathon film")
    full = await emulator.click(message, label="Full answer")
    page1 = await full.wait_original()
    assert "Page 1 of" in page1.embed["footer"]["text"]  # type: ignore[index]
    first_page = page1.embed["description"]  # type: ignore[index]
    assert len(first_page) <= 4096
    nxt = await emulator.click(page1, label="Next")
    await nxt.response()
    page2 = await changed(emulator, page1.id, lambda m: "Page 2 of" in m.embed["footer"]["text"])
    assert page2.embed["description"] != first_page  # type: ignore[index]


async def test_no_match_is_friendly_and_ephemeral(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    handle = await emulator.slash("quote", {"query": "quantum chromodynamics on a lattice"})
    message = await handle.wait_original()
    assert message.ephemeral
    assert message.content.startswith("No quote matches")
    assert message.embed is None


async def test_mentions_in_queries_never_ping(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    handle = await emulator.slash("quote", {"query": f"@everyone @here <@{world.member.id}> <@&1>"})
    message = await handle.wait_original()
    no_pings(message)
    assert "@everyone" not in message.content and f"<@{world.member.id}>" not in message.content


async def test_mentions_in_transcripts_never_ping(
    emulator: DiscordEmulator, world: World, bot_settings: Settings, launch_quotebot: Launch
) -> None:
    (bot_settings.data_dir / "rude.txt").write_text(
        "Anything to add?\nAnn Lee: Tell @everyone in <@&123> and <@456> about the zebra parade [hidden](http://x.y).\n",
        encoding="utf-8",
    )
    await launch_quotebot()
    message = await quote(emulator, world, "zebra parade")
    text = message.embed["description"]  # type: ignore[index]
    assert "zebra parade" in text
    assert "@everyone" not in text and "<@456>" not in text and "<@&123>" not in text
    no_pings(message)
    rand = await emulator.slash("random", {"speaker": "Ann Lee"})
    no_pings(await rand.wait_original())


async def test_random_never_repeats_in_a_row_and_is_an_answer(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    catalog = quotebot.library.catalog
    seen: list[str] = []
    for _ in range(12):
        handle = await emulator.slash("random", {}, channel=world.general)
        message = await handle.wait_original()
        footer = message.embed["footer"]["text"]  # type: ignore[index]
        pid = footer.rsplit(" ", 1)[-1]
        assert pid in catalog.passages and catalog.passages[pid].role == "interviewee"
        seen.append(pid)
    assert all(a != b for a, b in itertools.pairwise(seen))
    assert len(set(seen)) > 3


async def test_random_by_topic_and_unknown_topic(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    choices = await emulator.autocomplete("random", focused="topic", options={"topic": "tins"})
    assert choices and choices[0]["name"].startswith("The tinsel (1 quote")
    handle = await emulator.slash("random", {"topic": choices[0]["value"]})
    message = await handle.wait_original()
    pid = message.embed["footer"]["text"].rsplit(" ", 1)[-1]  # type: ignore[index]
    assert "tinsel" in quotebot.library.catalog.passages[pid].text
    bad = await emulator.slash("random", {"topic": "underwater basket weaving"})
    reply = await bad.wait_original()
    assert reply.ephemeral and "don't know a topic" in reply.content


async def test_topic_autocomplete_and_single_page(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    choices = await emulator.autocomplete("topic", focused="name", options={"name": "mik"})
    assert choices[0]["name"].startswith("Mikey Madison (")
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    all_topics = await emulator.autocomplete("topic", focused="name", options={"name": ""})
    assert 1 <= len(all_topics) <= 25
    handle = await emulator.slash("topic", {"name": "tinsel"})
    message = await handle.wait_original()
    assert message.embed["title"] == "Topic: The tinsel"  # type: ignore[index]
    assert "tinsel in the hair" in message.embed["fields"][0]["value"]  # type: ignore[index]
    assert message.buttons == []  # one page: nothing to press
    unknown = await emulator.slash("topic", {"name": "casstingg"})
    assert "Casting" in (await unknown.wait_original()).embed["title"]  # type: ignore[index]


async def zebra_bot(bot_settings: Settings, launch_quotebot: Launch, timeout: float) -> QuoteBot:
    lines = ["Intro."]
    lines += [
        f"Tell me about zebras {n}?\nAnn Lee: Zebras number {n} are striped." for n in range(12)
    ]
    (bot_settings.data_dir / "zebras.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    topics = bot_settings.data_dir / "topics.toml"
    topics.write_text(
        topics.read_text(encoding="utf-8")
        + '\n[[topic]]\nname = "Zebras"\nkeywords = ["zebras"]\n',
        encoding="utf-8",
    )
    bot = await launch_quotebot()
    bot.get_cog("Quotes").topic_timeout = timeout  # type: ignore[union-attr]
    return bot


async def test_topic_pages_only_for_the_invoker(
    emulator: DiscordEmulator, world: World, bot_settings: Settings, launch_quotebot: Launch
) -> None:
    await zebra_bot(bot_settings, launch_quotebot, timeout=30)
    handle = await emulator.slash("topic", {"name": "zebras"}, user=world.owner)
    message = await handle.wait_original()
    assert "12 quote(s)" in message.embed["description"]  # type: ignore[index]
    assert len(message.embed["fields"]) == 5  # type: ignore[index]
    prev, nxt = message.buttons
    assert prev["disabled"] and not nxt.get("disabled")
    denied = await emulator.click(message, label="Next", user=world.member)
    reply = await denied.wait_original()
    assert reply.ephemeral and "belong to the member who asked" in reply.content
    assert "Page 1 of 3" in emulator.get_message(message.id).embed["footer"]["text"]  # type: ignore[union-attr,index]
    click = await emulator.click(message, label="Next", user=world.owner)
    await click.response()
    page2 = await changed(
        emulator, message.id, lambda m: "Page 2 of 3" in m.embed["footer"]["text"]
    )
    assert page2.embed["fields"][0]["name"].startswith("6.")  # type: ignore[index]


async def test_topic_buttons_disable_on_timeout_and_after_restart(
    emulator: DiscordEmulator, world: World, bot_settings: Settings, launch_quotebot: Launch
) -> None:
    bot = await zebra_bot(bot_settings, launch_quotebot, timeout=0.5)
    handle = await emulator.slash("topic", {"name": "zebras"})
    message = await handle.wait_original()
    await changed(emulator, message.id, lambda m: all(b.get("disabled") for b in m.buttons))
    # a listing whose timer died with the process: pressing it after the timeout disables it
    second = await emulator.slash("topic", {"name": "zebras"})
    old = await second.wait_original()
    await bot.close()
    restarted = await launch_quotebot()
    restarted.get_cog("Quotes").topic_timeout = 0.0  # type: ignore[union-attr]
    late = await emulator.click(old, label="Next")
    await late.response()
    await changed(emulator, old.id, lambda m: all(b.get("disabled") for b in m.buttons))
    assert "expired" in (await late.followups(1))[0].content


async def test_about(emulator: DiscordEmulator, world: World, quotebot: QuoteBot) -> None:
    handle = await emulator.slash("about", {})
    message = await handle.wait_original()
    assert message.ephemeral
    stats = quotebot.library.catalog.stats()
    assert f"**{stats['quotes']}** quotes" in message.embed["description"]  # type: ignore[index]
    assert "/quote" in str(message.embed)


async def test_unexpected_error_apologises_and_logs(
    emulator: DiscordEmulator,
    world: World,
    quotebot: QuoteBot,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> object:
        raise RuntimeError("kaboom in search")

    monkeypatch.setattr(quotebot.library.catalog, "quote", broken)
    with caplog.at_level(logging.ERROR):
        handle = await emulator.slash("quote", {"query": "money"})
        message = await handle.wait_original()
    assert message.ephemeral and message.content == APOLOGY
    assert "kaboom" not in message.content
    assert any("kaboom in search" in (r.exc_text or "") or r.exc_info for r in caplog.records)


async def test_no_sync_on_start_without_dev_guild(
    emulator: DiscordEmulator,
    world: World,
    start_bot: Callable[..., Awaitable[None]],
    bot_settings: Settings,
) -> None:
    bot = QuoteBot(bot_settings)
    await start_bot(emulator, bot)
    assert emulator.find_command("quote", world.guild.id) is None


async def test_dev_guild_syncs_on_start(
    emulator: DiscordEmulator,
    world: World,
    start_bot: Callable[..., Awaitable[None]],
    bot_settings: Settings,
) -> None:
    from dataclasses import replace

    bot = QuoteBot(replace(bot_settings, dev_guild_id=world.guild.id))
    await start_bot(emulator, bot)
    command = emulator.find_command("quote", world.guild.id)
    assert command is not None and command["description"]
    assert emulator.find_command("quote", None) is None  # nothing global


async def test_quote_query_length_is_bounded(
    emulator: DiscordEmulator, world: World, quotebot: QuoteBot
) -> None:
    command = emulator.find_command("quote", world.guild.id)
    assert command is not None
    query = next(o for o in command["options"] if o["name"] == "query")
    assert query["max_length"] == 200
