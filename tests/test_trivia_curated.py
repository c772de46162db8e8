"""Curated trivia (data/trivia.toml): every seed question valid, each bad entry reported
at its file and line, and a bad file at load or reload keeping the old questions while the
rest of the data loads."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.loader import load_corpus
from bot.models import Interview
from bot.store import Store
from bot.topics import fold
from bot.trivia import load_curated
from tests.test_trivia import ROOT, SEED, TRIVIA, seed, squash

__all__ = ["seed"]  # the module's fixture, shared with tests/test_trivia.py


def test_seed_questions_are_all_valid_and_mixed(seed: Interview) -> None:
    questions, errors = load_curated(TRIVIA, [seed])
    assert errors == []
    assert len(questions) >= 25
    assert {q.difficulty for q in questions} == {"easy", "medium", "hard"}
    raw = squash(SEED.read_text(encoding="utf-8"))
    for q in questions:
        assert squash(q.evidence) in raw, q.evidence  # verbatim in the transcript file
        assert f" {fold(q.answer)} " in f" {fold(q.evidence)} "
        for d in q.distractors:
            assert f" {fold(d)} " not in f" {fold(q.evidence)} ", (q.text, d)
        assert len({fold(c) for c in q.choices}) == len(q.choices) >= 4
        assert q.passage_id in {p.id for p in seed.passages}
        assert all(len(c) <= 80 for c in q.choices)


BAD = """\
# line 1
[[question]]
question = "Who designed the production?"
answer = "Stephen Phelps"
distractors = ["Drew Daniels", "Samantha Quan", "Juho Kuosmanen"]
difficulty = "medium"
evidence = "My production designer, Stephen Phelps"

[[question]]
question = "Evidence that is not in any transcript?"
answer = "Nobody"
distractors = ["A", "B", "C"]
difficulty = "easy"
evidence = "Nobody said this anywhere at all"

[[question]]
question = "Answer missing from the evidence?"
answer = "Drew Daniels"
distractors = ["Stephen Phelps", "Samantha Quan", "Juho Kuosmanen"]
difficulty = "easy"
evidence = "My production designer, Stephen Phelps"

[[question]]
question = "Choices that repeat?"
answer = "Spotify"
distractors = ["spotify", "YouTube", "Shazam"]
difficulty = "impossible"
evidence = "[Samantha] went on on Spotify"
colour = "red"

[[question]]
question = "Too few distractors, one of them in the evidence?"
answer = "Take That"
distractors = ["It’s"]
difficulty = "easy"
evidence = "It’s by Take That."

[[question]]
question = "Who designed the production?"
answer = "Stephen Phelps"
distractors = ["Drew Daniels", "Samantha Quan", "Juho Kuosmanen"]
difficulty = "medium"
evidence = "My production designer, Stephen Phelps"

[[question]]
question = "Punctuation differs from the transcript?"
answer = "Stephen Phelps"
distractors = ["Drew Daniels", "Samantha Quan", "Juho Kuosmanen"]
difficulty = "hard"
evidence = "my production designer Stephen Phelps"
"""


def test_every_bad_entry_is_reported_at_its_line(tmp_path: Path, seed: Interview) -> None:
    path = tmp_path / "trivia.toml"
    path.write_text(BAD, encoding="utf-8")
    questions, errors = load_curated(path, [seed])
    assert [q.line for q in questions] == [2]  # the one good entry survives validation
    found = {(e.line, e.message.split(":")[0].split(" (")[0]) for e in errors}
    rendered = [str(e) for e in errors]
    assert all(r.startswith(f"{path}:") for r in rendered), rendered
    lines = BAD.splitlines()

    def line_of(text: str, nth: int = 0) -> int:
        return [n for n, line in enumerate(lines, 1) if line.startswith(text)][nth]

    expected = [
        (line_of('evidence = "Nobody'), "the evidence does not occur"),
        (line_of('answer = "Drew Daniels"'), "the evidence does not support the answer"),
        (line_of('distractors = ["Stephen Phelps"'), "distractor 'Stephen Phelps' also occurs"),
        (line_of('distractors = ["spotify"'), "choices 'Spotify' and 'spotify' are the same"),
        (line_of('difficulty = "impossible"'), "`difficulty` must be one of easy, medium, hard"),
        (line_of("colour = "), "unknown key `colour`"),
        (line_of('distractors = ["It’s"]'), "give 3 to 4 distractors, not 1"),
        (line_of('distractors = ["It’s"]'), "distractor 'It’s' also occurs in the evidence"),
        (line_of("[[question]]", 5), "the same question is already asked at line 2"),
        (line_of('evidence = "my production'), "the evidence does not occur"),
    ]
    for line, start in expected:
        assert any(e.line == line and e.message.startswith(start) for e in errors), (
            f"{line}: {start!r} not in {sorted(found)}"
        )
    assert len(errors) == len(expected) + 1  # + "spotify" is in the evidence too
    near = next(e for e in errors if e.line == line_of('evidence = "my production'))
    assert "other punctuation" in near.message


def test_shape_errors_and_bad_toml(tmp_path: Path, seed: Interview) -> None:
    path = tmp_path / "trivia.toml"
    path.write_text('[[question]]\nquestion = "x"\nanswer = \n', encoding="utf-8")
    _, errors = load_curated(path, [seed])
    assert len(errors) == 1 and errors[0].line == 3 and "invalid TOML" in errors[0].message
    path.write_text('title = "not trivia"\n[[question]]\nquestion = 5\n', encoding="utf-8")
    _, errors = load_curated(path, [seed])
    assert any(e.line == 1 and "unknown key `title`" in e.message for e in errors)
    assert any(e.line == 3 and "`question` must be non-empty text" in e.message for e in errors)
    assert any(e.line == 2 and "missing `answer`" in e.message for e in errors)
    path.write_bytes(b"\xff\xfe junk")
    _, errors = load_curated(path, [seed])
    assert "not UTF-8" in errors[0].message


def test_interview_key_limits_where_evidence_is_found(tmp_path: Path, seed: Interview) -> None:
    entry = (
        '[[question]]\nquestion = "Q?"\nanswer = "Spotify"\n'
        'distractors = ["YouTube", "Shazam", "Radio"]\ndifficulty = "easy"\n'
        'evidence = "went on on Spotify"\ninterview = "{iid}"\n'
    )
    path = tmp_path / "trivia.toml"
    path.write_text(entry.format(iid=seed.id), encoding="utf-8")
    questions, errors = load_curated(path, [seed])
    assert errors == [] and questions[0].interview_id == seed.id
    path.write_text(entry.format(iid="nope"), encoding="utf-8")
    _, errors = load_curated(path, [seed])
    assert errors[0].line == 7 and "no loaded interview" in errors[0].message


def corrupt_copy(tmp_path: Path) -> tuple[Path, int]:
    """A copy of data/ whose trivia.toml has one entry's evidence broken; returns its line."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
    text = (data / "trivia.toml").read_text(encoding="utf-8")
    good = 'evidence = "My production designer, Stephen Phelps"'
    assert good in text
    line = text[: text.index(good)].count("\n") + 1
    (data / "trivia.toml").write_text(
        text.replace(good, 'evidence = "Our production designer, Stephen Phelps"'),
        encoding="utf-8",
    )
    return data, line


