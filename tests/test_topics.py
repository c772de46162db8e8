"""Topics on the seed: curated ones link to the right answers, extracted ones are real names/titles."""

from pathlib import Path

from bot.loader import load_corpus
from bot.topics import fold, load_curated, looks_like_title

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = [
    "Casting", "Budget", "Editing", "Colour and palette", "Music", "Cannes", "The Sopranos",
    "The tinsel", "Igor / Yura Borisov", "Mikey Madison", "Red Rocket", "The Florida Project",
]  # fmt: skip


def seed_corpus():  # type: ignore[no-untyped-def]
    corpus = load_corpus([ROOT / "seeds", ROOT / "data"])
    assert corpus.ok, [str(e) for e in corpus.errors]
    return corpus


def test_required_curated_topics_all_have_passages() -> None:
    topics = {t.name: t for t in seed_corpus().topics}
    for name in REQUIRED:
        assert name in topics, name
        assert topics[name].passage_ids, name


def test_topics_link_to_passages_really_about_them() -> None:
    corpus = seed_corpus()
    passages = {p.id: p for iv in corpus.interviews for p in iv.passages}
    topics = {t.name: t for t in corpus.topics}
    tinsel = [passages[i].text for i in topics["The tinsel"].passage_ids]
    assert len(tinsel) == 1 and "tinsel in the hair" in tinsel[0]
    sopranos = [passages[i] for i in topics["The Sopranos"].passage_ids]
    assert len(sopranos) == 1 and sopranos[0].text.startswith("I love that series")
    music = [passages[i].text for i in topics["Music"].passage_ids]
    assert any("Take That" in t for t in music)
    igor = [passages[i].text for i in topics["Igor / Yura Borisov"].passage_ids]
    assert all("Yura" in t or "Igor" in t for t in igor)


def test_extracted_topics_are_names_and_titles_not_speech() -> None:
    names = {t.name for t in seed_corpus().topics if not t.curated}
    for expected in ("Samantha Quan", "Stephen Phelps", "Drew Daniels", "Juho Kuosmanen", "Scream"):
        assert expected in names
    assert "Once Upon a Time … in Hollywood" in names
    for speech in ("She’s the one", "Who’s that", "Actually, there is. It’s by Take That"):
        assert speech not in names
    assert "Sean Baker" not in names  # the interviewee is every answer's speaker, not a topic
    assert "Mark Eydelshteyn" not in names  # only in the lede: no passage, so not offered


def test_title_heuristic() -> None:
    assert looks_like_title("The Happiest Day in the Life of Olli Mäki")
    assert looks_like_title("Compartment Number 6")
    assert not looks_like_title("There has to be a song out there")
    assert not looks_like_title("Take That? The boy band")


def test_bad_topics_file_reports_lines(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(
        '[[topic]]\nname = "Good"\nkeywords = ["good"]\n\n'
        '[[topic]]\nname = "Bad"\nkeywords = "not a list"\n\n'
        '[[topic]]\nkeywords = ["x"]\n',
        encoding="utf-8",
    )
    topics, errors = load_curated(path)
    assert [t.name for t in topics] == ["Good", "Bad"]
    messages = {(e.line, e.message.split(":")[0]) for e in errors}
    assert (6, "Bad") in messages
    assert any(e.line == 9 and "without a name" in e.message for e in errors)


def test_invalid_toml_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text('[[topic]]\nname = "Oops\n', encoding="utf-8")
    _, errors = load_curated(path)
    assert errors and errors[0].line == 2


def test_fold() -> None:
    assert fold("Palme d’Or — Almodóvar!") == "palme d or almodovar"


async def test_topic_excerpts_show_where_the_topic_is_mentioned(tmp_path: Path) -> None:
    import random

    from bot.library import Library
    from bot.store import Store

    store = await Store.open(tmp_path / "q.db")
    try:
        library = Library(store, [ROOT / "seeds", ROOT / "data"])
        assert (await library.reload()).ok
        catalog = library.catalog
        tinsel = catalog.find_topic("tinsel")
        assert tinsel is not None
        for view in catalog.topic_quotes(tinsel):
            assert "tinsel" in view.excerpt
        sopranos = catalog.find_topic("The Sopranos")
        assert sopranos is not None
        for seed in range(10):
            view = catalog.random(random.Random(seed), topic=sopranos)
            assert view is not None and "Soprano" in view.excerpt
    finally:
        await store.close()
