"""Transcript parser: the real seed exactly, sentences and ids. Other shapes:
tests/test_transcript_shapes.py; bad files and speed: tests/test_transcript_bad_files.py."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transcript_helpers import SEED, SEED_META, parse

from bot.models import Interview, InterviewMeta
from bot.transcript import (
    passage_id,
    read_transcript,
    slugify,
    split_sentences,
)

# --------------------------------------------------------------------------- the seed

SB = "Sean Baker"
# (line, kind, speaker, start of text) for every paragraph of the seed.
SEED_PARAGRAPHS = [
    (2, "lede", None, "Sean Baker has been making movies"),
    (3, "lede", None, "“Anora” – which follows"),
    (4, "lede", None, "Baker has long been interested"),
    (5, "note", None, "This interview has been edited for length and clarity."),
    (6, "question", None, "A lot of your movies touch on class"),
    (7, "answer", SB, "Being a producer of my films"),
    (8, "continuation", SB, "It didn’t change"),
    (9, "question", None, "It’s interesting, talking about writing"),
    (10, "answer", SB, "Definitely. You have to."),
    (11, "question", None, "I want to talk about the cast"),
    (12, "answer", SB, "It’s that “It” factor!"),
    (13, "continuation", SB, "And it happens"),
    (14, "question", None, "Mikey Madison is wonderful"),
    (16, "answer", SB, "I had been a fan of Juho Kuosmanen"),
    (17, "question", None, "I think he was the thing"),
    (18, "answer", SB, "Well, we knew we were going"),
    (19, "question", None, "Yeah, the first interaction"),
    (20, "answer", SB, "I did want the audience"),
    (21, "question", None, "A lot of your films are extremely colorful"),
    (23, "answer", SB, "Okay, so first off"),
    (24, "continuation", SB, "But overall"),
    (25, "continuation", SB, "So anyway"),
    (26, "question", None, "The latter half, the boardwalk search"),
    (27, "answer", SB, "I love that series"),
    (28, "question", None, "I’ve been listening to “Greatest Day”"),
    (29, "answer", SB, "You’re welcome!"),
    (30, "continuation", SB, "She played it"),
]


@pytest.fixture(scope="module")
def seed() -> Interview:
    return read_transcript(SEED, SEED_META)


def test_seed_every_paragraph(seed: Interview) -> None:
    got = [(p.line, p.kind, p.speaker) for p in seed.paragraphs]
    assert got == [(line, kind, who) for line, kind, who, _ in SEED_PARAGRAPHS]
    for paragraph, (_, _, _, start) in zip(seed.paragraphs, SEED_PARAGRAPHS, strict=True):
        assert paragraph.text.startswith(start)
    assert [p.index for p in seed.paragraphs] == list(range(27))


def test_seed_counts(seed: Interview) -> None:
    counts = {k: sum(p.kind == k for p in seed.paragraphs) for k in ("lede", "note")}
    counts |= {k: sum(p.kind == k for p in seed.paragraphs) for k in ("question", "answer")}
    counts["continuation"] = sum(p.kind == "continuation" for p in seed.paragraphs)
    assert counts == {"lede": 3, "note": 1, "question": 9, "answer": 9, "continuation": 5}
    assert len(seed.passages) == 9
    assert seed.speakers == ("Sean Baker",)
    assert [p.position for p in seed.passages] == list(range(9))
    assert [p.line for p in seed.passages] == [7, 10, 12, 16, 18, 20, 23, 27, 29]
    assert [len(p.paragraphs) for p in seed.passages] == [2, 1, 2, 1, 1, 1, 3, 1, 2]
    assert all(p.speaker == SB and p.role == "interviewee" for p in seed.passages)
    assert all(p.interview_id == "000-61add2952afc7ee4" for p in seed.passages)


def test_seed_interview_fields(seed: Interview) -> None:
    raw = SEED.read_bytes()
    assert seed.id == "000-61add2952afc7ee4"
    assert seed.source == str(SEED)
    assert seed.content_hash == hashlib.sha256(raw).hexdigest()
    assert seed.title == "Sean Baker on making “Anora”"


def test_seed_prefixes_removed_and_text_kept_verbatim(seed: Interview) -> None:
    texts = [p.text for p in seed.paragraphs]
    assert not any(t.startswith(("Sean Baker:", "Baker:")) for t in texts)
    raw_lines = SEED.read_text(encoding="utf-8").split("\n")
    for p in seed.paragraphs:
        assert raw_lines[p.line - 1].rstrip().endswith(p.text)
    # Trailing whitespace is stripped, everything else kept (curly quotes, dashes, ellipses).
    assert seed.paragraphs[0].text.endswith("such a massive way.")
    assert "“Once Upon a Time … in Hollywood”" in seed.paragraphs[11].text


def test_seed_lede_and_note_never_in_passages(seed: Interview) -> None:
    passage_text = "\n".join(p.text + (p.question or "") for p in seed.passages)
    for paragraph in seed.paragraphs:
        if paragraph.kind in ("lede", "note"):
            assert paragraph.text not in passage_text
    assert "edited for length" not in passage_text


def test_seed_questions_and_sentences(seed: Interview) -> None:
    questions = [p.text for p in seed.paragraphs if p.kind == "question"]
    assert [p.question for p in seed.passages] == questions
    money = next(p for p in seed.passages if "We always put all the money on the screen" in p.text)
    assert money.question is not None
    assert money.question.startswith("A lot of your movies touch on class")
    assert money.sentences[3] == (
        "We always put all the money on the screen, because we know our films are "
        "competing with studio films, and even mini-studio films."
    )
    assert money.sentences[-1].startswith("I think my previous writing has just been")
    assert money.text == "\n\n".join(money.paragraphs)

    last = seed.passages[-1]
    assert last.question is not None and last.question.startswith("I’ve been listening")
    assert last.paragraphs[1].startswith("She played it")
    assert "Then we realized it was a hit everywhere in the world except the U.S." in (
        last.sentences
    )
    assert any(s.startswith("I’m proud that") and "the U.S. it’ll" in s for s in last.sentences)

    cast = seed.passages[2]
    assert (
        "It was really just “Once Upon a Time … in Hollywood” and “Scream,” and those two "
        "things made me say, “She’s the one.”" in cast.sentences
    )
    assert (
        "Not deserves – we all deserve! – but you know what I’m saying, that we want to "
        "see that person." in cast.sentences
    )
    assert "And we both said, “Who’s that?”" in cast.sentences


def test_seed_sentences_lose_nothing(seed: Interview) -> None:
    for passage in seed.passages:
        joined = "".join(passage.sentences)
        assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", "".join(passage.paragraphs))


def test_seed_without_meta_resolves_surname_and_titles_from_stem(tmp_path: Path) -> None:
    path = tmp_path / "sean_baker-anora.txt"
    path.write_bytes(SEED.read_bytes())
    interview = read_transcript(path)
    assert interview.id == "sean-baker-anora"
    assert interview.title == "Sean Baker Anora"
    assert {p.speaker for p in interview.passages} == {"Sean Baker"}
    assert len(interview.passages) == 9


# --------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        (
            "Mr. Smith met Dr. Jones on St. Mark's Place. Then lunch.",
            ["Mr. Smith met Dr. Jones on St. Mark's Place.", "Then lunch."],
        ),
        (
            "Kramer vs. Kramer won. It cost 3.5 million.",
            ["Kramer vs. Kramer won.", "It cost 3.5 million."],
        ),
        (
            "Bring fruit, e.g. Apples, i.e. Not pears. Done.",
            ["Bring fruit, e.g. Apples, i.e. Not pears.", "Done."],
        ),
        ("Pens, paper, etc. are here. We left.", ["Pens, paper, etc. are here.", "We left."]),
        (
            "J. R. R. Tolkien wrote it. Martin Luther King Jr. was there.",
            ["J. R. R. Tolkien wrote it.", "Martin Luther King Jr. was there."],
        ),
        (
            "It was a hit except the U.S. It was big in the U.S. too, later.",
            ["It was a hit except the U.S.", "It was big in the U.S. too, later."],
        ),
        (
            "I don't know … maybe. I waited... and waited... Then it came.",
            ["I don't know … maybe.", "I waited... and waited...", "Then it came."],
        ),
        ("It went on and on… Then it stopped.", ["It went on and on…", "Then it stopped."]),
        ("He said, “She’s the one.” Then he left.", ["He said, “She’s the one.”", "Then he left."]),
        (
            'I asked, "Why haven’t I seen that?" And nobody knew.',
            ['I asked, "Why haven’t I seen that?"', "And nobody knew."],
        ),
        (
            "She yelled “What?!” and ran. “Really!?” he asked.",
            ["She yelled “What?!” and ran.", "“Really!?” he asked."],
        ),
        (
            "We all deserve! – but you know. Yes — fine.",
            ["We all deserve! – but you know.", "Yes — fine."],
        ),
        ("See No. 5 on Jan. 3 for details. OK.", ["See No. 5 on Jan. 3 for details.", "OK."]),
        ("(It was late.) We slept.", ["(It was late.)", "We slept."]),
        ("Really? yes, really.", ["Really? yes, really."]),
        ("  Spaces  around.   ", ["Spaces  around."]),
        ("", []),
        ("   \n  ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@given(st.text(alphabet=st.sampled_from(list("ab A.?!…“”\"' \n-–3")), max_size=80))
def test_split_sentences_keeps_every_character(text: str) -> None:
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", text)


# --------------------------------------------------------------------------- ids


def test_slugify() -> None:
    assert slugify("000_61add2952afc7ee4") == "000-61add2952afc7ee4"
    assert slugify("  Café Talk -- Part 2 ") == "cafe-talk-part-2"
    assert slugify("") == "untitled"
    assert slugify("!!!") != slugify("???")
    assert re.fullmatch(r"[a-z0-9-]+", slugify("!!!"))


def test_passage_id_shape_and_normalisation() -> None:
    pid = passage_id("iv", "Hello  world.\n\nAgain.")
    assert re.fullmatch(r"[0-9a-f]{12}", pid)
    assert pid == passage_id("iv", "Hello world. Again.")
    assert pid != passage_id("other", "Hello world. Again.")
    assert pid != passage_id("iv", "Hello world. Again.", occurrence=1)
    assert passage_id("iv", "x", 1) != passage_id("iv", "x", 2)


def test_ids_stable_across_parses_and_unrelated_additions() -> None:
    base = "What first?\nBaker: One.\nWhat next?\nBaker: Two.\nMore two.\n"
    meta = InterviewMeta(title="T", interviewee="Sean Baker")
    ids = [p.id for p in parse(base, meta).passages]
    assert ids == [p.id for p in parse(base, meta).passages]
    assert len(set(ids)) == 2
    grown = "Opening?\nBaker: A new answer.\n" + base
    grown_ids = [p.id for p in parse(grown, meta).passages]
    assert grown_ids[1:] == ids
    assert [p.position for p in parse(grown, meta).passages] == [0, 1, 2]


def test_identical_answers_get_distinct_ids() -> None:
    text = "Ready?\nBaker: Yes.\nSure?\nBaker: Yes.\nReally?\nBaker: Yes.\n"
    passages = parse(text, InterviewMeta(title="T", interviewee="Sean Baker")).passages
    assert len({p.id for p in passages}) == 3
    assert passages[0].id == passage_id("t", "Yes.")
    assert passages[2].id == passage_id("t", "Yes.", 2)