def test_loader_refuses_a_corrupted_entry_with_file_and_line(tmp_path: Path) -> None:
    good = load_corpus([ROOT / "seeds", ROOT / "data"])
    assert good.ok and len(good.trivia) >= 25
    data, line = corrupt_copy(tmp_path)
    corpus = load_corpus([ROOT / "seeds", data])
    assert not corpus.ok
    assert [str(e) for e in corpus.errors] == [
        f"{data / 'trivia.toml'}:{line}: the evidence does not occur in a loaded transcript: "
        "'Our production designer, Stephen Phelps'"
    ]
    assert len(corpus.trivia) == len(good.trivia) - 1


async def test_store_reports_the_trivia_diff(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
    store = await Store.open(tmp_path / "q.db")

    async def load() -> tuple[int, int, int]:
        corpus = load_corpus([ROOT / "seeds", data])
        assert corpus.ok, corpus.errors
        report = await store.replace_corpus(corpus.interviews, corpus.topics, corpus.trivia)
        change = report.extra["trivia"]
        return change.added, change.removed, change.changed

    try:
        added, _, _ = await load()
        stored = await store.read_trivia()
        assert added == len(stored) >= 25
        assert all(q.kind == "curated" and q.source and q.line for q in stored)
        assert await load() == (0, 0, 0)
        text = (data / "trivia.toml").read_text(encoding="utf-8")
        text = text.replace('difficulty = "hard"', 'difficulty = "medium"', 1)
        head, tail = text.split('[[question]]\nquestion = "Where did Sean Baker grow up?"')
        (data / "trivia.toml").write_text(head + tail.split("\n\n", 1)[1], encoding="utf-8")
        assert await load() == (0, 1, 1)
        assert len(await store.read_trivia()) == len(stored) - 1
        # the topics and quotes are untouched by a trivia-only change
        assert (await store.counts())["passages"] > 0
    finally:
        await store.close_lanes()
        await store.close()


async def test_a_bad_trivia_file_keeps_the_old_questions_and_the_rest_loads(
    tmp_path: Path,
) -> None:
    from bot.library import Library
    from bot.loader import NOTHING_LOADED, TRIVIA_KEPT

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("*.db*", "*.index"))
    store = await Store.open(tmp_path / "q.db")
    try:
        library = Library(store, [ROOT / "seeds", data])
        assert (await library.reload()).ok
        before = await store.read_trivia()
        catalog = library.catalog
        bad, line = corrupt_copy(tmp_path / "bad")
        shutil.copy(bad / "trivia.toml", data / "trivia.toml")
        expected = [
            f"{data / 'trivia.toml'}:{line}: the evidence does not occur in a loaded transcript: "
            "'Our production designer, Stephen Phelps'"
        ]
        refused = await library.reload(strict=True)  # all or nothing
        assert not refused.applied and [str(e) for e in refused.errors] == expected
        assert [p.effect for p in refused.problems] == [NOTHING_LOADED]
        assert library.catalog is catalog
        # Per file: the questions loaded before stay, and a new transcript still loads.
        (data / "ann.txt").write_text("Why?\nAnn Lee: Because I wanted to.\n", encoding="utf-8")
        partial = await library.reload()
        assert partial.applied and not partial.ok
        assert [str(e) for e in partial.errors] == expected
        assert [p.effect for p in partial.problems] == [TRIVIA_KEPT]
        assert partial.report is not None and partial.report.interviews.added == 1
        assert "trivia" not in partial.report.extra
        assert await store.read_trivia() == before  # the old questions stay in service
        assert "ann" in library.catalog.interviews
    finally:
        await store.close_lanes()
        await store.close()
